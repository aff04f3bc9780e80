// The order of equal remainders under largest remainder: by ascending
// splitmix64(seed XOR index) as unsigned 64-bit when seeded, then by index.
// Written from the contract, not from the engine's code.

const MASK64 = (1n << 64n) - 1n;

/** SplitMix64 of x modulo 2^64 (the contract's constants), as an unsigned 64-bit bigint. */
export function splitmix64(x: bigint): bigint {
  let z = (x + 0x9e3779b97f4a7c15n) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** The tie key of the account at global `index` under `seed` (read modulo 2^64). */
export function tieKey(seed: bigint, index: number): bigint {
  return splitmix64((seed ^ BigInt(index)) & MASK64);
}

/**
 * Ranks accounts by remainder: a comparator that is negative when `a` ranks
 * before `b` (gets an extra unit first): the larger remainder, then the smaller
 * tie key when seeded, then the lower index. A strict total order (0 only for a = b).
 * `a` and `b` are positions that `indexOf` maps to account indices (default: they
 * are the indices). Tie keys are computed only for equal remainders, and remembered.
 */
export function rankOrder(
  remainderOf: (at: number) => bigint, seed: bigint | undefined, indexOf: (at: number) => number = (at) => at,
): (a: number, b: number) => number {
  const keys = new Map<number, bigint>();
  const key = (index: number): bigint => {
    let k = keys.get(index);
    if (k === undefined) {
      k = tieKey(seed!, index);
      keys.set(index, k);
    }
    return k;
  };
  return (a, b) => {
    const ra = remainderOf(a), rb = remainderOf(b);
    if (ra !== rb) return ra > rb ? -1 : 1;
    const ia = indexOf(a), ib = indexOf(b);
    if (seed !== undefined && ia !== ib) {
      const ka = key(ia), kb = key(ib);
      if (ka !== kb) return ka < kb ? -1 : 1;
    }
    return ia - ib;
  };
}
