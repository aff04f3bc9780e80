// What the two readers (CSV, JSON Lines) hand to what consumes rows: the
// columns a command asks for, by name, and per row where each of them is
// (bytes of one buffer, with its line and column for messages). The readers
// know the formats; the consumers (rows.ts) know what the values mean.

import { quote } from './errors.js';

/** How a reader checks a JSON value before handing over its text (CSV has only text). */
export type ColumnKind =
  /** An identifier: a non-empty string, or a JSON number (its text as written). */
  | 'id'
  /** An exact decimal: a string, or a JSON number (its text as written, read by the decimal grammar). */
  | 'amount'
  /** A name (a pool): a string, or a JSON number (its text as written). */
  | 'text'
  /** Yes or no: a string, a JSON boolean, 0 or 1, or null (no). */
  | 'flag';

/** A column a command reads. */
export interface ColumnRequest {
  /** Its name in the header (CSV) or key (JSON Lines), matched case-insensitively. */
  readonly name: string;
  readonly kind: ColumnKind;
  /** Whether a file without it is an error (else a row without it reads as absent). */
  readonly required: boolean;
  /** What names the column on the command line, for messages (`--pool-column`), or null for a fixed name. */
  readonly option: string | null;
  /**
   * The option that picks another column in its place, when `option` is null because the
   * default name was kept (`--account-column` for `account`): named when a file lacks it.
   */
  readonly picker?: string | undefined;
  /** Whether a null (JSON Lines, Parquet) reads as an empty value, as an empty CSV field does (flags always). */
  readonly nullable?: boolean | undefined;
}

/** Decodes UTF-8 as it is: a byte-order mark inside a field stays part of it. */
const AS_IS = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * One row's requested columns, by request index k: the value is
 * `buffer[start[k], end[k])` (CSV: with `""` standing for `"` when `quoted[k]`),
 * found at `line[k]`:`column[k]`. `start[k]` is −1 when the row has no such column.
 */
export class Fields {
  buffer: Uint8Array = new Uint8Array(0);
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly quoted: Uint8Array;
  readonly line: Int32Array;
  readonly column: Int32Array;
  /** 1 when the value was a bare JSON number (JSON Lines) or a Parquet value: its text has "." whatever --decimal-comma says. */
  readonly number: Uint8Array;

  constructor(count: number) {
    this.number = new Uint8Array(count);
    this.start = new Int32Array(count);
    this.end = new Int32Array(count);
    this.quoted = new Uint8Array(count);
    this.line = new Int32Array(count);
    this.column = new Int32Array(count);
  }

  /** Whether the row has column k. */
  has(k: number): boolean {
    return this.start[k]! >= 0;
  }

  /** Whether column k is absent or empty. */
  empty(k: number): boolean {
    return this.start[k]! < 0 || this.start[k] === this.end[k];
  }

  /** Column k's value as a string (`""` unescaped), `''` when absent. */
  text(k: number): string {
    if (this.start[k]! < 0) return '';
    const text = AS_IS.decode(this.buffer.subarray(this.start[k]!, this.end[k]!));
    return this.quoted[k] ? text.replaceAll('""', '"') : text;
  }

  /** Column k's value as bytes (`""` unescaped; a copy only when it had to be unescaped). */
  bytes(k: number): Uint8Array {
    if (this.start[k]! < 0) return new Uint8Array(0);
    const raw = this.buffer.subarray(this.start[k]!, this.end[k]!);
    if (!this.quoted[k] || !raw.includes(0x22)) return raw;
    const out = new Uint8Array(raw.length);
    let at = 0;
    for (let i = 0; i < raw.length; i++) {
      out[at++] = raw[i]!;
      if (raw[i] === 0x22) i++;
    }
    return out.subarray(0, at);
  }
}

/** What takes a reader's rows: the columns it wants, and each row's. */
export interface RowConsumer {
  /** The columns to find in each row, in request order (k indexes `Fields`). */
  readonly columns: readonly ColumnRequest[];
  /**
   * Called once, before the first row, with every column the input has, as it
   * spells them: the CSV header, the first JSON Lines object's keys, the Parquet
   * schema's top-level columns. (What the page offers to choose from.)
   */
  header?(names: readonly string[]): void;
  /** Called once per row, in order; `line` is the row's first line. Throws InputError for a bad value. */
  row(fields: Fields, line: number): void;
  /** Called after the last row; `line` is the line after it (where a missing row would be). */
  end?(line: number): void;
  /**
   * CSV: the field delimiter given (`--delimiter`), or null to detect it from the header
   * (`.tsv`: a tab), and whether amounts use a decimal comma (then the delimiter is not a
   * comma). Absent: detected, decimal point.
   */
  readonly csv?: { readonly delimiter: string | null; readonly decimalComma: boolean } | undefined;
  /** CSV: told the delimiter used, once the header is read. */
  delimited?(delimiter: string): void;
  /**
   * CSV, when the consumer can take plain records in the core (an account file's identifier
   * and amount, nothing else: table.ts): takes the records of `buffer` from `pos` (the first
   * on line `line`; `fields` per record, requested column k in field `positions[k]`) that it
   * reads as `row` would, and stops at the first other one. Returns what it took.
   */
  scanCsv?(buffer: Uint8Array, pos: number, delimiter: number, fields: number, positions: Int32Array, line: number): ScanResult;
}

/** What `RowConsumer.scanCsv` took: rows (one line each), and where the first record it left starts. */
export interface ScanResult {
  rows: number;
  end: number;
}

/** The delimiters a CSV file may use, in the order detection tries them. */
export const DELIMITERS: readonly string[] = [',', ';', '\t', '|'];

/** A delimiter as messages and reports name it: `,` `;` `tab` `|`. */
export function delimiterName(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : delimiter;
}

/** A column as messages name it: `profit`, or `currency (--pool-column)` when an option named it. */
export function describeColumn(column: ColumnRequest): string {
  return column.option === null ? column.name : `${column.name} (${column.option})`;
}

/** "account and profit", "account, profit and pool": the required columns in words, for messages. */
export function columnList(columns: readonly ColumnRequest[]): string {
  const names = columns.filter((c) => c.required).map((c) => c.name);
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** How many of a file's column names a message lists before "… (N more)". */
const LISTED_COLUMNS = 8;

/** Separators a header may use instead of the comma, as messages name them. */
const SEPARATORS: readonly (readonly [string, string])[] = [[';', "';'"], ['\t', 'a tab'], ['|', "'|'"]];

/**
 * The rest of a message about a header (CSV) or an object (JSON Lines, `keys`) that lacks
 * required columns: the names it has (quoted, the first 8 then how many more), the
 * separator a one-field CSV header seems to use instead of the comma, and the options that
 * pick other columns in place of the lacking ones. Starts with "; ".
 */
export function lackingHint(lacking: readonly ColumnRequest[], has: readonly string[], keys = false, delimiter = ','): string {
  const listed = has.slice(0, LISTED_COLUMNS).map(quote).join(', ') + (has.length > LISTED_COLUMNS ? `, … (${has.length - LISTED_COLUMNS} more)` : '');
  const noun = keys ? 'key' : 'column';
  const whose = keys ? 'the object' : 'the header';
  let hint = has.length === 0 ? `; ${whose} has no ${noun}` : `; ${whose} has the ${noun}${has.length === 1 ? '' : 's'} ${listed}`;
  if (!keys && has.length === 1) {
    const separator = [[',', "','"] as const, ...SEPARATORS].find(([c]) => c !== delimiter && has[0]!.split(c).length > 1);
    if (separator !== undefined) hint += `; the header seems separated by ${separator[1]}, not by ${delimiter === '\t' ? 'a tab' : `'${delimiter}'`} (--delimiter)`;
  }
  const pickers = lacking.filter((c) => c.option === null && c.picker !== undefined).map((c) => c.picker!);
  if (pickers.length > 0) hint += `; ${pickers.join(' and ')} ${pickers.length === 1 ? `picks another ${noun}` : `pick other ${noun}s`}`;
  return hint;
}
