// The pools' floors phase: every account's floor (or ceiling) in its pool, Σ per pool
// and, under largest remainder, a 256-bucket histogram of each pool's remainders, each
// account's bucket kept as one byte in the candidates column (SIMD where built with it).
// Every decision is exact integer arithmetic; the buckets only narrow down where each
// pool's boundary lies (boundary.ts).

import { fixedRatio, bitLength, high, isNarrow, keyShift, less128, ratioShift, remainderWide, shiftRight128 } from '../wide';
import { floorLanes, floorNarrow, floorRemainderHigh, floorRemainderLow, floorWide, remainderLanes, remainderNarrow } from '../floor';
import { candidatesOf, countOf, eligibleProfit, exemptOf, haircutsOf, maskOf, openLanes, poolOf, positivePart, profitsOf, weightsOf } from '../columns';
import {
  BUCKET_BYTES_AT, POOLS_COUNTED, POOLS_ROUNDING, POOLS_WEIGHTED, POOL_ELIGIBLE, POOL_PART, POOL_SHARED_WEIGHT, POOL_SOCIALIZED,
  POOL_BUCKETS, POOL_TOTAL, POOL_WRITTEN, ROUND_DOWN, ROUND_LARGEST_REMAINDER, ROUND_UP,
} from '../layout';
import { countsOf, histogramOf, hotOf, paramsOf, poolsOf, rowOf, sumsOf, POOL_HISTOGRAM, POOL_HOT, POOL_PARAMS } from './table';

/**
 * Phase `floorPools` (book record, pools record): each pool splits its row's
 * POOL_SOCIALIZED over POOL_TOTAL (split by weight: POOL_PART over POOL_SHARED_WEIGHT,
 * over the weights with the mask as exemptions). Writes every floor (or ceiling), each
 * row's POOL_WRITTEN (Σ so far) and, when nothing is left to settle, POOL_ELIGIBLE;
 * POOLS_COUNTED says whether remainders were counted for the boundaries.
 */
export function floorPools(book: usize, table: usize): void {
  const pools = poolsOf(table), n = countOf(book);
  const weighted = load<u32>(table + POOLS_WEIGHTED) != 0;
  const rounding = load<u32>(table + POOLS_ROUNDING);
  const params = paramsOf(table), hot = hotOf(table), sums = sumsOf(table), counts = countsOf(table), histogram = histogramOf(table);
  for (let k: u32 = 0; k < pools; k++) {
    const row = rowOf(table, k), at = params + <usize>k * POOL_PARAMS;
    store<u64>(at, load<u64>(row + (weighted ? POOL_PART : POOL_SOCIALIZED)));
    const total = row + (weighted ? POOL_SHARED_WEIGHT : POOL_TOTAL);
    store<u64>(at, load<u64>(total), 8);
    store<u64>(at, load<u64>(total, 8), 16);
  }
  preparePools(params, hot, sums, counts, histogram, pools, rounding == ROUND_LARGEST_REMAINDER);
  const counted = poolsPassA(
    weighted ? weightsOf(book) : profitsOf(book), poolOf(book), weighted ? maskOf(book) : exemptOf(book), haircutsOf(book),
    candidatesOf(book) + <usize>BUCKET_BYTES_AT * <usize>n, n, params, hot, sums, counts, histogram, pools, rounding,
  );
  store<u32>(table + POOLS_COUNTED, <u32>counted);
  for (let k: u32 = 0; k < pools; k++) {
    const row = rowOf(table, k);
    store<u64>(row + POOL_WRITTEN, load<u64>(sums + (<usize>k << 3)));
    if (!weighted && !counted) store<u32>(row + POOL_ELIGIBLE, load<u32>(counts + (<usize>k << 2)));
  }
}

/** Row kinds: wide ratio (128-bit remainders), nothing to take, whole profits, narrow ratio (P ≤ 2^63). */
export const KIND_RATIO: u64 = 0, KIND_ZERO: u64 = 1, KIND_WHOLE: u64 = 2, KIND_NARROW: u64 = 3;
/** A cut no bucket (0…255) reaches. */
export const NO_BUCKET: u32 = POOL_BUCKETS;

/** Set by `preparePools`: whether every row runs in the narrow loop (no 128-bit remainder anywhere). */
let allNarrow = false;
/** Set by `preparePools`: whether some row has a ratio (else no pool has a unit to settle). */
let anyRatio = false;

/**
 * Fills each pool's parameter row from the S, Plo, Phi the wrapper wrote at
 * +0, +8, +16, and its narrow row in `hot`; zeroes Σ floors, the counts of
 * eligible accounts (u32 per pool) and, when `counting`, the histograms.
 */
function preparePools(
  params: usize, hot: usize, sums: usize, counts: usize, histogram: usize, pools: u32, counting: bool,
): void {
  memory.fill(sums, 0, <usize>pools << 3);
  memory.fill(counts, 0, <usize>pools << 2);
  if (counting) memory.fill(histogram, 0, <usize>pools * POOL_HISTOGRAM);
  allNarrow = true;
  anyRatio = false;
  for (let k: u32 = 0; k < pools; k++) {
    const row = params + <usize>k * POOL_PARAMS;
    const fast = hot + <usize>k * POOL_HOT;
    const S = load<u64>(row), Plo = load<u64>(row, 8), Phi = load<u64>(row, 16);
    if (S == 0 || (Phi == 0 && Plo == S)) {
      // No ratio: c, s, t and the bucket shift are 0 in the full row. The narrow row
      // computes the same haircuts: S = 0 gives floor 0 and remainder 0 (with P = 1); S = P
      // with c = 2^64 − 1 gives q̃ = m − 1, r̃ = P, corrected to m and 0 (exact while P ≤ 2^63).
      memory.fill(row + 24, 0, 32);
      const whole = S != 0;
      store<u64>(row, whole ? KIND_WHOLE : KIND_ZERO, 56);
      store<u64>(fast, whole ? u64.MAX_VALUE : 0);
      store<u64>(fast, S, 8);
      store<u64>(fast, whole ? S : 1, 16);
      store<u64>(fast, 0, 24);
      if (whole && !isNarrow(Plo, Phi)) allNarrow = false;
      continue;
    }
    const s = ratioShift(Phi);
    const t = keyShift(Plo, Phi);
    const topKey = shiftRight128(Plo - 1, Phi - <u64>(Plo == 0), t);
    const c = fixedRatio(S, Plo, Phi, s);
    const shift = <u64>max(0, bitLength(topKey) - 8);
    const narrow = isNarrow(Plo, Phi);
    store<u64>(row, c, 24);
    store<u64>(row, <u64>s, 32);
    store<u64>(row, <u64>t, 40);
    store<u64>(row, shift, 48);
    store<u64>(row, narrow ? KIND_NARROW : KIND_RATIO, 56);
    store<u64>(fast, c);
    store<u64>(fast, S, 8);
    store<u64>(fast, Plo, 16);
    store<u64>(fast, shift, 24);
    if (!narrow) allNarrow = false;
    anyRatio = true;
  }
}

/** Account i's remainder key in its pool's row (floor q given), as the single-book passes compute it. */
// @ts-ignore: decorator
@inline export function poolKey(row: usize, m: u64, q: u64): u64 {
  const S = load<u64>(row), Plo = load<u64>(row, 8), Phi = load<u64>(row, 16);
  // Narrow rows: r = S·m − q·P is exact in 64 bits (it is below P ≤ 2^63), and t = 0.
  if (load<u64>(row, 56) == KIND_NARROW) return S * m - q * Plo;
  const rLo = remainderWide(S, m, q, Plo, Phi);
  return shiftRight128(rLo, high, <i32>load<u64>(row, 40));
}

/**
 * Pass A: every account's floor (rounding 0 or 1) or ceiling (2) in its pool
 * into `haircuts` and Σ per pool into `sums` (u64 each). Under largest
 * remainder, each account's bucket (its key >> the row's bucket shift) goes
 * into `buckets` (one byte each) and, when eligible, is counted in its pool's
 * histogram (`poolBoundaries` then counts eligible accounts); otherwise they are
 * counted in `counts` (u32 per pool). Returns whether it counted histograms (largest
 * remainder with a ratio row somewhere): only then are there boundaries to settle.
 */
function poolsPassA(
  profits: usize, pool: usize, exempt: usize, haircuts: usize, buckets: usize, n: u32,
  params: usize, hot: usize, sums: usize, counts: usize, histogram: usize, pools: u32, rounding: u32,
): bool {
  const highs = histogram + (<usize>pools << 8);
  // Without a ratio row, every haircut is 0 or the whole profit: floors alone are the answer.
  if (rounding == ROUND_LARGEST_REMAINDER && !anyRatio) rounding = ROUND_DOWN;
  if (!allNarrow) {
    passAWide(profits, pool, exempt, haircuts, buckets, n, params, sums, counts, histogram, highs, rounding);
    return rounding == ROUND_LARGEST_REMAINDER;
  }
  // One copy of the narrow loop per case, so that none carries a per-account check it does not need.
  if (exempt == 0) {
    if (rounding == ROUND_LARGEST_REMAINDER) passANarrow(profits, pool, 0, haircuts, buckets, n, hot, sums, counts, histogram, highs, false, true, false);
    else if (rounding == ROUND_UP) passANarrow(profits, pool, 0, haircuts, buckets, n, hot, sums, counts, histogram, highs, false, false, true);
    else passANarrow(profits, pool, 0, haircuts, buckets, n, hot, sums, counts, histogram, highs, false, false, false);
  } else {
    if (rounding == ROUND_LARGEST_REMAINDER) passANarrow(profits, pool, exempt, haircuts, buckets, n, hot, sums, counts, histogram, highs, true, true, false);
    else if (rounding == ROUND_UP) passANarrow(profits, pool, exempt, haircuts, buckets, n, hot, sums, counts, histogram, highs, true, false, true);
    else passANarrow(profits, pool, exempt, haircuts, buckets, n, hot, sums, counts, histogram, highs, true, false, false);
  }
  return rounding == ROUND_LARGEST_REMAINDER;
}

/**
 * Adds `eligible` (0 or 1) to pool k's counter of bucket b: its low byte in `lows`,
 * the rest in `highs` (u32), touched only when the low byte wraps.
 */
// @ts-ignore: decorator
@inline function countBucket(lows: usize, highs: usize, k: usize, b: usize, eligible: u32): void {
  const offset = (k << 8) + b;
  const count = <u32>load<u8>(lows + offset) + eligible;
  store<u8>(lows + offset, <u8>count);
  if (count > 0xFF) store<u32>(highs + (offset << 2), load<u32>(highs + (offset << 2)) + 1);
}

/** Adds `eligible` (0 or 1) to pool k's count. */
// @ts-ignore: decorator
@inline function countPool(counts: usize, k: usize, eligible: u32): void {
  const at = counts + (k << 2);
  store<u32>(at, load<u32>(at) + eligible);
}

/**
 * Pass A when every row is narrow: branch-free, one 32-byte row per account; where built
 * with SIMD, two accounts at a time (each lane with its own row) and the odd one last.
 */
// @ts-ignore: decorator
@inline function passANarrow(
  profits: usize, pool: usize, exempt: usize, haircuts: usize, buckets: usize, n: u32,
  hot: usize, sums: usize, counts: usize, histogram: usize, highs: usize, checkExempt: bool, counting: bool, ceil: bool,
): void {
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    for (const pairs = n & ~1; i < pairs; i += 2) {
      floorsPair(profits, pool, exempt, haircuts, buckets, i, hot, sums, counts, histogram, highs, checkExempt, counting, ceil);
    }
  }
  for (; i < n; i++) {
    const k = <usize>load<u32>(pool + (<usize>i << 2));
    const row = hot + (k << 5);
    const m = checkExempt ? eligibleProfit(profits, exempt, i) : positivePart(load<i64>(profits + (<usize>i << 3)));
    const P = load<u64>(row, 16);
    const S = load<u64>(row, 8);
    const q = floorNarrow(m, S, P, load<u64>(row));
    const r = remainderNarrow(m, S, P, q);
    if (!ASC_NO_ASSERT) assert(r < P && q <= m, 'floor correction failed');
    const h = ceil ? q + <u64>(r != 0) : q;
    store<u64>(haircuts + (<usize>i << 3), h);
    tally(buckets, sums, counts, histogram, highs, i, k, h, r, row, <u32>(m != 0), counting);
  }
}

/** Accounts i and i + 1 of the narrow loop in SIMD lanes (as `floorPair` in simd.ts), each with its pool's row. */
// @ts-ignore: decorator
@inline function floorsPair(
  profits: usize, pool: usize, exempt: usize, haircuts: usize, buckets: usize, i: u32,
  hot: usize, sums: usize, counts: usize, histogram: usize, highs: usize, checkExempt: bool, counting: bool, ceil: bool,
): void {
  const zero = i64x2.splat(0);
  const flip = i64x2.splat(<u64>1 << 63);
  const both = load<u64>(pool + (<usize>i << 2));
  const k0 = <usize>(<u32>both), k1 = <usize>(both >> 32);
  const row0 = hot + (k0 << 5), row1 = hot + (k1 << 5);
  // Rows are c, S, P, bucket shift: (c, S) of both rows in one load each, regrouped by field, and P.
  const cs0 = v128.load(row0), cs1 = v128.load(row1);
  const c = i64x2.shuffle(cs0, cs1, 0, 2), S = i64x2.shuffle(cs0, cs1, 1, 3);
  const P = i64x2.shuffle(v128.load64_zero(row0, 16), v128.load64_zero(row1, 16), 0, 2);
  const at = <usize>i << 3;
  const p = v128.load(profits + at);
  const positive = checkExempt ? v128.and(i64x2.gt_s(p, zero), openLanes(exempt, i)) : i64x2.gt_s(p, zero);
  const m = v128.and(p, positive);
  const q = floorLanes(m, i32x4.shuffle(c, c, 0, 2, 0, 2), i32x4.shuffle(c, c, 1, 3, 1, 3), S, P);
  const r = remainderLanes(m, S, P, q);
  const h = ceil ? i64x2.sub(q, v128.not(i64x2.eq(r, zero))) : q;
  v128.store(haircuts + at, h);
  const eligible = i64x2.bitmask(positive);
  tally(buckets, sums, counts, histogram, highs, i, k0, i64x2.extract_lane(h, 0), i64x2.extract_lane(r, 0), row0, eligible & 1, counting);
  tally(buckets, sums, counts, histogram, highs, i + 1, k1, i64x2.extract_lane(h, 1), i64x2.extract_lane(r, 1), row1, eligible >> 1, counting);
}

/**
 * The narrow loop's bookkeeping for account i of pool k (row `row`, haircut h,
 * remainder r): Σ haircuts, and its bucket byte and histogram count (`counting`)
 * or its pool's count of eligible accounts.
 */
// @ts-ignore: decorator
@inline function tally(
  buckets: usize, sums: usize, counts: usize, histogram: usize, highs: usize,
  i: u32, k: usize, h: u64, r: u64, row: usize, eligible: u32, counting: bool,
): void {
  const sum = sums + (k << 3);
  store<u64>(sum, load<u64>(sum) + h);
  if (counting) {
    // Ineligible accounts (m = 0, r = 0) get bucket 0 too, uncounted: see `poolBoundaries`.
    const b = <usize>(r >> load<u64>(row, 24));
    store<u8>(buckets + <usize>i, <u8>b);
    countBucket(histogram, highs, k, b, eligible);
  } else {
    countPool(counts, k, eligible);
  }
}

/** Pass A when some row needs 128-bit remainders: per-row kinds. */
function passAWide(
  profits: usize, pool: usize, exempt: usize, haircuts: usize, buckets: usize, n: u32,
  params: usize, sums: usize, counts: usize, histogram: usize, highs: usize, rounding: u32,
): void {
  for (let i: u32 = 0; i < n; i++) {
    const k = <usize>load<u32>(pool + (<usize>i << 2));
    const row = params + k * POOL_PARAMS;
    const kind = load<u64>(row, 56);
    const m = eligibleProfit(profits, exempt, i);
    let h: u64 = 0;
    let key: u64 = 0;
    if (kind == KIND_WHOLE) {
      h = m;
    } else if (kind == KIND_RATIO || kind == KIND_NARROW) {
      const S = load<u64>(row), Plo = load<u64>(row, 8), Phi = load<u64>(row, 16);
      const q = floorWide(m, S, Plo, Phi, load<u64>(row, 24), load<u64>(row, 32));
      const rLo = floorRemainderLow, rHi = floorRemainderHigh;
      if (!ASC_NO_ASSERT) assert(less128(rLo, rHi, Plo, Phi) && q <= m, 'floor correction failed');
      h = q + <u64>(rounding == ROUND_UP && (rLo | rHi) != 0);
      key = shiftRight128(rLo, rHi, <i32>load<u64>(row, 40)) >> load<u64>(row, 48);
    }
    store<u64>(haircuts + (<usize>i << 3), h);
    const sum = sums + (k << 3);
    store<u64>(sum, load<u64>(sum) + h);
    if (rounding == ROUND_LARGEST_REMAINDER) {
      store<u8>(buckets + <usize>i, <u8>key);
      countBucket(histogram, highs, k, <usize>key, <u32>(m != 0));
    } else {
      countPool(counts, k, <u32>(m != 0));
    }
  }
}

