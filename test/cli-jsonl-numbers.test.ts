// JSON Lines as real exports write them, through the built command: bare JSON numbers as
// amounts and as identifiers (and pools) read exactly from their text, so that a book
// written as CSV and as JSON Lines gives the same bytes; what JSON does not call a number
// is refused at its line and column.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUnits } from '../src/units.js';
import { runs } from './support.js';

const bin = new URL('../dist/cli/main.js', import.meta.url).pathname;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'socialized-loss-jsonl-numbers-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `files` (name → text) into the test folder, then runs `socialize` with `args` there. */
function socialize(files: Record<string, string>, args: string[]) {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const result = spawnSync(process.execPath, [bin, 'socialize', ...args], { cwd: dir, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** One account of a generated book: every value as the text both files hold. */
interface Account {
  id: string;
  profit: string;
  pool: string;
  exempt: 'true' | 'false';
}

/** `units` at `decimals` as an export may write it: all the digits, or trailing zeros dropped. */
const amountText = (units: bigint, decimals: number, trim: boolean) => {
  const text = formatUnits(units, decimals);
  return trim && text.includes('.') ? text.replace(/\.?0+$/, '') : text;
};

/** Identifiers a numeric column holds: 1001 and 1001.0 are two accounts (text, byte for byte). */
const numericId = fc.oneof(fc.nat({ max: 99_999 }).map(String), fc.nat({ max: 999 }).map((n) => `${n}.0`), fc.integer({ min: -999, max: -1 }).map(String), fc.constantFrom('1e3', '0', '-0', '2E-7'));
const book = fc.integer({ min: 0, max: 6 }).chain((decimals) => fc.record({
  decimals: fc.constant(decimals),
  loss: fc.bigInt({ min: 0n, max: 10n ** 9n }),
  accounts: fc.uniqueArray(fc.record({
    id: fc.oneof(numericId, fc.string({ unit: fc.constantFrom('a', 'b', 'é'), minLength: 1, maxLength: 4 })),
    profit: fc.tuple(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.boolean()).map(([units, trim]) => amountText(units, decimals, trim)),
    pool: fc.constantFrom('1', '2'),
    exempt: fc.constantFrom('true' as const, 'false' as const),
  }), { selector: (a) => a.id, minLength: 1, maxLength: 30 }),
}));

/** The account as a JSON Lines object: numbers and flags bare, other identifiers as strings. */
const jsonLine = (a: Account) => `{"account":${/^-?\d/.test(a.id) ? a.id : JSON.stringify(a.id)},"profit":${a.profit},"pool":${a.pool},"exempt":${a.exempt}}`;

describe('a book as CSV and as JSON Lines with bare numbers', () => {
  it('gives byte-identical haircuts, pooled or not', () => {
    fc.assert(fc.property(book, fc.boolean(), ({ decimals, loss, accounts }, pooled) => {
      const pools = [...new Set(accounts.map((a) => a.pool))];
      const files = {
        'book.csv': `account,profit,pool,exempt\n${accounts.map((a) => `${a.id},${a.profit},${a.pool},${a.exempt}`).join('\n')}\n`,
        'book.jsonl': accounts.map(jsonLine).join('\n') + '\n',
        'pools.csv': `pool,loss\n${pools.map((p) => `${p},${formatUnits(loss, decimals)}`).join('\n')}\n`,
      };
      const options = ['--decimals', String(decimals), '--exempt-column', 'exempt', '--quiet',
        ...(pooled ? ['--pool-column', 'pool', '--pools', 'pools.csv'] : ['--loss', formatUnits(loss, decimals)])];
      const csv = socialize(files, ['book.csv', ...options]);
      expect(csv.stderr).toBe('');
      expect(csv.status).toBe(0);
      const jsonl = socialize({}, ['book.jsonl', ...options]);
      expect(jsonl).toEqual(csv);
    }), runs(24, 8));
  });

  it('keeps a numeric identifier as written: 1001.0 is not 1001', () => {
    const r = socialize({ 'ids.jsonl': '{"account":1001,"profit":96.431098}\n{"account":1001.0,"profit":3.5}\n{"account":"1e3","profit":-5}\n' }, ['ids.jsonl', '--loss', '1', '--decimals', '6', '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').map((row) => row.split(',')[0])).toEqual(['account', '1001', '1001.0', '1e3', '']);
    const twice = socialize({ 'twice.jsonl': '{"account":1001,"profit":1}\n{"account":"1001","profit":2}\n' }, ['twice.jsonl', '--loss', '1', '--decimals', '0']);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toMatch(/^socialized-loss: twice\.jsonl:2:12: account "1001" repeats line 1; identifiers must be unique/);
  });
});

describe('what JSON does not call a number exits 2 at its line and column', () => {
  // Line 2 after a member of two-byte characters: the column counts bytes, and points at the value.
  const cases = ['01', '-01', '+1', '.5', '1.', 'NaN', 'Infinity', '-Infinity', '1e', '0x10'];
  it.each(cases)('%s', (word) => {
    const r = socialize({ 'bad.jsonl': `{"account":"a","profit":1}\n{"note":"é","account":"b","profit":${word}}\n` }, ['bad.jsonl', '--loss', '1', '--decimals', '2']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`socialized-loss: bad.jsonl:2:37: not valid JSON: ${word} is not a JSON number; JSON allows -12, 0.5, 1e-05, 1.5E+3: an optional "-", digits without a leading zero, optionally "." and digits, optionally an exponent (no "+", NaN or Infinity)\n`);
  });

  it('true or false for an amount, and a 400-digit number (the decimal grammar\'s range message, no float)', () => {
    for (const word of ['true', 'false']) {
      const r = socialize({ 'flag.jsonl': `{"account":"a","profit":${word}}\n` }, ['flag.jsonl', '--loss', '1', '--decimals', '2']);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`socialized-loss: flag.jsonl:1:25: profit must be a decimal string or a number, got ${word}\n`);
    }
    const digits = '7'.repeat(400);
    const r = socialize({ 'long.jsonl': `{"account":"a","profit":1}\n{"account":"b","profit":${digits}}\n` }, ['long.jsonl', '--loss', '1', '--decimals', '2']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^socialized-loss: long\.jsonl:2:25: profit "7{48}…\(336 more characters\)…7{16}" is outside the signed 64-bit range at 2 decimals\n$/);
  });
});
