// The narrow pass with 128-bit SIMD: two accounts per step. Compiled only into
// the `simd` builds (ASC_FEATURE_SIMD); the result is bit for bit that of
// `floorsNarrow` in allocate.ts, which documents the arithmetic.
//
// WebAssembly SIMD has no unsigned 64-bit compare: a ≥ b unsigned is tested as
// (a ^ 2^63) > ((b − 1) ^ 2^63) signed. mulhi takes the 32-bit halves of two
// profits in one shuffle and widens them with extmul (32×32 → 64 per lane).

import { LIST_ENTRY } from './select';
import { openLanes } from './columns';
import { floorLanes, remainderLanes } from './floor';

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
  const vS = i64x2.splat(S), vP = i64x2.splat(P);
  const above = i64x2.splat(high ^ SIGN), vLow = i64x2.splat(low), span = i64x2.splat((high - low) ^ SIGN);
  let written = i64x2.splat(0);
  const quads = pairs & ~3;
  let i: u32 = 0;
  for (; i < quads; i += 4) {
    entry = floorPair(profits, haircuts, i, entry, cLow, cHigh, vS, vP, above, vLow, span, exempt, checkExempt);
    entry = floorPair(profits, haircuts, i + 2, entry, cLow, cHigh, vS, vP, above, vLow, span, exempt, checkExempt);
    const at = haircuts + (<usize>i << 3);
    written = i64x2.add(written, i64x2.add(v128.load(at), v128.load(at, 16)));
  }
  if (i < pairs) {
    entry = floorPair(profits, haircuts, i, entry, cLow, cHigh, vS, vP, above, vLow, span, exempt, checkExempt);
    written = i64x2.add(written, v128.load(haircuts + (<usize>i << 3)));
  }
  writtenSimd = i64x2.extract_lane(written, 0) + i64x2.extract_lane(written, 1);
  return entry;
}

/** Accounts i and i + 1: haircuts stored, remainders in the band listed. Returns the list's new end. */
// @ts-ignore: decorator
@inline function floorPair(
  profits: usize, haircuts: usize, i: u32, entry: usize,
  cLow: v128, cHigh: v128, vS: v128, vP: v128, above: v128, vLow: v128, span: v128,
  exempt: usize, checkExempt: bool,
): usize {
  const zero = i64x2.splat(0);
  const flip = i64x2.splat(<u64>1 << 63);
  const at = <usize>i << 3;
  const p = v128.load(profits + at);
  const m = v128.and(p, checkExempt ? v128.and(i64x2.gt_s(p, zero), openLanes(exempt, i)) : i64x2.gt_s(p, zero));
  const q = floorLanes(m, cLow, cHigh, vS, vP);
  const r = remainderLanes(m, vS, vP, q);
  v128.store(haircuts + at, i64x2.sub(q, i64x2.gt_s(v128.xor(r, flip), above)));
  const outside = i64x2.bitmask(i64x2.gt_s(v128.xor(i64x2.sub(r, vLow), flip), span));
  store<u64>(entry, i64x2.extract_lane(r, 0));
  store<u32>(entry, i, 8);
  entry += select<usize>(0, LIST_ENTRY, outside & 1);
  store<u64>(entry, i64x2.extract_lane(r, 1));
  store<u32>(entry, i + 1, 8);
  return entry + select<usize>(0, LIST_ENTRY, outside & 2);
}

