// The loss waterfall, steps 1–4 of the contract: the insurance fund pays
// first, the profitable accounts pay what is left up to their total profit,
// and the rest is uncovered. Scalars only; the per-account split is the core's.

/** How a loss divides between the fund, the profitable accounts and nobody. */
export interface Waterfall {
  /** min(loss, insuranceFund). */
  insuranceUsed: bigint;
  /** min(loss − insuranceUsed, totalProfit). */
  socialized: bigint;
  /** loss − insuranceUsed − socialized. */
  uncovered: bigint;
}

/** The waterfall's first step: the fund pays min(loss, insuranceFund); `residual` is what is left to cover. */
export function residualOf(loss: bigint, insuranceFund: bigint): { insuranceUsed: bigint; residual: bigint } {
  const insuranceUsed = loss < insuranceFund ? loss : insuranceFund;
  return { insuranceUsed, residual: loss - insuranceUsed };
}

/** Splits `loss` given the fund and the exact total of positive profits. */
export function waterfall(loss: bigint, insuranceFund: bigint, totalProfit: bigint): Waterfall {
  const { insuranceUsed, residual } = residualOf(loss, insuranceFund);
  const socialized = residual < totalProfit ? residual : totalProfit;
  return { insuranceUsed, socialized, uncovered: residual - socialized };
}

/** socialized / totalProfit as a float, for display only (0 when nothing is profitable). */
export function haircutRate(socialized: bigint, totalProfit: bigint): number {
  return totalProfit === 0n ? 0 : Number(socialized) / Number(totalProfit);
}
