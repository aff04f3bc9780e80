// The measures' two passes over a group of accounts (measure.ts runs them: the whole book,
// then each pool), the call's state and the scratch block's layout.
// - Pass 1 sums and counts the group's measured population (not exempt, capacity above 0),
//   finds the largest h and h/c, and counts the haircuts above 0 and the capacities by key;
//   over the book it also checks every haircut and pool index and counts each pool.
// - Pass 2 puts each haircut above 0 in its key's run, and each account in its part's sums
//   (its tenth, and whether it is in the top 1 %) by its capacity's key, or, where a part's
//   boundary cuts through that key, in the key's list; over a pooled book it also gathers
//   each pool's (capacity, haircut) pairs, in index order, which its own passes then read.
// A key is log-linear: the place of a value's leading one and the bits after it (MANTISSA
// bits in all), so it rises with the value and the values of one key agree above their
// lowest `bitsOfKey` bits. Invariant: every sum is exact in 128 bits (u64 pairs).

import {
  CANDIDATE_BYTES, MEASURE_CAPACITIES, MEASURE_ENTRIES, MEASURE_EXEMPT, MEASURE_HAIRCUTS, MEASURE_POOL, MEASURE_POOL_COUNT, MEASURE_PROFITS,
  MEASURE_ROW_ACCOUNTS, MEASURE_ROW_BEST_CAPACITY, MEASURE_ROW_BEST_HAIRCUT, MEASURE_ROW_CAPACITY, MEASURE_ROW_CHARGED, MEASURE_ROW_COLLECTED,
  MEASURE_ROW_LARGEST, MEASURE_ROW_WHOLE, MEASURE_SCRATCH,
} from '../layout';
import { fixedRatio, mulhi } from '../wide';
import { SORT_TABLE_BYTES } from './radix';

/** Bits a capacity's key keeps (fine: the lists of a cut key stay short), and a haircut's (fewer runs to sort). */
export const CAPACITY_MANTISSA: u32 = 10;
export const HAIRCUT_MANTISSA: u32 = 8;
/** Keys of each: 0 … (66 − mantissa) · 2^(mantissa − 1) − 1. */
export const CAPACITY_KEYS: usize = <usize>(66 - CAPACITY_MANTISSA) << (CAPACITY_MANTISSA - 1);
export const HAIRCUT_KEYS: usize = <usize>(66 - HAIRCUT_MANTISSA) << (HAIRCUT_MANTISSA - 1);
/** A part: tenth t, in the top 1 % or not, as 2t + top; its Σ h and Σ c (128-bit, 32 bytes). */
export const PARTS: usize = 20;
/** A key cut by a part's boundary has the part CUT + its place among the cuts (at most one per boundary). */
export const CUT: u8 = 32;
export const MAX_CUTS: usize = 16;

/**
 * The scratch block (measureScratchBytes), from its start: per haircut key its count (then
 * its run's cursor), per capacity key its count and its part (a byte); each part's sums; the
 * cut keys (first rank, list start, count, cursor: u32 each); the sorts' tables; then per
 * account the haircuts above 0 by key (VALUES), the cut lists' haircuts by slot and, with
 * pools, the gathered pairs and each pool's start.
 */
export const HAIRCUT_COUNTS: usize = 0;
export const CAPACITY_COUNTS: usize = HAIRCUT_COUNTS + (HAIRCUT_KEYS << 2);
export const PART_OF_KEY: usize = CAPACITY_COUNTS + (CAPACITY_KEYS << 2);
export const SUMS: usize = (PART_OF_KEY + CAPACITY_KEYS + 15) & ~15;
export const CUTS: usize = SUMS + (PARTS << 5);
export const SORT_TABLES: usize = CUTS + (MAX_CUTS << 4);
export const VALUES: usize = (SORT_TABLES + SORT_TABLE_BYTES + 15) & ~15;

/** A value's key (`mantissa` bits kept). */
// @ts-ignore: decorator
@inline export function keyOf(x: u64, mantissa: u32): usize {
  const length = <u32>64 - <u32>clz(x);
  const shift = length > mantissa ? length - mantissa : 0;
  return (<usize>shift << (mantissa - 1)) + <usize>(x >> <u64>shift);
}

/** The bits below which the values of a key may differ. */
// @ts-ignore: decorator
@inline export function bitsOfKey(key: usize, mantissa: u32): i32 {
  return key < (<usize>1 << mantissa) ? 0 : <i32>(key >> (mantissa - 1)) - 1;
}

/** The call's columns (0: absent) and scratch (set by `openCall`). */
export let haircuts: usize = 0;
let capacities: usize = 0;
let profits: usize = 0;
let exempt: usize = 0;
export let pool: usize = 0;
export let pools: u32 = 0;
export let entries: usize = 0;
export let scratch: usize = 0;
export let values: usize = 0;
export let listed: usize = 0;
export let pairs: usize = 0;
export let starts: usize = 0;

/** Reads the record's columns and places the scratch's parts for n accounts. */
export function openCall(measure: usize, n: u32): void {
  haircuts = <usize>load<u32>(measure + MEASURE_HAIRCUTS);
  capacities = <usize>load<u32>(measure + MEASURE_CAPACITIES);
  profits = <usize>load<u32>(measure + MEASURE_PROFITS);
  exempt = <usize>load<u32>(measure + MEASURE_EXEMPT);
  pool = <usize>load<u32>(measure + MEASURE_POOL);
  pools = load<u32>(measure + MEASURE_POOL_COUNT);
  entries = <usize>load<u32>(measure + MEASURE_ENTRIES);
  scratch = <usize>load<u32>(measure + MEASURE_SCRATCH);
  values = scratch + VALUES;
  listed = values + (<usize>n << 3);
  pairs = listed + (<usize>n << 3);
  starts = pairs + (<usize>n << 4);
  // The counts start at 0; each group leaves the keys it used at 0 again.
  memory.fill(scratch + HAIRCUT_COUNTS, 0, (HAIRCUT_KEYS + CAPACITY_KEYS) << 2);
}

/** The keys the group used: capacities' and haircuts' (above 0), lowest and highest. */
export let lowCapacityKey: usize = 0;
export let highCapacityKey: usize = 0;
export let lowHaircutKey: usize = 0;
export let highHaircutKey: usize = 0;
/** The book's first bad haircut and pool index (−1: none). */
export let badHaircut: i32 = -1;
export let badPool: i32 = -1;

/** Account j's capacity in the book's columns: its capacity's, or max(profit, 0) without capacities. */
// @ts-ignore: decorator
@inline function capacityAt(capacityColumn: usize, profitColumn: usize, j: u32): u64 {
  const at = <usize>j << 3;
  return capacityColumn != 0 ? load<u64>(capacityColumn + at) : <u64>max<i64>(load<i64>(profitColumn + at), 0);
}

/** Whether account j of capacity c is outside the measured population: no capacity, or exempt. */
// @ts-ignore: decorator
@inline function isOutside(c: u64, exemptColumn: usize, j: u32): bool {
  return c == 0 || (exemptColumn != 0 && load<u8>(exemptColumn + <usize>j) != 0);
}

// @ts-ignore: decorator
@inline function bump(table: usize, key: usize): void {
  const at = table + (key << 2);
  store<u32>(at, load<u32>(at) + 1);
}

/** Adds x to the 128-bit value at `at`. */
// @ts-ignore: decorator
@inline function addTo(at: usize, x: u64): void {
  const low = load<u64>(at) + x;
  store<u64>(at, low);
  if (low < x) store<u64>(at, load<u64>(at, 8) + 1, 8);
}

/** How often the best h/c's reciprocal is worked out anew in a pass (each a 64-step division). */
const DIVISIONS: u32 = 64;

/**
 * Pass 1 over a group: the book's accounts (`book`: each checked; with `pooled` each pool
 * index checked and each pool's population counted), or `count` gathered pairs at `from`.
 * Its figures go to the group's `row` (MEASURE_ROW_*: population to best h/c).
 */
// @ts-ignore: decorator
@inline function firstPass(book: bool, pooled: bool, from: usize, count: u32, row: usize): void {
  const hs = haircuts, cs = capacities, ps = profits, ex = exempt, poolColumn = pool, poolCount = pools, counts = starts;
  const haircutCounts = scratch + HAIRCUT_COUNTS, capacityCounts = scratch + CAPACITY_COUNTS;
  let n: u32 = 0, paying: u32 = 0, taken: u32 = 0, most: u64 = 0, bestH: u64 = 0, bestC: u64 = 1;
  let cLow: u64 = 0, cHigh: u64 = 0, hLow: u64 = 0, hHigh: u64 = 0;
  let leastC = u64.MAX_VALUE, mostC: u64 = 0, leastH = u64.MAX_VALUE;
  let firstBad: i32 = -1;
  // q = ⌊bestH·2^64/bestC⌋ puts c·bestH/bestC in [mulhi(c, q), mulhi(c, q) + 2): at or below
  // the first, h/c is not above the best; two past it, it is (while q is `fresh`, of this best).
  let q: u64 = 0, fresh = true, divisions: u32 = 0;
  for (let j: u32 = 0; j < count; j++) {
    let h: u64, c: u64;
    if (book) {
      h = load<u64>(hs + (<usize>j << 3));
      c = capacityAt(cs, ps, j);
      const outside = isOutside(c, ex, j);
      // A negative haircut is above every capacity as u64.
      if (firstBad < 0 && (h > c || (outside && h != 0))) firstBad = <i32>j;
      if (pooled) {
        const k = load<u32>(poolColumn + (<usize>j << 2));
        if (k >= poolCount) {
          // The first bad pool index is the error, whatever the haircuts.
          badPool = <i32>j;
          break;
        }
        if (!outside) bump(counts, <usize>k + 1);
      }
      if (outside) continue;
    } else {
      const at = from + (<usize>j << 4);
      c = load<u64>(at);
      h = load<u64>(at, 8);
    }
    n++;
    cLow += c;
    cHigh += <u64>(cLow < c);
    if (c < leastC) leastC = c;
    if (c > mostC) mostC = c;
    bump(capacityCounts, keyOf(c, CAPACITY_MANTISSA));
    if (h == 0) continue;
    paying++;
    hLow += h;
    hHigh += <u64>(hLow < h);
    if (h < leastH) leastH = h;
    bump(haircutCounts, keyOf(h, HAIRCUT_MANTISSA));
    if (h == c) taken++;
    if (h > most) most = h;
    // Nothing is above h/c = 1.
    if (bestH == bestC) continue;
    const floor = mulhi(c, q);
    if (h <= floor) continue;
    let above = fresh && h > floor + 1;
    if (!above) {
      // h·bestC > bestH·c, in 128 bits.
      const left = mulhi(h, bestC), right = mulhi(bestH, c);
      above = left > right || (left == right && h * bestC > bestH * c);
    }
    if (!above) continue;
    bestH = h;
    bestC = c;
    // A stale q (of a lower best) still rules out what it rules out; past DIVISIONS it stays.
    fresh = divisions < DIVISIONS;
    if (fresh && h != c) {
      q = fixedRatio(h, c, 0, 0);
      divisions++;
    }
  }
  if (book) badHaircut = firstBad;
  store<u32>(row + MEASURE_ROW_ACCOUNTS, n);
  store<u32>(row + MEASURE_ROW_CHARGED, paying);
  store<u32>(row + MEASURE_ROW_WHOLE, taken);
  store<u64>(row + MEASURE_ROW_CAPACITY, cLow);
  store<u64>(row + MEASURE_ROW_CAPACITY + 8, cHigh);
  store<u64>(row + MEASURE_ROW_COLLECTED, hLow);
  store<u64>(row + MEASURE_ROW_COLLECTED + 8, hHigh);
  store<u64>(row + MEASURE_ROW_LARGEST, most);
  store<u64>(row + MEASURE_ROW_BEST_HAIRCUT, bestH);
  store<u64>(row + MEASURE_ROW_BEST_CAPACITY, bestC);
  lowCapacityKey = keyOf(n == 0 ? 0 : leastC, CAPACITY_MANTISSA);
  highCapacityKey = keyOf(mostC, CAPACITY_MANTISSA);
  lowHaircutKey = keyOf(paying == 0 ? 0 : leastH, HAIRCUT_MANTISSA);
  highHaircutKey = keyOf(most, HAIRCUT_MANTISSA);
}

/**
 * Pass 2 over a group (as firstPass): each haircut above 0 into its key's run, each account
 * into its part's sums or its cut key's list (capacity, slot; its haircut at the same slot
 * of `listed`); over a pooled book, each account's pair to its pool's next slot.
 */
// @ts-ignore: decorator
@inline function secondPass(book: bool, pooled: bool, from: usize, count: u32): void {
  const hs = haircuts, cs = capacities, ps = profits, ex = exempt, poolColumn = pool, cursors = starts, gathered = pairs;
  const haircutCursors = scratch + HAIRCUT_COUNTS, parts = scratch + PART_OF_KEY, sums = scratch + SUMS, cuts = scratch + CUTS;
  const runs = values, list = entries, listHaircuts = listed;
  memory.fill(sums, 0, PARTS << 5);
  for (let j: u32 = 0; j < count; j++) {
    let h: u64, c: u64;
    if (book) {
      h = load<u64>(hs + (<usize>j << 3));
      c = capacityAt(cs, ps, j);
      if (isOutside(c, ex, j)) continue;
      if (pooled) {
        const cursor = cursors + (<usize>load<u32>(poolColumn + (<usize>j << 2)) << 2);
        const slot = load<u32>(cursor);
        const pair = gathered + (<usize>slot << 4);
        store<u64>(pair, c);
        store<u64>(pair, h, 8);
        store<u32>(cursor, slot + 1);
      }
    } else {
      const at = from + (<usize>j << 4);
      c = load<u64>(at);
      h = load<u64>(at, 8);
    }
    if (h != 0) {
      const cursor = haircutCursors + (keyOf(h, HAIRCUT_MANTISSA) << 2);
      const slot = load<u32>(cursor);
      store<u64>(runs + (<usize>slot << 3), h);
      store<u32>(cursor, slot + 1);
    }
    const part = load<u8>(parts + keyOf(c, CAPACITY_MANTISSA));
    if (part < CUT) {
      const at = sums + (<usize>part << 5);
      addTo(at, h);
      addTo(at + 16, c);
    } else {
      const cursor = cuts + (<usize>(part - CUT) << 4) + 12;
      const slot = load<u32>(cursor);
      const entry = list + <usize>slot * CANDIDATE_BYTES;
      store<u64>(entry, c);
      store<u32>(entry, slot, 8);
      store<u64>(listHaircuts + (<usize>slot << 3), h);
      store<u32>(cursor, slot + 1);
    }
  }
}

/** Pass 1 over the book's `n` accounts (with pools when the call has them), its figures into `row`. */
export function firstPassOfBook(n: u32, row: usize): void {
  badPool = -1;
  if (pool == 0) firstPass(true, false, 0, n, row);
  else firstPass(true, true, 0, n, row);
}

/** Pass 1 over `count` gathered pairs at `from` (a pool's), its figures into `row`. */
export function firstPassOfPairs(from: usize, count: u32, row: usize): void {
  firstPass(false, false, from, count, row);
}

/** Pass 2 over the book's `n` accounts (gathering each pool's pairs when the call has pools). */
export function secondPassOfBook(n: u32): void {
  if (pool == 0) secondPass(true, false, 0, n);
  else secondPass(true, true, 0, n);
}

/** Pass 2 over `count` gathered pairs at `from`. */
export function secondPassOfPairs(from: usize, count: u32): void {
  secondPass(false, false, from, count);
}
