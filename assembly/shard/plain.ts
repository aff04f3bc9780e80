// A shard's plain split (src/parallel/): one engine's passes (allocate.ts) over this
// shard's accounts with the whole book's S and P, and the band of remainders decided by
// the coordinator from every shard's sample, so that accounts above it get their unit
// in the same pass and those inside are listed for the digit rounds (digits.ts).

import { pass, passWritten } from '../allocate';
import { floorWide, floorRemainderHigh, floorRemainderLow } from '../floor';
import { candidatesOf, countOf, eligibleProfit, exemptOf, haircutsOf, profitsOf } from '../columns';
import { LIST_ENTRY } from '../select';
import { ROUND_LARGEST_REMAINDER, ROUND_UP, SHARD_SAMPLE, SPLIT_ROUNDING, SPLIT_SOCIALIZED, SPLIT_TOTAL, SPLIT_WRITTEN } from '../layout';
import { fixedRatio, isNarrow, keyShift, ratioShift, shiftRight128 } from '../wide';

/**
 * Phase helper `sampleShard` (book record, split record, out), after the wrapper wrote
 * the whole book's S and P (SPLIT_SOCIALIZED, SPLIT_TOTAL), with 0 < S < P: at `out`
 * the top key ((P − 1) >> t, u64), Σ keys (u128), t (u64), then the keys (remainder >> t)
 * of the eligible accounts among every n/SHARD_SAMPLE-th (all when fewer). Returns how many keys.
 */
export function sampleShard(book: usize, split: usize, out: usize): u32 {
  const profits = profitsOf(book), exempt = exemptOf(book), n = countOf(book);
  const S = load<u64>(split + SPLIT_SOCIALIZED), Plo = load<u64>(split + SPLIT_TOTAL), Phi = load<u64>(split + SPLIT_TOTAL, 8);
  const s = ratioShift(Phi), c = fixedRatio(S, Plo, Phi, s), t = keyShift(Plo, Phi);
  store<u64>(out, shiftRight128(Plo - 1, Phi - <u64>(Plo == 0), t));
  const stride = max<u32>(1, n / SHARD_SAMPLE), taken = min<u32>(n, SHARD_SAMPLE);
  let sampled: u32 = 0, sumLo: u64 = 0, sumHi: u64 = 0;
  for (let j: u32 = 0; j < taken; j++) {
    const i = j * stride;
    const p = load<i64>(profits + (<usize>i << 3));
    if (p <= 0 || (exempt != 0 && load<u8>(exempt + <usize>i) != 0)) continue;
    floorWide(<u64>p, S, Plo, Phi, c, <u64>s);
    const key = shiftRight128(floorRemainderLow, floorRemainderHigh, t);
    store<u64>(out + (<usize>(sampled + 4) << 3), key);
    sampled++;
    sumLo += key;
    sumHi += <u64>(sumLo < key);
  }
  store<u64>(out, sumLo, 8);
  store<u64>(out, sumHi, 16);
  store<u64>(out, <u64>t, 24);
  return sampled;
}

/**
 * Phase helper `floorShard` (book record, split record, low, high): every haircut's floor
 * (or ceiling, by SPLIT_ROUNDING) for S over P, as one engine's pass; under largest
 * remainder, one more unit to every account whose key is above `high`, and those with a
 * key in [low, high] listed (key, index) from the candidates column's start, as one
 * engine's pass lists them (a keyed list for digits.ts). Σ haircuts into SPLIT_WRITTEN;
 * returns how many are listed.
 */
export function floorShard(book: usize, split: usize, low: u64, high: u64): u32 {
  const profits = profitsOf(book), haircuts = haircutsOf(book), candidates = candidatesOf(book), exempt = exemptOf(book), n = countOf(book);
  const S = load<u64>(split + SPLIT_SOCIALIZED), Plo = load<u64>(split + SPLIT_TOTAL), Phi = load<u64>(split + SPLIT_TOTAL, 8);
  const rounding = load<u32>(split + SPLIT_ROUNDING);
  if (S == 0) {
    memory.fill(haircuts, 0, <usize>n << 3);
    store<u64>(split + SPLIT_WRITTEN, 0);
    return 0;
  }
  if (Phi == 0 && Plo == S) {
    // Every eligible profit whole: Σ here is this shard's own total, summed as it is written.
    let sum: u64 = 0;
    for (let i: u32 = 0; i < n; i++) {
      const m = eligibleProfit(profits, exempt, i);
      store<u64>(haircuts + (<usize>i << 3), m);
      sum += m;
    }
    store<u64>(split + SPLIT_WRITTEN, sum);
    return 0;
  }
  const s = ratioShift(Phi), c = fixedRatio(S, Plo, Phi, s), t = keyShift(Plo, Phi), narrow = isNarrow(Plo, Phi);
  if (rounding != ROUND_LARGEST_REMAINDER) {
    const up = rounding == ROUND_UP;
    pass(profits, haircuts, candidates, n, S, Plo, Phi, c, s, t, narrow, u64.MAX_VALUE, up ? 0 : u64.MAX_VALUE, up, exempt);
    store<u64>(split + SPLIT_WRITTEN, passWritten());
    return 0;
  }
  const end = pass(profits, haircuts, candidates, n, S, Plo, Phi, c, s, t, narrow, low, high, false, exempt);
  store<u64>(split + SPLIT_WRITTEN, passWritten());
  return <u32>((end - candidates) / LIST_ENTRY);
}
