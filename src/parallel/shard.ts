// One shard of a sharded engine: an engine core and its books' ranges, driven by the
// coordinator's messages (protocol.ts). It runs wherever a port reaches it: a worker
// thread, a Web Worker, a child process, another machine.

import { Core, MAX_ACCOUNTS, simdSupported, type Columns, type ShardCall } from '../core.js';
import { isSocializedLossError, rangeError, stateError } from '../errors.js';
import type { IndexRounding, Rounding } from '../types.js';
import { BUCKETS, type Replies, type Reply, type Request, type RoundStep } from './protocol.js';

/** A shard's side of a transport: how it receives requests and sends replies. */
export interface ShardPort {
  /** Sends one reply (structured-clone data). */
  send(message: Reply): void;
  /** Calls `handler` with every request received. */
  listen(handler: (message: unknown) => void): void;
  /** Stops receiving (after `close`). */
  stop?(): void;
}

/** A book's range in this shard: the core whose memory holds it, and whether it was freed while views of it may be held. */
interface ShardBook {
  core: Core;
  columns: Columns;
  length: number;
  retired: boolean;
}

/**
 * The state of one shard: its core, its books, the call in progress. With shared memory
 * a book freed while views of it may be held stays out of use (no view can be detached
 * from a shared memory), and the books made after it go to a fresh core: a freed book
 * never takes space from a later one, and an old view never reaches a later book.
 */
class Shard {
  /** The core new books go to. */
  #core: Core | null = null;
  /** Whether the core is over a shared memory, and that memory's bound in pages. */
  #shared = false;
  #maximumPages: number | undefined;
  readonly #books = new Map<number, ShardBook>();
  /** The call in progress, between `sums` and `end`. */
  #call: { pools: ShardCall; start: bigint } | null = null;

  /** Answers one request (a rejected promise for an error, sent back as data). */
  async handle(request: Request): Promise<unknown> {
    switch (request.op) {
      case 'load': return this.#load(request.shared, request.variant, request.maximumPages);
      case 'create': return this.#create(request);
      case 'free': return this.#free(request.book, request.retire);
      case 'release': return this.#release(request.book);
      case 'write': return this.#write(request);
      case 'read': return this.#read(request.book);
      case 'sums': return this.#sums(request);
      case 'cap': return this.#open.pools.cap(request.levels);
      case 'sampleWeights': return { pairs: this.#open.pools.sampleWeights() };
      case 'capBand': return this.#open.pools.capBand(request.lo, request.hi);
      case 'capListed': return this.#open.pools.capListed(request.level);
      case 'level': return this.#open.pools.level(request.levels);
      case 'finish': return this.#open.pools.finish();
      case 'sample': return this.#open.pools.sample(request.socialized, request.total);
      case 'floors': return this.#open.pools.floors(request.socialized, request.totals, request.band);
      case 'raise': return { listed: this.#open.pools.raise(request.cuts) };
      case 'round': return this.#round(request.steps);
      case 'end': return this.#end();
      case 'index': return this.#index(request);
      case 'memory': return { bytes: this.#memoryBytes() };
      case 'close': return null;
    }
  }

  async #load(shared: boolean, variant: string | undefined, maximumPages: number | undefined): Promise<Replies['load']> {
    if (maximumPages !== undefined && !(Number.isInteger(maximumPages) && maximumPages >= 1 && maximumPages <= 65_536)) {
      throw rangeError('ERR_OUT_OF_RANGE', `maximumPages must be an integer from 1 to 65536, got ${maximumPages}`);
    }
    const build = shared ? 'shared' : (variant ?? (simdSupported() ? 'simd' : 'scalar'));
    this.#shared = shared;
    this.#maximumPages = maximumPages;
    this.#core = await Core.load(build as Parameters<typeof Core.load>[0], maximumPages);
    return { memory: shared ? this.#core.memory : null, build, capacity: MAX_ACCOUNTS };
  }

  get #live(): Core {
    if (this.#core === null) throw stateError('ERR_INTERNAL', 'the shard has no engine: load it first');
    return this.#core;
  }

  #book(id: number): ShardBook {
    const book = this.#books.get(id);
    if (book === undefined) throw stateError('ERR_BOOK_FREED', `book ${id} is not held by this shard (freed?)`);
    return book;
  }

  /** Every core's memory in bytes (the current one's, and those still holding books). */
  #memoryBytes(): number {
    const cores = new Set([this.#live, ...[...this.#books.values()].map((book) => book.core)]);
    return [...cores].reduce((bytes, core) => bytes + core.memoryBytes, 0);
  }

  async #create({ book: id, length, ...optional }: Extract<Request, { op: 'create' }>): Promise<Replies['create']> {
    let core = this.#live;
    if ([...this.#books.values()].some((book) => book.retired && book.core === core)) {
      // The current memory holds a freed book that views may still reach: later books get a memory of their own.
      core = await Core.load('shared', this.#maximumPages);
      this.#core = core;
    }
    const columns = core.allocColumns(length);
    try {
      if (optional.pools) core.ensureColumn(columns, length, 'pool');
      if (optional.weights) core.ensureColumn(columns, length, 'weights');
      if (optional.caps) core.ensureColumn(columns, length, 'caps');
    } catch (error) {
      core.freeColumns(columns);
      throw error;
    }
    core.zero(columns.profits, 8 * length);
    core.zero(columns.haircuts, 8 * length);
    core.zero(columns.exempt, length);
    this.#books.set(id, { core, columns, length, retired: false });
    return { memory: this.#shared ? core.memory : null, profits: columns.profits, haircuts: columns.haircuts, exempt: columns.exempt, pool: columns.pool, weights: columns.weights, caps: columns.caps };
  }

  #free(id: number, retire: boolean): null {
    const book = this.#books.get(id);
    if (book === undefined) return null;
    book.core.freeColumns(book.columns, retire);
    // A core that no book holds any more (and new books do not go to) is collected with its memory once no view of it is left.
    if (retire) book.retired = true;
    else this.#books.delete(id);
    return null;
  }

  #release(id: number): null {
    const book = this.#books.get(id);
    if (book !== undefined) book.core.freeColumns(book.columns);
    this.#books.delete(id);
    return null;
  }

  #write(request: Extract<Request, { op: 'write' }>): null {
    const { core, columns, length } = this.#book(request.book);
    if (request.profits) core.int64View(columns.profits, length).set(request.profits);
    if (request.exempt) core.byteView(columns.exempt, length).set(request.exempt);
    if (request.pool) core.uint32View(columns.pool, length).set(request.pool);
    if (request.weights) core.int64View(columns.weights, length).set(request.weights);
    if (request.caps) core.int64View(columns.caps, length).set(request.caps);
    return null;
  }

  #read(id: number): Replies['read'] {
    const { core, columns, length } = this.#book(id);
    return { haircuts: core.int64View(columns.haircuts, length).slice() };
  }

  #sums(request: Extract<Request, { op: 'sums' }>): Replies['sums'] {
    if (this.#call !== null) this.#end();
    const { core, columns, length } = this.#book(request.book);
    const options = { rounding: request.rounding as Rounding, tieSeed: request.tieSeed };
    const { pooled, exemptions, weighted, capsGiven } = request;
    const pools = core.openShard(columns, length, request.pools, options, { pooled, exemptions, weighted, capsGiven });
    this.#call = { pools, start: request.start };
    const { bad, negativeWeight, negativeCap, totals, weights, eligible } = pools.sums();
    const negative = negativeWeight >= 0
      ? { field: 'weights' as const, index: negativeWeight, value: core.int64View(columns.weights, length)[negativeWeight]! }
      : negativeCap >= 0 ? { field: 'caps' as const, index: negativeCap, value: core.int64View(columns.caps, length)[negativeCap]! } : null;
    return { bad, badPool: bad >= 0 ? core.uint32View(columns.pool, length)[bad]! : 0, totals, weights, eligible, negative };
  }

  get #open(): { pools: ShardCall; start: bigint } {
    if (this.#call === null) throw stateError('ERR_INTERNAL', 'no call in progress on this shard');
    return this.#call;
  }

  #round(steps: RoundStep[]): Replies['round'] {
    const { pools, start } = this.#open;
    // Every step's counts in one buffer (each reply's `counts` a view of it): one allocation, one buffer to send.
    const packed = new Uint32Array(BUCKETS * steps.reduce((n, step) => n + (step.count ? 1 : 0), 0));
    let at = 0;
    return steps.map((step) => {
      let span: { span?: { first: bigint; vary: bigint } } = {};
      if (step.keep) span = { span: pools.keep(step.pool, step.keep.field, step.keep.pos, start, step.keep.digit, step.keep.takeEqual) };
      if (step.settle) pools.settle(step.pool, step.settle.field, step.settle.pos, start, step.settle.digit, step.settle.give);
      if (step.give !== undefined) pools.give(step.pool, step.give);
      if (step.span !== undefined) span = { span: pools.span(step.pool, step.span, start) };
      let counts = {};
      if (step.count) {
        counts = pools.count(step.pool, step.count.field, step.count.pos, start, step.count.spans === true, packed.subarray(at, at + BUCKETS));
        at += BUCKETS;
      }
      return { listed: pools.listed(step.pool), ...span, ...counts };
    });
  }

  #index({ book, total, ...input }: Extract<Request, { op: 'index' }>): Replies['index'] {
    const { core, columns, length } = this.#book(book);
    const parameters = { ...input, rounding: input.rounding as IndexRounding, chargeRounding: input.chargeRounding as IndexRounding };
    return core.indexShard(columns.profits, columns.haircuts, length, parameters, total);
  }

  #end(): null {
    this.#call?.pools.close();
    this.#call = null;
    return null;
  }
}

/** The plain-data form of an error, for the reply. */
function errorData(error: unknown): Extract<Reply, { ok: false }>['error'] {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, code: isSocializedLossError(error) ? error.code : undefined };
  }
  return { name: 'Error', message: String(error) };
}

/**
 * Serves one shard over `port`: answers each request in order (one at a time, as the
 * coordinator sends them) until `close`. The shard for a worker thread, a Web Worker,
 * a child process or any transport of your own (see the shard protocol in the README).
 *
 * @example
 * // child.mjs, started with fork(child, { serialization: 'advanced' })
 * import { serveShard } from 'socialized-loss/parallel';
 * serveShard({ send: (m) => process.send(m), listen: (h) => process.on('message', h), stop: () => process.disconnect() });
 */
export function serveShard(port: ShardPort): void {
  const shard = new Shard();
  let queue = Promise.resolve();
  port.listen((message) => {
    const request = message as Request & { id: number };
    queue = queue.then(async () => {
      try {
        const value = await shard.handle(request);
        port.send({ id: request.id, ok: true, value });
      } catch (error) {
        port.send({ id: request.id, ok: false, error: errorData(error) });
      }
      if (request.op === 'close') port.stop?.();
    }).catch(() => {
      // A reply that cannot be sent (the channel is gone): the coordinator sees the failure; later requests are still answered.
    });
  });
}
