// What reading, writing and reporting need from where they run, as a small
// interface: the command line gives Node's (node.ts: node:crypto, node:zlib,
// stderr), the workbench page a browser's (browser.ts). Everything that parses,
// formats, computes or reports is shared and imports neither.

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
  /** A new SHA-256; `sizeHint` (0: unknown) says about how many bytes it will hash (a large input may be hashed on another thread). */
  sha256(sizeHint?: number): Hasher;
  /** A progress display for reading `source` (one that shows nothing is fine). */
  meter(source: Source): Meter;
  /** Parquet codecs past SNAPPY and UNCOMPRESSED that this host decompresses. */
  readonly compressors: Compressors;
  /** Yields to the host's event loop now and then during long writes (a signal, a message). */
  pause(): Promise<void>;
  /**
   * The bytes of a gzip stream (RFC 1952), decompressed as `chunks` arrive: every
   * member of a concatenation (`cat a.gz b.gz`) in turn, each checked against its
   * CRC-32 and length, and `chunks` read to their end. What it holds stays bounded
   * whatever the ratio (a few MiB of output at a time); the reader downstream
   * bounds the rest. A malformed stream throws a {@link GzipError}; an error of
   * `chunks` themselves passes through as it is.
   */
  gunzip(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array>;
}

/** What is wrong with a gzip stream, for {@link GzipError}. */
export type GzipFault = 'truncated' | 'corrupt' | 'trailing';

/** A gzip stream that is not well formed: thrown by {@link Platform.gunzip}, told the user with the file's name. */
export class GzipError extends Error {
  override name = 'GzipError';
  /** @param fault what kind of fault; `message` says where and what, in a few words. */
  constructor(readonly fault: GzipFault, message: string) {
    super(message);
  }
}

/** A meter that shows nothing. */
export const SILENT: Meter = { update() {}, done() {} };

/** The SHA-256 of `bytes`, as lower-case hex. */
export async function sha256Of(platform: Platform, bytes: Uint8Array): Promise<string> {
  const hash = platform.sha256();
  hash.update(bytes);
  return await hash.digest();
}
