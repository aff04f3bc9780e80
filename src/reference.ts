// The oracle: socialization in plain `bigint` arithmetic, written to be read
// rather than to be fast, and sharing nothing with the WebAssembly core.
// Tests compare the engine with it; it also serves where WebAssembly is not allowed.

import type { SocializeInput, SocializePoolsInput, SocializePoolsResult, SocializeResult, SocializeSummary } from './types.js';
import { poolOutOfRange, readInput, readPoolsInput, readProfit, type Params } from './validate.js';

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
  const { profits: source, exempt, ...params } = readInput(input);
  const profits = Array.from({ length: source.length }, (_, i) => readProfit(source[i], i));
  const haircuts = new BigInt64Array(profits.length);
  const remainders = new Array<bigint>(profits.length).fill(0n);
  const summary = socializeGroup(profits, profits.map((_, i) => i), exempt, params, haircuts, remainders);
  return { haircuts, ...summary };
}

/**
 * `socializeReference` per pool: every pool exactly as if it were socialized on its own,
 * with ties decided by each account's index in the whole book.
 */
export function socializePoolsReference(input: SocializePoolsInput): SocializePoolsResult {
  const { profits: source, pool, pools, options, exempt } = readPoolsInput(input);
  const bad = pool.findIndex((k) => k >= pools.length);
  if (bad >= 0) throw poolOutOfRange(bad, pool[bad]!, pools.length);
  const profits = Array.from({ length: source.length }, (_, i) => readProfit(source[i], i));
  const haircuts = new BigInt64Array(profits.length);
  const remainders = new Array<bigint>(profits.length).fill(0n);
  const members = pools.map(() => [] as number[]);
  pool.forEach((k, i) => members[k]!.push(i));
  return { haircuts, pools: pools.map((amounts, k) => socializeGroup(profits, members[k]!, exempt, { ...amounts, ...options }, haircuts, remainders)) };
}

/**
 * Socializes over the accounts `members` (ascending indices) of `profits`, writing their
 * haircuts; `remainders` is scratch, one entry per account of the book.
 */
function socializeGroup(
  profits: bigint[], members: number[], exempt: Uint8Array | undefined, params: Params,
  haircuts: BigInt64Array, remainders: bigint[],
): SocializeSummary {
  const { loss, insuranceFund, rounding, tieSeed } = params;
  // 1–4: the fund pays first; the profitable accounts pay what is left, up to their total.
  const insuranceUsed = min(loss, insuranceFund);
  const residual = loss - insuranceUsed;
  const eligible = members.filter((index) => profits[index]! > 0n && !exempt?.[index]);
  const totalProfit = eligible.reduce((sum, index) => sum + profits[index]!, 0n);
  const target = min(residual, totalProfit);
  const uncoveredByProfits = residual - target;

  // 5: each account's exact quota target·profit/totalProfit: floor and remainder.
  for (const index of members) {
    haircuts[index] = 0n;
    remainders[index] = 0n;
  }
  let floored = 0n;
  if (target > 0n) {
    for (const index of eligible) {
      const numerator = target * profits[index]!;
      haircuts[index] = numerator / totalProfit;
      remainders[index] = numerator % totalProfit;
      floored += haircuts[index]!;
    }
  }
  const remainder = (index: number) => remainders[index]!;
  let socialized = target;
  let roundingDust = 0n;
  let surplus = 0n;
  if (rounding === 'down') {
    // Floors only: what rounding leaves uncollected stays uncovered.
    socialized = floored;
    roundingDust = target - floored;
  } else if (rounding === 'up') {
    // Ceilings (never above the profit, as quota ≤ profit): the excess goes back to the fund.
    for (const index of eligible) if (remainder(index) > 0n) haircuts[index]! += 1n;
    socialized = members.reduce((sum, index) => sum + haircuts[index]!, 0n);
    surplus = socialized - target;
  } else {
    // Largest remainder: one unit each to the largest remainders; equal remainders by
    // ascending splitmix64(tieSeed ^ index) when seeded, then by index.
    const order = (index: number) => (tieSeed === undefined ? 0n : splitmix64(BigInt.asUintN(64, tieSeed ^ BigInt(index))));
    const byRemainder = [...eligible].sort((a, b) => {
      if (remainder(a) !== remainder(b)) return remainder(a) > remainder(b) ? -1 : 1;
      const oa = order(a), ob = order(b);
      return oa !== ob ? (oa < ob ? -1 : 1) : a - b;
    });
    for (const index of byRemainder.slice(0, Number(target - floored))) haircuts[index]! += 1n;
  }

  return {
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
