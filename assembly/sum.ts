// The plain split's first phase: Σ eligible profits (128-bit) and how many, one pass.

import { countOf, eligibleProfit, openLanes, positivePart, profitsOf, settleExempt } from './columns';
import { SPLIT_ELIGIBLE, SPLIT_TOTAL } from './layout';

/**
 * Phase `sumProfits` (book record, split record): Σ max(profit, 0) over the eligible
 * accounts into SPLIT_TOTAL and their count into SPLIT_ELIGIBLE. Clears the book's
 * exempt address when the column holds no exemption. Branch-free, one pass.
 */
export function sumProfits(book: usize, split: usize): void {
  const profits = profitsOf(book), n = countOf(book);
  const exempt = settleExempt(book);
  let lo: u64 = 0, hi: u64 = 0;
  let count: u32 = 0;
  let from: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    from = n & ~1;
    lo = exempt == 0 ? sumPairs(profits, from, 0, false) : sumPairs(profits, from, exempt, true);
    hi = pairsHigh;
    count = pairsCount;
  }
  if (exempt != 0) {
    for (let i = from; i < n; i++) {
      const m = eligibleProfit(profits, exempt, i);
      lo += m;
      hi += <u64>(lo < m);
      count += <u32>(m != 0);
    }
  } else {
    const end = profits + (<usize>n << 3);
    for (let at = profits + (<usize>from << 3); at < end; at += 8) {
      const m = positivePart(load<i64>(at));
      lo += m;
      hi += <u64>(lo < m);
      count += <u32>(m != 0);
    }
  }
  store<u64>(split + SPLIT_TOTAL, lo);
  store<u64>(split + SPLIT_TOTAL, hi, 8);
  store<u32>(split + SPLIT_ELIGIBLE, count);
}

/** Set by `sumPairs`: the high 64 bits of its sum, and its count of eligible profits. */
let pairsHigh: u64 = 0;
let pairsCount: u32 = 0;

/** The sum over accounts [0, pairs), pairs even, two lanes at a time (SIMD builds): returns the low 64 bits. */
// @ts-ignore: decorator
@inline function sumPairs(profits: usize, pairs: u32, exempt: usize, checkExempt: bool): u64 {
  const zero = i64x2.splat(0);
  const flip = i64x2.splat(<u64>1 << 63);
  let lo = zero, hi = zero, count = zero;
  for (let i: u32 = 0; i < pairs; i += 2) {
    const p = v128.load(profits + (<usize>i << 3));
    const positive = checkExempt ? v128.and(i64x2.gt_s(p, zero), openLanes(exempt, i)) : i64x2.gt_s(p, zero);
    const m = v128.and(p, positive);
    lo = i64x2.add(lo, m);
    // A lane carries when its new low half is below what was added (unsigned).
    hi = i64x2.sub(hi, i64x2.gt_s(v128.xor(m, flip), v128.xor(lo, flip)));
    count = i64x2.sub(count, positive);
  }
  // extract_lane gives i64: compare the halves as u64.
  const lo0 = <u64>i64x2.extract_lane(lo, 0), lo1 = <u64>i64x2.extract_lane(lo, 1);
  const sum = lo0 + lo1;
  pairsHigh = <u64>i64x2.extract_lane(hi, 0) + <u64>i64x2.extract_lane(hi, 1) + <u64>(sum < lo0);
  pairsCount = <u32>(i64x2.extract_lane(count, 0) + i64x2.extract_lane(count, 1));
  return sum;
}
