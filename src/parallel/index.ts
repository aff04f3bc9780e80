// `socialized-loss/parallel`: the sharded engine. k engines, each in its own worker
// (or behind any transport), a coordinator that runs the core's phases across them with
// small messages (protocol.ts), and books split into k contiguous ranges that the
// caller fills in place where memory can be shared. Every call returns a promise and
// does its work in the shards: the caller's event loop only passes messages.

import type { ColumnViews } from '../book.js';
import { MAX_ACCOUNTS, VARIANTS, simdSupported, type MemoryLike, type Variant } from '../core.js';
import { rangeError, stateError, typeError } from '../errors.js';
import { checkKeys, OPTION_KEYS } from '../option-keys.js';
import type {
  IndexDeltaInput, IndexDeltaResult, PoolOptions, PoolParams, SocializeInput, SocializeParams, SocializePoolsInput, SocializePoolsResult,
  SocializeResult, SocializeSummary,
} from '../types.js';
import {
  chargeTooLarge, checkColumnsRead, checkLength, readIndexInput, readInput, zeroUnits, readParams, readPoolList, readPoolOptions, readPoolsInput, readWeightColumns, toInt64Column,
  type Amounts, type Options,
} from '../validate.js';
import { socializeShards, type CallMode, type CallShard } from './coordinator.js';
import { Link, type ShardTransport } from './link.js';
import type { ShardColumns } from './protocol.js';
import { spawnWorker } from './workers.js';

declare global {
  // `Symbol.asyncDispose` for consumers whose lib predates it, declared as lib.esnext.disposable does (see book.ts).
  interface SymbolConstructor {
    /** The method `await using` declarations call at the end of their block. */
    readonly asyncDispose: unique symbol;
  }
}

export type { ShardTransport } from './link.js';
export { serveShard, type ShardPort } from './shard.js';
export type { Reply, Request, Replies, RoundStep, Digit, ShardColumns } from './protocol.js';

/** Options of `loadShardedEngine`. */
export interface ShardedLoadOptions {
  /** How many shards (workers) to start: 1 to 64. Default 2. Ignored with `transports`. */
  shards?: number | undefined;
  /**
   * Shards already running elsewhere (`serveShard` at the other end): a child process,
   * another machine. Their books take the copying path unless the transport says
   * `sharesMemory`.
   */
  transports?: readonly ShardTransport[] | undefined;
  /**
   * Fill books in place (each shard's engine over a shared memory): default wherever
   * the runtime allows it (Node; pages that are cross-origin isolated). `false` takes
   * the copying path: columns are sent to the shards at each call, haircuts back.
   * `true` where the shards cannot share memory is ERR_INVALID_OPTION.
   */
  shared?: boolean | undefined;
  /** The core build of every shard without shared memory (with it: the SIMD build over the shared memory). */
  variant?: Variant | undefined;
  /** The per-call timeout, in milliseconds. */
  timeoutMs?: number | undefined;
}

/** The most shards one engine may start. */
const MAX_SHARDS = 64;

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
type Views = ColumnViews;

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
function ranges(n: number, k: number): number[] {
  return Array.from({ length: k + 1 }, (_, j) => Math.floor((n * j) / k));
}

/**
 * A book split over the shards of a sharded engine, made by `createBook`. Fill each
 * `shards[i]`'s views (accounts `start` to `end − 1` of the whole book), then
 * `await book.socialize(params)`: exactly what one engine's book gives for the whole book.
 * Do not write to the views while a call is in flight.
 */
export class ShardedBook {
  /** The number of accounts. */
  readonly length: number;
  /** Each shard's range and column views, in order. */
  readonly shards: readonly BookShard[];
  readonly #engine: ShardedEngine;
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
    engine: ShardedEngine, id: number, length: number, bounds: number[], views: Views[], columns: { pools: boolean; weights: boolean; caps: boolean },
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

/** A copying call's columns, read. */
interface Copied {
  profits: BigInt64Array;
  exempt: Uint8Array | undefined;
  pool: Uint32Array | undefined;
  weights: BigInt64Array | undefined;
  caps: BigInt64Array | undefined;
}

/** Views handed out at least once (weakly held: they are counted once each). */
const handedOut = new WeakSet<object>();

/** The error for a column the book was not made with. */
function missing(column: keyof Views): TypeError {
  const option = column === 'pool' ? 'pools' : column;
  return typeError('ERR_INVALID_OPTION', `this book has no ${column} column: make it with createBook(n, { ${option}: true })`);
}

/** A sharded engine: k shards, each an engine in its own worker (or behind a transport). Made by `loadShardedEngine`. */
export class ShardedEngine {
  /** How many shards. */
  readonly shards: number;
  /** The most accounts one book or call may hold: k times one engine's. */
  readonly capacity: number;
  /** Whether books are filled in place (shared memory) rather than copied at each call. */
  readonly shared: boolean;
  readonly #links: Link[];
  readonly #memories: (MemoryLike | null)[];
  /** Calls run one at a time: each shard holds one call's state. */
  #queue: Promise<unknown> = Promise.resolve();
  #nextBook = 0;
  #closed: string | null = null;

  /** @internal Made by `loadShardedEngine`. */
  constructor(links: Link[], memories: (MemoryLike | null)[]) {
    this.#links = links;
    this.#memories = memories;
    this.shards = links.length;
    this.capacity = links.length * MAX_ACCOUNTS;
    this.shared = memories.every((memory) => memory !== null);
    for (const link of links) {
      link.onFailure = (reason) => {
        this.#closed ??= `shard ${link.index} failed (${reason})`;
        void this.close();
      };
    }
  }

  /** Runs `task` after every call before it, unless the engine is closed. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#closed !== null) throw stateError('ERR_ENGINE_CLOSED', `this sharded engine is closed: ${this.#closed}`);
      return task();
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  /**
   * Makes a book of `length` accounts split over the shards (29 bytes per account in
   * the shards' memories; 33 with `{ pools: true }`), all columns zeroed. RangeError
   * past `capacity` or when a shard's memory runs out.
   */
  async createBook(length: number, options: ShardedBookOptions = {}): Promise<ShardedBook> {
    const n = checkLength(length, 'book length', this.capacity);
    if (typeof options !== 'object' || options === null) throw typeError('ERR_INVALID_TYPE', `options must be an object, got ${options === null ? 'null' : typeof options}`);
    checkKeys(options, OPTION_KEYS.shardedBook);
    const columns = { pools: options.pools === true, weights: options.weights === true, caps: options.caps === true };
    return this.#serial(async () => {
      const { id, bounds, views } = await this.#create(n, columns);
      const release = () => void this.#serial(() => Promise.all(this.#links.map((link) => link.request({ op: 'release', book: id })))).catch(() => {});
      return new ShardedBook(this, id, n, bounds, views, columns, release);
    });
  }

  /** Makes a book in every shard (none, when one of them cannot): its id, ranges and views. Not queued: inside a queued task. */
  async #create(n: number, columns: { pools: boolean; weights: boolean; caps: boolean }): Promise<{ id: number; bounds: number[]; views: Views[] }> {
    const id = this.#nextBook++, bounds = ranges(n, this.shards);
    const made = await Promise.allSettled(this.#links.map((link, j) => link.request({ op: 'create', book: id, length: bounds[j + 1]! - bounds[j]!, ...columns })));
    const failed = made.find((result) => result.status === 'rejected');
    if (failed !== undefined) {
      await this.#release(id, false).catch(() => {});
      throw (failed as PromiseRejectedResult).reason;
    }
    const views = made.map((result, j) => this.#viewsOf((result as PromiseFulfilledResult<ShardColumns>).value, j, bounds[j + 1]! - bounds[j]!));
    return { id, bounds, views };
  }

  /** A shard's views of a book: into its shared memory, or arrays of our own (copied at each call). */
  #viewsOf(columns: ShardColumns, j: number, length: number): Views {
    const memory = this.#memories[j];
    const int64 = (at: number) => (at === 0 ? null : memory == null ? new BigInt64Array(length) : new BigInt64Array(memory.buffer, at, length));
    return {
      profits: int64(columns.profits)!,
      haircuts: int64(columns.haircuts)!,
      exempt: memory == null ? new Uint8Array(length) : new Uint8Array(memory.buffer, columns.exempt, length),
      pool: columns.pool === 0 ? null : memory == null ? new Uint32Array(length) : new Uint32Array(memory.buffer, columns.pool, length),
      weights: int64(columns.weights),
      caps: int64(columns.caps),
    };
  }

  /** @internal A book's call, queued: copies in (copying path), the phases, copies out. */
  _call(book: number, views: Views[], pools: Amounts[], options: Options, mode: CallMode): Promise<SocializeSummary[]> {
    return this.#serial(() => this.#run(book, views, pools, options, mode));
  }

  /** A book's call (not queued): copies in (copying path), the phases, copies out. */
  async #run(book: number, views: Views[], pools: Amounts[], options: Options, mode: CallMode): Promise<SocializeSummary[]> {
    if (!this.shared) {
      await Promise.all(this.#links.map((link, j) => link.request({
        op: 'write', book, profits: views[j]!.profits, ...(mode.exemptions ? { exempt: views[j]!.exempt } : {}),
        ...(mode.pooled ? { pool: views[j]!.pool! } : {}), ...(mode.weighted ? { weights: views[j]!.weights! } : {}),
        ...(mode.capsGiven ? { caps: views[j]!.caps! } : {}),
      })));
    }
    const starts = ranges(views.reduce((n, v) => n + v.profits.length, 0), this.shards);
    const shards: CallShard[] = this.#links.map((link, j) => ({ link, book, start: starts[j]! }));
    const summaries = await socializeShards(shards, pools, options, mode);
    if (!this.shared) {
      const read = await Promise.all(this.#links.map((link) => link.request({ op: 'read', book })));
      read.forEach(({ haircuts }, j) => views[j]!.haircuts.set(haircuts));
    }
    return summaries;
  }

  /** @internal Frees a book in every shard, queued (retired while views of its shared memory may be held). */
  _free(book: number, retire: boolean): Promise<void> {
    return this.#serial(() => this.#release(book, retire)).catch((error: unknown) => {
      // A closed engine has nothing left to free.
      if ((error as { code?: string }).code !== 'ERR_ENGINE_CLOSED') throw error;
    });
  }

  /** Frees a book in every shard (not queued). */
  async #release(book: number, retire: boolean): Promise<void> {
    await Promise.all(this.#links.map((link) => link.request({ op: 'free', book, retire: retire && this.shared })));
  }

  /**
   * The copying path: socializes `input` (as one engine's `socialize`) over the shards
   * and resolves with the same result, haircuts included.
   */
  async socialize(input: SocializeInput): Promise<SocializeResult> {
    const { profits, exempt, weights, caps, ...params } = readInput(input);
    const n = checkLength(profits.length, 'profits.length', this.capacity);
    const columns = this.#readColumns(n, profits, exempt, undefined, weights, caps);
    const [[summary], haircuts] = await this.#copying(n, columns, (id, views) => this.#run(id, views, [params], params, this.#modeOf(columns, false)));
    return { haircuts, ...summary! };
  }

  /** A call's columns read (checked, copied where not typed) before anything is sent, as one engine reads them. */
  #readColumns(
    n: number, profits: SocializeInput['profits'], exempt: Uint8Array | undefined, pool: Uint32Array | undefined,
    weights: SocializeInput['weights'], caps: SocializeInput['caps'],
  ): Copied {
    const read = { profits: toInt64Column(profits, 'profits', n), exempt, pool, ...readWeightColumns(weights, caps, n) };
    checkColumnsRead({ ...read }, n);
    return read;
  }

  /** What a copying call runs, from the columns given. */
  #modeOf(columns: Copied, pooled: boolean): CallMode {
    return { pooled, exemptions: columns.exempt !== undefined, weighted: columns.weights !== undefined, capsGiven: columns.caps !== undefined };
  }

  /** The copying path of `socializePools` (as one engine's): every pool's summary and the haircuts. */
  async socializePools(input: SocializePoolsInput): Promise<SocializePoolsResult> {
    const { profits, pool, pools, options, exempt, weights, caps } = readPoolsInput(input);
    const n = checkLength(profits.length, 'profits.length', this.capacity);
    const columns = this.#readColumns(n, profits, exempt, pool, weights, caps);
    const [summaries, haircuts] = await this.#copying(n, columns, (id, views) => this.#run(id, views, pools, options, this.#modeOf(columns, true)));
    return { haircuts, pools: summaries };
  }

  /**
   * Runs `task` on a temporary book holding copies of the columns, in one queued task
   * (made, filled, run and freed before any other call: one call's memory at a time);
   * returns its result and the haircuts.
   */
  #copying<T>(n: number, columns: Copied, task: (id: number, views: Views[], bounds: number[]) => Promise<T>): Promise<[T, BigInt64Array]> {
    const optional = { pools: columns.pool !== undefined, weights: columns.weights !== undefined, caps: columns.caps !== undefined };
    return this.#serial(async () => {
      const { id, bounds, views } = await this.#create(n, optional);
      try {
        views.forEach((view, j) => {
          const start = bounds[j]!, end = bounds[j + 1]!;
          view.profits.set(columns.profits.subarray(start, end));
          if (columns.exempt) view.exempt.set(columns.exempt.subarray(start, end));
          if (columns.pool) view.pool!.set(columns.pool.subarray(start, end));
          if (columns.weights) view.weights!.set(columns.weights.subarray(start, end));
          if (columns.caps) view.caps!.set(columns.caps.subarray(start, end));
        });
        const result = await task(id, views, bounds);
        const haircuts = new BigInt64Array(n);
        views.forEach((view, j) => haircuts.set(view.haircuts, bounds[j]!));
        return [result, haircuts];
      } finally {
        await this.#release(id, false).catch(() => {});
      }
    });
  }

  /**
   * The copying path of `indexDelta` (as one engine's): δ from every shard's Σ|units|,
   * each shard's charges, and their sum, exactly.
   */
  async indexDelta(input: IndexDeltaInput): Promise<IndexDeltaResult> {
    const { units, ...parameters } = readIndexInput(input);
    const n = checkLength(units.length, 'units.length', this.capacity);
    const column = toInt64Column(units, 'units', n);
    checkColumnsRead({ units: column }, n);
    const empty = { exempt: undefined, pool: undefined, weights: undefined, caps: undefined };
    const [result, charges] = await this.#copying(n, { profits: column, ...empty }, (id, _, bounds) => this.#index(id, parameters, bounds));
    return { ...result, charges };
  }

  /** An index delta over a book's profits column (the units), charges into its haircuts (not queued). */
  async #index(book: number, input: Omit<ReturnType<typeof readIndexInput>, 'units'>, starts: number[]): Promise<Omit<IndexDeltaResult, 'charges'>> {
    const request = { op: 'index' as const, book, ...input };
    const sums = await Promise.all(this.#links.map((link) => link.request(request)));
    const totalUnits = sums.reduce((sum, reply) => sum + reply.total, 0n);
    if (totalUnits === 0n) throw zeroUnits();
    const charged = await Promise.all(this.#links.map((link) => link.request({ ...request, total: totalUnits })));
    const bad = charged.findIndex((reply) => reply.bad >= 0);
    if (bad >= 0) throw chargeTooLarge(starts[bad]! + charged[bad]!.bad, charged[bad]!.charge);
    const collected = charged.reduce((sum, reply) => sum + reply.collected, 0n);
    return { delta: charged[0]!.delta, collected, drift: collected - input.loss, totalUnits };
  }

  /** Each shard's engine memory in bytes: it grows to fit the largest books and calls, and is reused. */
  memoryBytes(): Promise<number[]> {
    return this.#serial(() => Promise.all(this.#links.map(async (link) => (await link.request({ op: 'memory' })).bytes)));
  }

  /** Stops every shard; later calls reject with ERR_ENGINE_CLOSED. Idempotent. */
  async close(): Promise<void> {
    this.#closed ??= 'closed';
    await Promise.all(this.#links.map((link) => link.close().catch(() => {})));
  }
}

/**
 * Starts a sharded engine: `shards` engines, each in its own worker (Node worker
 * threads; Web Workers in browsers), or the shards behind `transports`. Every result
 * is bit for bit one engine's; capacity is k times one engine's.
 *
 * @example
 * const sharded = await loadShardedEngine({ shards: 2 });
 * const book = await sharded.createBook(1_000_000);
 * for (const shard of book.shards) shard.profits.fill(5n);
 * await book.socialize({ loss: 1_000_001n });
 * await sharded.close();
 */
export async function loadShardedEngine(options: ShardedLoadOptions = {}): Promise<ShardedEngine> {
  if (typeof options !== 'object' || options === null) throw typeError('ERR_INVALID_TYPE', `options must be an object, got ${options === null ? 'null' : typeof options}`);
  checkKeys(options, OPTION_KEYS.loadShardedEngine);
  const { transports, variant, shared: asked } = options;
  if (asked !== undefined && typeof asked !== 'boolean') throw typeError('ERR_INVALID_TYPE', `shared must be a boolean, got ${typeof asked}`);
  if (variant !== undefined && !VARIANTS.includes(variant)) {
    throw rangeError('ERR_INVALID_OPTION', `variant must be one of ${VARIANTS.map((v) => `'${v}'`).join(', ')}, got ${String(variant)}`);
  }
  let started: ShardTransport[];
  if (transports !== undefined) {
    if (!Array.isArray(transports) || transports.length === 0) throw typeError('ERR_INVALID_TYPE', 'transports must be a non-empty array of shard transports');
    if (transports.length > MAX_SHARDS) throw rangeError('ERR_OUT_OF_RANGE', `at most ${MAX_SHARDS} shards, got ${transports.length} transports`);
    started = [...transports];
  } else {
    const k = options.shards ?? 2;
    if (typeof k !== 'number') throw typeError('ERR_INVALID_TYPE', `shards must be a number, got ${typeof k}`);
    if (!Number.isInteger(k) || k < 1 || k > MAX_SHARDS) throw rangeError('ERR_OUT_OF_RANGE', `shards must be an integer from 1 to ${MAX_SHARDS}, got ${k}`);
    started = [];
    try {
      for (let j = 0; j < k; j++) started.push(await spawnWorker());
    } catch (error) {
      await Promise.all(started.map((transport) => transport.close()));
      throw stateError('ERR_UNSUPPORTED', `cannot start the shards' workers: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  const links = started.map((transport, j) => new Link(transport, j));
  const shares = links.every((link) => link.sharesMemory);
  const shared = asked ?? (shares && simdSupported());
  try {
    if (shared && !shares) {
      throw typeError('ERR_INVALID_OPTION', 'shared: true needs shards that share memory with this thread (worker threads; Web Workers of a cross-origin isolated page)');
    }
    if (shared && !simdSupported()) throw stateError('ERR_UNSUPPORTED', 'shared memory books need WebAssembly SIMD, which this runtime does not run: use shared: false');
    const loaded = await Promise.all(links.map((link) => link.request({ op: 'load', shared, variant })));
    return new ShardedEngine(links, loaded.map((reply) => reply.memory));
  } catch (error) {
    await Promise.all(links.map((link) => link.close().catch(() => {})));
    throw error;
  }
}
