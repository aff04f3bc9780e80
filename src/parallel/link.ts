// The coordinator's end of one shard's transport: requests with replies matched by id,
// and the shard's failure (exit, crash, a broken channel) turned into a rejection of
// every request in flight, never a hang.

import { rangeError, stateError, typeError, type ErrorCode } from '../errors.js';
import type { Replies, Reply, Request } from './protocol.js';

/**
 * How a coordinator reaches one shard: any channel that carries structured-clone data
 * (a worker, a child process's IPC channel with `serialization: 'advanced'`, …).
 */
export interface ShardTransport {
  /** Sends one request. */
  send(message: unknown): void;
  /** Calls `handler` with every reply received. */
  listen(handler: (message: unknown) => void): void;
  /** Calls `handler` once if the shard stops or the channel breaks (`reason` says how). */
  onFailure(handler: (reason: string) => void): void;
  /** Stops the shard and the channel. */
  close(): void | Promise<void>;
  /** Whether the channel carries a shared `WebAssembly.Memory` (threads of one process): books are then filled in place. */
  readonly sharesMemory?: boolean | undefined;
  /** Called with `true` while a request is in flight and `false` when none is (a worker keeps the process alive only then). */
  busy?(inFlight: boolean): void;
}

/** Why a link stopped when it was closed by the coordinator (not a failure). */
const CLOSED = 'closed';

/** How long `close` waits for a shard to answer before stopping it anyway. */
const CLOSE_WAIT_MS = 1_000;

/** An error rebuilt from a shard's reply: its class and code as thrown in the shard. */
function rebuild(error: Extract<Reply, { ok: false }>['error']): Error {
  // A fault without a code is a bug in the shard, never the input's.
  if (error.code === undefined) return stateError('ERR_INTERNAL', `internal error in a shard (${error.name}: ${error.message}); please report it`);
  const code = error.code as ErrorCode;
  if (error.name === 'TypeError') return typeError(code, error.message);
  if (error.name === 'RangeError') return rangeError(code, error.message);
  return stateError(code, error.message);
}

/** One shard as the coordinator sees it. */
export class Link {
  readonly #transport: ShardTransport;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #next = 0;
  /** Why the shard failed, once it has. */
  #failed: string | null = null;
  /** Called once when the shard fails. */
  onFailure: (reason: string) => void = () => {};

  constructor(transport: ShardTransport, readonly index: number) {
    this.#transport = transport;
    transport.listen((message) => this.#receive(message as Reply));
    transport.onFailure((reason) => this.#fail(reason));
  }

  /** Whether the channel can carry a shared memory. */
  get sharesMemory(): boolean {
    return this.#transport.sharesMemory === true;
  }

  /** Sends `request` and resolves with the shard's reply (rejects with its error, or ERR_SHARD_FAILED). */
  request<R extends Request>(request: R): Promise<Replies[R['op']]> {
    if (this.#failed !== null) return Promise.reject(this.#failure());
    const id = this.#next++;
    return new Promise<Replies[R['op']]>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      if (this.#pending.size === 1) this.#transport.busy?.(true);
      try {
        this.#transport.send({ ...request, id });
      } catch (error) {
        this.#settle(id);
        reject(stateError('ERR_SHARD_FAILED', `shard ${this.index} cannot be reached: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
      }
    });
  }

  /**
   * Stops the shard, once: after it answered `close` (or at once when it has failed, or
   * after a second when it does not answer); requests still in flight are rejected.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#failed === null) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, CLOSE_WAIT_MS);
          (timer as { unref?: () => void }).unref?.();
        });
        // A shard that fails while closing is closed.
        await Promise.race([this.request({ op: 'close' }).catch(() => {}), late]);
        clearTimeout(timer);
      }
      this.#fail(CLOSED);
      await this.#transport.close();
    })();
    return this.#closing;
  }

  /** The closing, once begun. */
  #closing: Promise<void> | null = null;

  #failure(): Error {
    if (this.#failed === CLOSED) return stateError('ERR_ENGINE_CLOSED', 'the sharded engine was closed');
    return stateError('ERR_SHARD_FAILED', `shard ${this.index} stopped: ${this.#failed}`);
  }

  #settle(id: number): { resolve: (value: unknown) => void; reject: (error: Error) => void } | undefined {
    const entry = this.#pending.get(id);
    this.#pending.delete(id);
    if (entry !== undefined && this.#pending.size === 0) this.#transport.busy?.(false);
    return entry;
  }

  #receive(reply: Reply): void {
    const entry = this.#settle(reply.id);
    if (entry === undefined) return;
    if (reply.ok) entry.resolve(reply.value);
    else entry.reject(rebuild(reply.error));
  }

  #fail(reason: string): void {
    if (this.#failed !== null) return;
    this.#failed = reason;
    const error = this.#failure();
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(error);
    if (reason !== CLOSED) this.onFailure(reason);
  }
}
