// Node's side of the platform interface (platform.ts): node:crypto's SHA-256,
// a progress bar on stderr, node:zlib's codecs for Parquet, setImmediate.

import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import type { Compressors } from 'hyparquet';
import { SILENT, type Platform } from './platform.js';
import { Progress } from './progress.js';

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

/** The command line's platform; `quiet` draws no progress bar. */
export function nodePlatform(quiet: boolean): Platform {
  return {
    sha256: () => {
      const hash = createHash('sha256');
      return { update: (bytes) => void hash.update(bytes), digest: () => hash.digest('hex') };
    },
    meter: (source) => (quiet ? SILENT : new Progress(source.size)),
    compressors: NODE_COMPRESSORS,
    pause: () => new Promise((resolve) => setImmediate(resolve)),
  };
}
