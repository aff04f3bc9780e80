// Node's side of the platform interface (platform.ts): node:crypto's SHA-256,
// a progress bar on stderr, node:zlib's codecs for Parquet and its streaming
// gunzip for compressed inputs, setImmediate.

import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import type { Compressors } from 'hyparquet';
import { GzipError, SILENT, type Platform } from './platform.js';
import { Progress } from './progress.js';
import { threadHasher } from './hash-thread.js';

/**
 * Codecs past hyparquet's own (SNAPPY, UNCOMPRESSED) that Node decompresses: for
 * readParquet. Each stops once its output passes the page's size (the header's
 * uncompressed_page_size): a 2 MB GZIP page never inflates to 4 GB.
 */
export const NODE_COMPRESSORS: Compressors = {
  GZIP: (input, size) => zlib.gunzipSync(input, { maxOutputLength: Math.max(size, 1) }),
  BROTLI: (input, size) => zlib.brotliDecompressSync(input, { maxOutputLength: Math.max(size, 1) }),
};
// ZSTD where this Node has it (22.15 and later): looked up, since older types lack it.
const zstd = (zlib as unknown as { zstdDecompressSync?: (input: Uint8Array, options: { maxOutputLength: number }) => Uint8Array }).zstdDecompressSync;
if (zstd !== undefined) NODE_COMPRESSORS.ZSTD = (input, size) => zstd(input, { maxOutputLength: Math.max(size, 1) });

/** Bytes per piece of gunzip's output: what the readers take at a time, and about all it holds (the stream's buffer is one piece). */
const GUNZIP_PIECE = 1 << 20;

/**
 * A gzip stream decompressed by node:zlib as it arrives (Platform.gunzip): zlib
 * reads concatenated members and checks each one's CRC-32 and length; output is
 * pulled a piece at a time, so a bomb inflates no further than the reader asks.
 * zlib stops at a zero byte after a member and ignores the rest: the bytes it
 * took are compared with those given, and any left over are trailing data.
 */
export async function* nodeGunzip(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let given = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      given += chunk.length;
      yield chunk;
    }
  }
  // One chunk read ahead at most: the input (and its progress bar) keeps pace with the output.
  const input = Readable.from(counted(), { objectMode: true, highWaterMark: 1 });
  const gunzip = zlib.createGunzip({ chunkSize: GUNZIP_PIECE });
  // An error of either side ends both; the loop below sees it through gunzip.
  pipeline(input, gunzip, () => {});
  try {
    for await (const piece of gunzip as AsyncIterable<Buffer>) {
      // Plain Uint8Array views, as the sources give: the parsers' loads stay monomorphic.
      yield new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength);
    }
  } catch (error) {
    throw zlibFault(error);
  } finally {
    gunzip.destroy();
    input.destroy();
  }
  if (gunzip.bytesWritten !== given) {
    throw new GzipError('trailing', `${given - gunzip.bytesWritten} bytes after the end of the compressed data are not a gzip member (trailing data)`);
  }
}

/** A zlib error as a GzipError; any other error as it is. */
function zlibFault(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('Z_')) return error;
  const message = (error as Error).message;
  if (code === 'Z_BUF_ERROR') return new GzipError('truncated', 'the compressed data ends early (a truncated file?)');
  // zlib checks the first member's magic bytes too, but the caller has already: this is what follows a member.
  if (message === 'incorrect header check') return new GzipError('trailing', 'what follows a member is not a gzip member (trailing data)');
  if (message === 'incorrect data check' || message === 'incorrect length check') {
    return new GzipError('corrupt', "a member's CRC-32 or length does not match its data (a corrupt file?)");
  }
  return new GzipError('corrupt', `corrupt compressed data (${message})`);
}

/** From this size on, a file is hashed on the second core (starting the thread costs a few milliseconds). */
const THREAD_HASH_BYTES = 16 << 20;

/** The command line's platform; `quiet` draws no progress bar. */
export function nodePlatform(quiet: boolean): Platform {
  return {
    sha256: (sizeHint = 0) => {
      if (sizeHint >= THREAD_HASH_BYTES) return threadHasher();
      const hash = createHash('sha256');
      return { update: (bytes) => void hash.update(bytes), digest: () => hash.digest('hex') };
    },
    meter: (source) => (quiet ? SILENT : new Progress(source.size)),
    compressors: NODE_COMPRESSORS,
    pause: () => new Promise((resolve) => setImmediate(resolve)),
    gunzip: nodeGunzip,
  };
}
