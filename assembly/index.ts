// The WebAssembly core of socialized-loss: kernels only, no policy, no validation.
//
// Boundary with the TypeScript wrapper (src/engine.ts), the one place it is defined:
// - Columns live in this module's linear memory above `heapBase()`; the wrapper
//   places them and grows the memory (src/heap.ts), the core never allocates.
//   A book of n accounts is three 16-byte-aligned blocks: profits (8·n bytes,
//   i64), haircuts (8·n, i64) and candidates (12·n scratch: remainder u64 and
//   index u32 per listed account): 28 bytes per account.
// - Pointers and counts cross as i32 (pointers may be ≥ 2^31: read them unsigned);
//   amounts cross as i64 (JS bigint), unsigned where the name says so.
// - Per call: `sumPositive` → the wrapper decides the socialized amount S from
//   the loss, fund and total → `allocate` writes every haircut.
// - Growing memory detaches the JS ArrayBuffer: the wrapper re-creates its views.

export { sumPositive, positiveSumHigh, positiveCount, allocate } from './allocate';

/** The first byte after the core's static data (the histogram): columns go above it. */
export function heapBase(): usize {
  return __heap_base;
}
