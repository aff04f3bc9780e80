// The measures of a haircut vector (src/measures.ts defines them), per group of accounts:
// the whole book, then each pool, each group by two passes (passes.ts), then work on runs
// and short lists only: the haircuts' runs sorted (radix.ts) and walked up for the Gini
// numerator and the 10 largest; the keys a tenth's or the top 1 %'s boundary cuts through
// ordered by (capacity, index) and added account by account.
// Invariant: every sum is exact in 128 bits (u64 pairs); the answer never depends on how the
// values are spread, only the time does.

import {
  CANDIDATE_BYTES, MEASURE_BAD_HAIRCUT, MEASURE_BAD_POOL, MEASURE_COUNT, MEASURE_ROW_ACCOUNTS, MEASURE_ROW_BYTES, MEASURE_ROW_CHARGED,
  MEASURE_ROW_GINI, MEASURE_ROW_TENTHS, MEASURE_ROW_TOP10, MEASURE_ROW_TOP_CAPACITY, MEASURE_TABLE, MEASURE_TENTH_ACCOUNTS,
  MEASURE_TENTH_BYTES, MEASURE_TENTH_CAPACITY, MEASURE_TENTH_COLLECTED,
} from '../layout';
import { limb0, limb1, mul192 } from '../wide';
import {
  badHaircut, badPool, bitsOfKey, CAPACITY_COUNTS, CUT, CUTS, entries, firstPassOfBook, firstPassOfPairs, HAIRCUT_COUNTS,
  HAIRCUT_MANTISSA, highCapacityKey, highHaircutKey, listed, lowCapacityKey, lowHaircutKey, openCall, PART_OF_KEY, pairs, pool, pools,
  scratch, secondPassOfBook, secondPassOfPairs, SORT_TABLES, starts, SUMS, values, VALUES,
} from './passes';
import { sortEntries, sortValues } from './radix';

/**
 * Phase helper `measureScratchBytes`: the bytes of the scratch block for n accounts, with
 * `pooled` in `pools` pools. In 64 bits, so that a size past 4 GiB is not wrapped.
 */
export function measureScratchBytes(n: u32, pooled: bool, pools: u32): u64 {
  return <u64>VALUES + <u64>n * (pooled ? 32 : 16) + (pooled ? (<u64>pools + 1) << 2 : 0);
}

/** The part of rank r among n, the top 1 % from rank `top`: 2·tenth + (r ≥ top), tenth = ⌊(10r + 9)/n⌋. */
// @ts-ignore: decorator
@inline function partOf(r: u32, n: u32, top: u32): u8 {
  return <u8>((((<u64>r * 10 + 9) / <u64>n) << 1) + <u64>(r >= top));
}

/**
 * After pass 1: each haircut key's run start, each capacity key's part, and the keys a
 * part's boundary cuts through, each with its first rank and its list's place. Returns how
 * many keys are cut.
 */
function plan(n: u32, top: u32): u32 {
  const haircutCounts = scratch + HAIRCUT_COUNTS, capacityCounts = scratch + CAPACITY_COUNTS, parts = scratch + PART_OF_KEY;
  let start: u32 = 0;
  for (let key = lowHaircutKey; key <= highHaircutKey; key++) {
    const at = haircutCounts + (key << 2);
    const size = load<u32>(at);
    store<u32>(at, start);
    start += size;
  }
  if (n == 0) return 0;
  let rank: u32 = 0, list: u32 = 0, cuts: u32 = 0;
  for (let key = lowCapacityKey; key <= highCapacityKey; key++) {
    const size = load<u32>(capacityCounts + (key << 2));
    if (size == 0) continue;
    const first = partOf(rank, n, top), last = partOf(rank + size - 1, n, top);
    if (first == last) {
      store<u8>(parts + key, first);
    } else {
      store<u8>(parts + key, CUT + <u8>cuts);
      const cut = scratch + CUTS + (<usize>cuts << 4);
      store<u32>(cut, rank);
      store<u32>(cut, list, 4);
      store<u32>(cut, size, 8);
      store<u32>(cut, list, 12);
      list += size;
      cuts++;
    }
    rank += size;
  }
  return cuts;
}

/** Adds x to the 128-bit value at `at`. */
// @ts-ignore: decorator
@inline function addTo(at: usize, x: u64): void {
  const low = load<u64>(at) + x;
  store<u64>(at, low);
  if (low < x) store<u64>(at, load<u64>(at, 8) + 1, 8);
}

/**
 * Each cut key's accounts by rising (capacity, index) (their slots rise with the index),
 * added to the parts of their ranks. The top 1 % is the ⌈n/100⌉ largest capacities, equal
 * ones by lower index: where its first rank (`top`) falls inside a run of equal capacities,
 * the run's first accounts are in it, as many as the run has from rank `top` on.
 */
function settleCuts(cuts: u32, n: u32, top: u32): void {
  const sums = scratch + SUMS;
  for (let k: u32 = 0; k < cuts; k++) {
    const cut = scratch + CUTS + (<usize>k << 4);
    const rank = load<u32>(cut), list = entries + <usize>load<u32>(cut, 4) * CANDIDATE_BYTES, size = load<u32>(cut, 8);
    sortEntries(list, size, scratch + SORT_TABLES);
    // The run of equal capacities at rank `top`, [runStart, runEnd), and where its share of the top 1 % ends.
    let runStart = top, runEnd = top, runTop = top;
    if (rank < top && top < rank + size) {
      const c = load<u64>(list + <usize>(top - rank) * CANDIDATE_BYTES);
      let first = top - rank, end = first + 1;
      while (first > 0 && load<u64>(list + <usize>(first - 1) * CANDIDATE_BYTES) == c) first--;
      while (end < size && load<u64>(list + <usize>end * CANDIDATE_BYTES) == c) end++;
      runStart = rank + first;
      runEnd = rank + end;
      runTop = runStart + runEnd - top;
    }
    for (let p: u32 = 0; p < size;) {
      // One tenth's ranks at a time: tenth t holds ⌊tn/10⌋ … ⌊(t + 1)n/10⌋ − 1.
      const tenth = <u32>((<u64>(rank + p) * 10 + 9) / <u64>n);
      const end = min(size, <u32>((<u64>(tenth + 1) * n) / 10) - rank);
      for (; p < end; p++) {
        const r = rank + p;
        const inTop = r >= runStart && r < runEnd ? r < runTop : r >= top;
        const at = sums + (<usize>((tenth << 1) + <u32>inTop) << 5);
        const entry = list + <usize>p * CANDIDATE_BYTES;
        addTo(at, load<u64>(listed + (<usize>load<u32>(entry, 8) << 3)));
        addTo(at + 16, load<u64>(entry));
      }
    }
  }
}

/** The running Σ h (P) and Σ of the P's (Q) of the walk up the sorted haircuts, 128-bit. */
let pLow: u64 = 0, pHigh: u64 = 0, qLow: u64 = 0, qHigh: u64 = 0;

/** Walks the haircuts [from, to) up, adding each to P and each P to Q. */
function walk(from: usize, to: usize): void {
  let p0 = pLow, p1 = pHigh, q0 = qLow, q1 = qHigh;
  for (let at = from; at < to; at += 8) {
    const h = load<u64>(at);
    p0 += h;
    p1 += <u64>(p0 < h);
    q0 += p0;
    q1 += p1 + <u64>(q0 < p0);
  }
  pLow = p0;
  pHigh = p1;
  qLow = q0;
  qHigh = q1;
}

/**
 * Sorts each key's run of haircuts and walks them up: with the z haircuts above 0 at ranks
 * n − z … n − 1, Σₖ k·h₍ₖ₎ = n·Σ h − Q, so the Gini numerator Σₖ (2k − n + 1)·h₍ₖ₎ is
 * (n + 1)·Σ h − 2Q; Σ of the 10 largest is Σ h less P before the 10th from the top.
 */
function orderHaircuts(n: u32, row: usize): void {
  const cursors = scratch + HAIRCUT_COUNTS, tables = scratch + SORT_TABLES, z = load<u32>(row + MEASURE_ROW_CHARGED);
  const tail = z > 10 ? z - 10 : 0;
  let tailLow: u64 = 0, tailHigh: u64 = 0;
  pLow = pHigh = qLow = qHigh = 0;
  let begin: u32 = 0;
  for (let key = lowHaircutKey; z != 0 && key <= highHaircutKey; key++) {
    // The run's end (pass 2 moved its cursor there); its values sorted, wherever the sort left them.
    const end = load<u32>(cursors + (key << 2));
    const run = end - begin;
    const sorted = run > 1 ? sortValues(values + (<usize>begin << 3), run, bitsOfKey(key, HAIRCUT_MANTISSA), tables) : values + (<usize>begin << 3);
    if (begin <= tail && tail < end) {
      const split = sorted + (<usize>(tail - begin) << 3);
      walk(sorted, split);
      tailLow = pLow;
      tailHigh = pHigh;
      walk(split, sorted + (<usize>run << 3));
    } else {
      walk(sorted, sorted + (<usize>run << 3));
    }
    begin = end;
  }
  mul192(<u64>n + 1, pLow, pHigh);
  const twiceLow = qLow << 1, twiceHigh = (qHigh << 1) | (qLow >> 63);
  store<u64>(row + MEASURE_ROW_GINI, limb0 - twiceLow);
  store<u64>(row + MEASURE_ROW_GINI + 8, limb1 - twiceHigh - <u64>(limb0 < twiceLow));
  store<u64>(row + MEASURE_ROW_TOP10, pLow - tailLow);
  store<u64>(row + MEASURE_ROW_TOP10 + 8, pHigh - tailHigh - <u64>(pLow < tailLow));
}

/** Stores the sum of the 128-bit values at a and b at `at`. */
function storeSum(at: usize, a: usize, b: usize): void {
  const low = load<u64>(a) + load<u64>(b);
  store<u64>(at, low);
  store<u64>(at, load<u64>(a, 8) + load<u64>(b, 8) + <u64>(low < load<u64>(b)), 8);
}

/** Writes the group's tenths (each the sum of its two parts) and Σ haircuts of its top 1 % into its row. */
function writeParts(row: usize, n: u32): void {
  let topLow: u64 = 0, topHigh: u64 = 0;
  for (let k: u32 = 0; k < 10; k++) {
    const tenth = row + MEASURE_ROW_TENTHS + <usize>k * MEASURE_TENTH_BYTES;
    // Its parts: outside the top 1 %, and in it.
    const outside = scratch + SUMS + (<usize>k << 6), inside = outside + 32;
    store<u32>(tenth + MEASURE_TENTH_ACCOUNTS, <u32>((<u64>(k + 1) * n) / 10 - (<u64>k * n) / 10));
    storeSum(tenth + MEASURE_TENTH_COLLECTED, outside, inside);
    storeSum(tenth + MEASURE_TENTH_CAPACITY, outside + 16, inside + 16);
    topLow += load<u64>(inside);
    topHigh += load<u64>(inside, 8) + <u64>(topLow < load<u64>(inside));
  }
  store<u64>(row + MEASURE_ROW_TOP_CAPACITY, topLow);
  store<u64>(row + MEASURE_ROW_TOP_CAPACITY + 8, topHigh);
}

/**
 * The measures of a group whose pass 1 is done (its figures in `row`), into `row`: its pass 2 over the book
 * (`count` accounts) or over `count` gathered pairs at `from`; then the keys it used are
 * counted at 0 again for the next group.
 */
function finishGroup(ofBook: bool, from: usize, count: u32, row: usize): void {
  const n = load<u32>(row + MEASURE_ROW_ACCOUNTS);
  // The top 1 %: the ⌈n/100⌉ largest capacities, from rank n − ⌈n/100⌉.
  const top = n - (n + 99) / 100;
  const cuts = plan(n, top);
  if (ofBook) secondPassOfBook(count);
  else secondPassOfPairs(from, count);
  orderHaircuts(n, row);
  settleCuts(cuts, n, top);
  writeParts(row, n);
  memory.fill(scratch + HAIRCUT_COUNTS + (lowHaircutKey << 2), 0, (highHaircutKey - lowHaircutKey + 1) << 2);
  memory.fill(scratch + CAPACITY_COUNTS + (lowCapacityKey << 2), 0, (highCapacityKey - lowCapacityKey + 1) << 2);
}

/**
 * The measures through their record (layout.ts: MEASURE_*): row 0 for the whole book, then
 * with pools one row per pool. Checks every pool index and haircut first: with a bad one,
 * MEASURE_BAD_POOL (first) or MEASURE_BAD_HAIRCUT names the first and no row is written.
 */
export function measureHaircuts(measure: usize): void {
  const n = load<u32>(measure + MEASURE_COUNT);
  const table = <usize>load<u32>(measure + MEASURE_TABLE);
  openCall(measure, n);
  if (pool != 0) memory.fill(starts, 0, (<usize>pools + 1) << 2);
  firstPassOfBook(n, table);
  store<i32>(measure + MEASURE_BAD_POOL, badPool);
  store<i32>(measure + MEASURE_BAD_HAIRCUT, badPool >= 0 ? -1 : badHaircut);
  if (badPool >= 0 || badHaircut >= 0) return;
  if (pool != 0) {
    // Each pool's start (its count was put at k + 1); pass 2 moves each to its pool's end.
    for (let k: u32 = 1; k <= pools; k++) {
      const at = starts + (<usize>k << 2);
      store<u32>(at, load<u32>(at) + load<u32>(at - 4));
    }
  }
  finishGroup(true, 0, n, table);
  for (let k: u32 = 0; k < pools && pool != 0; k++) {
    const first = k == 0 ? 0 : load<u32>(starts + ((<usize>k - 1) << 2));
    const from = pairs + (<usize>first << 4), size = load<u32>(starts + (<usize>k << 2)) - first;
    firstPassOfPairs(from, size, table + (<usize>k + 1) * MEASURE_ROW_BYTES);
    finishGroup(false, from, size, table + (<usize>k + 1) * MEASURE_ROW_BYTES);
  }
}
