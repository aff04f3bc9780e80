// Pro rata by weights with caps (water-filling): every result against the
// reference, the contract's definition of the capped set checked on its own,
// cascades several levels deep, weights near 2^63, and every bad input.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { loadEngine, type Rounding, type SocializeInput, type SocializeResult } from '../src/index.js';
import { socializePoolsReference, socializeReference } from '../src/reference.js';
import { I64_MAX, I64_MIN } from '../src/validate.js';
import { amountUpTo, anyRounding, mostlySmall, optionalTieSeed, poolParameters } from './arbitraries.js';
import { describeEachVariant, runs } from './support.js';

const nonNegative = mostlySmall(0n, 50n, 0n);
const profit = fc.oneof(fc.bigInt({ min: -10n, max: 60n }), fc.bigInt({ min: I64_MIN, max: I64_MAX }));
const account = fc.record({ profit, weight: nonNegative, cap: nonNegative, exempt: fc.boolean() });
const amount = amountUpTo(400n);

/** A generated weighted input, with concrete column types. */
interface Weighted extends SocializeInput {
  profits: bigint[];
  weights: BigInt64Array;
  caps?: BigInt64Array | undefined;
  exempt?: boolean[] | undefined;
}

/** The input of one generated book: with or without caps and exemptions. */
function inputOf(
  rows: { profit: bigint; weight: bigint; cap: bigint; exempt: boolean }[], withCaps: boolean, withExempt: boolean,
  loss: bigint, insuranceFund: bigint, rounding: Rounding, tieSeed: bigint | undefined,
): Weighted {
  return {
    loss, insuranceFund, rounding, tieSeed,
    profits: rows.map((r) => r.profit),
    weights: BigInt64Array.from(rows.map((r) => r.weight)),
    caps: withCaps ? BigInt64Array.from(rows.map((r) => r.cap)) : undefined,
    exempt: withExempt ? rows.map((r) => r.exempt) : undefined,
  };
}

/**
 * The contract, checked without the reference: the capped set C is exactly
 * {cap·W < R·w} for R and W computed from C itself, every capped account pays
 * its cap, the others are within one unit of R·w/W and never above their cap,
 * and the totals add up under the rounding policy.
 */
function expectWaterFilling(input: SocializeInput, r: SocializeResult): void {
  const n = input.profits.length;
  const weights = Array.from(input.weights!, BigInt);
  const caps = input.caps ? Array.from(input.caps, BigInt) : Array.from(input.profits, (p) => (BigInt(p) > 0n ? BigInt(p) : 0n));
  const exempt = (i: number) => Boolean(input.exempt?.[i]);
  const eligible = [...Array(n).keys()].filter((i) => !exempt(i) && weights[i]! > 0n && caps[i]! > 0n);
  expect(r.profitableAccounts).toBe(eligible.length);
  const totalCap = eligible.reduce((s, i) => s + caps[i]!, 0n);
  expect(r.totalProfit).toBe(totalCap);
  expect(r.totalWeight).toBe(eligible.reduce((s, i) => s + weights[i]!, 0n));
  const loss = BigInt(input.loss), fund = BigInt(input.insuranceFund ?? 0n);
  const residual = loss - (loss < fund ? loss : fund);
  const target = residual < totalCap ? residual : totalCap;
  // C by the contract's definition (the smallest set; built here as the definition reads).
  const inC = cappedByDefinition(eligible, weights, caps, target).set;
  for (const i of inC) expect(r.haircuts[i]).toBe(caps[i]);
  const RC = target - inC.reduce((s, i) => s + caps[i]!, 0n);
  const WC = eligible.filter((i) => !inC.includes(i)).reduce((s, i) => s + weights[i]!, 0n);
  // C is consistent with its own R and W: exactly the accounts with cap·W < R·w.
  for (const i of eligible) expect(inC.includes(i)).toBe(caps[i]! * WC < RC * weights[i]!);
  expect(r.cappedAccounts).toBe(inC.length);
  let sum = 0n;
  for (let i = 0; i < n; i++) {
    const h = r.haircuts[i]!;
    sum += h;
    if (!eligible.includes(i)) {
      expect(h).toBe(0n);
      continue;
    }
    expect(h >= 0n && h <= caps[i]!).toBe(true);
    if (inC.includes(i)) continue;
    // |h − RC·w/WC| < 1 in integers (≤ 1 under 'up' and 'down' too).
    const error = h * WC - RC * weights[i]!;
    expect(error < WC && -error < WC).toBe(true);
  }
  expect(sum).toBe(r.socialized);
  expect(r.insuranceUsed + r.socialized + r.uncovered).toBe(loss + r.surplus);
  if (input.rounding === undefined || input.rounding === 'largest-remainder') expect(r.socialized).toBe(target);
}

describeEachVariant('weights and caps in one line', (engine) => {
  it('README: 1000 by equal weights, the profits as caps: 250 each, then 316.67, then 325', () => expect(engine().socialize({ loss: 1_000n, profits: [50n, 400n, 300n, 1_000n], weights: [100n, 100n, 100n, 100n] }).haircuts).toEqual(BigInt64Array.from([50n, 325n, 300n, 325n])));
  it('a capped account pays its cap, the others share the rest by weight', () => expect(engine().socialize({ loss: 100n, profits: [1000n, 1000n, 1000n], weights: [1n, 1n, 1n], caps: [10n, 1000n, 1000n] }).haircuts).toEqual(BigInt64Array.from([10n, 45n, 45n])));
  it('equal ratios of cap to weight are capped together', () => expect(engine().socialize({ loss: 60n, profits: [0n, 0n, 0n, 0n, 0n], weights: [2n, 4n, 6n, 1n, 1n], caps: [3n, 6n, 9n, 100n, 100n] }).haircuts).toEqual(BigInt64Array.from([3n, 6n, 9n, 21n, 21n])));
  it('a loss above all caps takes every cap, no more', () => expect(engine().socialize({ loss: 1000n, profits: [10n, 20n, 30n], weights: [5n, 1n, 1n] }).haircuts).toEqual(BigInt64Array.from([10n, 20n, 30n])));
  it('a weight of 0 pays nothing', () => expect(engine().socialize({ loss: 9n, profits: [10n, 20n, 30n, -5n], weights: [0n, 1n, 1n, 1n] }).haircuts).toEqual(BigInt64Array.from([0n, 5n, 4n, 0n])));
  it("'down' by weight pays every floor of 3.33", () => expect(engine().socialize({ loss: 10n, profits: [100n, 100n, 100n], weights: [1n, 1n, 1n], rounding: 'down' }).haircuts).toEqual(BigInt64Array.from([3n, 3n, 3n])));
  it("'up' by weight pays every ceiling of 3.33", () => expect(engine().socialize({ loss: 10n, profits: [100n, 100n, 100n], weights: [1n, 1n, 1n], rounding: 'up' }).haircuts).toEqual(BigInt64Array.from([4n, 4n, 4n])));
  it('an exempt account pays nothing, whatever its weight', () => expect(engine().socialize({ loss: 10n, profits: [100n, 100n, 100n], weights: [1n, 2n, 2n], exempt: [false, true, false] }).haircuts).toEqual(BigInt64Array.from([3n, 0n, 7n])));
});

describeEachVariant('weights and caps', (engine, variant) => {
  it('equals the reference for any weights, caps, exemptions, rounding and tie seed', () => {
    fc.assert(fc.property(
      fc.array(account, { maxLength: 50 }), fc.boolean(), fc.boolean(), amount, amount, anyRounding, optionalTieSeed,
      (rows, withCaps, withExempt, loss, insuranceFund, rounding, tieSeed) => {
        const input = inputOf(rows, withCaps, withExempt, loss, insuranceFund, rounding, tieSeed);
        const result = engine().socialize(input);
        expect(result).toEqual(socializeReference(input));
        expectWaterFilling(input, result);
      },
    ), runs(400));
  });

  it('caps in cascades several levels deep', () => {
    for (const depth of [2, 4, 7, 10]) {
      const { caps, loss } = cascade(depth);
      const weights = caps.map(() => 1n);
      const input = { loss, profits: caps.map(() => 0n), weights: BigInt64Array.from(weights), caps: BigInt64Array.from(caps) };
      const result = engine().socialize(input);
      expect(result).toEqual(socializeReference(input));
      expectWaterFilling(input, result);
      // The definition caps one account per round here: depth rounds, and one to see nobody more.
      expect(cappedByDefinition(weights.map((_, i) => i), weights, caps, loss).rounds).toBe(depth + 1);
      expect(result.cappedAccounts).toBe(depth);
    }
  });

  it('cascades through random books until every cap but one is reached', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.bigInt({ min: 1n, max: 1000n }), fc.bigInt({ min: 1n, max: 10n ** 6n })), { minLength: 1, maxLength: 40 }), fc.nat(1000), (rows, per) => {
      const weights = BigInt64Array.from(rows.map(([w]) => w)), caps = BigInt64Array.from(rows.map(([, c]) => c));
      const total = caps.reduce((a, b) => a + b, 0n);
      // Losses from tiny to all caps: the level rises through every ratio.
      const input = { loss: (total * BigInt(per)) / 1000n, profits: rows.map(() => 0n), weights, caps };
      const result = engine().socialize(input);
      expect(result).toEqual(socializeReference(input));
      expectWaterFilling(input, result);
    }), runs(300));
  });

  it('is exact with weights and caps near 2^63 and sums past 2^64', () => {
    const top = I64_MAX;
    const weights = [top, top - 1n, top, 1n, top - 7n, 2n ** 62n, top];
    const caps = [top, 5n, top - 3n, top, 2n ** 40n, top, 1n];
    for (const loss of [1n, 12345n, 2n ** 62n, top]) {
      const input = { loss, profits: weights.map(() => 0n), weights: BigInt64Array.from(weights), caps: BigInt64Array.from(caps) };
      const result = engine().socialize(input);
      expect(result).toEqual(socializeReference(input));
      expectWaterFilling(input, result);
      expect(result.totalWeight! > 2n ** 64n).toBe(true);
    }
  });

  it('is exact when one account holds nearly all the weight and the target is near 2^63', () => {
    // Its share q̃ is within 3 of 2^63: the first pass's bounds must not wrap (a SIMD bug found in review).
    const M = 2n ** 63n;
    const cases = [
      { loss: M - 1n, weights: [M - 6n, 1n], caps: [M - 4n, 3n] },
      { loss: M - 1n, weights: [M - 6n, 1n], caps: [M - 4n, 3n], rounding: 'down' as const },
      { loss: M - 1n, weights: [1n, M - 7n, 0n], caps: [3n, M - 4n, 0n] },
      { loss: M - 1n, weights: [2n ** 62n, 1n], caps: [M - 3n, 2n ** 62n], rounding: 'up' as const },
      { loss: M - 1n, weights: [M - 1n, M - 1n, 5n, M - 1n], caps: [M - 1n, 1n, M - 2n, 7n] },
    ];
    for (const { weights, caps, ...rest } of cases) {
      const input = { ...rest, profits: weights.map(() => 0n), weights: BigInt64Array.from(weights), caps: BigInt64Array.from(caps) };
      const result = engine().socialize(input);
      expect(result).toEqual(socializeReference(input));
      expectWaterFilling(input, result);
    }
  });

  it('re-runs over every account when the level climbs far above its first estimate', () => {
    // Heavy accounts with tiny caps hold almost all the weight: the first level is tiny,
    // and the light account with a huge cap ends up with nearly everything.
    const weights = [...Array.from({ length: 50 }, () => 10n ** 12n), 1n, 2n];
    const caps = [...Array.from({ length: 50 }, () => 1n), 10n ** 15n, 10n ** 15n];
    for (const loss of [10n ** 6n, 10n ** 14n, 2n * 10n ** 15n + 49n]) {
      const input = { loss, profits: weights.map(() => 0n), weights: BigInt64Array.from(weights), caps: BigInt64Array.from(caps) };
      const result = engine().socialize(input);
      expect(result).toEqual(socializeReference(input));
      expectWaterFilling(input, result);
    }
  });

  it('widens its list when the level ends between 8/7 and 2 times its first estimate', () => {
    // First level 10^6: ten tiny caps are capped at once, five caps of 1.3·10^6 sit between
    // 8/7 and 2 times it (capped in the end, at about 1.43·10^6), twenty huge caps far above.
    const caps = [...Array(10).fill(1n), ...Array(5).fill(1_300_000n), ...Array(20).fill(10n ** 12n)] as bigint[];
    const input = { loss: 35_000_000n, profits: caps.map(() => 0n), weights: BigInt64Array.from(caps.map(() => 1n)), caps: BigInt64Array.from(caps) };
    const result = engine().socialize(input);
    expect(result).toEqual(socializeReference(input));
    expect(result.cappedAccounts).toBe(15);
    expectWaterFilling(input, result);
  });

  it('keeps equal ratios together: all capped or none', () => {
    const weights = [2n, 4n, 6n, 1n, 1n], caps = [3n, 6n, 9n, 100n, 100n];
    const input = { loss: 60n, profits: [0n, 0n, 0n, 0n, 0n], weights: BigInt64Array.from(weights), caps: BigInt64Array.from(caps) };
    const result = engine().socialize(input);
    expect(result).toEqual(socializeReference(input));
    expect([...result.haircuts]).toEqual([3n, 6n, 9n, 21n, 21n]);
    expect(result.cappedAccounts).toBe(3);
  });

  it('defaults caps to max(profit, 0), and splits the same as by profit when weights are the profits (compare\'s pro-rata), under every rounding', () => {
    const book = fc.array(fc.record({ profit: fc.bigInt({ min: -100n, max: 10n ** 9n }), exempt: fc.boolean() }), { maxLength: 40 });
    fc.assert(fc.property(book, amount, anyRounding, optionalTieSeed, fc.boolean(), fc.boolean(), (accounts, loss, rounding, seed, withExempt, explicitCaps) => {
      const profits = accounts.map((a) => a.profit);
      const exempt = withExempt ? accounts.map((a) => a.exempt) : undefined;
      const tieSeed = rounding === 'largest-remainder' ? seed : undefined;
      const weights = BigInt64Array.from(profits.map((p) => (p > 0n ? p : 0n)));
      // The default capacities given explicitly are the same as none.
      const caps = explicitCaps ? weights.slice() : undefined;
      const common = { loss, profits, rounding, ...(exempt ? { exempt } : {}), ...(tieSeed === undefined ? {} : { tieSeed }) };
      const byWeight = engine().socialize({ ...common, weights, ...(caps ? { caps } : {}) });
      const plain = engine().socialize(common);
      expect(byWeight.haircuts).toEqual(plain.haircuts);
      expect(byWeight.socialized).toBe(plain.socialized);
      expect(byWeight.uncovered).toBe(plain.uncovered);
      expect(byWeight.roundingDust).toBe(plain.roundingDust);
      expect(byWeight.surplus).toBe(plain.surplus);
      expect(byWeight.totalProfit).toBe(plain.totalProfit);
    }), runs(300));
  });

  it('equals the reference on a large book with about 10% capped, through the book path', () => {
    const n = 60_000;
    using book = engine().createBook(n);
    // Creating a column may grow the memory: take the views after both exist.
    book.weights;
    const caps = book.caps, weights = book.weights;
    let x = 7n;
    const next = () => (x = (x * 6364136223846793005n + 1442695040888963407n) & (2n ** 64n - 1n)) >> 20n;
    for (let i = 0; i < n; i++) {
      weights[i] = 1n + (next() % 1_000_000n);
      caps[i] = i % 10 === 0 ? next() % 1000n : next() % 10n ** 12n;
    }
    book.profits.fill(1n);
    const w = book.weights.slice(), c = book.caps.slice();
    const loss = 10n ** 14n;
    const summary = book.socialize({ loss, weights: book.weights, caps: book.caps, tieSeed: 99n });
    const expected = socializeReference({ loss, profits: book.profits.slice(), weights: w, caps: c, tieSeed: 99n });
    const { haircuts, ...totals } = expected;
    expect(book.haircuts).toEqual(haircuts);
    expect(summary).toEqual(totals);
    expect(summary.cappedAccounts! > n / 20).toBe(true);
  });

  it('starts from a sampled level on large books, and starts over when the sample misleads', () => {
    const n = 70_000; // past 2^16: the first level comes from a sample of every n/2048-th account
    const sampled = new Set(Array.from({ length: 2048 }, (_, j) => Math.floor((j * n) / 2048)));
    let x = 11n;
    const next = () => (x = (x * 6364136223846793005n + 1442695040888963407n) & (2n ** 64n - 1n)) >> 24n;
    const books = {
      // 10% whales: large positions, small profits: capped, holding most of the weight.
      whales: (i: number) => (i % 10 === 3 ? [5n * 10n ** 7n + (next() % 10n ** 7n), 1n + (next() % 10n ** 6n)] : [1n + (next() % 10n ** 6n), 10n ** 6n + (next() % 10n ** 11n)]),
      // The sampled accounts carry half the weight of the others: the sample puts the level
      // about twice too high, its check fails and the split starts over from S / W.
      misleadingHalf: (i: number) => {
        const w = 10n ** 5n + (next() % 10n ** 6n), p = 10n ** 6n + (next() % 10n ** 11n);
        return [sampled.has(i) ? w / 2n + 1n : w, p];
      },
      // A thousandth of the weight: the level so high that what it caps passes the loss.
      misleadingFar: (i: number) => {
        const w = 10n ** 5n + (next() % 10n ** 6n), p = 10n ** 6n + (next() % 10n ** 11n);
        return [sampled.has(i) ? w / 1000n + 1n : w, p];
      },
    };
    for (const make of Object.values(books)) {
      const rows = Array.from({ length: n }, (_, i) => make(i));
      const weights = BigInt64Array.from(rows.map(([w]) => w!)), profits = BigInt64Array.from(rows.map(([, p]) => p!));
      for (const loss of [10n ** 14n, 10n ** 15n, 5n * 10n ** 15n]) {
        const input = { loss, profits, weights };
        const result = engine().socialize(input);
        expect(result).toEqual(socializeReference(input));
      }
    }
  });

  it('uses its own views without copying and copies other columns into them', () => {
    using book = engine().createBook(4);
    book.profits.set([10n, 20n, 30n, -5n]);
    const weights = BigInt64Array.from([1n, 1n, 1n, 1n]);
    const copied = book.socialize({ loss: 9n, weights });
    expect([...book.weights]).toEqual([1n, 1n, 1n, 1n]);
    expect([...book.haircuts]).toEqual([3n, 3n, 3n, 0n]);
    book.weights.set([0n, 1n, 1n, 1n]);
    const own = book.socialize({ loss: 9n, weights: book.weights });
    expect([...book.haircuts]).toEqual([0n, 5n, 4n, 0n]);
    expect(copied.cappedAccounts).toBe(0);
    expect(own.totalWeight).toBe(2n);
    expect(engine().socialize({ loss: 9n, profits: [10n, 20n, 30n, -5n], weights: book.weights }).haircuts).toEqual(book.haircuts);
  });

  it('names a detached view of a book column', async () => {
    const fresh = await loadEngine({ variant });
    using book = fresh.createBook(3);
    const early = book.weights;
    fresh.createBook(1_000_000).free(); // grows a fresh engine's memory: the earlier view is detached
    expect(early.length).toBe(0);
    expect(() => book.socialize({ loss: 1n, weights: early })).toThrow(/weights has 0 entries; expected one per account \(3\): a detached view/);
  });

  it('splits pools by weight, each as if alone', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(account, fc.nat(3)), { maxLength: 50 }), poolParameters(4, amount),
      fc.boolean(), anyRounding, optionalTieSeed,
      (rows, pools, withCaps, rounding, tieSeed) => {
        // socializePools takes no loss or fund of its own: each pool has its own.
        const { loss: _loss, insuranceFund: _fund, ...columns } = inputOf(rows.map(([r]) => r), withCaps, true, 0n, 0n, rounding, tieSeed);
        const input = { ...columns, pool: Uint32Array.from(rows.map(([, k]) => k)), pools };
        const result = engine().socializePools(input);
        expect(result).toEqual(socializePoolsReference(input));
        pools.forEach((p, k) => {
          const members = rows.flatMap(([, q], i) => (q === k ? [i] : []));
          const pick = <T>(values: ArrayLike<T>) => members.map((i) => values[i]!);
          const alone = engine().socialize({
            ...p, rounding, profits: pick(input.profits), weights: BigInt64Array.from(pick(input.weights)),
            caps: input.caps && BigInt64Array.from(pick(input.caps)), exempt: pick(input.exempt!),
          });
          const { haircuts, ...totals } = alone;
          if (tieSeed === undefined) expect(pick(result.haircuts)).toEqual([...haircuts]);
          expect(result.pools[k]!.socialized).toBe(totals.socialized);
          expect(result.pools[k]!.cappedAccounts).toBe(totals.cappedAccounts);
        });
      },
    ), runs(200));
  });

  it('finds each pool\'s capped set on every path: at once, widened, and over all its accounts', () => {
    // Pool 0: the level climbs far past its first estimate. Pool 1: it ends between 8/7 and 2
    // times it. Pool 2: it stays close. Pool 3: nothing to take. Accounts interleaved.
    const climbing = { weights: [...Array(50).fill(10n ** 12n), 1n, 2n], caps: [...Array(50).fill(1n), 10n ** 15n, 10n ** 15n] };
    const widening = { weights: Array(35).fill(1n), caps: [...Array(10).fill(1n), ...Array(5).fill(1_300_000n), ...Array(20).fill(10n ** 12n)] };
    const close = { weights: Array.from({ length: 40 }, (_, i) => BigInt(1 + i)), caps: Array.from({ length: 40 }, (_, i) => BigInt(100 + 37 * i)) };
    const groups = [climbing, widening, close, close];
    const rows = groups.flatMap((g, k) => g.weights.map((w, j) => ({ k, w: w as bigint, c: g.caps[j] as bigint })));
    const order = rows.map((_, i) => i).sort((x, y) => ((x * 7919) % rows.length) - ((y * 7919) % rows.length));
    const sorted = order.map((i) => rows[i]!);
    const input = {
      profits: sorted.map(() => 0n), weights: BigInt64Array.from(sorted.map((r) => r.w)), caps: BigInt64Array.from(sorted.map((r) => r.c)),
      pool: Uint32Array.from(sorted.map((r) => r.k)),
      pools: [{ loss: 10n ** 14n }, { loss: 35_000_000n }, { loss: 5_000n }, { loss: 0n }],
    };
    const result = engine().socializePools(input);
    expect(result).toEqual(socializePoolsReference(input));
    expect(result.pools.map((p) => p.cappedAccounts)).toEqual(socializePoolsReference(input).pools.map((p) => p.cappedAccounts));
    expect(result.pools[1]!.cappedAccounts).toBe(15);
  });

  it('rejects negative weights and caps naming the index, and leaves everything untouched', () => {
    const profits = [5n, 6n, 7n];
    expect(() => engine().socialize({ loss: 1n, profits, weights: [1n, -2n, 3n] })).toThrow(new RangeError('weights[1] must not be negative, got -2'));
    expect(() => engine().socialize({ loss: 1n, profits, weights: [1n, 2n, 3n], caps: [1n, 2n, -1n] })).toThrow(new RangeError('caps[2] must not be negative, got -1'));
    expect(() => socializeReference({ loss: 1n, profits, weights: [1n, 2n, 3n], caps: [1n, 2n, -1n] })).toThrow(new RangeError('caps[2] must not be negative, got -1'));
    expect(() => engine().socialize({ loss: 1n, profits, weights: [1n, 2n] })).toThrow(RangeError);
    expect(() => engine().socialize({ loss: 1n, profits, weights: [1n, 2n, 1.5] })).toThrow(new TypeError('weights[2] must be a bigint or a safe-integer number, got 1.5'));
    expect(() => engine().socialize({ loss: 1n, profits, weights: [1n, 2n, 2n ** 63n] })).toThrow(RangeError);
    expect(() => engine().socialize({ loss: 1n, profits, caps: [1n, 2n, 3n] })).toThrow(TypeError);
    expect(() => engine().socialize({ loss: 1n, profits, weights: 'heavy' as never })).toThrow(TypeError);
    using book = engine().createBook(3);
    book.profits.set(profits);
    book.socialize({ loss: 6n });
    const before = book.haircuts.slice();
    book.weights.set([1n, 1n, -1n]);
    expect(() => book.socialize({ loss: 3n, weights: book.weights })).toThrow(new RangeError('weights[2] must not be negative, got -1'));
    expect(book.haircuts).toEqual(before);
    const weights = BigInt64Array.from([3n, 2n, 1n]), caps = BigInt64Array.from([1n, 1n, 1n]);
    engine().socialize({ loss: 2n, profits, weights, caps });
    expect([...weights, ...caps]).toEqual([3n, 2n, 1n, 1n, 1n, 1n]);
  });

  it('reports bad weights before bad caps, and both before pool indices, on every path, as the reference', () => {
    const cases: { weights: unknown[]; caps: unknown[]; message: RegExp }[] = [
      { weights: [1n, 1n, -1n], caps: [1n, -1n, 1n], message: /^weights\[2\] must not be negative/ },
      { weights: [-1n, 1n, 1n], caps: [1n, 1.5, 1n], message: /^weights\[0\] must not be negative/ },
      { weights: [1n, 1n, 1n], caps: [1n, 1.5, -1n], message: /^caps\[1\] must be a bigint/ },
    ];
    for (const { weights, caps, message } of cases) {
      const input = { loss: 5n, profits: [1n, 2n, 3n], weights: weights as bigint[], caps: caps as bigint[] };
      expect(() => socializeReference(input)).toThrow(message);
      expect(() => engine().socialize(input)).toThrow(message);
      const { loss, ...columns } = input;
      const pooled = { ...columns, pool: Uint32Array.from([0, 9, 0]), pools: [{ loss: 5n }] };
      expect(() => socializePoolsReference(pooled)).toThrow(message);
      expect(() => engine().socializePools(pooled)).toThrow(message);
      // A book: other columns are checked whole before anything is copied in.
      using book = engine().createBook(3);
      book.weights.set([7n, 7n, 7n]);
      book.caps.set([8n, 8n, 8n]);
      expect(() => book.socialize({ loss, weights: input.weights, caps: input.caps })).toThrow(message);
      expect([...book.weights, ...book.caps]).toEqual([7n, 7n, 7n, 8n, 8n, 8n]);
    }
    // The book's own views, checked in the core: the same order.
    using book = engine().createBook(3);
    book.weights;
    const caps = book.caps, weights = book.weights;
    weights.set([1n, 1n, -1n]);
    caps.set([1n, -1n, 1n]);
    expect(() => book.socialize({ loss: 5n, weights: book.weights, caps: book.caps })).toThrow(/^weights\[2\] must not be negative/);
    book.weights[2] = 1n;
    expect(() => book.socialize({ loss: 5n, weights: book.weights, caps: book.caps })).toThrow(/^caps\[1\] must not be negative/);
  });

  it('without weights, caps need weights; with weights 0 everywhere nothing is taken', () => {
    const r = engine().socialize({ loss: 10n, insuranceFund: 3n, profits: [5n, 5n], weights: [0n, 0n] });
    expect(r).toMatchObject({ socialized: 0n, uncovered: 7n, totalProfit: 0n, profitableAccounts: 0, cappedAccounts: 0, totalWeight: 0n });
    expect(engine().socialize({ loss: 10n, profits: [], weights: [] })).toMatchObject({ socialized: 0n, uncovered: 10n });
  });
});

/**
 * The capped set by the contract's definition: starting from nobody, cap whoever
 * pays less than its share of what is left (cap·W < R·w), until nobody more does.
 * Also how many rounds that took.
 */
function cappedByDefinition(eligible: number[], weights: bigint[], caps: bigint[], target: bigint): { set: number[]; rounds: number } {
  const capped = new Set<number>();
  for (let rounds = 1; ; rounds++) {
    const open = eligible.filter((i) => !capped.has(i));
    const R = target - [...capped].reduce((s, i) => s + caps[i]!, 0n);
    const W = open.reduce((s, i) => s + weights[i]!, 0n);
    const more = open.filter((i) => caps[i]! * W < R * weights[i]!);
    if (more.length === 0) return { set: [...capped].sort((x, y) => x - y), rounds };
    more.forEach((i) => capped.add(i));
  }
}

/**
 * Caps for a cascade `depth` levels deep over weights 1: account t is capped only
 * once the accounts before it are (its cap sits at the level before last), and a
 * last account with a large cap takes the rest.
 */
function cascade(depth: number): { caps: bigint[]; loss: bigint } {
  const loss = 2n ** 61n;
  const ceil = (a: bigint, b: bigint) => (a + b - 1n) / b;
  // levels[t] = [R, W] after t accounts are capped.
  const levels: [bigint, bigint][] = [[loss, BigInt(depth + 1)]];
  const caps: bigint[] = [];
  for (let t = 0; t < depth; t++) {
    const [R, W] = levels[t]!;
    const cap = t === 0 ? R / W / 2n : ceil(...levels[t - 1]!);
    caps.push(cap);
    levels.push([R - cap, W - 1n]);
  }
  return { caps: [...caps, 2n ** 62n], loss };
}
