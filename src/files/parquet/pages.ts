// A column chunk's pages, checked before hyparquet decodes them, and the codecs
// bounded by what each page's header says. A page header states its sizes and
// its count of values; hyparquet allocates by them and the codecs inflate as
// far as the compressed bytes go (a 2 MB GZIP page to 4 GB), so here:
// - every page lies inside its chunk, is at most MAX_PAGE_BYTES uncompressed,
//   and the data pages' values add up to the chunk's `num_values` (which the
//   footer check made the row group's row count for a flat column);
// - at most one dictionary page, first, of no more entries than the chunk has values;
// - a codec stops as soon as its output passes the page's uncompressed size, and a
//   page that inflates to any other size than its header says is refused;
// - the run-length encoded streams of each page (definition levels, dictionary
//   indexes, booleans) are walked before hyparquet decodes them: a run longer
//   than the values left is refused (hyparquet writes such a run's values past the
//   end of a JavaScript array, which grows until the process dies, uncatchable).
//   An uncompressed page is walked here; a compressed one as it is inflated, by
//   the check `checkPages` returns for its offset (`exactCompressors`).

import { snappyUncompress } from 'hyparquet';
import type { ColumnMetaData, Compressors } from 'hyparquet';
import { integerOf, structOf, ThriftError, ThriftReader, type ThriftValue } from './thrift.js';

/** The largest page read, uncompressed: 256 MiB (writers make pages of about 1 MiB). */
export const MAX_PAGE_BYTES = 256 << 20;

/** A page that inflates past, or short of, what its header says. */
export class PageSizeError extends Error {
  override name = 'PageSizeError';
  constructor(codec: string, size: number, got: string) {
    super(`a ${codec} page inflates to ${got}; its header says ${size}`);
  }
}

/** Checks of compressed pages' contents, by the offset of their compressed bytes in the chunk. */
export type PageChecks = Map<number, (page: Uint8Array) => void>;

/** What `checkPages` found: the checks of compressed pages, each data page's count of values, the dictionary's entries. */
export interface ChunkPages {
  checks: PageChecks;
  /** Values of each data page, in order (rows, for a flat column). */
  values: number[];
  /** Entries of the dictionary page (0 without one). */
  dictionary: number;
}

/** Encodings by their thrift number, as far as the checks need them. */
const PLAIN_DICTIONARY = 2, RLE = 3, RLE_DICTIONARY = 8;

/**
 * Walks a run-length/bit-packed hybrid stream from `at` (as hyparquet reads it:
 * runs until `limit` values are seen, past the stream's own end if it is short)
 * and refuses a run longer than the values left; `what` names the stream.
 */
function checkHybrid(bytes: Uint8Array, at: number, width: number, limit: number, what: string, fail: (what: string) => never): void {
  if (width > 32) fail(`${what} has a bit width of ${width}`);
  let seen = 0;
  let pos = at;
  while (seen < limit) {
    if (pos >= bytes.length) return; // hyparquet stops here too (an error it reports)
    // hyparquet's varint: 32 bits, wrapping.
    let header = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= bytes.length) return;
      const b = bytes[pos++]!;
      header |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
    }
    const left = limit - seen;
    if (header & 1) {
      const count = (header >> 1) << 3;
      // A bit-packed run may pass the values left (DuckDB pads to 256), harmlessly: hyparquet keeps
      // only what fits, and reads the run's bytes, so it ends with them. Of width 0 it reads none.
      if (count < 0 || (width === 0 && count > left + 7)) fail(`${what} has a bit-packed run of ${count} values where ${left} are left`);
      seen += count;
      pos += (count / 8) * width;
    } else {
      const count = header >>> 1;
      if (count > left) fail(`${what} has a run of ${count} values where ${left} are left`);
      if (count === 0) fail(`${what} has an empty run`);
      seen += count;
      pos += (width + 7) >> 3;
    }
  }
}

/** What a data page's streams are, from its header. */
interface PageShape {
  encoding: number;
  /** The page's values, nulls included (every stream has at most this many). */
  values: number;
  /** The column is OPTIONAL: the page has definition levels. */
  optional: boolean;
  boolean: boolean;
}

/** A 4-byte little-endian length at `at`, or a failure. */
function lengthAt(bytes: Uint8Array, at: number, what: string, fail: (what: string) => never): number {
  if (at + 4 > bytes.length) fail(`${what} is cut short`);
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16)) + bytes[at + 3]! * 2 ** 24;
}

/** Checks the values part of a data page from `at` (dictionary indexes, RLE booleans). */
function checkValues(bytes: Uint8Array, at: number, shape: PageShape, fail: (what: string) => never): void {
  if (shape.encoding === RLE && shape.boolean) {
    lengthAt(bytes, at, 'its booleans', fail);
    checkHybrid(bytes, at + 4, 1, shape.values, 'its booleans', fail);
  } else if (shape.encoding === PLAIN_DICTIONARY || shape.encoding === RLE_DICTIONARY || shape.encoding === RLE) {
    if (at >= bytes.length) return;
    checkHybrid(bytes, at + 1, bytes[at]!, shape.values, 'its dictionary indexes', fail);
  }
}

/** Checks a DATA_PAGE's uncompressed bytes: definition levels (length-prefixed) and values. */
function checkPageV1(page: Uint8Array, shape: PageShape, fail: (what: string) => never): void {
  let at = 0;
  if (shape.optional) {
    const length = lengthAt(page, 0, 'its definition levels', fail);
    checkHybrid(page, 4, 1, shape.values, 'its definition levels', fail);
    at = 4 + length;
  }
  checkValues(page, at, shape, fail);
}

/**
 * Checks the pages of one column chunk, `chunk` being its bytes (see the module's
 * header); `fail` is called with what is wrong. `optional`: the column (top-level)
 * is not REQUIRED, so its pages have definition levels; `boolean`: it is BOOLEAN.
 * Returns the checks of compressed pages' contents, for `exactCompressors`, and the pages' sizes.
 */
export function checkPages(chunk: Uint8Array, meta: ColumnMetaData, column: { optional: boolean; boolean: boolean }, fail: (what: string) => never): ChunkPages {
  const checks: PageChecks = new Map();
  const counts: number[] = [];
  let dictionary = 0;
  const expected = integerOf(meta.num_values as ThriftValue)!;
  const reader = new ThriftReader(chunk);
  let values = 0;
  let pages = 0;
  while (reader.offset < chunk.length) {
    const at = reader.offset;
    let header;
    try {
      header = reader.struct();
    } catch (error) {
      if (error instanceof ThriftError) return fail(`page ${pages + 1} at byte ${at} of its chunk cannot be read: ${error.message}`);
      throw error;
    }
    pages++;
    const page = `page ${pages}`;
    const uncompressed = integerOf(header[2]);
    const compressed = integerOf(header[3]);
    if (compressed === undefined || compressed < 0 || compressed > chunk.length - reader.offset) {
      fail(`${page} claims ${String(header[3])} bytes; ${chunk.length - reader.offset} are left in its column chunk`);
    }
    if (uncompressed === undefined || uncompressed < 0) fail(`${page} claims ${String(header[2])} bytes uncompressed`);
    if (uncompressed! > MAX_PAGE_BYTES) fail(`${page} is ${uncompressed} bytes uncompressed; at most ${MAX_PAGE_BYTES / 2 ** 20} MiB are read`);
    if (meta.codec === 'UNCOMPRESSED' && uncompressed !== compressed) fail(`${page} is uncompressed, but its sizes differ (${compressed} and ${uncompressed})`);
    const body = reader.offset;
    reader.offset += compressed!;
    const type = header[1];
    if (type === 0 || type === 3) {
      const data = structOf(header[type === 0 ? 5 : 8]);
      const count = integerOf(data?.[1]);
      if (count === undefined || count < 0) return fail(`${page} has no count of values`);
      const shape: PageShape = { encoding: integerOf(data![type === 0 ? 2 : 4]) ?? -1, values: count, ...column };
      const where = (what: string): never => fail(`${page}: ${what}`);
      if (type === 3) {
        const nulls = integerOf(data![2]) ?? -1;
        const definition = integerOf(data![5]) ?? 0;
        const repetition = integerOf(data![6]) ?? 0;
        const levels = definition + repetition;
        if (nulls < 0 || nulls > count) fail(`${page} says ${nulls} of its ${count} values are null`);
        if (definition < 0 || repetition < 0 || levels > compressed! || levels > uncompressed!) fail(`${page}'s levels take more bytes than the page`);
        // Levels are never compressed in a DATA_PAGE_V2; the values are unless is_compressed is false.
        if (column.optional) checkHybrid(chunk.subarray(0, body + compressed!), body + repetition, 1, count, 'its definition levels', where);
        const values = body + levels;
        if (meta.codec === 'UNCOMPRESSED' || data![7] === false) checkValues(chunk.subarray(values, body + compressed!), 0, shape, where);
        else checks.set(values, (bytes) => checkValues(bytes, 0, shape, where));
      } else if (meta.codec === 'UNCOMPRESSED') {
        checkPageV1(chunk.subarray(body, body + compressed!), shape, where);
      } else {
        checks.set(body, (bytes) => checkPageV1(bytes, shape, where));
      }
      values += count;
      counts.push(count);
      if (values > expected) fail(`its pages hold more than the ${expected} values the footer says`);
    } else if (type === 2) {
      // PLAIN values, as many as the header says (bounded below): nothing to walk once inflated.
      checks.set(body, () => {});
      const count = integerOf(structOf(header[7])?.[1]);
      if (pages !== 1) fail(`${page} is a dictionary page after the first`);
      if (count === undefined || count < 0 || count > Math.max(expected, 1)) fail(`its dictionary claims ${String(count)} entries for ${expected} values`);
      dictionary = count!;
    } else if (type !== 1) {
      fail(`${page} is of unknown type ${String(type)}`);
    }
  }
  if (values !== expected) fail(`its pages hold ${values} values, the footer says ${expected}`);
  return { checks, values: counts, dictionary };
}

/** hyparquet's own SNAPPY, into exactly `size` bytes. */
function snappy(input: Uint8Array, size: number): Uint8Array {
  const page = new Uint8Array(size);
  snappyUncompress(input, page);
  return page;
}

/**
 * `compressors` (and SNAPPY) with each one's result held to the page's size and
 * checked by `checks` (from `checkPages` over the same chunk's bytes): a page
 * that inflates to anything else is a PageSizeError, and one the checks did not
 * see is refused. The codecs themselves must stop early (node-platform.ts,
 * browser-platform.ts): this is the check behind them.
 */
export function exactCompressors(compressors: Compressors, checks: PageChecks): Compressors {
  const exact: Compressors = {};
  const all = { SNAPPY: snappy, ...compressors };
  for (const [codec, decompress] of Object.entries(all) as [keyof Compressors, NonNullable<Compressors[keyof Compressors]>][]) {
    exact[codec] = (input, size) => {
      if (size > MAX_PAGE_BYTES) throw new PageSizeError(codec, size, `more than ${MAX_PAGE_BYTES} bytes`);
      const check = checks.get(input.byteOffset);
      if (check === undefined) throw new Error(`a page at byte ${input.byteOffset} of its chunk that the check of its pages did not see`);
      const page = decompress(input, size);
      if (page.length !== size) throw new PageSizeError(codec, size, `${page.length} bytes`);
      check(page);
      return page;
    };
  }
  return exact;
}
