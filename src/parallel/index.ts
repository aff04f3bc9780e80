// `socialized-loss/parallel`: the sharded engine. k engines, each in its own worker
// (or behind any transport), a coordinator that runs the core's phases across them with
// small messages (protocol.ts), and books split into k contiguous ranges that the
// caller fills in place where memory can be shared. Every call returns a promise and
// does its work in the shards: the caller's event loop only passes messages.

import { MAX_ACCOUNTS, VARIANTS, simdSupported, type MemoryLike, type Variant } from '../core.js';
import { rangeError, stateError, typeError } from '../errors.js';
import { checkKeys, OPTION_KEYS } from '../option-keys.js';
import { readPoolsInput } from '../pools-input.js';
import type { IndexDeltaInput, IndexDeltaResult, SocializeInput, SocializePoolsInput, SocializePoolsResult, SocializeResult, SocializeSummary } from '../types.js';
import {
  chargeTooLarge, checkColumnsRead, checkLength, readIndexInput, readInput, zeroUnits, readWeightColumns, toInt64Column, type Amounts, type Options,
} from '../validate.js';
import { ranges, ShardedBook, type ShardedBookOptions, type Views } from './book.js';
import { checkCharges, checkCopied, checkOverflow, checkUnitTotals, unitTotals, type Copied, type Problem } from './check.js';
import type { CallMode, CallShard } from './call.js';
import { socializeShards } from './coordinator.js';
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
export { ShardedBook, type BookShard, type ShardedBookOptions, type ShardedBookParams, type ShardedPoolOptions } from './book.js';
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
  /**
   * How long (positive integer milliseconds) a shard may take to answer one message of
   * a call: past it the call rejects with ERR_SHARD_FAILED naming the shard and the
   * phase, and the engine is closed. Default: no limit.
   */
  timeoutMs?: number | undefined;
}

/** Why an engine closed by `close()` is closed. */
const CLOSED_BY_CALLER = 'closed';

/** The most shards one engine may start. */
const MAX_SHARDS = 64;

/** The longest `timeoutMs` (what setTimeout can wait: 2^31 − 1 ms, about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;


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
    const run = this.#queue.then(async () => {
      if (this.#closed !== null) throw stateError('ERR_ENGINE_CLOSED', `this sharded engine is closed: ${this.#closed}`);
      try {
        return await task();
      } catch (error) {
        // A call in flight when close() was called is the closing's, whatever its shards did meanwhile.
        if (this.#closed === CLOSED_BY_CALLER) throw stateError('ERR_ENGINE_CLOSED', 'the sharded engine was closed', { cause: error });
        throw error;
      }
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

  /**
   * A shard's views of a book: into the shared memory that holds it, or arrays of our own
   * (copied at each call). Columns that do not lie inside that memory, aligned and apart,
   * are the shard's fault.
   */
  #viewsOf(columns: ShardColumns, j: number, length: number): Views {
    const memory = this.shared ? columns.memory : null;
    if (this.shared) {
      const bytes = memory?.buffer instanceof SharedArrayBuffer ? memory.buffer.byteLength : 0;
      const spans = ([['profits', 8, 8], ['haircuts', 8, 8], ['exempt', 1, 1], ['pool', 4, 4], ['weights', 8, 8], ['caps', 8, 8]] as const)
        .filter(([key]) => columns[key] !== 0).map(([key, size, align]) => ({ key, at: columns[key], end: columns[key] + size * length, align }));
      const bad = spans.find(({ at, end, align }) => at % align !== 0 || end > bytes)
        ?? spans.find((a, x) => spans.some((b, y) => x !== y && a.at < b.end && b.at < a.end && length > 0));
      if (bad !== undefined) throw this.#links[j]!.fault(`replied to create with its ${bad.key} column at ${bad.at}, not inside its ${bytes}-byte shared memory, aligned and apart from the others`);
    }
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
    if (!this.shared) await this.#write(book, views, mode);
    const starts = ranges(views.reduce((n, v) => n + v.profits.length, 0), this.shards);
    const shards: CallShard[] = this.#links.map((link, j) => ({ link, book, start: starts[j]!, length: views[j]!.profits.length, views: views[j]! }));
    let summaries: SocializeSummary[];
    try {
      summaries = await socializeShards(shards, pools, options, mode);
    } catch (error) {
      // What the coordinator finds inconsistent (or a shard finds inconsistent in what it was told) comes from a reply that was wrong.
      const code = (error as { code?: string }).code;
      if (code === 'ERR_INTERNAL' || code === undefined) throw this.#faulty({ shard: -1, reason: `the shards' replies do not add up: ${(error as Error).message}` });
      throw error;
    }
    if (!this.shared) await this.#read(book, views);
    return summaries;
  }

  /** The copying path: sends a book's columns to its shards (those the call reads). */
  async #write(book: number, views: Views[], mode: CallMode): Promise<void> {
    await Promise.all(this.#links.map((link, j) => link.request({
      op: 'write', book, profits: views[j]!.profits, ...(mode.exemptions ? { exempt: views[j]!.exempt } : {}),
      ...(mode.pooled ? { pool: views[j]!.pool! } : {}), ...(mode.weighted ? { weights: views[j]!.weights! } : {}),
      ...(mode.capsGiven ? { caps: views[j]!.caps! } : {}),
    })));
  }

  /** The copying path: the haircuts back from every shard, each as long as its range. */
  async #read(book: number, views: Views[]): Promise<void> {
    const read = await Promise.all(this.#links.map((link) => link.request({ op: 'read', book })));
    read.forEach(({ haircuts }, j) => {
      const length = views[j]!.haircuts.length;
      if (haircuts.length !== length) throw this.#links[j]!.fault(`replied to read with ${haircuts.length} haircuts for its ${length} accounts`);
      views[j]!.haircuts.set(haircuts);
    });
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
    const [[summary], haircuts] = await this.#copying(n, columns, async (id, views) => {
      const summaries = await this.#run(id, views, [params], params, this.#modeOf(columns, false));
      this.#verify(columns, [params], params, false, views, summaries);
      return summaries;
    });
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
    const [summaries, haircuts] = await this.#copying(n, columns, async (id, views) => {
      const result = await this.#run(id, views, pools, options, this.#modeOf(columns, true));
      this.#verify(columns, pools, options, true, views, result);
      return result;
    });
    return { haircuts, pools: summaries };
  }

  /**
   * Checks a copying call's haircuts (as the shards sent them back) and summaries against
   * the rule, from the columns read here (check.ts); a failure is a shard's fault: the
   * engine is closed and the call rejects with ERR_SHARD_FAILED.
   */
  #verify(columns: Copied, pools: Amounts[], options: Options, pooled: boolean, views: Views[], summaries: SocializeSummary[]): void {
    const problem = checkCopied(columns, pools, options, pooled, views.map((view) => view.haircuts), summaries);
    if (problem !== null) throw this.#faulty(problem);
  }

  /** The error for a shard that broke the protocol (−1: the shards' replies together), the engine closed as for a dead shard. */
  #faulty({ shard, reason }: Problem): Error {
    if (shard >= 0) return this.#links[shard]!.fault(reason);
    this.#closed ??= reason;
    void this.close();
    return stateError('ERR_SHARD_FAILED', reason);
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
    const [result, charges] = await this.#copying(n, { profits: column, ...empty }, (id, views, bounds) => this.#index(id, views, parameters, bounds));
    return { ...result, charges };
  }

  /** An index delta over a book's profits column (the units), charges into its haircuts (not queued). */
  async #index(book: number, views: Views[], input: Omit<ReturnType<typeof readIndexInput>, 'units'>, starts: number[]): Promise<Omit<IndexDeltaResult, 'charges'>> {
    // The units travel as the book's profits column: sent with it, charges back as its haircuts.
    if (!this.shared) await this.#write(book, views, { pooled: false, exemptions: false, weighted: false, capsGiven: false });
    const request = { op: 'index' as const, book, ...input };
    const sums = await Promise.all(this.#links.map((link) => link.request(request)));
    const own = unitTotals(views.map((view) => view.profits));
    const lied = checkUnitTotals(own, sums.map((reply) => reply.total));
    if (lied !== null) throw this.#faulty(lied);
    const totalUnits = sums.reduce((sum, reply) => sum + reply.total, 0n);
    if (totalUnits === 0n) throw zeroUnits();
    const charged = await Promise.all(this.#links.map((link) => link.request({ ...request, total: totalUnits })));
    const bad = charged.findIndex((reply) => reply.bad >= 0);
    if (bad >= 0) {
      const problem = checkOverflow(views.map((view) => view.profits), input, bad, charged[bad]!);
      if (problem !== null) throw this.#faulty(problem);
      throw chargeTooLarge(starts[bad]! + charged[bad]!.bad, charged[bad]!.charge);
    }
    if (!this.shared) await this.#read(book, views);
    const result = { delta: charged[0]!.delta, collected: 0n, drift: 0n, totalUnits };
    const problem = checkCharges(views.map((view) => view.profits), own, views.map((view) => view.haircuts), input, charged);
    if (problem !== null) throw this.#faulty(problem);
    result.collected = charged.reduce((sum, reply) => sum + reply.collected, 0n);
    return { ...result, drift: result.collected - input.loss };
  }

  /** Each shard's engine memory in bytes: it grows to fit the largest books and calls, and is reused. */
  memoryBytes(): Promise<number[]> {
    return this.#serial(() => Promise.all(this.#links.map(async (link) => (await link.request({ op: 'memory' })).bytes)));
  }

  /** Stops every shard; later calls reject with ERR_ENGINE_CLOSED. Idempotent. */
  async close(): Promise<void> {
    this.#closed ??= CLOSED_BY_CALLER;
    // Every link knows it is closing before any shard is told to stop: a call in flight then sees ERR_ENGINE_CLOSED, never a shard's exit.
    for (const link of this.#links) link.beginClosing();
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
  const { transports, variant, shared: asked, timeoutMs } = options;
  if (asked !== undefined && typeof asked !== 'boolean') throw typeError('ERR_INVALID_TYPE', `shared must be a boolean, got ${typeof asked}`);
  if (timeoutMs !== undefined && typeof timeoutMs !== 'number') throw typeError('ERR_INVALID_TYPE', `timeoutMs must be a number, got ${typeof timeoutMs}`);
  if (timeoutMs !== undefined && !(Number.isSafeInteger(timeoutMs) && timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
    throw rangeError('ERR_OUT_OF_RANGE', `timeoutMs must be a positive integer of milliseconds up to ${MAX_TIMEOUT_MS}, got ${timeoutMs}`);
  }
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
  const links = started.map((transport, j) => new Link(transport, j, timeoutMs));
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
