// A sharded book: one contiguous range of accounts per shard, with the column views of
// a book (into each shard's shared memory, or arrays of the coordinator's that the
// copying path sends at each call). Its calls go through its engine's queue.

import type { ColumnViews } from '../book.js';
import { stateError, typeError } from '../errors.js';
import type { PoolOptions, PoolParams, SocializeParams, SocializeSummary } from '../types.js';
import { OPTION_KEYS } from '../option-keys.js';
import { readPoolList, readPoolOptions } from '../pools-input.js';
import { readParams, type Amounts, type Options } from '../validate.js';
import type { CallMode } from './call.js';

/** One shard's range of a sharded book, with the same column views as a book. */
export interface BookShard {
  /** The shard's first account (global index). */
  readonly start: number;
  /** One past its last account. */
  readonly end: number;
  /** end − start. */
  readonly length: number;
  /** Profits of accounts start … end − 1: fill in place. */
  readonly profits: BigInt64Array;
  /** Their haircuts after a call. */
  readonly haircuts: BigInt64Array;
  /** Non-zero exempts an account. */
  readonly exempt: Uint8Array;
  /** Each account's pool (books made with `{ pools: true }`). */
  readonly pool: Uint32Array;
  /** Each account's weight (books made with `{ weights: true }`). */
  readonly weights: BigInt64Array;
  /** Each account's cap (books made with `{ caps: true }`). */
  readonly caps: BigInt64Array;
}

/** What a book asks of the engine that made it (the ShardedEngine): its calls and its memory, queued. */
export interface BookOwner {
  /** Whether the shards share memory with the caller (views are in place). */
  readonly shared: boolean;
  /** A book's call, queued. */
  _call(book: number, views: Views[], pools: Amounts[], options: Options, mode: CallMode): Promise<SocializeSummary[]>;
  /** Frees a book in every shard, queued. */
  _free(book: number, retire: boolean): Promise<void>;
}

/** Options of `createBook`: the optional columns the book has. */
export interface ShardedBookOptions {
  /** A pool column (4 more bytes per account), for `socializePools`. */
  pools?: boolean | undefined;
  /** A weights column (9 more bytes per account), for a split by weight. */
  weights?: boolean | undefined;
  /** A caps column (8 more bytes per account), for a split by weight with caps. */
  caps?: boolean | undefined;
}

/** A sharded book's `socialize` parameters: the plain ones, and whether to split by its weights (and caps) columns. */
export interface ShardedBookParams extends Omit<SocializeParams, 'weights' | 'caps'> {
  /** Split by the book's `weights` views (a book made with `{ weights: true }`), as one engine's `weights`. */
  weights?: boolean | undefined;
  /** With `weights`: cap each account at its `caps` view (a book made with `{ caps: true }`); default max(profit, 0). */
  caps?: boolean | undefined;
}

/** A sharded book's `socializePools` options. */
export type ShardedPoolOptions = PoolOptions & Pick<ShardedBookParams, 'weights' | 'caps'>;

/** A book's views of one shard: into its shared memory (in place) or of a copy kept here. */
export type Views = ColumnViews;

/**
 * What survives a book for its memory's sake: how many of the views handed out are not
 * yet collected, whether it was freed, and how to free it (`drop`) and to release a freed
 * book's retired memory (`release`), neither holding the book.
 */
interface Held {
  views: number;
  freed: boolean;
  drop: (retire: boolean) => void;
  release: () => void;
}

const registries = typeof FinalizationRegistry === 'function';

/** Releases a freed book's shared memory once no view of it handed out is left. */
const collected = registries
  ? new FinalizationRegistry<Held>((held) => {
    held.views--;
    if (held.freed && held.views === 0) held.release();
  })
  : null;

/** Frees the memory of a book dropped without `free()` (retired while views of it are still held), as `free()` does. */
const dropped = registries
  ? new FinalizationRegistry<Held>((held) => {
    if (held.freed) return;
    held.freed = true;
    held.drop(held.views > 0);
  })
  : null;

/** Splits n accounts into k contiguous ranges, as even as they come: the starts, and n last. */
export function ranges(n: number, k: number): number[] {
  return Array.from({ length: k + 1 }, (_, j) => Math.floor((n * j) / k));
}

/**
 * A book split over the shards of a sharded engine, made by `createBook`. Fill each
 * `shards[i]`'s views (accounts `start` to `end − 1` of the whole book), then
 * `await book.socialize(params)`: exactly what one engine's book gives for the whole book.
 * Do not write to the views while a call is in flight.
 */export class ShardedBook {
  /** The number of accounts. */
  readonly length: number;
  /** Each shard's range and column views, in order. */
  readonly shards: readonly BookShard[];
  readonly #engine: BookOwner;
  readonly #id: number;
  readonly #columns: { pools: boolean; weights: boolean; caps: boolean };
  /** Each shard's views; emptied by `free()`, so that only views the caller kept keep them (and the memory) alive. */
  #views: Views[];
  readonly #held: Held;
  #freed = false;
  /** Whether an exempt view was handed out (else the columns are zeros). */
  #exemptShared = false;

  /** @internal Made by `ShardedEngine.createBook`. */
  constructor(
    engine: BookOwner, id: number, length: number, bounds: number[], views: Views[], columns: { pools: boolean; weights: boolean; caps: boolean },
    release: () => void,
  ) {
    this.#engine = engine;
    this.#id = id;
    this.length = length;
    this.#columns = columns;
    this.#views = views;
    this.#held = { views: 0, freed: false, release, drop: (retire) => void engine._free(id, retire).catch(() => {}) };
    dropped?.register(this, this.#held, this);
    const book = this;
    this.shards = views.map((_, j) => {
      const start = bounds[j]!, end = bounds[j + 1]!;
      return Object.freeze({
        start, end, length: end - start,
        get profits() { return book.#hand(j, 'profits') as BigInt64Array; },
        get haircuts() { return book.#hand(j, 'haircuts') as BigInt64Array; },
        get exempt() { return book.#hand(j, 'exempt') as Uint8Array; },
        get pool() { return book.#hand(j, 'pool') as Uint32Array; },
        get weights() { return book.#hand(j, 'weights') as BigInt64Array; },
        get caps() { return book.#hand(j, 'caps') as BigInt64Array; },
      });
    });
  }

  /** A view handed to the caller: counted, so that a freed book's shared memory is released only once every view is collected. */
  #hand(j: number, key: keyof Views): BigInt64Array | Uint8Array | Uint32Array {
    if (this.#freed) throw stateError('ERR_BOOK_FREED', 'this book has been freed');
    if (key === 'exempt') this.#exemptShared = true;
    const view = this.#views[j]![key];
    if (view === null) throw missing(key);
    if (this.#engine.shared && collected !== null && !handedOut.has(view)) {
      handedOut.add(view);
      this.#held.views++;
      collected.register(view, this.#held);
    }
    return view;
  }

  /** Whether `free()` has been called. */
  get freed(): boolean {
    return this.#freed;
  }

  /**
   * Socializes `loss` over the whole book (exemptions from the `exempt` views), by
   * `rounding` and `tieSeed`, and writes every haircut into the shards' `haircuts`.
   * Resolves with the totals, exactly as one engine's `book.socialize`.
   */
  async socialize(params: ShardedBookParams): Promise<SocializeSummary> {
    const parsed = readParams(params, OPTION_KEYS.bookSocialize);
    const [summary] = await this.#run([parsed], parsed, false, params);
    return summary!;
  }

  /**
   * Socializes each pool (the `pool` views give each account's index into `pools`):
   * one summary per pool, exactly as one engine's `book.socializePools`.
   */
  async socializePools(pools: readonly PoolParams[], options: ShardedPoolOptions = {}): Promise<SocializeSummary[]> {
    const parsed = readPoolOptions(options);
    const amounts = readPoolList(pools);
    if (!this.#columns.pools) throw missing('pool');
    return this.#run(amounts, parsed, true, options);
  }

  async #run(pools: Amounts[], options: Options, pooled: boolean, given: Pick<ShardedBookParams, 'weights' | 'caps'>): Promise<SocializeSummary[]> {
    const { weights, caps } = given;
    for (const [field, value] of [['weights', weights], ['caps', caps]] as const) {
      if (value !== undefined && typeof value !== 'boolean') {
        throw typeError('ERR_INVALID_TYPE', `${field} must be a boolean (the book's own ${field} column), got ${typeof value}`);
      }
    }
    if (caps === true && weights !== true) throw typeError('ERR_INVALID_OPTION', 'caps are only read with weights: give weights too');
    if (weights === true && !this.#columns.weights) throw missing('weights');
    if (caps === true && !this.#columns.caps) throw missing('caps');
    if (this.#freed) throw stateError('ERR_BOOK_FREED', 'this book has been freed');
    const mode = { pooled, exemptions: this.#exemptShared, weighted: weights === true, capsGiven: caps === true };
    return this.#engine._call(this.#id, this.#views, pools, options, mode);
  }

  /** Gives the book's memory back to the shards (a freed book's views stay out of reach of other books). Idempotent. */
  async free(): Promise<void> {
    if (this.#freed) return;
    this.#freed = true;
    this.#held.freed = true;
    this.#views = [];
    dropped?.unregister(this);
    await this.#engine._free(this.#id, this.#held.views > 0);
  }

  /** `await using book = await sharded.createBook(n)` frees the book at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.free();
  }
}

/** Views handed out at least once (weakly held: they are counted once each). */
const handedOut = new WeakSet<object>();

/** The error for a column the book was not made with. */
export function missing(column: keyof Views): TypeError {
  const option = column === 'pool' ? 'pools' : column;
  return typeError('ERR_INVALID_OPTION', `this book has no ${column} column: make it with createBook(n, { ${option}: true })`);
}
