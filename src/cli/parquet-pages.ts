// A column chunk's pages, checked before hyparquet decodes them, and the codecs
// bounded by what each page's header says. A page header states its sizes and
// its count of values; hyparquet allocates by them and the codecs inflate as
// far as the compressed bytes go (a 2 MB GZIP page to 4 GB), so here:
// - every page lies inside its chunk, is at most MAX_PAGE_BYTES uncompressed,
//   and the data pages' values add up to the chunk's `num_values` (which the
//   footer check made the row group's row count for a flat column);
// - at most one dictionary page, first, of no more entries than the chunk has values;
// - a codec stops as soon as its output passes the page's uncompressed size, and a
//   page that inflates to any other size than its header says is refused.

import type { ColumnMetaData, Compressors } from 'hyparquet';
import { integerOf, structOf, ThriftError, ThriftReader, type ThriftValue } from './parquet-thrift.js';

/** The largest page read, uncompressed: 256 MiB (writers make pages of about 1 MiB). */
export const MAX_PAGE_BYTES = 256 << 20;

/** A page that inflates past, or short of, what its header says. */
export class PageSizeError extends Error {
  override name = 'PageSizeError';
  constructor(codec: string, size: number, got: string) {
    super(`a ${codec} page inflates to ${got}; its header says ${size}`);
  }
}

/**
 * Checks the pages of one column chunk, `chunk` being its bytes (see the module's
 * header); `fail` is called with what is wrong.
 */
export function checkPages(chunk: Uint8Array, meta: ColumnMetaData, fail: (what: string) => never): void {
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
    reader.offset += compressed!;
    const type = header[1];
    if (type === 0 || type === 3) {
      const data = structOf(header[type === 0 ? 5 : 8]);
      const count = integerOf(data?.[1]);
      if (count === undefined || count < 0) return fail(`${page} has no count of values`);
      if (type === 3) {
        const nulls = integerOf(data![2]) ?? -1;
        const levels = (integerOf(data![5]) ?? -1) + (integerOf(data![6]) ?? -1);
        if (nulls < 0 || nulls > count) fail(`${page} says ${nulls} of its ${count} values are null`);
        if (levels < 0 || levels > compressed! || levels > uncompressed!) fail(`${page}'s levels take more bytes than the page`);
      }
      values += count;
      if (values > expected) fail(`its pages hold more than the ${expected} values the footer says`);
    } else if (type === 2) {
      const count = integerOf(structOf(header[7])?.[1]);
      if (pages !== 1) fail(`${page} is a dictionary page after the first`);
      if (count === undefined || count < 0 || count > Math.max(expected, 1)) fail(`its dictionary claims ${String(count)} entries for ${expected} values`);
    } else if (type !== 1) {
      fail(`${page} is of unknown type ${String(type)}`);
    }
  }
  if (values !== expected) fail(`its pages hold ${values} values, the footer says ${expected}`);
}

/**
 * `compressors` with each one's result held to the page's size: a page that
 * inflates to anything else is a PageSizeError. The codecs themselves must stop
 * early (node-platform.ts, browser-platform.ts): this is the check behind them.
 */
export function exactCompressors(compressors: Compressors): Compressors {
  const exact: Compressors = {};
  for (const [codec, decompress] of Object.entries(compressors) as [keyof Compressors, NonNullable<Compressors[keyof Compressors]>][]) {
    exact[codec] = (input, size) => {
      if (size > MAX_PAGE_BYTES) throw new PageSizeError(codec, size, `more than ${MAX_PAGE_BYTES} bytes`);
      const page = decompress(input, size);
      if (page.length !== size) throw new PageSizeError(codec, size, `${page.length} bytes`);
      return page;
    };
  }
  return exact;
}
