// Plain CSV records of an account file straight into its table: field boundaries found
// 16 bytes at a time (v128: the delimiter, LF, CR and the quote compared at once, the
// first set bit of the mask taken), the amount read to fixed point 8 digits at a time
// (SWAR), the identifier hashed and checked against the set. A record the kernel cannot
// read with no doubt is left to the wrapper's reader (src/files/csv.ts), which gives its
// row or its message: the kernel decides nothing the reader would decide otherwise.

import {
  SCAN_AMOUNT_FIELD, SCAN_DECIMALS, SCAN_DELIMITER, SCAN_FIELDS, SCAN_FULL, SCAN_ID_FIELD, SCAN_INPUT, SCAN_LEAVE,
  SCAN_LENGTH, SCAN_MAX_RECORD, SCAN_POSITION, SCAN_ROW_LIMIT, SCAN_SEPARATOR, SCAN_STATUS, SCAN_WAIT,
  TABLE_ARENA, TABLE_ARENA_SIZE, TABLE_ARENA_SLACK, TABLE_ARENA_USED, TABLE_CAPACITY, TABLE_ENDS, TABLE_PROFITS, TABLE_ROWS,
  TABLE_SET, TABLE_SET_SLOTS, SET_SLOT_BYTES,
} from '../layout';
import { hashBytes, insertHashed } from './table';

const QUOTE: u32 = 0x22, LF: u32 = 0x0a, CR: u32 = 0x0d, MINUS: u32 = 0x2d, ZERO: u32 = 0x30;

/** Set by `readAmount`: whether it read the amount (else the wrapper's reader reads it). */
let amountRead: bool = false;

/** Records parsed before their identifiers go into the set: their slots are loaded together, so that the misses overlap. */
const BATCH: u32 = 32;
/** Per record of a batch: the identifier's start, length and hash, the next record's start (u32 each), the amount (i64). */
const ENTRY: usize = 24;
const PENDING: usize = memory.data(<i32>(BATCH * <u32>ENTRY), 8);
/** What the batch's touching loads read (kept, so that they are not optimized away). */
let touched: u32 = 0;
/** No stop yet: the batch filled. */
const GOING: u32 = 0xffffffff;

/**
 * Takes plain records of the input from SCAN_POSITION into the table until one it leaves
 * to the wrapper (SCAN_LEAVE), the table needs room (SCAN_FULL), or the complete records
 * end (SCAN_WAIT); SCAN_POSITION then says where that record starts. Each record taken
 * is one line. Records go a batch at a time: parsed and hashed, their set slots loaded
 * together, then inserted in order.
 */
export function scanCsv(table: usize, scan: usize): void {
  const input = <usize>load<u32>(scan, SCAN_INPUT);
  const end = input + load<u32>(scan, SCAN_LENGTH);
  const delimiter = load<u32>(scan, SCAN_DELIMITER);
  const separator = load<u32>(scan, SCAN_SEPARATOR);
  const fields = load<u32>(scan, SCAN_FIELDS);
  const idField = load<u32>(scan, SCAN_ID_FIELD);
  const amountField = load<u32>(scan, SCAN_AMOUNT_FIELD);
  const decimals = load<u32>(scan, SCAN_DECIMALS);
  const rowLimit = load<u32>(scan, SCAN_ROW_LIMIT);
  const limit = min(rowLimit, load<u32>(table, TABLE_CAPACITY));
  const maxRecord = load<u32>(scan, SCAN_MAX_RECORD);
  const arena = <usize>load<u32>(table, TABLE_ARENA);
  const arenaSize = <u64>load<u32>(table, TABLE_ARENA_SIZE);
  const ends = <usize>load<u32>(table, TABLE_ENDS);
  const profits = <usize>load<u32>(table, TABLE_PROFITS);
  const set = <usize>load<u32>(table, TABLE_SET);
  const mask = load<u32>(table, TABLE_SET_SLOTS) - 1;
  // The set stays at most three quarters full.
  const setRoom = ((mask + 1) >> 2) * 3;
  let used = load<u32>(table, TABLE_ARENA_USED);
  let row = load<u32>(table, TABLE_ROWS);
  let pos = input + load<u32>(scan, SCAN_POSITION);
  let status = GOING;
  while (status == GOING) {
    // Parse and hash up to BATCH records.
    let count: u32 = 0;
    let bytes: u64 = 0;
    let p = pos;
    while (count < BATCH) {
      if (p >= end) {
        status = SCAN_WAIT;
        break;
      }
      const rows = row + count;
      if (rows >= limit || rows + 1 > setRoom) {
        status = rows >= rowLimit ? SCAN_LEAVE : SCAN_FULL;
        break;
      }
      const next = parseRecord(p, end, delimiter, separator, fields, idField, amountField, decimals);
      if (next == 0) {
        status = recordStatus;
        break;
      }
      if (<u32>(next - p) > maxRecord) {
        status = SCAN_LEAVE;
        break;
      }
      const length = <u32>(recordIdEnd - recordIdStart);
      if (<u64>used + bytes + length + TABLE_ARENA_SLACK > arenaSize) {
        status = SCAN_FULL;
        break;
      }
      bytes += length;
      const entry = PENDING + <usize>count * ENTRY;
      store<u32>(entry, <u32>recordIdStart);
      store<u32>(entry, length, 4);
      store<u32>(entry, hashBytes(recordIdStart, length), 8);
      store<u32>(entry, <u32>next, 12);
      store<i64>(entry, recordValue, 16);
      count++;
      p = next;
    }
    // Load every slot the batch will probe first: independent loads, whose misses overlap.
    let seen: u32 = 0;
    for (let i: u32 = 0; i < count; i++) seen ^= load<u32>(set + <usize>(load<u32>(PENDING + <usize>i * ENTRY, 8) & mask) * SET_SLOT_BYTES);
    touched ^= seen;
    for (let i: u32 = 0; i < count; i++) {
      const entry = PENDING + <usize>i * ENTRY;
      const length = load<u32>(entry, 4);
      memory.copy(arena + used, <usize>load<u32>(entry), length);
      if (insertHashed(table, arena, ends, arena + used, length, row, load<u32>(entry, 8)) >= 0) {
        // A repeated identifier: the wrapper's reader names both lines.
        status = SCAN_LEAVE;
        break;
      }
      used += length;
      store<u32>(ends + (<usize>row << 2), used);
      store<i64>(profits + (<usize>row << 3), load<i64>(entry, 16));
      row++;
      pos = <usize>load<u32>(entry, 12);
    }
  }
  store<u32>(table, used, TABLE_ARENA_USED);
  store<u32>(table, row, TABLE_ROWS);
  store<u32>(scan, <u32>(pos - input), SCAN_POSITION);
  store<u32>(scan, status, SCAN_STATUS);
}

/** What `parseRecord` found: the identifier's bytes and the amount, or why it stopped. */
let recordIdStart: usize = 0;
let recordIdEnd: usize = 0;
let recordValue: i64 = 0;
let recordStatus: u32 = 0;

/**
 * Parses the record at `p`: returns where the next one starts, or 0 when the record is
 * not complete before `end` (recordStatus SCAN_WAIT) or is one to leave to the wrapper
 * (SCAN_LEAVE: a quote, a stray CR, another field count, an empty identifier, an amount
 * `readAmount` does not read).
 */
// @ts-ignore: decorator
@inline function parseRecord(
  p: usize, end: usize, delimiter: u32, separator: u32, fields: u32, idField: u32, amountField: u32, decimals: u32,
): usize {
  for (let f: u32 = 0; f < fields; f++) {
    const start = p;
    const q = ASC_FEATURE_SIMD ? nextStopSimd(p, end, delimiter) : nextStop(p, end, delimiter);
    if (q >= end) return stop(SCAN_WAIT);
    const c = <u32>load<u8>(q);
    if (c == QUOTE) return stop(SCAN_LEAVE);
    let next: usize = 0;
    if (f + 1 < fields) {
      // Not the last field: a line break here is a record with too few fields.
      if (c != delimiter) return stop(SCAN_LEAVE);
    } else if (c == LF) {
      next = q + 1;
    } else if (c == CR) {
      if (q + 1 >= end) return stop(SCAN_WAIT);
      if (<u32>load<u8>(q + 1) != LF) return stop(SCAN_LEAVE);
      next = q + 2;
    } else {
      // A delimiter after the last field: more fields than the header.
      return stop(SCAN_LEAVE);
    }
    if (f == idField) {
      if (q == start) return stop(SCAN_LEAVE);
      recordIdStart = start;
      recordIdEnd = q;
    }
    if (f == amountField) {
      recordValue = readAmount(start, q, separator, decimals);
      if (!amountRead) return stop(SCAN_LEAVE);
    }
    if (next != 0) return next;
    p = q + 1;
  }
  return stop(SCAN_LEAVE);
}

/** Says why `parseRecord` stopped; returns 0. */
// @ts-ignore: decorator
@inline function stop(status: u32): usize {
  recordStatus = status;
  return 0;
}

/** The first of the delimiter, LF, CR or a quote at or after `p` (`end` or past it when none before `end`), a byte at a time. */
// @ts-ignore: decorator
@inline function nextStop(p: usize, end: usize, delimiter: u32): usize {
  while (p < end) {
    const c = <u32>load<u8>(p);
    if (c == delimiter || c == LF || c == CR || c == QUOTE) return p;
    p++;
  }
  return end;
}

/** As `nextStop`, 16 bytes at a time (the input keeps SCAN_INPUT_SLACK readable bytes past its end). */
// @ts-ignore: decorator
@inline function nextStopSimd(p: usize, end: usize, delimiter: u32): usize {
  const delimiters = i8x16.splat(<i8>delimiter);
  const lf = i8x16.splat(<i8>LF), cr = i8x16.splat(<i8>CR), quote = i8x16.splat(<i8>QUOTE);
  while (p < end) {
    const v = v128.load(p);
    const hit = v128.or(v128.or(i8x16.eq(v, delimiters), i8x16.eq(v, lf)), v128.or(i8x16.eq(v, cr), i8x16.eq(v, quote)));
    const mask = i8x16.bitmask(hit);
    if (mask != 0) return p + ctz(mask);
    p += 16;
  }
  return end;
}

/**
 * The amount in bytes [start, end) as units at `decimals` fraction digits, when it is an
 * optional "-", one or more digits, and optionally the separator with 1 to `decimals`
 * digits, at most 18 digits in all after scaling (so that it fits with no check); sets
 * `amountRead` false for anything else (the wrapper's reader then reads it, or words why not).
 */
function readAmount(start: usize, end: usize, separator: u32, decimals: u32): i64 {
  amountRead = false;
  let p = start;
  const negative = p < end && <u32>load<u8>(p) == MINUS;
  if (negative) p++;
  const wholeStart = p;
  digitRun(p, end);
  const whole = runValue;
  const wholeDigits = <u32>(runEnd - wholeStart);
  if (wholeDigits == 0) return 0;
  p = runEnd;
  let fractionDigits: u32 = 0;
  let fraction: u64 = 0;
  if (p < end) {
    if (<u32>load<u8>(p) != separator) return 0;
    digitRun(p + 1, end);
    fractionDigits = <u32>(runEnd - p - 1);
    if (fractionDigits == 0 || runEnd != end || fractionDigits > decimals) return 0;
    fraction = runValue;
  }
  if (wholeDigits + decimals > 18) return 0;
  const units = whole * power(decimals) + fraction * power(decimals - fractionDigits);
  amountRead = true;
  return negative ? -<i64>units : <i64>units;
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
