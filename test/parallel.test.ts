// The sharded engine (socialized-loss/parallel) against one engine: for k = 1 … 5
// shards, random books and every option, bit for bit; named books where the boundary
// falls across shards, ties everywhere, totals past 2^64, shards with nothing
// eligible; errors as one engine gives them; a killed worker; the two-process example.
// Runs against dist/ (workers load the built worker.js; npm test builds first).
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEngine, type Engine, type SocializeParams } from '../dist/index.js';
import { loadShardedEngine, type ShardTransport, type ShardedEngine } from '../dist/parallel/index.js';
import { Link } from '../dist/parallel/link.js';
import { BUCKETS, DIGIT_REMAINDER, DIGIT_TIE } from '../dist/parallel/protocol.js';
import { coreBytes } from '../dist/core.js';
import { amountUpTo, anyRounding, mostlySmall, optionalTieSeed, poolParameters } from './arbitraries.js';
import { runs, sized } from './support.js';

const SHARDS = [1, 2, 3, 4, 5];
let engine: Engine;
const sharded = new Map<number, ShardedEngine>();
let copying: ShardedEngine;

beforeAll(async () => {
  engine = await loadEngine();
  for (const k of SHARDS) sharded.set(k, await loadShardedEngine({ shards: k }));
  copying = await loadShardedEngine({ shards: 3, shared: false });
});

afterAll(async () => {
  await Promise.all([...sharded.values(), copying].map((e) => e.close()));
});

/** A book of profits with optional exemptions, and every option of a call. */
const books = fc.array(mostlySmall(-10n, 40n), { maxLength: 40 }).chain((profits) => fc.record({
  profits: fc.constant(profits),
  exempt: fc.option(fc.array(fc.boolean(), { minLength: profits.length, maxLength: profits.length }), { nil: undefined }),
  loss: amountUpTo(300n),
  insuranceFund: amountUpTo(60n),
  rounding: anyRounding,
  tieSeed: optionalTieSeed,
}));

/** A book's input without its loss and fund, for socializePools (whose pools have their own). */
function columnsOf<T extends { loss: unknown; insuranceFund: unknown }>(input: T): Omit<T, 'loss' | 'insuranceFund'> {
  const { loss: _loss, insuranceFund: _fund, ...columns } = input;
  return columns;
}

/** A book split by weight, with caps or without. */
const weightedBooks = books.chain((book) => fc.record({
  book: fc.constant(book),
  weights: fc.array(mostlySmall(0n, 50n, 0n), { minLength: book.profits.length, maxLength: book.profits.length }),
  caps: fc.option(fc.array(mostlySmall(0n, 50n, 0n), { minLength: book.profits.length, maxLength: book.profits.length }), { nil: undefined }),
})).map(({ book, weights, caps }) => ({ ...book, weights, ...(caps === undefined ? {} : { caps }) }));

/** The same, split into 1 to 4 pools. */
const pooledBooks = fc.integer({ min: 1, max: 4 }).chain((count) => books.chain((book) => fc.record({
  book: fc.constant(book),
  pool: fc.array(fc.integer({ min: 0, max: count - 1 }), { minLength: book.profits.length, maxLength: book.profits.length }),
  pools: poolParameters(count, amountUpTo(300n)),
})));

describe.each(SHARDS)('%i shards', (k) => {
  it('give one engine\'s result for random books and every option (copying path)', async () => {
    await fc.assert(fc.asyncProperty(books, async (input) => {
      expect(await sharded.get(k)!.socialize(input)).toEqual(engine.socialize(input));
    }), runs(80));
  });

  it('give one engine\'s result for random pools', async () => {
    await fc.assert(fc.asyncProperty(pooledBooks, async ({ book, pool, pools }) => {
      const input = { ...columnsOf(book), pool: Uint32Array.from(pool), pools };
      expect(await sharded.get(k)!.socializePools(input)).toEqual(engine.socializePools(input));
    }), runs(60));
  });

  it('give one engine\'s index deltas, and its errors', async () => {
    const deltas = fc.record({
      loss: amountUpTo(10_000n), units: fc.array(mostlySmall(-1_000n, 1_000n), { minLength: 1, maxLength: 40 }),
      scale: fc.oneof(fc.constant(10n ** 9n), fc.bigInt({ min: 1n, max: 2n ** 63n - 1n })),
      rounding: fc.constantFrom('up' as const, 'down' as const), chargeRounding: fc.constantFrom('up' as const, 'down' as const),
    });
    await fc.assert(fc.asyncProperty(deltas, async (input) => {
      let expected: unknown;
      try {
        expected = engine.indexDelta(input);
      } catch (error) {
        await expect(sharded.get(k)!.indexDelta(input)).rejects.toThrow((error as Error).message);
        return;
      }
      expect(await sharded.get(k)!.indexDelta(input)).toEqual(expected);
    }), runs(60));
  });

  it('give one engine\'s result split by weight, with caps and without, alone and in pools', async () => {
    await fc.assert(fc.asyncProperty(weightedBooks, fc.integer({ min: 1, max: 3 }), async (input, count) => {
      expect(await sharded.get(k)!.socialize(input)).toEqual(engine.socialize(input));
      const pooled = { ...columnsOf(input), pool: Uint32Array.from(input.profits, (_, i) => i % count), pools: Array.from({ length: count }, (_, j) => ({ loss: input.loss >> BigInt(j) })) };
      expect(await sharded.get(k)!.socializePools(pooled)).toEqual(engine.socializePools(pooled));
    }), runs(60));
  });
});

it('books of 700 to 3,000 accounts (the sampled band, its misses and the digit rounds) give one engine\'s result', async () => {
  // Sampled keys from every eligible account: at least 512 of them, so the band is predicted, and sometimes missed.
  const medium = fc.record({
    n: fc.integer({ min: 700, max: 3_000 }), seed: fc.bigInt({ min: 1n, max: 2n ** 40n }), spread: fc.constantFrom(3n, 50n, 10n ** 6n, 2n ** 62n),
    loss: amountUpTo(10n ** 6n), rounding: anyRounding, tieSeed: optionalTieSeed, k: fc.constantFrom(2, 3, 5),
  });
  await fc.assert(fc.asyncProperty(medium, async ({ n, seed, spread, loss, rounding, tieSeed, k }) => {
    const next = stream(seed);
    const profits = BigInt64Array.from({ length: n }, () => next() % spread - spread / 8n);
    const input = { loss, profits, rounding, tieSeed };
    expect(await sharded.get(k)!.socialize(input)).toEqual(engine.socialize(input));
  }), runs(60));
});

it('a book arranged against the sample: the band misses, the floors run again over the whole range, the result is one engine\'s', async () => {
  // Each shard samples every ⌊100,000 / 16,384⌋-th account: those hold profits whose remainders the others do not have.
  const n = 200_000, stride = Math.floor(100_000 / 16_384);
  const profits = BigInt64Array.from({ length: n }, (_, i) => ((i % 100_000) % stride === 0 ? 1_000_003n : 1_000_000n));
  const floors: string[] = [];
  const request = Link.prototype.request;
  Link.prototype.request = function (this: Link, message) {
    if (this.index === 0 && message.op === 'floors') floors.push(String(message.band));
    return request.call(this, message);
  } as typeof request;
  try {
    const input = { loss: 12_345_671n, profits };
    expect(await sharded.get(2)!.socialize(input)).toEqual(engine.socialize(input));
  } finally {
    Link.prototype.request = request;
  }
  expect(floors).toHaveLength(2);
  expect(floors[1]).toBe(`0,${2n ** 64n - 1n}`);
});

it('by weight, a band of levels that misses below or above goes on with full rounds, and the result is one engine\'s', async () => {
  // Each shard samples every ⌊100,000 / 16,384⌋-th account; the weights there are not the book's.
  const n = 200_000, stride = Math.floor(100_000 / 16_384), sampled = (i: number) => (i % 100_000) % stride === 0;
  const books: [string, (i: number) => bigint][] = [
    // The sample holds many more low ratios (weight 10, cap 10) than the book: the level is overestimated.
    ['below', (i) => (sampled(i) ? (i % (2 * stride) === 0 ? 10n : 1n) : i % 50 === 1 ? 10n : 1n)],
    // The sample holds none of them: the level is underestimated.
    ['above', (i) => (sampled(i) ? 1n : i % 3 === 1 ? 10n : 1n)],
  ];
  const ops: string[] = [];
  const request = Link.prototype.request;
  Link.prototype.request = function (this: Link, message) {
    if (this.index === 0) ops.push(message.op);
    return request.call(this, message);
  } as typeof request;
  try {
    for (const [name, weightOf] of books) {
      const weights = BigInt64Array.from({ length: n }, (_, i) => weightOf(i));
      const caps = BigInt64Array.from(weights, (w) => (w === 10n ? 10n : 1_000n));
      const input = { loss: 1_000_000n, profits: new BigInt64Array(n).fill(5_000n), weights, caps };
      ops.length = 0;
      expect(await sharded.get(2)!.socialize(input)).toEqual(engine.socialize(input));
      // Below: the band's lower level fails its check (nothing listed is settled); above: the final level fails the upper one.
      expect([name, ops.filter((op) => op === 'capBand').length, ops.includes('capListed'), ops.includes('cap')]).toEqual([name, 1, name === 'above', true]);
    }
  } finally {
    Link.prototype.request = request;
  }
});

it('the copying path without shared memory gives the same results', async () => {
  expect(copying.shared).toBe(false);
  await fc.assert(fc.asyncProperty(pooledBooks, async ({ book, pool, pools }) => {
    expect(await copying.socialize(book)).toEqual(engine.socialize(book));
    const input = { ...columnsOf(book), pool: Uint32Array.from(pool), pools };
    expect(await copying.socializePools(input)).toEqual(engine.socializePools(input));
  }), runs(40));
});

/** Whether two columns hold the same values (faster than a deep equality over 10^5 bigints). */
function same(a: BigInt64Array, b: BigInt64Array): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/** A deterministic stream of 64-bit values (an LCG's high bits). */
function stream(seed: bigint): () => bigint {
  let x = seed;
  return () => {
    x = (x * 6364136223846793005n + 1442695040888963407n) & 0xFFFF_FFFF_FFFF_FFFFn;
    return x >> 1n;
  };
}

/** Named books, large enough for the sampled band and several digit rounds. */
const N = 150_001;
const named: [string, (i: number, next: () => bigint) => bigint][] = [
  ['uniform', (_, next) => next() % 2_000_000n - 400_000n],
  ['clustered (ten profit values: remainders in ten groups)', (_, next) => (next() % 10n + 1n) * 1_000n],
  ['all equal (every remainder equal: the boundary across shards)', () => 7n],
  ['near 2^63 (totals past 2^64: 128-bit remainders)', (_, next) => 2n ** 63n - 1n - next() % 1_000n],
  ['nothing eligible in the first two thirds', (i, next) => (i < (2 * N) / 3 ? -1n - next() % 100n : next() % 1_000n)],
  ['one profitable account', (i) => (i === N - 3 ? 12_345n : 0n)],
];

describe.each(named)('a book: %s', (name, profitOf) => {
  const next = stream(BigInt(name.length));
  const profits = BigInt64Array.from({ length: N }, (_, i) => profitOf(i, next));
  const exempt = Uint8Array.from({ length: N }, (_, i) => (i % 7 === 3 ? 1 : 0));
  const total = profits.reduce((sum, p) => (p > 0n ? sum + p : sum), 0n);
  const calls: [string, SocializeParams & { exempt?: boolean }][] = [
    ['a third of the total', { loss: total / 3n > 2n ** 63n - 1n ? 2n ** 62n + 12_345n : total / 3n + 1n }],
    ['a small loss, seeded', { loss: 1_234n, tieSeed: 99n }],
    ['a loss above every profit', { loss: 2n ** 63n - 1n, insuranceFund: 5n }],
    ['rounding down, exempt', { loss: 99_999n, rounding: 'down', exempt: true }],
    ['rounding up', { loss: 99_999n, rounding: 'up' }],
    ['seeded, exempt', { loss: 77_777n, tieSeed: 2n ** 64n - 1n, exempt: true }],
  ];
  it.each(calls)('in place on 2, 3 and 5 shards: %s', async (_, { exempt: withExempt, ...params }) => {
    const one = engine.createBook(N);
    one.profits.set(profits);
    if (withExempt) one.exempt.set(exempt);
    const expected = one.socialize(params), haircuts = one.haircuts.slice();
    one.free();
    for (const k of [2, 3, 5]) {
      const book = await sharded.get(k)!.createBook(N);
      for (const shard of book.shards) {
        shard.profits.set(profits.subarray(shard.start, shard.end));
        if (withExempt) shard.exempt.set(exempt.subarray(shard.start, shard.end));
      }
      expect(await book.socialize(params)).toEqual(expected);
      const got = new BigInt64Array(N);
      for (const shard of book.shards) got.set(shard.haircuts, shard.start);
      expect(got).toEqual(haircuts);
      await book.free();
    }
  });
});

it('speaks the core\'s layout: the protocol\'s buckets and digit fields are the kernels\'', async () => {
  const { instance } = await WebAssembly.instantiate(await coreBytes('scalar'), {});
  const global = (name: string) => (instance.exports[name] as WebAssembly.Global).value as number;
  expect([BUCKETS, DIGIT_REMAINDER, DIGIT_TIE]).toEqual([global('POOL_BUCKETS'), global('DIGIT_REMAINDER'), global('DIGIT_TIE')]);
});

describe('sharded books', () => {
  it('split n accounts into k contiguous ranges, also fewer accounts than shards and none', async () => {
    for (const n of [0, 2, 11]) {
      const book = await sharded.get(5)!.createBook(n);
      expect(book.shards.map((s) => [s.start, s.end])).toEqual([0, 1, 2, 3, 4].map((j) => [Math.floor((n * j) / 5), Math.floor((n * (j + 1)) / 5)]));
      for (const shard of book.shards) shard.profits.fill(3n);
      const one = engine.createBook(n);
      one.profits.fill(3n);
      expect(await book.socialize({ loss: 4n, tieSeed: 5n })).toEqual(one.socialize({ loss: 4n, tieSeed: 5n }));
      expect(book.shards.flatMap((s) => [...s.haircuts])).toEqual([...one.haircuts]);
      await book.free();
    }
  });

  it('split by weight with caps in place, in pools, as one engine (many capped, several rounds)', async () => {
    const n = 100_000, next = stream(11n);
    const profits = BigInt64Array.from({ length: n }, () => next() % 5_000n - 500n);
    const weights = BigInt64Array.from({ length: n }, () => next() % 1_000n);
    // Caps spread over six orders of magnitude: the capped set grows over several rounds.
    const caps = BigInt64Array.from({ length: n }, () => 10n ** (next() % 6n) + next() % 10n);
    const pool = Uint32Array.from({ length: n }, () => Number(next() % 4n));
    const pools = [{ loss: 10n ** 7n }, { loss: 12_345n }, { loss: 0n }, { loss: 2n ** 62n }];
    const expected = engine.socializePools({ profits, weights, caps, pool, pools, tieSeed: 8n });
    for (const k of [2, 4]) {
      const book = await sharded.get(k)!.createBook(n, { pools: true, weights: true, caps: true });
      for (const shard of book.shards) {
        for (const [column, values] of [[shard.profits, profits], [shard.weights, weights], [shard.caps, caps]] as const) column.set(values.subarray(shard.start, shard.end));
        shard.pool.set(pool.subarray(shard.start, shard.end));
      }
      expect(await book.socializePools(pools, { weights: true, caps: true, tieSeed: 8n })).toEqual(expected.pools);
      expect(book.shards.flatMap((s) => [...s.haircuts])).toEqual([...expected.haircuts]);
      const plain = engine.socialize({ loss: 10n ** 7n, profits, weights });
      expect(await book.socialize({ loss: 10n ** 7n, weights: true })).toEqual({ ...plain, haircuts: undefined });
      expect(book.shards.flatMap((s) => [...s.haircuts])).toEqual([...plain.haircuts]);
      await book.free();
    }
    expect(expected.pools[0]!.cappedAccounts).toBeGreaterThan(1_000);
  });

  it('socialize 1,000 pools in place, seeded, as one engine', async () => {
    const n = 120_000, next = stream(5n);
    const profits = BigInt64Array.from({ length: n }, () => next() % 100_000n - 20_000n);
    const pool = Uint32Array.from({ length: n }, () => Number(next() % 1_000n));
    const pools = Array.from({ length: 1_000 }, (_, k) => ({ loss: BigInt(k) * 10_007n, insuranceFund: BigInt(k % 3) }));
    const expected = engine.socializePools({ profits, pool, pools, tieSeed: 3n });
    const book = await sharded.get(3)!.createBook(n, { pools: true });
    for (const shard of book.shards) {
      shard.profits.set(profits.subarray(shard.start, shard.end));
      shard.pool.set(pool.subarray(shard.start, shard.end));
    }
    expect(await book.socializePools(pools, { tieSeed: 3n })).toEqual(expected.pools);
    expect(book.shards.flatMap((s) => [...s.haircuts])).toEqual([...expected.haircuts]);
    await book.free();
  });

  it('reject bad input as one engine does: the first bad pool index in global terms', async () => {
    const profits = BigInt64Array.from({ length: 30 }, (_, i) => BigInt(i));
    const pool = new Uint32Array(30);
    pool[25] = 4;
    pool[28] = 9;
    const input = { profits, pool, pools: [{ loss: 5n }, { loss: 1n }] };
    const expected = (() => {
      try {
        engine.socializePools(input);
      } catch (error) {
        return error as Error & { code: string };
      }
      throw new Error('one engine accepted it');
    })();
    await expect(sharded.get(3)!.socializePools(input)).rejects.toThrow(expected.message);
    await expect(sharded.get(3)!.socializePools(input)).rejects.toMatchObject({ name: 'RangeError', code: 'ERR_POOL_INDEX' });
    expect(expected.message).toBe('pool[25] is 4, but there are 2 pools');
    // A negative weight (before any pool index), then a negative cap, each the first in global terms.
    const weights = BigInt64Array.from({ length: 30 }, () => 1n), caps = BigInt64Array.from({ length: 30 }, () => 1n);
    caps[3] = -2n;
    weights[27] = -1n;
    await expect(sharded.get(3)!.socializePools({ ...input, weights, caps })).rejects.toThrow('weights[27] must not be negative, got -1');
    weights[27] = 1n;
    await expect(sharded.get(3)!.socialize({ loss: 1n, profits, weights, caps })).rejects.toThrow('caps[3] must not be negative, got -2');
    for (const [bad, code] of [
      [{ loss: -1n, profits: [1n] }, 'ERR_OUT_OF_RANGE'], [{ loss: 1n, profits: [1.5] }, 'ERR_INVALID_TYPE'],
      [{ loss: 1n, profits: 'x' }, 'ERR_INVALID_TYPE'], [{ loss: 1n, profits: [1n], rounding: 'sideways' }, 'ERR_INVALID_OPTION'],
      [{ loss: 1n, profits: [1n], caps: [1n] }, 'ERR_INVALID_OPTION'], [{ loss: 1n, profits: [1n, 1n], weights: [1n] }, 'ERR_LENGTH_MISMATCH'],
    ] as const) {
      await expect(sharded.get(2)!.socialize(bad as never)).rejects.toMatchObject({ code });
    }
    await expect(sharded.get(3)!.indexDelta({ loss: 5n, units: [0n, 0n, 0n, 0n], scale: 10n })).rejects.toMatchObject({ code: 'ERR_ZERO_UNITS' });
    const huge = { loss: 2n ** 63n - 1n, units: [1n, 0n, 0n, 0n, 0n, 2n ** 62n], scale: 1n };
    await expect(sharded.get(3)!.indexDelta(huge)).rejects.toThrow(((): string => {
      try {
        engine.indexDelta(huge);
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    })());
    await expect(sharded.get(2)!.createBook(-1)).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    await expect(sharded.get(2)!.createBook(sharded.get(2)!.capacity + 1)).rejects.toMatchObject({ code: 'ERR_CAPACITY' });
    const book = await sharded.get(2)!.createBook(4);
    await expect(book.socializePools([{ loss: 1n }])).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
    await expect(book.socialize({ loss: 1n, weights: true })).rejects.toThrow('this book has no weights column: make it with createBook(n, { weights: true })');
    await expect(book.socialize({ loss: 1n, weights: book.shards[0]!.profits as never })).rejects.toMatchObject({ code: 'ERR_INVALID_TYPE' });
    await book.free();
    await expect(book.socialize({ loss: 1n })).rejects.toMatchObject({ code: 'ERR_BOOK_FREED' });
    // The engine is still in service after every rejection.
    expect((await sharded.get(2)!.socialize({ loss: 3n, profits: [1n, 2n] })).haircuts).toEqual(BigInt64Array.from([1n, 2n]));
  });

  it('keep a freed book\'s memory out of use while a view of it is held; the copying path gives its memory back at once', async () => {
    const engine2 = sharded.get(2)!;
    const first = await engine2.createBook(50_000);
    const kept = first.shards[1]!.profits;
    kept.fill(9n);
    await first.free();
    expect(() => first.shards[0]!.profits).toThrow('this book has been freed');
    const second = await engine2.createBook(50_000);
    const view = second.shards[1]!.profits;
    view.fill(4n);
    // The new book's columns lie outside the kept view's bytes (in another memory, or apart in the same one).
    const apart = (a: BigInt64Array, b: BigInt64Array) => a.buffer !== b.buffer || a.byteOffset + a.byteLength <= b.byteOffset || b.byteOffset + b.byteLength <= a.byteOffset;
    expect(apart(kept, view) && apart(kept, second.shards[1]!.haircuts)).toBe(true);
    expect(kept.every((p) => p === 9n)).toBe(true);
    await second.free();
    const input = { loss: 1_000n, profits: BigInt64Array.from({ length: 200_000 }, (_, i) => BigInt(i % 97)) };
    await engine2.socialize(input);
    const before = await engine2.memoryBytes();
    for (let r = 0; r < 5; r++) await engine2.socialize(input);
    // No growth: each copying call reuses the memory of the one before (the freed books' memories may meanwhile be released, once their views are collected).
    const after = await engine2.memoryBytes();
    expect(after.every((bytes, j) => bytes <= before[j]!)).toBe(true);
  });

  it('give a freed book\'s space to the next books at once, views held or not: create, fill, socialize, free, four times near a shard\'s memory limit', async () => {
    // Shards bounded to 16 MiB (256 pages) each: two books of 200,000 accounts (5.8 MB) fit, three do not.
    const request = Link.prototype.request;
    Link.prototype.request = function (this: Link, message) {
      return request.call(this, message.op === 'load' ? { ...message, maximumPages: 256 } : message);
    } as typeof request;
    let bounded: ShardedEngine;
    try {
      bounded = await loadShardedEngine({ shards: 1 });
    } finally {
      Link.prototype.request = request;
    }
    const n = 200_000, profits = BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 1_000));
    const expected = engine.socialize({ loss: 123_456_789n, profits, tieSeed: 4n });
    const kept: BigInt64Array[] = [];
    for (let cycle = 0; cycle < 4; cycle++) {
      const book = await bounded.createBook(n);
      // Views held past free(): the freed book's memory stays out of use, and no later book may be placed there.
      kept.push(book.shards[0]!.profits, book.shards[0]!.haircuts);
      book.shards[0]!.profits.set(profits);
      expect(await book.socialize({ loss: 123_456_789n, tieSeed: 4n })).toEqual({ ...expected, haircuts: undefined });
      expect(same(book.shards[0]!.haircuts, expected.haircuts)).toBe(true);
      await book.free();
    }
    // Every kept view still holds its own book's data: no later book reached it.
    for (let at = 0; at < kept.length; at += 2) expect([same(kept[at]!, profits), same(kept[at + 1]!, expected.haircuts)]).toEqual([true, true]);
    await bounded.close();
  });

  it('never modify the caller\'s input', async () => {
    const profits = BigInt64Array.from([5n, -3n, 8n, 8n]), exempt = Uint8Array.from([0, 0, 1, 0]);
    await sharded.get(2)!.socialize({ loss: 9n, profits, exempt });
    expect(profits).toEqual(BigInt64Array.from([5n, -3n, 8n, 8n]));
    expect(exempt).toEqual(Uint8Array.from([0, 0, 1, 0]));
  });
});

/** A worker-thread shard whose worker the test can kill. */
function killableShard(): { transport: ShardTransport; kill: () => Promise<number> } {
  const worker = new Worker(new URL('../dist/parallel/worker.js', import.meta.url));
  return {
    kill: () => worker.terminate(),
    transport: {
      sharesMemory: true,
      send: (message) => worker.postMessage(message),
      listen: (handler) => worker.on('message', handler),
      onFailure: (handler) => worker.on('exit', (code) => handler(`its worker exited with code ${code}`)),
      close: async () => {
        await worker.terminate();
      },
    },
  };
}

describe('a shard that fails', () => {
  it('rejects the call in flight with ERR_SHARD_FAILED and closes the engine: no hang', async () => {
    const shards = [killableShard(), killableShard()];
    const failing = await loadShardedEngine({ transports: shards.map((s) => s.transport) });
    const book = await failing.createBook(2_000_000);
    for (const shard of book.shards) shard.profits.fill(11n);
    const call = book.socialize({ loss: 1_000_003n, tieSeed: 1n });
    await shards[1]!.kill();
    await expect(call).rejects.toMatchObject({ code: 'ERR_SHARD_FAILED', message: expect.stringMatching(/shard 1 stopped: its worker exited/) });
    await expect(book.socialize({ loss: 1n })).rejects.toMatchObject({ code: 'ERR_ENGINE_CLOSED' });
    await expect(failing.createBook(3)).rejects.toMatchObject({ code: 'ERR_ENGINE_CLOSED' });
    await failing.close();
  });

  it('refuses shared: true over a channel that cannot share memory, and bad options', async () => {
    const shard = killableShard();
    const transport = { ...shard.transport, sharesMemory: false };
    await expect(loadShardedEngine({ transports: [transport], shared: true })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
    await expect(loadShardedEngine({ shards: 0 })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    await expect(loadShardedEngine({ shards: '2' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_TYPE' });
    await expect(loadShardedEngine({ variant: 'fast' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
    await expect(loadShardedEngine({ shared: 'no' as never })).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_TYPE' });
  });

  it('rejects a call after close(), and one in flight when close() is called, with ERR_ENGINE_CLOSED', async () => {
    const closed = await loadShardedEngine({ shards: 1 });
    await closed.close();
    await expect(closed.socialize({ loss: 1n, profits: [1n] })).rejects.toMatchObject({ code: 'ERR_ENGINE_CLOSED' });
    // Closed while the call is between its phases: when its floors are asked for.
    const closing = await loadShardedEngine({ shards: 2 });
    let stopping: Promise<void> | undefined;
    const request = Link.prototype.request;
    Link.prototype.request = function (this: Link, message) {
      if (message.op === 'floors') stopping ??= closing.close();
      return request.call(this, message);
    } as typeof request;
    try {
      const call = closing.socialize({ loss: 10n ** 9n, profits: BigInt64Array.from({ length: 100_000 }, (_, i) => BigInt(i % 1_009)) });
      await expect(call).rejects.toMatchObject({ code: 'ERR_ENGINE_CLOSED' });
      await stopping;
    } finally {
      Link.prototype.request = request;
    }
  });

  it('runs concurrent copying calls one at a time: the shards hold one call\'s memory', async () => {
    const engine2 = await loadShardedEngine({ shards: 2 });
    const input = { loss: 10n ** 6n, profits: BigInt64Array.from({ length: sized(250_000, 1_000_000) }, (_, i) => BigInt(i % 97)) };
    const expected = engine.socialize(input);
    await engine2.socialize(input);
    const one = await engine2.memoryBytes();
    const results = await Promise.all(Array.from({ length: 5 }, () => engine2.socialize(input)));
    for (const result of results) expect(result).toEqual(expected);
    expect(await engine2.memoryBytes()).toEqual(one);
    await engine2.close();
  });
});

it('runs two shards in two child processes over IPC with the same bits as one engine, an index delta too (examples/ipc)', () => {
  const out = execFileSync(process.execPath, [new URL('../examples/ipc/coordinator.mjs', import.meta.url).pathname, '200000'], { encoding: 'utf8' });
  expect(out).toMatch(/^200000 accounts over 2 processes: socialized \d+ of \d+ in \d+ ms\nsame bits as one engine: true\nsame index delta as one engine: true\n$/);
});
