// The auditor (src/audit): certify accepts what the engine and the reference
// give under every option and rejects any tampering with the right count and
// differences; explainAccount's haircut, rank and extra unit agree with the
// result for every account. The auditor shares no code with either.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  auditHaircuts, certify, explainAccount, explanationJson, explanationText, quotaDecimal, splitmix64,
  type AuditBook, type PoolTotals,
} from '../src/audit/index.js';
import type { Engine, Rounding, SocializePoolsInput, SocializeSummary } from '../src/index.js';
import { socializePoolsReference, socializeReference, splitmix64 as referenceSplitmix } from '../src/reference.js';
import { I64_MAX } from '../src/validate.js';
import { amountUpTo, anyRounding, mostlySmall, optionalTieSeed, poolParameters, ROUNDINGS } from './arbitraries.js';
import { describeEachVariant, runs } from './support.js';

/** One generated book: columns as arrays, pools, and the options in force. */
interface Scenario {
  profits: bigint[];
  pool: number[];
  exempt: boolean[] | undefined;
  weights: bigint[] | undefined;
  caps: bigint[] | undefined;
  pools: { loss: bigint; insuranceFund: bigint }[];
  rounding: Rounding;
  tieSeed: bigint | undefined;
}

const row = (poolCount: number) => fc.record({
  profit: mostlySmall(-10n, 40n),
  weight: mostlySmall(0n, 12n, 0n),
  cap: mostlySmall(0n, 30n, 0n),
  exempt: fc.boolean(),
  pool: fc.integer({ min: 0, max: poolCount - 1 }),
});

/** Books of up to `maxLength` accounts, with every option on or off. */
function scenarios(maxLength: number): fc.Arbitrary<Scenario> {
  return fc.integer({ min: 1, max: 3 }).chain((poolCount) => fc.record({
    rows: fc.array(row(poolCount), { maxLength }),
    pools: poolParameters(poolCount, amountUpTo(300n)),
    rounding: anyRounding,
    tieSeed: optionalTieSeed,
    withExempt: fc.boolean(),
    withWeights: fc.boolean(),
    withCaps: fc.boolean(),
  })).map(({ rows, pools, rounding, tieSeed, withExempt, withWeights, withCaps }) => ({
    profits: rows.map((r) => r.profit),
    pool: rows.map((r) => r.pool),
    exempt: withExempt ? rows.map((r) => r.exempt) : undefined,
    weights: withWeights ? rows.map((r) => r.weight) : undefined,
    caps: withWeights && withCaps ? rows.map((r) => r.cap) : undefined,
    pools, rounding, tieSeed,
  }));
}

/** The scenario as the auditor reads it. */
function bookOf(s: Scenario): AuditBook {
  return {
    profits: BigInt64Array.from(s.profits),
    pool: Uint32Array.from(s.pool),
    pools: s.pools,
    exempt: s.exempt && Uint8Array.from(s.exempt, Number),
    weights: s.weights && BigInt64Array.from(s.weights),
    caps: s.caps && BigInt64Array.from(s.caps),
    rounding: s.rounding,
    tieSeed: s.tieSeed,
  };
}

/** The scenario as socializePools takes it. */
function poolsInputOf(s: Scenario): SocializePoolsInput {
  return {
    profits: s.profits, pool: Uint32Array.from(s.pool), pools: s.pools, exempt: s.exempt,
    weights: s.weights, caps: s.caps, rounding: s.rounding, tieSeed: s.tieSeed,
  };
}

/** The auditor's pool totals say what the engine's summary says. */
function expectSameTotals(totals: PoolTotals, summary: SocializeSummary): void {
  expect({
    insuranceUsed: totals.insuranceUsed, socialized: totals.socialized, uncovered: totals.uncovered,
    totalProfit: totals.totalProfit, profitableAccounts: totals.eligible,
    roundingDust: totals.roundingDust, surplus: totals.surplus,
  }).toEqual({
    insuranceUsed: summary.insuranceUsed, socialized: summary.socialized, uncovered: summary.uncovered,
    totalProfit: summary.totalProfit, profitableAccounts: summary.profitableAccounts,
    roundingDust: summary.roundingDust, surplus: summary.surplus,
  });
  if (summary.totalWeight !== undefined) {
    expect(totals.totalWeight).toBe(summary.totalWeight);
    expect(totals.capped).toBe(summary.cappedAccounts);
  }
  expect(totals.found).toBe(summary.socialized);
}

const plain = (profits: bigint[], loss: bigint, more: Partial<AuditBook> = {}): AuditBook => ({
  profits: BigInt64Array.from(profits), pools: [{ loss, insuranceFund: 0n }], rounding: 'largest-remainder', ...more,
});

describe('the auditor in one line', () => {
  it('README: 10 over [5, 3, −2, 2] is [5, 3, 0, 2]', () => expect(certify(plain([5n, 3n, -2n, 2n], 10n), BigInt64Array.from([5n, 3n, 0n, 2n])).ok).toBe(true));
  it('a tie goes to the lower index', () => expect(auditHaircuts(plain([5n, 5n, 5n], 1n)).haircuts).toEqual(BigInt64Array.from([1n, 0n, 0n])));
  it('a tie under a seed goes to the smaller splitmix64(seed ^ index)', () => {
    const seed = 7n;
    const keys = [0, 1, 2].map((i) => splitmix64(seed ^ BigInt(i)));
    const first = keys.indexOf(keys.reduce((a, b) => (a < b ? a : b)));
    expect(auditHaircuts(plain([5n, 5n, 5n], 1n, { tieSeed: seed })).haircuts[first]).toBe(1n);
  });
  it('the tie the other way round is a mismatch', () => {
    const result = certify(plain([5n, 5n, 5n], 1n), BigInt64Array.from([0n, 1n, 0n]));
    expect(result).toMatchObject({ ok: false, mismatches: 2, differences: [{ index: 0, expected: 1n, found: 0n }, { index: 1, expected: 0n, found: 1n }] });
  });
  it('a loss above all profits takes them all and leaves the rest uncovered', () => {
    const result = certify(plain([10n, -4n, 20n], 100n), BigInt64Array.from([10n, 0n, 20n]));
    expect(result.ok).toBe(true);
    expect(result.pools[0]).toMatchObject({ socialized: 30n, uncovered: 70n, leftover: 0n });
  });
  it("'down' keeps the dust uncovered, 'up' returns the surplus", () => {
    expect(certify(plain([1n, 1n, 1n], 2n, { rounding: 'down' }), new BigInt64Array(3)).pools[0]).toMatchObject({ socialized: 0n, roundingDust: 2n, uncovered: 2n });
    expect(certify(plain([1n, 1n, 1n], 2n, { rounding: 'up' }), BigInt64Array.from([1n, 1n, 1n])).pools[0]).toMatchObject({ socialized: 3n, surplus: 1n, uncovered: 0n });
  });
  it('an exempt account pays nothing', () => expect(auditHaircuts(plain([10n, 10n], 4n, { exempt: Uint8Array.from([1, 0]) })).haircuts).toEqual(BigInt64Array.from([0n, 4n])));
  it('a capped account pays its cap, the others share the rest by weight', () => {
    const book = plain([100n, 100n, 100n], 30n, { weights: BigInt64Array.from([1n, 1n, 1n]), caps: BigInt64Array.from([4n, 100n, 100n]) });
    expect(auditHaircuts(book).haircuts).toEqual(BigInt64Array.from([4n, 13n, 13n]));
    expect(certify(book, BigInt64Array.from([4n, 13n, 13n])).pools[0]).toMatchObject({ capped: 1, shared: 26n, sharedWeight: 2n });
  });
  it('two pools, ties by global index', () => {
    const book: AuditBook = { profits: BigInt64Array.from([5n, 5n, 5n, 5n]), pool: Uint32Array.from([1, 0, 1, 0]), pools: [{ loss: 1n, insuranceFund: 0n }, { loss: 1n, insuranceFund: 0n }], rounding: 'largest-remainder' };
    expect(auditHaircuts(book).haircuts).toEqual(BigInt64Array.from([1n, 1n, 0n, 0n]));
  });
  it('an empty book certifies, its loss uncovered', () => {
    const result = certify(plain([], 5n), new BigInt64Array(0));
    expect(result).toMatchObject({ ok: true, accounts: 0, mismatches: 0 });
    expect(result.pools[0]).toMatchObject({ socialized: 0n, uncovered: 5n, eligible: 0 });
  });
  it('its splitmix64 is the contract\'s', () => {
    for (const x of [0n, 1n, 2n ** 64n - 1n, 0x123456789abcdefn]) expect(splitmix64(x)).toBe(referenceSplitmix(x));
  });
  it('bad input is refused', () => {
    expect(() => certify(plain([1n], 1n), new BigInt64Array(2))).toThrow(RangeError);
    expect(() => certify({ ...plain([1n], 1n), pool: Uint32Array.from([1]) }, new BigInt64Array(1))).toThrow(/pool\[0\]/);
    expect(() => certify(plain([1n], 1n, { weights: BigInt64Array.from([-1n]) }), new BigInt64Array(1))).toThrow(/weights\[0\]/);
    expect(() => certify(plain([1n], 1n, { weights: BigInt64Array.from([1n]), caps: BigInt64Array.from([-1n]) }), new BigInt64Array(1))).toThrow(/caps\[0\]/);
    expect(() => certify(plain([1n], -1n), new BigInt64Array(1))).toThrow(RangeError);
    expect(() => explainAccount(plain([1n], 1n), 1)).toThrow(RangeError);
  });
});

describe('quotaDecimal', () => {
  it('is exact when the expansion ends', () => {
    expect(quotaDecimal(10n, 4n)).toBe('2.5');
    expect(quotaDecimal(12n, 4n)).toBe('3');
    expect(quotaDecimal(-1n, 8n)).toBe('-0.125');
  });
  it('truncates with a marker when it does not', () => {
    expect(quotaDecimal(1n, 3n, 4)).toBe('0.3333…');
    expect(quotaDecimal(2n, 3n, 2, '...')).toBe('0.66...');
    expect(quotaDecimal(5n, 3n, 0)).toBe('1…');
  });
  it('handles numerators past 2^126', () => expect(quotaDecimal(I64_MAX * I64_MAX * 4n + 1n, 4n, 3)).toBe(`${I64_MAX * I64_MAX}.25`));
  it('refuses a zero denominator', () => expect(() => quotaDecimal(1n, 0n)).toThrow(RangeError));
});

describe('the auditor keeps to itself', () => {
  it('imports nothing from the engine, its core, the reference or Node', () => {
    const folder = new URL('../src/audit/', import.meta.url);
    for (const file of readdirSync(folder)) {
      const text = readFileSync(new URL(file, folder), 'utf8');
      const imports = [...text.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]!);
      for (const path of imports) {
        expect(path.startsWith('./') || path === '../types.js', `${file} imports ${path}`).toBe(true);
      }
    }
  });
});

/** Tampered copies of correct haircuts and what certify must say of them. */
function expectRejects(book: AuditBook, haircuts: BigInt64Array, i: number, j: number): void {
  const n = haircuts.length;
  // +1 at i only.
  const plus = haircuts.slice();
  plus[i]! += 1n;
  expect(certify(book, plus)).toMatchObject({ ok: false, accounts: n, mismatches: 1, differences: [{ index: i, expected: haircuts[i], found: haircuts[i]! + 1n }] });
  if (i === j) return;
  // +1 at i, −1 at j: the sum kept.
  const moved = haircuts.slice();
  moved[i]! += 1n;
  moved[j]! -= 1n;
  const [a, b] = i < j ? [i, j] : [j, i];
  expect(certify(book, moved)).toMatchObject({
    ok: false, mismatches: 2,
    differences: [{ index: a, expected: haircuts[a], found: moved[a] }, { index: b, expected: haircuts[b], found: moved[b] }],
  });
  expect(certify(book, moved, 1).differences).toHaveLength(1);
  // A swapped pair of unequal haircuts.
  if (haircuts[i] !== haircuts[j]) {
    const swapped = haircuts.slice();
    [swapped[i], swapped[j]] = [haircuts[j]!, haircuts[i]!];
    expect(certify(book, swapped)).toMatchObject({ ok: false, mismatches: 2 });
  }
}

describeEachVariant('certify', (engine: () => Engine) => {
  it('accepts what the engine gives under every option, totals alike', () => {
    fc.assert(fc.property(scenarios(40), (s) => {
      const result = engine().socializePools(poolsInputOf(s));
      const checked = certify(bookOf(s), result.haircuts);
      expect(checked).toMatchObject({ ok: true, mismatches: 0, accounts: s.profits.length });
      checked.pools.forEach((totals, k) => expectSameTotals(totals, result.pools[k]!));
      expect(auditHaircuts(bookOf(s)).haircuts).toEqual(result.haircuts);
    }), runs(400));
  });

  it('accepts the one-pool engine and socializeReference, without a pool column', () => {
    fc.assert(fc.property(scenarios(40), (s) => {
      const { pool, pools, ...rest } = poolsInputOf(s);
      const input = { ...rest, loss: pools[0]!.loss, insuranceFund: pools[0]!.insuranceFund };
      const { pool: _, ...one } = bookOf(s);
      const book: AuditBook = { ...one, pools: [s.pools[0]!] };
      for (const result of [engine().socialize(input), socializeReference(input)]) {
        const checked = certify(book, result.haircuts);
        expect(checked.ok).toBe(true);
        expectSameTotals(checked.pools[0]!, result);
      }
    }), runs(200));
  });

  it('accepts socializePoolsReference', () => {
    fc.assert(fc.property(scenarios(30), (s) => {
      expect(certify(bookOf(s), socializePoolsReference(poolsInputOf(s)).haircuts).ok).toBe(true);
    }), runs(200));
  });

  it('rejects +1 at one account, +1/−1 at two, and a swapped pair, with the right differences', () => {
    fc.assert(fc.property(scenarios(30).filter((s) => s.profits.length > 0), fc.nat(), fc.nat(), (s, x, y) => {
      const n = s.profits.length;
      const haircuts = engine().socializePools(poolsInputOf(s)).haircuts;
      expectRejects(bookOf(s), haircuts, x % n, y % n);
    }), runs(300));
  });

  it('values near 2^63 and sums past 2^64, every rounding, seeded or not', () => {
    const profits = [I64_MAX, I64_MAX - 1n, I64_MAX, 3n, I64_MAX - 7n, -5n, I64_MAX];
    for (const rounding of ROUNDINGS) {
      for (const tieSeed of [undefined, 0n, 2n ** 64n - 1n, 12345n]) {
        for (const loss of [I64_MAX, I64_MAX - 3n, 2n ** 62n + 1n, 7n]) {
          const input = { profits, loss, insuranceFund: 1n, rounding, tieSeed };
          const result = engine().socialize(input);
          const book = plain(profits, loss, { rounding, tieSeed, pools: [{ loss, insuranceFund: 1n }] });
          const checked = certify(book, result.haircuts);
          expect(checked.ok).toBe(true);
          expectSameTotals(checked.pools[0]!, result);
          expect(checked.pools[0]!.totalProfit > 2n ** 64n).toBe(true);
          expectRejects(book, result.haircuts, 0, 3);
          // Weighted, with weights and caps near 2^63 too.
          const weights = BigInt64Array.from(profits, (_, i) => (i % 2 === 0 ? I64_MAX - BigInt(i) : BigInt(i + 1)));
          const caps = BigInt64Array.from(profits, (_, i) => (i === 2 ? 5n : I64_MAX - BigInt(i)));
          const weighted = engine().socialize({ ...input, weights, caps });
          const byWeight = certify({ ...book, weights, caps }, weighted.haircuts);
          expect(byWeight.ok).toBe(true);
          expectSameTotals(byWeight.pools[0]!, weighted);
        }
      }
    }
  });

  it('finds capped sets that cascade many levels (rounds, then the sort)', () => {
    // Caps 1, 2, 4, … with equal weights: each round caps one more level.
    for (const rounding of ROUNDINGS) {
      for (const size of [3, 10, 40]) {
        const caps = BigInt64Array.from({ length: size }, (_, i) => 1n << BigInt(i));
        const weights = new BigInt64Array(size).fill(1n);
        const profits = new Array<bigint>(size).fill(I64_MAX);
        for (const loss of [(1n << BigInt(size)) - 2n, (1n << BigInt(size - 1)) + 3n, BigInt(size) * 2n]) {
          const result = engine().socialize({ profits, loss, weights, caps, rounding });
          const book = plain(profits, loss, { weights, caps, rounding });
          const checked = certify(book, result.haircuts);
          expect(checked.ok).toBe(true);
          expectSameTotals(checked.pools[0]!, result);
        }
      }
    }
  });

  it('finds a capped set one account per round, 14 deep (past the rounds, into the sort)', () => {
    // Each cap is at or above the share of the round before and below the share of its own.
    const n = 30;
    const caps: bigint[] = [];
    let R = I64_MAX, W = BigInt(n), previous = 1n;
    while (caps.length < n - 1 && previous * W < R) {
      caps.push(previous);
      previous = R / W + 1n;
      R -= caps.at(-1)!;
      W -= 1n;
    }
    expect(caps.length).toBeGreaterThan(10);
    while (caps.length < n) caps.push(I64_MAX);
    const weights = new BigInt64Array(n).fill(1n);
    const profits = new Array<bigint>(n).fill(1n);
    for (const rounding of ROUNDINGS) {
      const result = engine().socialize({ profits, loss: I64_MAX, weights, caps: BigInt64Array.from(caps), rounding });
      const book = plain(profits, I64_MAX, { weights, caps: BigInt64Array.from(caps), rounding });
      const checked = certify(book, result.haircuts);
      expect(checked.ok).toBe(true);
      expect(checked.pools[0]!.capped).toBe(caps.filter((c) => c !== I64_MAX).length);
      expectSameTotals(checked.pools[0]!, result);
      expectRejects(book, result.haircuts, 0, n - 1);
    }
  });

  it('capped sets of random depth (caps spread over many powers of two) equal the reference, in pools', () => {
    const weighted = fc.integer({ min: 1, max: 3 }).chain((poolCount) => fc.record({
      rows: fc.array(fc.record({
        cap: fc.integer({ min: 0, max: 60 }).map((e) => (1n << BigInt(e)) + BigInt(e)),
        weight: fc.oneof(fc.bigInt({ min: 1n, max: 5n }), fc.bigInt({ min: 1n, max: I64_MAX })),
        pool: fc.integer({ min: 0, max: poolCount - 1 }),
      }), { minLength: 1, maxLength: 80 }),
      pools: poolParameters(poolCount, fc.bigInt({ min: 0n, max: I64_MAX })),
      rounding: anyRounding,
      tieSeed: optionalTieSeed,
    }));
    fc.assert(fc.property(weighted, ({ rows, pools, rounding, tieSeed }) => {
      const input = {
        profits: rows.map(() => 1n), pool: Uint32Array.from(rows, (r) => r.pool), pools, rounding, tieSeed,
        weights: BigInt64Array.from(rows, (r) => r.weight), caps: BigInt64Array.from(rows, (r) => r.cap),
      };
      const reference = socializePoolsReference(input);
      const book: AuditBook = { ...input, profits: BigInt64Array.from(input.profits) };
      expect(auditHaircuts(book).haircuts).toEqual(reference.haircuts);
      const checked = certify(book, engine().socializePools(input).haircuts);
      expect(checked.ok).toBe(true);
      checked.pools.forEach((totals, k) => expectSameTotals(totals, reference.pools[k]!));
    }), runs(300));
  });

  it('many equal remainders at the boundary, seeded and not', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(3n, 6n, 9n), { minLength: 1, maxLength: 50 }), fc.bigInt({ min: 0n, max: 40n }), optionalTieSeed, (profits, loss, tieSeed) => {
      const result = engine().socialize({ profits, loss, tieSeed });
      const book = plain(profits, loss, { tieSeed });
      expect(certify(book, result.haircuts).ok).toBe(true);
      expectRejects(book, result.haircuts, 0, profits.length - 1);
    }), runs(200));
  });

  it('rejects a unit moved between any two accounts of a tied book, seeded and not', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(3n, 6n, 9n, -1n), { minLength: 2, maxLength: 12 }), fc.bigInt({ min: 0n, max: 40n }), optionalTieSeed, anyRounding, (profits, loss, tieSeed, rounding) => {
      const result = engine().socialize({ profits, loss, tieSeed, rounding });
      const book = plain(profits, loss, { tieSeed, rounding });
      for (let i = 0; i < profits.length; i++) for (let j = 0; j < profits.length; j++) expectRejects(book, result.haircuts, i, j);
    }), runs(60));
  });
});

describeEachVariant('explainAccount', (engine: () => Engine) => {
  it("gives every account the engine's haircut, with rank and extra unit consistent with the result", () => {
    fc.assert(fc.property(scenarios(14), (s) => {
      const book = bookOf(s);
      const result = engine().socializePools(poolsInputOf(s));
      const ranks = new Map<number, number[]>();
      for (let i = 0; i < s.profits.length; i++) {
        const e = explainAccount(book, i);
        expect(e.haircut).toBe(result.haircuts[i]);
        expect(e.profitAfter).toBe(s.profits[i]! - e.haircut);
        expect(e.pool).toBe(s.pool[i]);
        const summary = result.pools[e.pool]!;
        expect(e.socialized).toBe(summary.socialized);
        expect(e.eligibleAccounts).toBe(summary.profitableAccounts);
        expect(e.eligible).toBe(e.reason === null);
        if (!e.eligible) expect(e.haircut).toBe(0n);
        if (e.capped) expect(e.haircut).toBe(e.cap);
        if (e.quota !== null) {
          expect(e.quota.numerator).toBe(e.floor! * e.quota.denominator + e.remainder!);
          expect(e.quota.reducedNumerator * e.quota.denominator).toBe(e.quota.numerator * e.quota.reducedDenominator);
          expect(e.haircut - e.floor!).toBe(e.extraUnit ? 1n : 0n);
        }
        if (s.rounding === 'largest-remainder' && e.quota !== null) {
          expect(e.rank).not.toBeNull();
          expect(e.extraUnit).toBe(BigInt(e.rank!) <= e.leftover);
          ranks.set(e.pool, [...(ranks.get(e.pool) ?? []), e.rank!]);
          const b = e.boundary!;
          if (e.leftover > 0n) expect(explainAccount(book, b.lastExtra!.index).rank).toBe(Number(e.leftover));
          else expect(b.lastExtra).toBeNull();
          expect(b.firstWithout).not.toBeNull();
          expect(explainAccount(book, b.firstWithout!.index).rank).toBe(Number(e.leftover) + 1);
        } else {
          expect(e.rank).toBeNull();
        }
      }
      // Ranks in a pool are 1..sharing, each once.
      for (const list of ranks.values()) expect([...list].sort((a, b) => a - b)).toEqual(list.map((_, j) => j + 1));
    }), runs(150));
  });
});

describe('explanation text and JSON', () => {
  const book = plain([500n, -20n, 300n, 200n], 101n, { exempt: Uint8Array.from([0, 0, 0, 1]) });
  const amount = (units: bigint) => `${units < 0n ? '-' : ''}${(units < 0n ? -units : units) / 100n}.${String((units < 0n ? -units : units) % 100n).padStart(2, '0')}`;
  it('tells the desk the derivation', () => {
    const text = explanationText(explainAccount(book, 0), { amount, decimals: 2, account: 'alice', pool: 'USDT', accountOf: (i) => ['alice', 'bob', 'carol', 'house'][i]! });
    expect(text.split('\n')).toEqual([
      'account "alice" (index 0), pool "USDT"',
      'policy: largest remainder; equal remainders by the lower index',
      'pool: loss 1.01, insurance fund 0.00: insurance used 0.00, residual 1.01',
      'pool: socialized 1.01 of total profit 8.00 (2 eligible accounts), uncovered 0.00',
      'account: profit 5.00; eligible',
      'quota: 1.01 × 5.00 / 8.00 = 0.63125 (exactly 505/8 units of 0.01)',
      'floor 0.63, remainder 100/800 of a unit',
      'leftover units in the pool: 1, one each to the largest of the 2 remainders',
      'rank 2 of 2 by remainder',
      'boundary: the last with an extra unit is "carol" (remainder 700/800); the first without is "alice" (remainder 100/800)',
      'extra unit: no (its rank is past the 1 leftover units)',
      'haircut 0.63; profit after 4.37',
    ]);
    expect(explanationText(explainAccount(book, 3), { amount, account: 'house' })).toContain('not eligible: exempt');
    expect(explanationText(explainAccount(book, 1), { amount, account: 'bob' })).toContain('not eligible: no profit to take from (profit ≤ 0)');
  });
  it('gives JSON with exact strings', () => {
    const json = explanationJson(explainAccount(book, 2), { amount, decimals: 2, account: 'carol' });
    expect(json).toMatchObject({
      account: 'carol', index: 2, pool: null, haircut: '0.38', remainder: '700', rank: 1, extraUnit: true,
      quota: { numerator: '30300', denominator: '800', units: '37.875', amount: '0.37875' },
      boundary: { lastExtra: { account: '#2', index: 2, remainder: '700' }, firstWithout: { account: '#0', index: 0, remainder: '100' } },
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
  it('names the reason under weights', () => {
    const weighted = plain([5n, 5n, 5n], 3n, { weights: BigInt64Array.from([0n, 1n, 1n]), caps: BigInt64Array.from([1n, 0n, 1n]) });
    expect(explainAccount(weighted, 0).reason).toBe('zero weight');
    expect(explainAccount(weighted, 1).reason).toBe('zero cap');
  });
});
