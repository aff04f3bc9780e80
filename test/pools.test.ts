// Pools: one call, many socializations, each exactly what `socialize` gives for
// that pool's accounts alone, ties by index in the whole book.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEngine, type Engine } from '../src/index.js';
import { socializePoolsReference } from '../src/reference.js';
import { generateProfits } from '../src/scenario.js';
import { I64_MAX } from '../src/validate.js';
import { amountUpTo, anyRounding, mostlySmall, optionalTieSeed, poolParameters, ROUNDINGS } from './arbitraries.js';
import { describeEachVariant, runs } from './support.js';

const profit = mostlySmall(-10n, 40n);
const amount = amountUpTo(200n);
const scenario = fc.integer({ min: 1, max: 5 }).chain((poolCount) => fc.record({
  rows: fc.array(fc.tuple(profit, fc.integer({ min: 0, max: poolCount - 1 }), fc.boolean()), { maxLength: 60 }),
  pools: poolParameters(poolCount, amount),
  rounding: anyRounding,
  tieSeed: optionalTieSeed,
}));

describeEachVariant('pools in one line', (engine) => {
  it('README: each pool split as if alone', () => expect(engine().socializePools({ profits: [100n, 50n, -3n, 30n, 70n, 0n], pool: Uint32Array.from([0, 1, 0, 1, 0, 1]), pools: [{ loss: 33n }, { loss: 40n, insuranceFund: 10n }] }).haircuts).toEqual(BigInt64Array.from([19n, 19n, 0n, 11n, 14n, 0n])));
  it('a tie in each pool goes to the lower index in the whole book', () => expect(engine().socializePools({ profits: [5n, 5n, 5n, 5n], pool: Uint32Array.from([1, 0, 1, 0]), pools: [{ loss: 1n }, { loss: 1n }] }).haircuts).toEqual(BigInt64Array.from([1n, 1n, 0n, 0n])));
  it('a pool whose loss is above its profits takes them all, and no more from the other pool', () => expect(engine().socializePools({ profits: [10n, 20n, 30n, 40n], pool: Uint32Array.from([0, 0, 1, 1]), pools: [{ loss: 1000n }, { loss: 7n }] }).haircuts).toEqual(BigInt64Array.from([10n, 20n, 3n, 4n])));
  it("'down' in every pool", () => expect(engine().socializePools({ profits: [10n, 20n, 30n, 40n], pool: Uint32Array.from([0, 1, 0, 1]), pools: [{ loss: 7n }, { loss: 7n }], rounding: 'down' }).haircuts).toEqual(BigInt64Array.from([1n, 2n, 5n, 4n])));
  it("'up' in every pool", () => expect(engine().socializePools({ profits: [10n, 20n, 30n, 40n], pool: Uint32Array.from([0, 1, 0, 1]), pools: [{ loss: 7n }, { loss: 7n }], rounding: 'up' }).haircuts).toEqual(BigInt64Array.from([2n, 3n, 6n, 5n])));
  it('an exempt account leaves its pool to the others', () => expect(engine().socializePools({ profits: [10n, 20n, 30n, 40n], pool: Uint32Array.from([0, 1, 0, 1]), pools: [{ loss: 7n }, { loss: 7n }], exempt: [true, false, false, false] }).haircuts).toEqual(BigInt64Array.from([0n, 2n, 7n, 5n])));
  it('a pool without accounts takes nothing', () => expect(engine().socializePools({ profits: [10n, 20n, 30n, 40n], pool: Uint32Array.from([0, 0, 0, 0]), pools: [{ loss: 10n }, { loss: 7n }] }).haircuts).toEqual(BigInt64Array.from([1n, 2n, 3n, 4n])));
});

describeEachVariant('pools', (engine, variant) => {
  it('equals the reference for any pools, options and exemptions', () => {
    fc.assert(fc.property(scenario, ({ rows, pools, rounding, tieSeed }) => {
      const input = {
        profits: rows.map(([p]) => p), pool: Uint32Array.from(rows, ([, k]) => k),
        exempt: rows.map(([, , e]) => e), pools, rounding, tieSeed,
      };
      expect(engine().socializePools(input)).toEqual(socializePoolsReference(input));
    }), runs(250));
  });

  it('gives each pool exactly what socialize gives it alone', () => {
    fc.assert(fc.property(scenario, ({ rows, pools, rounding }) => {
      const profits = rows.map(([p]) => p);
      const pool = Uint32Array.from(rows, ([, k]) => k);
      const result = engine().socializePools({ profits, pool, pools, rounding });
      pools.forEach(({ loss, insuranceFund }, k) => {
        const members = profits.flatMap((_, i) => (pool[i] === k ? [i] : []));
        const { haircuts, ...alone } = engine().socialize({ loss, insuranceFund, rounding, profits: members.map((i) => profits[i]!) });
        expect(result.pools[k]).toEqual(alone);
        expect(members.map((i) => result.haircuts[i])).toEqual([...haircuts]);
      });
    }), runs(150));
  });

  it('handles 70,000 accounts in 37 pools, one of them wide (total past 2^64)', () => {
    const profits = generateProfits(70_000, 'realistic', 8);
    const pool = Uint32Array.from(profits, (_, i) => (i * 7919) % 37);
    for (let i = 0; i < profits.length; i += 37 * 3) {
      pool[i] = 36;
      profits[i] = I64_MAX - BigInt(i % 5);
    }
    const pools = Array.from({ length: 37 }, (_, k) => ({ loss: k === 36 ? I64_MAX / 3n : 10n ** 12n + BigInt(k), insuranceFund: 10n ** 9n }));
    for (const rounding of ROUNDINGS) {
      const input = { profits, pool, pools, rounding, tieSeed: 77n };
      expect(engine().socializePools(input)).toEqual(socializePoolsReference(input));
    }
  });

  it('handles remainders crowded into a few buckets (counters past 255, long boundary lists)', () => {
    // Three profit values: each pool's remainders take a few values, thousands of accounts per bucket.
    const profits = BigInt64Array.from({ length: 20_003 }, (_, i) => BigInt(1 + (i % 3)) * 1000n - (i % 11 === 0 ? 5_000n : 0n));
    const pool = Uint32Array.from(profits, (_, i) => (i * 7) % 3);
    const exempt = Uint8Array.from(profits, (_, i) => (i % 13 === 0 ? 1 : 0));
    const pools = [{ loss: 10_000_001n }, { loss: 3_333_333n }, { loss: 17n }];
    for (const rounding of ROUNDINGS) {
      for (const tieSeed of [undefined, 5n]) {
        const input = { profits, pool, pools, exempt, rounding, tieSeed };
        expect(engine().socializePools(input)).toEqual(socializePoolsReference(input));
      }
    }
  });

  it('handles a boundary in bucket 0 (ineligible accounts sit there too) and a book summing past 2^64', () => {
    // Pool 0: a loss of 1 unit over small profits: every remainder is the profit itself, all in bucket 0.
    const n = 4_001;
    const profits = BigInt64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? -BigInt(i) : BigInt(1 + ((i * 7919) % 1000))));
    const pool = new Uint32Array(n);
    // Pools 1–40: one near-maximal profit each (every pool narrow, the book's sum past 2^64).
    for (let k = 1; k <= 40; k++) {
      pool[k * 97] = k;
      profits[k * 97] = I64_MAX - BigInt(k * 1_000_003);
    }
    const exempt = Uint8Array.from(profits, (_, i) => (i % 17 === 1 ? 1 : 0));
    const pools = [{ loss: 1n }, ...Array.from({ length: 40 }, (_, k) => ({ loss: I64_MAX / BigInt(k + 2) }))];
    for (const rounding of ROUNDINGS) {
      const input = { profits, pool, pools, exempt, rounding };
      expect(engine().socializePools(input)).toEqual(socializePoolsReference(input));
    }
  });

  it('settles books full of ties (most accounts on their pools\' boundaries) within 40 bytes per account', async () => {
    // Equal profits: every remainder of a pool is the same, so nearly every account is listed.
    const n = 120_000;
    const layouts: [string, (i: number) => number, number][] = [
      ['three pools', (i) => i % 3, 3],
      ['one pool with 95% of the book', (i) => (i % 20 === 0 ? 1 : 0), 2],
      ['two halves', (i) => (i < n / 2 ? 0 : 1), 2],
    ];
    for (const [, poolOf, count] of layouts) {
      const fresh = await loadEngine({ variant });
      using book = fresh.createBook(n);
      const pool = book.pool;
      for (let i = 0; i < n; i++) pool[i] = poolOf(i);
      book.profits.set(Array.from({ length: n }, (_, i) => (i % 11 === 0 ? -5n : 7n)));
      const pools = Array.from({ length: count }, (_, k) => ({ loss: 100_003n + BigInt(k) }));
      for (const tieSeed of [undefined, 77n]) {
        const summaries = book.socializePools(pools, { tieSeed });
        const expected = socializePoolsReference({ profits: book.profits.slice(), pool: book.pool.slice(), pools, tieSeed });
        expect(book.haircuts).toEqual(expected.haircuts);
        expect(summaries).toEqual(expected.pools);
      }
      expect(fresh.memoryBytes / n).toBeLessThanOrEqual(40);
    }
  });

  it('names the first account whose pool is out of range, wherever it falls in a step of the passes', () => {
    for (let n = 1; n <= 9; n++) {
      for (let bad = 0; bad < n; bad++) {
        const pool = new Uint32Array(n);
        pool[bad] = 7;
        if (bad + 1 < n) pool[bad + 1] = 9;
        const input = { profits: Array.from({ length: n }, (_, i) => BigInt(i + 1)), pool, pools: [{ loss: 3n }, { loss: 1n }] };
        expect(() => engine().socializePools(input)).toThrow(new RegExp(`^pool\\[${bad}\\] is 7, but there are 2 pools`));
      }
    }
  });

  it('runs on a book\'s pool and exempt views', () => {
    const profits = generateProfits(3_000, 'uniform', 4);
    using book = engine().createBook(profits.length);
    book.profits.set(profits);
    expect(book.pool.every((k) => k === 0)).toBe(true);
    for (let i = 0; i < profits.length; i++) book.pool[i] = i % 4;
    book.exempt[10] = 1;
    const pools = [{ loss: 10n ** 11n }, { loss: 5n }, { loss: 0n }, { loss: I64_MAX }];
    const summaries = book.socializePools(pools, { tieSeed: 3n });
    const expected = socializePoolsReference({ profits, pool: book.pool.slice(), pools, exempt: [...book.exempt].map(Boolean), tieSeed: 3n });
    expect(summaries).toEqual(expected.pools);
    expect(book.haircuts).toEqual(expected.haircuts);
  });
});

describe('bad pools', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await loadEngine();
  });
  const ok = { profits: [1n, 2n, 3n], pool: Uint32Array.from([0, 1, 0]), pools: [{ loss: 1n }, { loss: 2n }] };
  it.each([
    ['a pool index out of range', { pool: Uint32Array.from([0, 2, 0]) }, RangeError, /^pool\[1\] is 2, but there are 2 pools/],
    ['no pools at all', { pools: [] }, RangeError, /^pool\[0\] is 0, but there are 0 pools/],
    ['a pool column that is not a Uint32Array', { pool: [0, 1, 0] }, TypeError, /^pool must be a Uint32Array/],
    ['a pool column of another length', { pool: Uint32Array.from([0, 1]) }, RangeError, /^pool has 2 entries; expected one per account \(3\)/],
    ['pools that is not an array', { pools: { loss: 1n } }, TypeError, /^pools must be an array/],
    ['a negative pool loss', { pools: [{ loss: 1n }, { loss: -2n }] }, RangeError, /^pools\[1\]\.loss must be between 0/],
    ['a fractional pool fund', { pools: [{ loss: 1n, insuranceFund: 0.5 }, { loss: 2n }] }, TypeError, /^pools\[0\]\.insuranceFund must be a bigint/],
  ] as const)('%s', (_, extra, error, message) => {
    const input = { ...ok, ...extra } as never;
    expect(() => engine.socializePools(input)).toThrow(error);
    expect(() => engine.socializePools(input)).toThrow(message);
    expect(() => socializePoolsReference(input)).toThrow(message);
  });

  it('modifies no input', () => {
    const profits = BigInt64Array.from([5n, 6n, 7n]);
    const pool = Uint32Array.from([1, 0, 1]);
    engine.socializePools({ profits, pool, pools: [{ loss: 3n }, { loss: 4n }] });
    expect([...profits]).toEqual([5n, 6n, 7n]);
    expect([...pool]).toEqual([1, 0, 1]);
  });
});
