// The account-file readers in process: one grammar, stated case by case, and
// "streamed equals one-shot": however the bytes are split into chunks, the rows
// read (or the error) are the same, byte for byte.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../src/files/csv.js';
import { formatUnits, parseUnits, writeUnits } from '../src/files/decimal.js';
import { writeField } from '../src/files/write.js';
import { quote, shorten } from '../src/files/errors.js';
import { readJsonLines } from '../src/files/jsonl.js';
import { MAX_RECORD_BYTES } from '../src/files/chunks.js';
import { AccountRows } from '../src/files/rows.js';
import { runs, chunked } from './support.js';

/** The plain account columns, read at `decimals`. */
const accountRows = (decimals: number) => new AccountRows('f', { account: 'account', profit: 'profit' }, decimals, null);

const encoder = new TextEncoder();
const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/** What a reader made of the input: each row's identifier (hex) and profit, or the error's message. */
async function outcome(format: 'csv' | 'jsonl', bytes: Uint8Array, sizes: number[], decimals = 2): Promise<string[] | string> {
  const rows = accountRows(decimals);
  const table = rows.table;
  try {
    await (format === 'csv' ? readCsv : readJsonLines)(chunked(bytes, sizes), 'f', rows);
  } catch (error) {
    return (error as Error).message;
  }
  table.sealed();
  return Array.from({ length: table.rows }, (_, row) => {
    const { words, offset } = table.profitWords(row);
    return `${hex(table.idOf(row))}=${(BigInt(words[offset + 1]!) << 32n) | BigInt(words[offset]! >>> 0)}`;
  });
}

const csv = (text: string) => outcome('csv', encoder.encode(text), [1 << 20]);
const jsonl = (text: string | Uint8Array) => outcome('jsonl', typeof text === 'string' ? encoder.encode(text) : text, [1 << 20]);
const id = (text: string) => hex(encoder.encode(text));

describe('the CSV grammar, case by case', () => {
  it('records end in LF or CRLF, and a CR as the last byte ends the last record', async () => {
    expect(await csv('account,profit\na,1\r\nb,2\n')).toEqual([`${id('a')}=100`, `${id('b')}=200`]);
    expect(await csv('account,profit\na,1\r')).toEqual([`${id('a')}=100`]);
    expect(await csv('account,profit\na,"1"\r')).toEqual([`${id('a')}=100`]);
    expect(await csv('account,profit\n"a",1\r')).toEqual([`${id('a')}=100`]);
  });

  it('a bare CR elsewhere is an error, except inside quotes', async () => {
    expect(await csv('account,profit\na\rb,1\n')).toMatch(/^f:2:2: carriage return \(CR\) not followed by a line feed in an unquoted field/);
    expect(await csv('account,profit\na,1\rb,2\n')).toMatch(/^f:2:4: carriage return/);
    expect(await csv('account,profit\n"a\rb",1\n')).toEqual([`${id('a\rb')}=100`]);
  });

  it('a byte-order mark is skipped before the header only; elsewhere it is data', async () => {
    expect(await csv('\uFEFFaccount,profit\na,1\n')).toEqual([`${id('a')}=100`]);
    expect(await csv('account,profit\nacct,\uFEFF75438.95\n')).toBe('f:2:6: profit "\\uFEFF75438.95" is not a decimal number; expected an optional "-", digits, and optionally "." with up to 2 fraction digits');
    expect(await csv('account,profit\n\uFEFFacct,1\n')).toEqual([`${id('\uFEFFacct')}=100`]);
    expect(await csv('account,\uFEFFprofit\na,1\n')).toMatch(/the header lacks profit/);
  });

  it('blank lines: at the end they are nothing, before a record an error naming the first', async () => {
    expect(await csv('account,profit\na,1\n\n\r\n\n')).toEqual([`${id('a')}=100`]);
    expect(await csv('account,profit\na,1\n\n\nb,2\n')).toBe('f:3:1: found an empty line; expected 2 fields as in the header');
    expect(await csv('\naccount,profit\na,1\n')).toBe('f:1:1: found an empty line; expected a header naming the columns account and profit');
  });

  it('an empty file, or one of blank lines, is an error; a header alone is an empty book', async () => {
    expect(await csv('')).toMatch(/^f:1:1: empty file/);
    expect(await csv('\n\n')).toMatch(/^f:1:1: empty file/);
    expect(await csv('account,profit\n')).toEqual([]);
  });

  it(`a record past ${MAX_RECORD_BYTES / 2 ** 20} MiB is an error at its start (a quote never closed says so), however many fields it has`, async () => {
    const long = 'x'.repeat(MAX_RECORD_BYTES + 1);
    expect(await outcome('csv', encoder.encode(`account,profit\n${long},1\n`), [1 << 20])).toBe(`f:2:1: record longer than 16 MiB (the longest a record may be)`);
    const open = `account,profit\na,1\n"b,1\n${'c,1\n'.repeat(MAX_RECORD_BYTES / 4 + 1)}`;
    expect(await outcome('csv', encoder.encode(open), [1 << 20])).toBe('f:3:1: record longer than 16 MiB (the longest a record may be); is a closing quote missing?');
    const manyFields = `account,profit${',c'.repeat(40)}\na,1${`,${'z'.repeat(1 << 20)}`.repeat(40)}\n`;
    expect(await outcome('csv', encoder.encode(manyFields), [1 << 20])).toBe('f:2:1: record longer than 16 MiB (the longest a record may be)');
    const rows = accountRows(2);
    const table = rows.table;
    await readCsv(chunked(encoder.encode(`account,profit\n${'y'.repeat(MAX_RECORD_BYTES - 3)},1\n`), [1 << 16]), 'f', rows);
    expect([table.rows, table.idOf(0).length]).toEqual([1, MAX_RECORD_BYTES - 3]);
  });
});

describe('the JSON Lines grammar, case by case', () => {
  it('identifiers are kept byte for byte: invalid UTF-8 and lone surrogates are errors, not U+FFFD', async () => {
    const bad = new Uint8Array([...encoder.encode('{"account":"'), 0xff, 0xfe, ...encoder.encode('","profit":1}\n')]);
    expect(await jsonl(bad)).toBe('f:1:13: not valid UTF-8; expected a UTF-8 text file (identifiers are kept byte for byte)');
    const overlong = new Uint8Array([...encoder.encode('{"account":"é'), 0xc0, 0xaf, ...encoder.encode('","profit":1}\n')]);
    expect(await jsonl(overlong)).toMatch(/^f:1:15: not valid UTF-8/);
    expect(await jsonl('{"account":"a\\ud800","profit":1}\n{"account":"a\\ud801","profit":1}\n')).toBe(
      'f:1:12: account holds a lone surrogate escape (\\uD800 to \\uDFFF without its pair), which no UTF-8 text can hold');
    expect(await jsonl('{"account":"\\udc00x","profit":1}\n')).toMatch(/lone surrogate/);
    expect(await jsonl('{"account":"\\ud83d\\ude00","profit":1}\n{"account":"é","profit":2}\n')).toEqual([`${id('😀')}=100`, `${id('é')}=200`]);
  });

  it('an empty file is an error as in CSV; blank lines are skipped; CRLF and a start BOM are fine', async () => {
    expect(await jsonl('')).toMatch(/^f:1:1: empty file; expected one JSON object per line/);
    expect(await jsonl('\n  \n\r\n')).toMatch(/^f:1:1: empty file/);
    expect(await jsonl('\uFEFF{"account":"a","profit":1}\r\n\n{"account":"b","profit":"2"}')).toEqual([`${id('a')}=100`, `${id('b')}=200`]);
  });

  it('a byte-order mark inside a profit is no number', async () => {
    expect(await jsonl('{"account":"a","profit":"\uFEFF5"}\n')).toMatch(/^f:1:25: profit "\\uFEFF5" is not a decimal number/);
  });

  it('columns count bytes, and a message points at its value', async () => {
    expect(await jsonl('{"note":"ééé","account":"a","profit":1.555}\n')).toMatch(/^f:1:41: profit "1\.555" has 3 fraction digits/);
  });

  it('the line limit is the same with CRLF as with LF', async () => {
    const line = `{"account":"a","profit":1,"pad":"${'x'.repeat(MAX_RECORD_BYTES - 35)}"}`;
    expect(encoder.encode(line).length).toBe(MAX_RECORD_BYTES);
    for (const eol of ['\n', '\r\n']) expect(await outcome('jsonl', encoder.encode(line + eol), [1 << 20])).toEqual([`${id('a')}=100`]);
  });

  it(`a line past ${MAX_RECORD_BYTES / 2 ** 20} MiB is an error`, async () => {
    const long = `{"account":"${'x'.repeat(MAX_RECORD_BYTES)}","profit":1}\n`;
    expect(await outcome('jsonl', encoder.encode(long), [1 << 20])).toBe('f:1:1: line longer than 16 MiB (the longest a line may be); expected one object per line');
  });
});

describe('found by a hostile review', () => {
  it('a byte-order mark split across the first chunks is still the start of the file', async () => {
    const csvBytes = encoder.encode('\uFEFFaccount,profit\na,1\n');
    for (const sizes of [[1], [2], [1, 1, 50], [2, 30]]) expect(await outcome('csv', csvBytes, sizes)).toEqual([`${id('a')}=100`]);
    const jsonBytes = encoder.encode('\uFEFF{"account":"a","profit":1}\n');
    for (const sizes of [[1], [2], [1, 1, 50]]) expect(await outcome('jsonl', jsonBytes, sizes)).toEqual([`${id('a')}=100`]);
    expect(await outcome('csv', new Uint8Array([0xef, 0xbb]), [1])).toMatch(/the header lacks account and profit/);
  });

  it('column names and JSON keys match case-insensitively; a key given twice is an error, not dropped', async () => {
    expect(await csv('Account,PROFIT\nx,1\n')).toEqual([`${id('x')}=100`]);
    expect(await csv('account,Account,profit\nx,y,1\n')).toMatch(/^f:1:9: column "account" appears twice in the header \(also at column 1; names match case-insensitively\)/);
    expect(await jsonl('{"ACCOUNT":"x","Profit":"1"}\n')).toEqual([`${id('x')}=100`]);
    expect(await jsonl('{"account":"a","profit":1,"Profit":2}\n')).toBe(
      'f:1:27: key "Profit" repeats the key at column 16 (keys match case-insensitively); expected each key once');
    expect(await jsonl('{"account":"a","profit":1,"note":1,"NOTE":2}\n')).toEqual([`${id('a')}=100`]);
  });

  it('a JSON line of other Unicode white space (U+00A0, U+3000, a byte-order mark) is no blank line', async () => {
    for (const space of ['\u00A0', '\u3000', '\uFEFF']) {
      expect(await jsonl(`{"account":"a","profit":1}\n${space}\n`)).toMatch(/^f:2:1: not valid JSON/);
    }
  });
});

describe('values in messages', () => {
  it('are shortened past 80 characters', async () => {
    const digits = '1'.repeat(1_000_000);
    const message = await csv(`account,profit\na,${digits}\n`);
    expect(message).toMatch(/^f:2:3: profit "1{48}…\(999936 more characters\)…1{16}" is outside the signed 64-bit range at 2 decimals$/);
    expect(await jsonl(`{"account":"a","profit":${digits}.5}\n`)).toMatch(/^f:1:25: profit "1{48}…\(999938 more characters\)…1{14}\.5" is outside the signed 64-bit range/);
    const dup = 'z'.repeat(500);
    expect(await csv(`account,profit\n${dup},1\n${dup},2\n`)).toBe(`f:3:1: account ${quote(dup)} repeats line 2; identifiers must be unique`);
    expect(shorten('a'.repeat(80))).toBe('a'.repeat(80));
    expect(shorten('a'.repeat(81)).length).toBeLessThan(100);
  });

  it('a huge run of digits is refused without building a huge number', () => {
    expect(() => parseUnits('9'.repeat(5_000_000), 0)).toThrow(/outside the signed 64-bit range/);
    expect(parseUnits('0'.repeat(1000) + '5', 0)).toBe(5n);
  });
});

describe('streamed equals one-shot, whatever the chunks', () => {
  // Bytes from the characters the grammar cares about, so that quotes, CRs and line
  // breaks land on every side of every chunk boundary; errors must match too.
  const piece = fc.constantFrom('a', 'b', ',', '"', '""', '\r', '\n', '\r\n', '1', '2.5', '-', '.', '\uFEFF', 'é', '{', '}', ':', '"account"', '"profit"');
  const body = fc.array(piece, { maxLength: 60 }).map((parts) => parts.join(''));
  const sizes = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 6 });

  it('CSV', async () => {
    await fc.assert(fc.asyncProperty(body, sizes, async (text, split) => {
      const bytes = encoder.encode(`account,profit\n${text}`);
      expect(await outcome('csv', bytes, split)).toEqual(await outcome('csv', bytes, [bytes.length]));
    }), runs(2000));
  });

  it('CSV with valid rows', async () => {
    const field = fc.string({ unit: fc.constantFrom('x', ',', '"', '\r', '\n', 'é'), maxLength: 8 });
    const rows = fc.uniqueArray(fc.tuple(field.filter((s) => s.length > 0), fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n })), { selector: ([name]) => name, maxLength: 12 });
    await fc.assert(fc.asyncProperty(rows, sizes, fc.constantFrom('\n', '\r\n'), async (list, split, eol) => {
      const cell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
      const text = `account,profit${eol}${list.map(([name, units]) => `${cell(name)},${units}`).join(eol)}${eol}`;
      const bytes = encoder.encode(text);
      const expected = list.map(([name, units]) => `${id(name)}=${units * 100n}`);
      expect(await outcome('csv', bytes, split)).toEqual(expected);
      expect(await outcome('csv', bytes, [bytes.length])).toEqual(expected);
    }), runs(1000));
  });

  it('JSON Lines', async () => {
    await fc.assert(fc.asyncProperty(body, sizes, async (text, split) => {
      const bytes = encoder.encode(`{"account":"x","profit":1}\n${text}`);
      expect(await outcome('jsonl', bytes, split)).toEqual(await outcome('jsonl', bytes, [bytes.length]));
    }), runs(2000));
  });
});

describe('the fast paths at their edges', () => {
  it('a chunk boundary at every byte of every row: quoted fields, CRLF, 18 decimals, values at ±2^63', async () => {
    const rows: [string, string, bigint][] = [
      ['plain', '1.000000000000000001', 1_000_000_000_000_000_001n],
      ['"quoted, with ""quotes""\r\nand a line break"', '-9.223372036854775808', -(2n ** 63n)],
      ['max', '9.223372036854775807', 2n ** 63n - 1n],
      ['"é😀"', '0', 0n],
      ['tiny', '-0.000000000000000001', -1n],
    ];
    const text = `account,profit\r\n${rows.map(([id, profit]) => `${id},${profit}`).join('\r\n')}\r\n`;
    const bytes = encoder.encode(text);
    const ids = ['plain', 'quoted, with "quotes"\r\nand a line break', 'max', 'é😀', 'tiny'];
    const expected = rows.map(([, , units], i) => `${id(ids[i]!)}=${units}`);
    const read = (sizes: number[]) => outcome('csv', bytes, sizes, 18);
    expect(await read([bytes.length])).toEqual(expected);
    for (let cut = 1; cut < bytes.length; cut++) {
      // Two chunks split at `cut`, then the rest in chunks of 1, 2 and 3 bytes.
      const sizes = [cut, bytes.length - cut];
      expect(await read(sizes), `split at byte ${cut}`).toEqual(expected);
    }
    for (const size of [1, 2, 3, 7]) expect(await read([size])).toEqual(expected);
  });

  it('the longest identifier a record may hold, in one chunk and in many', async () => {
    const long = 'z'.repeat(MAX_RECORD_BYTES - 4);
    const bytes = encoder.encode(`account,profit\n${long},1\n`);
    for (const sizes of [[bytes.length], [1 << 16], [1 << 20, 7]]) {
      expect(await outcome('csv', bytes, sizes, 0)).toEqual([`${hex(encoder.encode(long))}=1`]);
    }
  });
});

describe('JSON Lines numbers, read from their text', () => {
  // A bare number is handed over as its text, as if it were an unquoted CSV field: the line
  // with it reads exactly as the line with it quoted (rows, or the decimal grammar's message).
  const jsonNumber = fc.stringMatching(/^-?(?:0|[1-9]\d{0,24})(?:\.\d{1,22})?(?:[eE][+-]?\d{1,3})?$/);
  /**
   * A line whose account and profit are `value`, bare or quoted, after a member of two-byte
   * characters (columns count bytes); two spaces stand for the account's quotes, so that the
   * profit starts at the same column either way.
   */
  const line = (value: string, quoted: boolean) => (quoted ? `{"note":"éé","account":"${value}","profit":"${value}"}` : `{"note":"éé","account":${value},  "profit":${value}}`);
  const sizes = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 6 });

  it('named cases: amounts, identifiers as written, and what stays an error', async () => {
    expect(await jsonl('{"account":1001,"profit":96.43}\n{"account":"1001.0","profit":-5}\n{"account":-7,"profit":0.5}\n'))
      .toEqual([`${id('1001')}=9643`, `${id('1001.0')}=-500`, `${id('-7')}=50`]);
    // Identifiers are compared as text: 1001 and 1001.0 are two accounts; 1001 and "1001" one.
    expect(await jsonl('{"account":1001,"profit":1}\n{"account":1001.0,"profit":1}\n')).toEqual([`${id('1001')}=100`, `${id('1001.0')}=100`]);
    expect(await jsonl('{"account":1001,"profit":1}\n{"account":"1001","profit":1}\n')).toBe('f:2:12: account "1001" repeats line 1; identifiers must be unique');
    expect(await jsonl('{"account":"a","profit":1.555}\n')).toMatch(/^f:1:25: profit "1\.555" has 3 fraction digits; --decimals 2 allows at most 2/);
    expect(await jsonl(`{"account":"a","profit":${'9'.repeat(400)}}\n`)).toMatch(/^f:1:25: profit "9{48}…\(336 more characters\)…9{16}" is outside the signed 64-bit range at 2 decimals$/);
    for (const word of ['true', 'false', 'null']) expect(await jsonl(`{"account":"a","profit":${word}}\n`)).toBe(`f:1:25: profit must be a decimal string or a number, got ${word}`);
    for (const word of ['true', 'null', '[1]']) expect(await jsonl(`{"account":${word},"profit":1}\n`)).toBe(`f:1:12: account must be a non-empty string or a number, got ${word}`);
    for (const word of ['01', '-01', '+1', '.5', '-.5', '1.', '1.e3', '1e', '1e+', '-', 'NaN', 'Infinity', '-Infinity', '0x1F', '1_000']) {
      expect(await jsonl(`{"account":"a","profit":1}\n{"note":"é","account":"b","profit":${word}}\n`), word)
        .toMatch(new RegExp(`^f:2:37: not valid JSON: ${word.replace(/[+.]/g, '\\$&')} is not a JSON number; JSON allows -12, 0\\.5, 1e-05, 1\\.5E\\+3`));
    }
    // Anywhere on the line, not only in a requested member; other mistakes keep JSON.parse's word.
    expect(await jsonl('{"account":"a","profit":1,"meta":[1,2,+3]}\n')).toMatch(/^f:1:39: not valid JSON: \+3 is not a JSON number/);
    expect(await jsonl('{"account":"a","profit":1 2}\n')).toMatch(/^f:1:1: not valid JSON \(/);
  });

  it('a bare JSON number reads as its quoted text, as identifier and as amount', async () => {
    await fc.assert(fc.asyncProperty(jsonNumber, fc.integer({ min: 0, max: 18 }), async (value, decimals) => {
      const read = (quoted: boolean) => outcome('jsonl', encoder.encode(`${line(value, quoted)}\n`), [1 << 20], decimals);
      expect(await read(false)).toEqual(await read(true));
    }), runs(2000));
  });

  it('a word JSON.parse refuses is an error at its column saying what JSON allows; one it takes reads as its text', async () => {
    const word = fc.tuple(fc.constantFrom('-', '+', '.', '0', '1', '9'), fc.string({ unit: fc.constantFrom('0', '1', '5', '.', 'e', 'E', '+', '-'), maxLength: 8 }))
      .map(([first, rest]) => first + rest);
    await fc.assert(fc.asyncProperty(word, async (value) => {
      let number = true;
      try {
        JSON.parse(value);
      } catch {
        number = false;
      }
      const read = (quoted: boolean) => outcome('jsonl', encoder.encode(`{"account":"a","profit":1}\n${line(value, quoted)}\n`), [1 << 20], 18);
      if (number) expect(await read(false)).toEqual(await read(true));
      else expect(await read(false)).toBe(`f:2:26: not valid JSON: ${value} is not a JSON number; JSON allows -12, 0.5, 1e-05, 1.5E+3: an optional "-", digits without a leading zero, optionally "." and digits, optionally an exponent (no "+", NaN or Infinity)`);
    }), runs(2000));
  });

  it('streamed equals one-shot, whatever the chunks: bare and quoted numbers, valid or not', async () => {
    const value = fc.oneof(jsonNumber, fc.constantFrom('01', '+1', '.5', '1.', 'NaN', 'true', 'null', '"x"'));
    const lines = fc.array(fc.tuple(value, fc.boolean()), { minLength: 1, maxLength: 8 });
    await fc.assert(fc.asyncProperty(lines, sizes, fc.constantFrom('\n', '\r\n'), async (list, split, eol) => {
      const bytes = encoder.encode(list.map(([v, quoted], k) => line(quoted ? `${v}${k}` : v, quoted)).join(eol) + eol);
      expect(await outcome('jsonl', bytes, split, 6)).toEqual(await outcome('jsonl', bytes, [bytes.length], 6));
    }), runs(1000));
  });
});

describe('the writers', () => {
  it('writeUnits equals formatUnits for every safe integer and decimals (and bigints past them)', () => {
    const out = new Uint8Array(64);
    const decoder = new TextDecoder();
    const safe = fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.maxSafeInteger(), fc.maxSafeInteger().map((v) => -v),
      fc.integer({ min: 0, max: 9_007_199 }).map((high) => high * 1e9 + 999_999_999).filter(Number.isSafeInteger),
      fc.constantFrom(0, 1e9, 1e9 - 1, 1e9 + 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER));
    fc.assert(fc.property(safe, fc.integer({ min: 0, max: 18 }), (value, decimals) => {
      const end = writeUnits(out, 0, value, decimals);
      expect(decoder.decode(out.subarray(0, end))).toBe(formatUnits(BigInt(value), decimals));
    }), runs(20_000));
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.integer({ min: 0, max: 18 }), (value, decimals) => {
      const end = writeUnits(out, 0, value, decimals);
      expect(decoder.decode(out.subarray(0, end))).toBe(formatUnits(value, decimals));
    }), runs(2000));
  });

  it('an identifier is written from the table as writeField writes it: quoted only when it must be', () => {
    const rows = accountRows(0);
    const ids = ['a', 'a,b', 'say "hi"', 'cr\rlf\n', '', 'é😀'].map((s, i) => s + i);
    const table = rows.table;
    ids.forEach((s, i) => {
      const bytes = encoder.encode(s);
      table.add(bytes, 0, bytes.length, false, i, 0, i + 2);
    });
    const out = new Uint8Array(64), expected = new Uint8Array(64);
    ids.forEach((s, i) => {
      const end = table.writeId(out, 0, i);
      const want = writeField(expected, 0, encoder.encode(s));
      expect(out.subarray(0, end)).toEqual(expected.subarray(0, want));
      expect(table.idLength(i)).toBe(encoder.encode(s).length);
    });
  });
});
