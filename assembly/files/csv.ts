// Plain CSV records of an account file straight into its table: field boundaries found
// 16 bytes at a time (v128: the delimiter, LF, CR and the quote compared at once, the
// first set bit of the mask taken), the amount read to fixed point 8 digits at a time
// (SWAR), the identifier hashed and checked against the set. A record the kernel cannot
// read with no doubt is left to the wrapper's reader (src/files/csv.ts), which gives its
// row or its message: the kernel decides nothing the reader would decide otherwise.

import {
  ROLE_CAP, ROLE_EXEMPT, ROLE_ID, ROLE_LOT, ROLE_POOL, ROLE_PROFIT, ROLE_SCORE, ROLE_WEIGHT,
  INPUT_EXACT, INPUT_HALF_EVEN, INPUT_HALF_UP, INPUT_UP, SCAN_ROUNDING, SCAN_TALLIES,
  TALLY_CAP, TALLY_COUNT, TALLY_LOT, TALLY_PLACES, TALLY_PROFIT, TALLY_ROW_BYTES, TALLY_SCORE, TALLY_SUM_HIGH, TALLY_SUM_LOW, TALLY_WEIGHT,
  SCAN_DECIMALS, SCAN_DELIMITER, SCAN_FIELDS, SCAN_FULL, SCAN_INPUT, SCAN_LEAVE, SCAN_LENGTH, SCAN_MAX_RECORD, SCAN_POSITION,
  SCAN_ROLES, SCAN_ROW_LIMIT, SCAN_SCORE_DECIMALS, SCAN_SEPARATOR, SCAN_STATUS, SCAN_WAIT, SCAN_WEIGHT_DECIMALS, SET_SLOT_BYTES,
  TABLE_ARENA, TABLE_ARENA_SIZE, TABLE_ARENA_SLACK, TABLE_ARENA_USED, TABLE_CAPACITY, TABLE_CAPS, TABLE_ENDS, TABLE_EXEMPT,
  TABLE_LOTS, TABLE_POOL, TABLE_POOL_DECIMALS, TABLE_POOL_ENDS, TABLE_POOL_NAMES, TABLE_POOL_SET, TABLE_POOL_SLOTS, TABLE_PROFITS,
  TABLE_ROWS, TABLE_SCORES, TABLE_SET, TABLE_SET_SLOTS, TABLE_WEIGHTS,
} from '../layout';
import { hashBytes, insertHashed, probe } from './table';
import { amountRead, countKept, keepRoundings, readAmount, startRecord } from './amount';

const QUOTE: u32 = 0x22, LF: u32 = 0x0a, CR: u32 = 0x0d;


/** Records parsed before their identifiers go into the set: their slots are loaded together, so that the misses overlap. */
const BATCH: u32 = 32;
/**
 * Per record of a batch: the identifier's start, length and hash, the next record's start
 * (u32 each), then the profit, weight, cap, score and lot (i64 each), the pool (u32) and
 * exempt (u32), and the roundings its amounts took.
 */
const ENTRY: usize = 152;
const E_ID = 0, E_LENGTH = 4, E_HASH = 8, E_NEXT = 12, E_PROFIT = 16, E_WEIGHT = 24, E_CAP = 32, E_SCORE = 40, E_LOT = 48, E_POOL = 56, E_EXEMPT = 60;
/** Then its roundings, counted when it is taken (amount.ts's keepRoundings: a count, then up to 5 pairs). */
const E_ROUNDED = 64;
const PENDING: usize = memory.data(<i32>(BATCH * <u32>ENTRY), 8);
/** Each role's field in the record being parsed: start and end (u32 each), by ROLE_ code. */
const SPANS: usize = memory.data(16 * 8, 8);
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
  const rowLimit = load<u32>(scan, SCAN_ROW_LIMIT);
  const limit = min(rowLimit, load<u32>(table, TABLE_CAPACITY));
  const maxRecord = load<u32>(scan, SCAN_MAX_RECORD);
  const arena = <usize>load<u32>(table, TABLE_ARENA);
  const arenaSize = <u64>load<u32>(table, TABLE_ARENA_SIZE);
  const ends = <usize>load<u32>(table, TABLE_ENDS);
  const profits = <usize>load<u32>(table, TABLE_PROFITS);
  const pools = <usize>load<u32>(table, TABLE_POOL);
  const exempt = <usize>load<u32>(table, TABLE_EXEMPT);
  const weights = <usize>load<u32>(table, TABLE_WEIGHTS);
  const caps = <usize>load<u32>(table, TABLE_CAPS);
  const scores = <usize>load<u32>(table, TABLE_SCORES);
  const lots = <usize>load<u32>(table, TABLE_LOTS);
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
      const entry = PENDING + <usize>count * ENTRY;
      const next = parseRecord(p, end, scan);
      if (next == 0) {
        status = recordStatus;
        break;
      }
      if (<u32>(next - p) > maxRecord || !readValues(table, scan, entry)) {
        status = SCAN_LEAVE;
        break;
      }
      const length = load<u32>(entry, E_LENGTH);
      if (<u64>used + bytes + length + TABLE_ARENA_SLACK > arenaSize) {
        status = SCAN_FULL;
        break;
      }
      bytes += length;
      store<u32>(entry, hashBytes(<usize>load<u32>(entry, E_ID), length), E_HASH);
      store<u32>(entry, <u32>next, E_NEXT);
      count++;
      p = next;
    }
    // Load every slot the batch will probe first: independent loads, whose misses overlap.
    let seen: u32 = 0;
    for (let i: u32 = 0; i < count; i++) seen ^= load<u32>(set + <usize>(load<u32>(PENDING + <usize>i * ENTRY, E_HASH) & mask) * SET_SLOT_BYTES);
    touched ^= seen;
    for (let i: u32 = 0; i < count; i++) {
      const entry = PENDING + <usize>i * ENTRY;
      const length = load<u32>(entry, E_LENGTH);
      copyShort(arena + used, <usize>load<u32>(entry, E_ID), length);
      if (insertHashed(table, arena, ends, arena + used, length, row, load<u32>(entry, E_HASH)) >= 0) {
        // A repeated identifier: the wrapper's reader names both lines.
        status = SCAN_LEAVE;
        break;
      }
      used += length;
      const r = <usize>row;
      store<u32>(ends + (r << 2), used);
      store<i64>(profits + (r << 3), load<i64>(entry, E_PROFIT));
      countKept(entry + E_ROUNDED);
      if (pools != 0) store<u32>(pools + (r << 2), load<u32>(entry, E_POOL));
      if (exempt != 0) store<u8>(exempt + r, <u8>load<u32>(entry, E_EXEMPT));
      if (weights != 0) store<i64>(weights + (r << 3), load<i64>(entry, E_WEIGHT));
      if (caps != 0) store<i64>(caps + (r << 3), load<i64>(entry, E_CAP));
      if (scores != 0) store<i64>(scores + (r << 3), load<i64>(entry, E_SCORE));
      if (lots != 0) store<i64>(lots + (r << 3), load<i64>(entry, E_LOT));
      row++;
      pos = <usize>load<u32>(entry, E_NEXT);
    }
  }
  store<u32>(table, used, TABLE_ARENA_USED);
  store<u32>(table, row, TABLE_ROWS);
  store<u32>(scan, <u32>(pos - input), SCAN_POSITION);
  store<u32>(scan, status, SCAN_STATUS);
}

/**
 * Copies `length` bytes from `from` to `to`: a short identifier as two 8-byte words (the
 * input and the arena keep 16 bytes readable and writable past it), a longer one by memory.copy.
 */
// @ts-ignore: decorator
@inline function copyShort(to: usize, from: usize, length: u32): void {
  if (length <= 16) {
    store<u64>(to, load<u64>(from));
    store<u64>(to, load<u64>(from, 8), 8);
  } else {
    memory.copy(to, from, length);
  }
}

/** Why `parseRecord` stopped. */
export let recordStatus: u32 = 0;

/**
 * Splits the record at `p` into fields, noting each role's field in SPANS: returns where
 * the next record starts, or 0 when the record is not complete before `end` (recordStatus
 * SCAN_WAIT) or is one to leave to the wrapper (SCAN_LEAVE: a quote, a stray CR, another
 * field count).
 */
// @ts-ignore: decorator
@inline export function parseRecord(p: usize, end: usize, scan: usize): usize {
  const delimiter = load<u32>(scan, SCAN_DELIMITER);
  const fields = load<u32>(scan, SCAN_FIELDS);
  const roles = <usize>load<u32>(scan, SCAN_ROLES);
  for (let f: u32 = 0; f < fields; f++) {
    const start = p;
    const q = ASC_FEATURE_SIMD ? nextStopSimd(p, end, delimiter) : nextStop(p, end, delimiter);
    if (q >= end) return stop(SCAN_WAIT);
    const c = <u32>load<u8>(q);
    if (c == QUOTE) return stop(SCAN_LEAVE);
    const role = <usize>load<u8>(roles + f);
    store<u32>(SPANS + (role << 3), <u32>start);
    store<u32>(SPANS + (role << 3), <u32>q, 4);
    if (f + 1 < fields) {
      // Not the last field: a line break here is a record with too few fields.
      if (c != delimiter) return stop(SCAN_LEAVE);
      p = q + 1;
      continue;
    }
    if (c == LF) return q + 1;
    if (c == CR) {
      if (q + 1 >= end) return stop(SCAN_WAIT);
      if (<u32>load<u8>(q + 1) != LF) return stop(SCAN_LEAVE);
      return q + 2;
    }
    // A delimiter after the last field: more fields than the header.
    return stop(SCAN_LEAVE);
  }
  return stop(SCAN_LEAVE);
}

/** Says why `parseRecord` stopped; returns 0. */
// @ts-ignore: decorator
@inline function stop(status: u32): usize {
  recordStatus = status;
  return 0;
}

/** Role `role`'s field start and end, as SPANS holds them. */
// @ts-ignore: decorator
@inline export function spanStart(role: u8): usize {
  return <usize>load<u32>(SPANS + (<usize>role << 3));
}
// @ts-ignore: decorator
@inline export function spanEnd(role: u8): usize {
  return <usize>load<u32>(SPANS + (<usize>role << 3), 4);
}

/**
 * Reads the parsed record's values into the batch entry as the wrapper's reader would
 * (`AccountRows.row`); false when one of them is for the wrapper to read or refuse: an
 * empty identifier, an unknown pool, an amount `readAmount` does not read, a negative
 * weight or cap, a lot not above 0, a flag it does not know.
 */
function readValues(table: usize, scan: usize, entry: usize): bool {
  const separator = load<u32>(scan, SCAN_SEPARATOR);
  const rounding = load<u32>(scan, SCAN_ROUNDING);
  startRecord();
  const first = spanStart(ROLE_ID), last = spanEnd(ROLE_ID);
  if (last == first) return false;
  store<u32>(entry, <u32>first, E_ID);
  store<u32>(entry, <u32>(last - first), E_LENGTH);
  let decimals = load<u32>(scan, SCAN_DECIMALS);
  if (load<u32>(table, TABLE_POOL) != 0) {
    const pool = findPool(table, spanStart(ROLE_POOL), spanEnd(ROLE_POOL));
    if (pool < 0) return false;
    store<u32>(entry, <u32>pool, E_POOL);
    decimals = load<u32>(<usize>load<u32>(table, TABLE_POOL_DECIMALS) + (<usize>pool << 2));
  }
  const profit = readAmount(spanStart(ROLE_PROFIT), spanEnd(ROLE_PROFIT), separator, decimals, rounding, tallyOf(scan, TALLY_PROFIT));
  if (!amountRead) return false;
  store<i64>(entry, profit, E_PROFIT);
  if (load<u32>(table, TABLE_EXEMPT) != 0) {
    const flag = flagOf(spanStart(ROLE_EXEMPT), spanEnd(ROLE_EXEMPT));
    if (flag < 0) return false;
    store<u32>(entry, <u32>flag, E_EXEMPT);
  }
  if (load<u32>(table, TABLE_WEIGHTS) != 0) {
    const weight = readAmount(spanStart(ROLE_WEIGHT), spanEnd(ROLE_WEIGHT), separator, load<u32>(scan, SCAN_WEIGHT_DECIMALS), rounding, tallyOf(scan, TALLY_WEIGHT));
    if (!amountRead || weight < 0) return false;
    store<i64>(entry, weight, E_WEIGHT);
  }
  if (load<u32>(table, TABLE_CAPS) != 0) {
    // An empty cap is the account's profit (0 when not positive).
    const start = spanStart(ROLE_CAP), end = spanEnd(ROLE_CAP);
    let cap: i64 = profit < 0 ? 0 : profit;
    if (end != start) {
      cap = readAmount(start, end, separator, decimals, rounding, tallyOf(scan, TALLY_CAP));
      if (!amountRead || cap < 0) return false;
    }
    store<i64>(entry, cap, E_CAP);
  }
  if (load<u32>(table, TABLE_SCORES) != 0) {
    const score = readAmount(spanStart(ROLE_SCORE), spanEnd(ROLE_SCORE), separator, load<u32>(scan, SCAN_SCORE_DECIMALS), rounding, tallyOf(scan, TALLY_SCORE));
    if (!amountRead) return false;
    store<i64>(entry, score, E_SCORE);
  }
  if (load<u32>(table, TABLE_LOTS) != 0) {
    // An empty lot is one unit.
    const start = spanStart(ROLE_LOT), end = spanEnd(ROLE_LOT);
    let lot: i64 = 1;
    if (end != start) {
      lot = readAmount(start, end, separator, decimals, rounding, tallyOf(scan, TALLY_LOT));
      if (!amountRead || lot <= 0) return false;
    }
    store<i64>(entry, lot, E_LOT);
  }
  keepRoundings(entry + E_ROUNDED);
  return true;
}

/** Where column `column`'s tally rows are (a TALLY_ column). */
// @ts-ignore: decorator
@inline function tallyOf(scan: usize, column: u32): usize {
  return <usize>load<u32>(scan, SCAN_TALLIES) + <usize>column * TALLY_PLACES * TALLY_ROW_BYTES;
}

/** The pool named by bytes [start, end), or −1 when no known pool is (or the name is empty). */
function findPool(table: usize, start: usize, end: usize): i32 {
  const length = <u32>(end - start);
  if (length == 0) return -1;
  const found = probe(
    <usize>load<u32>(table, TABLE_POOL_SET), load<u32>(table, TABLE_POOL_SLOTS) - 1, <usize>load<u32>(table, TABLE_POOL_NAMES),
    <usize>load<u32>(table, TABLE_POOL_ENDS), start, length, hashBytes(start, length),
  );
  return found >= 0 ? found : -1;
}

/** 1 for 1, true, yes, y; 0 for 0, false, no, n or empty (ASCII letters in any case); −1 for anything else. */
function flagOf(start: usize, end: usize): i32 {
  const length = <u32>(end - start);
  if (length == 0) return 0;
  if (length > 5) return -1;
  // The bytes in one word, letters in lower case (a byte that is no letter keeps a bit that matches no word).
  let word: u64 = 0;
  for (let i: u32 = 0; i < length; i++) {
    let b = <u64>load<u8>(start + i);
    if (b >= 0x41 && b <= 0x5a) b |= 0x20;
    word |= b << (<u64>i << 3);
  }
  if (length == 1) return word == 0x31 || word == 0x79 ? 1 : word == 0x30 || word == 0x6e ? 0 : -1; // 1 y, 0 n
  if (length == 2) return word == 0x6f6e ? 0 : -1; // no
  if (length == 3) return word == 0x736579 ? 1 : -1; // yes
  if (length == 4) return word == 0x65757274 ? 1 : -1; // true
  return word == 0x65736c6166 ? 0 : -1; // false
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
