// Parquet files that contradict themselves, bombs and crashes (issue 25): each
// crafted from a small valid file (test/parquet-hostile.ts) and refused with one
// line naming the file, by Node's codecs and the page's alike; the codecs stop at
// the page's size; a file read by ranges reads as a whole one; the reader yields
// between column chunks (a signal ends the run there); the writer keeps
// identifiers that are not UTF-8 readable; and a seeded mutation fuzzer over
// footers and pages (SOCIALIZED_LOSS_LONG=1 for the long run).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobSource, browserPlatform, gunzipBounded } from '../src/host/browser.js';
import { ByteParts } from '../src/files/chunks.js';
import { formatUnits } from '../src/files/decimal.js';
import { InputError } from '../src/files/errors.js';
import type { ColumnRequest, Fields, RowConsumer } from '../src/files/fields.js';
import { NODE_COMPRESSORS } from '../src/host/node.js';
import { readParquet } from '../src/files/parquet/read.js';
import { identifiersAreUtf8, writeParquetHaircuts, type HaircutColumns } from '../src/files/parquet/write.js';
import { readInto } from '../src/files/read.js';
import { i64, joinParquet, rewritePages, splitParquet, type T, type TStruct } from './parquet-craft.js';
import { decimals, HOSTILE, validFile } from './parquet-hostile.js';
import { LONG } from './support.js';

const decoder = new TextDecoder();
const bin = process.env.SOCIALIZED_LOSS_BIN ?? new URL('../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'socialized-loss-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Records account and profit texts. */
class Recorder implements RowConsumer {
  readonly columns: ColumnRequest[] = [
    { name: 'account', kind: 'id', required: true, option: null },
    { name: 'profit', kind: 'amount', required: true, option: null },
  ];
  readonly rows: string[][] = [];
  row(f: Fields): void {
    this.rows.push([decoder.decode(f.bytes(0)), decoder.decode(f.bytes(1))]);
  }
}

/** The rows read, or the InputError's message; anything else thrown fails the test. */
async function outcome(bytes: Uint8Array | ByteParts, compressors = NODE_COMPRESSORS): Promise<string[][] | string> {
  const recorder = new Recorder();
  try {
    const count = await readParquet(bytes, 'in.parquet', recorder, undefined, compressors, async () => {});
    expect(count).toBe(recorder.rows.length);
    return recorder.rows;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    expect(error.message).not.toContain('\n');
    expect(error.message.startsWith('in.parquet:')).toBe(true);
    return error.message;
  }
}

describe('hostile Parquet files are refused with one line naming the file', () => {
  it('the valid file they are made from reads', async () => {
    expect(await outcome(decimals())).toEqual([['a0', '1250.5'], ['a1', '-3'], ['a2', '0.07']]);
  });

  it.each(HOSTILE)('$name', async ({ bytes, refusal }) => {
    const message = await outcome(bytes());
    expect(message).toMatch(refusal);
    expect(message).toMatch(/^in\.parquet:(\d+:\d+:)? /);
  });

  it.each(HOSTILE)('through the page\'s platform: $name', async ({ bytes }) => {
    // The page reads with fflate's GZIP (bounded too) and no BROTLI: a refusal either way, never a throw of another kind.
    expect(typeof await outcome(bytes(), browserPlatform().compressors)).toBe('string');
  });

  it('the command: exit 2, one line `socialized-loss: FILE: …`, for footers that crashed it', () => {
    for (const name of ['schema element without a name', 'nesting 10,000 deep', 'DECIMAL scales disagree (converted 4, logical 2)']) {
      const hostile = HOSTILE.find((c) => c.name === name)!;
      const path = join(dir, 'bad.parquet');
      writeFileSync(path, hostile.bytes());
      const result = spawnSync(process.execPath, [bin, 'socialize', 'bad.parquet', '--decimals', '2', '--loss', '1'], { cwd: dir, encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^socialized-loss: bad\.parquet: [^\n]+\n$/);
      expect(result.stderr).toMatch(hostile.refusal);
    }
  });
});

describe('codecs stop at the page\'s size', () => {
  const zeros = new Uint8Array(32 << 20);
  const gzip = gzipSync(zeros);
  const brotli = brotliCompressSync(zeros);
  it('Node\'s GZIP and BROTLI, and the page\'s GZIP, refuse to inflate past the size the header gives', () => {
    expect(() => NODE_COMPRESSORS.GZIP!(gzip, 1000)).toThrow(/larger than 1000 bytes/);
    expect(() => NODE_COMPRESSORS.BROTLI!(brotli, 1000)).toThrow(/larger than 1000 bytes/);
    expect(() => gunzipBounded(gzip, 1000)).toThrow(/inflates past its 1000 bytes/);
  });
  it('and give the page when the size is right; a short one is refused', () => {
    const page = Uint8Array.from({ length: 5000 }, (_, i) => i % 251);
    expect(NODE_COMPRESSORS.GZIP!(gzipSync(page), 5000)).toEqual(Buffer.from(page));
    expect(gunzipBounded(gzipSync(page), 5000)).toEqual(page);
    expect(() => gunzipBounded(gzipSync(page), 6000)).toThrow(/inflates to 5000 bytes; its header says 6000/);
  });
});

describe('read by ranges', () => {
  it('ByteParts: any range, within one part (a view) or across many (a copy)', () => {
    const whole = Uint8Array.from({ length: 100 }, (_, i) => i);
    const parts = new ByteParts();
    for (let at = 0; at < 100; at += 7) parts.push(whole.slice(at, at + 7));
    expect(parts.byteLength).toBe(100);
    for (const [a, b] of [[0, 0], [0, 7], [3, 5], [6, 8], [0, 100], [13, 99], [98, 100], [100, 100]] as const) {
      expect(parts.slice(a, b)).toEqual(whole.slice(a, b));
    }
    expect(() => parts.slice(5, 101)).toThrow(RangeError);
    expect(() => parts.slice(6, 5)).toThrow(RangeError);
  });

  it('a file in parts of 5 bytes reads as the whole file', async () => {
    const file = validFile({ type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, converted_type: 'DECIMAL', scale: 3, precision: 38 }, [1n, -(10n ** 30n), 12345n], { codec: 'GZIP' });
    const parts = new ByteParts();
    for (let at = 0; at < file.length; at += 5) parts.push(file.slice(at, at + 5));
    expect(await outcome(parts)).toEqual(await outcome(file));
    expect(await outcome(parts)).toEqual([['a0', '0.001'], ['a1', '-1000000000000000000000000000'], ['a2', '12.345']]);
  });
});

describe('a signal is handled between column chunks', () => {
  it('readInto (the command\'s and the page\'s path) yields to the host before every column chunk', async () => {
    const writer = validFile({ type: 'INT64', converted_type: 'DECIMAL', scale: 2, precision: 18 }, Array.from({ length: 3 }, (_, i) => BigInt(i)));
    let pauses = 0;
    const platform = { ...browserPlatform(), pause: async () => void pauses++ };
    const recorder = new Recorder();
    await readInto(new BlobSource(new Blob([writer as Uint8Array<ArrayBuffer>]), 'in.parquet'), undefined, recorder, platform);
    expect(recorder.rows.length).toBe(3);
    expect(pauses).toBeGreaterThanOrEqual(2); // one row group, two columns read
  });
});

describe('a large row group is decoded in windows of rows, a pause between them', () => {
  it('300,000 rows in one row group, pages across the windows\' borders, a dictionary column: every row once, in order', async () => {
    const n = 300_000;
    const writer = new ByteWriter();
    parquetWrite({
      writer, rowGroupSize: n, pageSize: 5000,
      columnData: [
        { name: 'account', data: Array.from({ length: n }, (_, i) => `pool-${i % 7}`) },
        { name: 'profit', data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i * 3 - n)) },
      ],
      schema: [
        { name: 'root', num_children: 2 },
        { name: 'account', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'profit', type: 'INT64', converted_type: 'DECIMAL', scale: 2, precision: 18, repetition_type: 'REQUIRED' },
      ],
    });
    let pauses = 0;
    const recorder = new Recorder();
    expect(await readParquet(writer.getBytes(), 'in.parquet', recorder, undefined, NODE_COMPRESSORS, async () => void pauses++)).toBe(n);
    expect(recorder.rows.length).toBe(n);
    for (const i of [0, 1, 131_071, 131_072, 131_073, 262_143, 262_144, n - 1]) {
      expect(recorder.rows[i]).toEqual([`pool-${i % 7}`, formatUnits(BigInt(i * 3 - n), 2).replace(/\.?0+$/, '')]);
    }
    expect(recorder.rows.every((row, i) => row[0] === `pool-${i % 7}`)).toBe(true);
    expect(pauses).toBe(2 * 3 + 2); // two columns, three windows each; and between the windows of rows handed over
  });
});

describe('identifiers that are not UTF-8, written to Parquet', () => {
  it('identifiersAreUtf8: ASCII and multi-byte UTF-8 are, a cut sequence or a lone continuation byte is not; pools apart', () => {
    const table = (ids: number[][], pools: number[][] = []): HaircutColumns => ({
      rows: ids.length, idOf: (row) => Uint8Array.from(ids[row]!), pooled: pools.length > 0, poolOf: () => 0,
      poolNames: pools.map((p) => Uint8Array.from(p)), decimals: pools.length > 0 ? pools.map(() => 2) : [2],
      profit: new BigInt64Array(ids.length), haircut: new BigInt64Array(ids.length),
    });
    const zurich = [...new TextEncoder().encode('zürich 東京 🚀')];
    expect(identifiersAreUtf8(table([[0x61], zurich]))).toEqual({ account: true, pool: true });
    expect(identifiersAreUtf8(table([[0x61], [0xc3]]))).toEqual({ account: false, pool: true });
    expect(identifiersAreUtf8(table([[0x80, 0x61]]))).toEqual({ account: false, pool: true });
    expect(identifiersAreUtf8(table([[0x61]], [[0x55, 0x53, 0x44], [0xff]]))).toEqual({ account: true, pool: false });
  });

  it('make the account column plain BYTE_ARRAY (no STRING): DuckDB reads it, and the bytes come back as they were', async () => {
    const ids = [Uint8Array.from([0xff, 0x61]), new TextEncoder().encode('b')];
    const table: HaircutColumns = {
      rows: 2, idOf: (row) => ids[row]!, pooled: false, poolOf: () => 0, poolNames: [], decimals: [2],
      profit: BigInt64Array.from([100n, 300n]), haircut: BigInt64Array.from([25n, 75n]),
    };
    const parts: Uint8Array[] = [];
    for await (const part of writeParquetHaircuts(table)) parts.push(part);
    const bytes = new Uint8Array(Buffer.concat(parts));
    const path = join(dir, 'out.parquet');
    writeFileSync(path, bytes);
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    try {
      const reader = await db.runAndReadAll(`SELECT hex(account::BLOB) AS id, typeof(account) AS type, haircut::VARCHAR AS haircut FROM '${path}'`);
      expect(reader.getRowObjects()).toEqual([{ id: 'FF61', type: 'BLOB', haircut: '0.25' }, { id: '62', type: 'BLOB', haircut: '0.75' }]);
    } finally {
      db.closeSync();
    }
    const raw: Uint8Array[] = [];
    const columns: ColumnRequest[] = [{ name: 'account', kind: 'id', required: true, option: null }];
    await readParquet(readFileSync(path), 'out.parquet', { columns, row: (f) => void raw.push(f.bytes(0).slice()) }, undefined, NODE_COMPRESSORS);
    expect(raw).toEqual(ids);
  });
});

/** A seeded generator (mulberry32): the same cases on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Every integer field of a thrift tree, as places to set. */
function integerPlaces(struct: TStruct, out: { struct: TStruct; id: number; value: T }[] = []): typeof out {
  for (const [id, value] of struct) {
    if (value.type === 3 || value.type === 4 || value.type === 5 || value.type === 6) out.push({ struct, id, value });
    else if (value.type === 12) integerPlaces(value.value, out);
    else if (value.type === 9) for (const item of value.value) if (item.type === 12) integerPlaces(item.value, out);
  }
  return out;
}

const INTERESTING = [0, 1, -1, 2, 3, 4, 7, 8, 15, 16, 17, 38, 39, 255, 256, 1 << 20, 2 ** 31 - 1, -(2 ** 31)];

/** One mutation of `file`, chosen by `next`: a byte of the footer or of a page header changed, or an integer field set. */
function mutate(file: Uint8Array, next: () => number): Uint8Array {
  const pick = <X,>(items: readonly X[]): X => items[Math.floor(next() * items.length)]!;
  const value = (old: T): number => (next() < 0.3 ? Number(old.value) + pick([-1, 1, 2, -2]) : pick(INTERESTING));
  const setTo = (place: { struct: TStruct; id: number; value: T }) => {
    const v = value(place.value);
    place.struct.set(place.id, place.value.type === 6 ? i64(v) : { type: place.value.type, value: place.value.type === 3 ? ((v << 24) >> 24) : v | 0 } as T);
  };
  const kind = next();
  if (kind < 0.35) {
    // An integer field of the footer.
    const parts = splitParquet(file);
    setTo(pick(integerPlaces(parts.footer)));
    return joinParquet(parts);
  }
  if (kind < 0.6) {
    // An integer field of one page header (sizes, counts, encodings).
    let target = -1;
    let seen = 0;
    rewritePages(file, () => void seen++);
    target = Math.floor(next() * seen);
    let index = 0;
    return rewritePages(file, (page) => {
      if (index++ === target) setTo(pick(integerPlaces(page.header)));
    });
  }
  const out = file.slice();
  const footerLength = new DataView(out.buffer).getUint32(out.length - 8, true);
  const footerStart = out.length - 8 - footerLength;
  if (kind < 0.85) {
    // Bytes of the footer changed (1 to 3).
    for (let n = 1 + Math.floor(next() * 3); n > 0; n--) out[footerStart + Math.floor(next() * footerLength)] = Math.floor(next() * 256);
  } else {
    // Bytes anywhere before the footer (page headers and bodies).
    for (let n = 1 + Math.floor(next() * 3); n > 0; n--) out[4 + Math.floor(next() * (footerStart - 4))] = Math.floor(next() * 256);
  }
  return out;
}

describe('mutation fuzzer over footers and pages', () => {
  const bases: [string, () => Uint8Array][] = [
    ['DECIMAL(18,2) on INT64, SNAPPY', decimals],
    ['DECIMAL(38,3) on FIXED_LEN_BYTE_ARRAY(16), GZIP', () => validFile({ type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, converted_type: 'DECIMAL', scale: 3, precision: 38, logical_type: { type: 'DECIMAL', scale: 3, precision: 38 } }, [1n, -(10n ** 30n), 12345n, 0n], { codec: 'GZIP' })],
    ['dictionary-encoded strings, DECIMAL on INT32', () => validFile({ type: 'INT32', converted_type: 'DECIMAL', scale: 1, precision: 9 }, Int32Array.from({ length: 40 }, (_, i) => i - 20), { ids: Array.from({ length: 40 }, (_, i) => `pool-${i % 3}`) })],
    ['DECIMAL on BYTE_ARRAY', () => validFile({ type: 'BYTE_ARRAY', converted_type: 'DECIMAL', scale: 2, precision: 38 }, [5n, -(2n ** 100n), 0n])],
  ];
  const runs = LONG ? 5000 : 300;
  it(`${runs} mutations per base file: a reading or one line naming the file, never another error`, async () => {
    // And one as DuckDB writes it: OPTIONAL columns (definition levels), DATA_PAGE v1, dictionaries.
    const path = join(dir, 'duck.parquet');
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    try {
      await db.run(`COPY (SELECT 'acct-' || (i % 9) || '-' || i AS account, ((i * 7919) % 2000 - 1000)::DECIMAL(18,2) AS profit FROM range(60) t(i)) TO '${path}' (FORMAT PARQUET)`);
    } finally {
      db.closeSync();
    }
    const duck = new Uint8Array(readFileSync(path));
    bases.push(['DuckDB: OPTIONAL columns, DATA_PAGE v1', () => duck]);
    const tally = { read: 0, refused: 0 };
    for (const [b, [name, make]] of bases.entries()) {
      const base = make();
      const next = random(0x5eed + b);
      for (let i = 0; i < runs; i++) {
        const mutated = mutate(base, next);
        let result: string[][] | string;
        try {
          result = await outcome(mutated);
        } catch (error) {
          throw new Error(`${name}, mutation ${i}: ${(error as Error)?.stack ?? String(error)}`);
        }
        if (typeof result === 'string') tally.refused++;
        else tally.read++;
      }
    }
    // Both outcomes occur: the mutations reach past the first check.
    expect(tally.read).toBeGreaterThan(0);
    expect(tally.refused).toBeGreaterThan(0);
    console.log(`parquet fuzzer: ${bases.length} × ${runs} mutations: ${tally.read} read, ${tally.refused} refused`);
  }, LONG ? 3_600_000 : 120_000);
});

