// One pool's totals by the rule, from the plan and what the rounding pass learnt.

import type { Plan } from './parts.js';
import type { PoolTotals } from './types.js';

/**
 * Pool k's totals: `floorTotal` (Σ floors of the sharing accounts) and
 * `fractional` (how many have a non-zero remainder) fix what each policy
 * collects; `found` is the Σ of the haircuts being checked.
 */
export function poolTotals(plan: Plan, k: number, floorTotal: bigint, fractional: number, found: bigint): PoolTotals {
  const target = plan.target[k]!;
  const leftover = plan.shared[k]! - floorTotal;
  const collected = plan.cappedTotal[k]! + floorTotal;
  const { rounding } = plan;
  // 'down' collects the floors (the leftover is dust); 'up' the ceilings (beyond target: surplus).
  const socialized = rounding === 'down' ? collected : rounding === 'up' ? collected + BigInt(fractional) : target;
  const roundingDust = rounding === 'down' ? leftover : 0n;
  return {
    pool: k, loss: plan.loss[k]!, insuranceFund: plan.fund[k]!, insuranceUsed: plan.insuranceUsed[k]!,
    residual: plan.residual[k]!, target, socialized, uncovered: plan.residual[k]! - target + roundingDust,
    totalProfit: plan.totalProfit[k]!, totalWeight: plan.weighted ? plan.totalWeight[k]! : null,
    eligible: plan.eligible[k]!, capped: plan.capped[k]!, cappedTotal: plan.cappedTotal[k]!,
    shared: plan.shared[k]!, sharedWeight: plan.sharedWeight[k]!, floorTotal, leftover, fractional,
    roundingDust, surplus: rounding === 'up' ? socialized - target : 0n, found,
  };
}
