// What reading, writing and reporting need from where they run, as a small
// interface: the command line gives Node's (node-platform.ts: files, stderr,
// node:crypto, node:zlib), the workbench page a browser's (web/). Everything
// that parses, formats, computes or reports is shared and imports neither.

import type { Compressors } from 'hyparquet';

/** An incremental SHA-256. */
export interface Hasher {
  update(bytes: Uint8Array): void;
  /** The digest of everything given, as lower-case hex (once; a browser's SubtleCrypto answers later). */
  digest(): string | Promise<string>;
}

/** An input read in chunks: a file, stdin, or a browser's File. */
export interface Source {
  /** The name used in messages and the report. */
  readonly name: string;
  /** Its size in bytes when known, else 0. */
  readonly size: number;
  /** Bytes read so far. */
  readonly bytesRead: number;
  /** The bytes in chunks (views never reused by the source). */
  chunks(): AsyncIterable<Uint8Array>;
  /** Throws when the input changed while it was read (`whole`: it was read to its end). */
  checkUnchanged(whole: boolean): void;
  close(): void;
}

/** Shows how far an input has been read. */
export interface Meter {
  update(bytesRead: number): void;
  done(): void;
}

/** What the shared code asks of its host. */
export interface Platform {
  /** A new SHA-256. */
  sha256(): Hasher;
  /** A progress display for reading `source` (one that shows nothing is fine). */
  meter(source: Source): Meter;
  /** Parquet codecs past SNAPPY and UNCOMPRESSED that this host decompresses. */
  readonly compressors: Compressors;
  /** Yields to the host's event loop now and then during long writes (a signal, a message). */
  pause(): Promise<void>;
}

/** A meter that shows nothing. */
export const SILENT: Meter = { update() {}, done() {} };

/** The SHA-256 of `bytes`, as lower-case hex. */
export async function sha256Of(platform: Platform, bytes: Uint8Array): Promise<string> {
  const hash = platform.sha256();
  hash.update(bytes);
  return await hash.digest();
}
