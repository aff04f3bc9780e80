// The haircuts file's rows formatted from a table in the core: `account[,pool],profit,haircut,
// profit_after` (the identifier and the pool's name quoted, quotes doubled, when it holds a comma, quote or line
// break; amounts with exactly the decimals given). The wrapper (src/files/table.ts) hands
// the bytes to its sink and writes by itself any row the kernel stops before.

import {
  ROWS_AMOUNT_BYTES, ROWS_BASE, ROWS_DECIMALS, ROWS_FROM, ROWS_HAIRCUTS, ROWS_OUT, ROWS_OUT_SIZE, ROWS_OUT_USED, ROWS_POOLED, ROWS_TO,
  TABLE_ARENA, TABLE_ENDS, TABLE_POOL, TABLE_POOL_DECIMALS, TABLE_POOL_ENDS, TABLE_POOL_NAMES, TABLE_PROFITS,
} from '../layout';
import { idStart } from './table';

const COMMA: u8 = 0x2c, QUOTE: u8 = 0x22, LF: u8 = 0x0a, CR: u8 = 0x0d, POINT: u8 = 0x2e, MINUS: u8 = 0x2d, ZERO: u8 = 0x30;

/**
 * Writes rows ROWS_FROM … ROWS_TO − 1 while they fit in the output (each row's room: twice
 * its identifier and pool name, their quotes, 3 amounts, the separators). Stops early, at ROWS_FROM, before a
 * row whose profit minus haircut leaves the 64-bit range (never for a split's haircuts; the
 * wrapper writes such a row exactly).
 */
export function formatRows(table: usize, rows: usize): void {
  const arena = <usize>load<u32>(table, TABLE_ARENA);
  const ends = <usize>load<u32>(table, TABLE_ENDS);
  const profits = <usize>load<u32>(table, TABLE_PROFITS);
  const haircuts = <usize>load<u32>(rows, ROWS_HAIRCUTS) - (<usize>load<u32>(rows, ROWS_BASE) << 3);
  const to = load<u32>(rows, ROWS_TO);
  const out = <usize>load<u32>(rows, ROWS_OUT);
  const size = <usize>load<u32>(rows, ROWS_OUT_SIZE);
  const pooled = load<u32>(rows, ROWS_POOLED) != 0;
  const pools = <usize>load<u32>(table, TABLE_POOL);
  const names = <usize>load<u32>(table, TABLE_POOL_NAMES);
  const nameEnds = <usize>load<u32>(table, TABLE_POOL_ENDS);
  const poolDecimals = <usize>load<u32>(table, TABLE_POOL_DECIMALS);
  let decimals = load<u32>(rows, ROWS_DECIMALS);
  let row = load<u32>(rows, ROWS_FROM);
  let at = out;
  while (row < to) {
    const start = idStart(ends, row);
    const length = load<u32>(ends + (<usize>row << 2)) - start;
    let room = 2 * <usize>length + 2 + 3 * <usize>ROWS_AMOUNT_BYTES + 4;
    let pool: u32 = 0, nameStart: u32 = 0, nameLength: u32 = 0;
    if (pooled) {
      pool = load<u32>(pools + (<usize>row << 2));
      nameStart = idStart(nameEnds, pool);
      nameLength = load<u32>(nameEnds + (<usize>pool << 2)) - nameStart;
      room += 2 * <usize>nameLength + 3;
      decimals = load<u32>(poolDecimals + (<usize>pool << 2));
    }
    if (at - out + room > size) break;
    const profit = load<i64>(profits + (<usize>row << 3));
    const haircut = load<i64>(haircuts + (<usize>row << 3));
    const after = profit - haircut;
    if (((profit ^ haircut) & (profit ^ after)) < 0) break;
    at = writeId(at, arena + start, length);
    store<u8>(at++, COMMA);
    if (pooled) {
      at = writeId(at, names + nameStart, nameLength);
      store<u8>(at++, COMMA);
    }
    at = writeAmount(at, profit, decimals);
    store<u8>(at++, COMMA);
    at = writeAmount(at, haircut, decimals);
    store<u8>(at++, COMMA);
    at = writeAmount(at, after, decimals);
    store<u8>(at++, LF);
    row++;
  }
  store<u32>(rows, row, ROWS_FROM);
  store<u32>(rows, <u32>(at - out), ROWS_OUT_USED);
}

/** Writes the `length` bytes at `id` (an identifier, a pool's name) as a CSV field at `at`; returns the position after it. */
function writeId(at: usize, id: usize, length: u32): usize {
  if (length <= 16) {
    // 16 bytes readable past the name and writable past `at` (the arenas' slack, the row's room):
    // checked and copied as one vector or two words.
    let plain = true;
    if (ASC_FEATURE_SIMD) {
      const v = v128.load(id);
      const hit = v128.or(v128.or(i8x16.eq(v, i8x16.splat(COMMA)), i8x16.eq(v, i8x16.splat(QUOTE))),
        v128.or(i8x16.eq(v, i8x16.splat(LF)), i8x16.eq(v, i8x16.splat(CR))));
      plain = (i8x16.bitmask(hit) & ((1 << length) - 1)) == 0;
    } else {
      plain = isPlain(id, length);
    }
    if (plain) {
      store<u64>(at, load<u64>(id));
      store<u64>(at, load<u64>(id, 8), 8);
      return at + length;
    }
  } else if (isPlain(id, length)) {
    memory.copy(at, id, length);
    return at + length;
  }
  store<u8>(at++, QUOTE);
  for (let i: u32 = 0; i < length; i++) {
    const b = load<u8>(id + i);
    if (b == QUOTE) store<u8>(at++, QUOTE);
    store<u8>(at++, b);
  }
  store<u8>(at++, QUOTE);
  return at;
}

/** Scratch for one amount's digits, written from its end backwards (the core never allocates). */
const DIGITS: usize = memory.data(32);
const DIGITS_END: usize = DIGITS + 32;

/** "00" to "99": two digits per table entry, so that each division by 100 gives two of them. */
const PAIRS: usize = memory.data<u8>([
  48, 48, 48, 49, 48, 50, 48, 51, 48, 52, 48, 53, 48, 54, 48, 55, 48, 56, 48, 57, 49, 48, 49, 49, 49, 50, 49, 51, 49, 52, 49, 53, 49, 54,
  49, 55, 49, 56, 49, 57, 50, 48, 50, 49, 50, 50, 50, 51, 50, 52, 50, 53, 50, 54, 50, 55, 50, 56, 50, 57, 51, 48, 51, 49, 51, 50, 51, 51,
  51, 52, 51, 53, 51, 54, 51, 55, 51, 56, 51, 57, 52, 48, 52, 49, 52, 50, 52, 51, 52, 52, 52, 53, 52, 54, 52, 55, 52, 56, 52, 57, 53, 48,
  53, 49, 53, 50, 53, 51, 53, 52, 53, 53, 53, 54, 53, 55, 53, 56, 53, 57, 54, 48, 54, 49, 54, 50, 54, 51, 54, 52, 54, 53, 54, 54, 54, 55,
  54, 56, 54, 57, 55, 48, 55, 49, 55, 50, 55, 51, 55, 52, 55, 53, 55, 54, 55, 55, 55, 56, 55, 57, 56, 48, 56, 49, 56, 50, 56, 51, 56, 52,
  56, 53, 56, 54, 56, 55, 56, 56, 56, 57, 57, 48, 57, 49, 57, 50, 57, 51, 57, 52, 57, 53, 57, 54, 57, 55, 57, 56, 57, 57,
]);

/** Writes the two digits of `pair` (0–99) just before `p`; returns where they start. */
// @ts-ignore: decorator
@inline function pairBefore(p: usize, pair: u32): usize {
  store<u16>(p - 2, load<u16>(PAIRS + (<usize>pair << 1)));
  return p - 2;
}

/** Whether none of the `length` bytes at `id` is a comma, quote or line break (the field needs no quotes). */
function isPlain(id: usize, length: u32): bool {
  for (let i: u32 = 0; i < length; i++) {
    const b = load<u8>(id + i);
    if (b == COMMA || b == QUOTE || b == LF || b == CR) return false;
  }
  return true;
}

/**
 * Writes `value` units with exactly `decimals` fraction digits (at least one whole digit,
 * no point when `decimals` is 0, a minus sign when negative) at `at`; returns the position after it.
 */
function writeAmount(at: usize, value: i64, decimals: u32): usize {
  if (value < 0) store<u8>(at++, MINUS);
  // The magnitude as unsigned (right for −2^63 too), its digits written backwards: eight per
  // 64-bit division, then two per 32-bit division by 100.
  let v: u64 = value < 0 ? 0 - <u64>value : <u64>value;
  let p = DIGITS_END;
  while (v >= 100_000_000) {
    const q = v / 100_000_000;
    let r = <u32>(v - q * 100_000_000);
    for (let k = 0; k < 4; k++) {
      p = pairBefore(p, r % 100);
      r /= 100;
    }
    v = q;
  }
  let small = <u32>v;
  while (small >= 100) {
    p = pairBefore(p, small % 100);
    small /= 100;
  }
  if (small >= 10) p = pairBefore(p, small);
  else store<u8>(--p, ZERO + <u8>small);
  // At least decimals + 1 digits: zeros in front.
  while (<u32>(DIGITS_END - p) < decimals + 1) store<u8>(--p, ZERO);
  const whole = <u32>(DIGITS_END - p) - decimals;
  for (let k: u32 = 0; k < whole; k++) store<u8>(at + k, load<u8>(p + k));
  at += whole;
  if (decimals == 0) return at;
  store<u8>(at++, POINT);
  p += whole;
  for (let k: u32 = 0; k < decimals; k++) store<u8>(at + k, load<u8>(p + k));
  return at + decimals;
}
