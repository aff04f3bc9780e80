// The shape of a plan (plan.ts makes it, capped.ts finds its capped set, the rest
// read it): each account's part, each pool's totals, and two accessors. Kept apart
// so that plan.ts and capped.ts both depend on it and not on each other.

import type { AuditRounding } from './types.js';

/** An account's part: not eligible (pays 0). */
export const INELIGIBLE = 0;
/** An account's part: eligible and uncapped, shares R by weight (or profit). */
export const SHARING = 1;
/** An account's part: pays exactly its cap (weights only). */
export const CAPPED = 2;

/** A book read and split into its pools: per-pool totals (arrays by pool index) and per-account parts. */
export interface Plan {
  /** Accounts. */
  n: number;
  /** Pools. */
  poolCount: number;
  /** Each account's pool, or undefined for one pool. */
  pool: Uint32Array | undefined;
  /** By weight (with caps) or by profit. */
  weighted: boolean;
  /** The rounding policy. */
  rounding: AuditRounding;
  /** The tie seed modulo 2^64, under largest remainder only. */
  seed: bigint | undefined;
  /** What an account shares by: its weight, or its profit. */
  shareBy: BigInt64Array;
  /** The profits. */
  profits: BigInt64Array;
  /** The given caps (weights only; absent: max(profit, 0)). */
  caps: BigInt64Array | undefined;
  /** The exemptions. */
  exempt: Uint8Array | undefined;
  /** Each account's part: INELIGIBLE, SHARING or CAPPED. */
  part: Uint8Array;
  /** Per pool: loss. */
  loss: bigint[];
  /** Per pool: insurance fund. */
  fund: bigint[];
  /** Per pool: min(loss, fund). */
  insuranceUsed: bigint[];
  /** Per pool: loss − insuranceUsed. */
  residual: bigint[];
  /** Per pool: Σ eligible profits (weights: Σ eligible caps). */
  totalProfit: bigint[];
  /** Per pool: Σ eligible weights (weights only; else 0). */
  totalWeight: bigint[];
  /** Per pool: eligible accounts. */
  eligible: number[];
  /** Per pool: min(residual, totalProfit). */
  target: bigint[];
  /** Per pool: capped accounts. */
  capped: number[];
  /** Per pool: Σ caps of capped accounts. */
  cappedTotal: bigint[];
  /** Per pool: R = target − cappedTotal. */
  shared: bigint[];
  /** Per pool: W = Σ weights (profits) of the sharing accounts. */
  sharedWeight: bigint[];
}

/** The cap of account i under the plan (weights only). */
export function capOf(plan: Plan, i: number): bigint {
  if (plan.caps !== undefined) return plan.caps[i]!;
  const p = plan.profits[i]!;
  return p > 0n ? p : 0n;
}

/** The pool of account i. */
export function poolOf(plan: Plan, i: number): number {
  return plan.pool === undefined ? 0 : plan.pool[i]!;
}
