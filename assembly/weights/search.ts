// The split by weight's search: which accounts pay their whole cap (water-filling),
// exactly, in expected linear time. The weights/ folder holds its passes: sums.ts
// (the first phase), sample.ts (the first level), classify.ts (a round's pass), this
// search, finish.ts (the last phase) and pools.ts (every pool at once).
//
// Account i (weight w > 0, cap > 0, not exempt) has the ratio ρ = cap / w. For
// a level λ, Σ min(cap, λ·w) grows with λ; the level λ* where it reaches S
// caps exactly the accounts with ρ < λ*, and the set C = {ρ < λ*} is the
// contract's: i ∈ C ⟺ cap·W < R·w, with R = S − Σ_C cap and W = Σ_{∉C} w.
//
// 1. `sumWeights`: Σ w and Σ cap of the eligible (128-bit), one mask byte each
//    (0 shares, 1 ineligible), and the first negative weight or cap.
// 2. `capAccounts` finds C (mask 2), R and W in rounds, each one pass over the
//    region against a level λb that is at most λ* (so every account capped
//    there, ρ < λb, is in C):
//    - The first λb is S / Σw, or on large regions a level estimated from a
//      sample (floating point, deciding nothing: the round checks in integers
//      that it was at most λ*, and starts over from S / Σw when it was not).
//    - The pass (classify.ts: SIMD, no division) caps
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
//    mask as exemptions), and finish.ts adds ⌊R/W⌋·w and writes the caps.

import { capsBelowLevel, less128, levelAtLeast, levelAtMost, mulhiSplit, splitmix64 } from '../wide';
import { candidatesOf, capsOf, countOf, haircutsOf, maskOf, positivePart, weightsOf } from '../columns';
import {
  MASK_CAPPED, MASK_OUT, MASK_SHARES, SPLIT_CAPPED, SPLIT_PART, SPLIT_SHARED, SPLIT_SHARED_WEIGHT, SPLIT_SOCIALIZED,
  SPLIT_WEIGHT, SPLIT_WHOLE,
} from '../layout';
import { classifyRegion, cappedWeightHigh, cappedWeightLow, midStart, nearEnd, roundCapped, roundCappedHigh, roundMarked } from './classify';
import { sampledLevel, sampleWeightHigh, sampleWeightLow } from './sample';

/**
 * Phase `capAccounts` (book record, split record), after `sumWeights` and the
 * waterfall: with S = SPLIT_SOCIALIZED over W = SPLIT_WEIGHT, marks C in the mask
 * and writes SPLIT_CAPPED (|C|), SPLIT_SHARED (R), SPLIT_SHARED_WEIGHT (W outside C),
 * SPLIT_WHOLE and SPLIT_PART (R = WHOLE·W + PART). Scratch: the haircuts column and
 * the candidates column (written later).
 */
export function capAccounts(book: usize, split: usize): void {
  const S = load<u64>(split + SPLIT_SOCIALIZED);
  let R = S, Wlo = load<u64>(split + SPLIT_WEIGHT), Whi = load<u64>(split + SPLIT_WEIGHT, 8), capped: u32 = 0;
  if (S != 0) {
    const n = countOf(book), candidates = candidatesOf(book);
    // The lists of (cap, w, index) go where the haircuts and candidates will be written later.
    searchCapped(
      weightsOf(book), capsOf(book), maskOf(book), 0, n, haircutsOf(book), candidates, candidates + (<usize>n << 3), S, Wlo, Whi,
    );
    R = shareUnits;
    Wlo = shareWeightLow;
    Whi = shareWeightHigh;
    capped = cappedCount;
  }
  store<u32>(split + SPLIT_CAPPED, capped);
  store<u64>(split + SPLIT_SHARED, R);
  store<u64>(split + SPLIT_SHARED_WEIGHT, Wlo);
  store<u64>(split + SPLIT_SHARED_WEIGHT, Whi, 8);
  store<u64>(split + SPLIT_WHOLE, wholeLevel(R, Wlo, Whi));
  store<u64>(split + SPLIT_PART, partLeft(R, Wlo, Whi));
}

/** ⌊R / W⌋ for R < 2^63 and a 128-bit W (0 when W is 0: nobody shares, and R is 0). */
// @ts-ignore: decorator
@inline export function wholeLevel(R: u64, Wlo: u64, Whi: u64): u64 {
  return Whi != 0 || Wlo == 0 ? 0 : R / Wlo;
}

/** R mod W, as `wholeLevel` divides (R itself when W is 0). */
// @ts-ignore: decorator
@inline export function partLeft(R: u64, Wlo: u64, Whi: u64): u64 {
  return Whi != 0 || Wlo == 0 ? R : R % Wlo;
}

// Results of `searchCapped`: R = S − Σ_C cap, W = Σ weights outside C, |C|.
export let shareUnits: u64 = 0, shareWeightLow: u64 = 0, shareWeightHigh: u64 = 0, cappedCount: u32 = 0;

/**
 * Finds C for the accounts of one region and marks them MASK_CAPPED in `mask`:
 * the region is accounts 0…count−1 when `region` is 0, else the `count`
 * indices (u32) at `region`. S = the units to take (below Σ caps of the
 * region's eligible, below 2^63), (Wlo, Whi) = their Σ weights. Scratch:
 * `capList` and `weightList` of 8 bytes per account of the region, `indexList`
 * of 4. Results: `shareUnits`, `shareWeightLow/High` and `cappedCount`.
 */
export function searchCapped(
  weights: usize, caps: usize, mask: usize, region: usize, count: u32, capList: usize, weightList: usize, indexList: usize,
  S: u64, Wlo: u64, Whi: u64,
): void {
  // The middle list grows down from the end of the (cap) scratch; it is copied out before that is used.
  const listEnd = capList + (<usize>count << 3);
  let capped: u32 = 0;
  selectedCaps = 0;
  selectedWeightLow = 0;
  selectedWeightHigh = 0;
  // (Rb, bLo:bHi): what the accounts not capped yet must pay and their Σ w. Each round classifies
  // them against a level λb = Rb / Wb that is at most λ*: their own level (a Newton step), or at
  // first one estimated from a sample (S / Wb with Wb below the Σ w), checked right after.
  let Rb = S, bLo = Wlo, bHi = Whi;
  let sampled = sampledLevel(weights, caps, mask, region, count, capList, S, Wlo, Whi);
  for (let round: u32 = 0; ; round++) {
    const everyone = round >= NEWTON_ROUNDS;
    const lLo = sampled ? sampleWeightLow : bLo, lHi = sampled ? sampleWeightHigh : bHi;
    classifyRegion(weights, caps, mask, region, count, indexList, listEnd, Rb, lLo, lHi, everyone);
    capped += roundMarked;
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
        capped = 0;
        round--;
        continue;
      }
    }
    if (everyone) {
      // Every account not capped yet is listed: always right.
      selectOver(weights, caps, mask, capList, weightList, indexList, near, R, restLo, restHi);
      capped += selectedCount;
      break;
    }
    // R / rest is the next Newton level, still at most λ*: when it passes 2·λb, no list of this
    // round holds the boundary, and the next round starts from it. Else the near list (right when
    // λ* ≤ 8/7·λb), or with the middle one (right when λ* ≤ 2·λb).
    if (levelAtMost(Rb, lLo, lHi, R, restLo, restHi, 1)) {
      if (levelAtMost(Rb, lLo, lHi, R, restLo, restHi, 3)) {
        selectOver(weights, caps, mask, capList, weightList, indexList, near, R, restLo, restHi);
        capped += selectedCount;
        if ((outsideLow | outsideHigh) == 0 || levelAtMost(Rb, lLo, lHi, shareUnits, shareWeightLow, shareWeightHigh, 3)) break;
      }
      memory.copy(indexList + (<usize>near << 2), midStart, <usize>mid << 2);
      selectOver(weights, caps, mask, capList, weightList, indexList, near + mid, R, restLo, restHi);
      capped += selectedCount;
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
  cappedCount = capped;
  if (!ASC_NO_ASSERT) verifyCapped(weights, caps, mask, region, count, S, shareUnits, shareWeightLow, shareWeightHigh);
}


/** Newton rounds (a first pass against a higher base level each) before every account is listed. */
const NEWTON_ROUNDS: u32 = 4;

/** Clears the MASK_CAPPED marks of a region back to MASK_SHARES. */
export function unmark(mask: usize, region: usize, count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const at = mask + <usize>(region == 0 ? k : load<u32>(region + (<usize>k << 2)));
    if (load<u8>(at) == MASK_CAPPED) store<u8>(at, MASK_SHARES);
  }
}

/**
 * Debug builds only: the region's C is the contract's. R and W add up from the
 * mask (R = S − Σ caps of MASK_CAPPED, W = Σ w of MASK_SHARES), and an eligible account is
 * MASK_CAPPED exactly when cap·W < R·w.
 */
export function verifyCapped(weights: usize, caps: usize, mask: usize, region: usize, count: u32, S: u64, R: u64, Wlo: u64, Whi: u64): void {
  let capped: u64 = 0, wLo: u64 = 0, wHi: u64 = 0;
  for (let k: u32 = 0; k < count; k++) {
    const i = region == 0 ? k : load<u32>(region + (<usize>k << 2));
    const state = load<u8>(mask + <usize>i);
    if (state == MASK_OUT) continue;
    const w = load<u64>(weights + (<usize>i << 3)), cap = positivePart(load<i64>(caps + (<usize>i << 3)));
    assert(state == MASK_SHARES || state == MASK_CAPPED, 'weights: a listed state left in the mask');
    assert((state == MASK_CAPPED) == capsBelowLevel(cap, Wlo, Whi, R, w), 'weights: the capped set is not {cap·W < R·w}');
    if (state == MASK_CAPPED) capped += cap;
    else {
      wLo += w;
      wHi += <u64>(wLo < w);
    }
  }
  assert(S - capped == R && wLo == Wlo && wHi == Whi, 'weights: R or W does not add up from the mask');
}

let pivotState: u64 = 0;

// Set by `selectOver`: Σ w of the accounts presumed to share (neither capped nor listed);
// Σ caps and Σ w of the accounts it newly marked MASK_CAPPED, summed over calls (reset by the caller).
export let outsideLow: u64 = 0, outsideHigh: u64 = 0, selectedCount: u32 = 0;
let selectedCaps: u64 = 0, selectedWeightLow: u64 = 0, selectedWeightHigh: u64 = 0;

/**
 * Quickselect on ρ over the `count` listed accounts (indices at `indexList`,
 * reordered): each is settled as capped (marked MASK_CAPPED) or sharing. R = S − Σ
 * caps capped so far; (restLo, restHi) = Σ w of every account not capped so far,
 * listed or not. The (cap, w) of each listed account is copied side by side first,
 * so that the partitions read memory in order. Sets R and W (`shareUnits`,
 * `shareWeight*`), the presumed weight (`outside*`) and how many it newly capped
 * (`selectedCount`).
 */
export function selectOver(
  weights: usize, caps: usize, mask: usize, capList: usize, weightList: usize, indexList: usize, count: u32,
  R: u64, restLo: u64, restHi: u64,
): void {
  let listLo: u64 = 0, listHi: u64 = 0;
  selectedCount = 0;
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
        if (load<u8>(state) != MASK_CAPPED) {
          selectedCount++;
          selectedCaps += load<u64>(capList + (<usize>k << 3));
          const w = load<u64>(weightList + (<usize>k << 3));
          selectedWeightLow += w;
          selectedWeightHigh += <u64>(selectedWeightLow < w);
        }
        store<u8>(state, MASK_CAPPED);
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

