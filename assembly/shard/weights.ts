// A shard's split by weight (src/parallel/): the capped set C of every pool found by the
// coordinator from every shard's counts. For a level R/W (R = S − Σ_C cap, W = Σ weights
// outside C) each shard counts the accounts with cap·W < R·w and sums their caps and
// weights; starting from C = ∅ (R = S, W = Σ weights) and repeating with the level those
// sums give, C only grows (capping raises the others' level) and stops at the smallest
// set with the property, the one engine's C (Newton's method on Σ min(cap, λ·w) = S).
// Then each row gets its level (writeLevel) and the pools phases share its PART.

import { capsOf, countOf, maskOf, poolOf, positivePart, weightsOf } from '../columns';
import { MASK_CAPPED, MASK_OUT, MASK_SHARES, SHARD_SAMPLE } from '../layout';
import { capsBelowLevel, fixedRatio, less128, mulhi, ratioShift } from '../wide';
import { poolsOf, rowOf } from '../pools/table';
import { addWide, writeLevel } from '../weights/pools';

/** Bytes per pool of a level given to `capShard` and `levelShard`: R (u64), W (u128), active (u64: 0 for S = 0). */
const LEVEL_BYTES: usize = 32;
/** Bytes per pool of `capShard`'s counts: |C| (u32), eligible (u32), Σ_C caps (u128), Σ_C weights (u128). */
const COUNT_BYTES: usize = 40;

/**
 * Phase helper `capShard` (book record, pools record, levels, out), after
 * `sumWeightedPools`: every eligible account (mask not MASK_OUT) of an active pool is
 * marked MASK_CAPPED when cap·W < R·w at its pool's level, else MASK_SHARES; each pool's
 * |C|, eligible count, Σ_C caps and Σ_C weights into `out`.
 */
export function capShard(book: usize, table: usize, levels: usize, out: usize): void {
  const weights = weightsOf(book), caps = capsOf(book), mask = maskOf(book), pool = poolOf(book), n = countOf(book);
  memory.fill(out, 0, <usize>poolsOf(table) * COUNT_BYTES);
  if (poolsOf(table) == 1) {
    capOne(weights, caps, mask, n, levels, out);
    return;
  }
  for (let i: u32 = 0; i < n; i++) {
    const state = load<u8>(mask + <usize>i);
    if (state == MASK_OUT) continue;
    const k = <usize>load<u32>(pool + (<usize>i << 2));
    const level = levels + k * LEVEL_BYTES, counts = out + k * COUNT_BYTES;
    store<u32>(counts, load<u32>(counts, 4) + 1, 4);
    if (load<u64>(level, 24) == 0) continue;
    const w = load<u64>(weights + (<usize>i << 3)), cap = positivePart(load<i64>(caps + (<usize>i << 3)));
    const capped = capsBelowLevel(cap, load<u64>(level, 8), load<u64>(level, 16), load<u64>(level), w);
    store<u8>(mask + <usize>i, capped ? MASK_CAPPED : MASK_SHARES);
    if (!capped) continue;
    store<u32>(counts, load<u32>(counts) + 1);
    addWide(counts + 8, cap);
    addWide(counts + 24, w);
  }
}

// A level R/W read for one pass, with each account's share R·w/W first estimated by a
// fixed-point ratio (as weights/classify.ts: R = a·W + b, share = a·w + b·w/W, the
// estimate q at most the share and within 2 of it); only a cap within 3 of the estimate,
// or a weight above W (an account capped at a lower level, whose a·w could pass 2^64),
// is compared exactly (`capsBelowLevel`).
let levelR: u64 = 0, levelWlo: u64 = 0, levelWhi: u64 = 0, levelA: u64 = 0, levelC: u64 = 0, levelS: u64 = 0, levelFits: u64 = 0;

/** Reads the level at `level` (R, W) into the `level*` globals, with its fixed-point ratio. */
function readLevel(level: usize): void {
  const R = load<u64>(level), Wlo = load<u64>(level, 8), Whi = load<u64>(level, 16);
  const whole = Whi == 0 && Wlo != 0 && Wlo <= R, s = ratioShift(Whi);
  levelR = R;
  levelWlo = Wlo;
  levelWhi = Whi;
  levelA = whole ? R / Wlo : 0;
  levelS = <u64>s;
  levelC = Wlo == 0 && Whi == 0 ? 0 : fixedRatio(whole ? R % Wlo : R, Wlo, Whi, s);
  levelFits = Whi != 0 ? u64.MAX_VALUE : Wlo;
}

/** cap·W < R·w at a level read by `readLevel` (its values passed in, as locals of the caller's loop). */
// @ts-ignore: decorator
@inline function belowLevel(cap: u64, w: u64, R: u64, Wlo: u64, Whi: u64, a: u64, c: u64, s: u64, fits: u64): bool {
  const q = (mulhi(w, c) >> s) + a * w;
  return w <= fits && (cap < q || cap > q + 3) ? cap < q : capsBelowLevel(cap, Wlo, Whi, R, w);
}

/** `capShard` for one pool (every account in pool 0, the pool column not read): its level in locals, shares estimated first. */
function capOne(weights: usize, caps: usize, mask: usize, n: u32, level: usize, counts: usize): void {
  const active = load<u64>(level, 24) != 0;
  readLevel(level);
  const R = levelR, Wlo = levelWlo, Whi = levelWhi, a = levelA, c = levelC, s = levelS, fits = levelFits;
  let capped: u32 = 0, eligible: u32 = 0, capLo: u64 = 0, capHi: u64 = 0, wLo: u64 = 0, wHi: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const state = load<u8>(mask + <usize>i);
    if (state == MASK_OUT) continue;
    eligible++;
    if (!active) continue;
    const w = load<u64>(weights + (<usize>i << 3)), cap = positivePart(load<i64>(caps + (<usize>i << 3)));
    const isCapped = belowLevel(cap, w, R, Wlo, Whi, a, c, s, fits);
    store<u8>(mask + <usize>i, isCapped ? MASK_CAPPED : MASK_SHARES);
    const cappedCap = select<u64>(cap, 0, isCapped), cappedWeight = select<u64>(w, 0, isCapped);
    capLo += cappedCap;
    capHi += <u64>(capLo < cappedCap);
    wLo += cappedWeight;
    wHi += <u64>(wLo < cappedWeight);
    capped += <u32>isCapped;
  }
  storeCounts(counts, capped, eligible, capLo, capHi, wLo, wHi);
}

/**
 * Phase helper `sampleWeights` (book record, out), after the sums: the cap and weight
 * (u64 each) of the eligible accounts among every n/SHARD_SAMPLE-th (all when fewer), for
 * the coordinator's estimate of the level. Returns how many pairs.
 */
export function sampleWeights(book: usize, out: usize): u32 {
  const weights = weightsOf(book), caps = capsOf(book), mask = maskOf(book), n = countOf(book);
  const stride = max<u32>(1, n / SHARD_SAMPLE), taken = min<u32>(n, SHARD_SAMPLE);
  let sampled: u32 = 0;
  for (let j: u32 = 0; j < taken; j++) {
    const i = j * stride;
    if (load<u8>(mask + <usize>i) == MASK_OUT) continue;
    const at = out + (<usize>sampled << 4);
    store<u64>(at, positivePart(load<i64>(caps + (<usize>i << 3))));
    store<u64>(at, load<u64>(weights + (<usize>i << 3)), 8);
    sampled++;
  }
  return sampled;
}

/**
 * Phase helper `capBand` (book record, levels, out, list), one pool: every eligible
 * account below the lower level (`levels`: cap·W < R·w) capped, those below the upper one
 * (at `levels` + 32) but not the lower listed (u32 indices) at `list`, the others
 * sharing. The capped ones' counts into `out` (as capShard's); returns how many are listed.
 */
export function capBand(book: usize, levels: usize, out: usize, list: usize): u32 {
  const weights = weightsOf(book), caps = capsOf(book), mask = maskOf(book), n = countOf(book);
  const Rh0 = load<u64>(levels, 32), W0 = load<u64>(levels, 8);
  // Both levels over the same power of two 2^k (as the coordinator makes them): cap·2^k < R·w exactly, one product each.
  if (load<u64>(levels, 16) == 0 && load<u64>(levels, 48) == 0 && load<u64>(levels, 40) == W0 && W0 != 0 && popcnt(W0) == 1) {
    return capBandShifted(weights, caps, mask, n, load<u64>(levels), Rh0, <u64>ctz(W0), out, list);
  }
  readLevel(levels + 32);
  const Rh = levelR, Wh = levelWlo, Whh = levelWhi, ah = levelA, ch = levelC, sh = levelS, fitsh = levelFits;
  readLevel(levels);
  const R = levelR, Wlo = levelWlo, Whi = levelWhi, a = levelA, c = levelC, s = levelS, fits = levelFits;
  let capped: u32 = 0, eligible: u32 = 0, capLo: u64 = 0, capHi: u64 = 0, wLo: u64 = 0, wHi: u64 = 0, listed: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    if (load<u8>(mask + <usize>i) == MASK_OUT) continue;
    eligible++;
    const w = load<u64>(weights + (<usize>i << 3)), cap = positivePart(load<i64>(caps + (<usize>i << 3)));
    const isCapped = belowLevel(cap, w, R, Wlo, Whi, a, c, s, fits);
    store<u8>(mask + <usize>i, isCapped ? MASK_CAPPED : MASK_SHARES);
    if (isCapped) {
      capLo += cap;
      capHi += <u64>(capLo < cap);
      wLo += w;
      wHi += <u64>(wLo < w);
      capped++;
    } else if (belowLevel(cap, w, Rh, Wh, Whh, ah, ch, sh, fitsh)) {
      store<u32>(list + (<usize>listed << 2), i);
      listed++;
    }
  }
  storeCounts(out, capped, eligible, capLo, capHi, wLo, wHi);
  return listed;
}

/** `capBand` for two levels R/2^k and Rh/2^k (k < 64): cap·2^k < R·w compared in 128 bits with one product. */
function capBandShifted(weights: usize, caps: usize, mask: usize, n: u32, R: u64, Rh: u64, k: u64, out: usize, list: usize): u32 {
  let capped: u32 = 0, eligible: u32 = 0, capLo: u64 = 0, capHi: u64 = 0, wLo: u64 = 0, wHi: u64 = 0, listed: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    if (load<u8>(mask + <usize>i) == MASK_OUT) continue;
    eligible++;
    const w = load<u64>(weights + (<usize>i << 3)), cap = positivePart(load<i64>(caps + (<usize>i << 3)));
    const scaledLo = cap << k, scaledHi = k == 0 ? 0 : cap >> (64 - k);
    const isCapped = less128(scaledLo, scaledHi, R * w, mulhi(R, w));
    store<u8>(mask + <usize>i, isCapped ? MASK_CAPPED : MASK_SHARES);
    if (isCapped) {
      capLo += cap;
      capHi += <u64>(capLo < cap);
      wLo += w;
      wHi += <u64>(wLo < w);
      capped++;
    } else if (less128(scaledLo, scaledHi, Rh * w, mulhi(Rh, w))) {
      store<u32>(list + (<usize>listed << 2), i);
      listed++;
    }
  }
  storeCounts(out, capped, eligible, capLo, capHi, wLo, wHi);
  return listed;
}

/**
 * Phase helper `capListed` (book record, list, count, level, out): the listed accounts
 * capped at the level (cap·W < R·w), the others sharing; their counts into `out`.
 */
export function capListed(book: usize, list: usize, count: u32, level: usize, out: usize): void {
  const weights = weightsOf(book), caps = capsOf(book), mask = maskOf(book);
  const R = load<u64>(level), Wlo = load<u64>(level, 8), Whi = load<u64>(level, 16);
  let capped: u32 = 0, capLo: u64 = 0, capHi: u64 = 0, wLo: u64 = 0, wHi: u64 = 0;
  for (let e: u32 = 0; e < count; e++) {
    const i = load<u32>(list + (<usize>e << 2));
    const w = load<u64>(weights + (<usize>i << 3)), cap = positivePart(load<i64>(caps + (<usize>i << 3)));
    const isCapped = capsBelowLevel(cap, Wlo, Whi, R, w);
    store<u8>(mask + <usize>i, isCapped ? MASK_CAPPED : MASK_SHARES);
    const cappedCap = select<u64>(cap, 0, isCapped), cappedWeight = select<u64>(w, 0, isCapped);
    capLo += cappedCap;
    capHi += <u64>(capLo < cappedCap);
    wLo += cappedWeight;
    wHi += <u64>(wLo < cappedWeight);
    capped += <u32>isCapped;
  }
  storeCounts(out, capped, count, capLo, capHi, wLo, wHi);
}

/** A pool's counts at `out` (COUNT_BYTES): |C|, eligible, Σ_C caps, Σ_C weights. */
// @ts-ignore: decorator
@inline function storeCounts(out: usize, capped: u32, eligible: u32, capLo: u64, capHi: u64, wLo: u64, wHi: u64): void {
  store<u32>(out, capped);
  store<u32>(out, eligible, 4);
  store<u64>(out, capLo, 8);
  store<u64>(out, capHi, 16);
  store<u64>(out, wLo, 24);
  store<u64>(out, wHi, 32);
}

/** Phase helper `levelShard` (pools record, levels): each pool's row gets its level R, W and R's WHOLE and PART (writeLevel). */
export function levelShard(table: usize, levels: usize): void {
  for (let k: u32 = 0, pools = poolsOf(table); k < pools; k++) {
    const level = levels + <usize>k * LEVEL_BYTES;
    writeLevel(rowOf(table, k), load<u64>(level), load<u64>(level, 8), load<u64>(level, 16), 0);
  }
}
