// The WebAssembly core of socialized-loss: kernels only, no policy, no validation.
//
// Boundary with the TypeScript wrapper (src/engine.ts), the one place it is defined:
// - Columns live in this module's linear memory above `heapBase()`; the wrapper
//   places them and grows the memory (src/heap.ts), the core never allocates.
//   A book of n accounts is three 16-byte-aligned blocks: profits (8·n bytes,
//   i64), haircuts (8·n, i64), candidates (12·n scratch: remainder u64 and
//   index u32 per listed account) and exempt (n bytes): 29 bytes per account.
//   Pools add each account's pool (4·n, u32) and per-pool tables (about 1.4 KB
//   per pool): 33 bytes per account. Their passes keep each account's bucket
//   byte in the last n bytes of the candidates block and list boundary accounts
//   from its start.
// - Pointers and counts cross as i32 (pointers may be ≥ 2^31: read them unsigned);
//   amounts cross as i64 (JS bigint), unsigned where the name says so.
// - Per call: `sumPositive` → the wrapper decides the socialized amount S from
//   the loss, fund and total → `allocate` writes every haircut. Pools:
//   `sumPools` → S per pool → `preparePools` → `poolsPassA` → `poolBoundaries`
//   → `poolsPassB` → `groupListed` → `settlePools`. Weights and caps: `sumWeighted` (Σ w,
//   Σ caps, a mask byte per account) → S → `capAccounts` (the capped set, R, W)
//   → `allocate` of R mod W over the weights, the mask as exemptions →
//   `finishWeighted`. Index deltas: `sumAbsolute` → δ → `charges`.
//   Weighted books add weights and caps (8·n each) and the mask (n bytes).
// - Growing memory detaches the JS ArrayBuffer: the wrapper re-creates its views.

export { sumPositive, positiveSumHigh, positiveCount, allocate } from './allocate';
export {
  sumWeighted, weightedHigh, capTotalLow, capTotalHigh, weightedCount, firstNegative,
  capAccounts, sharedUnits, sharedWeightLow, sharedWeightHigh, cappedAccounts, finishWeighted, capPools,
} from './weights';
export { sumAbsolute, absoluteHigh, charges, collectedSumLow, collectedSumHigh } from './index-delta';
export { sumPools, preparePools, poolsPassA, poolBoundaries, poolsPassB, groupListed, settlePools, settleCrowded } from './pools';

/** Whether any of `bytes` bytes at `ptr` is non-zero (an exempt column with an exemption). */
export function anyNonZero(ptr: usize, bytes: usize): bool {
  let seen: u64 = 0;
  let at = ptr;
  const end = ptr + bytes;
  for (; at + 8 <= end; at += 8) seen |= load<u64>(at);
  for (; at < end; at++) seen |= <u64>load<u8>(at);
  return seen != 0;
}

/** The first byte after the core's static data (the histogram): columns go above it. */
export function heapBase(): usize {
  return __heap_base;
}
