// The oracle itself, checked against results worked out by hand.
import { describe, expect, it } from 'vitest';
import { socializeReference } from '../src/reference.js';

const haircuts = (loss: bigint, profits: bigint[], insuranceFund = 0n) =>
  [...socializeReference({ loss, insuranceFund, profits }).haircuts];

describe('socializeReference', () => {
  it('splits in proportion when the split is exact', () => {
    expect(haircuts(30n, [10n, 20n, 30n])).toEqual([5n, 10n, 15n]);
  });

  it('gives leftover units to the largest remainders', () => {
    // quotas 100·{100,200,400}/700 = 14.28, 28.57, 57.14 → floors 14, 28, 57 (99); the unit goes to 28.57.
    expect(haircuts(100n, [100n, 200n, 400n])).toEqual([14n, 29n, 57n]);
  });

  it('breaks ties in remainder toward the lower index', () => {
    expect(haircuts(2n, [1n, 1n, 1n])).toEqual([1n, 1n, 0n]);
    expect(haircuts(1n, [3n, 5n, 3n, 5n])).toEqual([0n, 1n, 0n, 0n]);
  });

  it('keeps dinero.js #892 exact where floats fail', () => {
    // 3 split over [3002399751580333, 1e15, 501199875790167]: quotas 1.99.., 0.66.., 0.33.. → [2, 1, 0].
    expect(haircuts(3n, [3002399751580333n, 1_000_000_000_000_000n, 501199875790167n])).toEqual([2n, 1n, 0n]);
  });

  it('uses the fund first and reports what profits cannot cover', () => {
    const r = socializeReference({ loss: 1000n, insuranceFund: 300n, profits: [200n, -50n, 100n] });
    expect(r).toMatchObject({ insuranceUsed: 300n, socialized: 300n, uncovered: 400n, totalProfit: 300n });
    expect([...r.haircuts]).toEqual([200n, 0n, 100n]);
    expect(r.haircutRate).toBe(1);
  });

  it('takes nothing when the fund covers the loss', () => {
    const r = socializeReference({ loss: 50n, insuranceFund: 80n, profits: [10n, 20n] });
    expect(r).toMatchObject({ insuranceUsed: 50n, socialized: 0n, uncovered: 0n, haircutRate: 0 });
    expect([...r.haircuts]).toEqual([0n, 0n]);
  });
});
