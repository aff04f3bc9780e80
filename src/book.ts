// Zero-copy books: the profit and haircut columns live in engine memory and
// the caller reads and writes them through views, so a large book crosses the
// JS/WebAssembly boundary without a copy.

import type { Columns, Core } from './core.js';
import type { PoolOptions, PoolParams, Profits, SocializeParams, SocializeSummary } from './types.js';
import { checkNonNegativeColumn, checkOptionalColumn, copyColumn, readParams, readPoolsInput } from './validate.js';

interface Views {
  buffer: ArrayBuffer;
  profits: BigInt64Array;
  haircuts: BigInt64Array;
  exempt: Uint8Array;
  /** Null until the pool column exists. */
  pool: Uint32Array | null;
  /** Null until the weights column exists. */
  weights: BigInt64Array | null;
  /** Null until the caps column exists. */
  caps: BigInt64Array | null;
}

/** What a book's socialize and socializePools take besides the pools: the plain options, and weights and caps. */
export interface BookParams extends SocializeParams {
  /**
   * Split by weight, with caps (see `SocializeInput.weights`): the book's own
   * `weights` view (no copy), or any other column, copied into it.
   */
  weights?: Profits;
  /** With `weights`: the book's own `caps` view, or any other column, copied into it. Default max(profit, 0). */
  caps?: Profits;
}

/** The options of a book's `socializePools`. */
export type BookPoolOptions = PoolOptions & Pick<BookParams, 'weights' | 'caps'>;

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
    return this.#optional('pool') as Uint32Array;
  }

  /**
   * Each account's weight (i64, zeroed), for `socialize({ loss, weights: book.weights })`:
   * created on first use (8 bytes per account, and 1 of scratch). A view into engine memory, like `profits`.
   */
  get weights(): BigInt64Array {
    return this.#optional('weights') as BigInt64Array;
  }

  /**
   * Each account's cap (i64, zeroed), for `socialize({ loss, weights: book.weights, caps: book.caps })`:
   * created on first use (8 bytes per account). A view into engine memory, like `profits`.
   */
  get caps(): BigInt64Array {
    return this.#optional('caps') as BigInt64Array;
  }

  /** The view of an optional column, created on first use, which may grow the memory: views are re-made. */
  #optional(key: 'pool' | 'weights' | 'caps'): Uint32Array | BigInt64Array {
    const core = this.#live();
    if (!this.#columns[key]) {
      core.ensureColumn(this.#columns, this.length, key);
      this.#views = null;
    }
    return this.#currentViews()[key]!;
  }

  /** Whether `free()` has been called. */
  get freed(): boolean {
    return this.#core === null;
  }

  /**
   * Socializes `loss` over the book's current profits (skipping accounts marked
   * in `exempt`), by `rounding` and `tieSeed` when given, and writes every
   * haircut into `haircuts`; with `weights` (best the book's own `weights` view,
   * and `caps`), split by weight with caps. Returns the totals (the same fields as
   * `engine.socialize`, minus `haircuts`). Bad parameters throw before anything is written.
   */
  socialize(params: BookParams): SocializeSummary {
    const core = this.#live();
    const parsed = readParams(params);
    if (!this.#weighting(params)) return core.socialize(this.#columns, this.length, parsed, this.#exemptShared);
    return core.socializeWeighted(this.#columns, this.length, parsed, this.#exemptShared, params.caps !== undefined);
  }

  /**
   * Checks `weights` and `caps` of the parameters and brings them into the book's
   * columns (a column that is the book's own view is used as is). Returns whether
   * the split is by weight.
   */
  #weighting(params: Pick<BookParams, 'weights' | 'caps'>): boolean {
    const { weights, caps } = params;
    const n = this.length;
    checkOptionalColumn(weights, 'weights', n);
    checkOptionalColumn(caps, 'caps', n);
    if (caps !== undefined && weights === undefined) throw new TypeError('caps are only read with weights: give weights too');
    if (weights === undefined) return false;
    const core = this.#live();
    // Other views of engine memory (another book's) would be detached if creating the columns grows it.
    const snapshot = (column: Profits | undefined, own: boolean) =>
      !own && column instanceof BigInt64Array && column.buffer === core.buffer ? column.slice() : column;
    const columns = [
      { field: 'weights', column: weights, own: this.#isOwn(weights, this.#columns.weights) },
      { field: 'caps', column: caps, own: this.#isOwn(caps, this.#columns.caps) },
    ].map(({ field, column, own }) => ({ field, own, source: snapshot(column, own) }));
    // Other columns are checked whole before either is copied in: a rejected call leaves the book as it was.
    for (const { field, source, own } of columns) if (source !== undefined && !own) checkNonNegativeColumn(source, field);
    for (const { field, source, own } of columns) {
      if (source === undefined || own) continue;
      copyColumn(source, field === 'weights' ? this.weights : this.caps, field);
    }
    return true;
  }

  /** Whether `column` is this book's own view of the column at `pointer` (a current or an earlier one). */
  #isOwn(column: Profits | undefined, pointer: number): boolean {
    return pointer !== 0 && column instanceof BigInt64Array && column.buffer === this.#live().buffer &&
      column.length === this.length && column.byteOffset === pointer;
  }

  /**
   * Socializes each pool of the book (its `pool` view gives each account's index
   * into `pools`) and writes every haircut; returns one summary per pool, each
   * exactly what `socialize` gives for that pool alone. `options` (rounding,
   * tieSeed, weights and caps as for `socialize`) apply to every pool; exemptions
   * come from the `exempt` view.
   */
  socializePools(pools: readonly PoolParams[], options: BookPoolOptions = {}): SocializeSummary[] {
    const core = this.#live();
    const pool = this.pool;
    // Validation reads the views; nothing is copied.
    const input = readPoolsInput({ rounding: options.rounding, tieSeed: options.tieSeed, profits: this.profits, pool, pools });
    if (!this.#weighting(options)) return core.socializePools(this.#columns, this.length, input.pools, input.options, this.#exemptShared);
    return core.socializePoolsWeighted(this.#columns, this.length, input.pools, input.options, this.#exemptShared, options.caps !== undefined);
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
        weights: this.#columns.weights ? core.int64View(this.#columns.weights, this.length) : null,
        caps: this.#columns.caps ? core.int64View(this.#columns.caps, this.length) : null,
      };
    }
    return this.#views;
  }
}
