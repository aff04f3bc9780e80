// `socialized-loss/parallel`: the sharded engine. k engines, each in its own worker
// (or behind any transport), a coordinator that runs the core's phases across them with
// small messages (protocol.ts), and books split into k contiguous ranges that the
// caller fills in place where memory can be shared. Every call returns a promise and
// does its work in the shards: the caller's event loop only passes messages.

import { MAX_ACCOUNTS, VARIANTS, simdSupported, type Variant } from '../core.js';
import { rangeError, stateError, typeError } from '../errors.js';
import type {
  PoolOptions, PoolParams, SocializeInput, SocializeParams, SocializePoolsInput, SocializePoolsResult, SocializeResult, SocializeSummary,
} from '../types.js';
import {
  checkLength, readInput, readParams, readPoolList, readPoolOptions, readPoolsInput, toInt64Column, type Amounts, type Options,
} from '../validate.js';
import { socializeShards, type CallShard } from './coordinator.js';
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
   */
  shared?: boolean | undefined;
  /** The core build of every shard without shared memory (with it: the SIMD build over the shared memory). */
  variant?: Variant | undefined;
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
}

/** Options of `createBook`. */
export interface ShardedBookOptions {
  /** Give the book a pool column (4 more bytes per account), for `socializePools`. */
  pools?: boolean | undefined;
}

/** A book's views of one shard: shared memory (in place) or a copy kept here. */
interface Views {
  profits: BigInt64Array;
  haircuts: BigInt64Array;
  exempt: Uint8Array;
  pool: Uint32Array | null;
}

/** What survives a book for the release of its shared memory: the views handed out and not yet collected. */
interface Held {
  views: number;
  freed: boolean;
  release: () => void;
}

/** Releases a freed book's shared memory once no view of it handed out is left. */
const collected = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<Held>((held) => {
    held.views--;
    if (held.freed && held.views === 0) held.release();
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
  readonly #pools: boolean;
  readonly #views: Views[];
  readonly #held: Held;
  #freed = false;
  /** Whether an exempt view was handed out (else the columns are zeros). */
  #exemptShared = false;

  /** @internal Made by `ShardedEngine.createBook`. */
  constructor(engine: ShardedEngine, id: number, length: number, bounds: number[], views: Views[], pools: boolean, release: () => void) {
    this.#engine = engine;
    this.#id = id;
    this.length = length;
    this.#pools = pools;
    this.#views = views;
    this.#held = { views: 0, freed: false, release };
    const book = this;
    this.shards = views.map((_, j) => {
      const start = bounds[j]!, end = bounds[j + 1]!;
      return Object.freeze({
        start, end, length: end - start,
        get profits() { return book.#hand(j, 'profits') as BigInt64Array; },
        get haircuts() { return book.#hand(j, 'haircuts') as BigInt64Array; },
        get exempt() { return book.#hand(j, 'exempt') as Uint8Array; },
        get pool() { return book.#hand(j, 'pool') as Uint32Array; },
      });
    });
  }

  /** A view handed to the caller: counted, so that a freed book's shared memory is released only once every view is collected. */
  #hand(j: number, key: keyof Views): BigInt64Array | Uint8Array | Uint32Array {
    if (this.#freed) throw stateError('ERR_BOOK_FREED', 'this book has been freed');
    if (key === 'exempt') this.#exemptShared = true;
    const view = this.#views[j]![key];
    if (view === null) throw typeError('ERR_INVALID_OPTION', 'this book has no pool column: make it with createBook(n, { pools: true })');
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
  async socialize(params: SocializeParams): Promise<SocializeSummary> {
    const parsed = readParams(params);
    refuseWeights(params);
    const [summary] = await this.#run([parsed], parsed, false);
    return summary!;
  }

  /**
   * Socializes each pool (the `pool` views give each account's index into `pools`):
   * one summary per pool, exactly as one engine's `book.socializePools`.
   */
  async socializePools(pools: readonly PoolParams[], options: PoolOptions = {}): Promise<SocializeSummary[]> {
    const parsed = readPoolOptions(options);
    const amounts = readPoolList(pools);
    refuseWeights(options);
    if (!this.#pools) throw typeError('ERR_INVALID_OPTION', 'this book has no pool column: make it with createBook(n, { pools: true })');
    return this.#run(amounts, parsed, true);
  }

  async #run(pools: Amounts[], options: Options, pooled: boolean): Promise<SocializeSummary[]> {
    if (this.#freed) throw stateError('ERR_BOOK_FREED', 'this book has been freed');
    return this.#engine._call(this.#id, this.#views, pools, options, this.#exemptShared, pooled);
  }

  /** Gives the book's memory back to the shards (a freed book's views stay out of reach of other books). Idempotent. */
  async free(): Promise<void> {
    if (this.#freed) return;
    this.#freed = true;
    this.#held.freed = true;
    await this.#engine._free(this.#id, this.#held.views > 0);
  }

  /** `await using book = await sharded.createBook(n)` frees the book at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.free();
  }
}

/** Views handed out at least once (weakly held: they are counted once each). */
const handedOut = new WeakSet<object>();

/** A call by weight is not sharded yet: said, never silently computed otherwise. */
function refuseWeights(params: object): void {
  const { weights, caps } = params as { weights?: unknown; caps?: unknown };
  if (weights !== undefined || caps !== undefined) {
    throw typeError('ERR_INVALID_OPTION', 'the sharded engine does not split by weight: use one engine for weights and caps');
  }
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
  readonly #memories: (WebAssembly.Memory | null)[];
  /** Calls run one at a time: each shard holds one call's state. */
  #queue: Promise<unknown> = Promise.resolve();
  #nextBook = 0;
  #closed: string | null = null;

  /** @internal Made by `loadShardedEngine`. */
  constructor(links: Link[], memories: (WebAssembly.Memory | null)[]) {
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
    const pools = options.pools === true;
    return this.#serial(async () => {
      const id = this.#nextBook++, bounds = ranges(n, this.shards);
      const made = await Promise.allSettled(this.#links.map((link, j) => link.request({ op: 'create', book: id, length: bounds[j + 1]! - bounds[j]!, pools })));
      const failed = made.find((result) => result.status === 'rejected');
      if (failed !== undefined) {
        await Promise.all(this.#links.map((link) => link.request({ op: 'free', book: id, retire: false }).catch(() => {})));
        throw (failed as PromiseRejectedResult).reason;
      }
      const views = made.map((result, j) => this.#viewsOf((result as PromiseFulfilledResult<ShardColumns>).value, j, bounds[j + 1]! - bounds[j]!, pools));
      const release = () => void this.#serial(() => Promise.all(this.#links.map((link) => link.request({ op: 'release', book: id })))).catch(() => {});
      return new ShardedBook(this, id, n, bounds, views, pools, release);
    });
  }

  /** A shard's views of a book: into its shared memory, or arrays of our own (copied at each call). */
  #viewsOf(columns: ShardColumns, j: number, length: number, pools: boolean): Views {
    const memory = this.#memories[j];
    if (memory == null) {
      return { profits: new BigInt64Array(length), haircuts: new BigInt64Array(length), exempt: new Uint8Array(length), pool: pools ? new Uint32Array(length) : null };
    }
    const buffer = memory.buffer;
    return {
      profits: new BigInt64Array(buffer, columns.profits, length),
      haircuts: new BigInt64Array(buffer, columns.haircuts, length),
      exempt: new Uint8Array(buffer, columns.exempt, length),
      pool: pools ? new Uint32Array(buffer, columns.pool, length) : null,
    };
  }

  /** @internal A book's call: copies in (copying path), the phases, copies out. */
  _call(book: number, views: Views[], pools: Amounts[], options: Options, exemptions: boolean, pooled: boolean): Promise<SocializeSummary[]> {
    return this.#serial(async () => {
      if (!this.shared) {
        await Promise.all(this.#links.map((link, j) => link.request({
          op: 'write', book, profits: views[j]!.profits, ...(exemptions ? { exempt: views[j]!.exempt } : {}),
          ...(pooled ? { pool: views[j]!.pool! } : {}),
        })));
      }
      const starts = ranges(views.reduce((n, v) => n + v.profits.length, 0), this.shards);
      const shards: CallShard[] = this.#links.map((link, j) => ({ link, book, start: starts[j]! }));
      const summaries = await socializeShards(shards, pools, options, exemptions, pooled);
      if (!this.shared) {
        const read = await Promise.all(this.#links.map((link) => link.request({ op: 'read', book })));
        read.forEach(({ haircuts }, j) => views[j]!.haircuts.set(haircuts));
      }
      return summaries;
    });
  }

  /** @internal Frees a book in every shard (retired while views of its shared memory may be held). */
  _free(book: number, retire: boolean): Promise<void> {
    return this.#serial(async () => {
      await Promise.all(this.#links.map((link) => link.request({ op: 'free', book, retire: retire && this.shared })));
    }).catch((error: unknown) => {
      // A closed engine has nothing left to free.
      if ((error as { code?: string }).code !== 'ERR_ENGINE_CLOSED') throw error;
    });
  }

  /**
   * The copying path: socializes `input` (as one engine's `socialize`) over the shards
   * and resolves with the same result, haircuts included.
   */
  async socialize(input: SocializeInput): Promise<SocializeResult> {
    const { profits, exempt, weights, caps, ...params } = readInput(input);
    refuseWeights({ weights, caps });
    const n = checkLength(profits.length, 'profits.length', this.capacity);
    const column = toInt64Column(profits, 'profits', n);
    const [summary, haircuts] = await this.#copying(n, false, { profits: column, exempt, pool: undefined }, (book) => book.socialize(params));
    return { haircuts, ...summary };
  }

  /** The copying path of `socializePools` (as one engine's): every pool's summary and the haircuts. */
  async socializePools(input: SocializePoolsInput): Promise<SocializePoolsResult> {
    const { profits, pool, pools, options, exempt, weights, caps } = readPoolsInput(input);
    refuseWeights({ weights, caps });
    const n = checkLength(profits.length, 'profits.length', this.capacity);
    const column = toInt64Column(profits, 'profits', n);
    const [summaries, haircuts] = await this.#copying(n, true, { profits: column, exempt, pool: pool.slice() }, (book) => book.socializePools(pools, options));
    return { haircuts, pools: summaries };
  }

  /** Runs `task` on a temporary book holding copies of the columns; returns its result and the haircuts. */
  async #copying<T>(
    n: number, pools: boolean, columns: { profits: BigInt64Array; exempt: Uint8Array | undefined; pool: Uint32Array | undefined },
    task: (book: ShardedBook) => Promise<T>,
  ): Promise<[T, BigInt64Array]> {
    const book = await this.createBook(n, { pools });
    try {
      for (const shard of book.shards) {
        shard.profits.set(columns.profits.subarray(shard.start, shard.end));
        if (columns.exempt) shard.exempt.set(columns.exempt.subarray(shard.start, shard.end));
        if (columns.pool) shard.pool.set(columns.pool.subarray(shard.start, shard.end));
      }
      const result = await task(book);
      const haircuts = new BigInt64Array(n);
      for (const shard of book.shards) haircuts.set(shard.haircuts, shard.start);
      return [result, haircuts];
    } finally {
      await book.free();
    }
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
  const { transports, variant } = options;
  if (variant !== undefined && !VARIANTS.includes(variant)) {
    throw rangeError('ERR_INVALID_OPTION', `variant must be one of ${VARIANTS.map((v) => `'${v}'`).join(', ')}, got ${String(variant)}`);
  }
  let started: ShardTransport[];
  if (transports !== undefined) {
    if (!Array.isArray(transports) || transports.length === 0) throw typeError('ERR_INVALID_TYPE', 'transports must be a non-empty array of shard transports');
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
  const shared = options.shared ?? (links.every((link) => link.sharesMemory) && simdSupported());
  try {
    const loaded = await Promise.all(links.map((link) => link.request({ op: 'load', shared, variant })));
    return new ShardedEngine(links, loaded.map((reply) => reply.memory));
  } catch (error) {
    await Promise.all(links.map((link) => link.close().catch(() => {})));
    throw error;
  }
}
