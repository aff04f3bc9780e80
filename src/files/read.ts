// Reading one input to its end: the bytes hashed as they stream (as on disk),
// decompressed and decoded (decode.ts), the format decided (`--format`, else the
// extension, else the content), a progress bar for large files, and the file
// checked unchanged at the end.

import { readCsv } from './csv.js';
import { ByteParts, Lookahead } from './chunks.js';
import { decodeInput, gzippedParquet, type Decoding } from './decode.js';
import { InputError, UsageError } from './errors.js';
import type { RowConsumer } from './fields.js';
import { readJsonLines } from './jsonl.js';
import { SILENT, type Platform, type Source } from '../host/platform.js';

/** The formats of account and haircut files. */
export type Format = 'csv' | 'jsonl' | 'parquet';

/** The values `--format` takes. */
export const FORMATS: readonly Format[] = ['csv', 'jsonl', 'parquet'];

/** What was read: for the report and messages. */
export interface InputSummary extends Decoding {
  /** The name as given (`<stdin>` for `-`). */
  file: string;
  /** The format of the (decompressed, decoded) content. */
  format: Format;
  /** How the format was decided (a `.gz` ending set aside: `x.csv.gz` is by its extension). */
  formatFrom: 'option' | 'extension' | 'content';
  /** The file's size as read: compressed bytes for a gzip file. */
  bytes: number;
  /** The SHA-256 of the file as read (the compressed bytes for a gzip file), lower-case hex. */
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
 * The format the content shows: `PAR1` first, Parquet; else the first byte past
 * a byte-order mark and white space is `{`, JSON Lines; anything else CSV. Reads
 * no further than that decides.
 */
async function sniff(look: Lookahead): Promise<Format> {
  const start = await look.head(4);
  if (start.length === 4 && String.fromCharCode(...start) === 'PAR1') return 'parquet';
  let seen = 0;
  let bom = true; // every byte so far is the start of a byte-order mark
  for (let c = 0; ; c++) {
    if (c === look.held.length && (await look.more()) === null) return 'csv';
    const chunk = look.held[c]!;
    for (let i = 0; i < chunk.length; i++, seen++) {
      const b = chunk[i]!;
      bom &&= seen < 3 && b === BOM[seen];
      if (!bom && !BLANK.has(b)) return b === 0x7b ? 'jsonl' : 'csv';
    }
  }
}

/** `name` without a `.gz` ending (`x.csv.gz` → `x.csv`), and whether it had one. */
function withoutGz(name: string): { name: string; gz: boolean } {
  const gz = /\.gz$/i.test(name);
  return { name: gz ? name.slice(0, -3) : name, gz };
}

/**
 * Reads `source` to its end into `consumer`, in `format` (or the one its name or
 * content shows: a `.gz` ending set aside), hashing it as it is on disk and
 * reading it decompressed and decoded (decode.ts); closes it. A row cut by the file changing while it
 * is read is reported as the change, not as the row.
 */
export async function readInto(
  source: Source, format: Format | undefined, consumer: RowConsumer, platform: Platform, expect?: (rows: number) => void,
): Promise<InputSummary> {
  const hash = platform.sha256(source.size);
  const progress = platform.meter(source);
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source.chunks()) {
      hash.update(chunk);
      progress.update(source.bytesRead);
      yield chunk;
    }
  }
  const stdin = source.name === '<stdin>';
  const { name, gz } = withoutGz(stdin ? '-' : source.name);
  const named = format ?? formatOfName(name);
  const formatFrom = format !== undefined ? 'option' : named !== null ? 'extension' : 'content';
  let rows = 0;
  let decided: Format = named ?? 'csv';
  let decoding: Decoding = {};
  try {
    let chunks: AsyncIterable<Uint8Array>;
    ({ chunks, decoding } = await decodeInput(hashed(), source.name, platform, { gzipName: gz && !stdin, parquet: named === 'parquet' }));
    if (named === null) {
      const look = new Lookahead(chunks);
      decided = await sniff(look);
      chunks = look.replay();
      if (decided === 'parquet' && decoding.compression !== undefined) throw gzippedParquet(source.name);
    }
    if (decided === 'parquet') {
      // Parquet's index is at its end: the whole file is read first (hashed as it comes, kept in
      // parts: a file over 4 GiB is no one array), then its columns by ranges.
      const { readParquet } = await import('./parquet/read.js');
      const parts = new ByteParts();
      for await (const chunk of chunks) parts.push(chunk);
      rows = await readParquet(parts, source.name, consumer, expect, platform.compressors, platform.pause);
    } else {
      // The size guesses the rows from the first chunk's: UTF-16 is about twice its UTF-8 (a gzip
      // file's ratio is unknown; guessing low costs only the table's growing).
      const size = decoding.encoding === undefined ? source.size : source.size / 2;
      rows = await (decided === 'csv' ? readCsv : readJsonLines)(chunks, source.name, consumer, size, expect);
    }
    source.checkUnchanged(true);
  } catch (error) {
    if (error instanceof InputError) source.checkUnchanged(false);
    throw error;
  } finally {
    progress.done();
    source.close();
  }
  return { file: source.name, format: decided, formatFrom, bytes: source.bytesRead, sha256: await hash.digest(), rows, ...decoding };
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
  return (await headerOfInput(source, format, platform)).columns;
}

/**
 * `columnsOfInput` with what the page shows beside them: the CSV delimiter the header
 * splits on (detected as a run would, or `delimiter` when given), null for other formats.
 */
export async function headerOfInput(
  source: Source, format: Format | undefined, platform: Platform, csv?: RowConsumer['csv'],
): Promise<{ columns: string[]; delimiter: string | null }> {
  let delimiter: string | null = null;
  const probe: RowConsumer = {
    columns: [],
    csv,
    delimited(used) {
      delimiter = used;
    },
    header(names) {
      throw new HeaderRead(names);
    },
    row() {},
  };
  try {
    await readInto(source, format, probe, { ...platform, meter: () => SILENT });
    return { columns: [], delimiter };
  } catch (error) {
    if (error instanceof HeaderRead) return { columns: [...error.names], delimiter };
    throw error;
  }
}
