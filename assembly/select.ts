// Largest-remainder selection: which accounts get one of the L leftover units.
//
// Invariant: the chosen accounts are exactly those whose remainder is above a
// threshold T, plus the lowest-index accounts whose remainder equals T until L
// are taken. T is found by histograms over the remainders' bits, most
// significant first, never by sorting or quickselect: each pass is linear and
// clustered remainders (a loss that is a simple fraction of the total) cost no
// more than spread ones. Candidate lists are kept in ascending index order, so
// ties go to the lower index with no extra work. Each round narrows the list to
// one bucket of (remainder − smallest), so the spread shrinks by 2^BUCKET_BITS
// per round; equal remainders end it at once.

import { high, bitLength, bitLength128, shiftRight128, less128, remainderWide, splitmix64 } from './wide';
import { eligibleProfit } from './columns';
import { CANDIDATE_BYTES } from './layout';

/** Remainder bits resolved per histogram pass: 4096 counters of 4 bytes stay in L1. */
export const BUCKET_BITS: i32 = 12;
/** Counters per histogram. */
export const BUCKETS: u32 = 1 << BUCKET_BITS;
/** The histogram lives in static memory: the kernel allocates nothing of its own. */
export const HISTOGRAM: usize = memory.data(BUCKETS << 2, 16);

/** Zeroes the first `buckets` counters (all by default). */
export function clearHistogram(buckets: u32 = BUCKETS): void {
  memory.fill(HISTOGRAM, 0, <usize>buckets << 2);
}

/** Counts one key (< BUCKETS). */
// @ts-ignore: decorator
@inline export function countKey(key: u64): void {
  const at = HISTOGRAM + (<usize>key << 2);
  store<u32>(at, load<u32>(at) + 1);
}

/** The count in one bucket. */
// @ts-ignore: decorator
@inline export function bucketCount(bucket: u32): u64 {
  return <u64>load<u32>(HISTOGRAM + (<usize>bucket << 2));
}

/** Set by `findBoundary`: how many entries of the boundary bucket are still to take (≥ 1). */
export let needInBucket: u64 = 0;

/**
 * The bucket that holds the `need`-th largest key among the first `buckets` counters.
 * Buckets above it hold fewer than `need` keys in all; `needInBucket` tells how many
 * more its own bucket must give. Requires 1 ≤ need ≤ the number of keys counted.
 */
export function findBoundary(need: u64, buckets: u32 = BUCKETS): u32 {
  let above: u64 = 0;
  let bucket = buckets;
  while (bucket > 0) {
    bucket--;
    const count = bucketCount(bucket);
    if (above + count >= need) {
      needInBucket = need - above;
      return bucket;
    }
    above += count;
  }
  // Callers guarantee enough keys; trap rather than return a wrong bucket.
  unreachable();
  return 0;
}

/** Adds one unit to account i's haircut. */
// @ts-ignore: decorator
@inline export function addUnit(haircuts: usize, i: u32): void {
  const at = haircuts + (<usize>i << 3);
  store<u64>(at, load<u64>(at) + 1);
}

/** Bytes per listed account: its remainder (u64) then its index (u32). */
export const LIST_ENTRY: usize = CANDIDATE_BYTES;

/** Set by `settleListed`: how many of the tied entries it left still need a unit. */
export let tiedNeed: u64 = 0;

/**
 * Settles a listed band: `count` entries at `list` (key, index; ascending
 * indices; keys within [lowBound, topBound], or topBound is u64.MAX_VALUE when
 * unknown), of which `need` must get one more unit, resolving `bits` (≤ BUCKET_BITS)
 * bits of key per round: fewer make each round cheaper on short lists. Branch-free rounds over
 * one contiguous array. Returns 0 when every unit is placed; otherwise the
 * number of entries left at the front of the list, all with equal keys, of
 * which `tiedNeed` must get a unit: the caller decides the ties (by index
 * when keys are exact remainders, by exact remainder when they are not).
 */
export function settleListed(
  haircuts: usize, list: usize, count: u32, need: u64, lowBound: u64, topBound: u64, bits: i32 = BUCKET_BITS,
): u32 {
  // Known bounds of the keys spare a pass; without them (a band open at the
  // top) the exact smallest and largest are found first.
  let low = lowBound, top = topBound;
  if (topBound == u64.MAX_VALUE) {
    low = u64.MAX_VALUE;
    top = 0;
    for (let e = list, end = list + <usize>count * LIST_ENTRY; e < end; e += LIST_ENTRY) {
      const v = load<u64>(e);
      low = select<u64>(v, low, v < low);
      top = select<u64>(v, top, v > top);
    }
  }
  while (<u64>count != need && low != top) {
    // Each round keeps at least `need` entries; fewer means inconsistent input: trap, never spin.
    if (<u64>count < need) unreachable();
    const shift = <u64>max(0, bitLength(top - low) - bits);
    const end = list + <usize>count * LIST_ENTRY;
    clearHistogram(1 << bits);
    for (let e = list; e < end; e += LIST_ENTRY) countKey((load<u64>(e) - low) >> shift);
    const boundary = <u64>findBoundary(need, 1 << bits);
    need = needInBucket;
    let kept = list;
    let keptLow: u64 = u64.MAX_VALUE, keptTop: u64 = 0;
    for (let e = list; e < end; e += LIST_ENTRY) {
      const v = load<u64>(e);
      const i = load<u32>(e, 8);
      const key = (v - low) >> shift;
      const keep = key == boundary;
      const at = haircuts + (<usize>i << 3);
      store<u64>(at, load<u64>(at) + <u64>(key > boundary));
      store<u64>(kept, v);
      store<u32>(kept, i, 8);
      kept += select<usize>(LIST_ENTRY, 0, keep);
      keptLow = select<u64>(v, keptLow, keep & (v < keptLow));
      keptTop = select<u64>(v, keptTop, keep & (v > keptTop));
    }
    count = <u32>((kept - list) / LIST_ENTRY);
    low = keptLow;
    top = keptTop;
  }
  if (<u64>count < need) unreachable();
  if (<u64>count == need) {
    for (let j: usize = 0; j < <usize>count; j++) addUnit(haircuts, load<u32>(list + j * LIST_ENTRY, 8));
    return 0;
  }
  tiedNeed = need;
  return count;
}

/** Ties by index: one unit each to the first `need` listed entries (lowest indices). */
export function giveFirstListed(haircuts: usize, list: usize, need: u64): void {
  for (let j: usize = 0; <u64>j < need; j++) addUnit(haircuts, load<u32>(list + j * LIST_ENTRY, 8));
}

/**
 * Seeded ties: gives each of the first `count` entries the key ~splitmix64(seed ^ index), so
 * that settling them again by largest key orders them by ascending splitmix64, then index.
 */
export function seedListed(list: usize, count: u32, seed: u64): void {
  for (let e = list, end = list + <usize>count * LIST_ENTRY; e < end; e += LIST_ENTRY) {
    store<u64>(e, ~splitmix64(seed ^ <u64>load<u32>(e, 8)));
  }
}

/** Seeded ties from a u32 index list: rewrites it, in place and backwards, as seeded list entries. */
export function seedIndices(list: usize, count: u32, seed: u64): void {
  // Entry j (12j…12j+11) lands at or above index j's slot (4j), and later entries are
  // written first, so no index is overwritten before it is read.
  for (let j = <isize>count - 1; j >= 0; j--) {
    const i = load<u32>(list + (<usize>j << 2));
    const e = list + <usize>j * LIST_ENTRY;
    store<u32>(e, i, 8);
    store<u64>(e, ~splitmix64(seed ^ <u64>i));
  }
}

/** Ties by index in a u32 index list: one unit each to the first `need`. */
export function giveFirstIndices(haircuts: usize, list: usize, need: u64): void {
  for (let j: usize = 0; <u64>j < need; j++) addUnit(haircuts, load<u32>(list + (j << 2)));
}

/** Rewrites the first `count` list entries' indices as a plain u32 array at `list`, in place. */
export function listedIndices(list: usize, count: u32): void {
  // Entry j's index sits at 12j + 8, never below 4j: each read precedes any write over it.
  for (let j: usize = 0; j < <usize>count; j++) store<u32>(list + (j << 2), load<u32>(list + j * LIST_ENTRY, 8));
}

/**
 * Settles ties in key on a wide book: `count` candidate indices (ascending)
 * at `candidates`, of which `need` must get one more unit, by exact 128-bit
 * remainders, recomputed from profit and floor rather than stored; at most
 * ceil(96 / BUCKET_BITS) rounds run.
 */
export function settleBoundary(
  profits: usize, haircuts: usize, candidates: usize, count: u32, need: u64,
  S: u64, Plo: u64, Phi: u64, exempt: usize,
): u32 {
  while (true) {
    // Each round keeps at least `need` candidates; fewer means inconsistent input: trap, never spin.
    if (<u64>count < need) unreachable();
    if (<u64>count == need) {
      for (let j: u32 = 0; j < count; j++) addUnit(haircuts, load<u32>(candidates + (<usize>j << 2)));
      return 0;
    }
    // The spread of the remaining candidates' remainders.
    let minLo: u64 = u64.MAX_VALUE, minHi: u64 = u64.MAX_VALUE, maxLo: u64 = 0, maxHi: u64 = 0;
    for (let j: u32 = 0; j < count; j++) {
      const i = load<u32>(candidates + (<usize>j << 2));
      const rLo = remainderOf(profits, haircuts, i, S, Plo, Phi, exempt), rHi = high;
      if (less128(rLo, rHi, minLo, minHi)) { minLo = rLo; minHi = rHi; }
      if (less128(maxLo, maxHi, rLo, rHi)) { maxLo = rLo; maxHi = rHi; }
    }
    const spreadLo = maxLo - minLo;
    const spreadHi = maxHi - minHi - <u64>(maxLo < minLo);
    if ((spreadLo | spreadHi) == 0) {
      // All remainders equal: the caller orders the ties (the list is ascending by index).
      tiedNeed = need;
      return count;
    }
    const shift = max(0, bitLength128(spreadLo, spreadHi) - BUCKET_BITS);
    clearHistogram();
    for (let j: u32 = 0; j < count; j++) {
      const i = load<u32>(candidates + (<usize>j << 2));
      countKey(keyOf(profits, haircuts, i, S, Plo, Phi, exempt, minLo, minHi, shift));
    }
    const boundary = <u64>findBoundary(need);
    const stillNeeded = needInBucket;
    let kept: u32 = 0;
    for (let j: u32 = 0; j < count; j++) {
      const i = load<u32>(candidates + (<usize>j << 2));
      const key = keyOf(profits, haircuts, i, S, Plo, Phi, exempt, minLo, minHi, shift);
      if (key > boundary) addUnit(haircuts, i);
      else if (key == boundary) {
        store<u32>(candidates + (<usize>kept << 2), i);
        kept++;
      }
    }
    count = kept;
    need = stillNeeded;
  }
}

/** Account i's remainder S·p − floor·P as (return, `high`), from its stored floor. */
// @ts-ignore: decorator
@inline function remainderOf(profits: usize, haircuts: usize, i: u32, S: u64, Plo: u64, Phi: u64, exempt: usize): u64 {
  const at = <usize>i << 3;
  // As in the passes, an ineligible account counts as profit 0 (remainder 0).
  return remainderWide(S, eligibleProfit(profits, exempt, i), load<u64>(haircuts + at), Plo, Phi);
}

/** The histogram key of account i: (remainder − min) >> shift. */
// @ts-ignore: decorator
@inline function keyOf(
  profits: usize, haircuts: usize, i: u32, S: u64, Plo: u64, Phi: u64, exempt: usize,
  minLo: u64, minHi: u64, shift: i32,
): u64 {
  const rLo = remainderOf(profits, haircuts, i, S, Plo, Phi, exempt), rHi = high;
  return shiftRight128(rLo - minLo, rHi - minHi - <u64>(rLo < minLo), shift);
}
