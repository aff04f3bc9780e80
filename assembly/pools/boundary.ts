// The pools' boundary phases: from the histograms, each pool's boundary bucket (the
// accounts above it get one more unit, those in it are listed for settle.ts), then one
// pass over the book that gives those units and lists those accounts.

import { candidatesOf, countOf, haircutsOf, poolOf } from '../columns';
import { placeEntry } from '../group';
import {
  BUCKET_BYTES_AT, POOLS_COUNTED, POOLS_LISTED, POOLS_LISTS_ZERO, POOLS_LIST_END, POOLS_WEIGHTED, POOL_ELIGIBLE,
} from '../layout';
import { KIND_NARROW, KIND_RATIO, NO_BUCKET } from './floors';
import { countsOf, cutsOf, endsOf, histogramOf, paramsOf, poolsOf, rowOf, stateOf, sumsOf, POOL_BUCKETS, POOL_PARAMS, POOL_STATE } from './table';

/**
 * Phase `poolBoundaries` (pools record), after `floorPools` counted remainders (else
 * nothing to do): each pool's cut and settle state, POOL_ELIGIBLE (not when split by
 * weight: capPools gave it), POOLS_LISTED and POOLS_LISTS_ZERO for `raisePools`.
 */
export function poolBoundaries(table: usize): void {
  if (load<u32>(table + POOLS_COUNTED) == 0) return;
  const pools = poolsOf(table), counts = countsOf(table);
  const listed = boundaries(paramsOf(table), sumsOf(table), counts, histogramOf(table), cutsOf(table), stateOf(table), pools);
  store<u32>(table + POOLS_LISTED, listed);
  store<u32>(table + POOLS_LISTS_ZERO, <u32>listsZero);
  if (load<u32>(table + POOLS_WEIGHTED) != 0) return;
  for (let k: u32 = 0; k < pools; k++) store<u32>(rowOf(table, k) + POOL_ELIGIBLE, load<u32>(counts + (<usize>k << 2)));
}

/**
 * Phase `raisePools` (book record, pools record), after `poolBoundaries`: one more unit
 * to every account above its pool's boundary bucket and the boundary accounts listed
 * in the candidates column; POOLS_LIST_END where the list ends (0: listed straight
 * into each pool's group, whose ends are then in the scratch's ends table).
 */
export function raisePools(book: usize, table: usize): void {
  if (load<u32>(table + POOLS_COUNTED) == 0) return;
  const n = countOf(book), candidates = candidatesOf(book);
  const end = passB(
    poolOf(book), candidates + <usize>BUCKET_BYTES_AT * <usize>n, haircutsOf(book), candidates, n, cutsOf(table),
    stateOf(table), endsOf(table), poolsOf(table), load<u32>(table + POOLS_LISTED), load<u32>(table + POOLS_LISTS_ZERO) != 0,
  );
  store<u32>(table + POOLS_LIST_END, <u32>end);
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
function boundaries(
  params: usize, sums: usize, counts: usize, histogram: usize, cuts: usize, state: usize, pools: u32,
): u32 {
  const highs = histogram + (<usize>pools << 8);
  let listed: u32 = 0;
  let listsBucketZero = false;
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
  listsZero = listsBucketZero;
  return listed;
}

/** Set by `boundaries`: whether some pool lists its bucket 0 (where ineligible accounts sit too). */
let listsZero = false;

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
 * account written as (index u32, pool u32) from `list` for `groupEntriesByPool`; returns the list's end.
 */
function passB(
  pool: usize, buckets: usize, haircuts: usize, list: usize, n: u32, cuts: usize, state: usize, starts: usize, pools: u32,
  listed: u32, listsBucketZero: bool,
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
    if (listed) placeEntry(entry, starts + (<usize>k << 2), q, i);
    return entry;
  }
  // Always written, kept only when the pointer moves on.
  store<u64>(entry, <u64>i | (<u64>k << 32));
  return entry + select<usize>(8, 0, listed);
}

