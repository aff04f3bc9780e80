// `npm run bench:parallel` (and the end of `npm run bench`): the sharded engine against
// one engine on the same books, in one process, ratios from the same run.
//
//   node build/ts/bench/parallel.js [--sizes 1e7] [--shards 1,2,4] [--profiles uniform,clustered] [--large] [--json FILE]
//   (--sizes 0 with --large: the capacity runs only)
//
// Book path, in place: each engine's book filled once, outside any timing; every
// sharded result checked against one engine's haircut for haircut first, untimed. Then
// the uniform book in 1,000 pools and by weight with caps (10% capped), 2 and 4 shards.
// `--large` adds the capacity runs: 10^8 accounts (one engine, and 2 and 3 shards),
// with the caller's event-loop delay during each call (perf_hooks.monitorEventLoopDelay),
// and 3·10^8 accounts on 3 shards (past one engine's capacity), with time and memory.

import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadEngine } from '../src/index.js';
import { loadShardedEngine, type ShardedBook, type ShardedEngine } from '../src/parallel/index.js';
import { describeMachine, machine } from './machine.js';
import { probeAndMeasure } from './measure.js';
import { buildWeighted, CASE_PROFILES } from './profiles.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1e7' },
    shards: { type: 'string', default: '1,2,4' },
    profiles: { type: 'string', default: 'uniform,clustered' },
    large: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const sizes = args.sizes.split(',').map(Number).filter((n) => n > 0);
const shardCounts = args.shards.split(',').map(Number);
const profiles = args.profiles.split(',').map((name) => {
  const profile = CASE_PROFILES.find((p) => p.name === name);
  if (!profile) throw new Error(`unknown profile ${name}; known: ${CASE_PROFILES.map((p) => p.name).join(', ')}`);
  return profile;
});

const engine = await loadEngine();
const about = machine();
const rows: { accounts: number; profile: string; contender: string; medianMs: number }[] = [];
console.log(`socialized-loss sharded benchmark: ${describeMachine(about)}; '${engine.variant}' core`);
console.log('');
console.log('| accounts | profile | contender | median ms | ÷ one engine |');
console.log('| ---: | --- | --- | ---: | ---: |');

const engines = new Map<number, ShardedEngine>();
for (const k of shardCounts) engines.set(k, await loadShardedEngine({ shards: k }));

/** Fills a sharded book with `profits`, split at its shards' ranges. */
function fill(book: ShardedBook, profits: BigInt64Array): void {
  for (const shard of book.shards) shard.profits.set(profits.subarray(shard.start, shard.end));
}

/** Whether a sharded book's haircuts are `expected`, haircut for haircut. */
function same(book: ShardedBook, expected: BigInt64Array): boolean {
  return book.shards.every((shard) => shard.haircuts.every((h, i) => h === expected[shard.start + i]));
}

for (const n of sizes) {
  for (const profile of profiles) {
    const { profits, loss, insuranceFund } = profile.build(n);
    const params = { loss, insuranceFund };
    const one = engine.createBook(n);
    one.profits.set(profits);
    one.socialize(params);
    const expected = one.haircuts.slice();
    const books = new Map<number, ShardedBook>();
    for (const [k, sharded] of engines) {
      const book = await sharded.createBook(n);
      fill(book, profits);
      await book.socialize(params);
      if (!same(book, expected)) throw new Error(`${profile.name} ${n}: ${k} shards and one engine disagree`);
      books.set(k, book);
    }
    const measured: [string, number][] = [['one engine (book)', await probeAndMeasure('one', () => one.socialize(params))]];
    for (const [k, book] of books) measured.push([`${k} shard${k === 1 ? '' : 's'} (book, in place)`, await probeAndMeasure(`${k}`, () => book.socialize(params))]);
    // One engine again, last: the ratio uses the mean of both runs, so that drift during the run shows.
    const again = await probeAndMeasure('one', () => one.socialize(params));
    const base = (measured[0]![1] + again) / 2;
    measured.push(['one engine (book), again', again]);
    for (const [contender, ms] of measured) {
      rows.push({ accounts: n, profile: profile.name, contender, medianMs: ms });
      console.log(`| ${n.toLocaleString('en-US')} | ${profile.name} | ${contender} | ${ms.toFixed(1)} | ${(base / ms).toFixed(2)}× |`);
    }
    one.free();
    for (const book of books.values()) await book.free();
  }
}
// The same uniform book split into 1,000 pools, and by weight with caps (10% capped; weights as in bench/run.ts).
for (const n of sizes) {
  const weighted = buildWeighted(n);
  const pool = Uint32Array.from({ length: n }, (_, i) => (Math.imul(i, 0x9e3779b1) >>> 0) % 1000);
  const pools = Array.from({ length: 1000 }, () => ({ loss: weighted.loss / 1000n }));
  const one = engine.createBook(n);
  one.profits.set(weighted.profits);
  one.pool.set(pool);
  one.weights.set(weighted.weights);
  one.socializePools(pools);
  const expectedPools = one.haircuts.slice();
  one.socialize({ loss: weighted.loss, weights: one.weights });
  const expectedWeights = one.haircuts.slice();
  const books = new Map<number, ShardedBook>();
  for (const [k, sharded] of engines) {
    if (k === 1) continue;
    const book = await sharded.createBook(n, { pools: true, weights: true });
    fill(book, weighted.profits);
    for (const shard of book.shards) {
      shard.pool.set(pool.subarray(shard.start, shard.end));
      shard.weights.set(weighted.weights.subarray(shard.start, shard.end));
    }
    await book.socializePools(pools);
    if (!same(book, expectedPools)) throw new Error(`1,000 pools ${n}: ${k} shards and one engine disagree`);
    await book.socialize({ loss: weighted.loss, weights: true });
    if (!same(book, expectedWeights)) throw new Error(`by weight ${n}: ${k} shards and one engine disagree`);
    books.set(k, book);
  }
  const cases: [string, () => unknown, (book: ShardedBook) => Promise<unknown>][] = [
    ['1,000 pools', () => one.socializePools(pools), (book) => book.socializePools(pools)],
    ['by weight, 10% capped', () => one.socialize({ loss: weighted.loss, weights: one.weights }), (book) => book.socialize({ loss: weighted.loss, weights: true })],
  ];
  for (const [profile, oneTask, shardedTask] of cases) {
    const measured: [string, number][] = [['one engine (book)', await probeAndMeasure('one', oneTask)]];
    for (const [k, book] of books) measured.push([`${k} shards (book, in place)`, await probeAndMeasure(`${k}`, () => shardedTask(book))]);
    const again = await probeAndMeasure('one', oneTask);
    measured.push(['one engine (book), again', again]);
    const base = (measured[0]![1] + again) / 2;
    for (const [contender, ms] of measured) {
      rows.push({ accounts: n, profile, contender, medianMs: ms });
      console.log(`| ${n.toLocaleString('en-US')} | ${profile} | ${contender} | ${ms.toFixed(1)} | ${(base / ms).toFixed(2)}× |`);
    }
  }
  one.free();
  for (const book of books.values()) await book.free();
}
for (const sharded of engines.values()) await sharded.close();

/** A book's profits filled in place, uniform in about [−4.3·10^9, 10^11), from a xorshift (no bigint per account). */
function fillUniform(views: BigInt64Array[], seed: number): void {
  let x = seed | 1;
  for (const view of views) {
    const words = new Int32Array(view.buffer, view.byteOffset, 2 * view.length);
    for (let i = 0; i < words.length; i += 2) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x;
      words[i + 1] = (x >>> 27) - 1;
    }
  }
}

/** Runs `call` while sampling the event loop every millisecond: its result, the time and the largest delay seen. */
async function withDelay<T>(call: () => Promise<T> | T): Promise<{ result: T; ms: number; maxDelayMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  // Let the monitor's timer start before the call.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const started = performance.now();
  const result = await call();
  const ms = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 5));
  histogram.disable();
  return { result, ms, maxDelayMs: histogram.max / 1e6 };
}

const large: Record<string, unknown>[] = [];
if (args.large) {
  console.log('\nCapacity and the caller\'s event loop (uniform profits, in place; loss ≈ 12.3% of the total):');
  console.log('| accounts | engine | call ms | largest event-loop delay ms | engine memory | bytes/account |');
  console.log('| ---: | --- | ---: | ---: | ---: | ---: |');
  const report = (n: number, name: string, ms: number, delay: number, bytes: number) => {
    large.push({ accounts: n, engine: name, ms, maxEventLoopDelayMs: delay, memoryBytes: bytes });
    console.log(`| ${n.toLocaleString('en-US')} | ${name} | ${ms.toFixed(0)} | ${delay.toFixed(1)} | ${(bytes / 2 ** 30).toFixed(2)} GiB | ${(bytes / n).toFixed(1)} |`);
  };
  const n = 100_000_000;
  {
    const big = await loadEngine();
    const book = big.createBook(n);
    fillUniform([book.profits], 7);
    const total = book.socialize({ loss: 0n }).totalProfit;
    const loss = (total * 123n) / 1000n;
    // Warm, as the sharded books are below: the first call also faults in the scratch column's pages.
    book.socialize({ loss });
    const first = await withDelay(() => book.socialize({ loss }));
    report(n, 'one engine', first.ms, first.maxDelayMs, big.memoryBytes);
    const expected = book.haircuts.slice(0, 1_000_000);
    for (const k of [2, 3]) {
      const sharded = await loadShardedEngine({ shards: k });
      const shardedBook = await sharded.createBook(n);
      for (const shard of shardedBook.shards) shard.profits.set(book.profits.subarray(shard.start, shard.end));
      await shardedBook.socialize({ loss });
      const run = await withDelay(() => shardedBook.socialize({ loss }));
      if (!shardedBook.shards[0]!.haircuts.subarray(0, 1_000_000).every((h, i) => h === expected[i])) throw new Error(`10^8: ${k} shards and one engine disagree`);
      report(n, `${k} shards`, run.ms, run.maxDelayMs, (await sharded.memoryBytes()).reduce((a, b) => a + b, 0));
      await shardedBook.free();
      await sharded.close();
    }
    book.free();
  }
  {
    const m = 300_000_000;
    const sharded = await loadShardedEngine({ shards: 3 });
    const book = await sharded.createBook(m);
    fillUniform(book.shards.map((shard) => shard.profits), 11);
    const total = (await book.socialize({ loss: 0n })).totalProfit;
    const cold = await withDelay(() => book.socialize({ loss: (total * 123n) / 1000n }));
    report(m, '3 shards, first call', cold.ms, cold.maxDelayMs, (await sharded.memoryBytes()).reduce((a, b) => a + b, 0));
    const run = await withDelay(() => book.socialize({ loss: (total * 123n) / 1000n }));
    const summary = run.result;
    const sum = book.shards.reduce((s, shard) => s + shard.haircuts.reduce((a, h) => a + h, 0n), 0n);
    if (sum !== summary.socialized) throw new Error(`3·10^8: Σ haircuts ${sum} ≠ socialized ${summary.socialized}`);
    report(m, '3 shards', run.ms, run.maxDelayMs, (await sharded.memoryBytes()).reduce((a, b) => a + b, 0));
    await book.free();
    await sharded.close();
  }
}

if (args.json) {
  writeFileSync(args.json, JSON.stringify({ date: new Date().toISOString(), machine: about, variant: engine.variant, rows, large }, null, 2) + '\n');
  console.log(`\nwrote ${args.json}`);
}
