// Engine memory map: where each column lives in the core's linear memory.
// Blocks are few and large (three per book), so a sorted list with first fit
// is enough, and the memory grows by exactly the pages a block needs, which
// keeps a book at 29 bytes per account (a doubling allocator would not).

/** WebAssembly pages are 64 KiB. */
const PAGE = 65_536;
/** wasm32 addresses end at 4 GiB. */
const ADDRESS_SPACE = 2 ** 32;
/** Column alignment: i64 loads want 8; 16 leaves room for 128-bit SIMD. */
const ALIGN = 16;

const align = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/** First-fit placement of blocks above the core's static data. */
export class Heap {
  readonly #memory: WebAssembly.Memory;
  readonly #base: number;
  /** Live blocks [start, end), sorted by start. */
  readonly #blocks: { start: number; end: number }[] = [];

  /** Manages `memory` from byte `base` (the core's `heapBase()`) up. */
  constructor(memory: WebAssembly.Memory, base: number) {
    this.#memory = memory;
    this.#base = align(base);
  }

  /** Places a block of `bytes` (rounded up to 16, at least 16) and returns its address; RangeError when memory runs out. */
  alloc(bytes: number): number {
    const size = Math.max(ALIGN, align(bytes));
    let start = this.#base;
    let at = 0;
    for (; at < this.#blocks.length; at++) {
      const block = this.#blocks[at]!;
      if (block.start - start >= size) break;
      start = block.end;
    }
    const end = start + size;
    if (end > this.#memory.buffer.byteLength) this.#grow(end);
    this.#blocks.splice(at, 0, { start, end });
    return start;
  }

  /** Releases the block at `address`; unknown addresses are ignored. */
  free(address: number): void {
    const at = this.#blocks.findIndex((block) => block.start === address);
    if (at >= 0) this.#blocks.splice(at, 1);
  }

  #grow(end: number): void {
    const pages = Math.ceil((end - this.#memory.buffer.byteLength) / PAGE);
    try {
      if (end > ADDRESS_SPACE) throw new RangeError('past the 4 GiB address space');
      this.#memory.grow(pages);
    } catch (error) {
      throw new RangeError(
        `engine memory exhausted: cannot grow by ${pages * PAGE} bytes to ${end} bytes`, { cause: error },
      );
    }
  }
}
