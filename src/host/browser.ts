// The browser's side of the platform interface (platform.ts), for the
// workbench page's worker: a File (any Blob) read in slices, SHA-256 by
// SubtleCrypto (native; the plain one where a page is not a secure context),
// GZIP for Parquet pages and gzip inputs by fflate (gunzip.ts), progress as a
// callback, a macrotask for a pause. No Node; it runs in Node too (Blob and
// crypto.subtle are global there), which is how the tests check it.

import { Gunzip } from 'fflate';
import { fflateGunzip } from './gunzip.js';
import { SILENT, type Hasher, type Meter, type Platform, type Source } from './platform.js';
import { Sha256 } from './sha256.js';

/** Bytes per slice of a Blob. */
const SLICE = 1 << 20;

/** A Blob (a File the user chose) as a Source: read in slices, it cannot change under the reader. */
export class BlobSource implements Source {
  readonly name: string;
  readonly size: number;
  bytesRead = 0;
  readonly #blob: Blob;

  /** `name`: what messages and the report call it (a File's name). */
  constructor(blob: Blob, name: string) {
    this.#blob = blob;
    this.name = name;
    this.size = blob.size;
  }

  async *chunks(): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < this.size; at += SLICE) {
      const chunk = new Uint8Array(await this.#blob.slice(at, Math.min(this.size, at + SLICE)).arrayBuffer());
      this.bytesRead += chunk.length;
      yield chunk;
    }
  }

  /** A Blob is immutable (a File changed on disk fails its read instead). */
  checkUnchanged(): void {}

  close(): void {}
}

/**
 * SHA-256 by SubtleCrypto, which hashes one buffer, not a stream: the pieces
 * are kept (by reference: sources and sinks never reuse what they hand out)
 * and hashed together at the end. Native, several times the plain one's speed.
 */
export class SubtleSha256 implements Hasher {
  #parts: Uint8Array[] = [];
  #bytes = 0;

  update(bytes: Uint8Array): void {
    this.#parts.push(bytes);
    this.#bytes += bytes.length;
  }

  async digest(): Promise<string> {
    let whole: Uint8Array;
    if (this.#parts.length === 1) whole = this.#parts[0]!;
    else {
      whole = new Uint8Array(this.#bytes);
      let at = 0;
      for (const part of this.#parts) {
        whole.set(part, at);
        at += part.length;
      }
    }
    this.#parts = [];
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', whole as Uint8Array<ArrayBuffer>));
    let hex = '';
    for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
    return hex;
  }
}

/** Compressed bytes fed to the inflater at a time: at most about 4 MiB of output each (DEFLATE's ratio is at most 1032). */
const GZIP_STEP = 1 << 12;

/**
 * A GZIP page inflated into exactly `size` bytes: fed in small steps, stopped as
 * soon as the output passes `size` (fflate's one-shot gunzip would allocate what
 * the stream's trailer claims and inflate all of it). Throws for any other size.
 */
export function gunzipBounded(input: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  const inflater = new Gunzip((chunk) => {
    if (at + chunk.length > size) throw new Error(`the GZIP page inflates past its ${size} bytes`);
    out.set(chunk, at);
    at += chunk.length;
  });
  for (let from = 0; from < input.length; from += GZIP_STEP) {
    inflater.push(input.subarray(from, Math.min(input.length, from + GZIP_STEP)), from + GZIP_STEP >= input.length);
  }
  if (at !== size) throw new Error(`the GZIP page inflates to ${at} bytes; its header says ${size}`);
  return out;
}

/** SubtleCrypto where the page has it (a secure context: https, localhost), else the plain SHA-256. */
const hasSubtle = typeof crypto !== 'undefined' && typeof crypto.subtle?.digest === 'function';

/** The page's platform: `onProgress(name, bytesRead, size)` as a file is read. */
export function browserPlatform(onProgress?: (name: string, bytesRead: number, size: number) => void): Platform {
  return {
    sha256: () => (hasSubtle ? new SubtleSha256() : new Sha256()),
    meter: (source): Meter => (onProgress === undefined ? SILENT : {
      update: (bytes) => onProgress(source.name, bytes, source.size),
      done: () => onProgress(source.name, source.size, source.size),
    }),
    // SNAPPY and UNCOMPRESSED are hyparquet's own; GZIP (what the command line writes) by fflate;
    // a BROTLI or ZSTD file is refused with its codec named.
    compressors: { GZIP: gunzipBounded },
    pause: () => new Promise((resolve) => setTimeout(resolve, 0)),
    gunzip: fflateGunzip,
  };
}
