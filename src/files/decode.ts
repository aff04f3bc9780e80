// Compressed and UTF-16 inputs, read transparently: a gzip file (by its first
// bytes 1f 8b, or a `.gz` name) is decompressed by the host as it streams
// (Platform.gunzip), then a text that starts with a UTF-16 byte-order mark
// (Excel's "Unicode text") is converted to UTF-8 as it streams. The readers
// see UTF-8 bytes only, and their line and column numbers refer to those.
// Parquet is read as it is: it compresses its own pages.

import { Lookahead } from './chunks.js';
import { InputError } from './errors.js';
import { GzipError, type Platform } from '../host/platform.js';

/** The UTF-16 encodings a byte-order mark names. */
export type Utf16 = 'utf-16le' | 'utf-16be';

/** What an input was before decoding: each field present only when it applies (a plain UTF-8 file has neither). */
export interface Decoding {
  /** The file is gzip-compressed. */
  compression?: 'gzip';
  /** The text is UTF-16 (by its byte-order mark), converted to UTF-8. */
  encoding?: Utf16;
}

/** What the caller already knows of an input, from its name or `--format`. */
export interface Expected {
  /** Its name ends in `.gz`: it must be gzip. */
  gzipName: boolean;
  /** It is Parquet (by `--format` or its name): never decompressed or decoded here. */
  parquet: boolean;
}

/** The message for a compressed Parquet file, wherever it is found out. */
export function gzippedParquet(file: string): InputError {
  return new InputError(file, 0, 0, 'a gzip-compressed Parquet file; decompress it first (gunzip -k), then read the .parquet file: Parquet compresses its own pages');
}

/**
 * `chunks` as the readers take them: decompressed when gzip, converted to UTF-8
 * when UTF-16, and what was found. An InputError naming the file for a `.gz`
 * name on other bytes, a compressed Parquet file, or (as the bytes stream) a
 * malformed gzip or UTF-16 stream; errors of `chunks` themselves pass as they are.
 */
export async function decodeInput(
  chunks: AsyncIterable<Uint8Array>, file: string, platform: Platform, expected: Expected,
): Promise<{ chunks: AsyncIterable<Uint8Array>; decoding: Decoding }> {
  const raw = new Lookahead(chunks);
  const magic = await raw.head(2);
  const gzip = magic.length === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  if (expected.gzipName && !gzip) {
    throw new InputError(file, 0, 0, `named .gz but not gzip-compressed (${magic.length < 2 ? 'it is too short' : 'its first bytes are not 1f 8b'}); rename it, or compress it with gzip`);
  }
  if (gzip && expected.parquet) throw gzippedParquet(file);
  if (expected.parquet) return { chunks: raw.replay(), decoding: {} };
  const decoding: Decoding = {};
  let text: AsyncIterable<Uint8Array> = raw.replay();
  if (gzip) {
    decoding.compression = 'gzip';
    text = gunzipped(text, file, platform);
  }
  const decompressed = new Lookahead(text);
  const mark = await decompressed.head(2);
  if (mark.length === 2 && mark[0] === 0xff && mark[1] === 0xfe) decoding.encoding = 'utf-16le';
  else if (mark.length === 2 && mark[0] === 0xfe && mark[1] === 0xff) decoding.encoding = 'utf-16be';
  const replayed = decompressed.replay();
  return { chunks: decoding.encoding === undefined ? replayed : utf16ToUtf8(replayed, decoding.encoding, file), decoding };
}

/** The host's gunzip, with its GzipError told as an InputError naming the file. */
async function* gunzipped(chunks: AsyncIterable<Uint8Array>, file: string, platform: Platform): AsyncGenerator<Uint8Array> {
  try {
    yield* platform.gunzip(chunks);
  } catch (error) {
    if (error instanceof GzipError) throw new InputError(file, 0, 0, `not a valid gzip file: ${error.message}`);
    throw error;
  }
}

/** A UTF-16 code unit's kind: a high (leading) or low (trailing) surrogate, or neither. */
function surrogate(unit: number): 'high' | 'low' | null {
  if (unit >= 0xd800 && unit <= 0xdbff) return 'high';
  if (unit >= 0xdc00 && unit <= 0xdfff) return 'low';
  return null;
}

/**
 * Where the first unpaired surrogate of `units` (little-endian code units) is,
 * as a byte offset in them: −2 for a high surrogate that ended the previous
 * piece (`pending`) and is not followed by a low one; −1 when there is none
 * (a high surrogate at the very end may be paired by the next piece).
 */
export function loneSurrogateAt(units: Uint8Array, pending: boolean): number {
  let high = pending ? -2 : -1;
  for (let at = 0; at + 1 < units.length; at += 2) {
    const kind = surrogate(units[at]! | (units[at + 1]! << 8));
    if (kind === 'low') {
      if (high === -1) return at;
      high = -1;
    } else if (high !== -1) {
      return high;
    } else if (kind === 'high') {
      high = at;
    }
  }
  return -1;
}

/**
 * UTF-16 text (`chunks` from its byte-order mark on) as UTF-8, as it streams: a
 * byte or a surrogate pair split between chunks is joined. An odd number of
 * bytes or an unpaired surrogate is an InputError at its byte offset (in the
 * UTF-16 text, the mark included).
 */
export async function* utf16ToUtf8(chunks: AsyncIterable<Uint8Array>, encoding: Utf16, file: string): AsyncGenerator<Uint8Array> {
  // Big-endian is swapped to little-endian first: every runtime's TextDecoder has utf-16le.
  const decoder = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true });
  const encoder = new TextEncoder();
  const what = `not valid UTF-16 (${encoding === 'utf-16le' ? 'little' : 'big'}-endian, as its byte-order mark says)`;
  const lone = (offset: number, unit: number) =>
    new InputError(file, 0, 0, `${what}: a lone surrogate (0x${unit.toString(16).toUpperCase()}) at byte ${offset}; every one must be half of a pair`);
  let skip = 2; // the byte-order mark: not text
  let carried: number | null = null; // an odd chunk's last byte, the first of the next code unit
  let offset = 0; // of the next byte in the UTF-16 stream
  let last = 0; // the last code unit decoded: a high surrogate there waits for the next piece
  for await (const chunk of chunks) {
    const dropped = Math.min(skip, chunk.length);
    skip -= dropped;
    offset += dropped;
    const start = carried === null ? 0 : 1;
    const length = start + chunk.length - dropped;
    const even = length - (length % 2);
    if (even === 0) {
      if (length === 1) carried ??= chunk[chunk.length - 1]!;
      continue;
    }
    let units = chunk.subarray(dropped, dropped + even);
    if (start === 1 || encoding === 'utf-16be') {
      units = new Uint8Array(even);
      if (start === 1) units[0] = carried!;
      units.set(chunk.subarray(dropped, dropped + even - start), start);
      if (encoding === 'utf-16be') {
        const words = new Uint16Array(units.buffer, 0, even >> 1); // a fresh array: aligned
        for (let w = 0; w < words.length; w++) words[w] = ((words[w]! << 8) | (words[w]! >>> 8)) & 0xffff;
      }
    }
    carried = length > even ? chunk[chunk.length - 1]! : null;
    let text: string;
    try {
      text = decoder.decode(units, { stream: true });
    } catch {
      let at = loneSurrogateAt(units, surrogate(last) === 'high');
      if (at === -1) at = 0; // not found again: the piece's start
      throw lone(offset + at, at === -2 ? last : units[at]! | (units[at + 1]! << 8));
    }
    last = units[even - 2]! | (units[even - 1]! << 8);
    offset += even;
    if (text.length > 0) yield encoder.encode(text);
  }
  if (carried !== null) throw new InputError(file, 0, 0, `${what}: an odd number of bytes (the last, at byte ${offset}, is half a code unit)`);
  if (surrogate(last) === 'high') throw lone(offset - 2, last);
  decoder.decode();
}
