// Heapsort of small sample tables: O(k log k) whatever the data, no recursion, in place,
// no memory of its own. Records are `words` u64 words each, ordered by their first word
// (unsigned); positive f64 values order the same way by their bits.

/** Sorts `count` records of `words` u64 each at `base` by their first word, ascending. */
export function sortRecords(base: usize, count: u32, words: u32): void {
  for (let start = count >> 1; start > 0;) siftDown(base, --start, count, words);
  for (let end = count; end > 1;) {
    end--;
    swapRecords(base, 0, end, words);
    siftDown(base, 0, end, words);
  }
}

/** Restores the max-heap property below `root` within [0, end). */
function siftDown(base: usize, root: u32, end: u32, words: u32): void {
  while (true) {
    let child: u32 = 2 * root + 1;
    if (child >= end) return;
    if (child + 1 < end && keyAt(base, child, words) < keyAt(base, child + 1, words)) child++;
    if (keyAt(base, root, words) >= keyAt(base, child, words)) return;
    swapRecords(base, root, child, words);
    root = child;
  }
}

// @ts-ignore: decorator
@inline function keyAt(base: usize, i: u32, words: u32): u64 {
  return load<u64>(base + ((<usize>i * <usize>words) << 3));
}

// @ts-ignore: decorator
@inline function swapRecords(base: usize, i: u32, j: u32, words: u32): void {
  const a = base + ((<usize>i * <usize>words) << 3), b = base + ((<usize>j * <usize>words) << 3);
  for (let w: usize = 0, end = <usize>words << 3; w < end; w += 8) {
    const x = load<u64>(a + w);
    store<u64>(a + w, load<u64>(b + w));
    store<u64>(b + w, x);
  }
}
