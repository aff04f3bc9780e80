// The split by weight's last phase: the others' shares of R mod W by the rounding
// policy (allocate.ts over the weights, the mask as exemptions), then ⌊R/W⌋·w added to
// every sharing account and each capped account's cap written.

import { allocate } from '../allocate';
import { candidatesOf, capsOf, countOf, haircutsOf, maskOf, poolOf, positivePart, weightsOf } from '../columns';
import {
  MASK_CAPPED, MASK_SHARES, POOL_SHARED, POOL_SHARED_WEIGHT, POOL_SOCIALIZED, POOL_WHOLE, POOL_WRITTEN, SPLIT_PART, SPLIT_ROUNDING,
  SPLIT_SEED, SPLIT_SEEDED, SPLIT_SHARED, SPLIT_SHARED_WEIGHT, SPLIT_SOCIALIZED, SPLIT_WHOLE, SPLIT_WRITTEN,
} from '../layout';
import { poolsOf, rowOf } from '../pools/table';

/**
 * Phase `shareWeights` (book record, split record), after `capAccounts`: every haircut
 * (PART shared over the weights by the split's rounding, WHOLE·w added, caps written),
 * and SPLIT_WRITTEN = Σ haircuts = (S − R) + WHOLE·W + Σ shares of PART.
 */
export function shareWeights(book: usize, split: usize): void {
  const weights = weightsOf(book), mask = maskOf(book), haircuts = haircutsOf(book), n = countOf(book);
  const Wlo = load<u64>(split + SPLIT_SHARED_WEIGHT), Whi = load<u64>(split + SPLIT_SHARED_WEIGHT, 8);
  const whole = load<u64>(split + SPLIT_WHOLE);
  const shares = allocate(
    weights, haircuts, candidatesOf(book), n, load<u64>(split + SPLIT_PART), Wlo, Whi,
    load<u32>(split + SPLIT_ROUNDING), load<u32>(split + SPLIT_SEEDED) != 0, load<u64>(split + SPLIT_SEED), mask,
  );
  finishWeighted(weights, capsOf(book), mask, haircuts, n, whole, 0, 0);
  store<u64>(split + SPLIT_WRITTEN, collected(load<u64>(split + SPLIT_SOCIALIZED), load<u64>(split + SPLIT_SHARED), whole, Wlo, shares));
}

/**
 * Phase `finishPools` (book record, pools record), after the pools phases shared each
 * pool's PART over the weights: POOL_WHOLE·w added, caps written, and each row's
 * POOL_WRITTEN = Σ its haircuts, as `shareWeights` gives for a single book.
 */
export function finishPools(book: usize, table: usize): void {
  finishWeighted(weightsOf(book), capsOf(book), maskOf(book), haircutsOf(book), countOf(book), 0, poolOf(book), table);
  for (let k: u32 = 0, pools = poolsOf(table); k < pools; k++) {
    const row = rowOf(table, k);
    store<u64>(row + POOL_WRITTEN, collected(
      load<u64>(row + POOL_SOCIALIZED), load<u64>(row + POOL_SHARED), load<u64>(row + POOL_WHOLE),
      load<u64>(row + POOL_SHARED_WEIGHT), load<u64>(row + POOL_WRITTEN),
    ));
  }
}

/**
 * Phase helper `finishShard` (book record, pools record), for a sharded book's shard
 * after the pools phases: as `finishPools` (caps written, POOL_WHOLE·w added, each row's
 * POOL_WRITTEN), and with one pool its WHOLE taken once (the pool column not read).
 */
export function finishShard(book: usize, table: usize): void {
  if (poolsOf(table) != 1) {
    finishPools(book, table);
    return;
  }
  const row = rowOf(table, 0);
  finishWeighted(weightsOf(book), capsOf(book), maskOf(book), haircutsOf(book), countOf(book), load<u64>(row + POOL_WHOLE), 0, 0);
  store<u64>(row + POOL_WRITTEN, collected(
    load<u64>(row + POOL_SOCIALIZED), load<u64>(row + POOL_SHARED), load<u64>(row + POOL_WHOLE), load<u64>(row + POOL_SHARED_WEIGHT),
    load<u64>(row + POOL_WRITTEN),
  ));
}

/** Σ haircuts of a weighted split: the capped pay S − R, the others WHOLE·W (W < 2^63 when WHOLE > 0) and their shares. */
// @ts-ignore: decorator
@inline function collected(S: u64, R: u64, whole: u64, Wlo: u64, shares: u64): u64 {
  return (S - R) + whole * Wlo + shares;
}

/**
 * After `allocate` wrote each sharing account's part of b = R mod W (and 0 for
 * every other account): writes each capped account's cap and adds `whole`·w
 * (whole = ⌊R/W⌋) to the sharing accounts. With `pool` non-zero, each account's
 * `whole` is its pool's POOL_WHOLE in the pools record `table`.
 */
function finishWeighted(
  weights: usize, caps: usize, mask: usize, haircuts: usize, n: u32, whole: u64, pool: usize, table: usize,
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
    finishOne(weights, caps, mask, haircuts, i, pool == 0 ? whole : load<u64>(rowOf(table, load<u32>(pool + (<usize>i << 2))) + POOL_WHOLE));
  }
}

/** Account i: its cap when capped, plus whole·w when sharing. */
// @ts-ignore: decorator
@inline function finishOne(weights: usize, caps: usize, mask: usize, haircuts: usize, i: u32, whole: u64): void {
  const at = <usize>i << 3;
  const state = load<u8>(mask + <usize>i);
  if (state == MASK_CAPPED) store<u64>(haircuts + at, positivePart(load<i64>(caps + at)));
  else if (state == MASK_SHARES) store<u64>(haircuts + at, load<u64>(haircuts + at) + whole * load<u64>(weights + at));
}

/** `finishOne` over accounts [0, pairs), two lanes at a time, branch-free (SIMD builds only). */
function finishPairs(weights: usize, caps: usize, mask: usize, haircuts: usize, pairs: u32, whole: u64): void {
  const vWhole = i64x2.splat(whole), byteLanes = i64x2(0xFF, 0xFF00), cappedLanes = i64x2(MASK_CAPPED, <u64>MASK_CAPPED << 8);
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
  if (load<u8>(mask + <usize>i) == MASK_CAPPED) store<u64>(haircuts + at, positivePart(load<i64>(caps + at)));
}

