// The pro-rata kernel: exact largest-remainder haircuts over an i64 column.
//
// For S = socialized units and P = Σ positive profits (S ≤ P, P < 2^96), each
// eligible account's quota is S·p / P = q + r/P. Instead of a 128/64 division
// per account, one fixed-point ratio c = floor(S·2^(64+s) / P) is computed per
// call, where s = max(0, bitLength(P) − 64). Then
//   q̃ = mulhi(p, c) >> s   is q or q − 1,
// because c is short of the exact ratio by less than one unit in its last
// place and p < 2^(64+s). The remainder r̃ = S·p − q̃·P lies in [0, 2P), so it
// is exact in wrapping arithmetic (64-bit when P ≤ 2^63, 128-bit otherwise),
// and one comparison with P corrects both q and r.
//
// Narrow books (P ≤ 2^63) take one pass after the sum: a sample predicts a
// band of remainders that holds the boundary (sample.ts); accounts above it
// get their extra unit in the same pass, those inside are listed with their
// remainder and settled by select.ts. If the prediction misses (more units
// went out above the band than the leftover, or the band is too short of it), the
// pass runs again listing every eligible account: the answer never depends
// on the sample, only the time does.
// Wide books (P > 2^63, rare) take two passes: floors with a histogram of
// remainder bits, then the units above the boundary bucket.

import { mulhi, bitLength, bitLength128, shiftRight128, less128, remainderWide, fixedRatio, high } from './wide';
import {
  BUCKET_BITS, HISTOGRAM, clearHistogram, countKey, bucketCount, findBoundary, needInBucket,
  settleBoundary, settleListed, LIST_ENTRY,
} from './select';
import { predictBand, bandLow, bandHigh } from './sample';
import { floorsNarrowSimd, writtenSimd, sumPositiveSimd, sumHighSimd, sumCountSimd } from './simd';

let sumHighHalf: u64 = 0;
let sumCount: u32 = 0;

/**
 * Σ max(profit, 0) over n profits at `profits`, exactly: returns the low 64
 * bits; `positiveSumHigh()` and `positiveCount()` give the high bits and the
 * number of positive profits. Branch-free, one pass.
 */
export function sumPositive(profits: usize, n: u32): u64 {
  let lo: u64 = 0, hi: u64 = 0;
  let count: u32 = 0;
  let from: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    from = n & ~1;
    lo = sumPositiveSimd(profits, from);
    hi = sumHighSimd;
    count = sumCountSimd;
  }
  const end = profits + (<usize>n << 3);
  for (let at = profits + (<usize>from << 3); at < end; at += 8) {
    const p = load<i64>(at);
    const positive = p > 0;
    const m = <u64>select<i64>(p, 0, positive);
    lo += m;
    hi += <u64>(lo < m);
    count += <u32>positive;
  }
  sumHighHalf = hi;
  sumCount = count;
  return lo;
}

/** High 64 bits of the last `sumPositive` result. */
export function positiveSumHigh(): u64 {
  return sumHighHalf;
}

/** Number of positive profits seen by the last `sumPositive`. */
export function positiveCount(): u32 {
  return sumCount;
}

/**
 * Writes the largest-remainder haircuts of `n` accounts: profits at `profits`
 * (i64), haircuts to `haircuts` (i64), `candidates` scratch of 12·n bytes.
 * S = socialized units and (Plo, Phi) = Σ positive profits, as `sumPositive`
 * returned them for the same column; requires S ≤ P and S < 2^63.
 * Accounts with profit ≤ 0 get 0. Ties in remainder go to the lower index.
 */
export function allocate(
  profits: usize, haircuts: usize, candidates: usize, n: u32,
  S: u64, Plo: u64, Phi: u64,
): void {
  if (S == 0) {
    memory.fill(haircuts, 0, <usize>n << 3);
    return;
  }
  if (Phi == 0 && Plo == S) {
    takeWholeProfits(profits, haircuts, n);
    return;
  }
  // s scales c into 64 bits when P ≥ 2^64; the narrow loop needs 2P ≤ 2^64.
  const s = Phi == 0 ? 0 : bitLength(Phi);
  const c = fixedRatio(S, Plo, Phi, s);
  if (Phi == 0 && Plo <= (<u64>1 << 63)) {
    allocateNarrow(profits, haircuts, candidates, n, S, Plo, c);
  } else {
    allocateWide(profits, haircuts, candidates, n, S, Plo, Phi, c, s);
  }
  if (!ASC_NO_ASSERT) verify(profits, haircuts, n, S);
}

/** P ≤ 2^63: one speculative pass (two when the sample misjudges), then the listed band. */
function allocateNarrow(profits: usize, haircuts: usize, list: usize, n: u32, S: u64, P: u64, c: u64): void {
  predictBand(profits, n, S, P, c);
  let end = passNarrow(profits, haircuts, list, n, S, P, c, bandLow, bandHigh);
  // Valid when no more units went out than S has, and the band can supply the rest.
  if (written > S || S - written > <u64>((end - list) / LIST_ENTRY)) {
    end = passNarrow(profits, haircuts, list, n, S, P, c, 0, u64.MAX_VALUE);
  }
  if (written != S) settleListed(haircuts, list, <u32>((end - list) / LIST_ENTRY), S - written);
}

/** The narrow pass over all n accounts, two at a time in SIMD builds. Returns the list's end. */
function passNarrow(profits: usize, haircuts: usize, list: usize, n: u32, S: u64, P: u64, c: u64, low: u64, high: u64): usize {
  if (ASC_FEATURE_SIMD) {
    const pairs = n & ~1;
    const end = floorsNarrowSimd(profits, haircuts, list, pairs, S, P, c, low, high);
    const before = writtenSimd;
    const tail = floorsNarrow(profits, haircuts, end, pairs, n, S, P, c, low, high);
    written += before;
    return tail;
  }
  return floorsNarrow(profits, haircuts, list, 0, n, S, P, c, low, high);
}

/** P > 2^63: floors with a histogram of the remainders' top bits, then the boundary. */
function allocateWide(
  profits: usize, haircuts: usize, candidates: usize, n: u32, S: u64, Plo: u64, Phi: u64, c: u64, s: i32,
): void {
  const topLo = Plo - 1, topHi = Phi - <u64>(Plo == 0);
  const shift = bitLength128(topLo, topHi) - BUCKET_BITS;
  clearHistogram();
  const leftover = S - floorsWide(profits, haircuts, n, S, Plo, Phi, c, s, shift);
  if (leftover == 0) return;
  const boundary = findBoundary(leftover);
  const need = needInBucket;
  const takeAll = need == bucketCount(boundary);
  const count = markWide(profits, haircuts, candidates, n, S, Plo, Phi, shift, boundary, takeAll);
  if (!takeAll) settleBoundary(profits, haircuts, candidates, count, need, S, Plo, Phi);
}

/** S == P: every positive profit is taken whole. */
function takeWholeProfits(profits: usize, haircuts: usize, n: u32): void {
  for (let at: usize = 0, end = <usize>n << 3; at < end; at += 8) {
    const p = load<i64>(profits + at);
    store<i64>(haircuts + at, select<i64>(p, 0, p > 0));
  }
}

/** Set by `floorsNarrow`: Σ haircuts it wrote. */
let written: u64 = 0;

/**
 * The pass when P ≤ 2^63 over accounts [from, n): each floor into `haircuts`,
 * plus one unit now when the remainder is above `high`; accounts with a
 * remainder in [low, high] are listed, ascending, as 12-byte entries
 * (remainder u64, index u32) from `entry` on. Returns where the list ends.
 * Branch-free, and lean on registers (V8 has 15): an account with profit ≤ 0
 * computes with 0 (floor 0, remainder 0); it is listed only when low is 0,
 * where a remainder of 0 can never win a unit.
 */
function floorsNarrow(
  profits: usize, haircuts: usize, entry: usize, from: u32, n: u32,
  S: u64, P: u64, c: u64, low: u64, high: u64,
): usize {
  let sum: u64 = 0;
  const span = high - low;
  for (let i = from; i < n; i++) {
    const at = <usize>i << 3;
    const p = load<i64>(profits + at);
    const m = <u64>select<i64>(p, 0, p > 0);
    let q = mulhi(m, c);
    let r = S * m - q * P;
    const short = r >= P;
    q += <u64>short;
    r -= select<u64>(P, 0, short);
    if (!ASC_NO_ASSERT) assert(r < P && q <= m, 'floor correction failed');
    const haircut = q + <u64>(r > high);
    store<u64>(haircuts + at, haircut);
    sum += haircut;
    // Always written, kept only when the pointer moves on: no branch.
    // r − low ≤ high − low, unsigned, is low ≤ r ≤ high in one comparison.
    store<u64>(entry, r);
    store<u32>(entry, i, 8);
    entry += select<usize>(LIST_ENTRY, 0, r - low <= span);
  }
  written = sum;
  return entry;
}

/**
 * Pass 1 when P > 2^63: floors into `haircuts`, a histogram of the 128-bit
 * remainders' top bits, and Σ floors. Accounts with profit ≤ 0 compute with 0
 * and are taken back out of bucket 0 at the end.
 */
function floorsWide(
  profits: usize, haircuts: usize, n: u32, S: u64, Plo: u64, Phi: u64, c: u64, s: i32, shift: i32,
): u64 {
  let assigned: u64 = 0;
  let ineligible: u32 = 0;
  const cShift = <u64>s;
  for (let at: usize = 0, end = <usize>n << 3; at < end; at += 8) {
    const p = load<i64>(profits + at);
    const positive = p > 0;
    const m = <u64>select<i64>(p, 0, positive);
    let q = mulhi(m, c) >> cShift;
    let rLo = remainderWide(S, m, q, Plo, Phi), rHi = high;
    if (!less128(rLo, rHi, Plo, Phi)) {
      q++;
      rHi = rHi - Phi - <u64>(rLo < Plo);
      rLo -= Plo;
    }
    if (!ASC_NO_ASSERT) assert(less128(rLo, rHi, Plo, Phi) && q <= m, 'floor correction failed');
    store<u64>(haircuts + at, q);
    assigned += q;
    countKey(shiftRight128(rLo, rHi, shift));
    ineligible += <u32>!positive;
  }
  store<u32>(HISTOGRAM, load<u32>(HISTOGRAM) - ineligible);
  return assigned;
}

/**
 * Pass 2 when P > 2^63: one more unit to every account whose key is above
 * the boundary bucket; the boundary bucket's accounts either all get one
 * (`takeAll`) or are listed, ascending, at `candidates`. Returns the list's length.
 */
function markWide(
  profits: usize, haircuts: usize, candidates: usize, n: u32,
  S: u64, Plo: u64, Phi: u64, shift: i32, boundary: u32, takeAll: bool,
): u32 {
  let count: u32 = 0;
  const b = <u64>boundary;
  for (let i: u32 = 0; i < n; i++) {
    const at = <usize>i << 3;
    const p = load<i64>(profits + at);
    if (p <= 0) continue;
    const q = load<u64>(haircuts + at);
    const rLo = remainderWide(S, <u64>p, q, Plo, Phi);
    const key = shiftRight128(rLo, high, shift);
    if (key > b || (takeAll && key == b)) {
      store<u64>(haircuts + at, q + 1);
    } else if (key == b) {
      store<u32>(candidates + (<usize>count << 2), i);
      count++;
    }
  }
  return count;
}

/** Debug builds only: Σ haircuts == S and 0 ≤ haircut ≤ max(profit, 0) for every account. */
function verify(profits: usize, haircuts: usize, n: u32, S: u64): void {
  let sum: u64 = 0;
  for (let at: usize = 0, end = <usize>n << 3; at < end; at += 8) {
    const p = load<i64>(profits + at);
    const h = load<i64>(haircuts + at);
    assert(h >= 0 && h <= select<i64>(p, 0, p > 0), 'haircut outside [0, profit]');
    sum += <u64>h;
  }
  assert(sum == S, 'haircuts do not sum to the socialized amount');
}
