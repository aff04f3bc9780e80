// A haircut file read back for verify, checked against the account table in the core: each
// plain record (found by the scanner's parseRecord) must name the table's next account, with
// the same profit and pool when the file has those columns; its haircut and profit after go to
// scratch columns. A record that differs in any way, or that the scanner would leave, is left
// to the wrapper's reader (src/cli/verify-haircuts.ts), which reports the difference or the bad row.

import {
  CHECK_AFTERS, CHECK_BASE, CHECK_CAPACITY, CHECK_HAIRCUTS, CHECK_LINE, CHECK_LINES, CHECK_ROLES, CHECK_ROW,
  INPUT_EXACT, ROLE_AFTER, ROLE_HAIRCUT, ROLE_ID, ROLE_POOL, ROLE_PROFIT, SCAN_DECIMALS, SCAN_FULL, SCAN_INPUT, SCAN_LEAVE,
  SCAN_LENGTH, SCAN_MAX_RECORD, SCAN_POSITION, SCAN_SEPARATOR, SCAN_STATUS, SCAN_WAIT, TABLE_ARENA, TABLE_ENDS, TABLE_POOL,
  TABLE_POOL_DECIMALS, TABLE_POOL_ENDS, TABLE_POOL_NAMES, TABLE_PROFITS, TABLE_ROWS,
} from '../layout';
import { parseRecord, recordStatus, spanEnd, spanStart } from './csv';
import { amountRead, readAmount } from './amount';
import { idStart } from './table';

/**
 * Checks records of the input from SCAN_POSITION against the table's rows from CHECK_ROW on,
 * until one it leaves to the wrapper (SCAN_LEAVE: it differs, or is past the last account),
 * the scratch columns are full (SCAN_FULL) or the complete records end (SCAN_WAIT).
 */
export function checkCsv(table: usize, scan: usize, check: usize): void {
  const input = <usize>load<u32>(scan, SCAN_INPUT);
  const end = input + load<u32>(scan, SCAN_LENGTH);
  const maxRecord = load<u32>(scan, SCAN_MAX_RECORD);
  const rows = load<u32>(table, TABLE_ROWS);
  const base = load<u32>(check, CHECK_BASE);
  const limit = min(rows, base + load<u32>(check, CHECK_CAPACITY));
  const haircuts = <usize>load<u32>(check, CHECK_HAIRCUTS);
  const afters = <usize>load<u32>(check, CHECK_AFTERS);
  const lines = <usize>load<u32>(check, CHECK_LINES);
  const has = load<u32>(check, CHECK_ROLES);
  let row = load<u32>(check, CHECK_ROW);
  let line = load<u32>(check, CHECK_LINE);
  let pos = input + load<u32>(scan, SCAN_POSITION);
  let status = SCAN_WAIT;
  while (pos < end) {
    if (row >= limit) {
      status = row >= rows ? SCAN_LEAVE : SCAN_FULL;
      break;
    }
    const next = parseRecord(pos, end, scan);
    if (next == 0) {
      status = recordStatus;
      break;
    }
    if (<u32>(next - pos) > maxRecord || !sameRow(table, scan, has, row)) {
      status = SCAN_LEAVE;
      break;
    }
    const at = <usize>(row - base);
    store<i64>(haircuts + (at << 3), checkedHaircut);
    if ((has & (1 << ROLE_AFTER)) != 0) store<i64>(afters + (at << 3), checkedAfter);
    store<u32>(lines + (at << 2), line);
    row++;
    line++;
    pos = next;
  }
  store<u32>(check, row, CHECK_ROW);
  store<u32>(check, line, CHECK_LINE);
  store<u32>(scan, <u32>(pos - input), SCAN_POSITION);
  store<u32>(scan, status, SCAN_STATUS);
}

/** What `sameRow` read: the haircut and the profit after. */
let checkedHaircut: i64 = 0;
let checkedAfter: i64 = 0;

/**
 * Whether the parsed record names row `row`'s account, with its profit and pool when the file
 * has them, and amounts in the plain grammar at the row's decimals (read into checkedHaircut
 * and checkedAfter).
 */
function sameRow(table: usize, scan: usize, has: u32, row: u32): bool {
  const ends = <usize>load<u32>(table, TABLE_ENDS);
  const from = idStart(ends, row);
  const length = load<u32>(ends + (<usize>row << 2)) - from;
  const id = spanStart(ROLE_ID);
  if (<u32>(spanEnd(ROLE_ID) - id) != length || memory.compare(<usize>load<u32>(table, TABLE_ARENA) + from, id, length) != 0) return false;
  let decimals = load<u32>(scan, SCAN_DECIMALS);
  const pools = <usize>load<u32>(table, TABLE_POOL);
  let pool: u32 = 0;
  if (pools != 0) {
    pool = load<u32>(pools + (<usize>row << 2));
    decimals = load<u32>(<usize>load<u32>(table, TABLE_POOL_DECIMALS) + (<usize>pool << 2));
  }
  const separator = load<u32>(scan, SCAN_SEPARATOR);
  checkedHaircut = readAmount(spanStart(ROLE_HAIRCUT), spanEnd(ROLE_HAIRCUT), separator, decimals, INPUT_EXACT, 0);
  if (!amountRead) return false;
  if ((has & (1 << ROLE_PROFIT)) != 0) {
    const profit = readAmount(spanStart(ROLE_PROFIT), spanEnd(ROLE_PROFIT), separator, decimals, INPUT_EXACT, 0);
    if (!amountRead || profit != load<i64>(<usize>load<u32>(table, TABLE_PROFITS) + (<usize>row << 3))) return false;
  }
  if ((has & (1 << ROLE_AFTER)) != 0) {
    checkedAfter = readAmount(spanStart(ROLE_AFTER), spanEnd(ROLE_AFTER), separator, decimals, INPUT_EXACT, 0);
    if (!amountRead) return false;
  }
  if ((has & (1 << ROLE_POOL)) != 0) {
    const nameEnds = <usize>load<u32>(table, TABLE_POOL_ENDS);
    const start = idStart(nameEnds, pool);
    const size = load<u32>(nameEnds + (<usize>pool << 2)) - start;
    const name = spanStart(ROLE_POOL);
    if (<u32>(spanEnd(ROLE_POOL) - name) != size || memory.compare(<usize>load<u32>(table, TABLE_POOL_NAMES) + start, name, size) != 0) return false;
  }
  return true;
}
