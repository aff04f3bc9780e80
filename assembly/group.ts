// Grouping accounts by pool: counting sorts, stable (each group in ascending account
// order), with no memory of their own. A `starts` table of runs + 1 u32 values gives
// run r as [starts[r], starts[r + 1]) of the output.

import { CANDIDATE_BYTES, MASK_NEAR, MASK_OUT } from './layout';

/**
 * Lists the eligible accounts (mask byte not MASK_OUT) of each pool at `out` (u32
 * each): pool k's run is [starts[k], starts[k + 1]) (`starts`: pools + 1 values).
 */
export function groupEligibleByPool(pool: usize, mask: usize, n: u32, pools: u32, starts: usize, out: usize): void {
  memory.fill(starts, 0, (<usize>pools + 1) << 2);
  for (let i: u32 = 0; i < n; i++) {
    if (load<u8>(mask + <usize>i) == MASK_OUT) continue;
    bump(starts, <usize>load<u32>(pool + (<usize>i << 2)) + 1);
  }
  prefixSums(starts, pools);
  for (let i: u32 = 0; i < n; i++) {
    if (load<u8>(mask + <usize>i) == MASK_OUT) continue;
    scatter(starts, <usize>load<u32>(pool + (<usize>i << 2)), out, i);
  }
  shiftStarts(starts, pools);
}

/**
 * Lists the MASK_NEAR then the MASK_MIDDLE accounts of each pool at `out` (u32 each):
 * pool k's near run is [starts[2k], starts[2k + 1]), its middle run on to
 * starts[2k + 2] (`starts`: 2·pools + 1 values).
 */
export function groupListedByPool(pool: usize, mask: usize, n: u32, pools: u32, starts: usize, out: usize): void {
  const runs = pools << 1;
  memory.fill(starts, 0, (<usize>runs + 1) << 2);
  for (let i: u32 = 0; i < n; i++) {
    const state = load<u8>(mask + <usize>i);
    if (state < MASK_NEAR) continue;
    bump(starts, (<usize>load<u32>(pool + (<usize>i << 2)) << 1) + <usize>(state - MASK_NEAR) + 1);
  }
  prefixSums(starts, runs);
  for (let i: u32 = 0; i < n; i++) {
    const state = load<u8>(mask + <usize>i);
    if (state < MASK_NEAR) continue;
    scatter(starts, (<usize>load<u32>(pool + (<usize>i << 2)) << 1) + <usize>(state - MASK_NEAR), out, i);
  }
  shiftStarts(starts, runs);
}

/**
 * Groups `count` (index u32, pool u32) entries at `list` by pool into `grouped` as
 * 12-byte (floor u64 from `haircuts`, index u32) entries. Leaves in `ends` (pools
 * u32 values) where each pool's group ends; each begins where the previous one ends.
 */
export function groupEntriesByPool(haircuts: usize, list: usize, count: u32, grouped: usize, ends: usize, pools: u32): void {
  memory.fill(ends, 0, <usize>pools << 2);
  for (let j: u32 = 0; j < count; j++) bump(ends, <usize>load<u32>(list + (<usize>j << 3), 4));
  let start: u32 = 0;
  for (let k: u32 = 0; k < pools; k++) {
    const at = ends + (<usize>k << 2);
    const size = load<u32>(at);
    store<u32>(at, start);
    start += size;
  }
  for (let j: u32 = 0; j < count; j++) {
    const i = load<u32>(list + (<usize>j << 3));
    const k = <usize>load<u32>(list + (<usize>j << 3), 4);
    placeEntry(grouped, ends + (k << 2), load<u64>(haircuts + (<usize>i << 3)), i);
  }
}

/** Writes (value, index i) as a list entry (CANDIDATE_BYTES) at the next slot of a group (the slot count is at `cursor`) from `grouped`. */
// @ts-ignore: decorator
@inline export function placeEntry(grouped: usize, cursor: usize, value: u64, i: u32): void {
  const slot = load<u32>(cursor);
  const entry = grouped + <usize>slot * CANDIDATE_BYTES;
  store<u64>(entry, value);
  store<u32>(entry, i, 8);
  store<u32>(cursor, slot + 1);
}

/** Adds one to counter r of `counts` (u32). */
// @ts-ignore: decorator
@inline function bump(counts: usize, r: usize): void {
  const at = counts + (r << 2);
  store<u32>(at, load<u32>(at) + 1);
}

/** Writes i at run r's cursor in `starts` and moves the cursor on. */
// @ts-ignore: decorator
@inline function scatter(starts: usize, r: usize, out: usize, i: u32): void {
  const at = starts + (r << 2);
  const slot = load<u32>(at);
  store<u32>(out + (<usize>slot << 2), i);
  store<u32>(at, slot + 1);
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
