// Account files as real exports write them, each against its canonical form: the
// same book as today's plain CSV gives byte-identical haircuts when written with
// semicolons and decimal commas, tabs, '|', float-formatted amounts (read by each
// --input-rounding rule, against a plain-bigint rounding of the text), exponents,
// y/n flags and a spreadsheet's trailing empty records; the reader streamed equals
// one-shot for every chunking; the report records how the file was read.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InputRounding } from '../src/amount.js';
import { readCsv } from '../src/files/csv.js';
import { formatUnits } from '../src/units.js';
import { AccountRows, PLAIN_READING } from '../src/files/rows.js';
import { runs } from './support.js';

const bin = new URL('../dist/cli/main.js', import.meta.url).pathname;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'socialized-loss-exports-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
function file(name: string, text: string | Uint8Array): string {
  writeFileSync(join(dir, name), text);
  return name;
}

/** A book: identifiers, profits in units at 2 decimals, exempt flags. */
const books = fc.array(fc.record({ profit: fc.bigInt({ min: -(10n ** 9n), max: 10n ** 11n }), exempt: fc.boolean() }), { minLength: 1, maxLength: 12 });

/** The book's canonical CSV: `account,profit,house` with 1/0 flags. */
function canonical(book: { profit: bigint; exempt: boolean }[]): string {
  return 'account,profit,house\n' + book.map((a, i) => `acct ${i},${formatUnits(a.profit, 2)},${a.exempt ? 1 : 0}`).join('\n') + '\n';
}

describe('the shapes of real exports, against their canonical CSV', () => {
  it('semicolons with decimal commas, Excel\'s "sep=;" line, tabs, "|", y/n flags, trailing empty records: byte-identical haircuts', () => {
    fc.assert(fc.property(books, fc.constantFrom('largest-remainder', 'down'), (book, rounding) => {
      const args = ['--decimals', '2', '--loss', '777.77', '--exempt-column', 'house', '--rounding', rounding, '--quiet'];
      const expected = run(['socialize', file('plain.csv', canonical(book)), ...args]);
      expect(expected.status, expected.stderr).toBe(0);
      const shapes: [string, string, string[]][] = [
        ['semi.csv', 'account;profit;house\n' + book.map((a, i) => `acct ${i};${formatUnits(a.profit, 2).replace('.', ',')};${a.exempt ? 'Y' : 'n'}`).join('\n') + '\n;;\n;;\n', ['--decimal-comma']],
        ['tabs.tsv', 'account\tprofit\thouse\r\n' + book.map((a, i) => `acct ${i}\t${formatUnits(a.profit, 2)}\t${a.exempt ? 'yes' : ''}`).join('\r\n') + '\r\n', []],
        ['excel.csv', 'sep=;\r\naccount;profit;house\r\n' + book.map((a, i) => `acct ${i};${formatUnits(a.profit, 2).replace('.', ',')};${a.exempt ? 'yes' : 'no'}`).join('\r\n') + '\r\n', ['--decimal-comma']],
        ['pipes.txt', 'account|profit|house\n' + book.map((a, i) => `acct ${i}|${formatUnits(a.profit, 2)}|${a.exempt ? 'y' : 'N'}`).join('\n') + '\n||\n', ['--delimiter', '|']],
      ];
      for (const [name, text, extra] of shapes) {
        const r = run(['socialize', file(name, text), ...args, ...extra]);
        expect(r.stderr, name).toBe('');
        expect(r.stdout, name).toBe(expected.stdout);
      }
    }), runs(8, 4));
  });

  it('float-formatted and exponent amounts, by each rounding rule, equal the canonical file of the rounded values', () => {
    const rule = fc.constantFrom<InputRounding>('half-even', 'half-up', 'down', 'up');
    // Each profit as a float export writes it: the value at 2 decimals, then noise digits (or an exponent form).
    const noisy = fc.record({ cents: fc.bigInt({ min: -(10n ** 9n), max: 10n ** 11n }), noise: fc.stringMatching(/^[0-9]{0,14}$/), exponent: fc.boolean() });
    fc.assert(fc.property(fc.array(noisy, { minLength: 1, maxLength: 10 }), rule, (values, inputRounding) => {
      const texts = values.map(({ cents, noise, exponent }) => {
        const plain = formatUnits(cents, 2) + noise;
        // The same value in exponent notation: all its digits, and the exponent that puts the point back.
        return exponent ? `${plain.replace('.', '')}E-${2 + noise.length}` : plain;
      });
      // The oracle: each text's exact value rounded by the rule, in plain bigint.
      const rounded = values.map(({ cents, noise }) => {
        if (noise === '' || /^0*$/.test(noise)) return cents;
        const sign = cents < 0n ? -1n : 1n;
        const magnitude = (cents < 0n ? -cents : cents) * 10n ** BigInt(noise.length) + BigInt(noise);
        const d = 10n ** BigInt(noise.length);
        const q = magnitude / d, r = magnitude % d;
        const up = inputRounding === 'up' || (inputRounding === 'half-up' && 2n * r >= d) || (inputRounding === 'half-even' && (2n * r > d || (2n * r === d && q % 2n === 1n)));
        return sign * (up ? q + 1n : q);
      });
      const noisyFile = file('float.csv', 'account,profit\n' + texts.map((t, i) => `a${i},${t}`).join('\n') + '\n');
      const plainFile = file('rounded.csv', 'account,profit\n' + rounded.map((c, i) => `a${i},${formatUnits(c, 2)}`).join('\n') + '\n');
      const args = ['--decimals', '2', '--loss', '1234.56', '--quiet'];
      const r = run(['socialize', noisyFile, ...args, '--input-rounding', inputRounding, '--report', 'float.json', '--out', 'float-haircuts.csv']);
      expect(r.stderr).toBe('');
      expect(readFileSync(join(dir, 'float-haircuts.csv'), 'utf8')).toBe(run(['socialize', plainFile, ...args]).stdout);
      const changed = values.filter(({ noise }) => !/^0*$/.test(noise)).length;
      expect(JSON.parse(readFileSync(join(dir, 'float.json'), 'utf8')).inputs.accounts.rounded.profit.values).toBe(changed);
      // verify reads the file by the rule the report records.
      expect(run(['verify', noisyFile, 'float-haircuts.csv', '--report', 'float.json', '--quiet']).status).toBe(0);
    }), runs(8, 4));
  });

  it('the report records how the file was read, and verify reads it the same way', () => {
    file('export.csv', 'account;profit\nx;96,43109799999999\ny;1,5e-3\nz;-2\n');
    const r = run(['socialize', 'export.csv', '--decimals', '6', '--loss', '10', '--decimal-comma', '--input-rounding', 'half-even', '--out', 'h.csv', '--report', 'r.json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\n {2}input rounding half-even: values rounded: profit 1 \(Σ \|adjustment\| 0\.00000000000001\)\n$/);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    expect(report.parameters.reading).toEqual({ delimiter: ';', decimalComma: true, inputRounding: 'half-even' });
    expect(report.inputs.accounts.rounded).toEqual({ profit: { values: 1, adjustment: '0.00000000000001' } });
    expect(run(['verify', 'export.csv', 'h.csv', '--report', 'r.json', '--quiet'])).toMatchObject({ status: 0 });
    // A report that lies about the rounding is found out.
    writeFileSync(join(dir, 'lie.json'), readFileSync(join(dir, 'r.json'), 'utf8').replace('"values": 1', '"values": 0'));
    const lie = run(['verify', 'export.csv', 'h.csv', '--report', 'lie.json', '--quiet']);
    expect(lie.status).toBe(3);
    expect(lie.stdout).toContain('inputs.accounts.rounded.profit.values: expected 1, found 0');
    // Without the rule, the float's digits are refused with the way to read them.
    const exact = run(['socialize', 'export.csv', '--decimals', '6', '--loss', '10', '--decimal-comma']);
    expect(exact.stderr).toBe('socialized-loss: export.csv:2:3: profit "96,43109799999999" has 14 fraction digits; --decimals 6 allows at most 6 (a float export\'s digits: round them with --input-rounding half-even, or export with float_format=\'%.6f\')\n');
    expect(run(['socialize', 'export.csv', '--decimals', '6', '--loss', '10', '--decimal-comma', '--delimiter', ','])).toMatchObject({ status: 2, stderr: expect.stringMatching(/--decimal-comma with --delimiter ","/) });
  });
});

describe('rounding counted exactly', () => {
  it('sums each pool\'s adjustments at that pool\'s own decimals', () => {
    file('p.csv', 'account,pool,profit\na,A,1.00005\nb,A,2\nc,B,1.5\nd,A,3.00015\n');
    file('pools.csv', 'pool,loss,decimals\nA,1,4\nB,1,0\n');
    const r = run(['socialize', 'p.csv', '--decimals', '2', '--pool-column', 'pool', '--pools', 'pools.csv', '--input-rounding', 'half-even', '--report', 'p.json', '--out', 'p-h.csv']);
    expect(r.status, r.stderr).toBe(0);
    // 1.00005 → 1.0000 (0.00005), 1.5 → 2 (0.5), 3.00015 → 3.0002 (0.00005): Σ 0.5001.
    expect(JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8')).inputs.accounts.rounded).toEqual({ profit: { values: 3, adjustment: '0.5001' } });
    expect(run(['verify', 'p.csv', 'p-h.csv', '--report', 'p.json', '--quiet']).status).toBe(0);
  });

  it('refuses a literal longer than any float\'s text, so that the exact sum stays small', () => {
    file('long.csv', `account,profit\nbig,0.${'7'.repeat(5000)}\nsmall,1.005\n`);
    const r = run(['socialize', 'long.csv', '--decimals', '2', '--loss', '1', '--input-rounding', 'half-even']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^socialized-loss: long\.csv:2:5: profit "0\.7{38}…" has 5,000 fraction digits; at most 1100 are read/);
  });

  it('--decimal-comma leaves a Parquet file\'s values alone', () => {
    file('pq.csv', 'account,profit\na,1.2345\nb,-2\n');
    expect(run(['socialize', 'pq.csv', '--decimals', '4', '--loss', '1', '--out', 'pq.parquet', '--quiet']).status).toBe(0);
    const plain = run(['socialize', 'pq.parquet', '--decimals', '4', '--loss', '1', '--quiet']);
    expect(run(['socialize', 'pq.parquet', '--decimals', '4', '--loss', '1', '--decimal-comma', '--quiet'])).toMatchObject({ status: 0, stdout: plain.stdout });
  });
});

describe('delimiter detection', () => {
  it('splits the header outside quotes: a quoted name holding another delimiter does not decide it', () => {
    file('quoted.csv', '"account|x",profit|note,account,profit\na|b,n,a1,10\nc,m,a2,30\n');
    const r = run(['socialize', 'quoted.csv', '--decimals', '0', '--loss', '4', '--quiet']);
    expect(r).toMatchObject({ status: 0, stdout: 'account,profit,haircut,profit_after\na1,10,1,9\na2,30,3,27\n' });
  });
});

describe('outputs', () => {
  it('"-" as an output is refused, not a file named "-"', () => {
    file('o.csv', 'account,profit\na,1\n');
    expect(run(['socialize', 'o.csv', '--decimals', '0', '--loss', '1', '--out', '-'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/--out - would write a file named "-"; leave --out out to write to stdout/) });
    expect(run(['compare', 'o.csv', '--decimals', '0', '--loss', '1', '--report', '-'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/--report - would write a file named "-"; give a file name/) });
  });
});

describe('JSON Lines under --decimal-comma', () => {
  it('a bare JSON number keeps JSON\'s "."; a string amount takes the decimal comma', () => {
    file('comma.jsonl', '{"account":"a","profit":1.5}\n{"account":"b","profit":"2,5"}\n{"account":1003,"profit":25e-1}\n');
    const r = run(['socialize', 'comma.jsonl', '--decimals', '1', '--loss', '6.5', '--decimal-comma', '--input-rounding', 'half-even', '--quiet']);
    expect(r).toMatchObject({ status: 0, stdout: 'account,profit,haircut,profit_after\na,1.5,1.5,0.0\nb,2.5,2.5,0.0\n1003,2.5,2.5,0.0\n' });
  });
});

describe('the CSV reader with a detected delimiter', () => {
  /** Each row's identifier and profit, or the error. */
  async function readAll(text: string, sizes: number[], decimalComma: boolean): Promise<string[] | string> {
    const rows = new AccountRows('f', { account: 'account', profit: 'profit' }, 2, null, 0, false, 0, { ...PLAIN_READING, decimalComma, inputRounding: 'half-even' });
    const bytes = new TextEncoder().encode(text);
    async function* chunks() {
      for (let at = 0, k = 0; at < bytes.length; k++) {
        const size = Math.max(1, sizes[k % sizes.length]!);
        yield bytes.slice(at, at + size);
        at += size;
      }
    }
    try {
      await readCsv(chunks(), 'f', rows);
    } catch (error) {
      return (error as Error).message;
    }
    return Array.from({ length: rows.table.rows }, (_, row) => `${new TextDecoder().decode(rows.table.idOf(row))}=${rows.table.column('profits')[row]}:${rows.delimiter}`);
  }

  it('streamed equals one-shot for every chunking', async () => {
    const delimiter = fc.constantFrom(',', ';', '\t', '|');
    const cell = fc.stringMatching(/^[a-z ";,|\t]{0,6}$/);
    await fc.assert(fc.asyncProperty(delimiter, fc.array(fc.tuple(cell, fc.bigInt({ min: -99999n, max: 99999n }), fc.stringMatching(/^[0-9]{0,4}$/)), { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }), fc.boolean(), fc.boolean(), async (d, rows, sizes, trailing, excel) => {
      const comma = d !== ',';
      const quoteField = (text: string) => (/[";,|\t]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
      const amount = (units: bigint, noise: string) => (formatUnits(units, 2) + noise).replace('.', comma ? ',' : '.');
      const text = (excel ? `sep=${d}\n` : '') + `note${d}account${d}profit\n` + rows.map(([note, units, noise], i) => `${quoteField(note)}${d}id${i}${d}${quoteField(amount(units, noise))}`).join('\n') + (trailing ? `\n${d}${d}\n` : '\n');
      const whole = await readAll(text, [1 << 20], comma);
      expect(await readAll(text, sizes, comma)).toEqual(whole);
      if (typeof whole !== 'string') expect(whole.every((row) => row.endsWith(`:${d}`))).toBe(true);
    }), runs(400));
  });
});
