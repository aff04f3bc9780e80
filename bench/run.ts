// `npm run bench`: the engine against the bigint reference and the copy floor.
//
//   node build/ts/bench/run.js [--sizes 1e4,1e6,1e7] [--profiles uniform,clustered] [--json FILE]
//
// For each size and profile: the time to copy the profits once (BigInt64Array
// set, the floor for any pass over the data), the book path (zero-copy), the
// `socialize` path (copies in and out) and `socializeReference`. Medians of
// tinybench runs; input generation and instantiation stay outside the timing.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadEngine } from '../src/index.js';
import { socializeReference } from '../src/reference.js';
import { budgetFor, medianMs } from './measure.js';
import { machine, describeMachine } from './machine.js';
import { CASE_PROFILES } from './profiles.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1e4,1e6,1e7' },
    profiles: { type: 'string', default: CASE_PROFILES.map((p) => p.name).join(',') },
    json: { type: 'string' },
  },
});
const sizes = args.sizes.split(',').map((s) => Number(s));
const profiles = args.profiles.split(',').map((name) => {
  const profile = CASE_PROFILES.find((p) => p.name === name);
  if (!profile) throw new Error(`unknown profile ${name}; known: ${CASE_PROFILES.map((p) => p.name).join(', ')}`);
  return profile;
});

/** One row of the report: medians in ms. */
interface Row {
  accounts: number;
  profile: string;
  copyMs: number;
  bookMs: number;
  socializeMs: number;
  referenceMs: number;
}

const engine = await loadEngine();
const about = machine();
console.log(`socialized-loss benchmark — ${describeMachine(about)}`);
for (const profile of profiles) console.log(`  ${profile.name}: ${profile.description}`);
console.log('');

const rows: Row[] = [];
for (const n of sizes) {
  for (const profile of profiles) {
    const { profits, loss, insuranceFund } = profile.build(n);
    const params = { loss, insuranceFund };
    const target = new BigInt64Array(n);
    const book = engine.createBook(n);
    book.profits.set(profits);

    // The answer first, untimed: the engine must agree with the reference.
    const reference = socializeReference({ ...params, profits });
    book.socialize(params);
    if (book.haircuts.some((h, i) => h !== reference.haircuts[i])) throw new Error(`${profile.name} ${n}: engine and reference disagree`);

    const perAccountNs = n / 1e6; // a rough per-run cost guess (ms) at 1 ns per account
    const copyMs = await medianMs('copy', () => target.set(profits), budgetFor(perAccountNs * 0.5));
    const bookMs = await medianMs('book', () => book.socialize(params), budgetFor(perAccountNs * 5));
    const socializeMs = await medianMs('socialize', () => engine.socialize({ ...params, profits }), budgetFor(perAccountNs * 8));
    const referenceMs = await medianMs('reference', () => socializeReference({ ...params, profits }), budgetFor(perAccountNs * 700));
    book.free();
    const row = { accounts: n, profile: profile.name, copyMs, bookMs, socializeMs, referenceMs };
    rows.push(row);
    printRow(row, rows.length === 1);
  }
}

if (args.json) {
  writeFileSync(args.json, JSON.stringify({ date: new Date().toISOString(), machine: about, rows }, null, 2) + '\n');
  console.log(`\nwrote ${args.json}`);
}

function printRow(row: Row, header: boolean): void {
  const ms = (v: number) => (v < 1 ? v.toFixed(3) : v < 100 ? v.toFixed(2) : v.toFixed(0));
  const cells = [
    row.accounts.toLocaleString('en-US'),
    row.profile,
    ms(row.copyMs),
    ms(row.bookMs),
    (row.bookMs / row.copyMs).toFixed(1) + '×',
    ((row.bookMs * 1e6) / row.accounts).toFixed(2),
    ms(row.socializeMs),
    ms(row.referenceMs),
    (row.referenceMs / row.bookMs).toFixed(0) + '×',
  ];
  if (header) {
    const titles = ['accounts', 'profile', 'copy floor ms', 'book path ms', 'book ÷ copy', 'ns/account', 'socialize() ms', 'reference ms', 'reference ÷ book'];
    console.log('| ' + titles.join(' | ') + ' |');
    console.log('|' + titles.map((t, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|') + '|');
  }
  console.log('| ' + cells.join(' | ') + ' |');
}
