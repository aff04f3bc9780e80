// The split by weight's first phase: Σ eligible weights and Σ their caps (128-bit),
// how many, one mask byte per account, and the first negative weight and cap.

import { addLanes, high } from '../wide';
import { capsGiven, capsOf, countOf, maskOf, openLanes, poolOf, positivePart, settleExempt, weightsOf } from '../columns';
import {
  MASK_OUT, MASK_SHARES, POOLS_BAD_POOL, POOLS_NEGATIVE_CAP, POOLS_NEGATIVE_WEIGHT, POOLS_WEIGHTED, POOL_TOTAL, POOL_WEIGHT,
  SPLIT_ELIGIBLE, SPLIT_NEGATIVE_CAP, SPLIT_NEGATIVE_WEIGHT, SPLIT_TOTAL, SPLIT_WEIGHT,
} from '../layout';
import { copyTotals, sumByPool } from '../pools/sums';
import { poolsOf, rowOf, totalsOf } from '../pools/table';

/**
 * Phase `sumWeights` (book record, split record): SPLIT_WEIGHT = Σ eligible weights,
 * SPLIT_TOTAL = Σ their caps (the book's caps column, or max(profit, 0)), SPLIT_ELIGIBLE,
 * and SPLIT_NEGATIVE_WEIGHT / SPLIT_NEGATIVE_CAP the first negative weight and cap of a
 * given caps column (−1: none; the sums are then unused). Writes the mask.
 */
export function sumWeights(book: usize, split: usize): void {
  const weightLow = sumMasked(book);
  store<u64>(split + SPLIT_WEIGHT, weightLow);
  store<u64>(split + SPLIT_WEIGHT, weightHigh, 8);
  store<u64>(split + SPLIT_TOTAL, capLow);
  store<u64>(split + SPLIT_TOTAL, capHigh, 8);
  store<u32>(split + SPLIT_ELIGIBLE, eligibleCount);
  store<i32>(split + SPLIT_NEGATIVE_WEIGHT, negativeWeight);
  store<i32>(split + SPLIT_NEGATIVE_CAP, negativeCap);
}

/**
 * Phase helper `sumWeightedOne` (book record, pools record of one pool): `sumWeightedPools`
 * for a book whose accounts are all in pool 0, in `sumWeights`' one pass (no pool column
 * read): a sharded book's shard split by weight without pools.
 */
export function sumWeightedOne(book: usize, table: usize): void {
  const weightLow = sumMasked(book);
  store<i32>(table + POOLS_NEGATIVE_WEIGHT, negativeWeight);
  store<i32>(table + POOLS_NEGATIVE_CAP, negativeCap);
  store<u32>(table + POOLS_WEIGHTED, 1);
  store<i32>(table + POOLS_BAD_POOL, -1);
  const row = rowOf(table, 0);
  store<u64>(row + POOL_WEIGHT, weightLow);
  store<u64>(row + POOL_WEIGHT, weightHigh, 8);
  store<u64>(row + POOL_TOTAL, capLow);
  store<u64>(row + POOL_TOTAL, capHigh, 8);
}

/**
 * Phase `sumWeightedPools` (book record, pools record): as `sumWeights` over the whole
 * book (POOLS_NEGATIVE_WEIGHT, POOLS_NEGATIVE_CAP), then each pool's Σ eligible weights
 * (POOL_WEIGHT) and caps (POOL_TOTAL), and POOLS_BAD_POOL. Marks the record split by weight.
 */
export function sumWeightedPools(book: usize, table: usize): void {
  sumMasked(book);
  store<i32>(table + POOLS_NEGATIVE_WEIGHT, negativeWeight);
  store<i32>(table + POOLS_NEGATIVE_CAP, negativeCap);
  store<u32>(table + POOLS_WEIGHTED, 1);
  store<i32>(table + POOLS_BAD_POOL, -1);
  if (negativeWeight >= 0 || negativeCap >= 0) return;
  const pools = poolsOf(table), totals = totalsOf(table), n = countOf(book), mask = maskOf(book);
  const bad = sumByPool(weightsOf(book), poolOf(book), mask, n, pools, totals);
  store<i32>(table + POOLS_BAD_POOL, bad);
  if (bad >= 0) return;
  copyTotals(table, totals, POOL_WEIGHT);
  sumByPool(capsOf(book), poolOf(book), mask, n, pools, totals);
  copyTotals(table, totals, POOL_TOTAL);
}

let capLow: u64 = 0, capHigh: u64 = 0, weightHigh: u64 = 0, eligibleCount: u32 = 0;
let negativeWeight: i32 = -1, negativeCap: i32 = -1;

/** The sums pass over a book: returns Σ eligible weights' low half; the rest in this module's globals. Branch-free. */
function sumMasked(book: usize): u64 {
  const weights = weightsOf(book), caps = capsOf(book), mask = maskOf(book), n = countOf(book);
  const checked = capsGiven(book);
  const exempt = settleExempt(book);
  const low = exempt == 0
    ? sumWeightedLoop(weights, caps, 0, mask, n, checked, false)
    : sumWeightedLoop(weights, caps, exempt, mask, n, checked, true);
  negativeWeight = -1;
  negativeCap = -1;
  if (signs < 0) {
    // Some sign bit was set: find the first negative weight and the first negative cap.
    for (let i: u32 = 0; i < n && negativeWeight < 0; i++) if (load<i64>(weights + (<usize>i << 3)) < 0) negativeWeight = <i32>i;
    for (let i: u32 = 0; checked && i < n && negativeCap < 0; i++) if (load<i64>(caps + (<usize>i << 3)) < 0) negativeCap = <i32>i;
  }
  return low;
}

let signs: i64 = 0;

// @ts-ignore: decorator
@inline function sumWeightedLoop(
  weights: usize, caps: usize, exempt: usize, mask: usize, n: u32, capsChecked: bool, checkExempt: bool,
): u64 {
  let wLo: u64 = 0, wHi: u64 = 0, cLo: u64 = 0, cHi: u64 = 0, seen: i64 = 0;
  let count: u32 = 0;
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    // Two accounts per step; a lane carries when its new low half is below what was added.
    const zero = i64x2.splat(0), flip = i64x2.splat(<u64>1 << 63);
    let vwLo = zero, vwHi = zero, vcLo = zero, vcHi = zero, vSeen = zero, vCount = zero;
    for (; i + 2 <= n; i += 2) {
      const at = <usize>i << 3;
      const wv = v128.load(weights + at), cv = v128.load(caps + at);
      vSeen = v128.or(vSeen, capsChecked ? v128.or(wv, cv) : wv);
      let live = v128.and(i64x2.gt_s(wv, zero), i64x2.gt_s(cv, zero));
      if (checkExempt) live = v128.and(live, openLanes(exempt, i));
      const bits = i64x2.bitmask(live);
      store<u16>(mask + <usize>i, <u16>((~bits & 1) | ((~bits & 2) << 7)));
      const w = v128.and(wv, live), c = v128.and(cv, live);
      vwLo = i64x2.add(vwLo, w);
      vwHi = i64x2.sub(vwHi, i64x2.gt_s(v128.xor(w, flip), v128.xor(vwLo, flip)));
      vcLo = i64x2.add(vcLo, c);
      vcHi = i64x2.sub(vcHi, i64x2.gt_s(v128.xor(c, flip), v128.xor(vcLo, flip)));
      vCount = i64x2.sub(vCount, live);
    }
    wLo = addLanes(vwLo, vwHi);
    wHi = high;
    cLo = addLanes(vcLo, vcHi);
    cHi = high;
    seen = i64x2.extract_lane(vSeen, 0) | i64x2.extract_lane(vSeen, 1);
    count = <u32>(i64x2.extract_lane(vCount, 0) + i64x2.extract_lane(vCount, 1));
  }
  for (; i < n; i++) {
    const at = <usize>i << 3;
    const wv = load<i64>(weights + at), cv = load<i64>(caps + at);
    seen |= capsChecked ? wv | cv : wv;
    const cap = positivePart(cv);
    let live = (wv > 0) & (cap != 0);
    if (checkExempt) live &= load<u8>(exempt + <usize>i) == 0;
    store<u8>(mask + <usize>i, select<u8>(MASK_SHARES, MASK_OUT, live));
    const w = select<u64>(<u64>wv, 0, live), c = select<u64>(cap, 0, live);
    wLo += w;
    wHi += <u64>(wLo < w);
    cLo += c;
    cHi += <u64>(cLo < c);
    count += <u32>live;
  }
  signs = seen;
  weightHigh = wHi;
  capLow = cLo;
  capHigh = cHi;
  eligibleCount = count;
  return wLo;
}

