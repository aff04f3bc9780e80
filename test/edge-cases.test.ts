// Named edge cases, each compared with the reference and checked against the
// contract's guarantees, on every build of the core.
import { expect, it } from 'vitest';
import { socializeReference } from '../src/reference.js';
import { I64_MAX, I64_MIN } from '../src/validate.js';
import { describeEachVariant, expectGuarantees } from './support.js';

const MAX = I64_MAX;
const cases: Record<string, { loss: bigint; insuranceFund?: bigint; profits: bigint[] }> = {
  'empty book': { loss: 1_000n, profits: [] },
  'empty book, zero loss': { loss: 0n, profits: [] },
  'no profitable account': { loss: 500n, profits: [0n, -1n, -500n, I64_MIN] },
  'zero loss': { loss: 0n, profits: [10n, 20n, -3n] },
  'fund covers all': { loss: 100n, insuranceFund: 100n, profits: [10n, 20n] },
  'fund larger than the loss': { loss: 100n, insuranceFund: MAX, profits: [10n, 20n] },
  'loss above all profits': { loss: 1_000n, insuranceFund: 10n, profits: [100n, -40n, 200n] },
  'loss equal to all profits': { loss: 300n, profits: [100n, 200n, 0n] },
  'single account': { loss: 7n, profits: [1_000n] },
  'single account, loss above it': { loss: 7_000n, profits: [1_000n] },
  'ties: equal profits, one unit': { loss: 1n, profits: [5n, 5n, 5n, 5n] },
  'ties: equal profits, n − 1 units': { loss: 3n, profits: [5n, 5n, 5n, 5n] },
  'ties: equal remainders, different profits': { loss: 1n, profits: [3n, 5n, 3n, 5n] },
  'ties among many units': { loss: 1_000n, profits: Array.from({ length: 7 }, () => 1_000_000n) },
  'zero and negative profits mixed in': { loss: 99n, profits: [0n, 50n, -50n, 0n, 25n, -1n, 25n] },
  'profits near 2^63': { loss: MAX - 5n, profits: [MAX, MAX - 1n, MAX - 2n] },
  'loss near 2^63, sum past 2^64': { loss: MAX, profits: [MAX, MAX, MAX, 1n] },
  'sum past 2^64, small loss': { loss: 5n, profits: [MAX, MAX, MAX, 3n, 2n] },
  'sum just past 2^63': { loss: 2n ** 62n + 1n, profits: [2n ** 62n, 2n ** 62n, 1n] },
  'sum exactly 2^64': { loss: 12345n, profits: [MAX, MAX, 2n] },
  'sum far past 2^64 (4096 accounts near 2^63)': {
    loss: MAX - 1n,
    profits: Array.from({ length: 4096 }, (_, i) => MAX - BigInt(i * 7919)),
  },
  // Total ≈ 2^68, so the kernel lists remainders by their top 64 bits: here those tie
  // while the exact remainders (5·k) differ, and only the exact ones may decide.
  'total past 2^64, remainders equal in their top bits': {
    loss: 5n,
    profits: Array.from({ length: 64 }, (_, i) => 2n ** 62n + BigInt(i % 3)),
  },
  '−2^63 present': { loss: 10n, profits: [I64_MIN, 4n, I64_MIN, 6n] },
  'dinero.js #892': { loss: 3n, profits: [3002399751580333n, 1_000_000_000_000_000n, 501199875790167n] },
  'loss a third of the total': { loss: 100n, profits: Array.from({ length: 300 }, () => 1n) },
  'loss a third of the total, spread': {
    loss: (1n + 2n + 3n + 4n + 5n + 6n) * 1000n / 3n,
    profits: Array.from({ length: 6000 }, (_, i) => BigInt((i % 6) + 1)),
  },
};

describeEachVariant('edge cases', (engine) => {
  it.each(Object.entries(cases))('%s', (_, { loss, insuranceFund = 0n, profits }) => {
    const input = { loss, insuranceFund, profits };
    const result = engine().socialize(input);
    expect(result).toEqual(socializeReference(input));
    expectGuarantees(profits, loss, insuranceFund, result);
  });

  it('gives an empty book an empty, zero result', () => {
    expect(engine().socialize({ loss: 5n, profits: [] })).toEqual({
      haircuts: new BigInt64Array(0), insuranceUsed: 0n, socialized: 0n, uncovered: 5n,
      totalProfit: 0n, profitableAccounts: 0, haircutRate: 0, roundingDust: 0n, surplus: 0n,
    });
  });

  it('charges every unit of a loss equal to the total', () => {
    const r = engine().socialize({ loss: 300n, profits: [100n, -7n, 200n] });
    expect([...r.haircuts]).toEqual([100n, 0n, 200n]);
    expect(r.haircutRate).toBe(1);
  });
});
