// One instance's memory as the wrapper and the split drivers use it: the exports and the
// layout read from them, blocks placed by the heap (src/heap.ts), a book's columns, views
// of them, and the records the phases read (book records, a call's options, pool rows).
// Invariant: every address handed out lies in a block this instance's heap placed, and a
// view is taken from the memory's current buffer, so growing the memory (which detaches
// earlier views) never leaves a caller writing through a stale one.

import { Heap } from '../heap.js';
import type { Options } from '../validate.js';
import type { CoreExports } from '../wasm/exports.js';
import { Fields, readLayout, roundingCode, type Layout } from './layout.js';

/** A WebAssembly memory as the declarations name it (no WebAssembly types in them: a consumer's lib may lack them). */
export interface MemoryLike {
  /** Its bytes: a SharedArrayBuffer when shared. */
  readonly buffer: ArrayBufferLike;
}

/** Where one book's columns live in engine memory. */
export interface Columns {
  /** i64 × n: the profits. */
  profits: number;
  /** i64 × n: the haircuts. */
  haircuts: number;
  /** 12 × n bytes: the kernel's scratch for boundary candidates (remainder u64, index u32). */
  candidates: number;
  /** n bytes: non-zero marks an exempt account. */
  exempt: number;
  /** 4 × n bytes: each account's pool (u32); 0 until pools are used (`ensureColumn`). */
  pool: number;
  /** i64 × n: weights; 0 until weights are used (`ensureColumn`). */
  weights: number;
  /** i64 × n: caps; 0 until caps are used (`ensureColumn`). */
  caps: number;
  /** n bytes: the weighted kernels' scratch (shares, ineligible, capped); 0 until weights are used. */
  mask: number;
  /** i64 × n: the queue's scores; 0 until used (`ensureColumn`). */
  scores: number;
  /** i64 × n: the queue's capacities; 0 until used (`ensureColumn`). */
  capacities: number;
  /** i64 × n: the queue's lots; 0 until used (`ensureColumn`). */
  lots: number;
}

/** The optional columns of a book, each created zeroed on first use. */
export type OptionalColumn = 'pool' | 'weights' | 'caps' | 'scores' | 'capacities' | 'lots';

/** The most accounts one book (or one call) may hold: 29 bytes each in engine memory (33 with pools). */
export const MAX_ACCOUNTS = 100_000_000;

/** Where a record keeps a call's options: the offsets of its rounding code, its seeded flag and its tie seed. */
export interface OptionFields {
  /** Offset of the rounding code (u32). */
  rounding: number;
  /** Offset of the seeded flag (u32). */
  seeded: number;
  /** Offset of the tie seed (u64). */
  seed: number;
}

/** An instance's memory: its blocks, a book's columns, views of them and the phases' records. */
export class CoreMemory {
  /** The instance's exports: its memory, the layout globals and the phases. */
  readonly exports: CoreExports;
  /** The core's layout: record offsets, column sizes, codes. */
  readonly layout: Layout;
  readonly #heap: Heap;

  /** Manages the memory of an instance whose exports these are. */
  protected constructor(exports: CoreExports) {
    this.exports = exports;
    this.#heap = new Heap(exports.memory, exports.heapBase());
    this.layout = readLayout(exports);
  }

  /** Allocates the four columns of an n-account book (profits, haircuts, candidates, exempt); RangeError when memory runs out. */
  allocColumns(n: number): Columns {
    const { AMOUNT_BYTES, CANDIDATE_BYTES, FLAG_BYTES } = this.layout;
    const [profits, haircuts, candidates, exempt] = this.#heap.allocAll([AMOUNT_BYTES * n, AMOUNT_BYTES * n, CANDIDATE_BYTES * n, FLAG_BYTES * n]) as [
      number, number, number, number,
    ];
    return { profits, haircuts, candidates, exempt, pool: 0, weights: 0, caps: 0, mask: 0, scores: 0, capacities: 0, lots: 0 };
  }

  /**
   * Gives `columns` the zeroed optional column `key` if it has none yet: `pool` (4 bytes
   * per account), `weights` (8, with the weighted kernels' mask: 1 more), or `caps`,
   * `scores`, `capacities`, `lots` (8).
   */
  ensureColumn(columns: Columns, n: number, key: OptionalColumn): void {
    if (columns[key]) return;
    const { AMOUNT_BYTES, POOL_INDEX_BYTES, FLAG_BYTES } = this.layout;
    const bytes = key === 'pool' ? POOL_INDEX_BYTES * n : AMOUNT_BYTES * n;
    const mask = key === 'weights' ? this.#heap.alloc(FLAG_BYTES * n) : 0;
    try {
      columns[key] = this.#heap.alloc(bytes);
    } catch (error) {
      if (mask) this.#heap.free(mask);
      throw error;
    }
    if (mask) columns.mask = mask;
    this.zero(columns[key], bytes);
  }

  /** Places blocks of the given sizes, all or none (RangeError when memory runs out); their addresses in order. */
  allocBlocks(sizes: readonly number[]): number[] {
    return this.#heap.allocAll(sizes);
  }

  /** A new block of `size` bytes holding the first `keep` bytes of the block at `from`, which is freed (a block grown). */
  moveBlock(from: number, keep: number, size: number): number {
    const [to] = this.allocBlocks([size]) as [number];
    new Uint8Array(this.exports.memory.buffer).copyWithin(to, from, from + keep);
    this.freeBlocks([from]);
    return to;
  }

  /** Frees blocks placed by `allocBlocks`. */
  freeBlocks(pointers: readonly number[]): void {
    for (const pointer of pointers) this.#heap.free(pointer);
  }

  /** Allocates blocks of the given sizes, runs `task` with their pointers and frees them. */
  withBlocks<T>(sizes: number[], task: (pointers: number[]) => T): T {
    const taken = this.allocBlocks(sizes);
    try {
      return task(taken);
    } finally {
      this.freeBlocks(taken);
    }
  }

  /**
   * Returns a call's columns to the heap. With `retire` (a freed book's, whose views
   * the caller may still hold), they stay out of use until every view of the memory
   * has been detached, so that a kept view cannot reach whatever is placed there next.
   */
  freeColumns(columns: Columns, retire = false): void {
    const release = (pointer: number) => (retire ? this.#heap.retire(pointer) : this.#heap.free(pointer));
    for (const pointer of [columns.profits, columns.haircuts, columns.candidates, columns.exempt]) release(pointer);
    for (const optional of [columns.pool, columns.weights, columns.mask, columns.caps, columns.scores, columns.capacities, columns.lots]) {
      if (optional) release(optional);
    }
  }

  /**
   * A view of n i64 values at `pointer`. Views are tied to the current
   * ArrayBuffer, which growing the memory detaches: take a new view after any allocation.
   */
  int64View(pointer: number, n: number): BigInt64Array {
    return new BigInt64Array(this.exports.memory.buffer, pointer, n);
  }

  /** A view of n u32 values at `pointer` (same caveat as `int64View`). */
  uint32View(pointer: number, n: number): Uint32Array {
    return new Uint32Array(this.exports.memory.buffer, pointer, n);
  }

  /** A view of n bytes at `pointer` (same caveat as `int64View`). */
  byteView(pointer: number, n: number): Uint8Array {
    return new Uint8Array(this.exports.memory.buffer, pointer, n);
  }

  /** Sets `bytes` bytes at `pointer` to zero (a memset, far faster than filling a BigInt64Array with 0n). */
  zero(pointer: number, bytes: number): void {
    new Uint8Array(this.exports.memory.buffer, pointer, bytes).fill(0);
  }

  /** A copy of `view` if it is a view of this memory (which allocating would detach), else `view` itself. */
  snapshot<V extends ArrayLike<unknown>>(view: V): V {
    return ArrayBuffer.isView(view) && view.buffer === this.exports.memory.buffer ? (view as unknown as { slice(): V }).slice() : view;
  }

  /** The core's memory object (a shared memory when built `shared`: a sharded book's coordinator views it). */
  get memory(): MemoryLike {
    return this.exports.memory;
  }

  /** The memory's current buffer (replaced when the memory grows). */
  get buffer(): ArrayBuffer {
    return this.exports.memory.buffer;
  }

  /** The memory's current size in bytes. */
  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  /** A record's fields at `address`. */
  fields(address: number): Fields {
    return new Fields(this.exports.memory, address);
  }

  /** Pool k's row of the pools record at `table`. */
  row(table: number, k: number): Fields {
    return this.fields(table + this.layout.POOLS_HEADER_BYTES + k * this.layout.POOL_ROW_BYTES);
  }

  /** Fills a book record: the columns in use (exempt only when `exemptions`; weights, caps and mask when `weighted`). */
  writeBook(book: number, columns: Columns, n: number, exemptions: boolean, weighted = false, capsGiven = false): void {
    const L = this.layout, fields = this.fields(book);
    this.zero(book, L.BOOK_BYTES);
    fields.setU32(L.BOOK_PROFITS, columns.profits);
    fields.setU32(L.BOOK_HAIRCUTS, columns.haircuts);
    fields.setU32(L.BOOK_CANDIDATES, columns.candidates);
    fields.setU32(L.BOOK_EXEMPT, exemptions ? columns.exempt : 0);
    fields.setU32(L.BOOK_POOL, columns.pool);
    fields.setU32(L.BOOK_WEIGHTS, weighted ? columns.weights : 0);
    fields.setU32(L.BOOK_CAPS, weighted && capsGiven ? columns.caps : 0);
    fields.setU32(L.BOOK_MASK, weighted ? columns.mask : 0);
    fields.setU32(L.BOOK_COUNT, n);
  }

  /** Writes a call's rounding and tie seed at the given offsets of a record. */
  writeOptions(fields: Fields, options: Options, at: OptionFields): void {
    fields.setU32(at.rounding, roundingCode(this.layout, options.rounding));
    fields.setU32(at.seeded, options.tieSeed === undefined ? 0 : 1);
    fields.setU64(at.seed, options.tieSeed ?? 0n);
  }

  /** The split record's options fields. */
  get splitOptions(): OptionFields {
    const L = this.layout;
    return { rounding: L.SPLIT_ROUNDING, seeded: L.SPLIT_SEEDED, seed: L.SPLIT_SEED };
  }

  /** The pools record's options fields. */
  get poolsOptions(): OptionFields {
    const L = this.layout;
    return { rounding: L.POOLS_ROUNDING, seeded: L.POOLS_SEEDED, seed: L.POOLS_SEED };
  }
}
