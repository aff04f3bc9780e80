// The haircuts file's rows formatted from a table in the core: `account,profit,haircut,
// profit_after` (the identifier quoted, quotes doubled, when it holds a comma, quote or line
// break; amounts with exactly the decimals given). The wrapper (src/files/table.ts) hands
// the bytes to its sink and writes by itself any row the kernel stops before.

import {
  ROWS_AMOUNT_BYTES, ROWS_BASE, ROWS_DECIMALS, ROWS_FROM, ROWS_HAIRCUTS, ROWS_OUT, ROWS_OUT_SIZE, ROWS_OUT_USED, ROWS_TO,
  TABLE_ARENA, TABLE_ENDS, TABLE_PROFITS,
} from '../layout';
import { idStart } from './table';

const COMMA: u8 = 0x2c, QUOTE: u8 = 0x22, LF: u8 = 0x0a, CR: u8 = 0x0d, POINT: u8 = 0x2e, MINUS: u8 = 0x2d, ZERO: u8 = 0x30;

/**
 * Writes rows ROWS_FROM … ROWS_TO − 1 while they fit in the output (each row's room: twice
 * its identifier, 2 quotes, 3 amounts, 4 separators). Stops early, at ROWS_FROM, before a
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
  const decimals = load<u32>(rows, ROWS_DECIMALS);
  let row = load<u32>(rows, ROWS_FROM);
  let at = out;
  while (row < to) {
    const start = idStart(ends, row);
    const length = load<u32>(ends + (<usize>row << 2)) - start;
    if (at - out + 2 * <usize>length + 2 + 3 * <usize>ROWS_AMOUNT_BYTES + 4 > size) break;
    const profit = load<i64>(profits + (<usize>row << 3));
    const haircut = load<i64>(haircuts + (<usize>row << 3));
    const after = profit - haircut;
    if (((profit ^ haircut) & (profit ^ after)) < 0) break;
    at = writeId(at, arena + start, length);
    store<u8>(at++, COMMA);
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

/** Writes the identifier at `id` as a CSV field at `at`; returns the position after it. */
function writeId(at: usize, id: usize, length: u32): usize {
  let plain = true;
  for (let i: u32 = 0; i < length; i++) {
    const b = load<u8>(id + i);
    if (b == COMMA || b == QUOTE || b == LF || b == CR) {
      plain = false;
      break;
    }
  }
  if (plain) {
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

/** Scratch for one amount's digits, least significant first (the core never allocates). */
const DIGITS: usize = memory.data(24);

/**
 * Writes `value` units with exactly `decimals` fraction digits (at least one whole digit,
 * no point when `decimals` is 0, a minus sign when negative) at `at`; returns the position after it.
 */
function writeAmount(at: usize, value: i64, decimals: u32): usize {
  if (value < 0) store<u8>(at++, MINUS);
  // The magnitude as unsigned: right for −2^63 too. Eight digits per 64-bit division, then 32-bit arithmetic.
  let v: u64 = value < 0 ? 0 - <u64>value : <u64>value;
  let n: u32 = 0;
  while (v >= 100_000_000) {
    const q = v / 100_000_000;
    let r = <u32>(v - q * 100_000_000);
    for (let k = 0; k < 8; k++) {
      store<u8>(DIGITS + n++, <u8>(r % 10));
      r /= 10;
    }
    v = q;
  }
  let small = <u32>v;
  do {
    store<u8>(DIGITS + n++, <u8>(small % 10));
    small /= 10;
  } while (small != 0);
  while (n < decimals + 1) store<u8>(DIGITS + n++, 0);
  for (let k = <i32>n - 1; k >= 0; k--) {
    if (k == <i32>decimals - 1) store<u8>(at++, POINT);
    store<u8>(at++, ZERO + load<u8>(DIGITS + k));
  }
  return at;
}
