// Predicting where the largest-remainder boundary falls, from a sample.
//
// The leftover L equals Σ r / P over all eligible accounts, so a sample of k
// remainders predicts both how many of its members get a unit (Σ r_sample / P)
// and the remainders around that rank. Remainders are compared as keys,
// r >> t, with t = 0 (exact) unless P > 2^64. The sample takes fixed positions
// (every n/4096-th account): a book arranged against them costs the second
// pass (about 2× the time), never a wrong unit. The band [low, high] is taken k/16
// ranks either side of the prediction (several standard deviations for any
// spread of remainders), so the boundary almost always falls inside it. The
// prediction only decides how much work the pass saves; allocate.ts checks
// it against the exact counts and redoes the pass when it missed.

import { bitLength, shiftRight128 } from './wide';
import { floorWide, floorRemainderLow, floorRemainderHigh } from './floor';
import { sortRecords } from './sort';

/** Sample size: 4096 remainders, 32 KiB of static memory. */
const SAMPLE_SIZE: u32 = 4096;
const SAMPLE: usize = memory.data(<i32>SAMPLE_SIZE << 3, 16);
/** Below this many accounts a sample saves nothing: every eligible account is listed. */
const MIN_ACCOUNTS: u32 = 1 << 16;
/** Fewer eligible samples than this predict too little. */
const MIN_SAMPLED: u32 = 512;

/** The predicted band: remainders above `bandHigh` get a unit at once, those in [bandLow, bandHigh] are listed. */
export let bandLow: u64 = 0;
export let bandHigh: u64 = u64.MAX_VALUE;

/**
 * Sets `bandLow`/`bandHigh` (in keys: remainder >> t) from a sample. Works for
 * any book: the sample's remainders are computed in 128 bits (c and s as in
 * allocate.ts), which costs nothing at 4096 accounts.
 */
export function predictBand(
  profits: usize, n: u32, S: u64, Plo: u64, Phi: u64, c: u64, s: i32, t: i32, exempt: usize,
): void {
  bandLow = 0;
  bandHigh = u64.MAX_VALUE;
  if (n < MIN_ACCOUNTS) return;
  const stride = <usize>(n / SAMPLE_SIZE) << 3;
  // Σ r / P in fixed point: 40 significant bits of each key are plenty.
  const topKey = shiftRight128(Plo - 1, Phi - <u64>(Plo == 0), t);
  const scale = <u64>max(0, bitLength(topKey) - 40);
  let sampled: u32 = 0;
  let scaledSum: u64 = 0;
  for (let j: u32 = 0; j < SAMPLE_SIZE; j++) {
    const p = load<i64>(profits + <usize>j * stride);
    if (p <= 0 || (exempt != 0 && load<u8>(exempt + <usize>j * (stride >> 3)) != 0)) continue;
    floorWide(<u64>p, S, Plo, Phi, c, <u64>s);
    const key = shiftRight128(floorRemainderLow, floorRemainderHigh, t);
    store<u64>(SAMPLE + (<usize>sampled << 3), key);
    sampled++;
    scaledSum += key >> scale;
  }
  if (sampled < MIN_SAMPLED) return;
  const rank = scaledSum / ((topKey >> scale) + 1);
  const margin = <u64>(sampled >> 4);
  // Ascending: the j-th largest key is at sampled − 1 − j.
  sortRecords(SAMPLE, sampled, 1);
  const last = <u64>sampled - 1;
  if (rank > margin) bandHigh = load<u64>(SAMPLE + (<usize>(last - (rank - margin)) << 3));
  if (rank + margin < <u64>sampled) bandLow = load<u64>(SAMPLE + (<usize>(last - (rank + margin)) << 3));
}
