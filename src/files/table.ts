// The accounts read from a file, held in an instance of the WebAssembly core of their own
// (assembly/files/): identifiers end to end in an arena, profits (or, for index deltas,
// units) as i64, the optional columns a command asks for (pool, exempt, weight, cap, score,
// lot), the pools known by name, and the identifier set, so that the core's scanner
// (`scanCsv`) takes plain CSV records straight into the table and its formatter
// (`formatRows`) writes the haircuts file from it. About 12 bytes per account plus the
// identifier's bytes (4 more for a pool, 1 for exempt, 8 for each 64-bit column), and the
// set's 8 per slot while reading; the lines of rows are kept as runs. No object per row.

import { MAX_ACCOUNTS, simdSupported, type Variant } from '../core.js';
import { Core } from '../core/core.js';
import { Engine } from '../engine.js';
import { MAX_RECORD_BYTES } from './chunks.js';
import { TableRows } from './table-rows.js';
import { TablePools } from './table-pools.js';
import { TableScan } from './table-scan.js';
import { writeField } from './write.js';
import { RowLimitError, type CoreTally, type CsvShape, type OptionalWordColumn, type TableColumns, type WordColumn } from './table-shape.js';

export { RowLimitError, type CoreTally, type CsvShape, type Role, type TableColumns, type WordColumn } from './table-shape.js';

/** The optional columns as the table record names them, with their bytes per row. */
const OPTIONAL = [
  ['pool', 'TABLE_POOL', 4], ['exempt', 'TABLE_EXEMPT', 1], ['weights', 'TABLE_WEIGHTS', 8],
  ['caps', 'TABLE_CAPS', 8], ['scores', 'TABLE_SCORES', 8], ['lots', 'TABLE_LOTS', 8],
] as const;

/** Columns of accounts in input order. */
export class AccountTable {
  /** Rows added so far. */
  rows = 0;
  /** The table's instance of the core; a run's engine (`engine()`) shares it, so that its book reuses what reading freed. */
  readonly #core: Core;
  readonly #variant: Variant;
  #engine: Engine | null = null;
  #rows: TableRows | null = null;
  /** The table record (assembly/layout.ts). */
  readonly #record: number;
  /** The scanner's record, input, roles and tallies, and verify's check (table-scan.ts). */
  readonly #scan: TableScan;
  /** The blocks: arena, ends (u32), profits (i64), the optional columns, set, the scanner's input and roles. */
  #arena = 0;
  #arenaSize = 1 << 20;
  #arenaUsed = 0;
  #ends = 0;
  #profits = 0;
  /** Each optional column's block (0: not held), by name. */
  readonly #columns: Record<keyof TableColumns, number> = { pool: 0, exempt: 0, weights: 0, caps: 0, scores: 0, lots: 0 };
  #capacity = 1 << 16;
  #set = 0;
  #slots = 1 << 17;
  /** Views of the core's memory, made again when it grows. */
  #buffer: ArrayBuffer | null = null;
  #u8 = new Uint8Array(0);
  #u32 = new Uint32Array(0);
  #i32 = new Int32Array(0);
  /** Each row's line: `row + delta` of the last entry at or before it (rows, deltas); one entry per change. */
  readonly #lineRows: number[] = [0];
  readonly #lineDeltas: number[] = [0];
  /** The pools the scanner knows by name (a table with a pool column). */
  readonly pools: TablePools | null;

  /** A table with the optional `columns` (none by default), in an instance of the `variant` build (SIMD where it runs). */
  constructor(columns: TableColumns = {}, variant: Variant = simdSupported() ? 'simd' : 'scalar') {
    this.#core = Core.now(variant);
    this.#variant = variant;
    const L = this.#core.layout;
    [this.#record, this.#arena, this.#ends, this.#profits, this.#set] = this.#core.allocBlocks([
      L.TABLE_BYTES, this.#arenaSize, 4 * this.#capacity, 8 * this.#capacity, L.SET_SLOT_BYTES * this.#slots,
    ]) as [number, number, number, number, number];
    this.#core.zero(this.#record, L.TABLE_BYTES);
    this.#core.zero(this.#set, L.SET_SLOT_BYTES * this.#slots);
    for (const [name, , width] of OPTIONAL) {
      if (!columns[name]) continue;
      this.#columns[name] = this.#core.allocBlocks([width * this.#capacity])[0]!;
      this.#core.zero(this.#columns[name], width * this.#capacity);
    }
    this.pools = columns.pool ? new TablePools(this.#core, this.#record) : null;
    this.#scan = new TableScan(this.#core, this.#record);
    this.#writeRecord();
  }

  /** Sizes the set and the columns for about `rows` rows at once (an estimate: they still grow if needed). */
  expect(rows: number): void {
    // A fiftieth to spare: the estimate comes from the first chunk's rows.
    const wanted = Math.min(Math.ceil(rows * 1.02), MAX_ACCOUNTS);
    if (wanted > this.#capacity) this.#growColumns(wanted);
    // The arena at the identifiers' mean length so far, with a tenth to spare.
    const mean = this.rows > 0 ? this.#arenaUsed / this.rows : 8;
    const bytes = Math.min(2 ** 32 - 1, Math.ceil(wanted * mean * 1.1) + 1024);
    if (bytes > this.#arenaSize) this.#growArena(bytes);
    let slots = this.#slots;
    while (slots * 0.75 < wanted && slots < 2 ** 29) slots *= 2;
    if (slots > this.#slots) this.#rehash(slots);
    this.#writeRecord();
  }

  /**
   * Adds a row with identifier bytes `source[start, end)` (with `""` read as `"`
   * when `quoted`), a profit given as its two 32-bit words, and its line.
   * Returns −1, or the earlier row with the same identifier (nothing is added then).
   */
  add(source: Uint8Array, start: number, end: number, quoted: boolean, low: number, high: number, line: number): number {
    const row = this.rows;
    if (row === MAX_ACCOUNTS) throw new RowLimitError(line);
    this.#room(end - start, 1);
    const arena = this.#u8;
    let at = this.#arena + this.#arenaUsed;
    if (quoted) {
      for (let i = start; i < end; i++) {
        arena[at++] = source[i]!;
        if (source[i] === 0x22) i++; // "" stands for one quote
      }
    } else {
      arena.set(source.subarray(start, end), at);
      at += end - start;
    }
    const words = (this.#profits >>> 2) + 2 * row;
    this.#i32[words] = low;
    this.#i32[words + 1] = high;
    const earlier = this.#core.exports.tableInsert(this.#record, at - this.#arena - this.#arenaUsed);
    if (earlier >= 0) return earlier;
    this.#arenaUsed = at - this.#arena;
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
    const scan = this.#scan.prepare(buffer, shape) >>> 2;
    this.#views(); // preparing may have grown the memory
    let at = pos;
    for (;;) {
      this.#u32[scan + L.SCAN_POSITION / 4] = at;
      const before = this.rows;
      this.#core.exports.scanCsv(this.#record, this.#scan.record);
      const taken = this.#u32[(this.#record + L.TABLE_ROWS) >>> 2]! - before;
      this.#arenaUsed = this.#u32[(this.#record + L.TABLE_ARENA_USED) >>> 2]!;
      if (taken > 0) this.#added(before, taken, line);
      line += taken;
      at = this.#u32[scan + L.SCAN_POSITION / 4]!;
      if (this.#u32[scan + L.SCAN_STATUS / 4] !== L.SCAN_FULL) return at;
      this.#room(Math.min(buffer.length - at, MAX_RECORD_BYTES), 1);
    }
  }

  /**
   * An engine over this table's instance of the core: its books live in the same memory, where
   * the identifier set freed by `sealed` makes room for them (one engine per table).
   */
  engine(): Engine {
    this.#engine ??= new Engine(this.#core, this.#variant);
    return this.#engine;
  }

  /** What the scanner rounded so far, column by column (each taken once: the counts start again from 0). */
  takeTallies(): CoreTally[] {
    return this.#scan.takeTallies();
  }

  /** verify's check of a haircut file's plain records against this table, by the core (table-scan.ts's `check`). */
  checkCsv(...args: Parameters<TableScan['check']>): ReturnType<TableScan['check']> {
    return this.#scan.check(...args);
  }

  /** Records `count` rows added from `row` on, the first at `line` and each on the next line. */
  #added(row: number, count: number, line: number): void {
    if (line - row !== this.#lineDeltas.at(-1)) {
      this.#lineRows.push(row);
      this.#lineDeltas.push(line - row);
    }
    this.rows = row + count;
  }

  /** Sets the last added row's pool (the table must hold pools). */
  setPool(pool: number): void {
    this.#u32[(this.#columns.pool >>> 2) + this.rows - 1] = pool;
  }

  /** Marks the last added row exempt (the table must hold exemptions). */
  setExempt(): void {
    this.#u8[this.#columns.exempt + this.rows - 1] = 1;
  }

  /** Sets the last added row's weight, cap, score or lot as two 32-bit words (the table must hold that column). */
  setWords(column: OptionalWordColumn, low: number, high: number): void {
    const at = (this.#columns[column] >>> 2) + 2 * (this.rows - 1);
    this.#i32[at] = low;
    this.#i32[at + 1] = high;
  }

  /** Row `row`'s pool index (0 when the table holds no pools). */
  poolOf(row: number): number {
    if (this.#columns.pool === 0) return 0;
    this.#views();
    return this.#u32[(this.#columns.pool >>> 2) + row]!;
  }

  /** How many rows each of `pools` pools holds (a table with a pool column). */
  poolCounts(pools: number): number[] {
    const counts = new Array<number>(pools).fill(0);
    this.#views();
    const column = this.#u32.subarray(this.#columns.pool >>> 2, (this.#columns.pool >>> 2) + this.rows);
    for (let row = 0; row < column.length; row++) counts[column[row]!]!++;
    return counts;
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
    const at = (column === 'profits' ? this.#profits : this.#columns[column]) >>> 2;
    this.#views();
    target.set(this.#i32.subarray(at, at + 2 * this.rows));
  }

  /** Copies the pools (one u32 per row) into `target`. */
  copyPool(target: Uint32Array): void {
    this.#views();
    target.set(this.#u32.subarray(this.#columns.pool >>> 2, (this.#columns.pool >>> 2) + this.rows));
  }

  /** Copies the exemptions (one byte per row, 1 exempt) into `target`; false when no row is exempt (nothing copied then). */
  copyExempt(target: Uint8Array): boolean {
    if (this.#columns.exempt === 0) return false;
    this.#views();
    const flags = this.#u8.subarray(this.#columns.exempt, this.#columns.exempt + this.rows);
    if (!flags.includes(1)) return false;
    target.set(flags);
    return true;
  }

  /** A 64-bit column of every row as a BigInt64Array of its own. */
  column(column: WordColumn): BigInt64Array {
    const values = new BigInt64Array(this.rows);
    this.copyWords(column, new Int32Array(values.buffer));
    return values;
  }

  /** Drops the identifier set once reading is done (the largest part of the table while reading). */
  sealed(): void {
    this.#core.freeBlocks([this.#set]);
    this.#scan.release();
    this.#set = 0;
    this.#slots = 0;
    // The formatter's blocks now, before a book of the table's engine takes views that a growth would detach.
    this.rowsWriter();
    this.#writeRecord();
  }

  /** The core's rows formatter over this table (the haircuts file: table-rows.ts), its blocks placed on first use. */
  rowsWriter(): TableRows {
    this.#rows ??= new TableRows(this.#core, this.#record);
    return this.#rows;
  }

  /** Makes room for `rows` more rows and `bytes` more identifier bytes. */
  #room(bytes: number, rows: number): void {
    const L = this.#core.layout;
    let grew = false;
    if (this.#arenaUsed + bytes + L.TABLE_ARENA_SLACK > this.#arenaSize) {
      this.#growArena(Math.max(this.#arenaUsed + bytes + L.TABLE_ARENA_SLACK, Math.ceil(this.#arenaSize * 1.5)));
      grew = true;
    }
    if (this.rows + rows > this.#capacity) {
      this.#growColumns(Math.max(this.rows + rows, Math.ceil(this.#capacity * 1.25)));
      grew = true;
    }
    if (4 * (this.rows + rows) > 3 * this.#slots) {
      let slots = this.#slots;
      while (4 * (this.rows + rows) > 3 * slots) slots *= 2;
      this.#rehash(slots);
      grew = true;
    }
    if (grew) this.#writeRecord();
    this.#views();
  }

  /** Moves the arena to a block of `size` bytes. */
  #growArena(size: number): void {
    if (size > 2 ** 32 - 1) throw new RangeError('account identifiers exceed 4 GiB in all');
    this.#arena = this.#core.moveBlock(this.#arena, this.#arenaUsed, size);
    this.#arenaSize = size;
  }

  /** Gives the columns room for `rows` rows (the exempt column's new rows zeroed: the reader marks only the exempt). */
  #growColumns(rows: number): void {
    this.#ends = this.#core.moveBlock(this.#ends, 4 * this.rows, 4 * rows);
    this.#profits = this.#core.moveBlock(this.#profits, 8 * this.rows, 8 * rows);
    for (const [name, , width] of OPTIONAL) {
      if (this.#columns[name] === 0) continue;
      this.#columns[name] = this.#core.moveBlock(this.#columns[name], width * this.rows, width * rows);
      if (name === 'exempt') this.#core.zero(this.#columns.exempt + this.rows, rows - this.rows);
    }
    this.#capacity = rows;
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

  /** Writes the blocks' places and sizes, and what is used, into the table record. */
  #writeRecord(): void {
    const L = this.#core.layout, record = this.#core.fields(this.#record);
    record.setU32(L.TABLE_ARENA, this.#arena);
    record.setU32(L.TABLE_ARENA_SIZE, this.#arenaSize);
    record.setU32(L.TABLE_ARENA_USED, this.#arenaUsed);
    record.setU32(L.TABLE_ENDS, this.#ends);
    record.setU32(L.TABLE_PROFITS, this.#profits);
    record.setU32(L.TABLE_CAPACITY, this.#capacity);
    record.setU32(L.TABLE_ROWS, this.rows);
    record.setU32(L.TABLE_SET, this.#set);
    record.setU32(L.TABLE_SET_SLOTS, this.#slots);
    for (const [name, field] of OPTIONAL) record.setU32(L[field], this.#columns[name]);
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
