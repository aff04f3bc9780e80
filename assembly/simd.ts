// The narrow pass with 128-bit SIMD: two accounts per step. Compiled only into
// the `simd` builds (ASC_FEATURE_SIMD); the result is bit for bit that of
// `floorsNarrow` in allocate.ts, which documents the arithmetic.
//
// WebAssembly SIMD has no unsigned 64-bit compare: a ≥ b unsigned is tested as
// (a ^ 2^63) > ((b − 1) ^ 2^63) signed. mulhi takes the 32-bit halves of two
// profits in one shuffle and widens them with extmul (32×32 → 64 per lane).

import { LIST_ENTRY } from './select';

/** Set by `floorsNarrowSimd`: Σ haircuts it wrote. */
export let writtenSimd: u64 = 0;

/**
 * As `floorsNarrow` (allocate.ts) over accounts [0, pairs), pairs even, two
 * lanes at a time and two pairs per step (measured: 9% faster than one pair
 * per step in V8, which does not unroll); lists from `entry` and returns where
 * the list ends.
 */
export function floorsNarrowSimd(
  profits: usize, haircuts: usize, entry: usize, pairs: u32, S: u64, P: u64, c: u64, low: u64, high: u64, exempt: usize,
): usize {
  // One copy of the loop per case, so that the common one carries no exemption check.
  return exempt == 0
    ? floorsNarrowSimdLoop(profits, haircuts, entry, pairs, S, P, c, low, high, 0, false)
    : floorsNarrowSimdLoop(profits, haircuts, entry, pairs, S, P, c, low, high, exempt, true);
}

// @ts-ignore: decorator
@inline function floorsNarrowSimdLoop(
  profits: usize, haircuts: usize, entry: usize, pairs: u32, S: u64, P: u64, c: u64, low: u64, high: u64,
  exempt: usize, checkExempt: bool,
): usize {
  const SIGN = <u64>1 << 63;
  const cLow = i32x4.splat(<i32>c), cHigh = i32x4.splat(<i32>(c >> 32));
  const vS = i64x2.splat(S), vP = i64x2.splat(P), pMinusOne = i64x2.splat((P - 1) ^ SIGN);
  const above = i64x2.splat(high ^ SIGN), vLow = i64x2.splat(low), span = i64x2.splat((high - low) ^ SIGN);
  let written = i64x2.splat(0);
  const quads = pairs & ~3;
  let i: u32 = 0;
  for (; i < quads; i += 4) {
    entry = floorPair(profits, haircuts, i, entry, cLow, cHigh, vS, vP, pMinusOne, above, vLow, span, exempt, checkExempt);
    entry = floorPair(profits, haircuts, i + 2, entry, cLow, cHigh, vS, vP, pMinusOne, above, vLow, span, exempt, checkExempt);
    const at = haircuts + (<usize>i << 3);
    written = i64x2.add(written, i64x2.add(v128.load(at), v128.load(at, 16)));
  }
  if (i < pairs) {
    entry = floorPair(profits, haircuts, i, entry, cLow, cHigh, vS, vP, pMinusOne, above, vLow, span, exempt, checkExempt);
    written = i64x2.add(written, v128.load(haircuts + (<usize>i << 3)));
  }
  writtenSimd = i64x2.extract_lane(written, 0) + i64x2.extract_lane(written, 1);
  return entry;
}

/** Accounts i and i + 1: haircuts stored, remainders in the band listed. Returns the list's new end. */
// @ts-ignore: decorator
@inline function floorPair(
  profits: usize, haircuts: usize, i: u32, entry: usize,
  cLow: v128, cHigh: v128, vS: v128, vP: v128, pMinusOne: v128, above: v128, vLow: v128, span: v128,
  exempt: usize, checkExempt: bool,
): usize {
  const zero = i64x2.splat(0);
  const flip = i64x2.splat(<u64>1 << 63);
  const at = <usize>i << 3;
  const p = v128.load(profits + at);
  const m = v128.and(p, checkExempt ? v128.and(i64x2.gt_s(p, zero), openLanes(exempt, i)) : i64x2.gt_s(p, zero));
  let q = mulhiLanes(m, cLow, cHigh);
  let r = i64x2.sub(i64x2.mul(vS, m), i64x2.mul(q, vP));
  const short = i64x2.gt_s(v128.xor(r, flip), pMinusOne);
  q = i64x2.sub(q, short);
  r = i64x2.sub(r, v128.and(short, vP));
  v128.store(haircuts + at, i64x2.sub(q, i64x2.gt_s(v128.xor(r, flip), above)));
  const outside = i64x2.bitmask(i64x2.gt_s(v128.xor(i64x2.sub(r, vLow), flip), span));
  store<u64>(entry, i64x2.extract_lane(r, 0));
  store<u32>(entry, i, 8);
  entry += select<usize>(0, LIST_ENTRY, outside & 1);
  store<u64>(entry, i64x2.extract_lane(r, 1));
  store<u32>(entry, i + 1, 8);
  return entry + select<usize>(0, LIST_ENTRY, outside & 2);
}

/**
 * mulhi(m, c) per lane from four 32×32 products: `cLow` holds the low halves of
 * lane 0's and lane 1's c as i32 lanes (c0, c1, c0, c1), `cHigh` their high halves.
 */
// @ts-ignore: decorator
@inline export function mulhiLanes(m: v128, cLow: v128, cHigh: v128): v128 {
  const low32 = i64x2.splat(0xFFFF_FFFF);
  const halves = i32x4.shuffle(m, m, 0, 2, 1, 3);
  const ll = i64x2.extmul_low_i32x4_u(halves, cLow);
  const hl = i64x2.extmul_high_i32x4_u(halves, cLow);
  const lh = i64x2.extmul_low_i32x4_u(halves, cHigh);
  const hh = i64x2.extmul_high_i32x4_u(halves, cHigh);
  const mid = i64x2.add(i64x2.add(i64x2.shr_u(ll, 32), v128.and(lh, low32)), v128.and(hl, low32));
  return i64x2.add(i64x2.add(hh, i64x2.shr_u(lh, 32)), i64x2.add(i64x2.shr_u(hl, 32), i64x2.shr_u(mid, 32)));
}

/** Set by `sumPositiveSimd`: the high 64 bits of the sum, and the count of positive profits. */
export let sumHighSimd: u64 = 0;
export let sumCountSimd: u32 = 0;

/** As `sumPositive` (allocate.ts) over accounts [0, pairs), pairs even, skipping exempt ones: returns the low 64 bits. */
export function sumPositiveSimd(profits: usize, pairs: u32, exempt: usize): u64 {
  return exempt == 0 ? sumPositiveSimdLoop(profits, pairs, 0, false) : sumPositiveSimdLoop(profits, pairs, exempt, true);
}

// @ts-ignore: decorator
@inline function sumPositiveSimdLoop(profits: usize, pairs: u32, exempt: usize, checkExempt: bool): u64 {
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
  sumHighSimd = <u64>i64x2.extract_lane(hi, 0) + <u64>i64x2.extract_lane(hi, 1) + <u64>(sum < lo0);
  sumCountSimd = <u32>(i64x2.extract_lane(count, 0) + i64x2.extract_lane(count, 1));
  return sum;
}

/** All-ones lanes for accounts i and i + 1 when not exempt: their two exempt bytes, read as one u16. */
// @ts-ignore: decorator
@inline export function openLanes(exempt: usize, i: u32): v128 {
  const bytes = i64x2.splat(<u64>load<u16>(exempt + <usize>i));
  return i64x2.eq(v128.and(bytes, i64x2(0xFF, 0xFF00)), i64x2.splat(0));
}
