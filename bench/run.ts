// `npm run bench`: every contender on the same books, in one process.
//
//   node build/ts/bench/run.js [--sizes 1e3,1e4,1e5,1e6,1e7] [--large] [--profiles a,b] [--json FILE]
//
// Contenders: the copy floor (BigInt64Array set of the profits: any pass over
// the data costs at least that), the engine's book path (zero-copy) and its
// socialize path (copies in and out), the fastest exact pure-JavaScript version
// (bench/contenders/fast-js.ts), the bigint reference, dinero.js `allocate`
// (up to 10^5 accounts), and the engine on the same book split into 1,000 pools.
// Then, on the uniform book: the split by weight with caps (10% capped) against
// the plain book path and the reference, the ADL queue (position size as the score)
// against the same, the measures of the plain split's haircuts (book.measureHaircuts:
// every account that pays, the heaviest case), compare's work (the three mechanisms and their
// measures, on the book path), per-unit index deltas, and the split by
// weight of a book whose capped accounts are whales (bench/profiles.ts).
// Every engine result is checked against the exact JS
// version first, untimed; dinero.js's differences from largest remainder are counted.

import { writeFileSync } from 'node:fs';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { loadEngine, measureHaircuts } from '../src/index.js';
import { deleverageReference, indexDeltaReference, socializeReference } from '../src/reference.js';
import { socializeDinero } from './contenders/dinero.js';
import { socializeFastJs } from './contenders/fast-js.js';
import { describeMachine, machine } from './machine.js';
import { probeAndMeasure } from './measure.js';
import { buildWeighted, buildWhales, CASE_PROFILES } from './profiles.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1e3,1e4,1e5,1e6,1e7' },
    large: { type: 'boolean', default: false },
    profiles: { type: 'string', default: CASE_PROFILES.map((p) => p.name).join(',') },
    json: { type: 'string' },
  },
});
const sizes = args.sizes.split(',').map(Number).concat(args.large ? [1e8] : []);
const profiles = args.profiles.split(',').map((name) => {
  const profile = CASE_PROFILES.find((p) => p.name === name);
  if (!profile) throw new Error(`unknown profile ${name}; known: ${CASE_PROFILES.map((p) => p.name).join(', ')}`);
  return profile;
});

/**
 * Contenders skipped past these sizes: the reference and dinero.js grow too slow, and
 * engine.socialize() or a pooled book would need a second copy beside the book in the
 * engine's 4 GiB.
 */
const LIMITS: Record<string, number> = {
  reference: 1e7, 'dinero.js': 1e5, 'engine.socialize()': 5e7, 'engine, 1,000 pools': 5e7,
  'reference, by weight': 1e6, 'engine.indexDelta()': 5e7, 'reference, index delta': 1e6, 'reference, queue': 1e6,
};

/** One measured figure. */
interface Row {
  accounts: number;
  profile: string;
  contender: string;
  medianMs: number;
}

const engine = await loadEngine();
const about = machine();
console.log(`socialized-loss benchmark: ${describeMachine(about)}; '${engine.variant}' core`);
for (const profile of profiles) console.log(`  ${profile.name}: ${profile.description}`);
console.log('');
console.log('| accounts | profile | contender | median ms | ns/account | ÷ engine | ÷ copy floor |');
console.log('| ---: | --- | --- | ---: | ---: | ---: | ---: |');

const rows: Row[] = [];
const dineroDifferences: { accounts: number; profile: string; accountsDiffering: number }[] = [];
for (const n of sizes) {
  for (const profile of profiles) {
    const { profits, loss, insuranceFund } = profile.build(n);
    const params = { loss, insuranceFund };
    const target = new BigInt64Array(n);
    const book = engine.createBook(n);
    book.profits.set(profits);

    // The answer first, untimed: the engine must agree with the exact JS version (itself tested against the reference).
    const exact = socializeFastJs(profits, loss, insuranceFund);
    book.socialize(params);
    if (book.haircuts.some((h, i) => h !== exact.haircuts[i])) throw new Error(`${profile.name} ${n}: engine and exact JS disagree`);

    // The same book split into 1,000 pools (pseudo-random assignment), each with 1/1000 of the loss.
    const pooled = n <= LIMITS['engine, 1,000 pools']! ? engine.createBook(n) : null;
    if (pooled) {
      pooled.profits.set(profits);
      const poolView = pooled.pool;
      for (let i = 0; i < n; i++) poolView[i] = (Math.imul(i, 0x9e3779b1) >>> 0) % 1000;
    }
    const poolParams = Array.from({ length: 1000 }, () => ({ loss: loss / 1000n, insuranceFund: insuranceFund / 1000n }));
    const tasks: [string, () => void][] = [
      ['copy floor', () => target.set(profits)],
      ['engine (book)', () => book.socialize(params)],
      ['engine, 1,000 pools', () => pooled!.socializePools(poolParams)],
      ['engine.socialize()', () => engine.socialize({ ...params, profits })],
      ['fast JS', () => socializeFastJs(profits, loss, insuranceFund)],
      ['reference', () => socializeReference({ ...params, profits })],
      ['dinero.js', () => socializeDinero(profits, loss, insuranceFund)],
    ];
    const measured = new Map<string, number>();
    for (const [contender, task] of tasks) {
      if (n > (LIMITS[contender] ?? Infinity)) continue;
      measured.set(contender, await probeAndMeasure(contender, task));
    }
    if (measured.has('dinero.js')) {
      const { haircuts } = socializeDinero(profits, loss, insuranceFund);
      dineroDifferences.push({ accounts: n, profile: profile.name, accountsDiffering: haircuts.filter((h, i) => h !== exact.haircuts[i]).length });
    }
    book.free();
    pooled?.free();
    const engineMs = measured.get('engine (book)')!;
    const copyMs = measured.get('copy floor')!;
    for (const [contender, ms] of measured) {
      rows.push({ accounts: n, profile: profile.name, contender, medianMs: ms });
      console.log(`| ${n.toLocaleString('en-US')} | ${profile.name} | ${contender} | ${formatMs(ms)} | ${((ms * 1e6) / n).toFixed(2)} | ${ratio(ms / engineMs)} | ${ratio(ms / copyMs)} |`);
    }
  }
}

// By weight with caps (10% of the eligible capped) and per-unit index deltas, on the uniform book.
const weightedCapped: { accounts: number; capped: number; eligible: number; whales?: boolean }[] = [];
for (const n of sizes) {
  if (n > LIMITS['engine.indexDelta()']!) continue;
  const weighted = buildWeighted(n);
  const params = { loss: weighted.loss, insuranceFund: 0n };
  const book = engine.createBook(n);
  book.weights.set(weighted.weights);
  book.profits.set(weighted.profits);
  // The answer first, untimed: against the reference where it runs.
  const summary = book.socialize({ ...params, weights: book.weights });
  weightedCapped.push({ accounts: n, capped: summary.cappedAccounts!, eligible: summary.profitableAccounts });
  if (n <= LIMITS['reference, by weight']!) {
    const expected = socializeReference({ ...params, profits: weighted.profits, weights: weighted.weights });
    if (book.haircuts.some((h, i) => h !== expected.haircuts[i])) throw new Error(`weighted ${n}: engine and reference disagree`);
  }
  // The ADL queue on the same book, position size as the score (capacities: the positive profits).
  book.scores.set(weighted.weights);
  const queued = { loss: weighted.loss };
  const queueInput = { ...queued, profits: weighted.profits, scores: weighted.weights };
  book.deleverage(queued);
  if (n <= LIMITS['reference, by weight']!) {
    const expected = deleverageReference(queueInput);
    if (book.haircuts.some((h, i) => h !== expected.haircuts[i])) throw new Error(`queue ${n}: engine and reference disagree`);
    // The queue's measures, against plain-bigint measureHaircuts.
    const oracle = measureHaircuts({ ...queued, haircuts: book.haircuts, profits: weighted.profits });
    if (!isDeepStrictEqual(book.measureHaircuts(queued), oracle)) throw new Error(`measures ${n}: engine and measureHaircuts disagree`);
  }
  const delta = { loss: weighted.loss, units: weighted.weights, scale: 10n ** 9n };
  const tasks: [string, () => void][] = [
    ['engine (book)', () => book.socialize(params)],
    // Right after the plain split: the book holds its haircuts, which this measures.
    ['engine (book), measures', () => book.measureHaircuts(queued)],
    ['engine (book), by weight', () => book.socialize({ ...params, weights: book.weights })],
    ['reference, by weight', () => socializeReference({ ...params, profits: weighted.profits, weights: weighted.weights })],
    ['engine (book), queue', () => book.deleverage(queued)],
    ['reference, queue', () => deleverageReference(queueInput)],
    // What `compare` computes on the book path: the three mechanisms (pro rata, by weight, the
    // queue), each measured in full.
    ['engine (book), compare', () => {
      book.socialize(params);
      book.measureHaircuts(queued);
      book.socialize({ ...params, weights: book.weights });
      book.measureHaircuts(queued);
      book.deleverage(queued);
      book.measureHaircuts(queued);
    }],
    ['engine.indexDelta()', () => engine.indexDelta(delta)],
    ['reference, index delta', () => indexDeltaReference(delta)],
  ];
  // The same split when the capped accounts are whales holding most of the weight.
  const whales = buildWhales(n);
  const whaleBook = engine.createBook(n);
  whaleBook.weights.set(whales.weights);
  whaleBook.profits.set(whales.profits);
  const whaleSummary = whaleBook.socialize({ loss: whales.loss, weights: whaleBook.weights });
  weightedCapped.push({ accounts: n, capped: whaleSummary.cappedAccounts!, eligible: whaleSummary.profitableAccounts, whales: true });
  tasks.push(
    ['engine (book), whales', () => whaleBook.socialize({ loss: whales.loss })],
    ['engine (book), whales by weight', () => whaleBook.socialize({ loss: whales.loss, weights: whaleBook.weights })],
  );
  const measured = new Map<string, number>();
  for (const [contender, task] of tasks) {
    if (n > (LIMITS[contender] ?? Infinity)) continue;
    measured.set(contender, await probeAndMeasure(contender, task));
  }
  book.free();
  whaleBook.free();
  const engineMs = measured.get('engine (book)')!;
  for (const [contender, ms] of measured) {
    rows.push({ accounts: n, profile: 'weighted', contender, medianMs: ms });
    // Whale rows compare with the plain split of the whales' own book.
    const base = contender.includes('whales') ? measured.get('engine (book), whales')! : engineMs;
    console.log(`| ${n.toLocaleString('en-US')} | weighted | ${contender} | ${formatMs(ms)} | ${((ms * 1e6) / n).toFixed(2)} | ${ratio(ms / base)} | |`);
  }
}
console.log('\nweighted: profits of the uniform profile as caps, position sizes uniform in [1, 10^6] as weights; capped accounts:');
for (const w of weightedCapped) {
  console.log(`  ${w.accounts.toLocaleString('en-US')}${w.whales ? ' (whales)' : ''}: ${w.capped.toLocaleString('en-US')} of ${w.eligible.toLocaleString('en-US')} eligible (${((100 * w.capped) / w.eligible).toFixed(1)}%)`);
}

if (dineroDifferences.length > 0) {
  console.log('\ndinero.js allocate vs largest remainder (accounts whose haircut differs):');
  for (const d of dineroDifferences) console.log(`  ${d.accounts.toLocaleString('en-US')} ${d.profile}: ${d.accountsDiffering.toLocaleString('en-US')}`);
}
if (args.json) {
  const report = {
    date: new Date().toISOString(), machine: about, variant: engine.variant,
    profiles: profiles.map(({ name, description }) => ({ name, description })), rows, dineroDifferences, weightedCapped,
  };
  writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n');
  console.log(`\nwrote ${args.json}`);
}

function formatMs(ms: number): string {
  return ms < 1 ? ms.toFixed(3) : ms < 100 ? ms.toFixed(2) : ms.toFixed(0);
}

function ratio(value: number): string {
  return value < 10 ? `${value.toFixed(2)}×` : `${value.toFixed(0)}×`;
}
