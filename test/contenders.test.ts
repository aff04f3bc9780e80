// The benchmark's pure-JavaScript contender must be exact too, or its times mean nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { socializeFastJs } from '../bench/contenders/fast-js.js';
import { socializeDinero } from '../bench/contenders/dinero.js';
import { socializeReference } from '../src/reference.js';
import { generateProfits, PROFILES, positiveTotal } from '../src/scenario.js';
import { I64_MAX, I64_MIN } from '../src/validate.js';
import { runs } from './support.js';

const profit = fc.oneof(
  fc.bigInt({ min: -50n, max: 50n }),
  fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }),
  fc.bigInt({ min: 2n ** 52n - 100n, max: 2n ** 53n + 100n }),
  fc.bigInt({ min: I64_MIN, max: I64_MAX }),
);

describe('socializeFastJs', () => {
  it('equals the reference on random books', () => {
    fc.assert(fc.property(fc.array(profit, { maxLength: 60 }), fc.bigInt({ min: 0n, max: I64_MAX }), fc.bigInt({ min: 0n, max: 2n ** 50n }), (ps, loss, fund) => {
      const profits = BigInt64Array.from(ps);
      expect(socializeFastJs(profits, loss, fund)).toEqual(socializeReference({ loss, insuranceFund: fund, profits }));
    }), runs(500));
  });

  it('equals the reference when quotas are exact or tie (loss a simple fraction of the total)', () => {
    fc.assert(fc.property(fc.array(fc.bigInt({ min: -10n, max: 2n ** 35n }), { maxLength: 80 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 10 }), (ps, num, den) => {
      const profits = BigInt64Array.from(ps);
      const loss = (positiveTotal(profits) * BigInt(num)) / BigInt(den);
      expect(socializeFastJs(profits, loss, 0n)).toEqual(socializeReference({ loss, profits }));
    }), runs(500));
  });

  it.each(PROFILES)('equals the reference on a seeded %s book of 50,000', (profile) => {
    const profits = generateProfits(50_000, profile, 9);
    const total = positiveTotal(profits);
    for (const wanted of [total / 3n, (total * 123n) / 1000n, 1n, total - 1n]) {
      const loss = wanted > I64_MAX ? I64_MAX : wanted;
      expect(socializeFastJs(profits, loss, 0n)).toEqual(socializeReference({ loss, profits }));
    }
  });
});

describe('socializeDinero', () => {
  it('allocates the same total, but gives leftover units by largest ratio', () => {
    const profits = BigInt64Array.from([100n, 200n, 400n, -5n]);
    const { haircuts } = socializeDinero(profits, 100n, 0n);
    expect(haircuts.reduce((a, b) => a + b, 0n)).toBe(100n);
    // Quotas 14.28, 28.57, 57.14: largest remainder gives the unit to 28.57; dinero to the largest ratio.
    expect([...haircuts]).toEqual([14n, 28n, 58n, 0n]);
    expect([...socializeReference({ loss: 100n, profits }).haircuts]).toEqual([14n, 29n, 57n, 0n]);
  });
});
