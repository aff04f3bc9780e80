// The oracle: socialization in plain `bigint` arithmetic, written to be read
// rather than to be fast, and sharing nothing with the WebAssembly core.
// Tests compare the engine with it; it also serves where WebAssembly is not allowed.

import type { SocializeInput, SocializeResult } from './types.js';
import { readInput, readProfit } from './validate.js';

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/**
 * Splits `loss` over the profitable accounts exactly as `engine.socialize`
 * does, with the same result and the same errors: the insurance fund pays
 * first, the rest is taken pro rata to positive profits by the
 * largest-remainder method (ties to the lower index), and what all profits
 * cannot cover is `uncovered`.
 *
 * @example
 * socializeReference({ loss: 10n, profits: [5n, 3n, -2n, 2n] }).haircuts
 * // BigInt64Array [5n, 3n, 0n, 2n]
 */
export function socializeReference(input: SocializeInput): SocializeResult {
  const { loss, insuranceFund, profits: source } = readInput(input);
  const profits = Array.from({ length: source.length }, (_, i) => readProfit(source[i], i));

  // 1–4: the fund pays first; the profitable accounts pay what is left, up to their total.
  const insuranceUsed = min(loss, insuranceFund);
  const residual = loss - insuranceUsed;
  const eligible = profits.flatMap((profit, index) => (profit > 0n ? [index] : []));
  const totalProfit = eligible.reduce((sum, index) => sum + profits[index], 0n);
  const socialized = min(residual, totalProfit);
  const uncovered = residual - socialized;

  // 5: each account's exact quota socialized·profit/totalProfit, floored...
  const haircuts = new BigInt64Array(profits.length);
  const remainders = new Array<bigint>(profits.length).fill(0n);
  let floored = 0n;
  if (socialized > 0n) {
    for (const index of eligible) {
      const numerator = socialized * profits[index];
      haircuts[index] = numerator / totalProfit;
      remainders[index] = numerator % totalProfit;
      floored += haircuts[index];
    }
  }
  // ...then one unit each to the largest remainders, lower index first on ties.
  const byRemainder = [...eligible].sort((a, b) =>
    remainders[a] > remainders[b] ? -1 : remainders[a] < remainders[b] ? 1 : a - b,
  );
  for (const index of byRemainder.slice(0, Number(socialized - floored))) haircuts[index] += 1n;

  return {
    haircuts,
    insuranceUsed,
    socialized,
    uncovered,
    totalProfit,
    profitableAccounts: eligible.length,
    haircutRate: totalProfit === 0n ? 0 : Number(socialized) / Number(totalProfit),
  };
}
