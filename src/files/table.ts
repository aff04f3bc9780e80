// The accounts read from a file, held compactly for 10^7 rows and more:
// identifiers as bytes in one arena, profits (or, for index deltas, units) as
// 64-bit words in chunks, the line of each row (to name both lines of a
// duplicate), an open-addressing hash set over the identifiers, and the
// optional columns a command asked for (pool, exempt, weight, cap). About 28
// bytes per account plus the identifiers' own bytes while reading, 16 after
// (plus 4 for a pool, 1 for exempt, 8 each for weight and cap); no object per row.

import { MAX_ACCOUNTS } from '../core.js';
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

/** Columns of accounts in input order. */
export class AccountTable {
  /** Rows added so far. */
  rows = 0;
  #arena = new Uint8Array(1 << 16);
  #arenaUsed = 0;
  /** Per row: where its identifier ends in the arena (it starts where the previous one ends). */
  #ends: Uint32Array[] = [];
  /** Per row: profit as two 32-bit words (low, high). */
  #profits: Int32Array[] = [];
  #lines: Uint32Array[] = [];
  /**
   * Hash set of rows by identifier: pairs (row + 1, the identifier's hash), 0 empty. The
   * hash beside the row keeps a probe to one cache line and lets the set grow without
   * rereading identifiers.
   */
  #slots = new Uint32Array(2 << 16);
  /** Per row, when asked for: its pool's index. */
  readonly #pool: Uint32Array[] | null;
  /** Per row, when asked for: 1 when exempt. */
  readonly #exempt: Uint8Array[] | null;
  /** Per row, when asked for: weight, cap (or capacity), score and lot as two 32-bit words each. */
  readonly #words: Record<OptionalWordColumn, Int32Array[] | null>;

  /** A table with the optional `columns` (none by default). */
  constructor(columns: TableColumns = {}) {
    this.#pool = columns.pool ? [] : null;
    this.#exempt = columns.exempt ? [] : null;
    this.#words = {
      weights: columns.weights ? [] : null, caps: columns.caps ? [] : null, scores: columns.scores ? [] : null, lots: columns.lots ? [] : null,
    };
  }

  /** Sizes the hash set for about `rows` rows at once (an estimate: it still grows if needed). */
  expect(rows: number): void {
    let size = this.#slots.length >>> 1;
    while (size * 0.7 < rows && size < 2 ** 30) size *= 2;
    if (size > this.#slots.length >>> 1) this.#rehash(size);
  }

  /**
   * Adds a row with identifier bytes `source[start, end)` (with `""` read as `"`
   * when `quoted`), a profit given as its two 32-bit words, and its line.
   * Returns −1, or the earlier row with the same identifier (nothing is added then).
   */
  add(source: Uint8Array, start: number, end: number, quoted: boolean, low: number, high: number, line: number): number {
    const row = this.rows;
    if (row === MAX_ACCOUNTS) throw new RowLimitError(line);
    if (row >>> CHUNK_BITS === this.#ends.length) {
      this.#ends.push(new Uint32Array(CHUNK));
      this.#profits.push(new Int32Array(2 * CHUNK));
      this.#lines.push(new Uint32Array(CHUNK));
      this.#pool?.push(new Uint32Array(CHUNK));
      this.#exempt?.push(new Uint8Array(CHUNK));
      for (const chunks of Object.values(this.#words)) chunks?.push(new Int32Array(2 * CHUNK));
    }
    const from = this.#arenaUsed;
    this.#reserve(end - start);
    const arena = this.#arena;
    let at = from;
    let h = 0x811c9dc5; // FNV-1a, computed while copying
    if (quoted) {
      for (let i = start; i < end; i++) {
        const byte = source[i]!;
        arena[at++] = byte;
        h = Math.imul(h ^ byte, 0x01000193);
        if (byte === 0x22) i++; // "" stands for one quote
      }
    } else {
      for (let i = start; i < end; i++) {
        const byte = source[i]!;
        arena[at++] = byte;
        h = Math.imul(h ^ byte, 0x01000193);
      }
    }
    const duplicate = this.#insert(row, from, at, h >>> 0);
    if (duplicate >= 0) return duplicate;
    this.#arenaUsed = at;
    const chunk = row >>> CHUNK_BITS, k = row & MASK;
    this.#ends[chunk]![k] = at;
    this.#profits[chunk]![2 * k] = low;
    this.#profits[chunk]![2 * k + 1] = high;
    this.#lines[chunk]![k] = line;
    this.rows = row + 1;
    return -1;
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
    return this.#lines[row >>> CHUNK_BITS]![row & MASK]!;
  }

  /** Row `row`'s identifier bytes (a view into the arena, valid until the next add). */
  idOf(row: number): Uint8Array {
    const start = row === 0 ? 0 : this.#ends[(row - 1) >>> CHUNK_BITS]![(row - 1) & MASK]!;
    return this.#arena.subarray(start, this.#ends[row >>> CHUNK_BITS]![row & MASK]!);
  }

  /** Whether row `row`'s identifier is the bytes `source[start, end)`. */
  idEquals(row: number, source: Uint8Array, start: number, end: number): boolean {
    const from = row === 0 ? 0 : this.#ends[(row - 1) >>> CHUNK_BITS]![(row - 1) & MASK]!;
    const to = this.#ends[row >>> CHUNK_BITS]![row & MASK]!;
    if (to - from !== end - start) return false;
    const arena = this.#arena;
    for (let i = 0; i < end - start; i++) if (arena[from + i] !== source[start + i]) return false;
    return true;
  }

  /** The length in bytes of row `row`'s identifier. */
  idLength(row: number): number {
    const start = row === 0 ? 0 : this.#ends[(row - 1) >>> CHUNK_BITS]![(row - 1) & MASK]!;
    return this.#ends[row >>> CHUNK_BITS]![row & MASK]! - start;
  }

  /** Writes row `row`'s identifier as a CSV field into `out` at `at` (no view made); returns the position after it. */
  writeId(out: Uint8Array, at: number, row: number): number {
    const start = row === 0 ? 0 : this.#ends[(row - 1) >>> CHUNK_BITS]![(row - 1) & MASK]!;
    const end = this.#ends[row >>> CHUNK_BITS]![row & MASK]!;
    const arena = this.#arena;
    let to = at;
    for (let i = start; i < end; i++) {
      const b = arena[i]!;
      // A comma, quote or line break: the field is quoted, written again from its start.
      if (b === 0x2c || b === 0x22 || b === 0x0a || b === 0x0d) return writeField(out, at, arena.subarray(start, end));
      out[to++] = b;
    }
    return to;
  }

  /** Row `row`'s profit words: low at [0], high at [1] of the returned pair's chunk, at `offset`. */
  profitWords(row: number): { words: Int32Array; offset: number } {
    return { words: this.#profits[row >>> CHUNK_BITS]!, offset: 2 * (row & MASK) };
  }

  /** Copies a 64-bit column into `target` (a view of `rows` int64 values, as 32-bit words). */
  copyWords(column: WordColumn, target: Int32Array): void {
    const chunks = column === 'profits' ? this.#profits : this.#words[column]!;
    copyChunks(chunks, target, this.rows, 2);
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

  /** Drops the hash set once reading is done (the largest part of the table). */
  sealed(): void {
    this.#slots = new Uint32Array(0);
  }

  #reserve(bytes: number): void {
    // Quoted identifiers shrink when unescaped: `bytes` is an upper bound.
    if (this.#arenaUsed + bytes <= this.#arena.length) return;
    const size = Math.max(this.#arenaUsed + bytes, Math.ceil(this.#arena.length * 1.5));
    if (size > 2 ** 32 - 1) throw new RangeError('account identifiers exceed 4 GiB in all');
    const grown = new Uint8Array(size);
    grown.set(this.#arena.subarray(0, this.#arenaUsed));
    this.#arena = grown;
  }

  /** Inserts row `row` (identifier arena[from, to), hash h); returns the earlier row with the same identifier, or −1. */
  #insert(row: number, from: number, to: number, h: number): number {
    // At most three quarters full (linear probing stays short; 8 bytes a pair keep the set near 11 bytes a row).
    if (8 * (row + 1) > 3 * this.#slots.length) this.#rehash(this.#slots.length);
    const slots = this.#slots;
    const mask = (slots.length >>> 1) - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const held = slots[2 * slot]!;
      if (held === 0) {
        slots[2 * slot] = row + 1;
        slots[2 * slot + 1] = h;
        return -1;
      }
      if (slots[2 * slot + 1] === h && this.idEquals(held - 1, this.#arena, from, to)) return held - 1;
    }
  }

  /** Moves the set to `size` slots (a power of two). */
  #rehash(size: number): void {
    const old = this.#slots;
    const slots = new Uint32Array(2 * size);
    const mask = size - 1;
    for (let s = 0; s < old.length; s += 2) {
      if (old[s] === 0) continue;
      let slot = old[s + 1]! & mask;
      while (slots[2 * slot] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = old[s]!;
      slots[2 * slot + 1] = old[s + 1]!;
    }
    this.#slots = slots;
  }
}

/** Copies the first `rows` rows of chunked columns (`width` elements per row) into `target`. */
function copyChunks<T extends Int32Array | Uint32Array | Uint8Array>(chunks: T[], target: T, rows: number, width: number): void {
  for (let c = 0; c < chunks.length; c++) {
    const count = Math.min(CHUNK, rows - c * CHUNK);
    target.set(chunks[c]!.subarray(0, width * count) as never, width * c * CHUNK);
  }
}
