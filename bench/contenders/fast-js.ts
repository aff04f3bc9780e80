// The fastest exact socialization we could write in plain JavaScript: the
// honest baseline a strong engineer would ship without WebAssembly.
//
// - Profits are read as 32-bit words of the BigInt64Array (no BigInt per
//   account); exact totals are kept as chunked sums of words, folded into a
//   bigint before any partial sum could pass 2^53.
// - Each quota is estimated in double arithmetic, x·p with x = S/P, whose error
//   is below `tol` (a few ulps of the largest quota). The float never decides a
//   unit: a quota within `tol` of an integer is recomputed exactly in BigInt,
//   and so is every remainder within 2·tol of the boundary, where the units are
//   then placed by exact comparison. Estimated remainders farther away are
//   provably on the right side (order statistics move by at most `tol` when
//   values do).
// - The boundary is found by a three-way quickselect (duplicates are linear).
// - Quotas of 2^44 units or more leave the estimate too coarse: it falls back
//   to BigInt arithmetic for everything (the reference), as in the *wide* profile.

import { socializeReference } from '../../src/reference.js';
import type { SocializeResult } from '../../src/types.js';
import { haircutRate, waterfall } from '../../src/waterfall.js';

const TWO32 = 4_294_967_296;
/** Accounts per chunk: 2^20 words of < 2^32 sum below 2^52, exactly. */
const CHUNK = 1 << 20;
/** Floors per fold: 512 floors of < 2^44 sum below 2^53, exactly. */
const FOLD = 512;

/** Same result as `socializeReference({ loss, insuranceFund, profits })` (default rounding, no exemptions), for a BigInt64Array. */
export function socializeFastJs(profits: BigInt64Array, loss: bigint, insuranceFund: bigint): SocializeResult {
  const n = profits.length;
  const words = new Int32Array(profits.buffer, profits.byteOffset, 2 * n);

  // Pass 1: the exact total of positive profits, as chunked sums of their two words.
  let totalProfit = 0n;
  let eligible = 0;
  let largest = 0;
  for (let from = 0; from < n; from += CHUNK) {
    let lows = 0;
    let highs = 0;
    for (let i = from, end = Math.min(n, from + CHUNK); i < end; i++) {
      const high = words[2 * i + 1]!;
      const low = words[2 * i]! >>> 0;
      if (high < 0 || (high === 0 && low === 0)) continue;
      lows += low;
      highs += high;
      eligible++;
      const p = high * TWO32 + low;
      if (p > largest) largest = p;
    }
    totalProfit += BigInt(highs) * 4_294_967_296n + BigInt(lows);
  }

  const split = waterfall(loss, insuranceFund, totalProfit);
  const haircuts = new BigInt64Array(n);
  const out = new Int32Array(haircuts.buffer);
  const summary = {
    ...split, totalProfit, profitableAccounts: eligible, haircutRate: haircutRate(split.socialized, totalProfit),
    roundingDust: 0n, surplus: 0n,
  };
  if (split.socialized === 0n) return { haircuts, ...summary };
  if (split.socialized === totalProfit) {
    // Every positive profit is taken whole.
    for (let i = 0; i < n; i++) {
      if (words[2 * i + 1]! >= 0) {
        out[2 * i] = words[2 * i]!;
        out[2 * i + 1] = words[2 * i + 1]!;
      }
    }
    return { haircuts, ...summary };
  }

  // |x·p − S·p/P| < tol for every account: three roundings (x, p, the product) of a quota ≤ largest·x.
  const total = Number(totalProfit);
  const x = Number(split.socialized) / total;
  const tol = Math.max(largest * x, 1) * 2 ** -48;
  if (tol > 1 / 16) return socializeReference({ loss, insuranceFund, profits });

  // Pass 2: floors (exact), estimated remainders as fractions of P.
  const fractions = new Float64Array(eligible);
  const indices = new Uint32Array(eligible);
  let assigned = 0n;
  let partial = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const high = words[2 * i + 1]!;
    const low = words[2 * i]! >>> 0;
    if (high < 0 || (high === 0 && low === 0)) continue;
    const quota = x * (high * TWO32 + low);
    let q = Math.floor(quota);
    let f = quota - q;
    if (f < tol || f > 1 - tol) {
      // Too close to an integer for the estimate to decide the floor.
      const product = split.socialized * profits[i]!;
      q = Number(product / totalProfit);
      f = Number(product % totalProfit) / total;
    }
    out[2 * i] = q >>> 0;
    out[2 * i + 1] = Math.floor(q / TWO32);
    partial += q;
    fractions[k] = f;
    indices[k] = i;
    if (++k % FOLD === 0) {
      assigned += BigInt(partial);
      partial = 0;
    }
  }
  const leftover = Number(split.socialized - assigned - BigInt(partial));
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
