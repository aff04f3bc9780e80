// Where results go, so that no file is ever lost:
// - every output and input is a distinct file (checked before any work, through
//   symlinks and hard links, by device and inode);
// - a regular file (or a new one) is written to a temporary file beside its
//   target, flushed to disk, and renamed into place only when every output is
//   complete; until then, and after any failure or signal, the target is untouched
//   and no temporary file is left;
// - anything else at the target (a device, a pipe, /proc/self/fd/1) is written
//   through, never replaced (replacing /dev/null as root would break the system);
// - stdout when no file is named. Every byte is hashed as it is written.

import { createHash, randomBytes, type Hash } from 'node:crypto';
import {
  closeSync, fchmodSync, fchownSync, fsyncSync, linkSync, lstatSync, openSync, realpathSync, renameSync, statSync,
  unlinkSync, writeSync, type BigIntStats,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EnvironmentError, UsageError } from './errors.js';
import { identityOf, type FileIdentity, type InputSource } from './input.js';

const pending = new Set<AtomicFile>();

/** Removes every temporary file not yet committed (on errors, exit and signals). */
export function abandonAll(): void {
  for (const file of pending) file.abandon();
}

/** A place to write an output: `write` appends, `commit` makes it final. */
export interface OutputFile {
  /** The path as given. */
  readonly target: string;
  /** Appends all of `bytes`; an EnvironmentError naming the path when the disk refuses. */
  write(bytes: Uint8Array): void;
}

/** What `planOutput` found at an output path. */
interface Plan {
  flag: string;
  path: string;
  /** The existing file (symlinks followed), or null for a new one. */
  existing: BigIntStats | null;
  /** Where the file is (symlinks resolved): a rename lands there, so the link stays a link. */
  resolved: string;
}

/** Looks at an output path before any work: a UsageError or EnvironmentError for what cannot be written. */
function planOutput(flag: string, path: string): Plan {
  if (path === '') throw new UsageError(`${flag} is an empty file name; expected a file to write`);
  if (path.endsWith('/')) throw new EnvironmentError('write', path, 'names a directory (it ends in /); expected a file name');
  let existing: BigIntStats | null = null;
  try {
    existing = statSync(path, { bigint: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new EnvironmentError('write', path, error);
    let link = false;
    try {
      link = lstatSync(path).isSymbolicLink();
    } catch { /* nothing there */ }
    if (link) throw new EnvironmentError('write', path, 'is a symbolic link to a file that does not exist');
  }
  if (existing?.isDirectory()) throw new EnvironmentError('write', path, 'is a directory; expected a file name');
  let resolved: string;
  try {
    resolved = existing ? realpathSync(path) : join(realpathSync(dirname(path)), basename(path));
  } catch (error) {
    throw new EnvironmentError('write', path, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : error);
  }
  if (!existing && !statSync(dirname(resolved)).isDirectory()) throw new EnvironmentError('write', path, 'a part of the path is not a directory');
  return { flag, path, existing, resolved };
}

/** Two files are the same when they share a device and inode, or (not yet existing) a resolved path. */
function sameFile(a: { identity: FileIdentity | null; resolved: string | null }, b: { identity: FileIdentity | null; resolved: string | null }): boolean {
  if (a.identity && b.identity) {
    // A terminal or /dev/null may take several outputs: nothing is replaced there.
    if (a.identity.device && b.identity.device) return false;
    return a.identity.dev === b.identity.dev && a.identity.ino === b.identity.ino;
  }
  return a.resolved !== null && a.resolved === b.resolved;
}

/**
 * Checks the outputs (`[flag, path]`, path undefined when not asked for) against
 * each other and the inputs, then opens each: a temporary file beside a regular
 * (or new) target, or the target itself when it is a device or a pipe. Throws,
 * before any work, when two name the same file or one cannot be written.
 */
export async function openOutputs(outputs: [string, string | undefined][], inputs: InputSource[]): Promise<(OutputFile | null)[]> {
  const plans = outputs.map(([flag, path]) => (path === undefined ? null : planOutput(flag, path)));
  const named = [
    ...inputs.map((input) => ({ what: `the input ${input.name}`, identity: input.identity, resolved: null })),
    ...plans.flatMap((plan) => (plan ? [{
      what: `${plan.flag} ${plan.path}`, identity: plan.existing && identityOf(plan.existing), resolved: plan.resolved,
    }] : [])),
  ];
  for (let j = 0; j < named.length; j++) {
    for (let i = 0; i < j; i++) {
      if (sameFile(named[i]!, named[j]!)) {
        throw new UsageError(`${named[j]!.what} and ${named[i]!.what} are the same file; every output and input must be a distinct file`);
      }
    }
  }
  const opened: (OutputFile | null)[] = [];
  try {
    for (const plan of plans) {
      if (plan === null) opened.push(null);
      else if (plan.existing && !plan.existing.isFile()) opened.push(await PassThroughFile.open(plan.path));
      else opened.push(new AtomicFile(plan.path, plan.resolved, plan.existing));
    }
  } catch (error) {
    abandonAll();
    throw error;
  }
  return opened;
}

/** Appends all of `bytes` to `fd`; an EnvironmentError naming `path` when the disk refuses (full, quota, I/O). */
function writeAll(fd: number, bytes: Uint8Array, path: string): void {
  try {
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
  } catch (error) {
    throw new EnvironmentError('write', path, error);
  }
}

/** A device or a pipe at the target: written through as bytes come, never replaced. */
class PassThroughFile implements OutputFile {
  /** The handle is kept so that it is not collected (and closed) while the command runs. */
  private constructor(readonly target: string, readonly handle: FileHandle) {}

  /** Opens the target for writing (a pipe waits for its reader, without blocking the event loop). */
  static async open(target: string): Promise<PassThroughFile> {
    try {
      const handle = await open(target, 'w');
      return new PassThroughFile(target, handle);
    } catch (error) {
      throw new EnvironmentError('write', target, error);
    }
  }

  write(bytes: Uint8Array): void {
    writeAll(this.handle.fd, bytes, this.target);
  }
}

/** A regular file written to a temporary name beside its target, renamed onto it by `commitAll`. */
class AtomicFile implements OutputFile {
  readonly temporary: string;
  #fd: number;
  /** A hard link to the file being replaced, kept until every output is in place (to put it back). */
  #backup: string | null = null;

  /** Opens the temporary file beside `resolved` (the target with symlinks resolved); `existing` is the file it replaces. */
  constructor(readonly target: string, readonly resolved: string, readonly existing: BigIntStats | null) {
    this.temporary = join(dirname(resolved), `.${basename(resolved)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      this.#fd = openSync(this.temporary, 'wx', 0o666);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new EnvironmentError('write', target, code === 'ENOENT' ? 'no such directory' : error);
    }
    pending.add(this);
  }

  write(bytes: Uint8Array): void {
    writeAll(this.#fd, bytes, this.target);
  }

  /** Step 1 of a commit: the replaced file's mode (and owner, where allowed), then the bytes on disk, then closed. */
  seal(): void {
    try {
      if (this.existing) {
        fchmodSync(this.#fd, Number(this.existing.mode & 0o7777n));
        try {
          fchownSync(this.#fd, Number(this.existing.uid), Number(this.existing.gid));
        } catch { /* only root may give a file away: the mode is what matters */ }
      }
      fsyncSync(this.#fd);
      closeSync(this.#fd);
      this.#fd = -1;
    } catch (error) {
      throw new EnvironmentError('write', this.target, error);
    }
  }

  /** Step 2: renames onto the target, keeping a link to the file it replaces. */
  place(): void {
    if (this.existing) {
      const backup = this.temporary.replace(/\.tmp$/, '.old');
      try {
        linkSync(this.resolved, backup);
        this.#backup = backup;
      } catch { /* no hard links here: the target is replaced without a way back */ }
    }
    try {
      renameSync(this.temporary, this.resolved);
    } catch (error) {
      this.#dropBackup();
      throw new EnvironmentError('write', this.target, error);
    }
  }

  /** Undoes `place` (a later output failed): the old file back, or the new one removed. */
  restore(): void {
    try {
      if (this.#backup) renameSync(this.#backup, this.resolved);
      else if (!this.existing) unlinkSync(this.resolved);
    } catch { /* best effort: the error that caused the restore is what the user sees */ }
    this.#backup = null;
    pending.delete(this);
  }

  /** Step 3: the rename on disk (the directory flushed), the backup link dropped. */
  finish(): void {
    this.#dropBackup();
    pending.delete(this);
    try {
      const directory = openSync(dirname(this.resolved), 'r');
      try {
        fsyncSync(directory);
      } finally {
        closeSync(directory);
      }
    } catch { /* some file systems cannot flush a directory; the rename itself is done */ }
  }

  #dropBackup(): void {
    if (this.#backup === null) return;
    try {
      unlinkSync(this.#backup);
    } catch { /* already gone */ }
    this.#backup = null;
  }

  /** Closes and removes the temporary file; the target is left as it was. */
  abandon(): void {
    if (!pending.delete(this)) return;
    try {
      if (this.#fd >= 0) closeSync(this.#fd);
    } catch { /* already closed */ }
    this.#fd = -1;
    try {
      unlinkSync(this.temporary);
    } catch { /* already gone, or placed */ }
  }
}

/**
 * Makes every output final at once: all flushed to disk first, then renamed into
 * place; if any step fails, every output already placed is put back as it was.
 * Pass-through outputs were written as they went.
 */
export function commitAll(files: (OutputFile | null)[]): void {
  const atomic = files.filter((file): file is AtomicFile => file instanceof AtomicFile);
  for (const file of atomic) file.seal();
  const placed: AtomicFile[] = [];
  try {
    for (const file of atomic) {
      file.place();
      placed.push(file);
    }
  } catch (error) {
    for (const file of placed.reverse()) file.restore();
    abandonAll();
    throw error;
  }
  for (const file of atomic) file.finish();
}

/** A buffered, hashed byte sink over an output file or stdout. */
export class Sink {
  readonly #hash: Hash = createHash('sha256');
  readonly #buffer = new Uint8Array(1 << 20);
  #used = 0;
  /** Bytes written in all. */
  bytes = 0;

  constructor(readonly file: OutputFile | null) {}

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
