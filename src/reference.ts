// The oracle: socialization in plain `bigint` arithmetic, written to be read
// rather than to be fast, and sharing nothing with the WebAssembly core.
// Tests compare the engine with it; it also serves where WebAssembly is not allowed.

import type { SocializeInput, SocializeResult } from './types.js';
import { readInput, readProfit } from './validate.js';

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** SplitMix64 of x (mod 2^64): the order of seeded ties. */
export function splitmix64(x: bigint): bigint {
  const M = (1n << 64n) - 1n;
  let z = (x + 0x9e3779b97f4a7c15n) & M;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
  return z ^ (z >> 31n);
}

/**
 * Splits `loss` over the profitable accounts exactly as `engine.socialize`
 * does, with the same result and the same errors: the insurance fund pays
 * first, the rest is taken pro rata to positive profits (accounts marked in
 * `exempt` excluded), rounded by `rounding`: largest remainder by default
 * (ties to the lower index, or by `splitmix64(tieSeed ^ index)` when seeded),
 * `'down'` (floors; the dust stays uncovered) or `'up'` (ceilings; the surplus
 * goes back to the fund). What all profits cannot cover is `uncovered`.
 *
 * @example
 * socializeReference({ loss: 10n, profits: [5n, 3n, -2n, 2n] }).haircuts
 * // BigInt64Array [5n, 3n, 0n, 2n]
 */
export function socializeReference(input: SocializeInput): SocializeResult {
  const { loss, insuranceFund, profits: source, exempt, rounding, tieSeed } = readInput(input);
  const profits = Array.from({ length: source.length }, (_, i) => readProfit(source[i], i));

  // 1–4: the fund pays first; the profitable accounts pay what is left, up to their total.
  const insuranceUsed = min(loss, insuranceFund);
  const residual = loss - insuranceUsed;
  const eligible = profits.flatMap((profit, index) => (profit > 0n && !exempt?.[index] ? [index] : []));
  const totalProfit = eligible.reduce((sum, index) => sum + profits[index], 0n);
  const target = min(residual, totalProfit);
  const uncoveredByProfits = residual - target;

  // 5: each account's exact quota target·profit/totalProfit: floor and remainder.
  const haircuts = new BigInt64Array(profits.length);
  const remainders = new Array<bigint>(profits.length).fill(0n);
  let floored = 0n;
  if (target > 0n) {
    for (const index of eligible) {
      const numerator = target * profits[index];
      haircuts[index] = numerator / totalProfit;
      remainders[index] = numerator % totalProfit;
      floored += haircuts[index];
    }
  }
  let socialized = target;
  let roundingDust = 0n;
  let surplus = 0n;
  if (rounding === 'down') {
    // Floors only: what rounding leaves uncollected stays uncovered.
    socialized = floored;
    roundingDust = target - floored;
  } else if (rounding === 'up') {
    // Ceilings (never above the profit, as quota ≤ profit): the excess goes back to the fund.
    for (const index of eligible) if (remainders[index] > 0n) haircuts[index] += 1n;
    socialized = haircuts.reduce((sum, h) => sum + h, 0n);
    surplus = socialized - target;
  } else {
    // Largest remainder: one unit each to the largest remainders; equal remainders by
    // ascending splitmix64(tieSeed ^ index) when seeded, then by index.
    const order = (index: number) => (tieSeed === undefined ? 0n : splitmix64(BigInt.asUintN(64, tieSeed ^ BigInt(index))));
    const byRemainder = [...eligible].sort((a, b) => {
      if (remainders[a] !== remainders[b]) return remainders[a] > remainders[b] ? -1 : 1;
      const oa = order(a), ob = order(b);
      return oa !== ob ? (oa < ob ? -1 : 1) : a - b;
    });
    for (const index of byRemainder.slice(0, Number(target - floored))) haircuts[index] += 1n;
  }

  return {
    haircuts,
    insuranceUsed,
    socialized,
    uncovered: uncoveredByProfits + roundingDust,
    totalProfit,
    profitableAccounts: eligible.length,
    haircutRate: totalProfit === 0n ? 0 : Number(socialized) / Number(totalProfit),
    roundingDust,
    surplus,
  };
}
