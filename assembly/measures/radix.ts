// Radix sorts for the measures (measure.ts), with their tables in the caller's scratch:
// - `sortValues`: u64 values, least significant digit first between their place and a temp
//   of TEMP_VALUES: each digit one counting pass (all digits at once) and one scatter, no
//   comparisons (an unpredictable branch per value costs more here than a pass); digits
//   where every value agrees are skipped. The sorted values are left where the last digit
//   put them (the caller reads them there). A range longer than the temp is first spread in
//   place by its top digit (American flag) until each part fits.
// - `sortEntries`: list entries of CANDIDATE_BYTES (key u64, position u32) in place, by
//   (key, position), most significant digit first (American flag), short ranges by insertion.
// Invariant: an in-place level spreads a range by up to DIGIT_BITS bits from the highest bit
// where its keys differ (at least MIN_BITS, or all that are left), so a range is sorted
// within LEVELS levels, each with its own bucket table (TABLE_BYTES each).

import { CANDIDATE_BYTES } from '../layout';

/** Most bits a digit holds: 2048 counters of 4 bytes. */
const DIGIT_BITS: i32 = 11;
const DIGITS: usize = 1 << DIGIT_BITS;
const TABLE_BYTES: usize = DIGITS << 2;
/** Fewest bits an in-place level spreads by (while the keys differ in that many): bounds the depth. */
const MIN_BITS: i32 = 4;
/** In-place levels at the most: 16 of keys, 8 of positions, one to spare. */
const LEVELS: usize = 25;
/** Digits of a value at the most (⌈64/11⌉). */
const LSD_DIGITS: usize = 6;
/** Values the temp holds: a range this long (1 MiB) is sorted through it. */
const TEMP_VALUES: u32 = 1 << 17;
/** Ranges this short are insertion-sorted. */
const SMALL: u32 = 32;

/**
 * The tables at the caller's `tables`: the least-significant-digit counts, the in-place
 * levels' tables (each bucket's end once the level is spread), the targets of the level
 * being spread, then the temp.
 */
const COUNTS: usize = 0;
const LEVEL_TABLES: usize = COUNTS + LSD_DIGITS * TABLE_BYTES;
const TARGETS: usize = LEVEL_TABLES + LEVELS * TABLE_BYTES;
const TEMP: usize = TARGETS + TABLE_BYTES;
export const SORT_TABLE_BYTES: usize = TEMP + (<usize>TEMP_VALUES << 3);

/** The tables of the sort in progress. */
let tables: usize = 0;

/**
 * Sorts the `m` values at `base` ascending, every value there agreeing with every other
 * above bit `bits`, with SORT_TABLE_BYTES of tables at `at`. Returns where the sorted
 * values are: `base`, or the temp (until the next sort).
 */
export function sortValues(base: usize, m: u32, bits: i32, at: usize): usize {
  tables = at;
  return valuesIn(base, m, bits, tables + LEVEL_TABLES);
}

/** Sorts the `m` entries (CANDIDATE_BYTES) at `base` by (key, position), with SORT_TABLE_BYTES of tables at `at`. */
export function sortEntries(base: usize, m: u32, at: usize): void {
  tables = at;
  spread(base, m, CANDIDATE_BYTES, false, tables + LEVEL_TABLES);
}

/** `sortValues` below an in-place level whose table ends at `level`. */
function valuesIn(base: usize, m: u32, bits: i32, level: usize): usize {
  // Values that agree on every bit are sorted.
  if (bits <= 0) return base;
  if (m <= SMALL) {
    insertionSort(base, m, 8);
    return base;
  }
  if (m <= TEMP_VALUES) return leastDigitFirst(base, m, bits);
  spread(base, m, 8, false, level);
  return base;
}

/**
 * Sorts the `m` values at `base`, which agree above bit `bits`, between there and the temp:
 * the fewest digits of at most DIGIT_BITS that cover the bits, equal in width. Returns where
 * the last digit put them.
 */
function leastDigitFirst(base: usize, m: u32, bits: i32): usize {
  const digits = (bits + DIGIT_BITS - 1) / DIGIT_BITS;
  const width = (bits + digits - 1) / digits;
  const mask = (<u64>1 << <u64>width) - 1;
  const size = <usize>4 << <usize>width;
  const counts = tables + COUNTS;
  memory.fill(counts, 0, size * <usize>digits);
  const end = base + (<usize>m << 3);
  for (let at = base; at < end; at += 8) {
    const v = load<u64>(at);
    for (let d = 0; d < digits; d++) {
      const counter = counts + <usize>d * size + (<usize>((v >> <u64>(d * width)) & mask) << 2);
      store<u32>(counter, load<u32>(counter) + 1);
    }
  }
  let from = base, to = tables + TEMP;
  for (let d = 0; d < digits; d++) {
    const table = counts + <usize>d * size;
    // Each counter becomes its digit's first slot; a digit every value shares moves nothing.
    let sum: u32 = 0, shared = false;
    for (let c: usize = 0; c < size; c += 4) {
      const count = load<u32>(table + c);
      shared = shared || count == m;
      store<u32>(table + c, sum);
      sum += count;
    }
    if (shared) continue;
    const shift = <u64>(d * width);
    const stop = from + (<usize>m << 3);
    for (let at = from; at < stop; at += 8) {
      const v = load<u64>(at);
      const counter = table + (<usize>((v >> shift) & mask) << 2);
      const slot = load<u32>(counter);
      store<u32>(counter, slot + 1);
      store<u64>(to + (<usize>slot << 3), v);
    }
    const moved = from;
    from = to;
    to = moved;
  }
  return from;
}

/** A record's sort field: its key, or (byPosition) its position. */
// @ts-ignore: decorator
@inline function fieldOf(record: usize, byPosition: bool): u64 {
  return byPosition ? <u64>load<u32>(record, 8) : load<u64>(record);
}

/**
 * One in-place level over the `m` records of `stride` bytes at `base` (values: 8; entries:
 * CANDIDATE_BYTES), by key or (byPosition) by position, `ends` its bucket table; then each
 * bucket sorted: values by `valuesIn`, entries by the next level (by position once their keys are equal).
 */
function spread(base: usize, m: u32, stride: usize, byPosition: bool, ends: usize): void {
  if (m <= SMALL) {
    insertionSort(base, m, stride);
    return;
  }
  let low = u64.MAX_VALUE, high: u64 = 0;
  const end = base + <usize>m * stride;
  for (let at = base; at < end; at += stride) {
    const k = fieldOf(at, byPosition);
    if (k < low) low = k;
    if (k > high) high = k;
  }
  if (low == high) {
    if (!byPosition && stride == CANDIDATE_BYTES) spread(base, m, stride, true, ends);
    return;
  }
  const span = 64 - <i32>clz(low ^ high);
  const bits = min(span, max(MIN_BITS, min(DIGIT_BITS, 32 - <i32>clz(m) - 3)));
  const shift = <u64>(span - bits);
  const mask = (<u64>1 << <u64>bits) - 1;
  const buckets = <usize>1 << <usize>bits;
  memory.fill(ends, 0, buckets << 2);
  for (let at = base; at < end; at += stride) {
    const counter = ends + (<usize>((fieldOf(at, byPosition) >> shift) & mask) << 2);
    store<u32>(counter, load<u32>(counter) + 1);
  }
  // targets: where each bucket's next record goes; ends: where it ends.
  const targets = tables + TARGETS;
  let sum: u32 = 0;
  for (let d: usize = 0; d < buckets << 2; d += 4) {
    store<u32>(targets + d, sum);
    sum += load<u32>(ends + d);
    store<u32>(ends + d, sum);
  }
  // Each record not yet in its bucket is carried along the cycle of the records it displaces.
  for (let d: usize = 0; d < buckets; d++) {
    const stop = load<u32>(ends + (d << 2));
    for (let next = load<u32>(targets + (d << 2)); next < stop; next = load<u32>(targets + (d << 2))) {
      const at = base + <usize>next * stride;
      let key = load<u64>(at);
      let position: u32 = stride == 8 ? 0 : load<u32>(at, 8);
      let e = <usize>(((byPosition ? <u64>position : key) >> shift) & mask);
      while (e != d) {
        const slot = targets + (e << 2);
        const target = base + <usize>load<u32>(slot) * stride;
        store<u32>(slot, load<u32>(slot) + 1);
        const k = load<u64>(target);
        store<u64>(target, key);
        key = k;
        if (stride != 8) {
          const p = load<u32>(target, 8);
          store<u32>(target, position, 8);
          position = p;
        }
        e = <usize>(((byPosition ? <u64>position : key) >> shift) & mask);
      }
      store<u64>(at, key);
      if (stride != 8) store<u32>(at, position, 8);
      store<u32>(targets + (d << 2), next + 1);
    }
  }
  let begin: u32 = 0;
  for (let d: usize = 0; d < buckets; d++) {
    const stop = load<u32>(ends + (d << 2));
    const part = base + <usize>begin * stride, count = stop - begin;
    if (count > 1) {
      if (stride != 8) {
        spread(part, count, stride, byPosition, ends + (buckets << 2));
      } else {
        // The next part may use the temp: these values go back in place.
        const sorted = valuesIn(part, count, <i32>shift, ends + (buckets << 2));
        if (sorted != part) memory.copy(part, sorted, <usize>count << 3);
      }
    }
    begin = stop;
  }
}

/** Insertion sort of `m` records of `stride` bytes by (key, position). */
function insertionSort(base: usize, m: u32, stride: usize): void {
  for (let j: u32 = 1; j < m; j++) {
    const at = base + <usize>j * stride;
    const key = load<u64>(at);
    const position: u32 = stride == 8 ? 0 : load<u32>(at, 8);
    let to = at;
    while (to > base) {
      const before = to - stride;
      const k = load<u64>(before);
      if (k < key || (k == key && (stride == 8 || load<u32>(before, 8) <= position))) break;
      store<u64>(to, k);
      if (stride != 8) store<u32>(to, load<u32>(before, 8), 8);
      to = before;
    }
    store<u64>(to, key);
    if (stride != 8) store<u32>(to, position, 8);
  }
}
