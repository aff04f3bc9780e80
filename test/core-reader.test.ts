// The core's reader and writer (assembly/files/) against the JavaScript ones they replaced,
// kept as the oracle: on random account files of every grammar the reader accepts or
// refuses (plain and odd records mixed: quotes, CRLF, stray CRs, blank lines, field counts,
// repeated identifiers, every amount shape, every delimiter, decimal commas, input
// rounding), read in random chunks by the core's scanner and in one piece by the
// JavaScript reader alone, the rows (identifier, amount, line) and the tallies, or the
// error, are the same; the haircuts file the core formats is the JavaScript formatter's, byte for byte.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../src/files/csv.js';
import { AccountRows, PLAIN_READING, PoolDirectory, type AccountColumns, type ReadingOptions } from '../src/files/rows.js';
import type { RowConsumer } from '../src/files/fields.js';
import { AccountTable } from '../src/files/table.js';
import { Sink } from '../src/files/sink.js';
import { writeField, writeTable } from '../src/files/write.js';
import { writeUnits, wordsValue } from '../src/files/decimal.js';
import { nodePlatform } from '../src/host/node.js';
import { runs, chunked } from './support.js';
import { HaircutRows } from '../src/cli/verify-haircuts.js';
import { decimalsOfRow, type Loaded } from '../src/run/load.js';
import { formatUnits } from '../src/files/decimal.js';

const encoder = new TextEncoder();
const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/** The same consumer without the core's scanner: every record read by the JavaScript reader. */
function withoutScanner(rows: AccountRows): RowConsumer {
  return {
    columns: rows.columns, csv: rows.csv,
    delimited: (d) => rows.delimited(d), row: (f, line) => rows.row(f, line),
  };
}

interface Case {
  text: string;
  decimals: number;
  reading: ReadingOptions;
}

/** What a read made of a case: every row (identifier, amount, line), the delimiter and tallies, or the error. */
async function outcome(c: Case, sizes: number[] | null, scanner: boolean): Promise<string[] | string> {
  const rows = new AccountRows('f.csv', { account: 'account', profit: 'profit' }, c.decimals, null, 0, false, 0, c.reading);
  if (scanner) expect(rows.scanCsv).toBeDefined();
  const bytes = encoder.encode(c.text);
  try {
    await readCsv(chunked(bytes, sizes ?? [bytes.length + 1]), 'f.csv', scanner ? rows : withoutScanner(rows));
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  const table = rows.table;
  const out = Array.from({ length: table.rows }, (_, row) => {
    const { words, offset } = table.profitWords(row);
    return `${hex(table.idOf(row))}=${wordsValue(words[offset]!, words[offset + 1]!)}@${table.lineOf(row)}`;
  });
  out.push(`delimiter ${rows.delimiter}`);
  for (const [role, tally] of rows.tallies) out.push(`${role} ${tally.rounded} ${tally.text(c.decimals)}`);
  return out;
}

const DELIMITERS = [',', ';', '\t', '|'];

/** A plain amount: a sign, digits, a fraction of 0 to 8 digits. */
const plainAmount = fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 8 }))
  .map(([minus, v, places]) => { const s = v.toString().padStart(places + 1, '0'); return (minus ? '-' : '') + (places ? `${s.slice(0, -places)}.${s.slice(-places)}` : s); });

/** An amount of any shape the readers meet: plain (most), long, signed, float-formatted, broken. */
const amount = fc.oneof(
  { weight: 8, arbitrary: plainAmount },
  { weight: 2, arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String) },
  { weight: 2, arbitrary: fc.constantFrom('0', '-0', '007', '0.5', '12.', '.5', '1e3', '1.5E-2', '+1', ' 1', '1 ', '1,5', '1.5.5', '--1', '-', '',
    '9223372036854775807', '9223372036854775808', '-9223372036854775808', '999999999999999999', '1000000000000000000', '0.1234567890123456789',
    '96.43109799999999', '00000000000000000001', '12,500', 'NaN', '1_000', '١') },
);

/** An identifier: plain (most), or one the core leaves to the reader (quoted, with delimiters, quotes, line breaks; empty). */
const identifier = fc.oneof(
  { weight: 10, arbitrary: fc.stringMatching(/^[a-z0-9]{1,12}$/) },
  { weight: 1, arbitrary: fc.constantFrom('"a,b"', '"x""y"', '"line\nbreak"', '""', '', '"q"', 'é', '"é"', 'a"b', '\ufeffa') },
);

/** A random account file: a header (maybe an Excel sep= line, other columns), records (plain and odd), an ending. */
const cases = fc.record({
  delimiter: fc.constantFrom(...DELIMITERS),
  order: fc.constantFrom(['account', 'profit'], ['profit', 'account'], ['account', 'note', 'profit'], ['x', 'profit', 'Account']),
  sep: fc.boolean().map((b) => (b ? 1 : 0)),
  // Plain records (most files are all valid), then a few of any kind put among them.
  plain: fc.array(fc.record({
    id: fc.stringMatching(/^[a-z0-9]{1,12}$/), amount: plainAmount, note: fc.constantFrom('n', '', 'a b'), shape: fc.constantFrom('plain', 'plain', 'crlf'),
  }), { maxLength: 60 }),
  odd: fc.array(fc.tuple(fc.nat(), fc.record({
    id: identifier, amount, note: fc.constantFrom('n', '', '"q,q"', 'a b'),
    shape: fc.constantFrom('plain', 'crlf', 'blank', 'short', 'long', 'cr', 'repeat', 'empty-fields'),
  })), { maxLength: 3 }),
  ending: fc.constantFrom('\n', '\r\n', '', '\n\n', '\r'),
  decimals: fc.oneof(fc.integer({ min: 0, max: 18 }), fc.integer({ min: 6, max: 10 })),
  decimalComma: fc.boolean(),
  inputRounding: fc.constantFrom('exact', 'exact', 'half-even', 'half-up', 'down', 'up') as fc.Arbitrary<ReadingOptions['inputRounding']>,
  given: fc.boolean(),
}).map((r): Case => {
  const d = r.decimalComma && r.delimiter === ',' ? ';' : r.delimiter;
  const ids: string[] = [];
  const lines = [r.sep ? `sep=${d}` : null, r.order.join(d)].filter((l): l is string => l !== null);
  const records: { id: string; amount: string; note: string; shape: string }[] = [...r.plain];
  for (const [at, rec] of r.odd) records.splice(at % (records.length + 1), 0, rec);
  for (const rec of records) {
    const id = rec.shape === 'repeat' && ids.length > 0 ? ids[0]! : rec.id;
    ids.push(id);
    const value = r.decimalComma ? rec.amount.replace('.', ',') : rec.amount;
    const fields = r.order.map((name) => (name.toLowerCase() === 'account' ? id : name === 'profit' ? value : rec.note));
    if (rec.shape === 'blank') lines.push('');
    else if (rec.shape === 'short') lines.push(fields.slice(0, -1).join(d));
    else if (rec.shape === 'long') lines.push([...fields, 'extra'].join(d));
    else if (rec.shape === 'cr') lines.push(fields.join(d).replace(d, `\r${d}`));
    else if (rec.shape === 'crlf') lines.push(fields.join(d) + '\r');
    else if (rec.shape === 'empty-fields') lines.push(r.order.map(() => '').join(d));
    else lines.push(fields.join(d));
  }
  return {
    text: lines.join('\n') + r.ending, decimals: r.decimals,
    reading: { delimiter: r.given ? d : null, decimalComma: r.decimalComma, inputRounding: r.inputRounding },
  };
});

describe("the core's reader against the JavaScript reader", () => {
  it('the same rows, lines, tallies or error on random files, in random chunks', async () => {
    await fc.assert(fc.asyncProperty(cases, fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }), async (c, sizes) => {
      const oracle = await outcome(c, null, false);
      expect(await outcome(c, null, true)).toEqual(oracle);
      expect(await outcome(c, sizes, true)).toEqual(oracle);
    }), runs(400));
  });

  it('named cases: a repeat after many plain rows, a bad amount on the last line, a record the core leaves at a chunk edge', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => `id${i},${i}.25`).join('\n');
    for (const text of [
      `account,profit\n${many}\nid17,1\n`,
      `account,profit\n${many}\nlast,1.2.3`,
      `account,profit\n${many}\n"quoted",7\nplain,8\n`,
      `account,profit\n${many}\r\nz,1\r\n`,
      `account,profit\n${many}\n\n`,
      `account,profit\n${many}\n\nafter,1\n`,
    ]) {
      const c: Case = { text, decimals: 2, reading: PLAIN_READING };
      const oracle = await outcome(c, null, false);
      for (const sizes of [null, [1], [7, 4096], [65_536]]) expect(await outcome(c, sizes, true)).toEqual(oracle);
    }
  });

  it('roundings by every rule: ties, and adjustments whose sum passes 2^64 (the tally is 128-bit)', async () => {
    const ties = Array.from({ length: 40 }, (_, i) => `t${i},${i % 2 ? '-' : ''}${i}.${['5', '25', '125', '05', '35', '45'][i % 6]}`).join('\n');
    const large = Array.from({ length: 40 }, (_, i) => `w${i},${i % 3 ? '' : '-'}0.${i % 2 ? '999999999999999999' : '500000000000000001'}`).join('\n');
    for (const inputRounding of ['half-even', 'half-up', 'down', 'up'] as const) {
      for (const [text, decimals] of [[`account,profit\n${ties}\n`, 1], [`account,profit\n${ties}\n`, 0], [`account,profit\n${large}\n`, 0], [`account,profit\n${large}\n`, 5]] as const) {
        const c: Case = { text, decimals, reading: { ...PLAIN_READING, inputRounding } };
        const oracle = await outcome(c, null, false);
        expect(oracle).not.toBeTypeOf('string');
        expect(await outcome(c, [1 << 20], true)).toEqual(oracle);
      }
    }
  });

  it('a table grows its arena, columns and set as rows arrive, and still finds every repeat', async () => {
    const rows = 300_000;
    const text = `account,profit\n${Array.from({ length: rows }, (_, i) => `account-with-a-long-name-${i},${i}`).join('\n')}\naccount-with-a-long-name-123456,1\n`;
    const c: Case = { text, decimals: 0, reading: PLAIN_READING };
    expect(await outcome(c, [1 << 20], true)).toBe(`InputError: f.csv:${rows + 2}:1: account "account-with-a-long-name-123456" repeats line 123458; identifiers must be unique`);
  });
});

/** A file with every optional column a command may read: pool, exempt, weight, cap (or capacity), score, lot. */
interface WideCase {
  text: string;
  columns: AccountColumns;
  decimals: number;
  weightDecimals: number;
  scoreDecimals: number;
  listed: { name: string; decimals: number }[];
  reading: ReadingOptions;
}

/** What a read of a wide case made: every row with all its columns, the pools and their counts, or the error. */
async function wideOutcome(c: WideCase, sizes: number[] | null, scanner: boolean): Promise<string[] | string> {
  const directory = new PoolDirectory(c.decimals);
  for (const pool of c.listed) directory.add({ name: pool.name, loss: 0n, insuranceFund: 0n, decimals: pool.decimals, line: 1 });
  const rows = new AccountRows('w.csv', c.columns, c.decimals, c.columns.pool === undefined ? null : directory, c.weightDecimals, false, c.scoreDecimals, c.reading);
  const bytes = encoder.encode(c.text);
  try {
    await readCsv(chunked(bytes, sizes ?? [bytes.length + 1]), 'w.csv', scanner ? rows : { ...withoutScanner(rows), end: () => rows.end() });
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  const t = rows.table;
  const columns = (['profits', 'weights', 'caps', 'scores', 'lots'] as const).filter((name) => name === 'profits' || (
    name === 'weights' ? c.columns.weight : name === 'caps' ? c.columns.cap ?? c.columns.capacity : name === 'scores' ? c.columns.score : c.columns.lot) !== undefined);
  const values = columns.map((name) => t.column(name));
  const exempt = new Uint8Array(t.rows);
  t.copyExempt(exempt);
  const out = Array.from({ length: t.rows }, (_, row) =>
    `${hex(t.idOf(row))}@${t.lineOf(row)} pool ${t.poolOf(row)} exempt ${exempt[row]} ${values.map((v) => v[row]).join(' ')}`);
  out.push(`pools ${directory.pools.map((p) => `${p.name}:${p.decimals}`).join(',')} counts ${directory.counts.join(',')}`);
  for (const [role, tally] of rows.tallies) out.push(`${role} ${tally.rounded} ${tally.text(c.decimals)}`);
  return out;
}

const wideCases = fc.record({
  pool: fc.boolean(), exempt: fc.boolean(), weight: fc.boolean(), cap: fc.constantFrom(null, 'cap', 'capacity'), score: fc.boolean(), lot: fc.boolean(),
  decimals: fc.integer({ min: 0, max: 12 }), weightDecimals: fc.integer({ min: 0, max: 6 }), scoreDecimals: fc.integer({ min: 0, max: 6 }),
  listed: fc.uniqueArray(fc.record({ name: fc.constantFrom('USD', 'BTC', 'ETH', 'é'), decimals: fc.integer({ min: 0, max: 12 }) }), { selector: (p) => p.name, maxLength: 3 }),
  // Most files valid (the scanner takes every record), some with odd values among valid ones.
  noisy: fc.boolean(),
  records: fc.array(fc.record({
    pool: fc.constantFrom('USD', 'BTC', 'ETH', 'SOL', 'é', 'SOL'),
    exempt: fc.constantFrom('', '0', '1', 'yes', 'No', 'TRUE', 'n', 'Y', 'false', 'y'),
    weight: fc.nat({ max: 10 ** 6 }).map(String),
    cap: fc.oneof(fc.nat({ max: 10 ** 9 }).map(String), fc.constant('')),
    score: fc.integer({ min: -(10 ** 6), max: 10 ** 6 }).map(String),
    lot: fc.oneof(fc.integer({ min: 1, max: 100 }).map(String), fc.constant('')),
    profit: plainAmount,
    odd: fc.option(fc.tuple(fc.constantFrom('currency', 'house', 'size', 'cap', 'capacity', 'score', 'lot', 'profit'),
      fc.constantFrom('', '"USD"', 'maybe', 'y\u0000', '-1', '0', '0.5', '1.2345678', '-0.25', '1e2', 'NaN')), { freq: 3 }),
  }), { maxLength: 40 }),
  inputRounding: fc.constantFrom('exact', 'half-even') as fc.Arbitrary<ReadingOptions['inputRounding']>,
}).map((r): WideCase => {
  const names = ['account', 'profit', ...(r.pool ? ['currency'] : []), ...(r.exempt ? ['house'] : []), ...(r.weight ? ['size'] : []),
    ...(r.cap ? [r.cap] : []), ...(r.score ? ['score'] : []), ...(r.lot ? ['lot'] : []), 'note'];
  const lines = [names.join(',')];
  r.records.forEach((rec, i) => {
    const value: Record<string, string> = {
      account: `a${i}`, profit: rec.profit, currency: rec.pool, house: rec.exempt, size: rec.weight, cap: rec.cap, capacity: rec.cap, score: rec.score, lot: rec.lot, note: 'x',
    };
    if (r.noisy && rec.odd !== null) value[rec.odd[0]] = rec.odd[1];
    lines.push(names.map((name) => value[name]!).join(','));
  });
  return {
    text: lines.join('\n') + '\n', decimals: r.decimals, weightDecimals: r.weightDecimals, scoreDecimals: r.scoreDecimals, listed: r.listed,
    reading: { delimiter: null, decimalComma: false, inputRounding: r.inputRounding },
    columns: {
      account: 'account', profit: 'profit', ...(r.pool ? { pool: 'currency' } : {}), ...(r.exempt ? { exempt: 'house' } : {}), ...(r.weight ? { weight: 'size' } : {}),
      ...(r.cap === 'cap' ? { cap: 'cap' } : r.cap === 'capacity' ? { capacity: 'capacity' } : {}), ...(r.score ? { score: 'score' } : {}), ...(r.lot ? { lot: 'lot' } : {}),
    },
  };
});

describe("the core's reader against the JavaScript reader, with every optional column", () => {
  it('pools (listed with their decimals, or met in the file), exempt flags, weights, caps, scores, lots: the same rows or error', async () => {
    await fc.assert(fc.asyncProperty(wideCases, fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }), async (c, sizes) => {
      const oracle = await wideOutcome(c, null, false);
      expect(await wideOutcome(c, null, true)).toEqual(oracle);
      expect(await wideOutcome(c, sizes, true)).toEqual(oracle);
    }), runs(400));
  });
});

describe("the core's haircuts rows against the JavaScript formatter", () => {
  /** The rows `account,profit,haircut,profit_after` as the JavaScript formatter writes them. */
  function javascriptRows(table: AccountTable, haircuts: BigInt64Array, decimals: number): Promise<Uint8Array> {
    return collect(async (sink) => {
      await writeTable(sink, table.rows, (row) => 2 * table.idLength(row) + 2 + 3 * 48 + 6, (out, at, row) => fillRow(table, haircuts, decimals, out, at, row));
    });
  }

  it('byte for byte on random tables: identifiers to quote, amounts at ±2^63, every decimals', async () => {
    const amountValue = fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: -1000n, max: 1000n }));
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(fc.oneof(fc.stringMatching(/^[a-z0-9]{1,10}$/), fc.string({ minLength: 1, maxLength: 6 }), fc.constantFrom('a,b', 'x"y', 'l\nb', 'c\rr', '"')), amountValue, fc.nat()), { maxLength: 80 }),
      fc.integer({ min: 0, max: 18 }),
      async (entries, decimals) => {
        const table = new AccountTable();
        const seen = new Set<string>();
        const haircuts: bigint[] = [];
        for (const [id, profit, pick] of entries) {
          if (seen.has(id)) continue;
          seen.add(id);
          const bytes = encoder.encode(id);
          table.add(bytes, 0, bytes.length, false, Number(BigInt.asIntN(32, profit)), Number(profit >> 32n), table.rows + 2);
          // A haircut from 0 to the profit (a split's), or any value whose difference stays in range.
          const cut = profit > 0n ? BigInt(pick) % (profit + 1n) : 0n;
          haircuts.push(pick % 7 === 0 && profit > 0n ? profit : cut);
        }
        const view = BigInt64Array.from(haircuts);
        const oracle = await javascriptRows(table, view, decimals);
        const core = await collect((sink) => table.rowsWriter().write(sink, view, table.rows, decimals, false,
          (row) => 2 * table.idLength(row) + 2 + 3 * 48 + 6, (out, at, row) => fillRow(table, view, decimals, out, at, row)));
        expect(hex(core)).toBe(hex(oracle));
      }), runs(200));
  });

  it('byte for byte with a pool column: each row with its pool\'s name (quoted when it must be) and decimals', async () => {
    await fc.assert(fc.asyncProperty(
      fc.uniqueArray(fc.oneof(fc.stringMatching(/^[A-Z]{1,5}$/), fc.constantFrom('a,b', 'q"q', 'é')), { minLength: 1, maxLength: 5 }),
      fc.array(fc.integer({ min: 0, max: 18 }), { minLength: 5, maxLength: 5 }),
      fc.array(fc.tuple(fc.nat(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.nat()), { maxLength: 60 }),
      async (names, places, entries) => {
        const table = new AccountTable({ pool: true });
        const bytesOf = names.map((name) => encoder.encode(name));
        bytesOf.forEach((name, i) => table.pools!.add(name, places[i]!));
        const haircuts: bigint[] = [];
        entries.forEach(([pool, profit, pick], i) => {
          const id = encoder.encode(`id${i}`);
          table.add(id, 0, id.length, false, Number(BigInt.asIntN(32, profit)), Number(profit >> 32n), i + 2);
          table.setPool(pool % names.length);
          haircuts.push(profit > 0n ? BigInt(pick) % (profit + 1n) : 0n);
        });
        const view = BigInt64Array.from(haircuts);
        const room = (row: number) => 2 * table.idLength(row) + 2 + 2 * bytesOf[table.poolOf(row)]!.length + 3 + 3 * 48 + 6;
        const fill = (out: Uint8Array, at: number, row: number) => {
          at = table.writeId(out, at, row);
          out[at++] = 0x2c;
          at = writeField(out, at, bytesOf[table.poolOf(row)]!);
          return fillAmounts(table, view, places[table.poolOf(row)]!, out, at, row);
        };
        const oracle = await collect((sink) => writeTable(sink, table.rows, room, fill));
        expect(hex(await collect((sink) => table.rowsWriter().write(sink, view, table.rows, 0, true, room, fill)))).toBe(hex(oracle));
      }), runs(100));
  });

  it('a row the core leaves (profit minus haircut out of range, an identifier longer than its piece) is written by the fallback, in order', async () => {
    const table = new AccountTable();
    const ids = ['a', 'x'.repeat(3 << 20), 'b', 'c'];
    ids.forEach((id, i) => { const b = encoder.encode(id); table.add(b, 0, b.length, false, i === 2 ? 0 : 5, i === 2 ? -(2 ** 31) : 0, i + 2); });
    const view = BigInt64Array.from([1n, 2n, 5n, 3n]);
    const fill = (out: Uint8Array, at: number, row: number) => fillRow(table, view, 2, out, at, row);
    const room = (row: number) => 2 * table.idLength(row) + 2 + 3 * 48 + 6;
    const oracle = await javascriptRows(table, view, 2);
    expect(hex(await collect((sink) => table.rowsWriter().write(sink, view, table.rows, 2, false, room, fill)))).toBe(hex(oracle));
  });
});

/** Everything written to a sink by `task`. */
async function collect(task: (sink: Sink) => Promise<void>): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  const sink = new Sink(nodePlatform(true), (bytes) => { pieces.push(bytes.slice()); });
  await task(sink);
  await sink.close();
  return Buffer.concat(pieces);
}

/** One row as run.ts's JavaScript formatter writes it. */
function fillRow(table: AccountTable, haircuts: BigInt64Array, decimals: number, out: Uint8Array, at: number, row: number): number {
  return fillAmounts(table, haircuts, decimals, out, table.writeId(out, at, row), row);
}

/** A row's `,profit,haircut,profit_after` and line break, as run.ts's JavaScript formatter writes them. */
function fillAmounts(table: AccountTable, haircuts: BigInt64Array, decimals: number, out: Uint8Array, at: number, row: number): number {
  const { words, offset } = table.profitWords(row);
  const profit = wordsValue(words[offset]!, words[offset + 1]!);
  const haircut = haircuts[row]!;
  out[at++] = 0x2c;
  at = writeUnits(out, at, profit, decimals);
  out[at++] = 0x2c;
  at = writeUnits(out, at, haircut, decimals);
  out[at++] = 0x2c;
  at = writeUnits(out, at, BigInt(profit) - haircut, decimals);
  out[at++] = 0x0a;
  return at;
}

describe("verify's check of a haircut file in the core against the JavaScript reader", () => {
  /** The accounts of `text` read (pooled when `pools` is given), as verify has them. */
  async function loadedOf(text: string, pools: { name: string; decimals: number }[] | null): Promise<Loaded> {
    const directory = new PoolDirectory(4);
    if (pools === null) directory.add({ name: '', loss: 0n, insuranceFund: 0n, decimals: 4, line: 0 });
    else for (const pool of pools) directory.add({ ...pool, loss: 0n, insuranceFund: 0n, line: 1 });
    const rows = new AccountRows('a.csv', { account: 'account', profit: 'profit', ...(pools ? { pool: 'pool' } : {}) }, 4, pools ? directory : null);
    await readCsv(chunked(encoder.encode(text), [1 << 20]), 'a.csv', rows);
    rows.table.sealed();
    const accounts = { file: 'a.csv', format: 'csv', formatFrom: 'extension', bytes: 0, sha256: '', rows: rows.table.rows } as const;
    return { table: rows.table, directory, pooled: pools !== null, accounts, poolsInput: null, reading: { delimiter: ',', tallies: new Map() } };
  }

  /** What verify's reader made of a haircut file: haircuts, lines, differences (with profit_after's), or the error. */
  async function checked(loaded: Loaded, text: string, sizes: number[], scanner: boolean): Promise<unknown> {
    const decimalsOf = decimalsOfRow(loaded);
    const rows = new HaircutRows('h.csv', loaded, decimalsOf);
    const consumer: RowConsumer = scanner ? rows : { columns: rows.columns, row: (f, line) => rows.row(f, line), end: (line) => rows.end(line) };
    try {
      await readCsv(chunked(encoder.encode(text), sizes), 'h.csv', consumer);
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
    rows.checkProfitAfter(null);
    return { haircuts: [...rows.haircuts], lines: [...rows.lines], mismatches: rows.mismatches, differences: rows.differences() };
  }

  it('a profit after that equals profit − haircut only modulo 2^64 is a difference (the word check never wraps)', async () => {
    const loaded = await loadedOf(`account,profit\nbig,${formatUnits(2n ** 62n, 4)}\nsmall,5\n`, null);
    const wrapped = BigInt.asIntN(64, 2n ** 62n + 2n ** 63n); // 2^62 − (−2^63), wrapped: −2^62
    const text = `account,profit,haircut,profit_after\nbig,${formatUnits(2n ** 62n, 4)},${formatUnits(-(2n ** 63n), 4)},${formatUnits(wrapped, 4)}\nsmall,5,1,4\n`;
    const found = await checked(loaded, text, [1 << 20], true) as { differences: { index: number; column: string }[] };
    expect(found.differences.map((d) => `${d.index} ${d.column}`)).toEqual(['0 profit_after']);
    expect(await checked(loaded, text, [1 << 20], false)).toEqual(found);
  });

  it('the same haircuts, lines and differences, or the same error, on random haircut files', async () => {
    const file = fc.record({
      pooled: fc.boolean(),
      accounts: fc.array(fc.tuple(fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }), fc.nat({ max: 2 })), { minLength: 1, maxLength: 30 }),
      columns: fc.constantFrom(['account', 'profit', 'haircut', 'profit_after'], ['account', 'haircut'], ['haircut', 'account', 'pool'], ['account', 'pool', 'profit', 'haircut', 'profit_after']),
      edits: fc.array(fc.tuple(fc.nat(), fc.constantFrom('haircut', 'profit', 'after', 'pool', 'id', 'quote', 'crlf', 'drop', 'text', 'extra')), { maxLength: 3 }),
    });
    await fc.assert(fc.asyncProperty(file, fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 6 }), async (f, sizes) => {
      const pools = [{ name: 'USD', decimals: 2 }, { name: 'B,TC', decimals: 8 }, { name: 'ETH', decimals: 0 }];
      const places = (pool: number) => (f.pooled ? pools[pool]!.decimals : 4);
      const accountsText = `account,profit${f.pooled ? ',pool' : ''}\n` + f.accounts.map(([profit, pool], i) =>
        `id${i},${formatUnits(profit, places(pool))}${f.pooled ? `,"${pools[pool]!.name}"` : ''}`).join('\n') + '\n';
      const loaded = await loadedOf(accountsText, f.pooled ? pools : null);
      const lines = f.accounts.map(([profit, pool], i) => {
        const haircut = profit > 0n ? profit / 3n : 0n;
        const value: Record<string, string> = {
          account: `id${i}`, profit: formatUnits(profit, places(pool)), haircut: formatUnits(haircut, places(pool)),
          profit_after: formatUnits(profit - haircut, places(pool)), pool: f.pooled ? `"${pools[pool]!.name}"` : 'x',
        };
        return value;
      });
      const out = lines.map((v) => f.columns.map((c) => v[c]!));
      const columns: readonly string[] = f.columns;
      for (const [at, edit] of f.edits) {
        if (out.length === 0) break;
        const row = at % out.length, k = at % columns.length;
        const cells = out[row]!;
        if (edit === 'haircut' || edit === 'profit' || edit === 'after') {
          const c = columns.indexOf(edit === 'after' ? 'profit_after' : edit);
          if (c >= 0) cells[c] = cells[c]!.startsWith('-') ? cells[c]!.slice(1) : `1${cells[c]}`;
        } else if (edit === 'pool') {
          const c = columns.indexOf('pool');
          if (c >= 0) cells[c] = 'ETH';
        } else if (edit === 'id') cells[columns.indexOf('account')] = `id${row + 1}`;
        else if (edit === 'quote') cells[columns.indexOf('account')] = `"id${row}"`;
        else if (edit === 'crlf') cells[cells.length - 1] += '\r';
        else if (edit === 'drop') out.splice(row, 1);
        else if (edit === 'text') cells[k] = `${cells[k]}.0`;
        else cells.push('extra');
      }
      const text = `${f.columns.join(',')}\n${out.map((cells) => cells.join(',')).join('\n')}\n`;
      const oracle = await checked(loaded, text, [1 << 20], false);
      expect(await checked(loaded, text, [1 << 20], true)).toEqual(oracle);
      expect(await checked(loaded, text, sizes, true)).toEqual(oracle);
    }), runs(300));
  });
});

describe("the core's reader and formatter in the scalar build (runtimes without SIMD) against the SIMD build", () => {
  /** A table of each build fed the same plain CSV records by the scanner directly; its rows, or where it stopped. */
  function scanned(variant: 'simd' | 'scalar', text: string, decimals: number) {
    const table = new AccountTable({}, variant);
    const bytes = encoder.encode(text);
    const header = bytes.indexOf(0x0a) + 1;
    const shape = { delimiter: 0x2c, separator: 0x2e, roles: ['id', 'profit', null] as const, rounding: 'half-even' as const, decimals, weightDecimals: 0, scoreDecimals: 0 };
    const end = table.scanCsv(bytes, header, { ...shape, roles: [...shape.roles] }, 2);
    return { table, end, rows: Array.from({ length: table.rows }, (_, row) => `${hex(table.idOf(row))}=${table.column('profits')[row]}@${table.lineOf(row)}`) };
  }

  it('the same rows taken and the same record left, and the same bytes written', async () => {
    const line = fc.tuple(fc.oneof(fc.stringMatching(/^[a-z0-9]{1,20}$/), fc.constantFrom('a,b', '"q"', 'é', '')), plainAmount, fc.constantFrom('x', '', '"n"'), fc.constantFrom('\n', '\r\n', '\r'));
    await fc.assert(fc.asyncProperty(fc.array(line, { maxLength: 40 }), fc.integer({ min: 0, max: 9 }), async (lines, decimals) => {
      const text = 'account,profit,note\n' + lines.map(([id, profit, note, end]) => `${id},${profit},${note}${end}`).join('');
      const simd = scanned('simd', text, decimals), scalar = scanned('scalar', text, decimals);
      expect(scalar.rows).toEqual(simd.rows);
      expect(scalar.end).toBe(simd.end);
      const view = simd.table.column('profits').map((p) => (p > 0n ? p / 2n : 0n));
      const write = (table: AccountTable) => collect((sink) => table.rowsWriter().write(sink, view, table.rows, decimals, false,
        (row) => 2 * table.idLength(row) + 2 + 3 * 48 + 6, (out, at, row) => fillRow(table, view, decimals, out, at, row)));
      expect(hex(await write(scalar.table))).toBe(hex(await write(simd.table)));
    }), runs(200));
  });
});
