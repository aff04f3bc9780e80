// Certifying haircuts without recomputing the selection: one pass checks that
// each haircut is what its part allows (0, its cap, its floor, its ceiling, or
// floor-or-floor+1 under largest remainder), the sums, and — for largest
// remainder — that every account with the extra unit ranks before every one
// without, which with the right count is exactly the rule. Only when a check
// fails are the expected haircuts computed in full, to report the differences.

import { expectedHaircuts } from './expected.js';
import { makePlan } from './plan.js';
import { capOf, CAPPED, SHARING, type Plan } from './parts.js';
import { tieKey } from './ties.js';
import { poolTotals } from './totals.js';
import type { AuditBook, CertifyResult, Difference, PoolTotals } from './types.js';

/** What the passing check learns per pool: Σ floors, non-zero remainders, Σ found. */
interface Rounded {
  floorTotal: bigint[];
  fractional: number[];
  found: bigint[];
}

/**
 * Checks `haircuts` against the rule for `book` with arithmetic independent of
 * the engine: O(n) when they are right (plus the capped set's cost with
 * weights). When any is wrong, computes the expected haircuts in full and
 * reports how many differ and the first `limit` differences by index.
 * Throws RangeError when `haircuts` does not have one entry per account, or
 * when the book is malformed.
 *
 * @example
 * certify({ profits: BigInt64Array.from([5n, 3n, -2n, 2n]), pools: [{ loss: 5n, insuranceFund: 0n }],
 *   rounding: 'largest-remainder' }, BigInt64Array.from([3n, 1n, 0n, 1n])).ok // true
 */
export function certify(book: AuditBook, haircuts: BigInt64Array, limit = 10): CertifyResult {
  const plan = makePlan(book);
  if (!(haircuts instanceof BigInt64Array)) throw new TypeError('haircuts must be a BigInt64Array');
  if (haircuts.length !== plan.n) throw new RangeError(`haircuts has ${haircuts.length} entries for ${plan.n} accounts`);
  const passed = check(plan, haircuts);
  if (passed !== null) {
    return { ok: true, accounts: plan.n, mismatches: 0, differences: [], pools: totalsOf(plan, passed) };
  }
  const expected = expectedHaircuts(plan);
  const found = new Array<bigint>(plan.poolCount).fill(0n);
  const differences: Difference[] = [];
  let mismatches = 0;
  for (let i = 0; i < plan.n; i++) {
    const h = haircuts[i]!, e = expected.haircuts[i]!;
    found[plan.pool === undefined ? 0 : plan.pool[i]!]! += h;
    if (h !== e) {
      mismatches++;
      if (differences.length < limit) differences.push({ index: i, expected: e, found: h });
    }
  }
  return {
    ok: mismatches === 0, accounts: plan.n, mismatches, differences,
    pools: totalsOf(plan, { floorTotal: expected.floorTotal, fractional: expected.fractional, found }),
  };
}

/**
 * The haircuts the rule gives for `book`, computed in full by the auditor's own
 * arithmetic (floors, remainders, quickselect of the L best remainders per
 * pool), with every pool's totals (`found` is then the Σ of these haircuts).
 */
export function auditHaircuts(book: AuditBook): { haircuts: BigInt64Array; pools: PoolTotals[] } {
  const plan = makePlan(book);
  const expected = expectedHaircuts(plan);
  const found = new Array<bigint>(plan.poolCount).fill(0n);
  for (let i = 0; i < plan.n; i++) found[plan.pool === undefined ? 0 : plan.pool[i]!]! += expected.haircuts[i]!;
  return { haircuts: expected.haircuts, pools: totalsOf(plan, { floorTotal: expected.floorTotal, fractional: expected.fractional, found }) };
}

/** The one-pass check: per-pool facts when every haircut is right, else null. */
function check(plan: Plan, haircuts: BigInt64Array): Rounded | null {
  const { n, part, pool, poolCount, shareBy, shared: R, sharedWeight: W, rounding, seed } = plan;
  const floorTotal = new Array<bigint>(poolCount).fill(0n);
  const fractional = new Array<number>(poolCount).fill(0);
  const found = new Array<bigint>(poolCount).fill(0n);
  const largest = rounding === 'largest-remainder';
  // Largest remainder, per pool: the smallest remainder that got an extra unit and
  // the last-ranked account holding it; the largest that did not and the
  // first-ranked account holding it. Tie keys only when two of them meet.
  const minExtra = W.slice(); // above any remainder: "none yet"
  const lastExtra = new Int32Array(poolCount).fill(-1);
  const lastKey = new Array<bigint | undefined>(poolCount);
  const maxPlain = new Array<bigint>(poolCount).fill(-1n);
  const firstPlain = new Int32Array(poolCount).fill(-1);
  const firstKey = new Array<bigint | undefined>(poolCount);
  const keyOf = (keys: (bigint | undefined)[], at: Int32Array, k: number): bigint => (keys[k] ??= tieKey(seed!, at[k]!));
  for (let i = 0; i < n; i++) {
    const k = pool === undefined ? 0 : pool[i]!;
    const h = haircuts[i]!;
    found[k]! += h;
    const what = part[i];
    if (what === SHARING) {
      const w = W[k]!;
      // h·W vs shared·weight: the remainder if h is the floor, or W less if h is floor + 1.
      const r0 = R[k]! * shareBy[i]! - h * w;
      if (r0 >= 0n) {
        if (r0 >= w) return null;
        floorTotal[k]! += h;
        if (r0 > 0n) {
          if (rounding === 'up') return null;
          fractional[k]!++;
        }
        if (!largest) continue;
        if (r0 > maxPlain[k]!) {
          maxPlain[k] = r0;
          firstPlain[k] = i;
          firstKey[k] = undefined;
        } else if (r0 === maxPlain[k] && seed !== undefined) {
          // Indices ascend: a later account ranks first only by a smaller key.
          const key = tieKey(seed, i);
          if (key < keyOf(firstKey, firstPlain, k)) {
            firstPlain[k] = i;
            firstKey[k] = key;
          }
        }
      } else {
        if (rounding === 'down' || r0 < -w) return null;
        const r = r0 + w;
        if (r === 0n) return null; // an exact quota never takes an extra unit (nor a ceiling above it)
        floorTotal[k]! += h - 1n;
        fractional[k]!++;
        if (!largest) continue;
        if (r < minExtra[k]!) {
          minExtra[k] = r;
          lastExtra[k] = i;
          lastKey[k] = undefined;
        } else if (r === minExtra[k]) {
          // Indices ascend: a later account ranks last unless its key is smaller.
          if (seed === undefined) {
            lastExtra[k] = i;
          } else {
            const key = tieKey(seed, i);
            if (key >= keyOf(lastKey, lastExtra, k)) {
              lastExtra[k] = i;
              lastKey[k] = key;
            }
          }
        }
      }
    } else if (what === CAPPED) {
      if (h !== capOf(plan, i)) return null;
    } else if (h !== 0n) {
      return null;
    }
  }
  if (largest) {
    for (let k = 0; k < poolCount; k++) {
      // With every haircut a floor or floor + 1, the sum fixes the count of extra units at L.
      if (found[k] !== plan.target[k]) return null;
      if (minExtra[k]! < maxPlain[k]!) return null;
      if (minExtra[k] === maxPlain[k]) {
        // A tie across the boundary: every tied account with the unit must rank before every one without.
        const before = seed === undefined ? lastExtra[k]! < firstPlain[k]! : (() => {
          const a = keyOf(lastKey, lastExtra, k), b = keyOf(firstKey, firstPlain, k);
          return a < b || (a === b && lastExtra[k]! < firstPlain[k]!);
        })();
        if (!before) return null;
      }
    }
  }
  return { floorTotal, fractional, found };
}

/** Every pool's totals by the rule, from the plan and the per-pool facts. */
function totalsOf(plan: Plan, { floorTotal, fractional, found }: Rounded): PoolTotals[] {
  return plan.loss.map((_, k) => poolTotals(plan, k, floorTotal[k]!, fractional[k]!, found[k]!));
}
