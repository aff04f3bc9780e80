// Zero-copy books: the profit and haircut columns live in engine memory and
// the caller reads and writes them through views, so a large book crosses the
// JS/WebAssembly boundary without a copy.

import type { Columns, Core } from './core.js';
import type { PoolOptions, PoolParams, SocializeParams, SocializeSummary } from './types.js';
import { readParams, readPoolsInput } from './validate.js';

interface Views {
  buffer: ArrayBuffer;
  profits: BigInt64Array;
  haircuts: BigInt64Array;
  exempt: Uint8Array;
  /** Null until the pool column exists. */
  pool: Uint32Array | null;
}

/**
 * A book of accounts held in engine memory, made by `engine.createBook(n)`.
 * Fill `profits`, call `socialize`, read `haircuts`; `free()` (or `using`) gives the memory back.
 *
 * @example
 * using book = engine.createBook(3);
 * book.profits.set([500n, -20n, 300n]);
 * book.socialize({ loss: 80n });
 * book.haircuts; // BigInt64Array [50n, 0n, 30n]
 */
export class Book {
  /** The number of accounts. */
  readonly length: number;
  #core: Core | null;
  readonly #columns: Columns;
  #views: Views | null = null;
  /** Whether the exempt view was ever handed out (else the column is all zeros). */
  #exemptShared = false;

  /** @internal Books are made by `engine.createBook`. */
  constructor(core: Core, columns: Columns, length: number) {
    this.#core = core;
    this.#columns = columns;
    this.length = length;
    core.zero(columns.profits, 8 * length);
    core.zero(columns.haircuts, 8 * length);
    core.zero(columns.exempt, length);
  }

  /**
   * The profits column (one signed 64-bit profit per account), a view into
   * engine memory: fill it in place. Read the property again after anything
   * that may grow the engine's memory (another book, `engine.socialize`):
   * the wrapper re-creates the view then, and an old one is detached (length 0).
   */
  get profits(): BigInt64Array {
    return this.#currentViews().profits;
  }

  /** The haircuts written by the last `socialize` (zeros before), a view into engine memory. */
  get haircuts(): BigInt64Array {
    return this.#currentViews().haircuts;
  }

  /**
   * One byte per account, zeroed: set a byte to non-zero to exempt that account
   * (haircut 0, not counted in the totals). A view into engine memory, like `profits`.
   */
  get exempt(): Uint8Array {
    this.#exemptShared = true;
    return this.#currentViews().exempt;
  }

  /** Each account's pool (u32, zeroed), for `socializePools`. A view into engine memory, like `profits`. */
  get pool(): Uint32Array {
    const core = this.#live();
    if (!this.#columns.pool) {
      // Created on first use (4 bytes per account), which may grow the memory: views are re-made.
      core.ensurePool(this.#columns, this.length);
      this.#views = null;
    }
    return this.#currentViews().pool!;
  }

  /** Whether `free()` has been called. */
  get freed(): boolean {
    return this.#core === null;
  }

  /**
   * Socializes `loss` over the book's current profits (skipping accounts marked
   * in `exempt`), by `rounding` and `tieSeed` when given, and writes every
   * haircut into `haircuts`. Returns the totals (the same fields as
   * `engine.socialize`, minus `haircuts`). Bad parameters throw before anything is written.
   */
  socialize(params: SocializeParams): SocializeSummary {
    const core = this.#live();
    return core.socialize(this.#columns, this.length, readParams(params), this.#exemptShared);
  }

  /**
   * Socializes each pool of the book (its `pool` view gives each account's index
   * into `pools`) and writes every haircut; returns one summary per pool, each
   * exactly what `socialize` gives for that pool alone. `options` (rounding,
   * tieSeed) apply to every pool; exemptions come from the `exempt` view.
   */
  socializePools(pools: readonly PoolParams[], options: PoolOptions = {}): SocializeSummary[] {
    const core = this.#live();
    const pool = this.pool;
    // Validation reads the views; nothing is copied.
    const input = readPoolsInput({ ...options, profits: this.profits, pool, pools });
    return core.socializePools(this.#columns, this.length, input.pools, input.options, this.#exemptShared);
  }

  /** Returns the book's memory to the engine. Idempotent; the book is unusable afterwards. */
  free(): void {
    if (this.#core === null) return;
    this.#core.freeColumns(this.#columns);
    this.#core = null;
    this.#views = null;
  }

  /** `using book = engine.createBook(n)` frees the book at the end of the block. */
  [Symbol.dispose](): void {
    this.free();
  }

  #live(): Core {
    if (this.#core === null) throw new Error('this book has been freed');
    return this.#core;
  }

  #currentViews(): Views {
    const core = this.#live();
    const buffer = core.buffer;
    // Growing the memory replaced the buffer and detached the old views.
    if (this.#views === null || this.#views.buffer !== buffer) {
      this.#views = {
        buffer,
        profits: core.int64View(this.#columns.profits, this.length),
        haircuts: core.int64View(this.#columns.haircuts, this.length),
        exempt: core.byteView(this.#columns.exempt, this.length),
        pool: this.#columns.pool ? core.uint32View(this.#columns.pool, this.length) : null,
      };
    }
    return this.#views;
  }
}
