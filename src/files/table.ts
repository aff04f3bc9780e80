// The accounts read from a file, held in an instance of the WebAssembly core of their own
// (assembly/files/): identifiers end to end in an arena, profits (or, for index deltas,
// units) as i64, and the identifier set, so that the core's scanner (`scanCsv`) takes plain
// CSV records straight into the table and its formatter (`formatRows`) writes the haircuts
// file from it. About 12 bytes per account plus the identifier's bytes, and the set's 8 per
// slot while reading; the optional columns a command asks for (pool, exempt, weight, cap,
// score, lot) and the lines of rows stay here, in chunks. No object per row.

import { MAX_ACCOUNTS, simdSupported, type Variant } from '../core.js';
import { CoreMemory } from '../core/memory.js';
import { instantiateCoreSync } from '../core/load.js';
import { MAX_RECORD_BYTES } from './chunks.js';
import { TableRows } from './table-rows.js';
import { writeField } from './write.js';

/** A row past one engine's capacity (the command reports it as a bad row at its line). */
export class RowLimitError extends Error {
  override name = 'RowLimitError';
  constructor(readonly line: number) {
    super(`more than ${MAX_ACCOUNTS.toLocaleString('en-US')} accounts, the engine's capacity; split the file (by pool or by account range)`);
  }
}

const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/** Which optional columns a table holds. */
export interface TableColumns {
  pool?: boolean | undefined;
  exempt?: boolean | undefined;
  weights?: boolean | undefined;
  caps?: boolean | undefined;
  scores?: boolean | undefined;
  lots?: boolean | undefined;
}

/** The 64-bit columns a table can hold, as 32-bit word pairs. */
export type WordColumn = 'profits' | 'weights' | 'caps' | 'scores' | 'lots';

/** The optional 64-bit columns (every word column but the profits). */
type OptionalWordColumn = Exclude<WordColumn, 'profits'>;

/** How plain CSV records lie: what the core's scanner needs beyond the bytes. */
export interface CsvShape {
  /** The delimiter's byte, and the decimal separator's. */
  delimiter: number;
  separator: number;
  /** Fields per record, and which are the identifier and the amount. */
  fields: number;
  idField: number;
  amountField: number;
  /** The amount's fraction digits. */
  decimals: number;
}

/** An instance of the core holding one table: its blocks and records. */
class TableCore extends CoreMemory {
  constructor(variant: Variant) {
    super(instantiateCoreSync(variant));
  }
}

/** Columns of accounts in input order. */
export class AccountTable {
  /** Rows added so far. */
  rows = 0;
  readonly #core: TableCore;
  /** The table record, the scan record and the rows record (assembly/layout.ts). */
  readonly #record: number;
  readonly #scan: number;
  /** The blocks: arena, ends (u32), profits (i64), set, the scanner's input. */
  #arena = 0;
  #arenaSize = 1 << 20;
  #ends = 0;
  #profits = 0;
  #capacity = 1 << 16;
  #set = 0;
  #slots = 1 << 17;
  #input = 0;
  #inputSize = 0;
  /** The buffer the input block holds a copy of (a scan of it again copies nothing). */
  #copied: Uint8Array | null = null;
  /** Views of the core's memory, made again when it grows. */
  #buffer: ArrayBuffer | null = null;
  #u8 = new Uint8Array(0);
  #u32 = new Uint32Array(0);
  #i32 = new Int32Array(0);
  /** Each row's line: `row + delta` of the last entry at or before it (rows, deltas); one entry per change. */
  readonly #lineRows: number[] = [0];
  readonly #lineDeltas: number[] = [0];
  /** Per row, when asked for: its pool's index. */
  readonly #pool: Uint32Array[] | null;
  /** Per row, when asked for: 1 when exempt. */
  readonly #exempt: Uint8Array[] | null;
  /** Per row, when asked for: weight, cap (or capacity), score and lot as two 32-bit words each. */
  readonly #words: Record<OptionalWordColumn, Int32Array[] | null>;
  /** Whether the table holds any optional column, and how many chunks each has. */
  readonly #optional: boolean;
  #chunks = 0;

  /** A table with the optional `columns` (none by default), in an instance of the `variant` build (SIMD where it runs). */
  constructor(columns: TableColumns = {}, variant: Variant = simdSupported() ? 'simd' : 'scalar') {
    this.#pool = columns.pool ? [] : null;
    this.#exempt = columns.exempt ? [] : null;
    this.#words = {
      weights: columns.weights ? [] : null, caps: columns.caps ? [] : null, scores: columns.scores ? [] : null, lots: columns.lots ? [] : null,
    };
    this.#optional = Object.values(columns).some(Boolean);
    this.#core = new TableCore(variant);
    const L = this.#core.layout;
    [this.#record, this.#scan, this.#arena, this.#ends, this.#profits, this.#set] = this.#core.allocBlocks([
      L.TABLE_BYTES, L.SCAN_BYTES, this.#arenaSize, 4 * this.#capacity, 8 * this.#capacity, L.SET_SLOT_BYTES * this.#slots,
    ]) as [number, number, number, number, number, number];
    this.#core.zero(this.#record, L.TABLE_BYTES);
    this.#core.zero(this.#set, L.SET_SLOT_BYTES * this.#slots);
    this.#writeRecord();
  }

  /** Sizes the set and the columns for about `rows` rows at once (an estimate: they still grow if needed). */
  expect(rows: number): void {
    const wanted = Math.min(rows, MAX_ACCOUNTS);
    if (wanted > this.#capacity) this.#growColumns(wanted);
    let slots = this.#slots;
    while (slots * 0.75 < wanted && slots < 2 ** 29) slots *= 2;
    if (slots > this.#slots) this.#rehash(slots);
  }

  /**
   * Adds a row with identifier bytes `source[start, end)` (with `""` read as `"`
   * when `quoted`), a profit given as its two 32-bit words, and its line.
   * Returns −1, or the earlier row with the same identifier (nothing is added then).
   */
  add(source: Uint8Array, start: number, end: number, quoted: boolean, low: number, high: number, line: number): number {
    const row = this.rows;
    if (row === MAX_ACCOUNTS) throw new RowLimitError(line);
    this.#room(end - start);
    const L = this.#core.layout;
    const used = this.#u32[(this.#record + L.TABLE_ARENA_USED) >>> 2]!;
    const arena = this.#u8;
    let at = this.#arena + used;
    if (quoted) {
      for (let i = start; i < end; i++) {
        arena[at++] = source[i]!;
        if (source[i] === 0x22) i++; // "" stands for one quote
      }
    } else {
      arena.set(source.subarray(start, end), at);
      at += end - start;
    }
    this.#i32[(this.#profits >>> 2) + 2 * row] = low;
    this.#i32[(this.#profits >>> 2) + 2 * row + 1] = high;
    const earlier = this.#core.exports.tableInsert(this.#record, at - this.#arena - used);
    if (earlier >= 0) return earlier;
    this.#added(row, 1, line);
    return -1;
  }

  /**
   * Takes the plain CSV records of `buffer` from `pos` (the first on line `line`) into the table
   * by the core's scanner; returns where the first record it did not take starts. It takes
   * no record the wrapper's reader would read otherwise, and leaves every other to it.
   */
  scanCsv(buffer: Uint8Array, pos: number, shape: CsvShape, line: number): number {
    const L = this.#core.layout;
    if (this.#copied !== buffer) {
      if (buffer.length + L.SCAN_INPUT_SLACK > this.#inputSize) {
        if (this.#input) this.#core.freeBlocks([this.#input]);
        this.#input = 0;
        this.#inputSize = Math.max(buffer.length + L.SCAN_INPUT_SLACK, 1 << 16);
        [this.#input] = this.#core.allocBlocks([this.#inputSize]) as [number];
      }
      this.#views();
      this.#u8.set(buffer, this.#input);
      this.#copied = buffer;
    }
    const scan = this.#core.fields(this.#scan);
    scan.setU32(L.SCAN_INPUT, this.#input);
    scan.setU32(L.SCAN_LENGTH, buffer.length);
    scan.setU32(L.SCAN_DELIMITER, shape.delimiter);
    scan.setU32(L.SCAN_SEPARATOR, shape.separator);
    scan.setU32(L.SCAN_FIELDS, shape.fields);
    scan.setU32(L.SCAN_ID_FIELD, shape.idField);
    scan.setU32(L.SCAN_AMOUNT_FIELD, shape.amountField);
    scan.setU32(L.SCAN_DECIMALS, shape.decimals);
    scan.setU32(L.SCAN_ROW_LIMIT, MAX_ACCOUNTS);
    scan.setU32(L.SCAN_MAX_RECORD, MAX_RECORD_BYTES);
    let at = pos;
    for (;;) {
      scan.setU32(L.SCAN_POSITION, at);
      const before = this.rows;
      this.#core.exports.scanCsv(this.#record, this.#scan);
      const taken = this.#core.fields(this.#record).u32(L.TABLE_ROWS) - before;
      if (taken > 0) this.#added(before, taken, line);
      line += taken;
      at = scan.u32(L.SCAN_POSITION);
      if (scan.u32(L.SCAN_STATUS) !== L.SCAN_FULL) return at;
      this.#room(Math.min(buffer.length - at, MAX_RECORD_BYTES), Math.max(1024, this.rows >>> 1));
    }
  }

  /** Records `count` rows added from `row` on, the first at `line` and each on the next line. */
  #added(row: number, count: number, line: number): void {
    if (line - row !== this.#lineDeltas.at(-1)) {
      this.#lineRows.push(row);
      this.#lineDeltas.push(line - row);
    }
    this.rows = row + count;
    if (!this.#optional) return;
    while (this.rows > CHUNK * this.#chunks) {
      this.#pool?.push(new Uint32Array(CHUNK));
      this.#exempt?.push(new Uint8Array(CHUNK));
      for (const chunks of Object.values(this.#words)) chunks?.push(new Int32Array(2 * CHUNK));
      this.#chunks++;
    }
  }

  /** Sets the last added row's pool (the table must hold pools). */
  setPool(pool: number): void {
    const row = this.rows - 1;
    this.#pool![row >>> CHUNK_BITS]![row & MASK] = pool;
  }

  /** Marks the last added row exempt (the table must hold exemptions). */
  setExempt(): void {
    const row = this.rows - 1;
    this.#exempt![row >>> CHUNK_BITS]![row & MASK] = 1;
  }

  /** Sets the last added row's weight, cap, score or lot as two 32-bit words (the table must hold that column). */
  setWords(column: OptionalWordColumn, low: number, high: number): void {
    const row = this.rows - 1;
    const chunk = this.#words[column]![row >>> CHUNK_BITS]!;
    chunk[2 * (row & MASK)] = low;
    chunk[2 * (row & MASK) + 1] = high;
  }

  /** Row `row`'s pool index (0 when the table holds no pools). */
  poolOf(row: number): number {
    return this.#pool === null ? 0 : this.#pool[row >>> CHUNK_BITS]![row & MASK]!;
  }

  /** The first row whose identifier is `id`, or −1 (a scan: for one look-up, after reading). */
  findId(id: Uint8Array): number {
    for (let row = 0; row < this.rows; row++) if (this.idEquals(row, id, 0, id.length)) return row;
    return -1;
  }

  /** The line row `row` came from. */
  lineOf(row: number): number {
    let lo = 0, hi = this.#lineRows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.#lineRows[mid]! <= row) lo = mid;
      else hi = mid - 1;
    }
    return row + this.#lineDeltas[lo]!;
  }

  /** Row `row`'s identifier: where it starts and ends in the core's memory (views taken fresh). */
  #span(row: number): [number, number] {
    this.#views();
    const ends = this.#ends >>> 2;
    return [this.#arena + (row === 0 ? 0 : this.#u32[ends + row - 1]!), this.#arena + this.#u32[ends + row]!];
  }

  /** Row `row`'s identifier bytes (a view into the core's memory, valid until the next add). */
  idOf(row: number): Uint8Array {
    const [start, end] = this.#span(row);
    return this.#u8.subarray(start, end);
  }

  /** Whether row `row`'s identifier is the bytes `source[start, end)`. */
  idEquals(row: number, source: Uint8Array, start: number, end: number): boolean {
    const [from, to] = this.#span(row);
    if (to - from !== end - start) return false;
    const arena = this.#u8;
    for (let i = 0; i < end - start; i++) if (arena[from + i] !== source[start + i]) return false;
    return true;
  }

  /** The length in bytes of row `row`'s identifier. */
  idLength(row: number): number {
    const [start, end] = this.#span(row);
    return end - start;
  }

  /** Writes row `row`'s identifier as a CSV field into `out` at `at` (no view made); returns the position after it. */
  writeId(out: Uint8Array, at: number, row: number): number {
    const [start, end] = this.#span(row);
    const arena = this.#u8;
    let to = at;
    for (let i = start; i < end; i++) {
      const b = arena[i]!;
      // A comma, quote or line break: the field is quoted, written again from its start.
      if (b === 0x2c || b === 0x22 || b === 0x0a || b === 0x0d) return writeField(out, at, arena.subarray(start, end));
      out[to++] = b;
    }
    return to;
  }

  /** Row `row`'s profit words: low at [offset], high at [offset + 1] of `words` (a view, valid until the next add). */
  profitWords(row: number): { words: Int32Array; offset: number } {
    this.#views();
    return { words: this.#i32, offset: (this.#profits >>> 2) + 2 * row };
  }

  /** Copies a 64-bit column into `target` (a view of `rows` int64 values, as 32-bit words). */
  copyWords(column: WordColumn, target: Int32Array): void {
    if (column === 'profits') {
      this.#views();
      target.set(this.#i32.subarray(this.#profits >>> 2, (this.#profits >>> 2) + 2 * this.rows));
      return;
    }
    copyChunks(this.#words[column]!, target, this.rows, 2);
  }

  /** Copies the pools (one u32 per row) into `target`. */
  copyPool(target: Uint32Array): void {
    copyChunks(this.#pool!, target, this.rows, 1);
  }

  /** Copies the exemptions (one byte per row, 1 exempt) into `target`; false when no row is exempt (nothing copied then). */
  copyExempt(target: Uint8Array): boolean {
    if (this.#exempt === null) return false;
    let any = false;
    for (const chunk of this.#exempt) if (chunk.includes(1)) any = true;
    if (any) copyChunks(this.#exempt, target, this.rows, 1);
    return any;
  }

  /** A 64-bit column of every row as a BigInt64Array of its own. */
  column(column: WordColumn): BigInt64Array {
    const values = new BigInt64Array(this.rows);
    this.copyWords(column, new Int32Array(values.buffer));
    return values;
  }

  /** Drops the identifier set once reading is done (the largest part of the table while reading). */
  sealed(): void {
    this.#core.freeBlocks([this.#set, ...(this.#input ? [this.#input] : [])]);
    this.#set = 0;
    this.#slots = 0;
    this.#input = 0;
    this.#inputSize = 0;
    this.#copied = null;
    this.#writeRecord();
  }

  /** The core's rows formatter over this table (the haircuts file: table-rows.ts). */
  rowsWriter(): TableRows {
    return new TableRows(this.#core, this.#record);
  }

  /** Makes room for one more row of `bytes` identifier bytes (`rows` more rows when given). */
  #room(bytes: number, rows = 1): void {
    const L = this.#core.layout;
    const used = this.#core.fields(this.#record).u32(L.TABLE_ARENA_USED);
    if (used + bytes + L.TABLE_ARENA_SLACK > this.#arenaSize) {
      const size = Math.max(used + bytes + L.TABLE_ARENA_SLACK, Math.ceil(this.#arenaSize * 1.5));
      if (size > 2 ** 32 - 1) throw new RangeError('account identifiers exceed 4 GiB in all');
      this.#arena = this.#move(this.#arena, used, size);
      this.#arenaSize = size;
    }
    if (this.rows + rows > this.#capacity) this.#growColumns(Math.max(this.rows + rows, Math.ceil(this.#capacity * 1.5)));
    if (4 * (this.rows + rows) > 3 * this.#slots) {
      let slots = this.#slots;
      while (4 * (this.rows + rows) > 3 * slots) slots *= 2;
      this.#rehash(slots);
    }
    this.#writeRecord();
    this.#views();
  }

  /** Gives the columns room for `rows` rows. */
  #growColumns(rows: number): void {
    this.#ends = this.#move(this.#ends, 4 * this.rows, 4 * rows);
    this.#profits = this.#move(this.#profits, 8 * this.rows, 8 * rows);
    this.#capacity = rows;
    this.#writeRecord();
  }

  /** A new block of `size` bytes holding the first `keep` bytes of the block at `from`, which is freed. */
  #move(from: number, keep: number, size: number): number {
    const [to] = this.#core.allocBlocks([size]) as [number];
    new Uint8Array(this.#core.buffer).copyWithin(to, from, from + keep);
    this.#core.freeBlocks([from]);
    return to;
  }

  /** Moves the set to `slots` slots. */
  #rehash(slots: number): void {
    const L = this.#core.layout;
    const [set] = this.#core.allocBlocks([L.SET_SLOT_BYTES * slots]) as [number];
    this.#core.zero(set, L.SET_SLOT_BYTES * slots);
    this.#writeRecord();
    this.#core.exports.tableRehash(this.#record, set, slots);
    this.#core.freeBlocks([this.#set]);
    this.#set = set;
    this.#slots = slots;
  }

  /** Writes the blocks' places and sizes into the table record. */
  #writeRecord(): void {
    const L = this.#core.layout, record = this.#core.fields(this.#record);
    record.setU32(L.TABLE_ARENA, this.#arena);
    record.setU32(L.TABLE_ARENA_SIZE, this.#arenaSize);
    record.setU32(L.TABLE_ENDS, this.#ends);
    record.setU32(L.TABLE_PROFITS, this.#profits);
    record.setU32(L.TABLE_CAPACITY, this.#capacity);
    record.setU32(L.TABLE_SET, this.#set);
    record.setU32(L.TABLE_SET_SLOTS, this.#slots);
  }

  /** Makes the views again if the memory grew. */
  #views(): void {
    const buffer = this.#core.buffer;
    if (buffer === this.#buffer) return;
    this.#buffer = buffer;
    this.#u8 = new Uint8Array(buffer);
    this.#u32 = new Uint32Array(buffer);
    this.#i32 = new Int32Array(buffer);
  }
}

/** Copies the first `rows` rows of chunked columns (`width` elements per row) into `target`. */
function copyChunks<T extends Int32Array | Uint32Array | Uint8Array>(chunks: T[], target: T, rows: number, width: number): void {
  for (let c = 0; c < chunks.length; c++) {
    const count = Math.min(CHUNK, rows - c * CHUNK);
    target.set(chunks[c]!.subarray(0, width * count) as never, width * c * CHUNK);
  }
}
