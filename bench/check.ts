// `npm run bench:check`: the performance-regression gate.
//
//   node build/ts/bench/check.js [--baseline bench/baseline.json] [--tolerance 0.25] [--update]
//
// Every figure is a ratio of two medians measured in the same run, so a noisy or
// shared machine moves both sides together: per profile, the engine's book path
// against the copy floor (at 4·10^6 accounts) and the reference against the
// engine (at 10^5 accounts, where the reference takes tens of milliseconds);
// and, in the engine ÷ copy column of their own rows, 1,000 pools against one
// on the same uniform book ("1,000 pools") and the split by weight with 10% of
// the accounts capped against the plain split of the same book ("by weight"), and the
// same with whales capped ("whales": the level climbs far above its first estimate).
// Baselines are kept per host kind (bench/baselines.ts says why and how the nearest
// is chosen). Exits 1 when a gating figure is worse than its baseline by more than the
// tolerance in each of three measurements (the first, and two more of the figures past it);
// `--update` writes the figures measured now as this host kind's baseline, keeping the others.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadEngine } from '../src/index.js';
import { socializeReference } from '../src/reference.js';
import { bestOf, chooseBaseline, compare, hostKind, parseBaselines, RELATIVE, withBaseline, type Baselines, type Figures, type HostBaseline } from './baselines.js';
import { describeMachine, machine } from './machine.js';
import { medianMs } from './measure.js';
import { buildWeighted, buildWhales, CASE_PROFILES } from './profiles.js';

const { values: args } = parseArgs({
  options: {
    baseline: { type: 'string', default: new URL('../../../bench/baseline.json', import.meta.url).pathname },
    tolerance: { type: 'string', default: '0.25' },
    update: { type: 'boolean', default: false },
  },
});
const tolerance = Number(args.tolerance);
if (!(tolerance > 0)) throw new RangeError(`--tolerance must be a positive number, got ${args.tolerance}`);

/** Accounts for the copy-floor figure (out of cache) and for the reference figure. */
const COPY_ACCOUNTS = 4_000_000;
const REFERENCE_ACCOUNTS = 100_000;
/** How many times a figure past the tolerance is measured again before it counts. */
const CONFIRMATIONS = 2;

const engine = await loadEngine();
const about = machine();
console.log(`bench:check on ${describeMachine(about)}; '${engine.variant}' core`);

const fast = { iterations: 30, time: 200, warmupIterations: 5 };
const slow = { iterations: 9, time: 0, warmupIterations: 1 };

/** Measures the figures of every profile, or of those in `only`. */
async function measure(only?: ReadonlySet<string>): Promise<Record<string, Figures>> {
  const figures: Record<string, Figures> = {};
  const wanted = (name: string) => only === undefined || only.has(name);
  for (const profile of CASE_PROFILES) {
    if (!wanted(profile.name)) continue;
    const large = profile.build(COPY_ACCOUNTS);
    const target = new BigInt64Array(COPY_ACCOUNTS);
    const book = engine.createBook(COPY_ACCOUNTS);
    book.profits.set(large.profits);
    const copyMs = await medianMs('copy', () => target.set(large.profits), fast);
    // A book's socialize takes the amounts only (its profits are the book's): unknown keys are refused.
    const largeParams = { loss: large.loss, insuranceFund: large.insuranceFund };
    const engineMs = await medianMs('engine', () => book.socialize(largeParams), fast);
    book.free();

    const small = profile.build(REFERENCE_ACCOUNTS);
    const smallBook = engine.createBook(REFERENCE_ACCOUNTS);
    smallBook.profits.set(small.profits);
    const smallParams = { loss: small.loss, insuranceFund: small.insuranceFund };
    const smallEngineMs = await medianMs('engine', () => smallBook.socialize(smallParams), fast);
    const referenceMs = await medianMs('reference', () => socializeReference(small), slow);
    smallBook.free();
    figures[profile.name] = { engineOverCopy: engineMs / copyMs, referenceOverEngine: referenceMs / smallEngineMs };
  }

  // Pools: the same uniform book split into 1,000 pools, against the single-pool book path.
  if (wanted('1,000 pools')) {
    const { profits, loss, insuranceFund } = CASE_PROFILES[0]!.build(COPY_ACCOUNTS);
    const book = engine.createBook(COPY_ACCOUNTS);
    book.profits.set(profits);
    const single = await medianMs('engine', () => book.socialize({ loss, insuranceFund }), fast);
    const pool = book.pool;
    for (let i = 0; i < COPY_ACCOUNTS; i++) pool[i] = (Math.imul(i, 0x9e3779b1) >>> 0) % 1000;
    const pools = Array.from({ length: 1000 }, () => ({ loss: loss / 1000n, insuranceFund: insuranceFund / 1000n }));
    const pooled = await medianMs('pools', () => book.socializePools(pools), fast);
    book.free();
    // Stored as "engine ÷ copy" (lower is better): 1,000 pools ÷ one pool.
    figures['1,000 pools'] = { engineOverCopy: pooled / single, referenceOverEngine: 1 };
  }

  // By weight with caps (10% of the eligible capped), against the plain path on the same book.
  for (const [name, build] of [['by weight', buildWeighted], ['whales', buildWhales]] as const) {
    if (!wanted(name)) continue;
    const { profits, weights, loss, insuranceFund } = build(COPY_ACCOUNTS);
    const book = engine.createBook(COPY_ACCOUNTS);
    book.weights.set(weights);
    book.profits.set(profits);
    const plain = await medianMs('engine', () => book.socialize({ loss, insuranceFund }), fast);
    const byWeight = await medianMs(name, () => book.socialize({ loss, insuranceFund, weights: book.weights }), fast);
    book.free();
    figures[name] = { engineOverCopy: byWeight / plain, referenceOverEngine: 1 };
  }
  return figures;
}

const measuredNow = await measure();

const baselineText = existsSync(args.baseline) ? readFileSync(args.baseline, 'utf8') : undefined;
const baselines: Baselines = baselineText === undefined ? { hosts: [] } : parseBaselines(baselineText);

if (args.update) {
  const entry: HostBaseline = {
    kind: hostKind(about), machine: about, variant: engine.variant, date: new Date().toISOString(),
    copyAccounts: COPY_ACCOUNTS, referenceAccounts: REFERENCE_ACCOUNTS, figures: measuredNow,
  };
  writeFileSync(args.baseline, JSON.stringify(withBaseline(baselines, entry), null, 2) + '\n');
  for (const [name, f] of Object.entries(measuredNow)) {
    console.log(RELATIVE[name]
      ? `  ${RELATIVE[name]!.padEnd(30)} ${f.engineOverCopy.toFixed(2).padStart(7)}×`
      : `  ${name.padEnd(15)} engine ÷ copy ${f.engineOverCopy.toFixed(2).padStart(7)}×   reference ÷ engine ${f.referenceOverEngine.toFixed(0).padStart(5)}×`);
  }
  console.log(`baseline for ${entry.kind} written to ${args.baseline} (${withBaseline(baselines, entry).hosts.length} host kind(s))`);
  process.exit(0);
}

const chosen = chooseBaseline(baselines, about);
if (!chosen) {
  console.log(`no baseline in ${args.baseline}: run with --update on this machine first`);
  process.exit(1);
}
const { baseline } = chosen;
console.log(chosen.exact
  ? `baseline of this host kind (${baseline.kind}), measured ${baseline.date}; '${baseline.variant}' core; tolerance ${(tolerance * 100).toFixed(0)}%`
  : `no baseline for this host kind (${hostKind(about)}): compared with the nearest, ${baseline.kind}, measured ${baseline.date};\n`
    + `reference ÷ engine depends on the CPU and is shown without gating; record this host kind with --update`);
if (baseline.variant !== engine.variant) console.log(`note: the baseline measured the '${baseline.variant}' core, this run the '${engine.variant}' core`);
// A figure beyond the tolerance is measured again, up to CONFIRMATIONS more times, and
// the best of its measurements is kept: a real slowdown is slow every time, while a
// neighbour's burst on a shared machine seldom strikes the same figure three times.
let { rows, missing } = compare(measuredNow, chosen, tolerance);
for (let again = 1; again <= CONFIRMATIONS && rows.some((row) => row.failed); again++) {
  const suspects = new Set(rows.filter((row) => row.failed).map((row) => row.profile));
  console.log(`${[...suspects].join(', ')}: beyond ${(tolerance * 100).toFixed(0)}%, measured again (${again} of ${CONFIRMATIONS})`);
  const remeasured = await measure(suspects);
  for (const [name, figures] of Object.entries(remeasured)) measuredNow[name] = bestOf(measuredNow[name]!, figures);
  ({ rows, missing } = compare(measuredNow, chosen, tolerance));
}
console.log('\n| profile | figure | baseline | now | change | |');
console.log('| --- | --- | ---: | ---: | ---: | --- |');
for (const row of rows) {
  const change = `${row.slowdown >= 1 ? '+' : '−'}${(Math.abs(row.slowdown - 1) * 100).toFixed(0)}% time`;
  const verdict = row.failed ? 'REGRESSION' : row.gates ? 'ok' : 'not gating';
  console.log(`| ${row.profile} | ${row.figure} | ${row.was.toFixed(2)}× | ${row.is.toFixed(2)}× | ${change} | ${verdict} |`);
}
for (const name of missing) console.log(`| ${name} | (not in the baseline: run with --update) | | | | |`);
const regressions = rows.filter((row) => row.failed).length;
console.log(regressions === 0 ? '\nno regression' : `\n${regressions} figure(s) regressed beyond ${(tolerance * 100).toFixed(0)}%`);
process.exitCode = regressions === 0 ? 0 : 1;
