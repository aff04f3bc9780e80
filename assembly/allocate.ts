// The plain split's phase: exact largest-remainder haircuts over an i64 column.
//
// Every account's floor ⌊S·p / P⌋ comes from floor.ts's step (one fixed-point ratio
// per call, no division per account). One pass after the sum: a sample predicts a
// band of remainders that holds the boundary (sample.ts); accounts above it get
// their extra unit in the same pass, those inside are listed with their remainder and
// settled by select.ts. If the prediction misses (more units went out above the band
// than the leftover, or the band is too short of it), the pass runs again listing every
// eligible account: the answer never depends on the sample, only the time does.
// Remainders are listed as 64-bit keys, r >> t: exact (t = 0) unless P > 2^64, where
// equal keys are then told apart by exact 128-bit remainders.

import { shiftRight128, fixedRatio, ratioShift, keyShift, isNarrow } from './wide';
import { floorNarrow, floorWide, floorRemainderHigh, floorRemainderLow, remainderNarrow } from './floor';
import {
  settleBoundary, settleListed, giveFirstListed, giveFirstIndices, listedIndices, seedListed, seedIndices,
  tiedNeed, LIST_ENTRY, BUCKET_BITS,
} from './select';
import { eligibleProfit, positivePart, profitsOf, haircutsOf, candidatesOf, exemptOf, countOf } from './columns';
import { predictBand, bandLow, bandHigh } from './sample';
import { floorsNarrowSimd, writtenSimd } from './simd';
import {
  ROUND_LARGEST_REMAINDER, ROUND_UP, SPLIT_ROUNDING, SPLIT_SEED, SPLIT_SEEDED, SPLIT_SOCIALIZED, SPLIT_TOTAL, SPLIT_WRITTEN,
} from './layout';

/**
 * Phase `splitProfits` (book record, split record): every haircut of the book by the
 * split's rounding, S = SPLIT_SOCIALIZED over P = SPLIT_TOTAL as `sumProfits` wrote it
 * (requires S ≤ P, S < 2^63); Σ haircuts into SPLIT_WRITTEN.
 */
export function splitProfits(book: usize, split: usize): void {
  store<u64>(split + SPLIT_WRITTEN, allocate(
    profitsOf(book), haircutsOf(book), candidatesOf(book), countOf(book),
    load<u64>(split + SPLIT_SOCIALIZED), load<u64>(split + SPLIT_TOTAL), load<u64>(split + SPLIT_TOTAL, 8),
    load<u32>(split + SPLIT_ROUNDING), load<u32>(split + SPLIT_SEEDED) != 0, load<u64>(split + SPLIT_SEED), exemptOf(book),
  ));
}

/**
 * Writes the haircuts of `n` accounts: profits at `profits` (i64), haircuts to
 * `haircuts` (i64), `candidates` scratch of CANDIDATE_BYTES·n, `exempt` 0 or one byte
 * per account (non-zero: ineligible). S = the units to socialize and
 * (Plo, Phi) = Σ eligible profits, as `sumProfits` wrote them for the same
 * columns; requires S ≤ P and S < 2^63. `rounding` ROUND_LARGEST_REMAINDER (ties
 * to the lower index, or by ascending splitmix64(seed ^ index) when `seeded`),
 * ROUND_DOWN (floors) or ROUND_UP (ceilings). Ineligible accounts get 0. Returns Σ haircuts.
 */
export function allocate(
  profits: usize, haircuts: usize, candidates: usize, n: u32,
  S: u64, Plo: u64, Phi: u64, rounding: u32, seeded: bool, seed: u64, exempt: usize,
): u64 {
  if (S == 0) {
    memory.fill(haircuts, 0, <usize>n << 3);
    return 0;
  }
  if (Phi == 0 && Plo == S) {
    takeWholeProfits(profits, haircuts, n, exempt);
    return S;
  }
  const s = ratioShift(Phi);
  const c = fixedRatio(S, Plo, Phi, s);
  const narrow = isNarrow(Plo, Phi);
  const t = keyShift(Plo, Phi);
  if (rounding != ROUND_LARGEST_REMAINDER) {
    // Floors, or floors plus one wherever the remainder is not 0; nothing to settle.
    pass(profits, haircuts, candidates, n, S, Plo, Phi, c, s, t, narrow, u64.MAX_VALUE, rounding == ROUND_UP ? 0 : u64.MAX_VALUE, rounding == ROUND_UP, exempt);
    if (!ASC_NO_ASSERT) verify(profits, haircuts, n, written, exempt);
    return written;
  }
  predictBand(profits, n, S, Plo, Phi, c, s, t, exempt);
  let low = bandLow, top = bandHigh;
  let end = pass(profits, haircuts, candidates, n, S, Plo, Phi, c, s, t, narrow, low, top, false, exempt);
  // Valid when no more units went out than S has, and the band can supply the rest.
  if (written > S || S - written > <u64>((end - candidates) / LIST_ENTRY)) {
    low = 0;
    top = u64.MAX_VALUE;
    end = pass(profits, haircuts, candidates, n, S, Plo, Phi, c, s, t, narrow, low, top, false, exempt);
  }
  if (written != S) settleFor(profits, haircuts, candidates, end, S, S - written, Plo, Phi, t, low, top, seeded, seed, exempt);
  if (!ASC_NO_ASSERT) verify(profits, haircuts, n, S, exempt);
  return S;
}

/**
 * Places the `need` units left after a pass (S − Σ floors and units already given): the listed entries from
 * `candidates` to `end` (keys in [low, top]) are settled by largest key, `bits`
 * per round (see `settleListed`); ties in exact remainder go by seeded order when
 * `seeded`, then by index.
 */
export function settleFor(
  profits: usize, haircuts: usize, candidates: usize, end: usize, S: u64, need: u64, Plo: u64, Phi: u64, t: i32,
  low: u64, top: u64, seeded: bool, seed: u64, exempt: usize, bits: i32 = BUCKET_BITS,
): void {
  const count = <u32>((end - candidates) / LIST_ENTRY);
  let tied = settleListed(haircuts, candidates, count, need, low, top, bits);
  if (tied != 0 && t != 0) {
    // Keys were the top 64 bits of wider remainders: equal keys are told apart exactly.
    listedIndices(candidates, tied);
    tied = settleBoundary(profits, haircuts, candidates, tied, tiedNeed, S, Plo, Phi, exempt);
    if (tied != 0 && seeded) seedIndices(candidates, tied, seed);
    else if (tied != 0) giveFirstIndices(haircuts, candidates, tiedNeed);
  } else if (tied != 0 && seeded) {
    seedListed(candidates, tied, seed);
  }
  // Ties in remainder left: by seeded key (re-settled), then by index.
  if (tied != 0 && seeded) tied = settleListed(haircuts, candidates, tied, tiedNeed, 0, u64.MAX_VALUE, bits);
  if (tied != 0 && (seeded || t == 0)) giveFirstListed(haircuts, candidates, tiedNeed);
}

/**
 * One pass over all n accounts with the band [low, high] of keys: the narrow
 * loop (SIMD two at a time where built with SIMD) or the 128-bit one. `ceil`:
 * one more unit wherever the remainder is not 0 (exactly, also when keys drop
 * low bits). Sets `written`; returns where the list ends.
 */
export function pass(
  profits: usize, haircuts: usize, list: usize, n: u32, S: u64, Plo: u64, Phi: u64,
  c: u64, s: i32, t: i32, narrow: bool, low: u64, high: u64, ceil: bool, exempt: usize,
): usize {
  if (!narrow) return floorsWide(profits, haircuts, list, n, S, Plo, Phi, c, s, t, low, high, ceil, exempt);
  if (ASC_FEATURE_SIMD) {
    const pairs = n & ~1;
    const end = floorsNarrowSimd(profits, haircuts, list, pairs, S, Plo, c, low, high, exempt);
    const before = writtenSimd;
    const tail = floorsNarrow(profits, haircuts, end, pairs, n, S, Plo, c, low, high, exempt);
    written += before;
    return tail;
  }
  return floorsNarrow(profits, haircuts, list, 0, n, S, Plo, c, low, high, exempt);
}

/** S == P: every eligible profit is taken whole. */
function takeWholeProfits(profits: usize, haircuts: usize, n: u32, exempt: usize): void {
  if (exempt != 0) {
    for (let i: u32 = 0; i < n; i++) store<u64>(haircuts + (<usize>i << 3), eligibleProfit(profits, exempt, i));
    return;
  }
  for (let at: usize = 0, end = <usize>n << 3; at < end; at += 8) store<u64>(haircuts + at, positivePart(load<i64>(profits + at)));
}

/**
 * One account of a 128-bit pass (profit m, eligible or 0): its haircut (floor,
 * plus one when `ceil` and the remainder is not 0, or when the key is above
 * `highKey`) stored at haircuts[i], and its entry (key r >> t, index) listed when
 * the key is in [lowKey, lowKey + span]. Returns the list's new end.
 */
// @ts-ignore: decorator
@inline function wideAccount(
  haircuts: usize, entry: usize, i: u32, m: u64, S: u64, Plo: u64, Phi: u64, c: u64, cShift: u64, t: i32,
  lowKey: u64, span: u64, highKey: u64, ceil: bool,
): usize {
  const q = floorWide(m, S, Plo, Phi, c, cShift);
  const rLo = floorRemainderLow, rHi = floorRemainderHigh;
  if (!ASC_NO_ASSERT) assert(q <= m, 'floor correction failed');
  const key = shiftRight128(rLo, rHi, t);
  store<u64>(haircuts + (<usize>i << 3), q + <u64>(ceil ? (rLo | rHi) != 0 : key > highKey));
  store<u64>(entry, key);
  store<u32>(entry, i, 8);
  return entry + select<usize>(LIST_ENTRY, 0, key - lowKey <= span);
}

/** Set by the passes: Σ haircuts written. */
let written: u64 = 0;

/** Σ haircuts the last `pass` wrote. */
export function passWritten(): u64 {
  return written;
}

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
  S: u64, P: u64, c: u64, low: u64, high: u64, exempt: usize,
): usize {
  // Two copies of the loop: the one without exemptions carries no per-account check.
  return exempt == 0
    ? floorsNarrowLoop(profits, haircuts, entry, from, n, S, P, c, low, high, 0, false)
    : floorsNarrowLoop(profits, haircuts, entry, from, n, S, P, c, low, high, exempt, true);
}

// @ts-ignore: decorator
@inline function floorsNarrowLoop(
  profits: usize, haircuts: usize, entry: usize, from: u32, n: u32,
  S: u64, P: u64, c: u64, low: u64, high: u64, exempt: usize, checkExempt: bool,
): usize {
  let sum: u64 = 0;
  const span = high - low;
  for (let i = from; i < n; i++) {
    const at = <usize>i << 3;
    const m = checkExempt ? eligibleProfit(profits, exempt, i) : positivePart(load<i64>(profits + at));
    const q = floorNarrow(m, S, P, c);
    const r = remainderNarrow(m, S, P, q);
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
 * The pass when P > 2^63: as `floorsNarrow`, with 128-bit remainders listed
 * as keys r >> t (t makes them fit 64 bits; keys order like remainders).
 */
function floorsWide(
  profits: usize, haircuts: usize, entry: usize, n: u32, S: u64, Plo: u64, Phi: u64,
  c: u64, s: i32, t: i32, lowKey: u64, highKey: u64, ceil: bool, exempt: usize,
): usize {
  // One copy of the loop per case, so that the common one carries no per-account check.
  if (ceil) return floorsWideLoop(profits, haircuts, entry, n, S, Plo, Phi, c, s, t, lowKey, highKey, true, exempt, exempt != 0);
  return exempt == 0
    ? floorsWideLoop(profits, haircuts, entry, n, S, Plo, Phi, c, s, t, lowKey, highKey, false, 0, false)
    : floorsWideLoop(profits, haircuts, entry, n, S, Plo, Phi, c, s, t, lowKey, highKey, false, exempt, true);
}

// @ts-ignore: decorator
@inline function floorsWideLoop(
  profits: usize, haircuts: usize, entry: usize, n: u32, S: u64, Plo: u64, Phi: u64,
  c: u64, s: i32, t: i32, lowKey: u64, highKey: u64, ceil: bool, exempt: usize, checkExempt: bool,
): usize {
  let sum: u64 = 0;
  const cShift = <u64>s;
  const span = highKey - lowKey;
  for (let i: u32 = 0; i < n; i++) {
    const at = <usize>i << 3;
    const m = checkExempt ? eligibleProfit(profits, exempt, i) : positivePart(load<i64>(profits + at));
    entry = wideAccount(haircuts, entry, i, m, S, Plo, Phi, c, cShift, t, lowKey, span, highKey, ceil);
    sum += load<u64>(haircuts + at);
  }
  written = sum;
  return entry;
}

/** Debug builds only: Σ haircuts == total and 0 ≤ haircut ≤ the eligible profit for every account. */
function verify(profits: usize, haircuts: usize, n: u32, total: u64, exempt: usize): void {
  let sum: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const h = load<u64>(haircuts + (<usize>i << 3));
    assert(h <= eligibleProfit(profits, exempt, i), 'haircut outside [0, profit]');
    sum += h;
  }
  assert(sum == total, 'haircuts do not sum to the socialized amount');
}
