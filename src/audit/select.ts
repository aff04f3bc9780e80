// Order statistics without a full sort: quickselect over account indices by a
// strict total order. Expected O(n); the pivot comes from a fixed xorshift so
// the result (and the time) is the same on every run.

/**
 * Rearranges `ids[lo..hi)` so that `ids[k]` is the element of rank k − lo by
 * `order` (negative: first argument first), every element before it ranks
 * before it and every element after it ranks after it.
 */
export function quickselect(ids: Int32Array, k: number, order: (a: number, b: number) => number, lo = 0, hi = ids.length): void {
  let state = 0x2545f491;
  let left = lo, right = hi - 1;
  while (right > left) {
    // xorshift32 for the pivot position: adversarial inputs cannot force quadratic time.
    state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
    const p = left + ((state >>> 0) % (right - left + 1));
    const pivot = ids[p]!;
    ids[p] = ids[right]!;
    ids[right] = pivot;
    let store = left;
    for (let i = left; i < right; i++) {
      const id = ids[i]!;
      if (order(id, pivot) < 0) {
        ids[i] = ids[store]!;
        ids[store++] = id;
      }
    }
    ids[right] = ids[store]!;
    ids[store] = pivot;
    if (store === k) return;
    if (store < k) left = store + 1;
    else right = store - 1;
  }
}
