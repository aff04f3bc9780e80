// The digit rounds of a shard's boundary (src/parallel/coordinator.ts): the accounts
// listed on a boundary, in index order, are narrowed one digit (8 bits) of
// the exact order at a time: the remainder S·m mod P (up to 128 bits), then with a tie
// seed the tie key splitmix64(seed ^ global index), lower first; the index last. This
// is one engine's order restricted to a shard, so the coordinator's choice from every
// shard's counts is one engine's choice.

import { remainderWide, high, shiftRight128, splitmix64 } from '../wide';
import { amountsOf, eligibleProfit, exemptionsOf, haircutsOf } from '../columns';
import { CANDIDATE_BYTES, DIGIT_TIE, POOL_BUCKETS } from '../layout';

// A list is `keyed` (the plain pass's entries: key = remainder >> t as u64, then the
// index as u32, CANDIDATE_BYTES each; the key is the exact remainder while P ≤ 2^64)
// or of indices only (raiseShard's: u32 each), the remainder then computed again.

/** Entry e's account index. */
// @ts-ignore: decorator
@inline function indexAt(list: usize, e: u32, keyed: bool): u32 {
  return keyed ? load<u32>(list + <usize>e * CANDIDATE_BYTES, 8) : load<u32>(list + (<usize>e << 2));
}

/** Whether a keyed list's keys are the exact remainders: P ≤ 2^64 (t = 0). */
// @ts-ignore: decorator
@inline function exactKeys(keyed: bool, Plo: u64, Phi: u64): bool {
  return keyed && (Phi == 0 || (Phi == 1 && Plo == 0));
}

/** The high half of the last `valueOf`. */
let valueHigh: u64 = 0;

/**
 * Entry e's value of `field` in pool order, larger first (u128: returns the low half,
 * `valueHigh` the high half): its exact remainder (S·m − q·P, q its floor in
 * `haircuts`), or its tie key's complement (lower tie keys first).
 */
// @ts-ignore: decorator
@inline function valueOf(
  S: u64, Plo: u64, Phi: u64, amounts: usize, exempt: usize, haircuts: usize, list: usize, e: u32, keyed: bool, exact: bool,
  field: u32, seed: u64, start: u64,
): u64 {
  valueHigh = 0;
  if (field == DIGIT_TIE) return ~splitmix64(seed ^ (start + <u64>indexAt(list, e, keyed)));
  if (exact) return load<u64>(list + <usize>e * CANDIDATE_BYTES);
  const i = indexAt(list, e, keyed);
  const m = eligibleProfit(amounts, exempt, i), q = load<u64>(haircuts + (<usize>i << 3));
  // P ≤ 2^63: the remainder is below P, exact in 64 bits.
  if (Phi == 0 && Plo <= <u64>1 << 63) return S * m - q * Plo;
  const lo = remainderWide(S, m, q, Plo, Phi);
  valueHigh = high;
  return lo;
}

/** Digit `pos` (bits pos … pos + 7) of entry e's value of `field`. */
// @ts-ignore: decorator
@inline function digitOf(
  S: u64, Plo: u64, Phi: u64, amounts: usize, exempt: usize, haircuts: usize, list: usize, e: u32, keyed: bool, exact: bool,
  field: u32, pos: i32, seed: u64, start: u64,
): u32 {
  const lo = valueOf(S, Plo, Phi, amounts, exempt, haircuts, list, e, keyed, exact, field, seed, start);
  return <u32>(shiftRight128(lo, valueHigh, pos) & 0xFF);
}

/**
 * Phase helper `spanDigits` (book, list, keyed, count, S, Plo, Phi, weighted, field, seed,
 * start, out): where the listed accounts' values of `field` differ: at `out` the first
 * account's value (u128: low, high) and the OR of every value XOR it (u128), 0 when all
 * are equal. The coordinator starts the digit rounds at the highest bit that differs
 * anywhere, and skips a field whose values are all equal (heavy ties: one pass, not one per digit).
 */
export function spanDigits(
  book: usize, list: usize, keyed: bool, count: u32, S: u64, Plo: u64, Phi: u64, weighted: bool, field: u32, seed: u64, start: u64,
  out: usize,
): void {
  const amounts = amountsOf(book, weighted), exempt = exemptionsOf(book, weighted);
  const haircuts = haircutsOf(book), exact = exactKeys(keyed, Plo, Phi);
  let firstLo: u64 = 0, firstHi: u64 = 0, varyLo: u64 = 0, varyHi: u64 = 0;
  for (let e: u32 = 0; e < count; e++) {
    const lo = valueOf(S, Plo, Phi, amounts, exempt, haircuts, list, e, keyed, exact, field, seed, start), hi = valueHigh;
    if (e == 0) {
      firstLo = lo;
      firstHi = hi;
    }
    varyLo |= lo ^ firstLo;
    varyHi |= hi ^ firstHi;
  }
  storeSpan(out, firstLo, firstHi, varyLo, varyHi);
}

/**
 * Phase helper `countDigits` (book, list, keyed, count, S, Plo, Phi, weighted, field, pos,
 * seed, start, hist, spans): the 256 counts (u32, into `hist`) of digit `pos` of `field`
 * over the `count` accounts listed at `list`, split S over P = (Plo, Phi) (by weight:
 * over the weights, the mask as exemptions). `start` is the shard's first global index.
 * With `spans` (else 0), each digit's span as `spanDigits` gives it, 32 bytes per digit:
 * so that a digit whose accounts are tied throughout is settled in one more pass.
 */
export function countDigits(
  book: usize, list: usize, keyed: bool, count: u32, S: u64, Plo: u64, Phi: u64, weighted: bool, field: u32, pos: i32, seed: u64,
  start: u64, hist: usize, spans: usize,
): void {
  const amounts = amountsOf(book, weighted), exempt = exemptionsOf(book, weighted);
  const haircuts = haircutsOf(book), exact = exactKeys(keyed, Plo, Phi);
  memory.fill(hist, 0, <usize>POOL_BUCKETS << 2);
  if (spans == 0) {
    for (let e: u32 = 0; e < count; e++) {
      const at = hist + (<usize>digitOf(S, Plo, Phi, amounts, exempt, haircuts, list, e, keyed, exact, field, pos, seed, start) << 2);
      store<u32>(at, load<u32>(at) + 1);
    }
    return;
  }
  memory.fill(spans, 0, <usize>POOL_BUCKETS << 5);
  if (exact && field != DIGIT_TIE) {
    // The plain pass's exact keys: one 64-bit value per entry, read straight from the list.
    for (let e: u32 = 0; e < count; e++) {
      const key = load<u64>(list + <usize>e * CANDIDATE_BYTES);
      const d = <usize>((key >> <u64>pos) & 0xFF);
      const at = hist + (d << 2), span = spans + (d << 5), seen = load<u32>(at);
      if (seen == 0) store<u64>(span, key);
      store<u64>(span, load<u64>(span, 16) | (key ^ load<u64>(span)), 16);
      store<u32>(at, seen + 1);
    }
    return;
  }
  for (let e: u32 = 0; e < count; e++) {
    const lo = valueOf(S, Plo, Phi, amounts, exempt, haircuts, list, e, keyed, exact, field, seed, start), hi = valueHigh;
    const d = <usize>(shiftRight128(lo, hi, pos) & 0xFF);
    const at = hist + (d << 2), span = spans + (d << 5), seen = load<u32>(at);
    if (seen == 0) {
      store<u64>(span, lo);
      store<u64>(span, hi, 8);
    }
    store<u64>(span, load<u64>(span, 16) | (lo ^ load<u64>(span)), 16);
    store<u64>(span, load<u64>(span, 24) | (hi ^ load<u64>(span, 8)), 24);
    store<u32>(at, seen + 1);
  }
}

/**
 * Phase helper `settleDigit` (book, list, keyed, count, S, Plo, Phi, weighted, field, pos,
 * seed, start, digit, give): one more unit to every listed account whose digit is above
 * `digit`, and to the first `give` (in index order) whose digit is `digit`: the last step
 * when the accounts of that digit are tied throughout the order left. The list is then done.
 */
export function settleDigit(
  book: usize, list: usize, keyed: bool, count: u32, S: u64, Plo: u64, Phi: u64, weighted: bool, field: u32, pos: i32, seed: u64,
  start: u64, digit: u32, give: u32,
): void {
  const amounts = amountsOf(book, weighted), exempt = exemptionsOf(book, weighted);
  const haircuts = haircutsOf(book), exact = exactKeys(keyed, Plo, Phi);
  let given: u32 = 0;
  if (exact && field != DIGIT_TIE) {
    for (let e: u32 = 0; e < count; e++) {
      const entry = list + <usize>e * CANDIDATE_BYTES;
      const d = <u32>((load<u64>(entry) >> <u64>pos) & 0xFF);
      const equal = d == digit && given < give;
      if (d > digit || equal) {
        const at = haircuts + (<usize>load<u32>(entry, 8) << 3);
        store<u64>(at, load<u64>(at) + 1);
      }
      given += <u32>equal;
    }
    return;
  }
  for (let e: u32 = 0; e < count; e++) {
    const d = digitOf(S, Plo, Phi, amounts, exempt, haircuts, list, e, keyed, exact, field, pos, seed, start);
    const equal = d == digit && given < give;
    const at = haircuts + (<usize>indexAt(list, e, keyed) << 3);
    store<u64>(at, load<u64>(at) + <u64>(d > digit || equal));
    given += <u32>equal;
  }
}

/**
 * Phase helper `keepDigit` (book, list, keyed, count, S, Plo, Phi, weighted, field, pos,
 * seed, start, digit, takeEqual, out): of the listed accounts, those whose digit is
 * above `digit` (or equal, with `takeEqual`) get one more unit and leave the list, those
 * below leave it, and those equal (without `takeEqual`) stay, in order; their span of
 * `field` goes to `out` as `spanDigits` gives it. Returns how many stay.
 */
export function keepDigit(
  book: usize, list: usize, keyed: bool, count: u32, S: u64, Plo: u64, Phi: u64, weighted: bool, field: u32, pos: i32, seed: u64,
  start: u64, digit: u32, takeEqual: bool, out: usize,
): u32 {
  const amounts = amountsOf(book, weighted), exempt = exemptionsOf(book, weighted);
  const haircuts = haircutsOf(book), exact = exactKeys(keyed, Plo, Phi);
  const taken = takeEqual ? digit : digit + 1;
  if (exact && field != DIGIT_TIE) return keepKeys(haircuts, list, count, pos, digit, taken, out);
  let kept: u32 = 0, firstLo: u64 = 0, firstHi: u64 = 0, varyLo: u64 = 0, varyHi: u64 = 0, seen = false;
  // Branch-free on the data (a boundary between tied groups mispredicts every other entry):
  // every haircut read and written, every entry copied, the copy kept only when it stays.
  for (let e: u32 = 0; e < count; e++) {
    const lo = valueOf(S, Plo, Phi, amounts, exempt, haircuts, list, e, keyed, exact, field, seed, start), hi = valueHigh;
    const d = <u32>(shiftRight128(lo, hi, pos) & 0xFF);
    const i = indexAt(list, e, keyed);
    const at = haircuts + (<usize>i << 3);
    store<u64>(at, load<u64>(at) + <u64>(d >= taken));
    const stays = d == digit && d < taken;
    if (keyed) {
      const to = list + <usize>kept * CANDIDATE_BYTES;
      store<u64>(to, load<u64>(list + <usize>e * CANDIDATE_BYTES));
      store<u32>(to, i, 8);
    } else {
      store<u32>(list + (<usize>kept << 2), i);
    }
    if (stays && !seen) {
      firstLo = lo;
      firstHi = hi;
      seen = true;
    }
    varyLo |= select<u64>(lo ^ firstLo, 0, stays);
    varyHi |= select<u64>(hi ^ firstHi, 0, stays);
    kept += <u32>stays;
  }
  storeSpan(out, firstLo, firstHi, varyLo, varyHi);
  return kept;
}

/** `keepDigit` over the plain pass's exact keys, read straight from the list. */
function keepKeys(haircuts: usize, list: usize, count: u32, pos: i32, digit: u32, taken: u32, out: usize): u32 {
  let kept: u32 = 0, first: u64 = 0, vary: u64 = 0;
  for (let e: u32 = 0; e < count; e++) {
    const entry = list + <usize>e * CANDIDATE_BYTES;
    const key = load<u64>(entry), i = load<u32>(entry, 8);
    const d = <u32>((key >> <u64>pos) & 0xFF);
    if (d >= taken) {
      const at = haircuts + (<usize>i << 3);
      store<u64>(at, load<u64>(at) + 1);
    } else if (d == digit) {
      const to = list + <usize>kept * CANDIDATE_BYTES;
      store<u64>(to, key);
      store<u32>(to, i, 8);
      if (kept == 0) first = key;
      vary |= key ^ first;
      kept++;
    }
  }
  storeSpan(out, first, 0, vary, 0);
  return kept;
}

/** A span at `out`: the first value (u128), then the OR of every value XOR it (u128). */
// @ts-ignore: decorator
@inline function storeSpan(out: usize, firstLo: u64, firstHi: u64, varyLo: u64, varyHi: u64): void {
  store<u64>(out, firstLo);
  store<u64>(out, firstHi, 8);
  store<u64>(out, varyLo, 16);
  store<u64>(out, varyHi, 24);
}

/** Phase helper `giveFirst` (book, list, keyed, need): one more unit to each of the first `need` listed accounts. */
export function giveFirst(book: usize, list: usize, keyed: bool, need: u32): void {
  const haircuts = haircutsOf(book);
  for (let e: u32 = 0; e < need; e++) {
    const at = haircuts + (<usize>indexAt(list, e, keyed) << 3);
    store<u64>(at, load<u64>(at) + 1);
  }
}
