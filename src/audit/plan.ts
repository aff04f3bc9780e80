// Reading a book once: validation, each pool's totals, and each account's part
// (ineligible, sharing by remainder, or capped). Everything after this — the
// check of given haircuts, the expected haircuts, one account's explanation —
// starts from the same plan, in O(n) plus the capped set's cost.

import { findCapped } from './capped.js';
import type { AuditBook, AuditRounding } from './types.js';

/** An account's part: not eligible (pays 0). */
export const INELIGIBLE = 0;
/** An account's part: eligible and uncapped, shares R by weight (or profit). */
export const SHARING = 1;
/** An account's part: pays exactly its cap (weights only). */
export const CAPPED = 2;

const I64_MAX = (1n << 63n) - 1n;
const ROUNDINGS: readonly AuditRounding[] = ['largest-remainder', 'down', 'up'];

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

function checkLength(name: string, column: { length: number } | undefined, n: number): void {
  if (column !== undefined && column.length !== n) {
    throw new RangeError(`${name} has ${column.length} entries for ${n} accounts`);
  }
}

function checkAmount(name: string, value: unknown): bigint {
  if (typeof value !== 'bigint') throw new TypeError(`${name} must be a bigint, got ${typeof value}`);
  if (value < 0n || value > I64_MAX) throw new RangeError(`${name} must be in [0, 2^63 − 1], got ${value}`);
  return value;
}

/**
 * Reads and checks `book` (lengths, pool indices, non-negative weights and caps,
 * amounts in range) and computes every pool's totals and capped set.
 * Throws RangeError or TypeError naming the field (and index) at fault.
 */
export function makePlan(book: AuditBook): Plan {
  const { profits, pool, pools, exempt, weights, caps, rounding } = book;
  if (!(profits instanceof BigInt64Array)) throw new TypeError('profits must be a BigInt64Array');
  if (!ROUNDINGS.includes(rounding)) throw new RangeError(`rounding must be one of ${ROUNDINGS.join(', ')}, got ${String(rounding)}`);
  const n = profits.length;
  checkLength('pool', pool, n);
  checkLength('exempt', exempt, n);
  checkLength('weights', weights, n);
  checkLength('caps', caps, n);
  if (caps !== undefined && weights === undefined) throw new RangeError('caps apply only with weights');
  const poolCount = pools.length;
  if (poolCount === 0 && n > 0) throw new RangeError('pools is empty but the book has accounts');
  const loss = pools.map((p, k) => checkAmount(`pools[${k}].loss`, p.loss));
  const fund = pools.map((p, k) => checkAmount(`pools[${k}].insuranceFund`, p.insuranceFund));
  let seed: bigint | undefined;
  if (book.tieSeed !== undefined && rounding === 'largest-remainder') {
    if (typeof book.tieSeed !== 'bigint') throw new TypeError('tieSeed must be a bigint');
    seed = BigInt.asUintN(64, book.tieSeed);
  }

  const weighted = weights !== undefined;
  const plan: Plan = {
    n, poolCount, pool, weighted, rounding, seed,
    shareBy: weights ?? profits, profits, caps, exempt,
    part: new Uint8Array(n),
    loss, fund,
    insuranceUsed: loss.map((l, k) => (l < fund[k]! ? l : fund[k]!)),
    residual: [], totalProfit: pools.map(() => 0n), totalWeight: pools.map(() => 0n),
    eligible: pools.map(() => 0), target: [], capped: pools.map(() => 0),
    cappedTotal: pools.map(() => 0n), shared: [], sharedWeight: [],
  };
  plan.residual = loss.map((l, k) => l - plan.insuranceUsed[k]!);

  const { part, totalProfit, totalWeight, eligible } = plan;
  for (let i = 0; i < n; i++) {
    const k = pool === undefined ? 0 : pool[i]!;
    if (k >= poolCount) throw new RangeError(`pool[${i}] is ${k}, but there are ${poolCount} pools`);
    if (weighted) {
      const w = weights[i]!;
      if (w < 0n) throw new RangeError(`weights[${i}] is negative (${w})`);
      const c = caps === undefined ? profits[i]! : caps[i]!;
      if (caps !== undefined && c < 0n) throw new RangeError(`caps[${i}] is negative (${c})`);
      if ((exempt !== undefined && exempt[i] !== 0) || w === 0n || c <= 0n) continue;
      totalProfit[k]! += c;
      totalWeight[k]! += w;
    } else {
      const p = profits[i]!;
      if ((exempt !== undefined && exempt[i] !== 0) || p <= 0n) continue;
      totalProfit[k]! += p;
    }
    part[i] = SHARING;
    eligible[k]!++;
  }
  plan.target = plan.residual.map((r, k) => (r < totalProfit[k]! ? r : totalProfit[k]!));
  plan.shared = plan.target.slice();
  plan.sharedWeight = weighted ? totalWeight.slice() : totalProfit.slice();
  if (weighted) findCapped(plan);
  return plan;
}

/** The pool of account i. */
export function poolOf(plan: Plan, i: number): number {
  return plan.pool === undefined ? 0 : plan.pool[i]!;
}
