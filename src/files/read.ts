// Reading one input to its end: the format decided (`--format`, else the
// extension, else the content), the bytes hashed as they stream, a progress bar
// for large files, and the file checked unchanged at the end.

import { readCsv } from './csv.js';
import { ByteParts } from './chunks.js';
import { InputError, UsageError } from './errors.js';
import type { RowConsumer } from './fields.js';
import { readJsonLines } from './jsonl.js';
import { SILENT, type Platform, type Source } from '../host/platform.js';

/** The formats of account and haircut files. */
export type Format = 'csv' | 'jsonl' | 'parquet';

/** The values `--format` takes. */
export const FORMATS: readonly Format[] = ['csv', 'jsonl', 'parquet'];

/** What was read: for the report and messages. */
export interface InputSummary {
  /** The name as given (`<stdin>` for `-`). */
  file: string;
  format: Format;
  /** How the format was decided. */
  formatFrom: 'option' | 'extension' | 'content';
  bytes: number;
  sha256: string;
  /** Rows (accounts, pools, haircuts) read. */
  rows: number;
}

/** The format `path`'s extension names (`.csv`, `.jsonl`, `.ndjson`, `.parquet`), or null: decided by the content. */
export function formatOfName(path: string): Format | null {
  if (path === '-') return null;
  const extension = extensionOf(path).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  if (extension === '.parquet') return 'parquet';
  return null;
}

/** `path`'s extension with its dot (`.csv`), or '' (as node:path's extname, for / and \\ alike). */
function extensionOf(path: string): string {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot);
}

/** Reads `--format`'s value: a UsageError for anything but csv or jsonl. */
export function readFormat(value: string | undefined): Format | undefined {
  if (value === undefined) return undefined;
  const format = value.toLowerCase();
  if (format === 'csv' || format === 'parquet') return format;
  if (format === 'jsonl' || format === 'ndjson') return 'jsonl';
  throw new UsageError(`--format must be csv, jsonl or parquet, got ${JSON.stringify(value)}`);
}

const BLANK = new Set([0x20, 0x09, 0x0a, 0x0d]);
const BOM = [0xef, 0xbb, 0xbf];

/**
 * The format the content shows (`PAR1` first: Parquet; else the first byte past a
 * byte-order mark and white space is `{`: JSON Lines; anything else CSV), and the
 * same chunks again from the start: only what was needed to decide is held.
 */
async function sniff(chunks: AsyncIterable<Uint8Array>): Promise<{ format: Format; chunks: AsyncIterable<Uint8Array> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const held: Uint8Array[] = [];
  let done = false;
  const more = async (): Promise<Uint8Array | null> => {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      return null;
    }
    held.push(next.value);
    return next.value;
  };
  // Parquet's magic first: at least four bytes (or the whole input, if shorter).
  let total = 0;
  while (total < 4 && !done) total += (await more())?.length ?? 0;
  const start = new Uint8Array(Math.min(total, 4));
  for (let at = 0, c = 0; at < start.length; c++) {
    const part = held[c]!.subarray(0, start.length - at);
    start.set(part, at);
    at += part.length;
  }
  let format: Format = 'csv';
  if (start.length === 4 && String.fromCharCode(...start) === 'PAR1') format = 'parquet';
  else {
    // Else the first byte past a byte-order mark and white space.
    let seen = 0;
    let bom = true; // every byte so far is the start of a byte-order mark
    outer: for (let c = 0; ; c++) {
      if (c === held.length && (await more()) === null) break;
      const chunk = held[c]!;
      for (let i = 0; i < chunk.length; i++, seen++) {
        const b = chunk[i]!;
        bom &&= seen < 3 && b === BOM[seen];
        if (bom || BLANK.has(b)) continue;
        format = b === 0x7b ? 'jsonl' : 'csv';
        break outer;
      }
    }
  }
  async function* replay(): AsyncGenerator<Uint8Array> {
    yield* held;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { format, chunks: replay() };
}

/**
 * Reads `source` to its end into `consumer`, in `format` (or the one its name or
 * content shows), hashing it; closes it. A row cut by the file changing while it
 * is read is reported as the change, not as the row.
 */
export async function readInto(
  source: Source, format: Format | undefined, consumer: RowConsumer, platform: Platform, expect?: (rows: number) => void,
): Promise<InputSummary> {
  const hash = platform.sha256();
  const progress = platform.meter(source);
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source.chunks()) {
      hash.update(chunk);
      progress.update(source.bytesRead);
      yield chunk;
    }
  }
  const named = format ?? formatOfName(source.name === '<stdin>' ? '-' : source.name);
  const formatFrom = format !== undefined ? 'option' : named !== null ? 'extension' : 'content';
  let rows = 0;
  let decided: Format = named ?? 'csv';
  try {
    let chunks: AsyncIterable<Uint8Array> = hashed();
    if (named === null) ({ format: decided, chunks } = await sniff(chunks));
    if (decided === 'parquet') {
      // Parquet's index is at its end: the whole file is read first (hashed as it comes, kept in
      // parts: a file over 4 GiB is no one array), then its columns by ranges.
      const { readParquet } = await import('./parquet/read.js');
      const parts = new ByteParts();
      for await (const chunk of chunks) parts.push(chunk);
      rows = await readParquet(parts, source.name, consumer, expect, platform.compressors, platform.pause);
    } else {
      rows = await (decided === 'csv' ? readCsv : readJsonLines)(chunks, source.name, consumer, source.size, expect);
    }
    source.checkUnchanged(true);
  } catch (error) {
    if (error instanceof InputError) source.checkUnchanged(false);
    throw error;
  } finally {
    progress.done();
    source.close();
  }
  return { file: source.name, format: decided, formatFrom, bytes: source.bytesRead, sha256: await hash.digest(), rows };
}

/** Thrown by the header probe to stop reading once the columns are known. */
class HeaderRead extends Error {
  constructor(readonly names: readonly string[]) {
    super('header read');
  }
}

/**
 * The columns `source` has, as it spells them (the CSV header, the first JSON
 * Lines object's keys, the Parquet schema's top-level columns), reading no
 * further than that. Closes the source. A malformed start (an empty file)
 * is the InputError reading it would give.
 */
export async function columnsOfInput(source: Source, format: Format | undefined, platform: Platform): Promise<string[]> {
  const probe: RowConsumer = {
    columns: [],
    header(names) {
      throw new HeaderRead(names);
    },
    row() {},
  };
  try {
    await readInto(source, format, probe, { ...platform, meter: () => SILENT });
    return [];
  } catch (error) {
    if (error instanceof HeaderRead) return [...error.names];
    throw error;
  }
}
