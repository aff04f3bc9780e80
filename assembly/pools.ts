// Pools: many socializations in one call (per currency, per market), each
// exactly what `allocate` gives for its pool's accounts alone, with ties
// decided by each account's index in the whole book.

import { fixedRatio, bitLength, high, isNarrow, keyShift, less128, mulhi, ratioShift, remainderWide, shiftRight128 } from './wide';
import { eligibleProfit, LIST_ENTRY } from './select';
import { settleFor, wrote } from './allocate';

/** Bytes per pool in the totals table: Σ low, Σ high (u64 each) and the count (u64). */
export const POOL_TOTAL: usize = 24;

/**
 * Sums each pool's eligible profits into `totals` (POOL_TOTAL bytes per pool,
 * zeroed here). Returns the first account whose pool index is not below
 * `pools` (the sums are then partial and unused), or −1.
 */
export function sumPools(profits: usize, pool: usize, exempt: usize, n: u32, pools: u32, totals: usize): i32 {
  memory.fill(totals, 0, <usize>pools * POOL_TOTAL);
  for (let i: u32 = 0; i < n; i++) {
    const k = <usize>load<u32>(pool + (<usize>i << 2));
    if (k >= <usize>pools) return <i32>i;
    const m = eligibleProfit(profits, exempt, i);
    const at = totals + k * POOL_TOTAL;
    const lo = load<u64>(at) + m;
    store<u64>(at, lo);
    store<u64>(at, load<u64>(at, 8) + <u64>(lo < m), 8);
    store<u64>(at, load<u64>(at, 16) + <u64>(m != 0), 16);
  }
  return -1;
}

/** Bytes per pool of parameters: S, Plo, Phi, c, s, t, bucket shift, kind. */
export const POOL_PARAMS: usize = 64;
/** Bytes per pool of state: Σ haircuts, boundary bucket, units still needed, take-all flag. */
export const POOL_STATE: usize = 32;
/** Histogram counters per pool. */
export const POOL_BUCKETS: u32 = 256;

/** Row kinds: wide ratio (128-bit remainders), nothing to take, whole profits, narrow ratio (P ≤ 2^63). */
const KIND_RATIO: u64 = 0, KIND_ZERO: u64 = 1, KIND_WHOLE: u64 = 2, KIND_NARROW: u64 = 3;
/** A boundary no key reaches: nothing above it, nothing listed. */
const NO_BOUNDARY: u64 = u64.MAX_VALUE;

/**
 * Fills each pool's parameter row from the S, Plo, Phi the wrapper wrote at
 * +0, +8, +16, and zeroes the state rows and histograms.
 */
export function preparePools(params: usize, state: usize, histogram: usize, pools: u32): void {
  memory.fill(state, 0, <usize>pools * POOL_STATE);
  memory.fill(histogram, 0, <usize>pools * POOL_BUCKETS * 4);
  for (let k: u32 = 0; k < pools; k++) {
    const row = params + <usize>k * POOL_PARAMS;
    const S = load<u64>(row), Plo = load<u64>(row, 8), Phi = load<u64>(row, 16);
    if (S == 0 || (Phi == 0 && Plo == S)) {
      // No ratio: c, s, t and the bucket shift are 0 so that the passes' branch-free
      // arithmetic on these rows stays harmless (its results are masked out).
      memory.fill(row + 24, 0, 32);
      store<u64>(row, S == 0 ? KIND_ZERO : KIND_WHOLE, 56);
      continue;
    }
    const s = ratioShift(Phi);
    const t = keyShift(Plo, Phi);
    const topKey = shiftRight128(Plo - 1, Phi - <u64>(Plo == 0), t);
    store<u64>(row, fixedRatio(S, Plo, Phi, s), 24);
    store<u64>(row, <u64>s, 32);
    store<u64>(row, <u64>t, 40);
    store<u64>(row, <u64>max(0, bitLength(topKey) - 8), 48);
    store<u64>(row, isNarrow(Plo, Phi) ? KIND_NARROW : KIND_RATIO, 56);
  }
}

/** Account i's remainder key in its pool's row (floor q given), as the single-book passes compute it. */
// @ts-ignore: decorator
@inline function poolKey(row: usize, m: u64, q: u64, narrow: bool): u64 {
  const S = load<u64>(row), Plo = load<u64>(row, 8), Phi = load<u64>(row, 16);
  // Narrow rows: r = S·m − q·P is exact in 64 bits (it is below P ≤ 2^63), and t = 0.
  if (narrow) return S * m - q * Plo;
  const rLo = remainderWide(S, m, q, Plo, Phi);
  return shiftRight128(rLo, high, <i32>load<u64>(row, 40));
}

/** Account i's exact floor in its pool (and its remainder in `high`:`remainderLow`). */
let remainderLow: u64 = 0;
// @ts-ignore: decorator
@inline function poolFloor(row: usize, m: u64, narrow: bool): u64 {
  const S = load<u64>(row), Plo = load<u64>(row, 8), Phi = load<u64>(row, 16);
  if (narrow) {
    // As floorsNarrow: q̃ = mulhi(m, c) is q or q − 1, and r̃ < 2P ≤ 2^64.
    let q = mulhi(m, load<u64>(row, 24));
    let r = S * m - q * Plo;
    const short = r >= Plo;
    q += <u64>short;
    remainderLow = r - select<u64>(Plo, 0, short);
    high = 0;
    return q;
  }
  let q = mulhi(m, load<u64>(row, 24)) >> load<u64>(row, 32);
  let rLo = remainderWide(S, m, q, Plo, Phi), rHi = high;
  if (!less128(rLo, rHi, Plo, Phi)) {
    q++;
    rHi = rHi - Phi - <u64>(rLo < Plo);
    rLo -= Plo;
  }
  remainderLow = rLo;
  high = rHi;
  return q;
}

/**
 * Pass A: every account's floor (rounding 0 or 1) or ceiling (2) in its pool,
 * Σ per pool, and under largest remainder a histogram of each pool's keys.
 */
export function poolsPassA(
  profits: usize, pool: usize, exempt: usize, haircuts: usize, n: u32,
  params: usize, state: usize, histogram: usize, rounding: u32,
): void {
  for (let i: u32 = 0; i < n; i++) {
    const k = <usize>load<u32>(pool + (<usize>i << 2));
    const row = params + k * POOL_PARAMS;
    const kind = load<u64>(row, 56);
    const m = eligibleProfit(profits, exempt, i);
    let h: u64 = 0;
    if (kind == KIND_WHOLE) {
      h = m;
    } else if (kind == KIND_RATIO || kind == KIND_NARROW) {
      h = poolFloor(row, m, kind == KIND_NARROW);
      if (rounding == 2) {
        h += <u64>((remainderLow | high) != 0);
      } else if (rounding == 0) {
        const key = shiftRight128(remainderLow, high, <i32>load<u64>(row, 40));
        const at = histogram + ((k * <usize>POOL_BUCKETS + <usize>(key >> load<u64>(row, 48))) << 2);
        store<u32>(at, load<u32>(at) + <u32>(m != 0));
      }
    }
    store<u64>(haircuts + (<usize>i << 3), h);
    const sum = state + k * POOL_STATE;
    store<u64>(sum, load<u64>(sum) + h);
  }
}

/** Each largest-remainder pool's boundary bucket and the units its bucket must give. */
export function poolBoundaries(params: usize, state: usize, histogram: usize, pools: u32): void {
  for (let k: u32 = 0; k < pools; k++) {
    const row = params + <usize>k * POOL_PARAMS;
    const st = state + <usize>k * POOL_STATE;
    store<u64>(st, NO_BOUNDARY, 8);
    const kind = load<u64>(row, 56);
    if (kind != KIND_RATIO && kind != KIND_NARROW) continue;
    const leftover = load<u64>(row) - load<u64>(st);
    if (leftover == 0) continue;
    let above: u64 = 0;
    for (let b = <i32>POOL_BUCKETS - 1; b >= 0; b--) {
      const count = <u64>load<u32>(histogram + ((<usize>k * <usize>POOL_BUCKETS + <usize>b) << 2));
      if (above + count >= leftover) {
        store<u64>(st, <u64>b, 8);
        store<u64>(st, leftover - above, 16);
        store<u64>(st, <u64>(leftover - above == count), 24);
        break;
      }
      above += count;
    }
  }
}

/**
 * Pass B: one more unit above each pool's boundary bucket (and in it, when all of it
 * is needed); the other boundary accounts listed, ascending, from `list`. Returns the list's end.
 */
export function poolsPassB(
  profits: usize, pool: usize, exempt: usize, haircuts: usize, list: usize, n: u32, params: usize, state: usize,
): usize {
  let entry = list;
  for (let i: u32 = 0; i < n; i++) {
    const k = <usize>load<u32>(pool + (<usize>i << 2));
    const st = state + k * POOL_STATE;
    const boundary = load<u64>(st, 8);
    const row = params + k * POOL_PARAMS;
    const m = eligibleProfit(profits, exempt, i);
    const at = haircuts + (<usize>i << 3);
    const q = load<u64>(at);
    // Branch-free on the data (pools and remainders are random): every haircut is
    // rewritten, every account written as an entry, kept only when it is a candidate.
    // Rows without a boundary (NO_BOUNDARY) never match; ineligible accounts are masked.
    const key = load<u64>(row, 56) == KIND_NARROW ? poolKey(row, m, q, true) : poolKey(row, m, q, false);
    const bucket = key >> load<u64>(row, 48);
    const live = (m != 0) & (boundary != NO_BOUNDARY);
    const up = live & ((bucket > boundary) | ((bucket == boundary) & (load<u64>(st, 24) != 0)));
    store<u64>(at, q + <u64>up);
    store<u64>(entry, key);
    store<u32>(entry, i, 8);
    entry += select<usize>(LIST_ENTRY, 0, live & (bucket == boundary) & (load<u64>(st, 24) == 0));
  }
  return entry;
}

/**
 * Groups the `count` listed entries at `list` by pool (stable) into `grouped`, then
 * settles each pool's group like a single book. `starts` is scratch of 4 bytes per pool.
 */
export function settlePools(
  profits: usize, pool: usize, exempt: usize, haircuts: usize, list: usize, count: u32, grouped: usize,
  starts: usize, params: usize, state: usize, pools: u32, seeded: bool, seed: u64,
): void {
  memory.fill(starts, 0, <usize>pools << 2);
  for (let j: u32 = 0; j < count; j++) {
    const k = <usize>load<u32>(pool + (<usize>load<u32>(list + <usize>j * LIST_ENTRY, 8) << 2));
    store<u32>(starts + (k << 2), load<u32>(starts + (k << 2)) + 1);
  }
  let start: u32 = 0;
  for (let k: u32 = 0; k < pools; k++) {
    const at = starts + (<usize>k << 2);
    const size = load<u32>(at);
    store<u32>(at, start);
    start += size;
  }
  for (let j: u32 = 0; j < count; j++) {
    const from = list + <usize>j * LIST_ENTRY;
    const at = starts + (<usize>load<u32>(pool + (<usize>load<u32>(from, 8) << 2)) << 2);
    const slot = load<u32>(at);
    memory.copy(grouped + <usize>slot * LIST_ENTRY, from, LIST_ENTRY);
    store<u32>(at, slot + 1);
  }
  // starts[k] now ends pool k's group; it began where pool k − 1's ended.
  let begin: u32 = 0;
  for (let k: u32 = 0; k < pools; k++) {
    const end = load<u32>(starts + (<usize>k << 2));
    const st = state + <usize>k * POOL_STATE;
    if (end > begin && load<u64>(st, 8) != NO_BOUNDARY && load<u64>(st, 24) == 0) {
      const row = params + <usize>k * POOL_PARAMS;
      const S = load<u64>(row);
      wrote(S - load<u64>(st, 16));
      settleFor(
        profits, haircuts, grouped + <usize>begin * LIST_ENTRY, grouped + <usize>end * LIST_ENTRY, S,
        load<u64>(row, 8), load<u64>(row, 16), <i32>load<u64>(row, 40), 0, u64.MAX_VALUE, seeded, seed, exempt,
      );
    }
    begin = end;
  }
}
