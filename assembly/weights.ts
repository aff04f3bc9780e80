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
// 2. `capAccounts`: λ0 = S / Σw is a lower bound of λ*, so every account with
//    ρ < λ0 is capped at once (its exact floor of S·w/Σw says so). Accounts
//    with ρ up to about 4·λ0 are listed; the rest are presumed to share.
//    A quickselect on ρ over the list (3-way, exact 128-bit cross products)
//    finds λ*: for a pivot p, p ∈ C ⟺ cap_p·W_t < R_t·w_p with everything below
//    p capped, and each round settles one side. If λ* turns out above 4·λ0
//    (checked exactly) the presumption was wrong: it runs again over every
//    account. Capped accounts get mask 2.
// 3. The others share b = R mod W through `allocate` (weights as profits, the
//    mask as exemptions), and `finishWeighted` adds ⌊R/W⌋·w and writes the caps.

import { fixedRatio, high, isNarrow, less128, mulhi, mulhiSplit, ratioShift, remainderWide, splitmix64 } from './wide';
import { positivePart } from './select';

/** Mask bytes: shares the rest, ineligible (weight 0, cap 0 or exempt), pays its whole cap. */
const SHARES: u8 = 0, OUT: u8 = 1, CAPPED: u8 = 2;

let capLow: u64 = 0, capHigh: u64 = 0, eligibleCount: u32 = 0, firstBad: i32 = -1;

/**
 * Σ eligible weights (returned low half; `weightedHigh()` the high half),
 * Σ eligible caps (`capTotalLow()`, `capTotalHigh()`), the eligible count
 * (`weightedCount()`) and the first account with a negative weight or cap
 * (`firstNegative()`, −1 if none; the sums are then unused). `caps` may be the
 * profits column: a cap is max(value, 0). Writes one mask byte per account.
 */
export function sumWeighted(weights: usize, caps: usize, exempt: usize, mask: usize, n: u32, capsChecked: bool): u64 {
  let wLo: u64 = 0, wHi: u64 = 0, cLo: u64 = 0, cHi: u64 = 0;
  let count: u32 = 0;
  firstBad = -1;
  for (let i: u32 = 0; i < n; i++) {
    const at = <usize>i << 3;
    const wv = load<i64>(weights + at), cv = load<i64>(caps + at);
    if ((wv | select<i64>(cv, 0, capsChecked)) < 0) {
      firstBad = <i32>i;
      return 0;
    }
    const w = <u64>wv, cap = positivePart(cv);
    const live = w != 0 && cap != 0 && (exempt == 0 || load<u8>(exempt + <usize>i) == 0);
    store<u8>(mask + <usize>i, live ? SHARES : OUT);
    const mw = select<u64>(w, 0, live), mc = select<u64>(cap, 0, live);
    wLo += mw;
    wHi += <u64>(wLo < mw);
    cLo += mc;
    cHi += <u64>(cLo < mc);
    count += <u32>live;
  }
  weightHigh = wHi;
  capLow = cLo;
  capHigh = cHi;
  eligibleCount = count;
  return wLo;
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
 * region's eligible, below 2^63), (Wlo, Whi) = their Σ weights. `list` is
 * scratch of 4 bytes per account of the region. Results: `sharedUnits()`,
 * `sharedWeightLow/High()`, `cappedAccounts()`.
 */
export function capAccounts(
  weights: usize, caps: usize, mask: usize, region: usize, count: u32, list: usize, S: u64, Wlo: u64, Whi: u64,
): void {
  cappedCount = 0;
  const presumed = !firstRoundAndSelect(weights, caps, mask, region, count, list, S, Wlo, Whi, true);
  if (presumed && !levelWithin(S, Wlo, Whi)) {
    // λ* > 4·λ0: some presumed accounts are capped after all. Start over with every one listed.
    unmark(mask, region, count);
    cappedCount = 0;
    firstRoundAndSelect(weights, caps, mask, region, count, list, S, Wlo, Whi, false);
  }
}

/**
 * The first round, then the quickselect over its list. Returns whether every
 * eligible account of the region was capped or listed (nothing presumed).
 */
function firstRoundAndSelect(
  weights: usize, caps: usize, mask: usize, region: usize, count: u32, list: usize,
  S: u64, Wlo: u64, Whi: u64, bounded: bool,
): bool {
  const listed = firstRound(weights, caps, mask, region, count, list, S, Wlo, Whi, bounded);
  const complete = listed + cappedCount == roundSeen;
  // Known to share so far: Σ w of everything neither capped nor listed.
  let bLo = Wlo - roundWeightLow, bHi = Whi - roundWeightHigh - <u64>(Wlo < roundWeightLow);
  bHi -= listedWeightHigh + <u64>(bLo < listedWeightLow);
  bLo -= listedWeightLow;
  select3(weights, caps, mask, list, listed, S - roundCapped, bLo, bHi);
  return complete;
}

/** Account number k of a region. */
// @ts-ignore: decorator
@inline function member(region: usize, k: u32): u32 {
  return region == 0 ? k : load<u32>(region + (<usize>k << 2));
}

let roundCapped: u64 = 0, roundWeightLow: u64 = 0, roundWeightHigh: u64 = 0;
let listedWeightLow: u64 = 0, listedWeightHigh: u64 = 0, roundSeen: u32 = 0;

/**
 * Caps every eligible account of the region whose cap is below its share of S
 * by weight over all of them (ρ < λ0), and lists the others with ⌊cap/4⌋ ≤ their
 * floor share (or all others when `bounded` is false). Sets Σ cap and Σ w of
 * the capped and Σ w of the listed; returns the list's length.
 */
function firstRound(
  weights: usize, caps: usize, mask: usize, region: usize, count: u32, list: usize,
  S: u64, Wlo: u64, Whi: u64, bounded: bool,
): u32 {
  // S = a·W + b with b < W: the share S·w/W is a·w + b·w/W (a > 0 only when W ≤ S < 2^63).
  const a: u64 = Whi == 0 && Wlo <= S ? S / Wlo : 0;
  const b: u64 = Whi == 0 && Wlo <= S ? S % Wlo : S;
  const narrow = isNarrow(Wlo, Whi);
  const s = ratioShift(Whi);
  const c = fixedRatio(b, Wlo, Whi, s);
  let capped: u64 = 0, cwLo: u64 = 0, cwHi: u64 = 0, lwLo: u64 = 0, lwHi: u64 = 0;
  let listed: u32 = 0, seen: u32 = 0;
  for (let k: u32 = 0; k < count; k++) {
    const i = member(region, k);
    if (load<u8>(mask + <usize>i) != SHARES) continue;
    seen++;
    const w = load<u64>(weights + (<usize>i << 3));
    const cap = positivePart(load<i64>(caps + (<usize>i << 3)));
    // q = ⌊b·w / W⌋ and whether the remainder is non-zero, exactly (as allocate's passes).
    let q: u64, inexact: bool;
    if (narrow) {
      q = mulhi(w, c);
      let r = b * w - q * Wlo;
      if (r >= Wlo) { q++; r -= Wlo; }
      inexact = r != 0;
    } else {
      q = mulhi(w, c) >> <u64>s;
      let rLo = remainderWide(b, w, q, Wlo, Whi), rHi = high;
      if (!less128(rLo, rHi, Wlo, Whi)) {
        q++;
        rHi = rHi - Whi - <u64>(rLo < Wlo);
        rLo -= Wlo;
      }
      inexact = (rLo | rHi) != 0;
    }
    q += a * w;
    if (cap < q || (cap == q && inexact)) {
      store<u8>(mask + <usize>i, CAPPED);
      capped += cap;
      cwLo += w;
      cwHi += <u64>(cwLo < w);
      cappedCount++;
    } else if (!bounded || (cap >> 2) <= q) {
      // ⌊cap/4⌋ > q means cap ≥ 4·(q + 1) > 4·share: ρ > 4·λ0, left out of the list.
      store<u32>(list + (<usize>listed << 2), i);
      listed++;
      lwLo += w;
      lwHi += <u64>(lwLo < w);
    }
  }
  roundSeen = seen;
  roundCapped = capped;
  roundWeightLow = cwLo;
  roundWeightHigh = cwHi;
  listedWeightLow = lwLo;
  listedWeightHigh = lwHi;
  return listed;
}

/** Clears CAPPED marks of a region back to SHARES. */
function unmark(mask: usize, region: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const at = mask + <usize>member(region, k);
    if (load<u8>(at) == CAPPED) store<u8>(at, SHARES);
  }
}

let pivotState: u64 = 0;

/**
 * Quickselect on ρ over the `count` listed accounts: settles each one as
 * capped or sharing. R = S − Σ caps capped so far; (bLo, bHi) = Σ w of the
 * accounts known to share. Sets the results of `capAccounts`.
 */
function select3(weights: usize, caps: usize, mask: usize, list: usize, count: u32, R: u64, bLo: u64, bHi: u64): void {
  let lo: u32 = 0, hi: u32 = count;
  pivotState = <u64>count;
  while (lo < hi) {
    const p = load<u32>(list + (<usize>(lo + <u32>(splitmix64(pivotState++) % <u64>(hi - lo))) << 2));
    const pw = load<u64>(weights + (<usize>p << 3));
    const pc = positivePart(load<i64>(caps + (<usize>p << 3)));
    const pw0 = pw & 0xFFFF_FFFF, pw1 = pw >> 32, pc0 = pc & 0xFFFF_FFFF, pc1 = pc >> 32;
    // Dutch flag: [lo, lt) below p's ratio, [lt, at) equal, [gt, hi) above.
    let lt = lo, at = lo, gt = hi;
    let belowLo: u64 = 0, belowHi: u64 = 0, equalCap: u64 = 0, upLo: u64 = 0, upHi: u64 = 0;
    while (at < gt) {
      const slot = list + (<usize>at << 2);
      const i = load<u32>(slot);
      const w = load<u64>(weights + (<usize>i << 3));
      const cap = positivePart(load<i64>(caps + (<usize>i << 3)));
      // cap·pw against pc·w, both exact 128-bit.
      const xHi = mulhiSplit(cap, pw0, pw1), xLo = cap * pw;
      const yHi = mulhiSplit(w, pc0, pc1), yLo = pc * w;
      if (less128(xLo, xHi, yLo, yHi)) {
        store<u32>(slot, load<u32>(list + (<usize>lt << 2)));
        store<u32>(list + (<usize>lt << 2), i);
        lt++;
        at++;
        belowLo += cap;
        belowHi += <u64>(belowLo < cap);
      } else if (less128(yLo, yHi, xLo, xHi)) {
        gt--;
        store<u32>(slot, load<u32>(list + (<usize>gt << 2)));
        store<u32>(list + (<usize>gt << 2), i);
        upLo += w;
        upHi += <u64>(upLo < w);
      } else {
        at++;
        equalCap += cap;
        upLo += w;
        upHi += <u64>(upLo < w);
      }
    }
    // With everything below p capped: R_t = R − Σ below, W_t = B + Σ w (equal and above).
    const wtLo = bLo + upLo, wtHi = bHi + upHi + <u64>(bLo + upLo < bLo);
    if (belowHi == 0 && belowLo < R && capsBelowLevel(pc, wtLo, wtHi, R - belowLo, pw)) {
      // p and all at or below its ratio are capped: only the ratios above it remain.
      for (let k = lo; k < gt; k++) store<u8>(mask + <usize>load<u32>(list + (<usize>k << 2)), CAPPED);
      cappedCount += gt - lo;
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

/** cap·(Wlo, Whi) < R·w, exactly: the 64×128-bit product against the 64×64-bit one. */
function capsBelowLevel(cap: u64, Wlo: u64, Whi: u64, R: u64, w: u64): bool {
  // cap·W = cap·Wlo + 2^64·cap·Whi; past 2^128 it cannot be below R·w < 2^128.
  const p0 = cap * Wlo, p1 = mulhi(cap, Wlo);
  const q0 = cap * Whi, q1 = mulhi(cap, Whi);
  const mid = p1 + q0;
  if (q1 != 0 || mid < p1) return false;
  return less128(p0, mid, R * w, mulhi(R, w));
}

/**
 * Whether the level found, R/W (`sharedUnits`, `sharedWeight*`), is at most
 * 4·S/W0 (so no account left out of the list, ρ > 4·S/W0, is capped):
 * R·W0 ≤ S·4W, exactly in 192 bits.
 */
function levelWithin(S: u64, W0lo: u64, W0hi: u64): bool {
  // 4W < 2^128: W ≤ Σ weights < 2^96.
  const fourLo = shareWeightLow << 2, fourHi = (shareWeightHigh << 2) | (shareWeightLow >> 62);
  mul192(shareUnits, W0lo, W0hi);
  const x0 = limb0, x1 = limb1, x2 = limb2;
  mul192(S, fourLo, fourHi);
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
 * After `allocate` wrote each sharing account's part of b = R mod W: adds
 * `whole`·w (whole = ⌊R/W⌋) to the sharing accounts, writes each capped
 * account's cap and 0 for the ineligible. The region is as in `capAccounts`;
 * `pool`/`wholes` (when `pool` is non-zero) give each account its pool's `whole`.
 */
export function finishWeighted(
  weights: usize, caps: usize, mask: usize, haircuts: usize, n: u32, whole: u64, pool: usize, wholes: usize,
): void {
  for (let i: u32 = 0; i < n; i++) {
    const at = <usize>i << 3;
    const state = load<u8>(mask + <usize>i);
    const a = pool == 0 ? whole : load<u64>(wholes + (<usize>load<u32>(pool + (<usize>i << 2)) << 3));
    let h: u64 = 0;
    if (state == CAPPED) h = positivePart(load<i64>(caps + at));
    else if (state == SHARES) h = load<u64>(haircuts + at) + a * load<u64>(weights + at);
    store<u64>(haircuts + at, h);
  }
}

/**
 * Lists the eligible accounts (mask SHARES) of each pool, ascending, at `out`
 * (u32 each): pool k's run starts at `starts`[k] and ends at `starts`[k + 1]
 * (`starts` holds pools + 1 u32 values).
 */
export function groupByPool(pool: usize, mask: usize, n: u32, pools: u32, starts: usize, out: usize): void {
  memory.fill(starts, 0, (<usize>pools + 1) << 2);
  for (let i: u32 = 0; i < n; i++) {
    if (load<u8>(mask + <usize>i) != SHARES) continue;
    const at = starts + ((<usize>load<u32>(pool + (<usize>i << 2)) + 1) << 2);
    store<u32>(at, load<u32>(at) + 1);
  }
  for (let k: u32 = 1; k <= pools; k++) {
    const at = starts + (<usize>k << 2);
    store<u32>(at, load<u32>(at) + load<u32>(at - 4));
  }
  // Scatter with a cursor per pool (in `starts`, shifted down one), then restore.
  for (let i: u32 = 0; i < n; i++) {
    if (load<u8>(mask + <usize>i) != SHARES) continue;
    const at = starts + (<usize>load<u32>(pool + (<usize>i << 2)) << 2);
    const slot = load<u32>(at);
    store<u32>(out + (<usize>slot << 2), i);
    store<u32>(at, slot + 1);
  }
  // Each cursor now sits at its pool's end, the next pool's start: shift back up.
  for (let k = <i32>pools; k > 0; k--) store<u32>(starts + (<usize>k << 2), load<u32>(starts + (<usize>(k - 1) << 2)));
  store<u32>(starts, 0);
}
