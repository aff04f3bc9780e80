// Where written bytes go, buffered and hashed: the command line's file or
// stdout (output.ts's outputSink), or the page's download (web/). The rows are
// built in the buffer by write.ts; the sink hands full buffers to `emit`.

import type { Hasher, Platform } from '../host/platform.js';

/** How many flushes between turns of the host's event loop. */
const FLUSHES_PER_PAUSE = 8;

/** A buffered, hashed byte sink: `emit` receives each flushed piece (a copy, never reused). */
export class Sink {
  readonly #hash: Hasher;
  readonly #buffer = new Uint8Array(1 << 20);
  readonly #platform: Platform;
  readonly #emit: (bytes: Uint8Array) => void | Promise<void>;
  #used = 0;
  #flushes = 0;
  /** Bytes written in all. */
  bytes = 0;

  /** Whether `emit` is done with its bytes once its promise resolves (a file), so that `writeTransient` need not copy them. */
  readonly #consumes: boolean;

  /**
   * `options.consumes`: `emit` is done with each piece when its promise resolves (else it may
   * keep it: a download's parts); `options.sizeHint`: about how many bytes will be written (for the hash).
   */
  constructor(platform: Platform, emit: (bytes: Uint8Array) => void | Promise<void>, options: { consumes?: boolean; sizeHint?: number } = {}) {
    this.#platform = platform;
    this.#hash = platform.sha256(options.sizeHint);
    this.#emit = emit;
    this.#consumes = options.consumes ?? false;
  }

  /** Whether `bytes` more fit in `buffer` after `used` (else flush first). */
  fits(bytes: number): boolean {
    return this.#used + bytes <= this.#buffer.length;
  }

  /** The buffer: callers write at `used` and then `advance`. */
  get buffer(): Uint8Array {
    return this.#buffer;
  }

  /** How much of `buffer` is filled. */
  get used(): number {
    return this.#used;
  }

  /** Marks `buffer` filled up to `to`. */
  advance(to: number): void {
    this.#used = to;
  }

  /** Appends a string (ASCII or UTF-8). */
  async text(text: string): Promise<void> {
    const bytes = new TextEncoder().encode(text);
    if (!this.fits(bytes.length)) await this.flush();
    if (bytes.length > this.#buffer.length) {
      await this.#out(bytes);
      return;
    }
    this.#buffer.set(bytes, this.#used);
    this.#used += bytes.length;
  }

  /** Writes out what is buffered. */
  async flush(): Promise<void> {
    if (this.#used === 0) return;
    const bytes = this.#buffer.slice(0, this.#used);
    this.#used = 0;
    await this.#out(bytes);
    // Writing never waits on the event loop by itself; a turn of it now and then lets a signal end the run.
    if (++this.#flushes % FLUSHES_PER_PAUSE === 0) await this.#platform.pause();
  }

  /** Writes `bytes` in one piece, past the buffer (for a row larger than it); they must not be changed afterwards. */
  async write(bytes: Uint8Array): Promise<void> {
    await this.flush();
    await this.#out(bytes);
  }

  /**
   * Writes `bytes` that the caller changes once the returned promise resolves (a piece formatted
   * in place): hashed now, handed on as they are when the emitter consumes its pieces, else a
   * copy. The caller may format its next piece elsewhere meanwhile, but writes nothing else
   * to the sink until this resolves.
   */
  writeTransient(bytes: Uint8Array): Promise<void> {
    const piece = this.#consumes ? bytes : bytes.slice();
    // Started now (hashed, the write begun) when nothing is buffered, so that it runs while the caller goes on.
    return this.#used > 0 ? this.flush().then(() => this.#out(piece)) : this.#out(piece);
  }

  /** The buffer's size: a row must fit in it or go through `write`. */
  get capacity(): number {
    return this.#buffer.length;
  }

  /** Flushes and returns the SHA-256 of everything written. */
  async close(): Promise<string> {
    await this.flush();
    return await this.#hash.digest();
  }

  async #out(bytes: Uint8Array): Promise<void> {
    this.#hash.update(bytes);
    this.bytes += bytes.length;
    await this.#emit(bytes);
  }
}
