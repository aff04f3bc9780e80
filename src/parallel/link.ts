// The coordinator's end of one shard's transport: requests with replies matched by id,
// each reply's shape checked against its request (replies.ts), and the shard's failure
// (exit, crash, a broken channel, a malformed reply, no answer within the time allowed)
// turned into a rejection of every request in flight, never a hang and never an
// exception inside the transport's listener.

import { rangeError, stateError, typeError, type ErrorCode } from '../errors.js';
import type { Replies, Reply, Request } from './protocol.js';
import { replyProblem } from './replies.js';

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

/**
 * Whether a sound shard may answer `op` with an error of `code`: its memory ran out (any
 * request), or its runtime cannot run the core (`load`). The coordinator checks every
 * input before a shard sees it, so any other error a shard sends (an input's error code, a
 * closed engine, an internal fault, a code of its own) is the shard's fault, never the caller's.
 */
function mayFail(op: string, code: unknown): boolean {
  return code === 'ERR_MEMORY' || (op === 'load' && code === 'ERR_UNSUPPORTED');
}

/** The error a shard answered with (one `mayFail` lets through), as the caller gets it: its class and code as thrown in the shard. */
function rebuild(error: Extract<Reply, { ok: false }>['error']): Error {
  const code = error.code as ErrorCode;
  if (error.name === 'TypeError') return typeError(code, error.message);
  if (error.name === 'RangeError') return rangeError(code, error.message);
  return stateError(code, error.message);
}

/** A request in flight: its request (to check the reply against), how to settle it, and its timer. */
interface Pending {
  request: Request;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** One shard as the coordinator sees it. */
export class Link {
  readonly #transport: ShardTransport;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  /** Why the shard failed (what follows "shard j " in the error), once it has. */
  #failed: string | null = null;
  /** Set when `close` begins: a failure from then on is the closing, not the shard's. */
  #closingBegun = false;
  /** Called once when the shard fails. */
  onFailure: (reason: string) => void = () => {};

  /** `timeoutMs`: how long a request may go unanswered before the shard counts as failed (undefined: no limit). */
  constructor(transport: ShardTransport, readonly index: number, readonly timeoutMs?: number) {
    this.#transport = transport;
    transport.listen((message) => this.#receive(message));
    transport.onFailure((reason) => this.#fail(`stopped: ${reason}`));
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
      let timer: ReturnType<typeof setTimeout> | undefined;
      // Loading a shard compiles its core (seconds on a slow machine): the limit is for the calls' messages.
      if (this.timeoutMs !== undefined && request.op !== 'load') {
        timer = setTimeout(() => this.#fail(`did not answer '${request.op}' within ${this.timeoutMs} ms`), this.timeoutMs);
        // A transport that says when it is busy keeps the process alive itself (a worker's
        // port): the timer then does not. One that cannot (an in-process channel) relies on
        // the timer, so that a dropped reply still ends the call instead of the process.
        if (this.#transport.busy !== undefined) (timer as { unref?: () => void }).unref?.();
      }
      this.#pending.set(id, { request, resolve: resolve as (value: unknown) => void, reject, timer });
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
   * The shard broke the protocol (`reason`: what it did, after "shard j "): fails the
   * link as a dead shard's (every request in flight rejected, the engine closed) and
   * returns the error for the call.
   */
  fault(reason: string): Error {
    this.#fail(reason);
    return this.#failure();
  }

  /** Marks the link as closing: from now on a failure is the closing's (ERR_ENGINE_CLOSED). Done for every link before any shard is told to stop. */
  beginClosing(): void {
    this.#closingBegun = true;
  }

  /**
   * Stops the shard, once: after it answered `close` (or at once when it has failed, or
   * after a second when it does not answer); requests still in flight are rejected.
   */
  close(): Promise<void> {
    this.#closingBegun = true;
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
    return stateError('ERR_SHARD_FAILED', `shard ${this.index} ${this.#failed}`);
  }

  #settle(id: number): Pending | undefined {
    const entry = this.#pending.get(id);
    this.#pending.delete(id);
    if (entry !== undefined) clearTimeout(entry.timer);
    if (entry !== undefined && this.#pending.size === 0) this.#transport.busy?.(false);
    return entry;
  }

  /** A message from the shard. Never throws (it runs in the transport's listener): whatever is wrong fails the link. */
  #receive(message: unknown): void {
    try {
      const reply = message as Partial<Reply> | null;
      if (typeof reply !== 'object' || reply === null || typeof reply.id !== 'number' || typeof reply.ok !== 'boolean') {
        this.#fail(`sent a message that is not a reply (${message === null ? 'null' : typeof message})`);
        return;
      }
      const entry = this.#settle(reply.id);
      if (entry === undefined) return;
      if (!reply.ok) {
        const error = (reply as { error?: unknown }).error as Extract<Reply, { ok: false }>['error'] | undefined;
        if (typeof error !== 'object' || error === null || typeof error.message !== 'string' || typeof error.name !== 'string') {
          entry.reject(this.fault(`replied to ${entry.request.op} with an error that is not one`));
          return;
        }
        if (!mayFail(entry.request.op, error.code)) {
          const what = `${typeof error.code === 'string' ? error.code.slice(0, 40) : String(error.code)}: ${error.message.slice(0, 120)}`;
          entry.reject(this.fault(`replied to ${entry.request.op} with an error a shard cannot have (${what})`));
          return;
        }
        entry.reject(rebuild(error));
        return;
      }
      const value = (reply as { value?: unknown }).value;
      const problem = replyProblem(entry.request, value);
      if (problem !== null) entry.reject(this.fault(`replied to ${entry.request.op} with ${problem}`));
      else entry.resolve(value);
    } catch (error) {
      this.#fail(`sent a reply that could not be read (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  #fail(reason: string): void {
    if (this.#failed !== null) return;
    // Once the engine is closing, a shard that stops (or does not answer) is being closed.
    this.#failed = this.#closingBegun ? CLOSED : reason;
    const error = this.#failure();
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(error);
    if (this.#failed !== CLOSED) this.onFailure(this.#failed);
  }
}
