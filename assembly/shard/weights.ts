// A shard's split by weight (src/parallel/): the capped set C of every pool found by the
// coordinator from every shard's counts. For a level R/W (R = S − Σ_C cap, W = Σ weights
// outside C) each shard counts the accounts with cap·W < R·w and sums their caps and
// weights; starting from C = ∅ (R = S, W = Σ weights) and repeating with the level those
// sums give, C only grows (capping raises the others' level) and stops at the smallest
// set with the property, the one engine's C (Newton's method on Σ min(cap, λ·w) = S).
// Then each row gets its level (writeLevel) and the pools phases share its PART.

import { capsOf, countOf, maskOf, poolOf, positivePart, weightsOf } from '../columns';
import { MASK_CAPPED, MASK_OUT, MASK_SHARES } from '../layout';
import { capsBelowLevel, fixedRatio, mulhi, ratioShift } from '../wide';
import { poolsOf, rowOf } from '../pools/table';
import { writeLevel } from '../weights/pools';

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

/**
 * `capShard` for one pool (every account in pool 0, the pool column not read): its level
 * held in locals, and each account's share R·w/W first estimated by a fixed-point ratio
 * (as weights/classify.ts: R = a·W + b, share = a·w + b·w/W, the estimate q at most the
 * share and within 2 of it); only a cap within 3 of the estimate, or a weight above W
 * (an account capped at the last level, whose a·w could pass 2^64), is compared exactly.
 */
function capOne(weights: usize, caps: usize, mask: usize, n: u32, level: usize, counts: usize): void {
  const R = load<u64>(level), Wlo = load<u64>(level, 8), Whi = load<u64>(level, 16), active = load<u64>(level, 24) != 0;
  const whole = Whi == 0 && Wlo != 0 && Wlo <= R;
  const a: u64 = whole ? R / Wlo : 0, s = ratioShift(Whi), c = Wlo == 0 && Whi == 0 ? 0 : fixedRatio(whole ? R % Wlo : R, Wlo, Whi, s);
  const fits = Whi != 0 ? u64.MAX_VALUE : Wlo;
  let capped: u32 = 0, eligible: u32 = 0, capLo: u64 = 0, capHi: u64 = 0, wLo: u64 = 0, wHi: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const state = load<u8>(mask + <usize>i);
    if (state == MASK_OUT) continue;
    eligible++;
    if (!active) continue;
    const w = load<u64>(weights + (<usize>i << 3)), cap = positivePart(load<i64>(caps + (<usize>i << 3)));
    const q = (mulhi(w, c) >> <u64>s) + a * w;
    const isCapped = w <= fits && (cap < q || cap > q + 3) ? cap < q : capsBelowLevel(cap, Wlo, Whi, R, w);
    store<u8>(mask + <usize>i, isCapped ? MASK_CAPPED : MASK_SHARES);
    const c = select<u64>(cap, 0, isCapped), x = select<u64>(w, 0, isCapped);
    capLo += c;
    capHi += <u64>(capLo < c);
    wLo += x;
    wHi += <u64>(wLo < x);
    capped += <u32>isCapped;
  }
  store<u32>(counts, capped);
  store<u32>(counts, eligible, 4);
  store<u64>(counts, capLo, 8);
  store<u64>(counts, capHi, 16);
  store<u64>(counts, wLo, 24);
  store<u64>(counts, wHi, 32);
}

/** Phase helper `levelShard` (pools record, levels): each pool's row gets its level R, W and R's WHOLE and PART (writeLevel). */
export function levelShard(table: usize, levels: usize): void {
  for (let k: u32 = 0, pools = poolsOf(table); k < pools; k++) {
    const level = levels + <usize>k * LEVEL_BYTES;
    writeLevel(rowOf(table, k), load<u64>(level), load<u64>(level, 8), load<u64>(level, 16), 0);
  }
}

/** Adds x to the 128-bit value (low, high) at `at`. */
// @ts-ignore: decorator
@inline function addWide(at: usize, x: u64): void {
  const lo = load<u64>(at) + x;
  store<u64>(at, lo);
  store<u64>(at, load<u64>(at, 8) + <u64>(lo < x), 8);
}
