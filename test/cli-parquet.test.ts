// Parquet in and out. In: files written by DuckDB (the tool an analyst exports
// with), read into a consumer that records each value's text, compared exactly,
// for every DECIMAL layout (INT32, INT64, FIXED_LEN_BYTE_ARRAY, BYTE_ARRAY),
// integers, strings, booleans and nulls, and the refusals. Out: files written by
// writeParquetHaircuts, read back by DuckDB (types and values) and by readParquet.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUnits } from '../src/files/decimal.js';
import type { ColumnRequest, Fields, RowConsumer } from '../src/files/fields.js';
import { NODE_COMPRESSORS } from '../src/host/node.js';
import { readParquet as readParquetWith, unscaledOf } from '../src/files/parquet/read.js';

/** readParquet with the codecs the command line has. */
const readParquet = (bytes: Uint8Array, file: string, consumer: RowConsumer, expect?: (rows: number) => void) =>
  readParquetWith(bytes, file, consumer, expect, NODE_COMPRESSORS);
import { amountTypeOf, writeParquetHaircuts, type HaircutColumns } from '../src/files/parquet/write.js';
import { AccountRows } from '../src/files/rows.js';

let dir: string;
let db: DuckDBConnection;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'socialized-loss-parquet-'));
  db = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(() => {
  db?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** A file of DuckDB's `COPY (select) TO … (FORMAT PARQUET[, options])`, as bytes. */
async function duck(select: string, options = ''): Promise<Uint8Array> {
  const path = join(dir, `in-${Math.random().toString(36).slice(2)}.parquet`);
  await db.run(`COPY (${select}) TO '${path}' (FORMAT PARQUET${options})`);
  return new Uint8Array(readFileSync(path));
}

/** Decimal texts as the reader gives them: trailing fraction zeros dropped (`0.000000` → `0`, `1.50` → `1.5`). */
const exact = <T,>(rows: T): T => (Array.isArray(rows) ? rows.map((row) => (Array.isArray(row) ? row.map((v) => (typeof v === 'string' && /^-?\d+\.\d+$/.test(v) ? v.replace(/0+$/, '').replace(/\.$/, '') : v)) : row)) : rows) as T;

/** A consumer recording each row's values as text (null: absent), with where each was. */
class Recorder implements RowConsumer {
  readonly columns: ColumnRequest[];
  readonly rows: (string | null)[][] = [];
  readonly places: string[][] = [];
  readonly lines: number[] = [];
  ended = -1;

  constructor(columns: [name: string, kind: ColumnRequest['kind'], required?: boolean][]) {
    this.columns = columns.map(([name, kind, required = true]) => ({ name, kind, required, option: null }));
  }

  row(f: Fields, line: number): void {
    this.rows.push(this.columns.map((_, k) => (f.has(k) ? decoder.decode(f.bytes(k)) : null)));
    this.places.push(this.columns.map((_, k) => `${f.line[k]}:${f.column[k]}`));
    this.lines.push(line);
  }

  end(line: number): void {
    this.ended = line;
  }
}

/** What readParquet made of `bytes` for these columns: the rows' texts, or the error's message. */
async function read(bytes: Uint8Array, columns: ConstructorParameters<typeof Recorder>[0]): Promise<(string | null)[][] | string> {
  const recorder = new Recorder(columns);
  try {
    const count = await readParquet(bytes, 'in.parquet', recorder);
    expect(count).toBe(recorder.rows.length);
    expect(recorder.ended).toBe(count + 1);
  } catch (error) {
    return (error as Error).message;
  }
  return recorder.rows;
}

describe('readParquet: values as exact text', () => {
  it('DECIMAL(18,6) on INT64 and strings with commas, quotes, line breaks and Unicode', async () => {
    const bytes = await duck(`SELECT * FROM (VALUES
      ('a,1', '123.456789'::DECIMAL(18,6)),
      ('say "hi"', '-0.000001'::DECIMAL(18,6)),
      ('line\nbreak', '999999999999.999999'::DECIMAL(18,6)),
      ('zürich 東京 🚀', '-999999999999.999999'::DECIMAL(18,6)),
      ('zero', '0'::DECIMAL(18,6))) t(account, profit)`);
    expect(await read(bytes, [['account', 'id'], ['profit', 'amount']])).toEqual(exact([
      ['a,1', '123.456789'], ['say "hi"', '-0.000001'], ['line\nbreak', '999999999999.999999'],
      ['zürich 東京 🚀', '-999999999999.999999'], ['zero', '0.000000'],
    ]));
  });

  it('DECIMAL on INT32 (precision up to 9) and FIXED_LEN_BYTE_ARRAY (DECIMAL(38,10)), at the extremes', async () => {
    const bytes = await duck(`SELECT * FROM (VALUES
      (1, '12.5'::DECIMAL(4,1), '12345678901234567890123456.7890123456'::DECIMAL(38,10), '-9999999.99'::DECIMAL(9,2)),
      (2, '-999.9'::DECIMAL(4,1), '-9999999999999999999999999999.9999999999'::DECIMAL(38,10), '9999999.99'::DECIMAL(9,2)),
      (3, '0'::DECIMAL(4,1), '-0.0000000001'::DECIMAL(38,10), '-0.01'::DECIMAL(9,2)),
      (4, '-0.1'::DECIMAL(4,1), '0.0000000001'::DECIMAL(38,10), '0'::DECIMAL(9,2))) t(id, small, wide, mid)`);
    expect(await read(bytes, [['id', 'id'], ['small', 'amount'], ['wide', 'amount'], ['mid', 'amount']])).toEqual(exact([
      ['1', '12.5', '12345678901234567890123456.7890123456', '-9999999.99'],
      ['2', '-999.9', '-9999999999999999999999999999.9999999999', '9999999.99'],
      ['3', '0.0', '-0.0000000001', '-0.01'],
      ['4', '-0.1', '0.0000000001', '0.00'],
    ]));
  });

  it('DECIMAL on BYTE_ARRAY (minimal two\'s-complement bytes), as another writer may make it', async () => {
    const values = [0n, 1n, -1n, 127n, 128n, -128n, -129n, 2n ** 63n, -(2n ** 100n) + 7n, 10n ** 37n - 1n];
    const writer = new ByteWriter();
    parquetWrite({
      writer,
      columnData: [{ name: 'account', data: values.map((_, i) => `a${i}`) }, { name: 'profit', data: values }],
      schema: [
        { name: 'root', num_children: 2 },
        { name: 'account', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'profit', type: 'BYTE_ARRAY', converted_type: 'DECIMAL', scale: 3, precision: 38, repetition_type: 'REQUIRED' },
      ],
    });
    const rows = await read(writer.getBytes(), [['account', 'id'], ['profit', 'amount']]);
    expect(rows).toEqual(exact(values.map((v, i) => [`a${i}`, formatUnits(v, 3)])));
  });

  it('unscaledOf: big-endian two\'s complement of any length, sign extension or not', () => {
    const cases: [number[], bigint][] = [
      [[], 0n], [[0x00], 0n], [[0xff], -1n], [[0x7f], 127n], [[0x80], -128n], [[0x00, 0x80], 128n], [[0xff, 0x7f], -129n],
      [[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe], -2n],
      [[0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 2n ** 63n - 1n], [[0x80, 0, 0, 0, 0, 0, 0, 0], -(2n ** 63n)],
      [[0x00, 0x20, 0, 0, 0, 0, 0, 0], 2n ** 53n], [[0xff, 0xe0, 0, 0, 0, 0, 0, 0], -(2n ** 53n)],
      [[0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07], 0x01020304050607n], [[0xfe, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07], 0xfe020304050607n - 2n ** 56n],
    ];
    for (const [bytes, expected] of cases) expect(BigInt(unscaledOf(new Uint8Array(bytes)))).toBe(expected);
  });

  it('INT64 and INT32 as their digits, to the ends of the range (never through a float)', async () => {
    const bytes = await duck(`SELECT * FROM (VALUES
      ('max', 9223372036854775807::BIGINT, 2147483647::INTEGER),
      ('min', (-9223372036854775807 - 1)::BIGINT, (-2147483647 - 1)::INTEGER),
      ('odd', 9007199254740993::BIGINT, 0::INTEGER),
      ('small', 42::BIGINT, -7::INTEGER)) t(account, profit, units)`);
    expect(await read(bytes, [['account', 'id'], ['profit', 'amount'], ['units', 'amount']])).toEqual(exact([
      ['max', '9223372036854775807', '2147483647'], ['min', '-9223372036854775808', '-2147483648'],
      ['odd', '9007199254740993', '0'], ['small', '42', '-7'],
    ]));
  });

  it('BOOLEAN and integer flags as their text; a null flag is empty (no); absent optional columns are absent', async () => {
    const bytes = await duck(`SELECT * FROM (VALUES ('a', 1, true, 1), ('b', 2, false, 0), ('c', 3, NULL, NULL)) t(account, profit, exempt, other)`);
    const recorder = new Recorder([['account', 'id'], ['profit', 'amount'], ['exempt', 'flag'], ['other', 'flag'], ['cap', 'amount', false]]);
    expect(await readParquet(bytes, 'in.parquet', recorder)).toBe(3);
    expect(recorder.rows).toEqual(exact([['a', '1', 'true', '1', null], ['b', '2', 'false', '0', null], ['c', '3', '', '', null]]));
    // Lines are rows (from 1); columns are positions in the schema (from 1).
    expect(recorder.lines).toEqual([1, 2, 3]);
    expect(recorder.places[2]!.slice(0, 4)).toEqual(['3:1', '3:2', '3:3', '3:4']);
  });

  it('columns match by name case-insensitively, in any order, others ignored', async () => {
    const bytes = await duck(`SELECT 1.5::DOUBLE AS ignored, '2.25'::DECIMAL(10,2) AS "PROFIT", 'x' AS "Account"`);
    expect(await read(bytes, [['account', 'id'], ['profit', 'amount']])).toEqual(exact([['x', '2.25']]));
  });

  it('row groups and pages are read in order, whatever their sizes; a dictionary-encoded column reads as its values', async () => {
    const n = 20_000;
    const bytes = await duck(`SELECT 'acc' || i AS account, ((i * 3 - 7)::DECIMAL(18,2) * 0.01)::DECIMAL(18,4) AS profit, ['USDT', 'BTC', 'ETH'][i % 3 + 1] AS pool FROM range(${n}) t(i)`, ', ROW_GROUP_SIZE 2048');
    const recorder = new Recorder([['account', 'id'], ['profit', 'amount'], ['pool', 'text']]);
    expect(await readParquet(bytes, 'in.parquet', recorder, (rows) => expect(rows).toBe(n))).toBe(n);
    const expected = Array.from({ length: n }, (_, i) => [`acc${i}`, formatUnits(BigInt(i * 3 - 7) * 100n, 4), ['USDT', 'BTC', 'ETH'][i % 3]]);
    expect(recorder.rows).toEqual(exact(expected));
    expect(recorder.lines).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });

  it('GZIP-compressed files (Node decompresses them)', async () => {
    const bytes = await duck(`SELECT 'a' AS account, 5::DECIMAL(18,6) AS profit`, ', COMPRESSION gzip');
    expect(await read(bytes, [['account', 'id'], ['profit', 'amount']])).toEqual(exact([['a', '5.000000']]));
  });

  it('zero rows: no row, end at line 1', async () => {
    const bytes = await duck(`SELECT 'a' AS account, 5::DECIMAL(18,6) AS profit WHERE false`);
    expect(await read(bytes, [['account', 'id'], ['profit', 'amount']])).toEqual([]);
  });

  it('into the account table exactly as CSV gives it', async () => {
    const bytes = await duck(`SELECT * FROM (VALUES ('a', '12.345678'::DECIMAL(18,6)), ('b', '-9223372036854.775808'::DECIMAL(19,6))) t(account, profit)`);
    const rows = new AccountRows('in.parquet', { account: 'account', profit: 'profit' }, 6, null);
    expect(await readParquet(bytes, 'in.parquet', rows)).toBe(2);
    expect(Array.from(rows.table.column('profits'))).toEqual([12345678n, -(2n ** 63n)]);
    // A DECIMAL's scale beyond --decimals is fine when the extra digits are zeros (the value is
    // what it is); a digit that is not zero is refused by the grammar, never rounded.
    const wider = await duck(`SELECT * FROM (VALUES ('a', 1.5::DECIMAL(18,8)), ('b', 2::DECIMAL(18,8))) t(account, profit)`);
    const at6 = new AccountRows('in.parquet', { account: 'account', profit: 'profit' }, 6, null);
    await readParquet(wider, 'in.parquet', at6);
    expect(Array.from(at6.table.column('profits'))).toEqual([1_500_000n, 2_000_000n]);
    const finer = await duck(`SELECT 'a' AS account, 1.50000001::DECIMAL(18,8) AS profit`);
    await expect(readParquet(finer, 'in.parquet', new AccountRows('in.parquet', { account: 'account', profit: 'profit' }, 6, null)))
      .rejects.toThrow('in.parquet:1:2: profit "1.50000001" has 8 fraction digits; --decimals 6 allows at most 6');
  });
});

describe('readParquet: refusals name the place', () => {
  it('a null amount or identifier names its row and column', async () => {
    const bytes = await duck(`SELECT * FROM (VALUES ('a', 1::DECIMAL(18,6)), ('b', 2), ('c', NULL), (NULL, 4)) t(account, profit)`);
    expect(await read(bytes, [['account', 'id'], ['profit', 'amount']])).toBe('in.parquet:3:2: row 3: profit is null; expected an amount');
    const ids = await duck(`SELECT * FROM (VALUES ('a', 1::DECIMAL(18,6)), (NULL, 4)) t(account, profit)`);
    expect(await read(ids, [['account', 'id'], ['profit', 'amount']])).toBe('in.parquet:2:1: row 2: account is null; expected a non-empty identifier');
  });

  it('a floating-point column is refused when read, ignored otherwise', async () => {
    const bytes = await duck(`SELECT 'a' AS account, 1.5::DOUBLE AS profit, 2.5::FLOAT AS weight`);
    expect(await read(bytes, [['account', 'id'], ['profit', 'amount']]))
      .toBe('in.parquet:1:2: column "profit" is DOUBLE: a floating-point column cannot hold exact amounts; export it as DECIMAL or INT64');
    expect(await read(bytes, [['account', 'id'], ['weight', 'amount']]))
      .toBe('in.parquet:1:3: column "weight" is FLOAT: a floating-point column cannot hold exact amounts; export it as DECIMAL or INT64');
    expect(await read(bytes, [['account', 'id']])).toEqual(exact([['a']]));
  });

  it('a missing required column, as CSV\'s header message', async () => {
    const bytes = await duck(`SELECT 'a' AS account, 1 AS pnl`);
    const recorder = new Recorder([['account', 'id'], ['profit', 'amount']]);
    (recorder.columns as { option: string | null }[])[1]!.option = '--profit-column';
    await expect(readParquet(bytes, 'in.parquet', recorder))
      .rejects.toThrow('in.parquet:1:1: the schema lacks profit (--profit-column); expected columns account and profit (the file has account, pnl)');
  });

  it('columns of other types, nested columns, twice-named columns, and files that are not Parquet', async () => {
    const date = await duck(`SELECT 'a' AS account, DATE '2024-01-01' AS profit`);
    expect(await read(date, [['account', 'id'], ['profit', 'amount']])).toBe('in.parquet:1:2: column "profit" is DATE (on INT32); expected strings, integers (INT32, INT64), DECIMAL or BOOLEAN');
    const list = await duck(`SELECT 'a' AS account, [1, 2] AS profit`);
    expect(await read(list, [['account', 'id'], ['profit', 'amount']])).toBe('in.parquet:1:2: column "profit" is nested (a list, map or struct); expected strings, integers (INT32, INT64), DECIMAL or BOOLEAN');
    // DuckDB renames a repeated name; another writer may not.
    const writer = new ByteWriter();
    parquetWrite({ writer, columnData: [{ name: 'account', data: ['a'] }, { name: 'profit', data: [1] }, { name: 'Profit', data: [2] }] });
    const twice = writer.getBytes();
    expect(await read(twice, [['account', 'id'], ['profit', 'amount']])).toBe('in.parquet:1:3: column "Profit" appears twice in the schema (also at column 2; names match case-insensitively)');
    expect(await read(encoder.encode('account,profit\na,1\n'), [['account', 'id'], ['profit', 'amount']])).toMatch(/^in\.parquet:1:1: not a Parquet file \(.*\); expected a Parquet file with columns account and profit$/);
  });
});

/** A plain (one pool) haircut table. */
function plainTable(ids: string[], profit: bigint[], haircut: bigint[], decimals: number): HaircutColumns {
  const bytes = ids.map((id) => encoder.encode(id));
  return {
    rows: ids.length, idOf: (row) => bytes[row]!, pooled: false, poolOf: () => 0, poolNames: [encoder.encode('')], decimals: [decimals],
    profit: BigInt64Array.from(profit), haircut: BigInt64Array.from(haircut),
  };
}

/** The file writeParquetHaircuts makes, as one buffer (and on disk for DuckDB). */
async function written(table: HaircutColumns, rowGroupRows?: number): Promise<{ path: string; bytes: Uint8Array; chunks: number }> {
  const parts: Uint8Array[] = [];
  for await (const chunk of writeParquetHaircuts(table, rowGroupRows === undefined ? {} : { rowGroupRows })) parts.push(chunk);
  const bytes = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  const path = join(dir, `out-${Math.random().toString(36).slice(2)}.parquet`);
  writeFileSync(path, bytes);
  return { path, bytes, chunks: parts.length };
}

/** DuckDB's view of a file: each column's type, and the rows as text. */
async function duckView(path: string): Promise<{ types: Record<string, string>; rows: string[][] }> {
  const described = (await db.runAndReadAll(`DESCRIBE SELECT * FROM '${path}'`)).getRowObjectsJS();
  const types = Object.fromEntries(described.map((r) => [String(r.column_name), String(r.column_type)]));
  const names = Object.keys(types);
  const result = await db.runAndReadAll(`SELECT ${names.map((n) => `"${n}"::VARCHAR`).join(', ')} FROM '${path}'`);
  return { types, rows: result.getRows().map((r) => r.map((v) => String(v))) };
}

/** The rows readParquet gives for a haircut file. */
async function readBack(bytes: Uint8Array, pooled: boolean): Promise<(string | null)[][] | string> {
  const columns: ConstructorParameters<typeof Recorder>[0] = [['account', 'id'], ...(pooled ? [['pool', 'text'] as ['pool', 'text']] : []), ['profit', 'amount'], ['haircut', 'amount'], ['profit_after', 'amount']];
  return read(bytes, columns);
}

describe('writeParquetHaircuts: read back by DuckDB and by readParquet', () => {
  it('one scale: DECIMAL(18, scale) on INT64, values exact, identifiers byte for byte', async () => {
    const ids = ['a,1', 'say "hi"', 'zürich 東京 🚀', 'line\nbreak', 'z'];
    const profit = [123456789n, -5n, 10n ** 18n - 1n, 0n, -(10n ** 18n) + 1n];
    const haircut = [1n, 0n, 10n ** 18n - 2n, 0n, 0n];
    const { path, bytes } = await written(plainTable(ids, profit, haircut, 6));
    const expected = ids.map((id, i) => [id, formatUnits(profit[i]!, 6), formatUnits(haircut[i]!, 6), formatUnits(profit[i]! - haircut[i]!, 6)]);
    const view = await duckView(path);
    expect(view.types).toEqual({ account: 'VARCHAR', profit: 'DECIMAL(18,6)', haircut: 'DECIMAL(18,6)', profit_after: 'DECIMAL(18,6)' });
    expect(view.rows).toEqual(expected);
    expect(await readBack(bytes, false)).toEqual(exact(expected));
  });

  it('values near ±2^63 at 0 and at 18 decimals: 19 digits do not fit DECIMAL(18), so DECIMAL(38, scale)', async () => {
    const max = 2n ** 63n - 1n, min = -(2n ** 63n);
    const profit = [max, min, max, 1n, -1n];
    const haircut = [max, 0n, 1n, 1n, 0n];
    for (const decimals of [0, 18]) {
      const table = plainTable(['a', 'b', 'c', 'd', 'e'], profit, haircut, decimals);
      expect(amountTypeOf(table)).toEqual({ precision: 38, scale: decimals });
      const { path, bytes } = await written(table);
      const expected = profit.map((p, i) => [['a', 'b', 'c', 'd', 'e'][i]!, formatUnits(p, decimals), formatUnits(haircut[i]!, decimals), formatUnits(p - haircut[i]!, decimals)]);
      const view = await duckView(path);
      expect(view.types.profit).toBe(`DECIMAL(38,${decimals})`);
      expect(view.types.profit_after).toBe(`DECIMAL(38,${decimals})`);
      expect(view.rows).toEqual(expected);
      expect(await readBack(bytes, false)).toEqual(exact(expected));
    }
    // 18 digits at 18 decimals still fit INT64.
    const small = plainTable(['a', 'b'], [10n ** 18n - 1n, -(10n ** 18n) + 1n], [5n, 0n], 18);
    expect(amountTypeOf(small)).toEqual({ precision: 18, scale: 18 });
    const { path } = await written(small);
    // DuckDB writes DECIMAL(18,18) without the leading zero.
    expect((await duckView(path)).rows).toEqual([
      ['a', '.999999999999999999', '.000000000000000005', '.999999999999999994'], ['b', '-.999999999999999999', '.000000000000000000', '-.999999999999999999'],
    ]);
    expect(await readBack((await written(small)).bytes, false)).toEqual(exact([
      ['a', '0.999999999999999999', '0.000000000000000005', '0.999999999999999994'], ['b', '-0.999999999999999999', '0.000000000000000000', '-0.999999999999999999'],
    ]));
  });

  it('pools with different decimals: DECIMAL(38, max) with each value rescaled exactly; a pool column', async () => {
    const names = ['USDT', 'BTC', 'ZERO'].map((n) => encoder.encode(n));
    const decimals = [6, 8, 0];
    const pools = [0, 1, 2, 0, 1];
    const profit = BigInt64Array.from([1_500_000n, 123n, 2n ** 63n - 1n, -1n, -(2n ** 63n)]);
    const haircut = BigInt64Array.from([1n, 100n, 2n ** 62n, 0n, 0n]);
    const ids = ['a', 'b', 'c', 'd', 'e'].map((id) => encoder.encode(id));
    const table: HaircutColumns = { rows: 5, idOf: (r) => ids[r]!, pooled: true, poolOf: (r) => pools[r]!, poolNames: names, decimals, profit, haircut };
    expect(amountTypeOf(table)).toEqual({ precision: 38, scale: 8 });
    const { path, bytes } = await written(table, 2);
    const view = await duckView(path);
    expect(view.types).toEqual({ account: 'VARCHAR', pool: 'VARCHAR', profit: 'DECIMAL(38,8)', haircut: 'DECIMAL(38,8)', profit_after: 'DECIMAL(38,8)' });
    const expected = [
      ['a', 'USDT', '1.50000000', '0.00000100', '1.49999900'],
      ['b', 'BTC', '0.00000123', '0.00000100', '0.00000023'],
      ['c', 'ZERO', '9223372036854775807.00000000', '4611686018427387904.00000000', '4611686018427387903.00000000'],
      ['d', 'USDT', '-0.00000100', '0.00000000', '-0.00000100'],
      ['e', 'BTC', '-92233720368.54775808', '0.00000000', '-92233720368.54775808'],
    ];
    expect(view.rows).toEqual(expected);
    expect(await readBack(bytes, true)).toEqual(exact(expected));
  });

  it('one pool column at one scale stays DECIMAL(18) on INT64', async () => {
    const names = ['USDT', 'USDC'].map((n) => encoder.encode(n));
    const ids = ['a', 'b', 'c'].map((id) => encoder.encode(id));
    const table: HaircutColumns = {
      rows: 3, idOf: (r) => ids[r]!, pooled: true, poolOf: (r) => r % 2, poolNames: names, decimals: [2, 2],
      profit: BigInt64Array.from([100n, 250n, -3n]), haircut: BigInt64Array.from([10n, 0n, 0n]),
    };
    const { path } = await written(table);
    const view = await duckView(path);
    expect(view.types.profit).toBe('DECIMAL(18,2)');
    expect(view.rows).toEqual([['a', 'USDT', '1.00', '0.10', '0.90'], ['b', 'USDC', '2.50', '0.00', '2.50'], ['c', 'USDT', '-0.03', '0.00', '-0.03']]);
  });

  it('streamed in row groups: one chunk per group and one for the footer; the same rows as one group', async () => {
    const n = 10_007;
    const ids = Array.from({ length: n }, (_, i) => `acc${i}`);
    const profit = Array.from({ length: n }, (_, i) => BigInt(i * 7919 - 5_000_000));
    const haircut = Array.from({ length: n }, (_, i) => BigInt(i % 13));
    const table = plainTable(ids, profit, haircut, 4);
    const grouped = await written(table, 1000);
    expect(grouped.chunks).toBe(12);
    const whole = await written(table);
    expect(whole.chunks).toBe(2);
    const rows = await readBack(grouped.bytes, false);
    expect(rows).toEqual(await readBack(whole.bytes, false));
    expect(rows).toEqual(exact(ids.map((id, i) => [id, formatUnits(profit[i]!, 4), formatUnits(haircut[i]!, 4), formatUnits(profit[i]! - haircut[i]!, 4)])));
    const count = (await db.runAndReadAll(`SELECT count(*)::VARCHAR, sum(profit_after)::VARCHAR FROM '${grouped.path}'`)).getRows()[0]!;
    expect(count.map(String)).toEqual([String(n), formatUnits(profit.reduce((s, p, i) => s + p - haircut[i]!, 0n), 4)]);
  });

  it('zero rows: a valid file with the columns', async () => {
    const { path, bytes } = await written(plainTable([], [], [], 2));
    expect((await duckView(path)).types).toEqual({ account: 'VARCHAR', profit: 'DECIMAL(18,2)', haircut: 'DECIMAL(18,2)', profit_after: 'DECIMAL(18,2)' });
    expect(await readBack(bytes, false)).toEqual([]);
  });

  it('bad columns are RangeErrors', async () => {
    const table = plainTable(['a'], [1n], [0n], 2);
    await expect(written({ ...table, rows: 2 })).rejects.toThrow(RangeError);
    await expect(written({ ...table, pooled: true, poolOf: () => 3 })).rejects.toThrow(/pool 3 is outside the 1 pools/);
  });
});
