// A haircut file read for verify: `account` and `haircut` (required), and the
// columns socialize writes beside them when present — `profit`, `profit_after`
// and, when pooled, `pool` — each checked against what ACCOUNTS and the rule
// give. Identity and order of the accounts are a bad row (exit 2); a profit,
// profit after or pool that differs is a difference (exit 3), like a haircut.

import { DecimalError, formatUnits, parseUnitsInto, wordsValue } from '../files/decimal.js';
import { InputError, quote } from '../files/errors.js';
import type { ColumnRequest, Fields, RowConsumer, ScanResult } from '../files/fields.js';
import type { CsvShape, Role } from '../files/table.js';
import type { Loaded } from '../run/load.js';

/** Decodes UTF-8 as it is: a byte-order mark inside a field stays part of it. */
const AS_IS = new TextDecoder('utf-8', { ignoreBOM: true });

/** The columns besides the haircut that verify checks, in the order they are reported within a row. */
export type CheckedColumn = 'profit' | 'profit_after' | 'pool';

/** A row of the haircut file whose profit, profit after or pool is not what it should be. */
export interface ColumnDifference {
  /** The account's index (its row in ACCOUNTS). */
  index: number;
  column: CheckedColumn;
  /** What ACCOUNTS (and the rule, for profit_after) give, as written. */
  expected: string;
  /** What the file has. */
  found: string;
}

const ORDER: Record<CheckedColumn, number> = { profit: 0, profit_after: 1, pool: 2 };

/**
 * A haircut file checked against the accounts read before: the same accounts in
 * the same order, each amount at its account's decimals; the haircuts into
 * `haircuts`, the other columns compared as they are read (profit, pool) or kept
 * until the expected haircuts are known (profit_after: `checkProfitAfter`).
 */
export class HaircutRows implements RowConsumer {
  readonly columns: ColumnRequest[] = [
    { name: 'account', kind: 'id', required: true, option: null },
    { name: 'haircut', kind: 'amount', required: true, option: null },
    { name: 'profit', kind: 'amount', required: false, option: null },
    { name: 'profit_after', kind: 'amount', required: false, option: null },
    { name: 'pool', kind: 'text', required: false, option: null },
  ];
  /** One haircut per account, in account order. */
  readonly haircuts: BigInt64Array;
  /** The line of each account's row in the haircut file. */
  readonly lines: Uint32Array;
  /** How many profits, profits after and pools differ. */
  mismatches = 0;
  readonly #differences: ColumnDifference[] = [];
  #row = 0;
  readonly #words: Int32Array;
  readonly #scratch = new Int32Array(2);
  /** Each row's profit_after (as words), when the file has that column; `#hasAfter` marks the rows that have it. */
  #after: Int32Array | null = null;
  #hasAfter: Uint8Array | null = null;

  /**
   * @param decimalsOf the decimals of row `row`'s amounts (its pool's).
   * @param limit how many differences to keep (all are counted).
   */
  constructor(readonly file: string, readonly loaded: Loaded, readonly decimalsOf: (row: number) => number, readonly limit = 10) {
    this.haircuts = new BigInt64Array(loaded.table.rows);
    this.lines = new Uint32Array(loaded.table.rows);
    this.#words = new Int32Array(this.haircuts.buffer);
  }

  /** CSV: plain records checked by the core (the table's checkCsv) as `row` would check them. */
  readonly scanCsv: NonNullable<RowConsumer['scanCsv']> = (buffer, pos, delimiter, fields, positions, line) => {
    if (this.#shape === undefined) {
      const roles: (Role | null)[] = new Array<Role | null>(fields).fill(null);
      let shared = false;
      const named: (Role | null)[] = ['id', 'haircut', 'profit', 'after', this.loaded.pooled ? 'pool' : null];
      positions.forEach((field, k) => {
        if (field < 0 || named[k] === null) return;
        shared ||= roles[field] !== null;
        roles[field] = named[k]!;
      });
      this.#shape = shared ? null : { delimiter, separator: 0x2e, roles, rounding: 'exact', decimals: this.loaded.directory.decimals, weightDecimals: 0, scoreDecimals: 0 };
    }
    this.#taken.rows = 0;
    this.#taken.end = pos;
    if (this.#shape === null) return this.#taken;
    const table = this.loaded.table;
    table.pools?.addFrom(this.loaded.directory);
    const afters = this.#shape.roles.includes('after');
    if (afters) {
      this.#after ??= new Int32Array(2 * table.rows);
      this.#hasAfter ??= new Uint8Array(table.rows);
    }
    const before = this.#row;
    const { end, row } = table.checkCsv(buffer, pos, this.#shape, line, before, { haircuts: this.#words, afters: afters ? this.#after : null, lines: this.lines });
    if (afters) this.#hasAfter!.fill(1, before, row);
    this.#row = row;
    this.#taken.rows = row - before;
    this.#taken.end = end;
    return this.#taken;
  };
  /** The file's shape for the core, once its header is read (null: one field read as two columns, left to the reader). */
  #shape: CsvShape | null | undefined;
  readonly #taken: ScanResult = { rows: 0, end: 0 };

  row(f: Fields, line: number): void {
    const row = this.#row;
    const accounts = this.loaded.table;
    checkSameAccount(f, line, row, this.loaded, this.file);
    const places = this.decimalsOf(row);
    this.#amount(f, 1, places, this.#words, 2 * row);
    if (f.has(2)) {
      const found = this.#amount(f, 2, places, this.#scratch, 0);
      const { words, offset } = accounts.profitWords(row);
      if (found[0] !== words[offset] || found[1] !== words[offset + 1]) {
        this.#differ(row, 'profit', formatUnits(toBigInt(words[offset]!, words[offset + 1]!), places), formatUnits(toBigInt(found[0]!, found[1]!), places));
      }
    }
    if (f.has(3)) {
      this.#after ??= new Int32Array(2 * accounts.rows);
      this.#hasAfter ??= new Uint8Array(accounts.rows);
      this.#amount(f, 3, places, this.#after, 2 * row);
      this.#hasAfter[row] = 1;
    }
    if (f.has(4) && this.loaded.pooled) {
      const expected = this.loaded.directory.nameOf(accounts.poolOf(row));
      const found = f.bytes(4);
      if (found.length !== expected.length || found.some((b, i) => b !== expected[i])) {
        this.#differ(row, 'pool', quote(AS_IS.decode(expected)), quote(AS_IS.decode(found)));
      }
    }
    this.lines[row] = line;
    this.#row = row + 1;
  }

  end(line: number): void {
    checkAllAccounts(line, this.#row, this.loaded, this.file);
  }

  /**
   * Compares each row's profit_after (when the file has it) with its profit in
   * ACCOUNTS less the haircut the rule gives (`expected`; null when the file's
   * haircuts are all right). A row whose haircut is wrong (reported as such) may
   * instead carry its profit less its own haircut: it is consistent, and the
   * haircut is the error.
   */
  checkProfitAfter(expected: BigInt64Array | null): void {
    const after = this.#after, has = this.#hasAfter;
    if (after === null || has === null) return;
    const profits = this.loaded.table.column('profits');
    const found = this.haircuts;
    const rule = expected ?? found;
    // Words first, with no bigint per row: profit − haircut as two 32-bit words, taken as equal
    // only when the subtraction stays in 64 bits; anything else is decided by bigint below.
    const p = new Int32Array(profits.buffer), f = this.#words, r = new Int32Array(rule.buffer, rule.byteOffset, 2 * rule.length);
    const lessEquals = (h: Int32Array, row: number): boolean => {
      const low = (p[2 * row]! >>> 0) - (h[2 * row]! >>> 0);
      const ph = p[2 * row + 1]!, hh = h[2 * row + 1]!;
      const high = (ph - hh - (low < 0 ? 1 : 0)) | 0;
      return ((ph ^ hh) & (ph ^ high)) >= 0 && (low >>> 0) === (after[2 * row]! >>> 0) && high === after[2 * row + 1];
    };
    for (let row = 0; row < profits.length; row++) {
      if (has[row] === 0 || lessEquals(r, row) || lessEquals(f, row)) continue;
      const want = profits[row]! - rule[row]!;
      const value = toBigInt(after[2 * row]!, after[2 * row + 1]!);
      if (value !== want && value !== profits[row]! - found[row]!) {
        const places = this.decimalsOf(row);
        this.#differ(row, 'profit_after', formatUnits(want, places), formatUnits(value, places));
      }
    }
  }

  /** The first `limit` differences, by account and then column. */
  differences(): ColumnDifference[] {
    return this.#differences.sort((a, b) => a.index - b.index || ORDER[a.column] - ORDER[b.column]).slice(0, this.limit);
  }

  #differ(index: number, column: CheckedColumn, expected: string, found: string): void {
    this.mismatches++;
    // Kept per column up to the limit: the first `limit` overall, by account, are among them.
    const kept = this.#differences.filter((d) => d.column === column).length;
    if (kept < this.limit) this.#differences.push({ index, column, expected, found });
  }

  /** Parses column k at `places` into `out` at `at`; a bad value is an InputError at its place. */
  #amount(f: Fields, k: number, places: number, out: Int32Array, at: number): Int32Array {
    try {
      parseUnitsInto(f.buffer, f.start[k]!, f.end[k]!, places, out, at);
    } catch (error) {
      if (!(error instanceof DecimalError)) throw error;
      throw new InputError(this.file, f.line[k]!, f.column[k]!, `${this.columns[k]!.name} ${error.message}`);
    }
    return out;
  }
}

/**
 * Checks that row `row` of a file written for the loaded accounts (its account in
 * field 0) names the account of ACCOUNTS' row `row`: one row per account, in the
 * same order; anything else is a bad row (exit 2).
 */
export function checkSameAccount(f: Fields, line: number, row: number, loaded: Loaded, file: string): void {
  const accounts = loaded.table;
  if (row >= accounts.rows) {
    throw new InputError(file, line, 1, `a row past the ${accounts.rows.toLocaleString('en-US')} accounts of ${loaded.accounts.file}; expected one row per account, in the same order`);
  }
  // Compared in place (no view, no closure): a quoted identifier is unescaped first.
  let same: boolean;
  if (f.quoted[0]) {
    const id = f.bytes(0);
    same = accounts.idEquals(row, id, 0, id.length);
  } else {
    same = accounts.idEquals(row, f.buffer, f.start[0]!, f.end[0]!);
  }
  if (!same) {
    throw new InputError(file, f.line[0]!, f.column[0]!,
      `account ${quote(AS_IS.decode(f.bytes(0)))} where ${loaded.accounts.file}:${accounts.lineOf(row)} has ${quote(AS_IS.decode(accounts.idOf(row)))}; expected the same accounts in the same order`);
  }
}

/** The end of a file written for the loaded accounts after `rows` rows: it must have had one per account. */
export function checkAllAccounts(line: number, rows: number, loaded: Loaded, file: string): void {
  const accounts = loaded.table;
  if (rows < accounts.rows) {
    throw new InputError(file, line, 1,
      `ends after ${rows.toLocaleString('en-US')} rows; ${loaded.accounts.file} has ${accounts.rows.toLocaleString('en-US')} accounts (next: ${quote(AS_IS.decode(accounts.idOf(rows)))})`);
  }
}

/** A signed 64-bit value from its two 32-bit words. */
export function toBigInt(low: number, high: number): bigint {
  return BigInt(wordsValue(low, high));
}
