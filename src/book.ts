// Zero-copy books: the profit and haircut columns live in engine memory and
// the caller reads and writes them through views, so a large book crosses the
// JS/WebAssembly boundary without a copy.

import type { Columns, Core, OptionalColumn } from './core.js';
import { stateError, typeError } from './errors.js';
import { measuresOfFigures, type MeasuresResult } from './measures.js';
import { readMeasureAmounts } from './measures-input.js';
import { checkKeys, OPTION_KEYS } from './option-keys.js';
import { readPoolList, readPoolOptions } from './pools-input.js';
import type { Amount, DeleverageSummary, PoolOptions, PoolParams, Profits, SocializeParams, SocializeSummary } from './types.js';
import { badLot } from './deleverage-input.js';
import {
  checkColumnsRead, checkNonNegative, checkOptionalColumn, describe, readParams, readWeightColumns, readWeighting, toInt64Column,
} from './validate.js';

/** A book's column views (a sharded book's too, one set per shard). */
export interface ColumnViews {
  profits: BigInt64Array;
  haircuts: BigInt64Array;
  exempt: Uint8Array;
  /** Null until (or unless) the pool column exists. */
  pool: Uint32Array | null;
  /** Null until (or unless) the weights column exists. */
  weights: BigInt64Array | null;
  /** Null until (or unless) the caps column exists. */
  caps: BigInt64Array | null;
}

/** The views of a book, and the buffer they were made over. */
interface Views extends ColumnViews {
  buffer: ArrayBuffer;
  /** Null until (or unless) the queue's columns exist. */
  scores: BigInt64Array | null;
  capacities: BigInt64Array | null;
  lots: BigInt64Array | null;
}

declare global {
  // `Symbol.dispose` for consumers whose lib predates it (ES2022 without esnext or
  // @types/node): declared the way lib.esnext.disposable and @types/node declare it,
  // so it merges with theirs where they are present.
  interface SymbolConstructor {
    /** The method `using` declarations call at the end of their block (TC39 explicit resource management). */
    readonly dispose: unique symbol;
  }
}

/** What a book's socialize and socializePools take besides the pools: the plain options, and weights and caps. */
export interface BookParams extends SocializeParams {
  /**
   * Split by weight, with caps (see `SocializeInput.weights`): the book's own
   * `weights` view (no copy), or any other column, copied into it.
   */
  weights?: Profits | undefined;
  /** With `weights`: the book's own `caps` view, or any other column, copied into it. Default max(profit, 0). */
  caps?: Profits | undefined;
}

/** What a book's `deleverage` takes: the amounts, the tie seed, and the queue's columns. */
export interface BookDeleverageParams {
  /** The deficit; 0 ≤ loss ≤ 2^63 − 1. */
  loss: Amount;
  /** What the insurance fund pays first; default 0. */
  insuranceFund?: Amount | undefined;
  /** Equal scores by ascending `splitmix64(tieSeed XOR index)`, then the lower index. */
  tieSeed?: bigint | undefined;
  /** The scores: the book's own `scores` view (the default) or any other column, copied into it. */
  scores?: Profits | undefined;
  /** The capacities: the book's own `capacities` view or any other column, copied into it; default max(profit, 0). */
  capacities?: Profits | undefined;
  /** The lots (> 0): the book's own `lots` view or any other column, copied into it; default 1. */
  lots?: Profits | undefined;
}

/** What a book's `measureHaircuts` takes: the loss and fund the measures are held against, or each pool's. */
export interface BookMeasureParams {
  /** The deficit: with it, `uncovered` and `overshoot` against loss − min(loss, insuranceFund). */
  loss?: Amount | undefined;
  /** The insurance fund paid first; default 0 (with `loss`). */
  insuranceFund?: Amount | undefined;
  /** Each pool's loss and fund: the measures per pool (by the book's `pool` view) and overall. */
  pools?: readonly PoolParams[] | undefined;
}

/** The options of a book's `socializePools`. */
export type BookPoolOptions = PoolOptions & Pick<BookParams, 'weights' | 'caps'>;

/** The weights and caps of a call, read: what to copy into the book's columns (undefined: none given, or its own view, used in place). */
interface Weighting {
  weights: BigInt64Array | undefined;
  caps: BigInt64Array | undefined;
  /** Whether caps were given (else they are max(profit, 0)). */
  capsGiven: boolean;
}

/**
 * Books dropped without `free()` give their memory back once garbage-collected: their
 * columns are retired (kept out of use until every view of the memory is detached,
 * since a view taken from the book may outlive it), exactly as `free()` retires them.
 */
const dropped = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<{ core: Core; columns: Columns }>(({ core, columns }) => core.freeColumns(columns, true))
  : null;

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
  /** The buffer of the last views made (views of it may be held outside), or null: none made. */
  #viewsOf: ArrayBuffer | null = null;
  /** Whether the exempt view was ever handed out (else the column is all zeros). */
  #exemptShared = false;

  /** @internal Books are made by `engine.createBook`. */
  constructor(core: Core, columns: Columns, length: number) {
    this.#core = core;
    this.#columns = columns;
    this.length = length;
    // The held value shares `columns` (optional columns are added to it later), never the book.
    dropped?.register(this, { core, columns }, this);
    core.zero(columns.profits, 8 * length);
    core.zero(columns.haircuts, 8 * length);
    core.zero(columns.exempt, length);
  }

  /**
   * The profits column (one signed 64-bit profit per account), a view into
   * engine memory: fill it in place. Read the property again after anything
   * that may grow the engine's memory (another book, `engine.socialize`):
   * the wrapper re-creates the view then, and an old one is detached (length 0;
   * writes to it go nowhere).
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

  /** Each account's score for `deleverage` (i64, zeroed; larger first): created on first use. A view into engine memory, like `profits`. */
  get scores(): BigInt64Array {
    return this.#optional('scores') as BigInt64Array;
  }

  /** Each account's capacity for `deleverage({ …, capacities: book.capacities })` (i64, zeroed): created on first use. */
  get capacities(): BigInt64Array {
    return this.#optional('capacities') as BigInt64Array;
  }

  /** Each account's lot for `deleverage({ …, lots: book.lots })` (i64, zeroed: set every lot above 0): created on first use. */
  get lots(): BigInt64Array {
    return this.#optional('lots') as BigInt64Array;
  }

  /** The view of an optional column, created on first use, which may grow the memory: views are re-made. */
  #optional(key: OptionalColumn): Uint32Array | BigInt64Array {
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
    // Every parameter is read (accessors run) before the book is checked and anything is written.
    const parsed = readParams(params, OPTION_KEYS.bookSocialize);
    const weighting = this.#readWeighting(params);
    const core = this.#live();
    if (weighting === undefined) return core.socialize(this.#columns, this.length, parsed, this.#exemptShared);
    this.#bringIn(weighting);
    return core.socializeWeighted(this.#columns, this.length, parsed, this.#exemptShared, weighting.capsGiven);
  }

  /**
   * Reads `weights` and `caps` of the parameters (each property once), undefined when the
   * split is not by weight. A column that is the book's own view is used in place; views
   * of other books are copied first (a getter of an array read next could grow the memory
   * and detach them); arrays are read element by element into fresh columns. Every column
   * to copy in is checked whole (signs too): a rejected call leaves the book as it was.
   */
  #readWeighting(params: Pick<BookParams, 'weights' | 'caps'>): Weighting | undefined {
    const n = this.length;
    const given = readWeighting(params.weights, params.caps, n);
    if (given.weights === undefined) return undefined;
    const take = (column: Profits | undefined, pointer: number) =>
      column === undefined || this.#isOwn(column, pointer) ? undefined : this.#core?.snapshot(column) ?? column;
    const read = readWeightColumns(take(given.weights, this.#columns.weights), take(given.caps, this.#columns.caps), n);
    checkColumnsRead(read, n, true);
    return { ...read, capsGiven: given.caps !== undefined };
  }

  /** Copies the weights and caps read by `#readWeighting` into the book's columns (creating them). */
  #bringIn(weighting: Weighting): void {
    if (weighting.weights) this.weights.set(weighting.weights);
    if (weighting.caps) this.caps.set(weighting.caps);
  }

  /** Whether `column` is this book's own view of the column at `pointer` (a current or an earlier one). */
  #isOwn(column: Profits, pointer: number): boolean {
    return pointer !== 0 && this.#core !== null && column instanceof BigInt64Array && column.buffer === this.#core.buffer &&
      column.length === this.length && column.byteOffset === pointer;
  }

  /**
   * The auto-deleveraging queue over the book (as `engine.deleverage`), haircuts written
   * into `haircuts`: scores from the book's `scores` view unless `scores` gives another
   * column; `capacities` and `lots` when given (the book's own views are used in place,
   * other columns copied into them), else max(profit, 0) and 1; exemptions from `exempt`.
   * Returns the totals. Bad parameters throw before anything is written.
   *
   * @example
   * book.scores.set([1n, 3n, 2n]);
   * book.deleverage({ loss: 70n }); // the two highest scores pay
   */
  deleverage(params: BookDeleverageParams): DeleverageSummary {
    // Every parameter is read (accessors run) before the book is checked and anything is written.
    const amounts = readParams(params, OPTION_KEYS.bookDeleverage);
    const n = this.length;
    // Every column is read (accessors run) and checked before any is copied in: a rejected call leaves the book as it was.
    const read = (key: 'scores' | 'capacities' | 'lots', column: unknown) => {
      const given = checkOptionalColumn(column, key, n);
      if (given === undefined || this.#isOwn(given, this.#columns[key])) return { given: given !== undefined, copy: undefined };
      const copy = toInt64Column(this.#core?.snapshot(given) ?? given, key, n, key === 'capacities');
      // A BigInt64Array is taken as it is: its signs are checked here (other columns' were, element by element).
      if (key === 'capacities' && given instanceof BigInt64Array) checkNonNegative(copy, key);
      if (key === 'lots') {
        const bad = copy.findIndex((lot) => lot <= 0n);
        if (bad >= 0) throw badLot(bad, copy[bad]!);
      }
      return { given: true, copy };
    };
    const scores = read('scores', params.scores), capacities = read('capacities', params.capacities), lots = read('lots', params.lots);
    checkColumnsRead({ scores: scores.copy, capacities: capacities.copy, lots: lots.copy }, n);
    const core = this.#live();
    this.#optional('scores');
    if (scores.copy) this.scores.set(scores.copy);
    if (capacities.copy) this.capacities.set(capacities.copy);
    if (lots.copy) this.lots.set(lots.copy);
    const c = this.#columns;
    return core.deleverageBook({
      profits: c.profits, scores: c.scores, capacities: capacities.given ? c.capacities : 0, lots: lots.given ? c.lots : 0,
      exempt: this.#exemptShared ? c.exempt : 0, haircuts: c.haircuts, list: c.candidates,
    }, n, amounts, amounts.tieSeed);
  }

  /**
   * The measures of the book's `haircuts` view (the last call's, or any the caller wrote),
   * exactly `measureHaircuts` of that view with the book's `capacities` column when it has
   * one (else its profits: capacities max(profit, 0)), its `exempt` view, and with `pools`
   * its `pool` view; computed in the core on the book's own columns, nothing copied. With
   * `loss` (and `insuranceFund`), `uncovered` and `overshoot` are held against it; with
   * `pools`, each pool's against its own. The book is not changed.
   *
   * @example
   * book.profits.set([50n, 40n, 30n]);
   * book.scores.set([1n, 3n, 2n]);
   * book.deleverage({ loss: 70n });
   * book.measureHaircuts({ loss: 70n }).gini; // { fraction: '8/21', decimal: '0.380952380952' }
   */
  measureHaircuts(params: BookMeasureParams = {}): MeasuresResult {
    if (typeof params !== 'object' || params === null) throw typeError('ERR_INVALID_TYPE', `the parameters must be an object, got ${describe(params)}`);
    checkKeys(params, OPTION_KEYS.bookMeasureHaircuts);
    // Every parameter is read (accessors run) before the book is read.
    const against = readMeasureAmounts(params, params.pools !== undefined);
    const core = this.#live();
    if (against.pools !== undefined) this.#optional('pool'); // every account in pool 0 until the view is filled
    const c = this.#columns;
    const figures = core.measureBook({
      haircuts: c.haircuts, capacities: c.capacities, profits: c.profits, exempt: this.#exemptShared ? c.exempt : 0,
      pool: against.pools === undefined ? 0 : c.pool, entries: c.candidates,
    }, this.length, against.pools?.length ?? 0);
    return measuresOfFigures(figures, against);
  }

  /**
   * Socializes each pool of the book (its `pool` view gives each account's index
   * into `pools`) and writes every haircut; returns one summary per pool, each
   * exactly what `socialize` gives for that pool alone. `options` (rounding,
   * tieSeed, weights and caps as for `socialize`) apply to every pool; exemptions
   * come from the `exempt` view.
   */
  socializePools(pools: readonly PoolParams[], options: BookPoolOptions = {}): SocializeSummary[] {
    // Every parameter is read (accessors run) before the book is checked and anything is written.
    const parsed = readPoolOptions(options);
    const amounts = readPoolList(pools);
    const weighting = this.#readWeighting(options);
    const core = this.#live();
    this.#optional('pool'); // the pool column, created (zeroed: every account in pool 0) on first use
    if (weighting === undefined) return core.socializePools(this.#columns, this.length, amounts, parsed, this.#exemptShared);
    this.#bringIn(weighting);
    return core.socializePoolsWeighted(this.#columns, this.length, amounts, parsed, this.#exemptShared, weighting.capsGiven);
  }

  /**
   * Returns the book's memory to the engine. Idempotent; the book is unusable
   * afterwards. A view kept from it cannot reach another book: its memory stays out
   * of use until the engine needs it, and then every view of the memory is detached
   * first (as when the memory grows; other books' getters give fresh views).
   */
  free(): void {
    if (this.#core === null) return;
    dropped?.unregister(this);
    // Views made for an earlier buffer are detached already; only attached ones need the columns kept out of use.
    this.#core.freeColumns(this.#columns, this.#viewsOf === this.#core.buffer);
    this.#core = null;
    this.#views = null;
    this.#viewsOf = null;
  }

  /** `using book = engine.createBook(n)` frees the book at the end of the block. */
  [Symbol.dispose](): void {
    this.free();
  }

  #live(): Core {
    if (this.#core === null) throw stateError('ERR_BOOK_FREED', 'this book has been freed');
    return this.#core;
  }

  #currentViews(): Views {
    const core = this.#live();
    const buffer = core.buffer;
    // Growing the memory replaced the buffer and detached the old views.
    if (this.#views === null || this.#views.buffer !== buffer) {
      this.#viewsOf = buffer;
      this.#views = {
        buffer,
        profits: core.int64View(this.#columns.profits, this.length),
        haircuts: core.int64View(this.#columns.haircuts, this.length),
        exempt: core.byteView(this.#columns.exempt, this.length),
        pool: this.#columns.pool ? core.uint32View(this.#columns.pool, this.length) : null,
        weights: this.#columns.weights ? core.int64View(this.#columns.weights, this.length) : null,
        caps: this.#columns.caps ? core.int64View(this.#columns.caps, this.length) : null,
        scores: this.#columns.scores ? core.int64View(this.#columns.scores, this.length) : null,
        capacities: this.#columns.capacities ? core.int64View(this.#columns.capacities, this.length) : null,
        lots: this.#columns.lots ? core.int64View(this.#columns.lots, this.length) : null,
      };
    }
    return this.#views;
  }
}
