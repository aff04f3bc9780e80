// The fastest exact socialization we could write in plain JavaScript: the
// honest baseline a strong engineer would ship without WebAssembly.
//
// - Profits are read as 32-bit words of the BigInt64Array (no BigInt per account).
// - When every profit and the total are below 2^53, each quota is estimated in
//   double arithmetic, x·p with x = S/P, whose error is below `tol`
//   (a few ulps of the largest quota). The float never decides a unit: a quota
//   within `tol` of an integer is recomputed exactly in BigInt, and so is every
//   remainder within 2·tol of the boundary, where the units are then placed by
//   exact comparison. Estimated remainders farther away are provably on the
//   right side (order statistics move by at most `tol` when values do).
// - The boundary is found by a three-way quickselect (duplicates are linear).
// - Otherwise (profits or total ≥ 2^53) it falls back to BigInt arithmetic.

import { socializeReference } from '../../src/reference.js';
import type { SocializeResult } from '../../src/types.js';
import { haircutRate, waterfall } from '../../src/waterfall.js';

const TWO32 = 4_294_967_296;
const SAFE = 2 ** 53;

/** Same result as `socializeReference({ loss, insuranceFund, profits })`, for a BigInt64Array. */
export function socializeFastJs(profits: BigInt64Array, loss: bigint, insuranceFund: bigint): SocializeResult {
  const n = profits.length;
  const words = new Int32Array(profits.buffer, profits.byteOffset, 2 * n);

  // Pass 1: the total of positive profits, exact while it stays below 2^53.
  let total = 0;
  let eligible = 0;
  let largest = 0;
  for (let i = 0; i < n; i++) {
    const high = words[2 * i + 1]!;
    if (high < 0) continue;
    if (high >= 0x20_0000) return socializeReference({ loss, insuranceFund, profits }); // a profit ≥ 2^53
    const p = high * TWO32 + (words[2 * i]! >>> 0);
    if (p === 0) continue;
    total += p;
    eligible++;
    if (p > largest) largest = p;
  }
  if (total >= SAFE) return socializeReference({ loss, insuranceFund, profits });

  const totalProfit = BigInt(total);
  const split = waterfall(loss, insuranceFund, totalProfit);
  const S = Number(split.socialized);
  const haircuts = new BigInt64Array(n);
  const out = new Int32Array(haircuts.buffer);
  const summary = {
    ...split, totalProfit, profitableAccounts: eligible, haircutRate: haircutRate(split.socialized, totalProfit),
  };
  if (S === 0) return { haircuts, ...summary };
  if (S === total) {
    // Every positive profit is taken whole.
    for (let i = 0; i < n; i++) {
      if (words[2 * i + 1]! >= 0) {
        out[2 * i] = words[2 * i]!;
        out[2 * i + 1] = words[2 * i + 1]!;
      }
    }
    return { haircuts, ...summary };
  }

  // |x·p − S·p/P| < tol for every account: two roundings of a quota ≤ largest·x < 2^53.
  const x = S / total;
  const tol = Math.max(largest * x, 1) * 2 ** -48;
  if (tol > 1 / 16) return socializeReference({ loss, insuranceFund, profits });

  // Pass 2: floors (exact), estimated remainders as fractions of P.
  const fractions = new Float64Array(eligible);
  const indices = new Uint32Array(eligible);
  let assigned = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const high = words[2 * i + 1]!;
    if (high < 0) continue;
    const p = high * TWO32 + (words[2 * i]! >>> 0);
    if (p === 0) continue;
    const quota = x * p;
    let q = Math.floor(quota);
    let f = quota - q;
    if (f < tol || f > 1 - tol) {
      // Too close to an integer for the estimate to decide the floor.
      const product = split.socialized * BigInt(p);
      q = Number(product / totalProfit);
      f = Number(product % totalProfit) / total;
    }
    out[2 * i] = q >>> 0;
    out[2 * i + 1] = Math.floor(q / TWO32);
    assigned += q;
    fractions[k] = f;
    indices[k] = i;
    k++;
  }
  const leftover = S - assigned;
  if (leftover === 0) return { haircuts, ...summary };

  // The leftover-th largest estimated fraction; the exact boundary is within tol of it.
  const boundary = selectDescending(fractions.slice(), leftover);
  const unsure: number[] = [];
  let given = 0;
  for (let j = 0; j < eligible; j++) {
    const f = fractions[j]!;
    if (f > boundary + 2 * tol) {
      addUnit(out, indices[j]!);
      given++;
    } else if (f >= boundary - 2 * tol) {
      unsure.push(indices[j]!);
    }
  }
  // Settle the unsure accounts exactly: remainder descending, then index.
  const exact = unsure.map((i) => ({ i, r: (split.socialized * profits[i]!) % totalProfit }));
  exact.sort((a, b) => (a.r > b.r ? -1 : a.r < b.r ? 1 : a.i - b.i));
  const need = leftover - given;
  if (need < 0 || need > exact.length) throw new Error('fast-js: boundary estimate out of tolerance');
  for (let j = 0; j < need; j++) addUnit(out, exact[j]!.i);
  return { haircuts, ...summary };
}

/** One more unit on haircut i, stored as two 32-bit words. */
function addUnit(out: Int32Array, i: number): void {
  const low = (out[2 * i]! >>> 0) + 1;
  out[2 * i] = low >>> 0;
  if (low === TWO32) out[2 * i + 1]! += 1;
}

/** The `rank`-th largest value (1-based) of `values`, which it reorders: three-way quickselect. */
function selectDescending(values: Float64Array, rank: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const target = values.length - rank; // ascending position
  while (lo < hi) {
    const a = values[lo]!, b = values[(lo + hi) >>> 1]!, c = values[hi]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
    // Dijkstra's three-way partition: [lo, lt) < pivot, [lt, gt] == pivot, (gt, hi] > pivot.
    let lt = lo, i = lo, gt = hi;
    while (i <= gt) {
      const v = values[i]!;
      if (v < pivot) {
        values[i] = values[lt]!;
        values[lt++] = v;
        i++;
      } else if (v > pivot) {
        values[i] = values[gt]!;
        values[gt--] = v;
      } else {
        i++;
      }
    }
    if (target < lt) hi = lt - 1;
    else if (target > gt) lo = gt + 1;
    else return pivot;
  }
  return values[target]!;
}
