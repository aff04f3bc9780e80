// The pools phases of one shard of a sharded book (src/parallel/): the same floors and
// histograms as one engine (floors.ts, with every pool's S and total the whole book's),
// then, instead of poolBoundaries → raisePools → settlePools, the boundary is found by
// a coordinator from every shard's counts: these exports give it each shard's
// histograms, raise the accounts above each pool's cut, list those in its boundary
// bucket, and narrow the lists digit by digit of the exact order (remainder, then the
// seeded tie key, then the index), which is the single-book order restricted to a shard.

import { remainderWide, high, shiftRight128, splitmix64 } from '../wide';
import { candidatesOf, countOf, eligibleProfit, exemptOf, haircutsOf, maskOf, poolOf, profitsOf, weightsOf } from '../columns';
import { BUCKET_BYTES_AT, DIGIT_TIE, POOLS_SEED, POOLS_WEIGHTED, POOL_BUCKETS } from '../layout';
import { KIND_NARROW } from './floors';
import { histogramOf, paramsOf, poolsOf, POOL_PARAMS } from './table';

/**
 * Phase helper `shardHistograms` (pools record, out), after `floorPools` counted
 * remainders: every pool's 256 bucket counts (eligible accounts) as u32, pool by pool.
 */
export function shardHistograms(table: usize, out: usize): void {
  const pools = poolsOf(table), lows = histogramOf(table), highs = lows + (<usize>pools << 8);
  for (let at: usize = 0, end = <usize>pools << 8; at < end; at++) {
    store<u32>(out + (at << 2), <u32>load<u8>(lows + at) + (load<u32>(highs + (at << 2)) << 8));
  }
}

/**
 * Phase helper `raiseShard` (book record, pools record, cuts, list, ends), after
 * `floorPools`: one more unit to every account whose bucket is at or above its pool's
 * cut, and each eligible account of its pool's boundary bucket listed (u32 index, in
 * index order) in its pool's run of `list`. `cuts` holds a u32 per pool, the cut in the
 * low 16 bits and the boundary bucket in the high 16 (256 for none), as the coordinator
 * decided them from every shard's histograms; `ends` gets where each pool's run ends.
 * Runs are laid out pool after pool by this shard's own counts of its boundary buckets.
 */
export function raiseShard(book: usize, table: usize, cuts: usize, list: usize, ends: usize): void {
  const n = countOf(book), pools = poolsOf(table), pool = poolOf(book), haircuts = haircutsOf(book);
  const buckets = candidatesOf(book) + <usize>BUCKET_BYTES_AT * <usize>n;
  const weighted = load<u32>(table + POOLS_WEIGHTED) != 0;
  const amounts = weighted ? weightsOf(book) : profitsOf(book), exempt = weighted ? maskOf(book) : exemptOf(book);
  const lows = histogramOf(table), highs = lows + (<usize>pools << 8);
  // `ends` serves as each run's cursor, and ends up where each run ends.
  let start: u32 = 0;
  for (let k: u32 = 0; k < pools; k++) {
    store<u32>(ends + (<usize>k << 2), start);
    const b = load<u32>(cuts + (<usize>k << 2)) >> 16;
    if (b < POOL_BUCKETS) {
      const at = (<usize>k << 8) + <usize>b;
      start += <u32>load<u8>(lows + at) + (load<u32>(highs + (at << 2)) << 8);
    }
  }
  for (let i: u32 = 0; i < n; i++) {
    const k = <usize>load<u32>(pool + (<usize>i << 2));
    const cut = load<u32>(cuts + (k << 2));
    const b = <u32>load<u8>(buckets + <usize>i);
    const at = haircuts + (<usize>i << 3);
    store<u64>(at, load<u64>(at) + <u64>(b >= (cut & 0xFFFF)));
    // Ineligible accounts carry bucket 0 uncounted: listed only when eligible.
    if (b == cut >> 16 && (b != 0 || eligibleProfit(amounts, exempt, i) != 0)) {
      const cursor = ends + (k << 2), e = load<u32>(cursor);
      store<u32>(list + (<usize>e << 2), i);
      store<u32>(cursor, e + 1);
    }
  }
}

/**
 * Digit `pos` (the bits pos … pos + 7) of account i's place in pool k's order, larger
 * first: of its exact remainder (S·m − q·P, q its floor in `haircuts`), or of its tie
 * key's complement (lower tie keys first).
 */
// @ts-ignore: decorator
@inline function digitOf(
  row: usize, amounts: usize, exempt: usize, haircuts: usize, i: u32, field: u32, pos: i32, seed: u64, start: u64,
): u32 {
  // Lower tie keys go first: their digits count inverted, so that a larger digit goes first in every field.
  if (field == DIGIT_TIE) return <u32>((~splitmix64(seed ^ (start + <u64>i)) >> <u64>pos) & 0xFF);
  const m = eligibleProfit(amounts, exempt, i), q = load<u64>(haircuts + (<usize>i << 3));
  const S = load<u64>(row), Plo = load<u64>(row, 8);
  if (load<u64>(row, 56) == KIND_NARROW) return <u32>(((S * m - q * Plo) >> <u64>pos) & 0xFF);
  const lo = remainderWide(S, m, q, Plo, load<u64>(row, 16));
  return <u32>(shiftRight128(lo, high, pos) & 0xFF);
}

/**
 * Phase helper `countDigits` (book, pools record, list, count, pool, field, pos, start,
 * hist): the 256 counts (u32, into `hist`) of digit `pos` of `field` over the `count`
 * listed accounts of pool k at `list`. `start` is the shard's first global index.
 */
export function countDigits(
  book: usize, table: usize, list: usize, count: u32, k: u32, field: u32, pos: i32, start: u64, hist: usize,
): void {
  const weighted = load<u32>(table + POOLS_WEIGHTED) != 0;
  const amounts = weighted ? weightsOf(book) : profitsOf(book), exempt = weighted ? maskOf(book) : exemptOf(book);
  const row = paramsOf(table) + <usize>k * POOL_PARAMS, haircuts = haircutsOf(book), seed = load<u64>(table + POOLS_SEED);
  memory.fill(hist, 0, <usize>POOL_BUCKETS << 2);
  for (let e: u32 = 0; e < count; e++) {
    const i = load<u32>(list + (<usize>e << 2));
    const at = hist + (<usize>digitOf(row, amounts, exempt, haircuts, i, field, pos, seed, start) << 2);
    store<u32>(at, load<u32>(at) + 1);
  }
}

/**
 * Phase helper `keepDigit` (book, pools record, list, count, pool, field, pos, start,
 * digit, takeEqual): of the listed accounts, those whose digit is above `digit` (or
 * equal, with `takeEqual`) get one more unit and leave the list, those below leave it,
 * and those equal (without `takeEqual`) stay, in order. Returns how many stay.
 */
export function keepDigit(
  book: usize, table: usize, list: usize, count: u32, k: u32, field: u32, pos: i32, start: u64, digit: u32, takeEqual: bool,
): u32 {
  const weighted = load<u32>(table + POOLS_WEIGHTED) != 0;
  const amounts = weighted ? weightsOf(book) : profitsOf(book), exempt = weighted ? maskOf(book) : exemptOf(book);
  const row = paramsOf(table) + <usize>k * POOL_PARAMS, haircuts = haircutsOf(book), seed = load<u64>(table + POOLS_SEED);
  const taken = takeEqual ? digit : digit + 1;
  let kept: u32 = 0;
  for (let e: u32 = 0; e < count; e++) {
    const i = load<u32>(list + (<usize>e << 2));
    const d = digitOf(row, amounts, exempt, haircuts, i, field, pos, seed, start);
    if (d >= taken) {
      const at = haircuts + (<usize>i << 3);
      store<u64>(at, load<u64>(at) + 1);
    } else if (d == digit) {
      store<u32>(list + (<usize>kept << 2), i);
      kept++;
    }
  }
  return kept;
}

/** Phase helper `giveFirst` (book, list, need): one more unit to each of the first `need` listed accounts. */
export function giveFirst(book: usize, list: usize, need: u32): void {
  const haircuts = haircutsOf(book);
  for (let e: u32 = 0; e < need; e++) {
    const at = haircuts + (<usize>load<u32>(list + (<usize>e << 2)) << 3);
    store<u64>(at, load<u64>(at) + 1);
  }
}
