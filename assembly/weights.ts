// Pro rata by weights, with caps (water-filling): which accounts pay their
// whole cap, exactly, in expected linear time.
//
// Account i (weight w > 0, cap > 0, not exempt) has the ratio ρ = cap / w. For
// a level λ, Σ min(cap, λ·w) grows with λ; the level λ* where it reaches S
// caps exactly the accounts with ρ < λ*, and the set C = {ρ < λ*} is the
// contract's: i ∈ C ⟺ cap·W < R·w, with R = S − Σ_C cap and W = Σ_{∉C} w.
//
// 1. `sumWeighted`: Σ w and Σ cap of the eligible (128-bit), one mask byte each
//    (0 shares, 1 ineligible), and the first negative weight or cap.
// 2. `capAccounts` finds C (mask 2), R and W in rounds, each one pass over the
//    region against a level λb that is at most λ* (so every account capped
//    there, ρ < λb, is in C):
//    - The first λb is S / Σw, or on large regions a level estimated from a
//      sample (floating point, deciding nothing: the round checks in integers
//      that it was at most λ*, and starts over from S / Σw when it was not).
//    - The pass (SIMD, no division: a fixed-point ratio as in allocate.ts) caps
//      what is below λb and lists the accounts up to 8/7·λb (near) and up to
//      2·λb (middle); the rest are presumed to share.
//    - A quickselect on ρ over a list (3-way, exact 128-bit cross products,
//      sequential on copies of (cap, w)) finds the level: for a pivot p, p ∈ C ⟺
//      cap_p·W_t < R_t·w_p with everything below p capped and everything from p
//      up sharing, and each step settles one side.
//    - A level above the list's bound (checked exactly, in 192 bits) means a
//      presumed account may be capped: the middle list joins, then a next round
//      starts from the Newton level of what is left uncapped (also at most λ*),
//      and after four rounds every uncapped account is listed. The answer never
//      depends on the rounds, only the time.
// 3. The others share b = R mod W through `allocate` (weights as profits, the
//    mask as exemptions), and `finishWeighted` adds ⌊R/W⌋·w and writes the caps.

import { fixedRatio, less128, mulhi, mulhiSplit, ratioShift, splitmix64 } from './wide';
import { positivePart } from './select';
import { mulhiLanes, openLanes } from './simd';

/** Mask bytes: shares the rest, ineligible (weight 0, cap 0 or exempt), pays its whole cap. */
const SHARES: u8 = 0, OUT: u8 = 1, CAPPED: u8 = 2;
/** Transient mask bytes while pools are capped: listed near, listed in the middle (reset to SHARES after). */
const NEAR: u8 = 3, MIDDLE: u8 = 4;

let capLow: u64 = 0, capHigh: u64 = 0, eligibleCount: u32 = 0, firstBad: i32 = -1;

/**
 * Σ eligible weights (returned low half; `weightedHigh()` the high half),
 * Σ eligible caps (`capTotalLow()`, `capTotalHigh()`), the eligible count
 * (`weightedCount()`) and the first account with a negative weight, or cap when
 * `capsChecked` (`firstNegative()`, −1 if none; the sums are then unused).
 * `caps` may be the profits column: a cap is max(value, 0). Writes one mask
 * byte per account (SHARES or OUT). Branch-free.
 */
export function sumWeighted(weights: usize, caps: usize, exempt: usize, mask: usize, n: u32, capsChecked: bool): u64 {
  const low = exempt == 0
    ? sumWeightedLoop(weights, caps, 0, mask, n, capsChecked, false)
    : sumWeightedLoop(weights, caps, exempt, mask, n, capsChecked, true);
  firstBad = -1;
  if (signs < 0) {
    for (let i: u32 = 0; i < n; i++) {
      const at = <usize>i << 3;
      if (load<i64>(weights + at) < 0 || (capsChecked && load<i64>(caps + at) < 0)) {
        firstBad = <i32>i;
        break;
      }
    }
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
    wHi = laneCarry;
    cLo = addLanes(vcLo, vcHi);
    cHi = laneCarry;
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
    store<u8>(mask + <usize>i, select<u8>(SHARES, OUT, live));
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

let laneCarry: u64 = 0;

/** The 128-bit sum of two lanes' (low, high) sums: returns the low half, `laneCarry` the high. */
function addLanes(lo: v128, hi: v128): u64 {
  const lo0 = <u64>i64x2.extract_lane(lo, 0), lo1 = <u64>i64x2.extract_lane(lo, 1);
  const sum = lo0 + lo1;
  laneCarry = <u64>i64x2.extract_lane(hi, 0) + <u64>i64x2.extract_lane(hi, 1) + <u64>(sum < lo0);
  return sum;
}

let weightHigh: u64 = 0;

/** High half of the last `sumWeighted` weight total. */
export function weightedHigh(): u64 { return weightHigh; }
/** Low half of the last `sumWeighted` cap total. */
export function capTotalLow(): u64 { return capLow; }
/** High half of the last `sumWeighted` cap total. */
export function capTotalHigh(): u64 { return capHigh; }
/** Eligible accounts seen by the last `sumWeighted`. */
export function weightedCount(): u32 { return eligibleCount; }
/** The first account with a negative weight or cap in the last `sumWeighted`, or −1. */
export function firstNegative(): i32 { return firstBad; }

// Results of `capAccounts`: R = S − Σ_C cap, W = Σ weights outside C, |C|.
let shareUnits: u64 = 0, shareWeightLow: u64 = 0, shareWeightHigh: u64 = 0, cappedCount: u32 = 0;

/** R of the last `capAccounts`: what the accounts outside C share. */
export function sharedUnits(): u64 { return shareUnits; }
/** Low half of W of the last `capAccounts`: Σ weights outside C. */
export function sharedWeightLow(): u64 { return shareWeightLow; }
/** High half of W of the last `capAccounts`. */
export function sharedWeightHigh(): u64 { return shareWeightHigh; }
/** |C| of the last `capAccounts`. */
export function cappedAccounts(): u32 { return cappedCount; }

/**
 * Finds C for the accounts of one region and marks them CAPPED in `mask`:
 * the region is accounts 0…count−1 when `region` is 0, else the `count`
 * indices (u32) at `region`. S = the units to take (below Σ caps of the
 * region's eligible, below 2^63), (Wlo, Whi) = their Σ weights. Scratch:
 * `capList` and `weightList` of 8 bytes per account of the region, `indexList`
 * of 4. Results: `sharedUnits()`, `sharedWeightLow/High()`, `cappedAccounts()`.
 */
export function capAccounts(
  weights: usize, caps: usize, mask: usize, region: usize, count: u32, capList: usize, weightList: usize, indexList: usize,
  S: u64, Wlo: u64, Whi: u64,
): void {
  // The middle list grows down from the end of the (cap) scratch; it is copied out before that is used.
  const listEnd = capList + (<usize>count << 3);
  cappedCount = 0;
  selectedCaps = 0;
  selectedWeightLow = 0;
  selectedWeightHigh = 0;
  // (Rb, bLo:bHi): what the accounts not capped yet must pay and their Σ w. Each round classifies
  // them against a level λb = Rb / Wb that is at most λ*: their own level (a Newton step), or at
  // first one estimated from a sample (S / Wb with Wb below the Σ w), checked right after.
  let Rb = S, bLo = Wlo, bHi = Whi;
  let sampled = sampledLevel(weights, caps, mask, region, count, capList, weightList, S, Wlo, Whi);
  for (let round: u32 = 0; ; round++) {
    const everyone = round >= NEWTON_ROUNDS;
    const lLo = sampled ? sampleWeightLow : bLo, lHi = sampled ? sampleWeightHigh : bHi;
    classifyRegion(weights, caps, mask, region, count, indexList, listEnd, Rb, lLo, lHi, everyone);
    const near = <u32>((nearEnd - indexList) >> 2), mid = <u32>((listEnd - midStart) >> 2);
    // R and the weight of every account not capped yet: the lists' and the presumed.
    const R = Rb - roundCapped;
    const restLo = bLo - cappedWeightLow, restHi = bHi - cappedWeightHigh - <u64>(bLo < cappedWeightLow);
    if (sampled) {
      sampled = false;
      // The sampled level was at most λ* if, with the accounts it capped paying their caps and
      // the others its level, no more than S is taken: Σ caps < S and S/Wl ≤ (S − Σ caps) / rest.
      if (roundCappedHigh != 0 || roundCapped >= Rb || !levelAtLeast(R, restLo, restHi, Rb, lLo, lHi)) {
        // It was not: this round again, from S / W, with a clean mask.
        unmark(mask, region, count);
        cappedCount = 0;
        round--;
        continue;
      }
    }
    if (everyone) {
      // Every account not capped yet is listed: always right.
      selectOver(weights, caps, mask, capList, weightList, indexList, near, R, restLo, restHi);
      break;
    }
    // R / rest is the next Newton level, still at most λ*: when it passes 2·λb, no list of this
    // round holds the boundary, and the next round starts from it. Else the near list (right when
    // λ* ≤ 8/7·λb), or with the middle one (right when λ* ≤ 2·λb).
    if (levelAtMost(Rb, lLo, lHi, R, restLo, restHi, 1)) {
      if (levelAtMost(Rb, lLo, lHi, R, restLo, restHi, 3)) {
        selectOver(weights, caps, mask, capList, weightList, indexList, near, R, restLo, restHi);
        if ((outsideLow | outsideHigh) == 0 || levelAtMost(Rb, lLo, lHi, shareUnits, shareWeightLow, shareWeightHigh, 3)) break;
      }
      memory.copy(indexList + (<usize>near << 2), midStart, <usize>mid << 2);
      selectOver(weights, caps, mask, capList, weightList, indexList, near + mid, R, restLo, restHi);
      if ((outsideLow | outsideHigh) == 0 || levelAtMost(Rb, lLo, lHi, shareUnits, shareWeightLow, shareWeightHigh, 1)) break;
    }
    // Next level: every account capped so far (all truly in C) taken out.
    Rb = R - selectedCaps;
    bLo = restLo - selectedWeightLow;
    bHi = restHi - selectedWeightHigh - <u64>(restLo < selectedWeightLow);
    selectedCaps = 0;
    selectedWeightLow = 0;
    selectedWeightHigh = 0;
  }
  if (!ASC_NO_ASSERT) verifyCapped(weights, caps, mask, region, count, S, shareUnits, shareWeightLow, shareWeightHigh);
}

/** Sample positions for the first level, and the fewest accounts worth sampling. */
const SAMPLE_POSITIONS: u32 = 2048, SAMPLE_FROM: u32 = 1 << 16;

let sampleWeightLow: u64 = 0, sampleWeightHigh: u64 = 0;

/**
 * Estimates λ* from a sample of the region (every count/2048-th account) and, when
 * 0.95 of it is above λ0 = S / W (by more than 2%), sets (`sampleWeightLow/High`)
 * Wl = S / (0.95·λ̂) and returns true: the first round then classifies against S / Wl.
 * The estimate is floating point and decides nothing: the round checks exactly that
 * S / Wl ≤ λ* before using what it found (else it starts again from λ0). The sample's
 * ratios and weights go to `ratios` and `pairs` (8 and 16 bytes per sample).
 */
function sampledLevel(
  weights: usize, caps: usize, mask: usize, region: usize, count: u32, ratios: usize, pairs: usize,
  S: u64, Wlo: u64, Whi: u64,
): bool {
  if (count < SAMPLE_FROM) return false;
  let m: u32 = 0;
  for (let j: u32 = 0; j < SAMPLE_POSITIONS; j++) {
    const k = <u32>((<u64>j * <u64>count) / SAMPLE_POSITIONS);
    const i = <usize>(region == 0 ? k : load<u32>(region + (<usize>k << 2)));
    if (load<u8>(mask + i) != SHARES) continue;
    const w = <f64>load<u64>(weights + (i << 3)), cap = <f64>positivePart(load<i64>(caps + (i << 3)));
    store<f64>(ratios + (<usize>m << 3), cap / w);
    store<f64>(pairs + (<usize>m << 4), cap);
    store<f64>(pairs + (<usize>m << 4), w, 8);
    m++;
  }
  if (m < 64) return false;
  sortSample(ratios, pairs, m);
  // Σ over the book ≈ count / 2048 × Σ over the sample: solve Σ_sample min(cap, λ·w) = S·2048 / count.
  const target = <f64>S * <f64>SAMPLE_POSITIONS / <f64>count;
  let below = 0.0, above = 0.0;
  for (let j: u32 = 0; j < m; j++) above += load<f64>(pairs + (<usize>j << 4), 8);
  let estimate = load<f64>(ratios + (<usize>(m - 1) << 3));
  for (let j: u32 = 0; j < m; j++) {
    const ratio = load<f64>(ratios + (<usize>j << 3));
    if (below + ratio * above >= target) {
      estimate = (target - below) / above;
      break;
    }
    below += load<f64>(pairs + (<usize>j << 4));
    above -= load<f64>(pairs + (<usize>j << 4), 8);
  }
  const level = 0.95 * estimate;
  const total = <f64>Whi * 18446744073709551616.0 + <f64>Wlo;
  if (!(level > 1.02 * (<f64>S / total))) return false;
  const Wl = <f64>S / level;
  if (!(Wl >= 1.0) || !(Wl < total)) return false;
  sampleWeightHigh = <u64>Math.floor(Wl / 18446744073709551616.0);
  sampleWeightLow = <u64>(Wl - <f64>sampleWeightHigh * 18446744073709551616.0);
  return true;
}

/** Heapsort of the m sample ratios ascending, their (cap, w) pairs alongside. */
function sortSample(ratios: usize, pairs: usize, m: u32): void {
  for (let start = <i32>(m >> 1) - 1; start >= 0; start--) siftDown(ratios, pairs, <u32>start, m);
  for (let end = m - 1; end > 0; end--) {
    swapSample(ratios, pairs, 0, end);
    siftDown(ratios, pairs, 0, end);
  }
}

function siftDown(ratios: usize, pairs: usize, from: u32, end: u32): void {
  let root = from;
  for (;;) {
    let child: u32 = 2 * root + 1;
    if (child >= end) return;
    if (child + 1 < end && load<f64>(ratios + (<usize>(child + 1) << 3)) > load<f64>(ratios + (<usize>child << 3))) child++;
    if (load<f64>(ratios + (<usize>root << 3)) >= load<f64>(ratios + (<usize>child << 3))) return;
    swapSample(ratios, pairs, root, child);
    root = child;
  }
}

function swapSample(ratios: usize, pairs: usize, x: u32, y: u32): void {
  const rx = ratios + (<usize>x << 3), ry = ratios + (<usize>y << 3);
  const t = load<f64>(rx);
  store<f64>(rx, load<f64>(ry));
  store<f64>(ry, t);
  const px = pairs + (<usize>x << 4), py = pairs + (<usize>y << 4);
  const cap = load<u64>(px), w = load<u64>(px, 8);
  store<u64>(px, load<u64>(py));
  store<u64>(px, load<u64>(py, 8), 8);
  store<u64>(py, cap);
  store<u64>(py, w, 8);
}

/** Whether R/W ≥ Sb/Wb: Sb·W ≤ R·Wb, exactly in 192 bits. */
function levelAtLeast(R: u64, Wlo: u64, Whi: u64, Sb: u64, Wblo: u64, Wbhi: u64): bool {
  return productsAtMost(Sb, Wlo, Whi, R, Wblo, Wbhi);
}

/** Newton rounds (a first pass against a higher base level each) before every account is listed. */
const NEWTON_ROUNDS: u32 = 4;

/** Clears the CAPPED marks of a region back to SHARES. */
function unmark(mask: usize, region: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const at = mask + <usize>(region == 0 ? k : load<u32>(region + (<usize>k << 2)));
    if (load<u8>(at) == CAPPED) store<u8>(at, SHARES);
  }
}

/**
 * Debug builds only: the region's C is the contract's. R and W add up from the
 * mask (R = S − Σ caps of CAPPED, W = Σ w of SHARES), and an eligible account is
 * CAPPED exactly when cap·W < R·w.
 */
function verifyCapped(weights: usize, caps: usize, mask: usize, region: usize, count: u32, S: u64, R: u64, Wlo: u64, Whi: u64): void {
  let capped: u64 = 0, wLo: u64 = 0, wHi: u64 = 0;
  for (let k: u32 = 0; k < count; k++) {
    const i = region == 0 ? k : load<u32>(region + (<usize>k << 2));
    const state = load<u8>(mask + <usize>i);
    if (state == OUT) continue;
    const w = load<u64>(weights + (<usize>i << 3)), cap = positivePart(load<i64>(caps + (<usize>i << 3)));
    assert(state == SHARES || state == CAPPED, 'weights: a listed state left in the mask');
    assert((state == CAPPED) == capsBelowLevel(cap, Wlo, Whi, R, w), 'weights: the capped set is not {cap·W < R·w}');
    if (state == CAPPED) capped += cap;
    else {
      wLo += w;
      wHi += <u64>(wLo < w);
    }
  }
  assert(S - capped == R && wLo == Wlo && wHi == Whi, 'weights: R or W does not add up from the mask');
}

let knownHigh: u64 = 0;

/** (aLo, aHi) + (bLo, bHi): returns the low half, `knownHigh` the high. */
function add128(aLo: u64, aHi: u64, bLo: u64, bHi: u64): u64 {
  const lo = aLo + bLo;
  knownHigh = aHi + bHi + <u64>(lo < aLo);
  return lo;
}

// Set by `classify`: Σ caps (128-bit: past S only when the level was too high) and Σ w of the
// capped, how many, the near list's end and the middle list's start.
let roundCapped: u64 = 0, roundCappedHigh: u64 = 0, cappedWeightLow: u64 = 0, cappedWeightHigh: u64 = 0;
let nearEnd: usize = 0, midStart: usize = 0, roundMarked: u32 = 0;

/**
 * The first round over a region: caps every eligible account whose cap is below
 * its share of S by weight over all of them (ρ < λ0, with λ0 = S / W a lower
 * bound of the level λ*), and sorts the others by how far above λ0 they may be.
 */
function classifyRegion(
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
    roundCappedHigh = knownHigh;
    cappedWeightLow = add128(cappedWeightLow, cappedWeightHigh, wLo, wHi);
    cappedWeightHigh = knownHigh;
    roundMarked += marked;
  } else if (region == 0) {
    classify(weights, caps, mask, 0, count, indexList, listEnd, a, c, <u64>s, nearShift, midShift, false, 0);
  } else {
    classify(weights, caps, mask, region, count, indexList, listEnd, a, c, <u64>s, nearShift, midShift, true, 0);
  }
  cappedCount += roundMarked;
}

/**
 * The first round's pass: each eligible account of the region is capped (mask
 * CAPPED), near (index listed up from `near`), middle (index listed down to
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
    const live = state == SHARES;
    const w = select<u64>(load<u64>(weights + (<usize>i << 3)), 0, live);
    const cap = positivePart(load<i64>(caps + (<usize>i << 3)));
    const q = (mulhiSplit(w, c0, c1) >> s) + a * w;
    // An ineligible account computes with w = 0: q = 0 ≤ cap, never capped, listed or presumed.
    const isCapped = cap < q;
    store<u8>(mask + <usize>i, select<u8>(CAPPED, state, isCapped));
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
  const byteLanes = i64x2(0xFF, 0xFF00), cappedLanes = i64x2(CAPPED, <u64>CAPPED << 8);
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
  roundCappedHigh = laneCarry;
  cappedWeightLow = addLanes(wLo, wHi);
  cappedWeightHigh = laneCarry;
  roundMarked = <u32>(i64x2.extract_lane(marked, 0) + i64x2.extract_lane(marked, 1));
  nearEnd = near;
  midStart = mid;
}

let pivotState: u64 = 0;

// Set by `selectOver`: Σ w of the accounts presumed to share (neither capped nor listed);
// Σ caps and Σ w of the accounts it newly marked CAPPED, summed over calls (reset by the caller).
let outsideLow: u64 = 0, outsideHigh: u64 = 0;
let selectedCaps: u64 = 0, selectedWeightLow: u64 = 0, selectedWeightHigh: u64 = 0;

/**
 * Quickselect on ρ over the `count` listed accounts (indices at `indexList`,
 * reordered): each is settled as capped (marked CAPPED) or sharing. R = S − Σ
 * caps capped so far; (restLo, restHi) = Σ w of every account not capped so far,
 * listed or not. The (cap, w) of each listed account is copied side by side first,
 * so that the partitions read memory in order. Sets R and W (`sharedUnits`,
 * `sharedWeight*`) and the presumed weight (`outside*`).
 */
function selectOver(
  weights: usize, caps: usize, mask: usize, capList: usize, weightList: usize, indexList: usize, count: u32,
  R: u64, restLo: u64, restHi: u64,
): void {
  let listLo: u64 = 0, listHi: u64 = 0;
  for (let k: u32 = 0; k < count; k++) {
    const i = <usize>load<u32>(indexList + (<usize>k << 2));
    const w = load<u64>(weights + (i << 3));
    store<u64>(capList + (<usize>k << 3), positivePart(load<i64>(caps + (i << 3))));
    store<u64>(weightList + (<usize>k << 3), w);
    listLo += w;
    listHi += <u64>(listLo < w);
  }
  // Known to share from the start: every account neither capped nor listed.
  let bLo = restLo - listLo, bHi = restHi - listHi - <u64>(restLo < listLo);
  outsideLow = bLo;
  outsideHigh = bHi;
  let lo: u32 = 0, hi: u32 = count;
  pivotState = <u64>count;
  while (lo < hi) {
    const pick = lo + <u32>(splitmix64(pivotState++) % <u64>(hi - lo));
    const pc = load<u64>(capList + (<usize>pick << 3)), pw = load<u64>(weightList + (<usize>pick << 3));
    const pw0 = pw & 0xFFFF_FFFF, pw1 = pw >> 32, pc0 = pc & 0xFFFF_FFFF, pc1 = pc >> 32;
    // Dutch flag: [lo, lt) below p's ratio, [lt, at) equal, [gt, hi) above.
    let lt = lo, at = lo, gt = hi;
    let belowLo: u64 = 0, belowHi: u64 = 0, equalCap: u64 = 0, upLo: u64 = 0, upHi: u64 = 0;
    while (at < gt) {
      const cap = load<u64>(capList + (<usize>at << 3)), w = load<u64>(weightList + (<usize>at << 3));
      // cap·pw against pc·w, both exact 128-bit.
      const xHi = mulhiSplit(cap, pw0, pw1), xLo = cap * pw;
      const yHi = mulhiSplit(w, pc0, pc1), yLo = pc * w;
      if (less128(xLo, xHi, yLo, yHi)) {
        swap(capList, weightList, indexList, lt, at);
        lt++;
        at++;
        belowLo += cap;
        belowHi += <u64>(belowLo < cap);
      } else if (less128(yLo, yHi, xLo, xHi)) {
        gt--;
        swap(capList, weightList, indexList, gt, at);
        upLo += w;
        upHi += <u64>(upLo < w);
      } else {
        at++;
        equalCap += cap;
        upLo += w;
        upHi += <u64>(upLo < w);
      }
    }
    // With everything below p capped and the rest sharing: R_t = R − Σ below, W_t = B + Σ w (equal and above).
    const wtLo = bLo + upLo, wtHi = bHi + upHi + <u64>(bLo + upLo < bLo);
    if (belowHi == 0 && belowLo < R && capsBelowLevel(pc, wtLo, wtHi, R - belowLo, pw)) {
      // p and all at or below its ratio are capped: only the ratios above it remain.
      for (let k = lo; k < gt; k++) {
        const state = mask + <usize>load<u32>(indexList + (<usize>k << 2));
        if (load<u8>(state) != CAPPED) {
          cappedCount++;
          selectedCaps += load<u64>(capList + (<usize>k << 3));
          const w = load<u64>(weightList + (<usize>k << 3));
          selectedWeightLow += w;
          selectedWeightHigh += <u64>(selectedWeightLow < w);
        }
        store<u8>(state, CAPPED);
      }
      R -= belowLo + equalCap;
      lo = gt;
    } else {
      // p and all at or above its ratio share: only the ratios below it remain.
      bLo = wtLo;
      bHi = wtHi;
      hi = lt;
    }
  }
  shareUnits = R;
  shareWeightLow = bLo;
  shareWeightHigh = bHi;
}

/** Swaps entries x and y of the three lists. */
// @ts-ignore: decorator
@inline function swap(capList: usize, weightList: usize, indexList: usize, x: u32, y: u32): void {
  const cx = capList + (<usize>x << 3), cy = capList + (<usize>y << 3);
  const wx = weightList + (<usize>x << 3), wy = weightList + (<usize>y << 3);
  const ix = indexList + (<usize>x << 2), iy = indexList + (<usize>y << 2);
  const c = load<u64>(cx), w = load<u64>(wx), i = load<u32>(ix);
  store<u64>(cx, load<u64>(cy));
  store<u64>(wx, load<u64>(wy));
  store<u32>(ix, load<u32>(iy));
  store<u64>(cy, c);
  store<u64>(wy, w);
  store<u32>(iy, i);
}

/** cap·(Wlo, Whi) < R·w, exactly: the 64×128-bit product against the 64×64-bit one. */
// @ts-ignore: decorator
@inline function capsBelowLevel(cap: u64, Wlo: u64, Whi: u64, R: u64, w: u64): bool {
  // cap·W = cap·Wlo + 2^64·cap·Whi; past 2^128 it cannot be below R·w < 2^128.
  const p0 = cap * Wlo, p1 = mulhi(cap, Wlo);
  const q0 = cap * Whi, q1 = mulhi(cap, Whi);
  const mid = p1 + q0;
  if (q1 != 0 || mid < p1) return false;
  return less128(p0, mid, R * w, mulhi(R, w));
}

/**
 * Whether the level R/W is at most 2^g/(2^g − 1) times the base level Sb/Wb:
 * R·(2^g − 1)·Wb ≤ Sb·2^g·W, exactly in 192 bits. With R/W the level a selection
 * found, it says that no account presumed to share (its ratio above that bound) is capped.
 */
function levelAtMost(Sb: u64, Wblo: u64, Wbhi: u64, R: u64, Wlo: u64, Whi: u64, g: i32): bool {
  // Both scaled weights stay below 2^128: W ≤ Wb < 2^96 and g ≤ 3.
  const m = (<u64>1 << <u64>g) - 1;
  const scaledLo = Wblo * m, scaledHi = Wbhi * m + mulhi(Wblo, m);
  const wideLo = Wlo << <u64>g, wideHi = (Whi << <u64>g) | (Wlo >> <u64>(64 - g));
  return productsAtMost(R, scaledLo, scaledHi, Sb, wideLo, wideHi);
}

/** a·(aLo, aHi) ≤ b·(bLo, bHi), exactly in 192 bits. */
function productsAtMost(a: u64, aLo: u64, aHi: u64, b: u64, bLo: u64, bHi: u64): bool {
  mul192(a, aLo, aHi);
  const x0 = limb0, x1 = limb1, x2 = limb2;
  mul192(b, bLo, bHi);
  if (x2 != limb2) return x2 < limb2;
  if (x1 != limb1) return x1 < limb1;
  return x0 <= limb0;
}

let limb0: u64 = 0, limb1: u64 = 0, limb2: u64 = 0;

/** a·(lo, hi) as three 64-bit limbs. */
function mul192(a: u64, lo: u64, hi: u64): void {
  const p0 = a * lo, p1 = mulhi(a, lo);
  const q0 = a * hi, q1 = mulhi(a, hi);
  limb0 = p0;
  limb1 = p1 + q0;
  limb2 = q1 + <u64>(limb1 < p1);
}

/**
 * After `allocate` wrote each sharing account's part of b = R mod W (and 0 for
 * every other account): writes each capped account's cap and adds `whole`·w
 * (whole = ⌊R/W⌋) to the sharing accounts. With `pool` non-zero, each account's
 * `whole` is its pool's entry (u64) at `wholes`.
 */
export function finishWeighted(
  weights: usize, caps: usize, mask: usize, haircuts: usize, n: u32, whole: u64, pool: usize, wholes: usize,
): void {
  if (ASC_FEATURE_SIMD && pool == 0 && whole != 0) {
    finishPairs(weights, caps, mask, haircuts, n & ~1, whole);
    for (let i = n & ~1; i < n; i++) finishOne(weights, caps, mask, haircuts, i, whole);
    return;
  }
  if (pool == 0 && whole == 0) {
    // Only the capped accounts change: skip 8 mask bytes at a time without one.
    let i: u32 = 0;
    for (; i + 8 <= n; i += 8) {
      if ((load<u64>(mask + <usize>i) & 0x0202_0202_0202_0202) == 0) continue;
      for (let j = i; j < i + 8; j++) writeCap(caps, mask, haircuts, j);
    }
    for (; i < n; i++) writeCap(caps, mask, haircuts, i);
    return;
  }
  for (let i: u32 = 0; i < n; i++) {
    finishOne(weights, caps, mask, haircuts, i, pool == 0 ? whole : load<u64>(wholes + (<usize>load<u32>(pool + (<usize>i << 2)) << 3)));
  }
}

/** Account i: its cap when capped, plus whole·w when sharing. */
// @ts-ignore: decorator
@inline function finishOne(weights: usize, caps: usize, mask: usize, haircuts: usize, i: u32, whole: u64): void {
  const at = <usize>i << 3;
  const state = load<u8>(mask + <usize>i);
  if (state == CAPPED) store<u64>(haircuts + at, positivePart(load<i64>(caps + at)));
  else if (state == SHARES) store<u64>(haircuts + at, load<u64>(haircuts + at) + whole * load<u64>(weights + at));
}

/** `finishOne` over accounts [0, pairs), two lanes at a time, branch-free (SIMD builds only). */
function finishPairs(weights: usize, caps: usize, mask: usize, haircuts: usize, pairs: u32, whole: u64): void {
  const vWhole = i64x2.splat(whole), byteLanes = i64x2(0xFF, 0xFF00), cappedLanes = i64x2(CAPPED, <u64>CAPPED << 8);
  const zero = i64x2.splat(0);
  for (let i: u32 = 0; i < pairs; i += 2) {
    const at = <usize>i << 3;
    const states = v128.and(i64x2.splat(<u64>load<u16>(mask + <usize>i)), byteLanes);
    const h = v128.load(haircuts + at);
    const shared = i64x2.add(h, i64x2.mul(v128.load(weights + at), vWhole));
    const open = v128.bitselect(shared, h, i64x2.eq(states, zero));
    v128.store(haircuts + at, v128.bitselect(v128.load(caps + at), open, i64x2.eq(states, cappedLanes)));
  }
}

/** Account i's haircut is its cap when it is capped. */
// @ts-ignore: decorator
@inline function writeCap(caps: usize, mask: usize, haircuts: usize, i: u32): void {
  const at = <usize>i << 3;
  if (load<u8>(mask + <usize>i) == CAPPED) store<u64>(haircuts + at, positivePart(load<i64>(caps + at)));
}

/** Bytes per pool of `capPools`' table: in S, W low, W high; out R, W low, W high, |C|, eligible count. */
export const POOL_LEVEL: usize = 64;
/** Bytes per pool of `capPools`' scratch: a, c, s, active, Σ capped caps, Σ capped w (2), unused, marked, eligible. */
const POOL_WORK: usize = 80;

/**
 * Finds C for every pool at once: `levels` holds per pool (POOL_LEVEL bytes) S,
 * W low and high as the wrapper wrote them (S = 0: nothing to cap), and gets R,
 * W low and high, |C| and the number of eligible accounts. One pass over the book classifies every account
 * against its pool's first level (as `classify`), then the near and middle
 * accounts are grouped by pool and each pool selects over its own short lists
 * (as `capAccounts`). A pool whose level ends beyond twice its first estimate
 * runs `capAccounts` over all its accounts. Scratch: `work` (80 bytes per
 * pool), `starts` (4 × (2·pools + 1) bytes), `grouped` (4·n), `weightList`
 * and `capList` (8·n each), `indexList` (4·n).
 */
export function capPools(
  weights: usize, caps: usize, mask: usize, pool: usize, n: u32, pools: u32, levels: usize, work: usize,
  starts: usize, grouped: usize, capList: usize, weightList: usize, indexList: usize,
): void {
  memory.fill(work, 0, <usize>pools * POOL_WORK);
  for (let k: u32 = 0; k < pools; k++) {
    const level = levels + <usize>k * POOL_LEVEL, row = work + <usize>k * POOL_WORK;
    const S = load<u64>(level), Wlo = load<u64>(level, 8), Whi = load<u64>(level, 16);
    if (S == 0) continue;
    const whole = Whi == 0 && Wlo <= S;
    const s = ratioShift(Whi);
    store<u64>(row, whole ? S / Wlo : 0);
    store<u64>(row, fixedRatio(whole ? S % Wlo : S, Wlo, Whi, s), 8);
    store<u64>(row, <u64>s, 16);
    store<u64>(row, u64.MAX_VALUE, 24);
  }
  classifyPools(weights, caps, mask, pool, n, work);
  // Near then middle accounts of pool k: runs 2k and 2k + 1 of `grouped`.
  groupListed(pool, mask, n, pools, starts, grouped);
  let failing = false;
  for (let k: u32 = 0; k < pools; k++) {
    const level = levels + <usize>k * POOL_LEVEL, row = work + <usize>k * POOL_WORK;
    const S = load<u64>(level), Wlo = load<u64>(level, 8), Whi = load<u64>(level, 16);
    let R = S, rLo = Wlo, rHi = Whi, capped: u64 = 0;
    if (S != 0) {
      const first = load<u32>(starts + (<usize>k << 3)), middle = load<u32>(starts + (<usize>k << 3), 4);
      const end = load<u32>(starts + (<usize>(k + 1) << 3));
      const near = middle - first, mid = end - middle;
      const cwLo = load<u64>(row, 40), cwHi = load<u64>(row, 48);
      const restLo = Wlo - cwLo, restHi = Whi - cwHi - <u64>(Wlo < cwLo);
      const list = grouped + (<usize>first << 2);
      const R0 = S - load<u64>(row, 32);
      cappedCount = load<u32>(row, 72);
      // As in `capAccounts`: the near list, then with the middle one.
      selectOver(weights, caps, mask, capList, weightList, list, near, R0, restLo, restHi);
      let settled = (outsideLow | outsideHigh) == 0 || levelAtMost(S, Wlo, Whi, shareUnits, shareWeightLow, shareWeightHigh, 3);
      if (!settled) {
        selectOver(weights, caps, mask, capList, weightList, list, near + mid, R0, restLo, restHi);
        settled = (outsideLow | outsideHigh) == 0 || levelAtMost(S, Wlo, Whi, shareUnits, shareWeightLow, shareWeightHigh, 1);
      }
      if (!settled) failing = true;
      R = shareUnits;
      rLo = shareWeightLow;
      rHi = shareWeightHigh;
      capped = <u64>cappedCount | select<u64>(0, <u64>1 << 63, settled);
    }
    store<u64>(level, R, 24);
    store<u64>(level, rLo, 32);
    store<u64>(level, rHi, 40);
    store<u64>(level, capped, 48);
    store<u64>(level, <u64>load<u32>(row, 76), 56);
  }
  // Listed accounts that were not capped share.
  for (let i: u32 = 0; i < n; i++) {
    const at = mask + <usize>i;
    if (load<u8>(at) >= NEAR) store<u8>(at, SHARES);
  }
  if (failing) capFailing(weights, caps, mask, pool, n, pools, levels, starts, grouped, capList, weightList, indexList);
  if (!ASC_NO_ASSERT) {
    // Each pool checked over its own accounts, grouped.
    groupByPool(pool, mask, n, pools, starts, grouped);
    for (let k: u32 = 0; k < pools; k++) {
      const level = levels + <usize>k * POOL_LEVEL;
      const first = load<u32>(starts + (<usize>k << 2)), end = load<u32>(starts + (<usize>(k + 1) << 2));
      verifyCapped(
        weights, caps, mask, grouped + (<usize>first << 2), end - first, load<u64>(level),
        load<u64>(level, 24), load<u64>(level, 32), load<u64>(level, 40),
      );
    }
  }
}

/** Pools whose level climbed past twice its first estimate (flagged): `capAccounts` over all their accounts. */
function capFailing(
  weights: usize, caps: usize, mask: usize, pool: usize, n: u32, pools: u32, levels: usize,
  starts: usize, grouped: usize, capList: usize, weightList: usize, indexList: usize,
): void {
  groupByPool(pool, mask, n, pools, starts, grouped);
  for (let k: u32 = 0; k < pools; k++) {
    const level = levels + <usize>k * POOL_LEVEL;
    const flagged = load<u64>(level, 48);
    if ((flagged >> 63) == 0) continue;
    const first = load<u32>(starts + (<usize>k << 2)), end = load<u32>(starts + (<usize>(k + 1) << 2));
    const region = grouped + (<usize>first << 2);
    // From a clean mask, so that the count is capAccounts' own.
    unmark(mask, region, end - first);
    capAccounts(
      weights, caps, mask, region, end - first, capList, weightList, indexList,
      load<u64>(level), load<u64>(level, 8), load<u64>(level, 16),
    );
    store<u64>(level, shareUnits, 24);
    store<u64>(level, shareWeightLow, 32);
    store<u64>(level, shareWeightHigh, 40);
    store<u64>(level, <u64>cappedCount, 48);
  }
}

/**
 * `classify` over the whole book, each account against its pool's row of `work`
 * (a, c, s, active): capped accounts get CAPPED, near and middle ones NEAR and
 * MIDDLE; each row sums its capped accounts' caps and weights, and counts them and
 * its eligible accounts. Branch-free on the data.
 */
function classifyPools(weights: usize, caps: usize, mask: usize, pool: usize, n: u32, work: usize): void {
  for (let i: u32 = 0; i < n; i++) {
    const row = work + <usize>load<u32>(pool + (<usize>i << 2)) * POOL_WORK;
    const state = load<u8>(mask + <usize>i);
    // An inactive pool (S = 0) neither caps nor lists: its accounts keep their state.
    const live = (state != OUT) & (load<u64>(row, 24) != 0);
    const w = select<u64>(load<u64>(weights + (<usize>i << 3)), 0, live);
    const cap = positivePart(load<i64>(caps + (<usize>i << 3)));
    const q = (mulhi(w, load<u64>(row, 8)) >> load<u64>(row, 16)) + load<u64>(row) * w;
    const isCapped = cap < q;
    const beyondNear = cap - (cap >> 3) > q + 3, beyondMid = cap - (cap >> 1) > q + 3;
    const open = live & !isCapped;
    const isNear = open & !beyondNear, isMid = open & beyondNear & !beyondMid;
    store<u8>(mask + <usize>i, select<u8>(CAPPED, select<u8>(NEAR, select<u8>(MIDDLE, state, isMid), isNear), isCapped));
    store<u64>(row, load<u64>(row, 32) + select<u64>(cap, 0, isCapped), 32);
    addWide(row + 40, select<u64>(w, 0, isCapped));
    store<u32>(row, load<u32>(row, 72) + <u32>isCapped, 72);
    store<u32>(row, load<u32>(row, 76) + <u32>(state != OUT), 76);
  }
}

/** Adds x to the 128-bit value (low, high) at `at`. */
// @ts-ignore: decorator
@inline function addWide(at: usize, x: u64): void {
  const lo = load<u64>(at) + x;
  store<u64>(at, lo);
  store<u64>(at, load<u64>(at, 8) + <u64>(lo < x), 8);
}

/**
 * Lists the NEAR and MIDDLE accounts of each pool, ascending, at `out`: pool
 * k's near accounts from `starts`[2k] to `starts`[2k + 1], its middle ones on to
 * `starts`[2k + 2] (`starts` holds 2·pools + 1 u32 values).
 */
function groupListed(pool: usize, mask: usize, n: u32, pools: u32, starts: usize, out: usize): void {
  const runs = pools << 1;
  memory.fill(starts, 0, (<usize>runs + 1) << 2);
  for (let i: u32 = 0; i < n; i++) {
    const state = load<u8>(mask + <usize>i);
    if (state < NEAR) continue;
    const at = starts + ((<usize>(load<u32>(pool + (<usize>i << 2)) << 1) + <usize>(state - NEAR) + 1) << 2);
    store<u32>(at, load<u32>(at) + 1);
  }
  prefixSums(starts, runs);
  for (let i: u32 = 0; i < n; i++) {
    const state = load<u8>(mask + <usize>i);
    if (state < NEAR) continue;
    const at = starts + ((<usize>(load<u32>(pool + (<usize>i << 2)) << 1) + <usize>(state - NEAR)) << 2);
    const slot = load<u32>(at);
    store<u32>(out + (<usize>slot << 2), i);
    store<u32>(at, slot + 1);
  }
  shiftStarts(starts, runs);
}

/** counts[1…runs] → starts: each entry becomes the sum of the counts before it (entry 0 is 0). */
function prefixSums(starts: usize, runs: u32): void {
  for (let k: u32 = 1; k <= runs; k++) {
    const at = starts + (<usize>k << 2);
    store<u32>(at, load<u32>(at) + load<u32>(at - 4));
  }
}

/** After a scatter moved each run's cursor to its end (the next run's start): back to the starts. */
function shiftStarts(starts: usize, runs: u32): void {
  for (let k = <i32>runs; k > 0; k--) store<u32>(starts + (<usize>k << 2), load<u32>(starts + (<usize>(k - 1) << 2)));
  store<u32>(starts, 0);
}

/**
 * Lists the eligible accounts (mask not OUT) of each pool, ascending, at `out`
 * (u32 each): pool k's run starts at `starts`[k] and ends at `starts`[k + 1]
 * (`starts` holds pools + 1 u32 values).
 */
function groupByPool(pool: usize, mask: usize, n: u32, pools: u32, starts: usize, out: usize): void {
  memory.fill(starts, 0, (<usize>pools + 1) << 2);
  for (let i: u32 = 0; i < n; i++) {
    if (load<u8>(mask + <usize>i) == OUT) continue;
    const at = starts + ((<usize>load<u32>(pool + (<usize>i << 2)) + 1) << 2);
    store<u32>(at, load<u32>(at) + 1);
  }
  prefixSums(starts, pools);
  // Scatter with a cursor per pool (in `starts`, shifted down one), then restore.
  for (let i: u32 = 0; i < n; i++) {
    if (load<u8>(mask + <usize>i) == OUT) continue;
    const at = starts + (<usize>load<u32>(pool + (<usize>i << 2)) << 2);
    const slot = load<u32>(at);
    store<u32>(out + (<usize>slot << 2), i);
    store<u32>(at, slot + 1);
  }
  shiftStarts(starts, pools);
}
