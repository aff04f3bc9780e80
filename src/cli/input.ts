// Where rows come from: a file opened and checked before any work, or stdin,
// read in chunks; a regular file that changes size or is rewritten while it is
// read is an error (a cut last row would otherwise parse as a smaller amount).

import { closeSync, fstatSync, openSync, read, statSync, type BigIntStats } from 'node:fs';
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { EnvironmentError } from '../files/errors.js';
import type { Sources } from '../run/load.js';
import type { Parameters } from '../run/parameters.js';
import type { Source } from '../host/platform.js';
import { MAX_REPORT_BYTES, readReport, type ReadReport } from '../run/report-read.js';

/** Bytes per read: large enough that a 10^7-row file takes a few hundred reads. */
const CHUNK = 1 << 20;

/** A file's identity as a key, device and inode: two paths with the same key are the same file (hard links, symlinks). */
export function fileKey(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}`;
}

/** What names an input for the distinct-files check. */
export interface FileIdentity {
  /** `fileKey` of the file. */
  key: string;
  /** Whether it is a character device (a terminal, /dev/null), which several names may share harmlessly. */
  device: boolean;
}

function readAt(fd: number, buffer: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buffer, 0, buffer.length, null, (error, bytes) => (error ? reject(error) : resolve(bytes))));
}

/** An input opened for reading: a file by path, or stdin for `-`. */
export class InputSource implements Source {
  /** The name used in messages and the report (`<stdin>` for `-`). */
  readonly name: string;
  /** The size at open for regular files, else 0 (unknown). */
  readonly size: number;
  /** What the input is on disk, or null (stdin from a pipe or terminal has none worth checking). */
  readonly identity: FileIdentity | null;
  /** The descriptor read (0 for stdin from a file), or −1: stdin read as a stream. */
  readonly #fd: number;
  /** The handle of a pipe or device opened off the main thread, kept so that it is not collected (and closed) meanwhile. */
  #handle: FileHandle | null = null;
  /** Whether the descriptor is this object's to close (not stdin's). */
  readonly #owned: boolean;
  readonly #regular: boolean;
  readonly #opened: BigIntStats | null;
  /** Bytes read so far. */
  bytesRead = 0;

  private constructor(name: string, fd: number, stats: BigIntStats | null, owned: boolean) {
    this.name = name;
    this.#fd = fd;
    this.#owned = owned;
    this.#opened = stats;
    this.#regular = stats?.isFile() ?? false;
    this.size = this.#regular ? Number(stats!.size) : 0;
    this.identity = stats ? { key: fileKey(stats), device: stats.isCharacterDevice() } : null;
  }

  /**
   * Opens `path` (`-`: stdin) and checks it can be read: an EnvironmentError
   * naming the path when it is missing, a directory or not readable. A pipe or
   * a device is opened off the main thread (a named pipe waits for its writer,
   * and a signal meanwhile still ends the run).
   */
  static async open(path: string): Promise<InputSource> {
    if (path === '-') {
      let stats: BigIntStats | null = null;
      try {
        stats = fstatSync(0, { bigint: true });
      } catch { /* no stdin to describe */ }
      if (stats?.isDirectory()) throw new EnvironmentError('read', '<stdin>', 'is a directory; expected an account file');
      // stdin redirected from a file (`< a.csv`) is that file: read and checked as one, and never also an output.
      return new InputSource('<stdin>', stats?.isFile() ? 0 : -1, stats, false);
    }
    if (path === '') throw new EnvironmentError('read', path, 'an empty file name');
    let fd: number;
    let handle: FileHandle | null = null;
    try {
      if (statSync(path).isFile()) {
        fd = openSync(path, 'r');
      } else {
        handle = await openFile(path, 'r');
        fd = handle.fd;
      }
    } catch (error) {
      throw new EnvironmentError('read', path, error);
    }
    const stats = fstatSync(fd, { bigint: true });
    if (stats.isDirectory()) {
      closeSync(fd);
      throw new EnvironmentError('read', path, 'is a directory; expected an account file');
    }
    const source = new InputSource(path, fd, stats, true);
    source.#handle = handle;
    return source;
  }

  /** The input's bytes in chunks (plain Uint8Array views, never reused). */
  async *chunks(): AsyncGenerator<Uint8Array> {
    if (this.#fd < 0) {
      for await (const buffer of process.stdin as AsyncIterable<Uint8Array>) {
        // Plain Uint8Array views only: mixing Buffer and Uint8Array makes the parser's loads polymorphic.
        const chunk = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
        this.bytesRead += chunk.length;
        yield chunk;
      }
      return;
    }
    // One read ahead: the next chunk is read while this one is parsed (one read in flight at a
    // time, so that the file position stays in order). A reader that stops early waits for the
    // read in flight, so that the descriptor is never closed (and its number reused) under it.
    const next = () => {
      const buffer = new Uint8Array(CHUNK);
      const reading = readAt(this.#fd, buffer).then((bytes) => buffer.subarray(0, bytes));
      reading.catch(() => {});
      return reading;
    };
    let pending: Promise<Uint8Array> | null = next();
    try {
      for (;;) {
        let chunk: Uint8Array;
        try {
          chunk = await pending;
        } catch (error) {
          throw new EnvironmentError('read', this.name, error);
        }
        pending = null;
        if (chunk.length === 0) return;
        pending = next();
        this.bytesRead += chunk.length;
        yield chunk;
      }
    } finally {
      if (pending !== null) await pending.catch(() => {});
    }
  }

  /**
   * A regular file must still have the size and modification time it had at open
   * and, once read to its end (`whole`), have given exactly that many bytes. An
   * EnvironmentError otherwise.
   */
  checkUnchanged(whole: boolean): void {
    if (!this.#regular || this.#fd < 0) return;
    const now = fstatSync(this.#fd, { bigint: true });
    const then = this.#opened!;
    // stdin may start past the file's beginning (`{ read header; cmd; } < f`): there only size and time are compared.
    const short = whole && this.#owned && BigInt(this.bytesRead) !== then.size;
    const changed = short || now.size !== then.size || now.mtimeNs !== then.mtimeNs;
    if (changed) {
      const grew = Math.max(this.bytesRead, Number(now.size)) > this.size;
      throw new EnvironmentError('read', this.name,
        `the file ${grew ? 'grew' : 'changed'} while it was read (${this.size} bytes at the start, ${this.bytesRead} read, ${now.size} now); nothing was written, run again once it is complete`);
    }
  }

  /** Closes the file (stdin stays open). */
  close(): void {
    if (this.#handle) void this.#handle.close();
    else if (this.#owned) closeSync(this.#fd);
  }
}

/** Opens ACCOUNTS and, when the parameters name one, the pools file. */
export async function openSources(accounts: string, parameters: Parameters): Promise<Sources<InputSource>> {
  const source = await InputSource.open(accounts);
  try {
    return { accounts: source, pools: parameters.poolsFile === undefined ? null : await InputSource.open(parameters.poolsFile) };
  } catch (error) {
    source.close();
    throw error;
  }
}

/** verify's and explain's parameters: from the options, or from a report. */
export type ParametersOrReport = { parameters: Parameters } | { report: string };

/** The parameters to use (`read`: the report's text, when already read), the report they came from (null when from the options) and its source (for the distinct-files check). */
export async function resolveParameters(
  given: ParametersOrReport, read?: { text: string; source: InputSource },
): Promise<{ parameters: Parameters; report: ReadReport | null; source: InputSource | null }> {
  if ('parameters' in given) return { parameters: given.parameters, report: null, source: null };
  const { text, source } = read ?? await readSmallFile(given.report, 'the report', MAX_REPORT_BYTES);
  const report = readReport(text, source.name);
  return { parameters: report.parameters, report, source };
}

/**
 * A small file's whole text (`-`: stdin), read as inputs are (off the main thread:
 * a named pipe with no writer still lets a signal end the run), and at most `limit`
 * bytes: an EnvironmentError naming the file past that (a regular file is refused
 * by its size before it is read), or when it is not UTF-8. The source is closed;
 * it keeps its identity for the distinct-files check.
 */
export async function readSmallFile(path: string, what: string, limit: number): Promise<{ text: string; source: InputSource }> {
  let source: InputSource;
  try {
    source = await InputSource.open(path);
  } catch (error) {
    if (!(error instanceof EnvironmentError)) throw error;
    const cause = error.cause;
    throw new EnvironmentError(`read ${what}`, path, typeof cause === 'string' ? cause.replace('an account file', 'a file') : cause);
  }
  const tooLarge = () => new EnvironmentError(`read ${what}`, source.name, `is larger than the ${limit / 2 ** 20} MiB ${what.replace(/^the /, 'a ')} can be`);
  const parts: Uint8Array[] = [];
  try {
    if (source.size > limit) throw tooLarge();
    for await (const chunk of source.chunks()) {
      if (source.bytesRead > limit) throw tooLarge();
      parts.push(chunk);
    }
    source.checkUnchanged(true);
  } finally {
    source.close();
  }
  const bytes = new Uint8Array(source.bytesRead);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), source };
  } catch {
    throw new EnvironmentError(`read ${what}`, source.name, 'is not UTF-8 text');
  }
}
