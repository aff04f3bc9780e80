// Pools: many socializations in one call (per currency, per market), each
// exactly what `allocate` gives for its pool's accounts alone, with ties
// decided by each account's index in the whole book.
//
// Passes over the book (SIMD where built with it): `sumPools` (each pool's Σ
// eligible profit), `poolsPassA` (every floor into the haircuts, Σ floors and the
// eligible count per pool and, under largest remainder, a 256-bucket histogram of
// each pool's remainders, each account's bucket kept as one byte in the candidates
// block), `poolsPassB` (from pool indices and bucket bytes alone: one unit above each
// pool's boundary bucket, the boundary bucket's accounts listed), then
// `settlePools` over the listed accounts only, pool by pool, as single books.
// Every decision is exact integer arithmetic; the buckets only narrow down where the
// boundary lies.

import { fixedRatio, bitLength, high, isNarrow, keyShift, less128, mulhi, ratioShift, remainderWide, shiftRight128 } from './wide';
import { eligibleProfit, positivePart, LIST_ENTRY, BUCKET_BITS } from './select';
import { settleFor, wrote } from './allocate';
import { mulhiLanes, openLanes } from './simd';

/** Bytes per pool in the totals table: Σ eligible profits as two u64 halves, low then high. */
export const POOL_TOTAL: usize = 16;

/**
 * Sums each pool's eligible profits into `totals` (POOL_TOTAL bytes per pool,
 * zeroed here). Returns the first account whose pool index is not below
 * `pools` (the sums are then partial and unused), or −1.
 */
export function sumPools(profits: usize, pool: usize, exempt: usize, n: u32, pools: u32, totals: usize): i32 {
  memory.fill(totals, 0, <usize>pools * POOL_TOTAL);
  // One word per pool while the whole book sums below 2^64 (then no pool's sum can carry);
  // past that, a second pass with both halves.
  const bad = exempt == 0 ? sumPoolsLoop(profits, pool, 0, n, pools, totals, false) : sumPoolsLoop(profits, pool, exempt, n, pools, totals, true);
  if (bad >= 0 || sumCarried == 0) return bad;
  memory.fill(totals, 0, <usize>pools * POOL_TOTAL);
  for (let i: u32 = 0; i < n; i++) {
    const m = eligibleProfit(profits, exempt, i);
    const at = totals + (<usize>load<u32>(pool + (<usize>i << 2)) << 4);
    const lo = load<u64>(at) + m;
    store<u64>(at, lo);
    store<u64>(at, load<u64>(at, 8) + <u64>(lo < m), 8);
  }
  return -1;
}

/** Set by `sumPoolsLoop`: whether the book's whole sum passed 2^64. */
let sumCarried: u64 = 0;

// @ts-ignore: decorator
@inline function sumPoolsLoop(profits: usize, pool: usize, exempt: usize, n: u32, pools: u32, totals: usize, checkExempt: bool): i32 {
  let lo: u64 = 0, carried: u64 = 0;
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    // Four accounts per step, their profits in two vectors (which also carry the book's sum
    // and whether it wrapped), then added to their pools one by one; a step with a pool index
    // out of range is left to the scalar loop, which finds the first.
    const zero = i64x2.splat(0), flip = i64x2.splat(<u64>1 << 63);
    let sum = zero, carries = zero;
    for (const quads = n & ~3; i < quads; i += 4) {
      const ks = v128.load(pool + (<usize>i << 2));
      if (v128.any_true(i32x4.ge_u(ks, i32x4.splat(pools)))) break;
      const k0 = <usize>i32x4.extract_lane(ks, 0), k1 = <usize>i32x4.extract_lane(ks, 1);
      const k2 = <usize>i32x4.extract_lane(ks, 2), k3 = <usize>i32x4.extract_lane(ks, 3);
      const p = v128.load(profits + (<usize>i << 3));
      const m = v128.and(p, checkExempt ? v128.and(i64x2.gt_s(p, zero), openLanes(exempt, i)) : i64x2.gt_s(p, zero));
      const p2 = v128.load(profits + (<usize>i << 3), 16);
      const m2 = v128.and(p2, checkExempt ? v128.and(i64x2.gt_s(p2, zero), openLanes(exempt, i + 2)) : i64x2.gt_s(p2, zero));
      sum = i64x2.add(sum, m);
      carries = v128.or(carries, i64x2.gt_s(v128.xor(m, flip), v128.xor(sum, flip)));
      sum = i64x2.add(sum, m2);
      carries = v128.or(carries, i64x2.gt_s(v128.xor(m2, flip), v128.xor(sum, flip)));
      const at0 = totals + (k0 << 4), at1 = totals + (k1 << 4);
      store<u64>(at0, load<u64>(at0) + i64x2.extract_lane(m, 0));
      store<u64>(at1, load<u64>(at1) + i64x2.extract_lane(m, 1));
      const at2 = totals + (k2 << 4), at3 = totals + (k3 << 4);
      store<u64>(at2, load<u64>(at2) + i64x2.extract_lane(m2, 0));
      store<u64>(at3, load<u64>(at3) + i64x2.extract_lane(m2, 1));
    }
    const lo0 = <u64>i64x2.extract_lane(sum, 0);
    lo = lo0 + <u64>i64x2.extract_lane(sum, 1);
    carried = <u64>(i64x2.extract_lane(carries, 0) | i64x2.extract_lane(carries, 1)) | <u64>(lo < lo0);
  }
  for (; i < n; i++) {
    const k = <usize>load<u32>(pool + (<usize>i << 2));
    if (k >= <usize>pools) return <i32>i;
    const m = checkExempt ? eligibleProfit(profits, exempt, i) : positivePart(load<i64>(profits + (<usize>i << 3)));
    const at = totals + (k << 4);
    store<u64>(at, load<u64>(at) + m);
    lo += m;
    carried |= <u64>(lo < m);
  }
  sumCarried = carried;
  return -1;
}

/** Bytes per pool of parameters: S, Plo, Phi, c, s, t, bucket shift, kind. */
export const POOL_PARAMS: usize = 64;
/** Bytes per pool of the narrow loop's row: c, S, P, bucket shift. */
export const POOL_HOT: usize = 32;
/**
 * Bytes per pool of settle state: the units its listed accounts must give (u64, 0 for
 * none), its boundary bucket (u32) and how many eligible accounts that bucket holds (u32).
 */
export const POOL_STATE: usize = 16;
/** Histogram counters per pool. */
export const POOL_BUCKETS: u32 = 256;
/**
 * Bytes per pool of histogram: each counter is split in two tables, its low byte first
 * (pools · 256 bytes, the only table the pass touches per account: a small footprint
 * amid the columns' streams), then the rest as a u32 (count >> 8), touched when the low
 * byte wraps (once per 256 accounts counted in that bucket).
 */
export const POOL_HISTOGRAM: usize = 1280;

/** Row kinds: wide ratio (128-bit remainders), nothing to take, whole profits, narrow ratio (P ≤ 2^63). */
const KIND_RATIO: u64 = 0, KIND_ZERO: u64 = 1, KIND_WHOLE: u64 = 2, KIND_NARROW: u64 = 3;
/** A cut no bucket (0…255) reaches. */
const NO_BUCKET: u32 = 256;

/** Set by `preparePools`: whether every row runs in the narrow loop (no 128-bit remainder anywhere). */
let allNarrow = false;
/** Set by `preparePools`: whether some row has a ratio (else no pool has a unit to settle). */
let anyRatio = false;

/**
 * Fills each pool's parameter row from the S, Plo, Phi the wrapper wrote at
 * +0, +8, +16, and its narrow row in `hot`; zeroes Σ floors, the counts of
 * eligible accounts (u32 per pool) and, when `counting`, the histograms.
 */
export function preparePools(
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
@inline function poolKey(row: usize, m: u64, q: u64): u64 {
  const S = load<u64>(row), Plo = load<u64>(row, 8), Phi = load<u64>(row, 16);
  // Narrow rows: r = S·m − q·P is exact in 64 bits (it is below P ≤ 2^63), and t = 0.
  if (load<u64>(row, 56) == KIND_NARROW) return S * m - q * Plo;
  const rLo = remainderWide(S, m, q, Plo, Phi);
  return shiftRight128(rLo, high, <i32>load<u64>(row, 40));
}

/** Rounding policies, as the wrapper numbers them. */
const LARGEST_REMAINDER: u32 = 0, DOWN: u32 = 1, UP: u32 = 2;

/**
 * Pass A: every account's floor (rounding 0 or 1) or ceiling (2) in its pool
 * into `haircuts` and Σ per pool into `sums` (u64 each). Under largest
 * remainder, each account's bucket (its key >> the row's bucket shift) goes
 * into `buckets` (one byte each) and, when eligible, is counted in its pool's
 * histogram (`poolBoundaries` then counts eligible accounts); otherwise they are
 * counted in `counts` (u32 per pool). Returns whether it counted histograms (largest
 * remainder with a ratio row somewhere): only then are there boundaries to settle.
 */
export function poolsPassA(
  profits: usize, pool: usize, exempt: usize, haircuts: usize, buckets: usize, n: u32,
  params: usize, hot: usize, sums: usize, counts: usize, histogram: usize, pools: u32, rounding: u32,
): bool {
  const highs = histogram + (<usize>pools << 8);
  // Without a ratio row, every haircut is 0 or the whole profit: floors alone are the answer.
  if (rounding == LARGEST_REMAINDER && !anyRatio) rounding = DOWN;
  if (!allNarrow) {
    passAWide(profits, pool, exempt, haircuts, buckets, n, params, sums, counts, histogram, highs, rounding);
    return rounding == LARGEST_REMAINDER;
  }
  // One copy of the narrow loop per case, so that none carries a per-account check it does not need.
  if (exempt == 0) {
    if (rounding == LARGEST_REMAINDER) passANarrow(profits, pool, 0, haircuts, buckets, n, hot, sums, counts, histogram, highs, false, true, false);
    else if (rounding == UP) passANarrow(profits, pool, 0, haircuts, buckets, n, hot, sums, counts, histogram, highs, false, false, true);
    else passANarrow(profits, pool, 0, haircuts, buckets, n, hot, sums, counts, histogram, highs, false, false, false);
  } else {
    if (rounding == LARGEST_REMAINDER) passANarrow(profits, pool, exempt, haircuts, buckets, n, hot, sums, counts, histogram, highs, true, true, false);
    else if (rounding == UP) passANarrow(profits, pool, exempt, haircuts, buckets, n, hot, sums, counts, histogram, highs, true, false, true);
    else passANarrow(profits, pool, exempt, haircuts, buckets, n, hot, sums, counts, histogram, highs, true, false, false);
  }
  return rounding == LARGEST_REMAINDER;
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
    // As floorsNarrow (allocate.ts): q̃ = mulhi(m, c) is q or q − 1, and r̃ < 2P ≤ 2^64.
    let q = mulhi(m, load<u64>(row));
    let r = load<u64>(row, 8) * m - q * P;
    const short = r >= P;
    q += <u64>short;
    r -= select<u64>(P, 0, short);
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
  let q = mulhiLanes(m, i32x4.shuffle(c, c, 0, 2, 0, 2), i32x4.shuffle(c, c, 1, 3, 1, 3));
  let r = i64x2.sub(i64x2.mul(S, m), i64x2.mul(q, P));
  const short = i64x2.gt_s(v128.xor(r, flip), v128.xor(i64x2.sub(P, i64x2.splat(1)), flip));
  q = i64x2.sub(q, short);
  r = i64x2.sub(r, v128.and(short, P));
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
      let q = mulhi(m, load<u64>(row, 24)) >> load<u64>(row, 32);
      let rLo = remainderWide(S, m, q, Plo, Phi), rHi = high;
      if (!less128(rLo, rHi, Plo, Phi)) {
        q++;
        rHi = rHi - Phi - <u64>(rLo < Plo);
        rLo -= Plo;
      }
      if (!ASC_NO_ASSERT) assert(less128(rLo, rHi, Plo, Phi) && q <= m, 'floor correction failed');
      h = q + <u64>(rounding == UP && (rLo | rHi) != 0);
      key = shiftRight128(rLo, rHi, <i32>load<u64>(row, 40)) >> load<u64>(row, 48);
    }
    store<u64>(haircuts + (<usize>i << 3), h);
    const sum = sums + (k << 3);
    store<u64>(sum, load<u64>(sum) + h);
    if (rounding == LARGEST_REMAINDER) {
      store<u8>(buckets + <usize>i, <u8>key);
      countBucket(histogram, highs, k, <usize>key, <u32>(m != 0));
    } else {
      countPool(counts, k, <u32>(m != 0));
    }
  }
}

/**
 * Each largest-remainder pool's boundary bucket: `cuts` gets, per pool, the
 * lowest bucket whose accounts all get a unit (low 16 bits) and the bucket whose
 * accounts are listed (high 16 bits), NO_BUCKET for none; `state` the units the
 * listed accounts must give, the boundary bucket and its count; `counts` each pool's
 * eligible accounts. Returns how many eligible accounts are to be listed in all.
 *
 * Histograms count eligible accounts only, but ineligible ones (remainder 0) carry
 * bucket 0 and may be listed with it: harmless, as a pool's L leftover units are fewer
 * than its accounts with a remainder above 0 (L = Σ r / P and each r < P), so no
 * account with remainder 0 is ever given a unit, and bucket 0 is never taken whole.
 */
export function poolBoundaries(
  params: usize, sums: usize, counts: usize, histogram: usize, cuts: usize, state: usize, pools: u32,
): u32 {
  const highs = histogram + (<usize>pools << 8);
  let listed: u32 = 0;
  listsBucketZero = false;
  for (let k: u32 = 0; k < pools; k++) {
    const row = params + <usize>k * POOL_PARAMS;
    const st = state + <usize>k * POOL_STATE;
    const cut = cuts + (<usize>k << 2);
    const lowRow = histogram + (<usize>k << 8), highRow = highs + (<usize>k << 10);
    store<u32>(counts + (<usize>k << 2), poolCount(lowRow, highRow));
    store<u32>(cut, NO_BUCKET | (NO_BUCKET << 16));
    store<u64>(st, 0);
    store<u64>(st, 0, 8);
    const kind = load<u64>(row, 56);
    if (kind != KIND_RATIO && kind != KIND_NARROW) continue;
    const leftover = load<u64>(row) - load<u64>(sums + (<usize>k << 3));
    if (leftover == 0) continue;
    let above: u64 = 0;
    for (let b = <i32>POOL_BUCKETS - 1; b >= 0; b--) {
      const count = <u64>bucketCount(lowRow, highRow, <usize>b);
      if (above + count >= leftover) {
        const need = leftover - above;
        if (need == count) {
          store<u32>(cut, <u32>b | (NO_BUCKET << 16));
        } else {
          store<u32>(cut, <u32>(b + 1) | (<u32>b << 16));
          store<u64>(st, need);
          store<u32>(st, <u32>b, 8);
          store<u32>(st, <u32>count, 12);
          listed += <u32>count;
          if (b == 0) listsBucketZero = true;
        }
        above = leftover;
        break;
      }
      above += count;
    }
    // The histogram holds every eligible account: the leftover is always reached.
    if (above < leftover) unreachable();
  }
  return listed;
}

/** Set by `poolBoundaries`: whether some pool lists its bucket 0 (where ineligible accounts sit too). */
let listsBucketZero = false;

/** The sum of one pool's 256 counters (SIMD where built with it: 16 low bytes, 4 high words a step). */
// @ts-ignore: decorator
@inline function poolCount(lowRow: usize, highRow: usize): u32 {
  if (ASC_FEATURE_SIMD) {
    let lows = i32x4.splat(0), highs = i32x4.splat(0);
    for (let b: usize = 0; b < <usize>POOL_BUCKETS; b += 16) {
      lows = i32x4.add(lows, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(v128.load(lowRow + b))));
      const at = highRow + (b << 2);
      highs = i32x4.add(highs, i32x4.add(i32x4.add(v128.load(at), v128.load(at, 16)), i32x4.add(v128.load(at, 32), v128.load(at, 48))));
    }
    const sum = i32x4.add(lows, i32x4.shl(highs, 8));
    return <u32>(i32x4.extract_lane(sum, 0) + i32x4.extract_lane(sum, 1) + i32x4.extract_lane(sum, 2) + i32x4.extract_lane(sum, 3));
  }
  let count: u32 = 0;
  for (let b: usize = 0; b < <usize>POOL_BUCKETS; b++) count += bucketCount(lowRow, highRow, b);
  return count;
}

/** One pool's count in bucket b from its low byte and the rest. */
// @ts-ignore: decorator
@inline function bucketCount(lowRow: usize, highRow: usize, b: usize): u32 {
  return <u32>load<u8>(lowRow + b) + (load<u32>(highRow + (b << 2)) << 8);
}

/**
 * Pass B: one more unit to every account at or above its pool's cut, and the accounts
 * of each boundary bucket listed. Reads only pool indices, bucket bytes and haircuts.
 * Sparse case (only eligible accounts can be listed, as no pool lists bucket 0, and
 * `listed` of them are few): a rarely taken branch writes each straight into its pool's
 * group as (floor, index), 12 bytes, from `list`, and `starts` (4 bytes per pool) is
 * left holding where each group ends; returns 0. Otherwise: branch-free, every listed
 * account written as (index u32, pool u32) from `list` for `groupListed`; returns the list's end.
 */
export function poolsPassB(
  pool: usize, buckets: usize, haircuts: usize, list: usize, n: u32, cuts: usize, state: usize, starts: usize, pools: u32,
  listed: u32,
): usize {
  if (listsBucketZero || listed > n / 16) return passBLoop(pool, buckets, haircuts, list, n, cuts, 0, false);
  let start: u32 = 0;
  for (let k: u32 = 0; k < pools; k++) {
    store<u32>(starts + (<usize>k << 2), start);
    start += load<u32>(state + <usize>k * POOL_STATE, 12);
  }
  passBLoop(pool, buckets, haircuts, list, n, cuts, starts, true);
  return 0;
}

// @ts-ignore: decorator
@inline function passBLoop(
  pool: usize, buckets: usize, haircuts: usize, list: usize, n: u32, cuts: usize, starts: usize, sparse: bool,
): usize {
  let entry = list;
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    // Four accounts per step: their cuts gathered into lanes, compared with their bucket
    // bytes at once, their units added two haircuts at a time.
    const low16 = i32x4.splat(0xFFFF), one = i32x4.splat(1);
    for (const quads = n & ~3; i < quads; i += 4) {
      const ks = pool + (<usize>i << 2);
      const k0 = load<u32>(ks), k1 = load<u32>(ks, 4), k2 = load<u32>(ks, 8), k3 = load<u32>(ks, 12);
      let cut = v128.load32_zero(cuts + (<usize>k0 << 2));
      cut = v128.load32_lane(cuts + (<usize>k1 << 2), cut, 1);
      cut = v128.load32_lane(cuts + (<usize>k2 << 2), cut, 2);
      cut = v128.load32_lane(cuts + (<usize>k3 << 2), cut, 3);
      const b = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(buckets + <usize>i)));
      const up = v128.and(i32x4.ge_u(b, v128.and(cut, low16)), one);
      const at = haircuts + (<usize>i << 3);
      const q01 = v128.load(at), q23 = v128.load(at, 16);
      v128.store(at, i64x2.add(q01, i64x2.extend_low_i32x4_u(up)));
      v128.store(at, i64x2.add(q23, i64x2.extend_high_i32x4_u(up)), 16);
      const listed = i32x4.bitmask(i32x4.eq(b, i32x4.shr_u(cut, 16)));
      if (!sparse || listed != 0) {
        entry = listAccount(entry, starts, i, k0, i64x2.extract_lane(q01, 0), (listed & 1) != 0, sparse);
        entry = listAccount(entry, starts, i + 1, k1, i64x2.extract_lane(q01, 1), (listed & 2) != 0, sparse);
        entry = listAccount(entry, starts, i + 2, k2, i64x2.extract_lane(q23, 0), (listed & 4) != 0, sparse);
        entry = listAccount(entry, starts, i + 3, k3, i64x2.extract_lane(q23, 1), (listed & 8) != 0, sparse);
      }
    }
  }
  for (; i < n; i++) {
    const k = load<u32>(pool + (<usize>i << 2));
    const cut = load<u32>(cuts + (<usize>k << 2));
    const b = <u32>load<u8>(buckets + <usize>i);
    const at = haircuts + (<usize>i << 3);
    const q = load<u64>(at);
    store<u64>(at, q + <u64>(b >= (cut & 0xFFFF)));
    entry = listAccount(entry, starts, i, k, q, b == (cut >> 16), sparse);
  }
  return entry;
}

/**
 * Lists account i (pool k, floor q) when `listed`: sparse, into its pool's group at
 * `entry`; else as (index, pool) at `entry`. Returns the list's new end.
 */
// @ts-ignore: decorator
@inline function listAccount(entry: usize, starts: usize, i: u32, k: u32, q: u64, listed: bool, sparse: bool): usize {
  if (sparse) {
    if (listed) place(entry, starts + (<usize>k << 2), q, i);
    return entry;
  }
  // Always written, kept only when the pointer moves on.
  store<u64>(entry, <u64>i | (<u64>k << 32));
  return entry + select<usize>(8, 0, listed);
}

/** Writes (floor q, index i) at the next slot of a group (`at` holds the slot) of the entries at `grouped`. */
// @ts-ignore: decorator
@inline function place(grouped: usize, at: usize, q: u64, i: u32): void {
  const slot = load<u32>(at);
  const entry = grouped + <usize>slot * LIST_ENTRY;
  store<u64>(entry, q);
  store<u32>(entry, i, 8);
  store<u32>(at, slot + 1);
}

/**
 * Groups the `count` listed entries (index, pool) at `list` by pool (stable) into
 * `grouped` as (floor, index) entries. Leaves in `starts` (4 bytes per pool) where each
 * pool's group ends.
 */
export function groupListed(haircuts: usize, list: usize, count: u32, grouped: usize, starts: usize, pools: u32): void {
  memory.fill(starts, 0, <usize>pools << 2);
  for (let j: u32 = 0; j < count; j++) {
    const at = starts + (<usize>load<u32>(list + (<usize>j << 3), 4) << 2);
    store<u32>(at, load<u32>(at) + 1);
  }
  let start: u32 = 0;
  for (let k: u32 = 0; k < pools; k++) {
    const at = starts + (<usize>k << 2);
    const size = load<u32>(at);
    store<u32>(at, start);
    start += size;
  }
  for (let j: u32 = 0; j < count; j++) {
    const i = load<u32>(list + (<usize>j << 3));
    const k = <usize>load<u32>(list + (<usize>j << 3), 4);
    place(grouped, starts + (k << 2), load<u64>(haircuts + (<usize>i << 3)), i);
  }
}

/**
 * Settles the boundary accounts of every pool when too many are listed to group them
 * beside pass B's list in the candidates block (more than 60% of the book): groups are
 * rebuilt from the book itself, batch by batch, from the block's start (`grouped`) up to
 * the bucket bytes (`buckets`, which must follow at 11·n bytes), so no memory is added.
 * Each batch is a run of consecutive pools whose boundary accounts fit below the bucket
 * bytes; a pool with more than that goes last and alone, its entries written in account
 * order (entry j at 12·j, j never past the account read, so no bucket byte still to be
 * read is overwritten). `counts` and `cursors` are scratch of 4 bytes per pool.
 */
export function settleCrowded(
  profits: usize, pool: usize, exempt: usize, haircuts: usize, grouped: usize, buckets: usize, n: u32,
  cuts: usize, params: usize, state: usize, counts: usize, cursors: usize, pools: u32, seeded: bool, seed: u64,
): void {
  // Each pool's boundary accounts, as pass B lists them (ineligible ones in a boundary bucket 0 too).
  memory.fill(counts, 0, <usize>pools << 2);
  for (let i: u32 = 0; i < n; i++) {
    const k = <usize>load<u32>(pool + (<usize>i << 2));
    const at = counts + (k << 2);
    store<u32>(at, load<u32>(at) + <u32>(<u32>load<u8>(buckets + <usize>i) == load<u32>(cuts + (k << 2)) >> 16));
  }
  const capacity = <u32>((buckets - grouped) / LIST_ENTRY);
  let giant: i32 = -1;
  let k0: u32 = 0;
  while (k0 < pools) {
    if (load<u32>(counts + (<usize>k0 << 2)) > capacity) {
      // At most one pool can hold more than 11/12 of the book: it goes last.
      giant = <i32>k0;
      k0++;
      continue;
    }
    let total: u32 = 0, k1 = k0;
    while (k1 < pools) {
      const size = load<u32>(counts + (<usize>k1 << 2));
      if (size > capacity || total + size > capacity) break;
      total += size;
      k1++;
    }
    settleBatch(profits, pool, exempt, haircuts, grouped, buckets, n, cuts, params, state, counts, cursors, k0, k1, seeded, seed);
    k0 = k1;
  }
  if (giant >= 0) {
    settleBatch(profits, pool, exempt, haircuts, grouped, buckets, n, cuts, params, state, counts, cursors, <u32>giant, <u32>giant + 1, seeded, seed);
  }
}

/** Groups the boundary accounts of pools [k0, k1) from the book at `grouped`, then settles those pools. */
function settleBatch(
  profits: usize, pool: usize, exempt: usize, haircuts: usize, grouped: usize, buckets: usize, n: u32,
  cuts: usize, params: usize, state: usize, counts: usize, cursors: usize, k0: u32, k1: u32, seeded: bool, seed: u64,
): void {
  let start: u32 = 0;
  for (let k = k0; k < k1; k++) {
    store<u32>(cursors + (<usize>k << 2), start);
    start += load<u32>(counts + (<usize>k << 2));
  }
  for (let i: u32 = 0; i < n; i++) {
    const k = load<u32>(pool + (<usize>i << 2));
    if (k < k0 || k >= k1 || <u32>load<u8>(buckets + <usize>i) != load<u32>(cuts + (<usize>k << 2)) >> 16) continue;
    place(grouped, cursors + (<usize>k << 2), load<u64>(haircuts + (<usize>i << 3)), i);
  }
  // The cursors now end each group, as settlePools reads them.
  settlePools(
    profits, exempt, haircuts, grouped, cursors + (<usize>k0 << 2), params + <usize>k0 * POOL_PARAMS,
    state + <usize>k0 * POOL_STATE, k1 - k0, seeded, seed,
  );
}

/**
 * Settles each pool's group of (floor, index) entries in `grouped` like a single book,
 * each floor first replaced by the account's exact key; `starts` holds where each group
 * ends (each begins where the previous pool's ends).
 */
export function settlePools(
  profits: usize, exempt: usize, haircuts: usize, grouped: usize, starts: usize,
  params: usize, state: usize, pools: u32, seeded: bool, seed: u64,
): void {
  // starts[k] now ends pool k's group; it began where pool k − 1's ended.
  let begin: u32 = 0;
  for (let k: u32 = 0; k < pools; k++) {
    const end = load<u32>(starts + (<usize>k << 2));
    const st = state + <usize>k * POOL_STATE;
    const need = load<u64>(st);
    if (need != 0) {
      const row = params + <usize>k * POOL_PARAMS;
      for (let e = grouped + <usize>begin * LIST_ENTRY, last = grouped + <usize>end * LIST_ENTRY; e < last; e += LIST_ENTRY) {
        store<u64>(e, poolKey(row, eligibleProfit(profits, exempt, load<u32>(e, 8)), load<u64>(e)));
      }
      const S = load<u64>(row);
      // Keys in the boundary bucket lie in [b << shift, ((b + 1) << shift) − 1].
      const shift = load<u64>(row, 48);
      const low = <u64>load<u32>(st, 8) << shift;
      wrote(S - need);
      settleFor(
        profits, haircuts, grouped + <usize>begin * LIST_ENTRY, grouped + <usize>end * LIST_ENTRY, S,
        load<u64>(row, 8), load<u64>(row, 16), <i32>load<u64>(row, 40), low, low + ((<u64>1 << shift) - 1),
        seeded, seed, exempt, min(BUCKET_BITS, max(4, bitLength(<u64>(end - begin)))),
      );
    }
    begin = end;
  }
}
