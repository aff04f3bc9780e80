// A split's summary from its waterfall and what the core wrote: fields of the result, no unit decided.

import type { Rounding, SocializeSummary } from '../types.js';
import { haircutRate, type Waterfall } from '../waterfall.js';

/** A pool's or a book's summary from the waterfall and Σ haircuts the core wrote. */
export function summarize(plan: Waterfall, totalProfit: bigint, profitableAccounts: number, written: bigint, rounding: Rounding): SocializeSummary {
  // Under 'down' the kernel collects less than the target (dust), under 'up' more (surplus).
  const roundingDust = rounding === 'down' ? plan.socialized - written : 0n;
  const surplus = rounding === 'up' ? written - plan.socialized : 0n;
  return {
    insuranceUsed: plan.insuranceUsed,
    socialized: written,
    uncovered: plan.uncovered + roundingDust,
    totalProfit,
    profitableAccounts,
    haircutRate: haircutRate(written, totalProfit),
    roundingDust,
    surplus,
  };
}
