// Where results go: files written beside their target and renamed into place
// only on success (so no partial file ever exists and an existing one is
// untouched on failure), or stdout; both hashed as they are written.

import { createHash, randomBytes, type Hash } from 'node:crypto';
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './errors.js';

const pending = new Set<AtomicFile>();

/** Removes every temporary file not yet committed (on errors, exit and signals). */
export function abandonAll(): void {
  for (const file of pending) file.abandon();
}

/** A file written to a temporary name beside `target`, renamed onto it by `commit()`. */
export class AtomicFile {
  readonly temporary: string;
  #fd: number;

  /** Opens the temporary file; a UsageError naming `target` when its directory is not writable. */
  constructor(readonly target: string) {
    this.temporary = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      this.#fd = openSync(this.temporary, 'wx');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : String(code ?? error);
      throw new UsageError(`cannot write ${target}: ${why}`);
    }
    pending.add(this);
  }

  /** Appends all of `bytes`. */
  write(bytes: Uint8Array): void {
    for (let done = 0; done < bytes.length;) done += writeSync(this.#fd, bytes, done, bytes.length - done);
  }

  /** Closes and renames onto the target. */
  commit(): void {
    closeSync(this.#fd);
    this.#fd = -1;
    renameSync(this.temporary, this.target);
    pending.delete(this);
  }

  /** Closes and removes the temporary file; the target is left as it was. */
  abandon(): void {
    if (!pending.delete(this)) return;
    try {
      if (this.#fd >= 0) closeSync(this.#fd);
    } catch { /* already closed */ }
    try {
      unlinkSync(this.temporary);
    } catch { /* already gone */ }
  }
}

/** A buffered, hashed byte sink over an AtomicFile or stdout. */
export class Sink {
  readonly #hash: Hash = createHash('sha256');
  readonly #buffer = new Uint8Array(1 << 20);
  #used = 0;
  /** Bytes written in all. */
  bytes = 0;

  constructor(readonly file: AtomicFile | null) {}

  /** Whether `bytes` more fit in `buffer` after `used` (else flush first). */
  fits(bytes: number): boolean {
    return this.#used + bytes <= this.#buffer.length;
  }

  /** The buffer and how much of it is used: callers write at `used` and then `advance`. */
  get buffer(): Uint8Array {
    return this.#buffer;
  }

  get used(): number {
    return this.#used;
  }

  advance(to: number): void {
    this.#used = to;
  }

  /** Appends a string (ASCII or UTF-8). */
  async text(text: string): Promise<void> {
    const bytes = new TextEncoder().encode(text);
    if (!this.fits(bytes.length)) await this.flush();
    if (bytes.length > this.#buffer.length) {
      await this.#emit(bytes);
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
    await this.#emit(bytes);
  }

  /** Writes `bytes` in one piece, past the buffer (for a row larger than it). */
  async write(bytes: Uint8Array): Promise<void> {
    await this.flush();
    await this.#emit(bytes);
  }

  /** The buffer's size: a row must fit in it or go through `write`. */
  get capacity(): number {
    return this.#buffer.length;
  }

  /** Flushes and returns the SHA-256 of everything written. */
  async close(): Promise<string> {
    await this.flush();
    return this.#hash.digest('hex');
  }

  async #emit(bytes: Uint8Array): Promise<void> {
    this.#hash.update(bytes);
    this.bytes += bytes.length;
    if (this.file) {
      this.file.write(bytes);
    } else if (!process.stdout.write(bytes)) {
      await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
  }
}
