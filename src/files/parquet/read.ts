// Parquet in: a whole file's bytes, rows out to a RowConsumer exactly as the
// CSV and JSON Lines readers hand them over, one row group at a time (so a
// 10^7-row file never becomes 10^7 objects at once). Each requested column is
// found by name (case-insensitively) among the schema's top-level columns and
// each value is written as text into a scratch buffer: strings as their bytes,
// integers as their digits, DECIMALs as their exact decimal with exactly
// `scale` fraction digits, BOOLEANs as true or false.
//
// hyparquet turns a DECIMAL into a float Number (unscaled × 10^−scale), which
// loses digits past 2^53 and is not exact even below. So the DECIMAL columns'
// schema elements are handed to hyparquet without their DECIMAL annotation: it
// then gives the raw unscaled values (INT32: number, INT64: bigint,
// FIXED_LEN_BYTE_ARRAY and BYTE_ARRAY: the big-endian two's-complement bytes),
// which are decoded here as integers and written with the column's scale (trailing fraction zeros dropped: the value, not the column's width, meets --decimals).
// Strings stay bytes too (a `stringFromBytes` parser that keeps them), so an
// identifier's bytes are the file's bytes. FLOAT and DOUBLE columns are refused:
// a float cannot hold every amount exactly.
//
// Lines in messages are rows: `file:ROW:COLUMN`, ROW counted from 1 and COLUMN
// the column's 1-based position among the schema's top-level columns.

import { parquetRead, parquetSchema } from 'hyparquet';
import type { AsyncBuffer, ColumnData, Compressors, DecodedArray, FileMetaData, SchemaElement, SchemaTree } from 'hyparquet';
import { MAX_RECORD_BYTES } from '../chunks.js';
import { writeUnits } from '../decimal.js';
import { InputError, quote, shorten } from '../errors.js';
import { columnList, describeColumn, Fields, type ColumnKind, type ColumnRequest, type RowConsumer } from '../fields.js';
import { readFooter, type ParquetBytes } from './footer.js';
import { checkPages, exactCompressors } from './pages.js';

export type { ParquetBytes } from './footer.js';

/** How a column's values become text. */
type Encoding =
  /** BYTE_ARRAY strings: the bytes as they are. */
  | 'bytes'
  /** INT32 or INT64 (signed or not): decimal digits. */
  | 'integer'
  /** DECIMAL on any physical type: the unscaled integer with `scale` fraction digits. */
  | 'decimal'
  /** BOOLEAN: true or false. */
  | 'boolean';

/** A requested column found in the file. */
interface Found {
  /** Request index (k of Fields). */
  k: number;
  /** The name as the schema spells it (what hyparquet is asked for). */
  name: string;
  /** 1-based position among the top-level columns, for messages. */
  column: number;
  /** 0-based index among the schema's leaves: its column chunk in each row group. */
  leaf: number;
  encoding: Encoding;
  /** Fraction digits of a DECIMAL (0 otherwise). */
  scale: number;
  /** What its pages' streams are: definition levels when not REQUIRED, booleans. */
  shape: { optional: boolean; boolean: boolean };
}

/** The widest DECIMAL value: 16 bytes (38 digits); the footer check holds FIXED_LEN_BYTE_ARRAY to it, this BYTE_ARRAY's values. */
const MAX_DECIMAL_BYTES = 16;
/** Rows of a column decoded between two turns of the event loop, in whole pages: a signal waits for no more (DuckDB's row groups, 122,880 rows, are one window). */
const WINDOW_ROWS = 1 << 17;
/** The longest column chunk read at once: 2 GiB (one ArrayBuffer for hyparquet). */
const MAX_CHUNK_BYTES = 2 ** 31;

const TRUE = new TextEncoder().encode('true');
const FALSE = new TextEncoder().encode('false');

/** A macrotask's pause: a signal or a message is handled between column chunks. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Reads a Parquet file into `consumer`, row by row in file order, through a
 * `Fields` as the CSV and JSON Lines readers do; returns the number of rows.
 * `input` is the file's bytes, whole or by ranges (a file over 4 GiB is no one
 * array). `file` names the input in errors; `expect`, when given, is told the
 * row count (from the footer) before the first row. `compressors` are the codecs
 * past SNAPPY and UNCOMPRESSED the host decompresses (platform.ts), each bounded
 * by the page's size; `pause` yields to the host between column chunks (so that a
 * signal ends a long read).
 *
 * The footer and every column chunk's pages are checked before they are decoded
 * (parquet-footer.ts, parquet-pages.ts): a file that contradicts itself, or
 * whose sizes pass the limits, is an InputError naming the file, as is anything
 * hyparquet cannot decode. Requested columns are matched case-insensitively
 * against the top-level columns; a required one missing is an InputError at
 * `file:1:1`. A null value is empty for a `flag` column (no) and an InputError
 * naming its row otherwise. Each row's `line` (and every `Fields.line`) is its
 * 1-based row number.
 */
export async function readParquet(
  input: Uint8Array | ParquetBytes, file: string, consumer: RowConsumer, expect?: (rows: number) => void, compressors: Compressors = {},
  pause: () => Promise<void> = nextTurn,
): Promise<number> {
  const bytes: ParquetBytes = input instanceof Uint8Array ? { byteLength: input.byteLength, slice: (start, end) => input.subarray(start, end) } : input;
  const fail = (what: string): never => {
    throw new InputError(file, 0, 0, what);
  };
  // Anything thrown past the checks (by hyparquet, or a stack or a string too long) is the file's fault, never a stack trace.
  const guarded = <T,>(what: string, run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (error instanceof InputError) throw error;
      return fail(`${what}: ${shorten(messageOf(error))}`);
    }
  };
  const footer = guarded('the footer cannot be read', () => readFooter(bytes, file, columnList(consumer.columns)));
  const metadata = footer.metadata;
  const root = guarded('the schema cannot be read', () => parquetSchema(metadata));
  consumer.header?.(root.children.map((child) => child.element.name));
  const found = columnsOf(root, file, consumer.columns);
  const plain = withoutDecimalAnnotations(metadata, found);
  const total = Number(metadata.num_rows);
  expect?.(total);
  const rows = new ParquetRows(file, consumer, found);
  let groupStart = 0;
  for (let g = 0; g < metadata.row_groups.length; g++) {
    const group = metadata.row_groups[g]!;
    const groupRows = Number(group.num_rows);
    if (groupRows === 0) continue;
    const chunks = found.map((): ColumnData[] => []);
    for (let i = 0; i < found.length; i++) {
      const c = found[i]!;
      const where = `row group ${g + 1}, column ${quote(c.name)}`;
      // One column chunk at a time, a turn of the event loop before each.
      await pause();
      const meta = group.columns[c.leaf]!.meta_data!;
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      const end = start + Number(meta.total_compressed_size);
      if (!(start >= 4 && end >= start && end <= footer.dataEnd)) fail(`${where}: its chunk at bytes ${start} to ${end} is outside the file's data (bytes 4 to ${footer.dataEnd})`);
      if (end - start > MAX_CHUNK_BYTES) fail(`${where}: a column chunk of ${end - start} bytes; at most 2 GiB are read at once`);
      const view = bytes.slice(start, end);
      const buffer = bufferOf(view);
      const pages = guarded(where, () => checkPages(new Uint8Array(buffer), meta, c.shape, (what) => fail(`${where}: ${what}`)));
      // A large chunk in windows of whole pages, a turn of the event loop between them: hyparquet skips
      // the pages before a window undecoded and stops after it (the one page it decodes again at a
      // border is cut to the window). A large dictionary is decoded again for each window: then one.
      const borders = windowsOf(pages.dictionary > WINDOW_ROWS ? [groupRows] : pages.values, groupStart);
      for (let w = 0; w + 1 < borders.length; w++) {
        const from = borders[w]!;
        const to = borders[w + 1]!;
        if (w > 0) await pause();
        try {
          await parquetRead({
            file: oneRange(bytes, start, end, buffer),
            metadata: plain,
            columns: [c.name],
            rowStart: from,
            rowEnd: to,
            compressors: exactCompressors(compressors, pages.checks),
            // Strings stay bytes: identifiers are kept byte for byte, with no string per value.
            parsers: { stringFromBytes: keepBytes },
            onChunk: (chunk) => {
              const a = Math.max(chunk.rowStart, from);
              const b = Math.min(chunk.rowEnd, to);
              if (a >= b) return;
              const whole = a === chunk.rowStart && b === chunk.rowEnd;
              chunks[i]!.push(whole ? chunk : { ...chunk, rowStart: a, rowEnd: b, columnData: chunk.columnData.slice(a - chunk.rowStart, b - chunk.rowStart) });
            },
          });
        } catch (error) {
          if (error instanceof InputError) throw error;
          throw new InputError(file, from + 1, c.column, `cannot decode row group ${g + 1} (rows ${from + 1} to ${to}), column ${quote(c.name)}: ${shorten(messageOf(error))}`);
        }
      }
      const decoded = chunks[i]!.reduce((sum, chunk) => sum + chunk.columnData.length, 0);
      if (decoded !== groupRows) fail(`row group ${g + 1} says ${groupRows} rows, its column ${quote(c.name)} decodes to ${decoded} values`);
    }
    await rows.group(chunks, groupStart, groupStart + groupRows, pause);
    groupStart += groupRows;
  }
  consumer.end?.(groupStart + 1);
  return groupStart;
}

/** The message of a thrown value. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** hyparquet's string parser, keeping the bytes. */
function keepBytes(bytes: Uint8Array): string {
  return bytes as unknown as string;
}

/** Row borders of windows of whole pages of at least WINDOW_ROWS rows (the last may be shorter), from `start`. */
function windowsOf(pageRows: readonly number[], start: number): number[] {
  const borders = [start];
  let at = start;
  for (const rows of pageRows) {
    at += rows;
    if (at - borders[borders.length - 1]! >= WINDOW_ROWS) borders.push(at);
  }
  if (borders[borders.length - 1] !== at) borders.push(at);
  return borders;
}

/** `view`'s bytes as an ArrayBuffer of their own (a copy unless the view is its whole buffer; never Buffer's slice, which is a view). */
function bufferOf(view: Uint8Array): ArrayBuffer {
  if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && view.buffer instanceof ArrayBuffer) return view.buffer;
  return new Uint8Array(view).buffer;
}

/** The file as hyparquet reads one column chunk of it: that chunk's bytes (already checked) for its range, copies elsewhere. */
function oneRange(bytes: ParquetBytes, start: number, end: number, buffer: ArrayBuffer): AsyncBuffer {
  return {
    byteLength: bytes.byteLength,
    slice: (from, to = bytes.byteLength) => (from === start && to === end ? buffer : bufferOf(bytes.slice(from, to))),
  };
}

/** The metadata with the read DECIMAL columns' annotations removed: hyparquet then gives unscaled integers, not floats. */
function withoutDecimalAnnotations(metadata: FileMetaData, found: readonly Found[]): FileMetaData {
  const decimals = new Set(found.filter((c) => c.encoding === 'decimal').map((c) => c.name));
  if (decimals.size === 0) return metadata;
  // Only top-level columns are read, and those are the root's direct children.
  const schema = metadata.schema.map((element, i) => {
    if (i === 0 || !decimals.has(element.name) || element.num_children) return element;
    const { converted_type: _c, logical_type: _l, ...rest } = element;
    return rest as SchemaElement;
  });
  return { ...metadata, schema };
}

/** What a column of this kind should hold, for messages. */
function expectedOf(kind: ColumnKind): string {
  switch (kind) {
    case 'id': return 'a non-empty identifier';
    case 'amount': return 'an amount';
    case 'text': return 'a name (a string or an integer)';
    case 'flag': return 'a yes or no';
  }
}

/** Finds each requested column among the top-level columns and decides how its values become text. */
function columnsOf(root: SchemaTree, file: string, requests: readonly ColumnRequest[]): Found[] {
  const top = root.children;
  // Each top-level column's first leaf: where its chunk is among a row group's.
  const firstLeaf: number[] = [];
  for (let i = 0, n = 0; i < top.length; i++) {
    firstLeaf.push(n);
    n += leafCount(top[i]!);
  }
  const found: Found[] = [];
  const missing: string[] = [];
  requests.forEach((request, k) => {
    const wanted = request.name.toLowerCase();
    const matches = top.map((child, i) => ({ child, i })).filter(({ child }) => child.element.name.toLowerCase() === wanted);
    if (matches.length > 1) {
      throw new InputError(file, 1, matches[1]!.i + 1, `column ${quote(matches[1]!.child.element.name)} appears twice in the schema (also at column ${matches[0]!.i + 1}; names match case-insensitively)`);
    }
    const match = matches[0];
    if (match === undefined) {
      if (request.required) missing.push(describeColumn(request));
      return;
    }
    const { encoding, scale } = encodingOf(match.child, file, match.i + 1);
    found.push({ k, name: match.child.element.name, column: match.i + 1, leaf: firstLeaf[match.i]!, encoding, scale,
      shape: { optional: match.child.element.repetition_type !== 'REQUIRED', boolean: match.child.element.type === 'BOOLEAN' } });
  });
  if (missing.length > 0) {
    const has = top.map((child) => child.element.name).join(', ');
    throw new InputError(file, 1, 1, `the schema lacks ${missing.join(' and ')}; expected columns ${columnList(requests)} (the file has ${shorten(has === '' ? 'no column' : has)})`);
  }
  return found;
}

/** The leaves under a schema node (the footer check bounds its depth). */
function leafCount(node: SchemaTree): number {
  return node.children.length === 0 ? 1 : node.children.reduce((sum, child) => sum + leafCount(child), 0);
}

/** How a top-level column's values become text; an InputError for a column that cannot hold what the command reads. */
function encodingOf(node: SchemaTree, file: string, column: number): { encoding: Encoding; scale: number } {
  const element = node.element;
  const name = quote(element.name);
  const fail = (what: string): never => {
    throw new InputError(file, 1, column, `column ${name} ${what}; expected strings, integers (INT32, INT64), DECIMAL or BOOLEAN`);
  };
  if (node.children.length > 0 || element.repetition_type === 'REPEATED') fail('is nested (a list, map or struct)');
  const { type, converted_type: converted, logical_type: logical } = element;
  if (type === 'FLOAT' || type === 'DOUBLE' || logical?.type === 'FLOAT16') {
    throw new InputError(file, 1, column, `column ${name} is ${logical?.type === 'FLOAT16' ? 'FLOAT16' : type}: a floating-point column cannot hold exact amounts; export it as DECIMAL or INT64`);
  }
  if (converted === 'DECIMAL' || logical?.type === 'DECIMAL') {
    const scale = logical?.type === 'DECIMAL' ? logical.scale : element.scale ?? 0;
    if (type !== 'INT32' && type !== 'INT64' && type !== 'FIXED_LEN_BYTE_ARRAY' && type !== 'BYTE_ARRAY') fail(`is DECIMAL on ${type}`);
    if (!Number.isInteger(scale) || scale < 0) fail(`is DECIMAL with scale ${scale}`);
    return { encoding: 'decimal', scale };
  }
  const annotation = logical?.type ?? converted;
  switch (type) {
    case 'BOOLEAN':
      return { encoding: 'boolean', scale: 0 };
    case 'INT32':
    case 'INT64':
      if (annotation === undefined || annotation === 'INTEGER' || /^U?INT_\d+$/.test(annotation)) return { encoding: 'integer', scale: 0 };
      return fail(`is ${annotation} (on ${type})`);
    case 'BYTE_ARRAY':
      if (annotation === undefined || annotation === 'STRING' || annotation === 'UTF8' || annotation === 'ENUM') return { encoding: 'bytes', scale: 0 };
      return fail(`is ${annotation}`);
    default:
      return fail(`is ${annotation === undefined ? type : `${annotation} (on ${type})`}`);
  }
}

/** The integer a DECIMAL's big-endian two's-complement bytes hold: a number when safe, else a bigint. */
export function unscaledOf(bytes: Uint8Array): number | bigint {
  let from = 0;
  // Sign-extension bytes add nothing (a DECIMAL(38) of 16 bytes usually holds a small value).
  while (from + 1 < bytes.length && ((bytes[from] === 0 && bytes[from + 1]! < 0x80) || (bytes[from] === 0xff && bytes[from + 1]! >= 0x80))) from++;
  const length = bytes.length - from;
  if (length === 0) return 0;
  if (length <= 6) {
    let value = 0;
    for (let i = from; i < bytes.length; i++) value = value * 256 + bytes[i]!;
    return bytes[from]! >= 0x80 ? value - 2 ** (8 * length) : value;
  }
  let value = 0n;
  let i = from;
  // Whole 32-bit words where there are any: a quarter of the bigint steps of a byte loop.
  for (const head = (bytes.length - from) % 4; i < from + head; i++) value = (value << 8n) | BigInt(bytes[i]!);
  for (; i < bytes.length; i += 4) {
    value = (value << 32n) | BigInt(((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0);
  }
  return BigInt.asIntN(8 * length, value);
}

/** Rows of one row group at a time into the consumer's Fields. */
class ParquetRows {
  readonly #fields: Fields;
  #scratch = new Uint8Array(1 << 12);

  constructor(readonly file: string, readonly consumer: RowConsumer, readonly found: readonly Found[]) {
    this.#fields = new Fields(consumer.columns.length);
    // Columns not in the file are absent in every row.
    this.#fields.start.fill(-1);
    // Values are written from typed numbers, with ".": a decimal comma never applies to them.
    this.#fields.number.fill(1);
    for (const c of found) this.#fields.column[c.k] = c.column;
  }

  /** Hands rows [start, end) to the consumer, with `pause` between windows of rows; `chunks[i]` holds found column i's values over the group. */
  async group(chunks: ColumnData[][], start: number, end: number, pause: () => Promise<void>): Promise<void> {
    const found = this.found;
    const out = this.#fields;
    const requests = this.consumer.columns;
    // Per column: its chunks in row order, the current one and where it starts.
    const ordered = chunks.map((list) => list.sort((a, b) => a.rowStart - b.rowStart));
    const at = new Int32Array(found.length);
    const data: DecodedArray[] = ordered.map((list) => list[0]?.columnData ?? []);
    const base = new Float64Array(found.length);
    for (let i = 0; i < found.length; i++) base[i] = ordered[i]![0]?.rowStart ?? start;
    for (let row = start; row < end; row++) {
      if (row > start && (row - start) % WINDOW_ROWS === 0) await pause();
      const line = row + 1;
      let used = 0;
      for (let i = 0; i < found.length; i++) {
        const c = found[i]!;
        let values = data[i]!;
        // The chunk holding this row (chunks are pages or a whole column chunk).
        while (row - base[i]! >= values.length && at[i]! + 1 < ordered[i]!.length) {
          const next = ordered[i]![++at[i]!]!;
          values = data[i] = next.columnData;
          base[i] = next.rowStart;
        }
        const index = row - base[i]!;
        if (index < 0 || index >= values.length) throw new InputError(this.file, line, c.column, `row ${line}: column ${quote(c.name)} has no value for this row (the file is damaged)`);
        const value: unknown = values[index];
        const k = c.k;
        out.line[k] = line;
        if (value === null || value === undefined) {
          const request = requests[k]!;
          if (request.kind !== 'flag' && request.nullable !== true) throw new InputError(this.file, line, c.column, `row ${line}: ${request.name} is null; expected ${expectedOf(request.kind)}`);
          out.start[k] = out.end[k] = used; // empty: no
          continue;
        }
        out.start[k] = used;
        used = this.#write(c, value, used, line);
        out.end[k] = used;
      }
      out.buffer = this.#scratch;
      this.consumer.row(out, line);
    }
  }

  /** Writes one value's text at `at` of the scratch buffer; returns the position after it. */
  #write(c: Found, value: unknown, at: number, line: number): number {
    switch (c.encoding) {
      case 'bytes': {
        const bytes = value as Uint8Array;
        // The CSV reader's bound on a record holds for one value here.
        if (bytes.length > MAX_RECORD_BYTES) throw new InputError(this.file, line, c.column, `row ${line}: a value of ${bytes.length} bytes in column ${quote(c.name)}; at most ${MAX_RECORD_BYTES / 2 ** 20} MiB`);
        this.#room(at + bytes.length);
        // A loop beats set() for the short values identifiers are.
        if (bytes.length > 64) this.#scratch.set(bytes, at);
        else for (let i = 0; i < bytes.length; i++) this.#scratch[at + i] = bytes[i]!;
        return at + bytes.length;
      }
      case 'boolean': {
        const text = value ? TRUE : FALSE;
        this.#room(at + text.length);
        this.#scratch.set(text, at);
        return at + text.length;
      }
      case 'integer':
      case 'decimal': {
        let units: number | bigint;
        if (value instanceof Uint8Array) {
          // 16 bytes hold 38 digits, DECIMAL's most; a longer value would only cost quadratic time to convert.
          if (value.length > MAX_DECIMAL_BYTES) throw new InputError(this.file, line, c.column, `row ${line}: a DECIMAL value of ${value.length} bytes in column ${quote(c.name)}; at most ${MAX_DECIMAL_BYTES}`);
          units = unscaledOf(value);
        }
        else if (typeof value === 'bigint') {
          // Number() is exact up to 2^53, and anything past it converts to at least 2^53 > 9e15.
          const near = Number(value);
          units = near >= -9e15 && near <= 9e15 ? near : value;
        }
        else units = value as number; // INT32: always exact
        // A sign, the digits (a safe integer has at most 16, a 64-bit one 20, n bytes at most 2.41 n + 1), a point, the scale's zeros.
        const digits = typeof units === 'number' ? 16 : value instanceof Uint8Array ? Math.ceil(2.41 * value.length) + 1 : 20;
        this.#room(at + digits + c.scale + 3);
        let end = writeUnits(this.#scratch, at, units, c.scale);
        if (c.scale > 0) {
          // Trailing zeros of the fraction are no digits of the amount: 1.50000000 in a
          // DECIMAL(18,8) column is 1.5, read at --decimals 1 or more (never rounded).
          while (this.#scratch[end - 1] === 0x30) end--;
          if (this.#scratch[end - 1] === 0x2e) end--;
        }
        return end;
      }
    }
  }

  /** Makes the scratch buffer at least `size` bytes, keeping what the row wrote so far. */
  #room(size: number): void {
    if (size <= this.#scratch.length) return;
    const grown = new Uint8Array(Math.max(2 * this.#scratch.length, size));
    grown.set(this.#scratch);
    this.#scratch = grown;
  }
}
