// Reading a book once: validation, each pool's totals, and each account's part
// (ineligible, sharing by remainder, or capped). Everything after this — the
// check of given haircuts, the expected haircuts, one account's explanation —
// starts from the same plan, in O(n) plus the capped set's cost.

import { findCapped } from './capped.js';
import { SHARING, type Plan } from './parts.js';
import type { AuditBook, AuditRounding } from './types.js';

const I64_MAX = (1n << 63n) - 1n;
const ROUNDINGS: readonly AuditRounding[] = ['largest-remainder', 'down', 'up'];

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

