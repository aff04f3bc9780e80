// Engine memory map: where each column lives in the core's linear memory.
// Blocks are few and large (four to eight columns per book, a few records per call), so a sorted list with first fit
// is enough, and the memory grows by exactly the pages a block needs, which
// keeps a book at 29 bytes per account (a doubling allocator would not).

import { rangeError } from './errors.js';
import type { ExportedMemory } from './wasm/exports.js';

/** WebAssembly pages are 64 KiB. */
const PAGE = 65_536;
/** wasm32 addresses end at 4 GiB. */
const ADDRESS_SPACE = 2 ** 32;
/** Column alignment: i64 loads want 8; 16 leaves room for 128-bit SIMD. */
const ALIGN = 16;

const align = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/**
 * First-fit placement of blocks above the core's static data. A block freed by a
 * book is retired rather than released: views of it may still be held, so it stays
 * out of use until every view of the memory is detached (any growth does that; when
 * only retired blocks stand in the way, `memory.grow(0)` does it).
 */
export class Heap {
  readonly #memory: ExportedMemory;
  readonly #base: number;
  /** Blocks in use or retired [start, end), sorted by start. */
  readonly #blocks: { start: number; end: number; retired: boolean }[] = [];
  /** How many of the blocks are retired. */
  #retired = 0;
  /**
   * Whether the memory is shared: growing it detaches no view (views of a shared
   * memory stay valid), so retired blocks stay out of use until freed one by one.
   */
  readonly #shared: boolean;

  /** Manages `memory` from byte `base` (the core's `heapBase()`) up. */
  constructor(memory: ExportedMemory, base: number) {
    this.#memory = memory;
    this.#base = align(base);
    this.#shared = typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
  }

  /** Places a block of `bytes` (rounded up to 16, at least 16) and returns its address; RangeError (ERR_MEMORY) when memory runs out. */
  alloc(bytes: number): number {
    const size = Math.max(ALIGN, align(bytes));
    let place = this.#fit(size);
    if (place.end > this.#memory.buffer.byteLength && this.#retired > 0 && !this.#shared) {
      // Rather than grow past retired blocks: detach every view, and they are free.
      this.#detach();
      place = this.#fit(size);
    }
    const grows = place.end > this.#memory.buffer.byteLength;
    if (grows) this.#grow(place.end);
    this.#blocks.splice(place.at, 0, { start: place.start, end: place.end, retired: false });
    // Growing detached every view of the memory: retired blocks are free from now on.
    if (grows && this.#retired > 0 && !this.#shared) this.#release();
    return place.start;
  }

  /** Places a block of each size, all or none (a RangeError frees those already placed); their addresses in order. */
  allocAll(sizes: readonly number[]): number[] {
    const taken: number[] = [];
    try {
      for (const bytes of sizes) taken.push(this.alloc(bytes));
    } catch (error) {
      for (const pointer of taken) this.free(pointer);
      throw error;
    }
    return taken;
  }

  /** Releases the block at `address` (also a retired one); unknown addresses are ignored. */
  free(address: number): void {
    const at = this.#blocks.findIndex((block) => block.start === address);
    if (at >= 0) {
      if (this.#blocks[at]!.retired) this.#retired--;
      this.#blocks.splice(at, 1);
    }
  }

  /**
   * Keeps the block at `address` out of use until every view of the memory has been
   * detached (a freed book's column, which a view kept by the caller may still reach).
   */
  retire(address: number): void {
    const block = this.#blocks.find((entry) => entry.start === address);
    if (block !== undefined && !block.retired) {
      block.retired = true;
      this.#retired++;
    }
  }

  /** The first gap of `size` bytes: its start, end and place in the list. */
  #fit(size: number): { start: number; end: number; at: number } {
    let start = this.#base;
    let at = 0;
    for (; at < this.#blocks.length; at++) {
      const block = this.#blocks[at]!;
      if (block.start - start >= size) break;
      start = block.end;
    }
    return { start, end: start + size, at };
  }

  /** Detaches every view of the memory (`grow(0)` replaces its buffer) and releases the retired blocks. */
  #detach(): void {
    this.#memory.grow(0);
    this.#release();
  }

  /** Releases every retired block: no view of the memory from before they were retired is attached any more. */
  #release(): void {
    for (let at = this.#blocks.length - 1; at >= 0; at--) if (this.#blocks[at]!.retired) this.#blocks.splice(at, 1);
    this.#retired = 0;
  }

  #grow(end: number): void {
    const pages = Math.ceil((end - this.#memory.buffer.byteLength) / PAGE);
    try {
      if (end > ADDRESS_SPACE) throw rangeError('ERR_MEMORY', 'past the 4 GiB address space');
      this.#memory.grow(pages);
    } catch (error) {
      throw rangeError(
        'ERR_MEMORY', `engine memory exhausted: cannot grow by ${pages * PAGE} bytes to ${end} bytes`, { cause: error },
      );
    }
  }
}
