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

import { randomBytes } from 'node:crypto';
import {
  closeSync, fchmodSync, fchownSync, fstatSync, fsync, fsyncSync, linkSync, lstatSync, openSync, realpathSync, renameSync, statSync,
  unlinkSync, write, writeSync, type BigIntStats,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EnvironmentError, reasonOf, shorten, UsageError } from '../files/errors.js';
import { fileKey, InputSource, openSources } from './input.js';
import type { Sources } from '../run/load.js';
import type { Parameters } from '../run/parameters.js';
import type { Platform } from '../host/platform.js';
import { Sink } from '../files/sink.js';

const pending = new Set<AtomicFile>();

/** Removes every temporary file not yet committed (on errors, exit and signals). */
export function abandonAll(): void {
  for (const file of pending) file.abandon();
}

/** A place to write an output: `write` appends (a pipe's writes may wait for its reader). */
export interface OutputFile {
  /** The path as given. */
  readonly target: string;
  /** Appends all of `bytes` (unchanged by the caller until it resolves); an EnvironmentError naming the path when the disk refuses. */
  write(bytes: Uint8Array): void | Promise<void>;
}

/** What `planOutput` found at an output path. */
interface Plan {
  flag: string;
  path: string;
  /** The existing file (symlinks followed), or null for a new one. */
  existing: BigIntStats | null;
  /** Where the file is (symlinks and `..` resolved as the kernel does): a rename lands there, so a link stays a link. */
  resolved: string;
  /** What names the file for the distinct-files check: its identity, or (a new file) its directory's identity and its name. */
  key: string;
  /** An open descriptor of this process that is the same file (`--out /dev/stdout` with stdout redirected to a file), or null. */
  ownFd: number | null;
}

/** This process's stdout and stderr when they are regular files (or null): outputs named through them are written through them. */
function ownFiles(): Map<string, number> {
  const own = new Map<string, number>();
  for (const fd of [1, 2]) {
    try {
      const stats = fstatSync(fd, { bigint: true });
      if (stats.isFile()) own.set(fileKey(stats), fd);
    } catch { /* closed */ }
  }
  return own;
}

/** Looks at an output path before any work: a UsageError or EnvironmentError for what cannot be written. */
function planOutput(flag: string, path: string, own: Map<string, number>): Plan {
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
  if (existing && !existing.isFile()) return { flag, path, existing, resolved: path, key: fileKey(existing), ownFd: null };
  if (existing && own.has(fileKey(existing))) return { flag, path, existing, resolved: path, key: fileKey(existing), ownFd: own.get(fileKey(existing))! };
  // The kernel's resolution (realpath(3)), not the text's: `link/..` is the link target's parent.
  let resolved: string;
  let directory: BigIntStats;
  try {
    resolved = existing ? realpathSync.native(path) : join(realpathSync.native(dirname(path)), basename(path));
    directory = statSync(dirname(resolved), { bigint: true });
  } catch (error) {
    throw new EnvironmentError('write', path, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : error);
  }
  if (!directory.isDirectory()) throw new EnvironmentError('write', path, 'a part of the path is not a directory');
  const uid = BigInt(process.getuid?.() ?? -1);
  // In a sticky directory (such as /tmp) only a file's or the directory's owner may replace it.
  if (existing && (directory.mode & 0o1000n) !== 0n && uid !== 0n && existing.uid !== uid && directory.uid !== uid) {
    throw new EnvironmentError('write', path, 'is owned by another user in a sticky directory (such as /tmp): it cannot be replaced');
  }
  return { flag, path, existing, resolved, key: existing ? fileKey(existing) : `${fileKey(directory)}/${basename(resolved)}`, ownFd: null };
}

/** An input or output for the distinct-files check. */
interface Named {
  what: string;
  key: string | null;
  /** A character device (a terminal, /dev/null) may take several outputs: nothing is replaced there. */
  device: boolean;
}

/**
 * Checks the outputs (`[flag, path]`, path undefined when not asked for; an absent
 * first one is stdout) against each other and the inputs, then opens each: a
 * temporary file beside a regular (or new) target, or the target itself when it is
 * a device, a pipe, or this process's own redirected stdout or stderr. Throws, before
 * any work, when two name the same file or one cannot be written.
 */
export async function openOutputs(outputs: [string, string | undefined][], inputs: InputSource[]): Promise<(OutputFile | null)[]> {
  for (const [flag, path] of outputs) {
    // "-" is stdin as an input; as an output it would be a file named "-": said, not done.
    if (path === '-') throw new UsageError(`${flag} - would write a file named "-"; ${flag === '--out' ? 'leave --out out to write to stdout, or give' : 'give'} a file name`);
  }
  const own = ownFiles();
  const plans = outputs.map(([flag, path]) => (path === undefined ? null : planOutput(flag, path, own)));
  const named: Named[] = inputs.map((input) => ({
    what: `the input ${shorten(input.name)}`, key: input.identity?.key ?? null, device: input.identity?.device ?? false,
  }));
  for (const plan of plans) {
    if (plan) named.push({ what: `${plan.flag} ${shorten(plan.path)}`, key: plan.key, device: plan.existing?.isCharacterDevice() ?? false });
  }
  if (plans[0] === null) {
    // The haircuts go to stdout: when it is a file (`> out.csv`, `>> in.csv`) or a pipe, that is an output too.
    try {
      const stdout = fstatSync(1, { bigint: true });
      if (!stdout.isCharacterDevice()) named.push({ what: 'stdout', key: fileKey(stdout), device: false });
    } catch { /* closed */ }
  }
  for (let j = 0; j < named.length; j++) {
    for (let i = 0; i < j; i++) {
      const [a, b] = [named[i]!, named[j]!];
      if (a.key !== null && a.key === b.key && !(a.device && b.device)) {
        throw new UsageError(`${b.what} and ${a.what} are the same file; every output and input must be a distinct file`);
      }
    }
  }
  const opened: (OutputFile | null)[] = [];
  try {
    for (const plan of plans) {
      if (plan === null) opened.push(null);
      else if (plan.ownFd !== null) opened.push(new PassThroughFile(plan.path, plan.ownFd, null));
      else if (plan.existing && !plan.existing.isFile()) opened.push(await PassThroughFile.open(plan.path));
      else opened.push(new AtomicFile(plan.path, plan.resolved, plan.existing));
    }
    // Every file replaced before another must be able to come back (see commitAll): tried now, not after the work.
    const atomic = opened.filter((file): file is AtomicFile => file instanceof AtomicFile);
    for (const file of atomic.slice(0, -1)) file.keepWayBack(true);
  } catch (error) {
    abandonAll();
    throw error;
  }
  return opened;
}

/** Appends all of `bytes` to `fd`; an EnvironmentError naming `path` when the disk refuses (full, quota, I/O). */
async function writeAll(fd: number, bytes: Uint8Array, path: string): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    try {
      done += await new Promise<number>((resolve, reject) =>
        write(fd, bytes, done, bytes.length - done, null, (error, written) => (error ? reject(error) : resolve(written))));
    } catch (error) {
      throw new EnvironmentError('write', path, error);
    }
  }
}

/**
 * A device, a pipe, or this process's own redirected stdout/stderr at the target:
 * written through as bytes come (off the main thread, so that a pipe whose reader
 * is slow never keeps a signal from being handled), never replaced.
 */
class PassThroughFile implements OutputFile {
  /** `handle` is kept so that it is not collected (and closed) while the command runs. */
  constructor(readonly target: string, readonly fd: number, readonly handle: FileHandle | null) {}

  /** Opens the target for writing (a pipe waits for its reader, without blocking the event loop). */
  static async open(target: string): Promise<PassThroughFile> {
    try {
      const handle = await open(target, 'w');
      return new PassThroughFile(target, handle.fd, handle);
    } catch (error) {
      throw new EnvironmentError('write', target, error);
    }
  }

  write(bytes: Uint8Array): Promise<void> {
    return writeAll(this.fd, bytes, this.target);
  }
}

/** A temporary name beside `resolved`, short enough for the file system's 255-byte names. */
function temporaryName(resolved: string, suffix: string): string {
  let name = basename(resolved);
  while (Buffer.byteLength(name) > 200) name = name.slice(0, -1);
  return join(dirname(resolved), `.${name}.${process.pid}.${randomBytes(4).toString('hex')}${suffix}`);
}

/** A regular file written to a temporary name beside its target, renamed onto it by `commitAll`. */
class AtomicFile implements OutputFile {
  readonly temporary: string;
  #fd: number;
  /** The mode a new file gets (0666 less the umask), read off the temporary file as created. */
  readonly #newMode: number;
  /** A hard link to the file being replaced, kept until every output is in place (to put it back). */
  #backup: string | null = null;
  /** Whether the file to replace was removed by someone else between the checks and the commit. */
  #vanished = false;

  /** Opens the temporary file beside `resolved` (the target with symlinks resolved); `existing` is the file it replaces. */
  constructor(readonly target: string, readonly resolved: string, readonly existing: BigIntStats | null) {
    this.temporary = temporaryName(resolved, '.tmp');
    try {
      this.#fd = openSync(this.temporary, 'wx', 0o666);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new EnvironmentError('write', target, code === 'ENOENT' ? 'no such directory' : error);
    }
    pending.add(this);
    this.#newMode = fstatSync(this.#fd).mode & 0o777;
    // Private while it is written: the final mode is set when it is complete.
    try {
      fchmodSync(this.#fd, 0o600);
    } catch { /* a file system without modes (FAT, some network mounts): nothing to protect with one */ }
  }

  /** Appends `bytes` off the main thread (the caller keeps them unchanged until this resolves). */
  write(bytes: Uint8Array): Promise<void> {
    return writeAll(this.#fd, bytes, this.target);
  }

  /** Step 1 of a commit: the replaced file's owner (where allowed) and mode, then the bytes on disk, then closed. */
  async seal(): Promise<void> {
    try {
      if (this.existing) {
        try {
          fchownSync(this.#fd, Number(this.existing.uid), Number(this.existing.gid));
        } catch { /* only root may give a file away: the mode is what matters */ }
      }
      // After the owner: a change of owner clears the set-user-ID and set-group-ID bits.
      try {
        fchmodSync(this.#fd, this.existing ? Number(this.existing.mode & 0o7777n) : this.#newMode);
      } catch { /* a file system without modes keeps its own */ }
      await new Promise<void>((resolve, reject) => fsync(this.#fd, (error) => (error ? reject(error) : resolve())));
      closeSync(this.#fd);
      this.#fd = -1;
    } catch (error) {
      throw new EnvironmentError('write', this.target, error);
    }
  }

  /**
   * Step 2: a hard link to the file about to be replaced, to put it back should the
   * other output fail. With `probe` (before any work): made and undone at once, to
   * know it can be (a shared directory may let a user replace a file but not link it).
   */
  keepWayBack(probe = false): void {
    if (!this.existing || this.#vanished) return;
    const backup = temporaryName(this.resolved, '.old');
    try {
      linkSync(this.resolved, backup);
    } catch (error) {
      // Removed since it was checked: there is nothing to put back, only the new file to remove.
      if (!probe && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.#vanished = true;
        return;
      }
      const then = probe ? 'write the two outputs to other files' : 'nothing was replaced';
      throw new EnvironmentError('write', this.target, `cannot keep the current file to put it back should the other output fail (${reasonOf(error)}); ${then}`);
    }
    if (!probe) {
      this.#backup = backup;
      return;
    }
    try {
      unlinkSync(backup);
    } catch { /* a leftover link to the same file, harmless */ }
  }

  /** Step 3: renames onto the target. */
  place(): void {
    try {
      renameSync(this.temporary, this.resolved);
    } catch (error) {
      throw new EnvironmentError('write', this.target, error);
    }
  }

  /** Undoes `place` (a later output failed): the old file back, or the new one removed. */
  restore(): void {
    try {
      if (this.#backup) renameSync(this.#backup, this.resolved);
      else if (!this.existing || this.#vanished) unlinkSync(this.resolved);
    } catch { /* best effort: the error that caused the restore is what the user sees */ }
    this.#backup = null;
    pending.delete(this);
  }

  /** Step 4: the rename on disk (the directory flushed), the backup link dropped. */
  finish(): void {
    this.dropBackup();
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

  /** Removes the backup link, if any. */
  dropBackup(): void {
    if (this.#backup === null) return;
    try {
      unlinkSync(this.#backup);
    } catch { /* already gone */ }
    this.#backup = null;
  }

  /** Closes and removes the temporary file (and a backup link); the target is left as it was. */
  abandon(): void {
    this.dropBackup();
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
 * Makes every output final at once: all flushed to disk first (a signal meanwhile
 * still ends the run with nothing replaced), then, when more than one file is to be
 * replaced, a way back kept for each but the last (or nothing is replaced), then
 * renamed into place; if a rename fails, every output already placed is put back
 * as it was. Pass-through outputs were written as they went.
 */
export async function commitAll(files: (OutputFile | null)[]): Promise<void> {
  const atomic = files.filter((file): file is AtomicFile => file instanceof AtomicFile);
  try {
    for (const file of atomic) await file.seal();
    // One turn of the event loop: a signal that came while flushing ends the run here.
    await new Promise((resolve) => setImmediate(resolve));
    for (const file of atomic.slice(0, -1)) file.keepWayBack();
  } catch (error) {
    abandonAll();
    throw error;
  }
  // From here to the end: synchronous, a few system calls.
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

/**
 * A Sink to `file`, or to stdout when null: every byte hashed by the platform's SHA-256 as it
 * is written; `sizeHint`, about how many bytes it will get (0: unknown).
 */
export function outputSink(file: OutputFile | null, platform: Platform, sizeHint = 0): Sink {
  // A file is done with the bytes when its write resolves; stdout may hold them longer.
  return new Sink(platform, async (bytes) => {
    if (file) {
      await file.write(bytes);
    } else if (!process.stdout.write(bytes)) {
      await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
  }, { consumes: file !== null, sizeHint });
}

/**
 * verify's inputs opened: ACCOUNTS (and the pools file), then the file checked against it
 * (`checked`); all of them, and `report` when there is one, checked to be distinct files.
 */
export async function openVerifyInputs(
  accounts: string, checked: string, parameters: Parameters, report: InputSource | null,
): Promise<{ sources: Sources<InputSource>; checked: InputSource }> {
  const sources = await openSources(accounts, parameters);
  let source: InputSource;
  try {
    source = await InputSource.open(checked);
  } catch (error) {
    sources.accounts.close();
    sources.pools?.close();
    throw error;
  }
  // No outputs, but the inputs (the report too) must be distinct files.
  await openOutputs([], [sources.accounts, ...(sources.pools ? [sources.pools] : []), source, ...(report ? [report] : [])]);
  return { sources, checked: source };
}
