// Amounts read to fixed point in the core, as the wrapper's reader reads them (src/amount.ts):
// digits eight at a time (SWAR), more fraction digits than the scale rounded by an
// input-rounding rule with each rounding kept until its record is taken. Anything else is
// left to the wrapper's reader, which reads it or says why not.

import {
  INPUT_EXACT, INPUT_HALF_EVEN, INPUT_HALF_UP, INPUT_UP, TALLY_COUNT, TALLY_ROW_BYTES, TALLY_SUM_HIGH, TALLY_SUM_LOW,
} from '../layout';

const MINUS: u32 = 0x2d, ZERO: u32 = 0x30;

/** Set by `readAmount`: whether it read the amount (else the wrapper's reader reads it). */
export let amountRead: bool = false;

/**
 * The amount in bytes [start, end) as units at `decimals` fraction digits, when it is an
 * optional "-", one or more digits, and optionally the separator with at least one digit,
 * at most 18 digits in all after scaling and at most 18 fraction digits: more fraction
 * digits than `decimals` only under a rounding rule (`rounding`, a ROUNDING_ code, on the
 * magnitude as the reader's: `down` toward zero, `up` away, halves by the rule), each
 * rounding counted in `tally` (the column's TALLY_PLACES rows, one per fraction-digit
 * count: values rounded and Σ |adjustment| at that many fraction digits, 128-bit). Sets
 * `amountRead` false for anything else (the wrapper's reader then reads it, or words why not).
 */
export function readAmount(start: usize, end: usize, separator: u32, decimals: u32, rounding: u32, tally: usize): i64 {
  amountRead = false;
  let p = start;
  const negative = p < end && <u32>load<u8>(p) == MINUS;
  if (negative) p++;
  const wholeStart = p;
  digitRun(p, end);
  const whole = runValue;
  const wholeDigits = <u32>(runEnd - wholeStart);
  if (wholeDigits == 0 || wholeDigits + decimals > 18) return 0;
  p = runEnd;
  let fractionDigits: u32 = 0;
  let fraction: u64 = 0;
  if (p < end) {
    if (<u32>load<u8>(p) != separator) return 0;
    digitRun(p + 1, end);
    fractionDigits = <u32>(runEnd - p - 1);
    if (fractionDigits == 0 || runEnd != end || fractionDigits > 18) return 0;
    fraction = runValue;
  }
  let units: u64;
  if (fractionDigits <= decimals) {
    units = whole * power(decimals) + fraction * power(decimals - fractionDigits);
  } else {
    if (rounding == INPUT_EXACT) return 0;
    // The digits past the scale: k of them, their value the remainder r of 10^k.
    const k = fractionDigits - decimals;
    const scale = power(k);
    const kept = fraction / scale;
    const r = fraction - kept * scale;
    units = whole * power(decimals) + kept;
    if (r != 0) {
      const twice = r << 1; // below 2 · 10^18: no overflow
      const up = rounding == INPUT_UP ||
        (rounding == INPUT_HALF_UP && twice >= scale) ||
        (rounding == INPUT_HALF_EVEN && (twice > scale || (twice == scale && (units & 1) == 1)));
      const adjustment = up ? scale - r : r;
      if (up) units++;
      // Counted once the record is taken (a record left to the wrapper is counted by its reader).
      const at = ROUNDED + <usize>roundedCount * 16;
      store<u64>(at, tally + <usize>fractionDigits * TALLY_ROW_BYTES);
      store<u64>(at, adjustment, 8);
      roundedCount++;
    }
  }
  amountRead = true;
  return negative ? -<i64>units : <i64>units;
}

/** The roundings of the record being read, not counted yet: (tally row, |adjustment|) pairs, one per amount column at most. */
const ROUNDED: usize = memory.data(16 * 8, 8);
let roundedCount: u32 = 0;

/** Forgets the roundings kept for the last record: a new record is read. */
export function startRecord(): void {
  roundedCount = 0;
}

/** Keeps the record's roundings at `at`: their count (u32), then 8 bytes on, the pairs. */
export function keepRoundings(at: usize): void {
  store<u32>(at, roundedCount);
  memory.copy(at + 8, ROUNDED, <usize>roundedCount * 16);
}

/** Counts the roundings `keepRoundings` kept at `at` in their tally rows. */
export function countKept(at: usize): void {
  countRoundings(at + 8, load<u32>(at));
}

/** Counts `count` roundings kept at `from` (pairs as ROUNDED holds them) in their tally rows. */
function countRoundings(from: usize, count: u32): void {
  for (let i: u32 = 0; i < count; i++) {
    const row = <usize>load<u64>(from + <usize>i * 16);
    const adjustment = load<u64>(from + <usize>i * 16, 8);
    store<u64>(row, load<u64>(row, TALLY_COUNT) + 1, TALLY_COUNT);
    const low = load<u64>(row, TALLY_SUM_LOW) + adjustment;
    store<u64>(row, low, TALLY_SUM_LOW);
    if (low < adjustment) store<u64>(row, load<u64>(row, TALLY_SUM_HIGH) + 1, TALLY_SUM_HIGH);
  }
}

/** What `digitRun` found: the run's value and where it ends (globals: the core never allocates). */
let runValue: u64 = 0;
let runEnd: usize = 0;

/**
 * The run of ASCII digits from `p` (at most 19 are summed: a longer run is refused by its
 * length anyway): its value and where it ends. Eight digits a step when eight are there
 * (SWAR: each byte minus '0' checked below 10 at once, then paired into a number).
 */
function digitRun(p: usize, end: usize): void {
  let value: u64 = 0;
  while (p + 8 <= end) {
    const word = load<u64>(p);
    // Every byte '0'–'9': its high nibble is 3, and still 3 after adding 6.
    if (((word & 0xf0f0f0f0f0f0f0f0) | (((word + 0x0606060606060606) & 0xf0f0f0f0f0f0f0f0) >> 4)) != 0x3333333333333333) break;
    const digits = word - 0x3030303030303030;
    if (value > 99_999_999_999) break; // past 19 digits: stop summing (the length refuses it)
    value = value * 100_000_000 + eightDigits(digits);
    p += 8;
  }
  while (p < end) {
    const d = <u32>load<u8>(p) - ZERO;
    if (d > 9) break;
    if (value < 1_000_000_000_000_000_000) value = value * 10 + d;
    p++;
  }
  runValue = value;
  runEnd = p;
}

/** Eight digits (bytes 0–9, the first digit in the lowest byte) as a number. */
// @ts-ignore: decorator
@inline function eightDigits(digits: u64): u64 {
  let v = digits;
  v = (v * 10 + (v >> 8)) & 0x00ff00ff00ff00ff;
  v = (v * 100 + (v >> 16)) & 0x0000ffff0000ffff;
  v = (v * 10000 + (v >> 32)) & 0x00000000ffffffff;
  return v;
}

/** 10^k for k = 0 … 18. */
const POWERS: usize = memory.data<u64>([
  1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
  100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
  10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
]);

/** 10^k, k from 0 to 18. */
// @ts-ignore: decorator
@inline export function power(k: u32): u64 {
  return load<u64>(POWERS + (<usize>k << 3));
}
