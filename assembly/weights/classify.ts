// The split by weight's classification pass: one round over a region against a level,
// capping what is surely below it and listing what is near it (no division per account:
// a fixed-point ratio as in floor.ts).

import { add128, addLanes, fixedRatio, high, mulhiSplit, ratioShift } from '../wide';
import { mulhiLanes } from '../floor';
import { positivePart } from '../columns';
import { MASK_CAPPED, MASK_SHARES } from '../layout';

// Set by `classifyRegion`: Σ caps (128-bit: past S only when the level was too high) and Σ w of
// the accounts it capped, how many, the near list's end and the middle list's start.
export let roundCapped: u64 = 0, roundCappedHigh: u64 = 0, cappedWeightLow: u64 = 0, cappedWeightHigh: u64 = 0;
export let nearEnd: usize = 0, midStart: usize = 0, roundMarked: u32 = 0;

/**
 * One round over a region against the level λb = S / W (at most λ*): caps every
 * eligible account not capped yet whose cap is below its share of S by weight
 * (ρ < λb), and sorts the others by how far above λb they may be (near: up to 8/7·λb,
 * middle: up to 2·λb; with `everyone`, all near). Results in this module's `round*`,
 * `nearEnd` and `midStart`.
 */
export function classifyRegion(
  weights: usize, caps: usize, mask: usize, region: usize, count: u32, indexList: usize, listEnd: usize,
  S: u64, Wlo: u64, Whi: u64, everyone: bool,
): void {
  // S = a·W + b with b < W: the share S·w/W is a·w + b·w/W (a > 0 only when W ≤ S < 2^63).
  const whole = Whi == 0 && Wlo <= S;
  const a: u64 = whole ? S / Wlo : 0;
  const b: u64 = whole ? S % Wlo : S;
  const s = ratioShift(Whi);
  const c = fixedRatio(b, Wlo, Whi, s);
  // Shifts of the two bounds (8/7 and 2 times the share); 0 makes every account near (cap − cap > q̃ + 3 never holds).
  const nearShift: u64 = everyone ? 0 : 3, midShift: u64 = everyone ? 0 : 1;
  // One copy of the loop per case, so that each carries only what it needs.
  if (ASC_FEATURE_SIMD && region == 0) {
    classifyPairs(weights, caps, mask, count & ~1, indexList, listEnd, a, c, s, <i32>nearShift, <i32>midShift);
    const cLo = roundCapped, cHi = roundCappedHigh, wLo = cappedWeightLow, wHi = cappedWeightHigh, marked = roundMarked;
    classify(weights, caps, mask, 0, count, nearEnd, midStart, a, c, <u64>s, nearShift, midShift, false, count & ~1);
    roundCapped = add128(roundCapped, roundCappedHigh, cLo, cHi);
    roundCappedHigh = high;
    cappedWeightLow = add128(cappedWeightLow, cappedWeightHigh, wLo, wHi);
    cappedWeightHigh = high;
    roundMarked += marked;
  } else if (region == 0) {
    classify(weights, caps, mask, 0, count, indexList, listEnd, a, c, <u64>s, nearShift, midShift, false, 0);
  } else {
    classify(weights, caps, mask, region, count, indexList, listEnd, a, c, <u64>s, nearShift, midShift, true, 0);
  }
}

/**
 * A round's pass: each eligible account of the region is capped (mask
 * MASK_CAPPED), near (index listed up from `near`), middle (index listed down to
 * `mid`) or presumed to share. Branch-free on the data; `listed` picks the loop.
 *
 * No exact division: q̃ = ⌊w·c / 2^(64+s)⌋ + a·w is the floor share q or q − 1
 * (see allocate.ts), so the share is below q̃ + 2. Then cap < q̃ is capped for
 * sure, and cap − ⌊cap / 2^g⌋ > q̃ + 3 means cap·(1 − 2^−g) > q̃ + 2 > share: the
 * account's ratio is above 2^g/(2^g − 1)·λ0 (8/7·λ0 for g = 3, 2·λ0 for g = 1).
 * The few accounts with cap near q̃ are listed, where the selection decides them exactly.
 */
// @ts-ignore: decorator
@inline function classify(
  weights: usize, caps: usize, mask: usize, region: usize, count: u32, near: usize, mid: usize,
  a: u64, c: u64, s: u64, nearShift: u64, midShift: u64, listed: bool, from: u32,
): void {
  let capped: u64 = 0, cappedHi: u64 = 0, wLo: u64 = 0, wHi: u64 = 0;
  let marked: u32 = 0;
  const c0 = c & 0xFFFF_FFFF, c1 = c >> 32;
  for (let k = from; k < count; k++) {
    const i = listed ? load<u32>(region + (<usize>k << 2)) : k;
    // Capped already (an earlier round) or ineligible: computes with w = 0, never capped or listed again.
    const state = load<u8>(mask + <usize>i);
    const live = state == MASK_SHARES;
    const w = select<u64>(load<u64>(weights + (<usize>i << 3)), 0, live);
    const cap = positivePart(load<i64>(caps + (<usize>i << 3)));
    const q = (mulhiSplit(w, c0, c1) >> s) + a * w;
    // An ineligible account computes with w = 0: q = 0 ≤ cap, never capped, listed or presumed.
    const isCapped = cap < q;
    store<u8>(mask + <usize>i, select<u8>(MASK_CAPPED, state, isCapped));
    const cc = select<u64>(cap, 0, isCapped);
    capped += cc;
    cappedHi += <u64>(capped < cc);
    const cw = select<u64>(w, 0, isCapped);
    wLo += cw;
    wHi += <u64>(wLo < cw);
    marked += <u32>isCapped;
    const beyondNear = cap - (cap >> nearShift) > q + 3, beyondMid = cap - (cap >> midShift) > q + 3;
    const open = live & !isCapped;
    // Always written at the next free slot, kept only when the pointer moves: no branch.
    store<u32>(near, i);
    near += select<usize>(4, 0, open & !beyondNear);
    store<u32>(mid - 4, i);
    mid -= select<usize>(4, 0, open & beyondNear & !beyondMid);
  }
  roundCapped = capped;
  roundCappedHigh = cappedHi;
  cappedWeightLow = wLo;
  cappedWeightHigh = wHi;
  roundMarked = marked;
  nearEnd = near;
  midStart = mid;
}

/**
 * `classify` over accounts [0, pairs), pairs even, two lanes at a time (SIMD
 * builds only), with the same results.
 */
function classifyPairs(
  weights: usize, caps: usize, mask: usize, pairs: u32, near: usize, mid: usize, a: u64, c: u64, s: i32, nearShift: i32, midShift: i32,
): void {
  const zero = i64x2.splat(0), three = i64x2.splat(3), flip = i64x2.splat(<u64>1 << 63);
  const cLow = i32x4.splat(<i32>c), cHigh = i32x4.splat(<i32>(c >> 32)), vA = i64x2.splat(a);
  const byteLanes = i64x2(0xFF, 0xFF00), cappedLanes = i64x2(MASK_CAPPED, <u64>MASK_CAPPED << 8);
  let capped = zero, cappedHi = zero, wLo = zero, wHi = zero, marked = zero;
  for (let i: u32 = 0; i < pairs; i += 2) {
    const at = <usize>i << 3;
    // Lane 0 holds account i's mask byte, lane 1 account i + 1's shifted by 8: OR-ing the lanes rebuilds the u16.
    const stateLanes = v128.and(i64x2.splat(<u64>load<u16>(mask + <usize>i)), byteLanes);
    const live = i64x2.eq(stateLanes, zero);
    const w = v128.and(v128.load(weights + at), live);
    const cv = v128.load(caps + at);
    const cap = v128.and(cv, i64x2.gt_s(cv, zero));
    // q̃ and caps are below 2^63 (signed comparisons are unsigned ones there), but q̃ + 3
    // may not be: the bound is compared unsigned, as (x ^ 2^63) > (y ^ 2^63) signed.
    const q = i64x2.add(i64x2.shr_u(mulhiLanes(w, cLow, cHigh), s), i64x2.mul(w, vA));
    const isCapped = i64x2.gt_s(q, cap);
    const bound = v128.xor(i64x2.add(q, three), flip);
    const beyondNear = i64x2.gt_s(v128.xor(i64x2.sub(cap, i64x2.shr_u(cap, nearShift)), flip), bound);
    const beyondMid = i64x2.gt_s(v128.xor(i64x2.sub(cap, i64x2.shr_u(cap, midShift)), flip), bound);
    const states = v128.bitselect(cappedLanes, stateLanes, isCapped);
    store<u16>(mask + <usize>i, <u16>(i64x2.extract_lane(states, 0) | i64x2.extract_lane(states, 1)));
    const cc = v128.and(cap, isCapped);
    capped = i64x2.add(capped, cc);
    cappedHi = i64x2.sub(cappedHi, i64x2.gt_s(v128.xor(cc, flip), v128.xor(capped, flip)));
    const cw = v128.and(w, isCapped);
    wLo = i64x2.add(wLo, cw);
    wHi = i64x2.sub(wHi, i64x2.gt_s(v128.xor(cw, flip), v128.xor(wLo, flip)));
    marked = i64x2.sub(marked, isCapped);
    const open = v128.andnot(live, isCapped);
    const nearBits = i64x2.bitmask(v128.andnot(open, beyondNear));
    const midBits = i64x2.bitmask(v128.andnot(v128.and(open, beyondNear), beyondMid));
    store<u32>(near, i);
    near += select<usize>(4, 0, nearBits & 1);
    store<u32>(near, i + 1);
    near += select<usize>(4, 0, nearBits & 2);
    store<u32>(mid - 4, i);
    mid -= select<usize>(4, 0, midBits & 1);
    store<u32>(mid - 4, i + 1);
    mid -= select<usize>(4, 0, midBits & 2);
  }
  roundCapped = addLanes(capped, cappedHi);
  roundCappedHigh = high;
  cappedWeightLow = addLanes(wLo, wHi);
  cappedWeightHigh = high;
  roundMarked = <u32>(i64x2.extract_lane(marked, 0) + i64x2.extract_lane(marked, 1));
  nearEnd = near;
  midStart = mid;
}
