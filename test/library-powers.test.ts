// What the command does, in the library: `socialized-loss/decimal` (parseUnits,
// formatUnits), `socialized-loss/audit` (certify, explainAccount) and resultToJSON,
// each against the command line it stands for: the same reading of amounts, verify's
// verdict and differences, explain --json's fields and values.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEngine, measureHaircuts, resultToJSON, type Engine } from '../src/index.js';
import { formatUnits, parseUnits, type DecimalRounding } from '../src/decimal.js';
import { certify, explainAccount } from '../src/auditor.js';
import { runs } from './support.js';

const bin = new URL('../dist/cli/main.js', import.meta.url).pathname;
let dir: string;
let engine: Engine;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'socialized-loss-powers-'));
  engine = await loadEngine();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    return `${(error as Error).name} ${(error as { code?: string }).code}`;
  }
  return 'ok';
};

describe('socialized-loss/decimal', () => {
  it('round-trips every 64-bit value at every scale', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.integer({ min: 0, max: 18 }), (units, decimals) => {
      expect(parseUnits(formatUnits(units, decimals), decimals)).toBe(units);
    }), runs(2000));
  });

  it('refuses what the command refuses, with the codes SPEC lists', () => {
    expect(codeOf(() => parseUnits('1,250.50', 2))).toBe('TypeError ERR_INVALID_DECIMAL');
    expect(codeOf(() => parseUnits('nan', 2))).toBe('TypeError ERR_INVALID_DECIMAL');
    expect(codeOf(() => parseUnits('1e-05', 6))).toBe('TypeError ERR_INVALID_DECIMAL');
    expect(codeOf(() => parseUnits('1.005', 2))).toBe('RangeError ERR_PRECISION');
    expect(codeOf(() => parseUnits('1.5', 0))).toBe('RangeError ERR_PRECISION');
    expect(codeOf(() => parseUnits('9223372036854775808', 0))).toBe('RangeError ERR_OUT_OF_RANGE');
    expect(codeOf(() => parseUnits('1e30', 2, { rounding: 'down' }))).toBe('RangeError ERR_OUT_OF_RANGE');
    expect(codeOf(() => parseUnits('1', 19))).toBe('RangeError ERR_OUT_OF_RANGE');
    expect(codeOf(() => parseUnits(1 as unknown as string, 2))).toBe('TypeError ERR_INVALID_TYPE');
    expect(codeOf(() => parseUnits('1', 2, { round: 'down' } as never))).toBe('TypeError ERR_UNKNOWN_OPTION');
    expect(codeOf(() => parseUnits('1', 2, { rounding: 'nearest' as DecimalRounding }))).toBe('RangeError ERR_INVALID_OPTION');
    expect(parseUnits('-0.135', 2, { rounding: 'half-even' })).toBe(-14n);
    expect(parseUnits('1.5E+3', 0, { rounding: 'half-up' })).toBe(1500n);
  });

  it('reads each text as an account file does under --input-rounding', () => {
    const rule = fc.constantFrom<DecimalRounding>('exact', 'half-even', 'half-up', 'down', 'up');
    const text = fc.stringMatching(/^-?[0-9]{1,6}(\.[0-9]{0,9})?(e-?[0-9])?$/);
    fc.assert(fc.property(fc.array(text, { minLength: 1, maxLength: 6 }), rule, (texts, rounding) => {
      writeFileSync(join(dir, 'amounts.csv'), 'account,profit\n' + texts.map((t, i) => `a${i},${t}`).join('\n') + '\n');
      const r = cli(['socialize', 'amounts.csv', '--decimals', '3', '--loss', '0', '--input-rounding', rounding, '--quiet']);
      let expected: string[] | null = [];
      for (const t of texts) {
        try {
          expected!.push(formatUnits(parseUnits(t, 3, { rounding }), 3));
        } catch {
          expected = null;
          break;
        }
      }
      if (expected === null) expect(r.status).toBe(2);
      else expect(r.stdout.trim().split('\n').slice(1).map((line) => line.split(',')[1])).toEqual(expected);
    }), runs(24, 8));
  });
});

/** Books for the audit: the command's options and the library input they stand for. */
const BOOKS = [
  {
    name: 'plain', csv: 'account,profit\nalice,1250.50\nbob,-300.00\ncarol,999.99\ndave,0\nerin,4200\nfrank,0.01\n',
    options: ['--decimals', '2', '--loss', '2500', '--insurance-fund', '1000.25'],
    input: () => ({ loss: 250000n, insuranceFund: 100025n, profits: [125050n, -30000n, 99999n, 0n, 420000n, 1n] }),
  },
  {
    name: 'weighted with caps, exempt, rounding up', csv: 'account,profit,w,cap,house\na,10,3,4,no\nb,20,1,,no\nc,5,2,5,yes\nd,7,5,1,no\n',
    options: ['--decimals', '0', '--loss', '9', '--weight-column', 'w', '--cap-column', 'cap', '--exempt-column', 'house', '--rounding', 'up'],
    input: () => ({ loss: 9n, profits: [10n, 20n, 5n, 7n], weights: [3n, 1n, 2n, 5n], caps: [4n, 20n, 5n, 1n], exempt: [false, false, true, false], rounding: 'up' as const }),
  },
  {
    name: 'a tie seed', csv: 'account,profit\n' + Array.from({ length: 12 }, (_, i) => `u${i},${(i % 3) + 1}`).join('\n') + '\n',
    options: ['--decimals', '0', '--loss', '7', '--tie-seed', '42'],
    input: () => ({ loss: 7n, profits: Array.from({ length: 12 }, (_, i) => BigInt((i % 3) + 1)), tieSeed: 42n }),
  },
];

describe('socialized-loss/audit', () => {
  for (const book of BOOKS) {
    it(`certify gives verify's verdict and differences (${book.name}), honest and tampered`, () => {
      writeFileSync(join(dir, 'book.csv'), book.csv);
      expect(cli(['socialize', 'book.csv', ...book.options, '--out', 'h.csv', '--quiet']).status).toBe(0);
      const lines = readFileSync(join(dir, 'h.csv'), 'utf8').trim().split('\n');
      const decimals = Number(book.options[book.options.indexOf('--decimals') + 1]);
      const units = (text: string) => BigInt(text.replace('.', ''));
      fc.assert(fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: -3, max: 3 })), { maxLength: 3 }), (changes) => {
        const rows = lines.slice(1).map((line) => line.split(','));
        for (const [at, delta] of changes) {
          const row = rows[at % rows.length]!;
          row[2] = formatUnits(units(row[2]!) + BigInt(delta), decimals);
        }
        writeFileSync(join(dir, 't.csv'), 'account,profit,haircut\n' + rows.map((r) => r.slice(0, 3).join(',')).join('\n') + '\n');
        const verify = cli(['verify', 'book.csv', 't.csv', ...book.options, '--quiet']);
        const certificate = certify(book.input(), rows.map((r) => units(r[2]!)));
        expect(verify.status).toBe(certificate.ok ? 0 : 3);
        if (!certificate.ok) {
          expect(verify.stdout).toContain(`${certificate.mismatches} of ${rows.length} haircuts differ`);
          const listed = [...verify.stdout.matchAll(/: account "([^"]+)": expected (\S+), found (\S+)/g)].map((m) => [m[1], m[2], m[3]]);
          expect(listed).toEqual(certificate.differences.map((d) => [rows[d.index]![0], formatUnits(d.expected, decimals), formatUnits(d.found, decimals)]));
        }
      }), runs(10, 4));
    });

    it(`explainAccount has the fields and values of explain --json on every account (${book.name})`, () => {
      writeFileSync(join(dir, 'book.csv'), book.csv);
      const decimals = Number(book.options[book.options.indexOf('--decimals') + 1]);
      const ids = book.csv.trim().split('\n').slice(1).map((line) => line.split(',')[0]!);
      ids.forEach((id, index) => {
        const json = JSON.parse(cli(['explain', 'book.csv', '--account', id, '--json', ...book.options]).stdout);
        expect(explainAccount(book.input(), index, { decimals, accounts: ids })).toEqual(json);
      });
    });
  }

  it('checks and explains the queue too', () => {
    const input = { loss: 70n, profits: [50n, 40n, 60n], scores: [1n, 3n, 2n], lots: [1n, 1n, 7n] };
    const haircuts = engine.deleverage(input).haircuts;
    expect(certify(input, haircuts)).toEqual({ ok: true, accounts: 3, mismatches: 0, differences: [] });
    expect(certify(input, [0n, 40n, 29n])).toEqual({ ok: false, accounts: 3, mismatches: 1, differences: [{ index: 2, expected: 35n, found: 29n }] });
    expect(explainAccount(input, 2)).toMatchObject({ mechanism: 'queue', rank: 2, needBefore: '30', haircut: '35' });
    expect(codeOf(() => certify(input, [0n]))).toBe('RangeError ERR_LENGTH_MISMATCH');
    expect(codeOf(() => explainAccount(input, 3))).toBe('RangeError ERR_OUT_OF_RANGE');
    expect(codeOf(() => explainAccount(input, 0, { decimal: 2 } as never))).toBe('TypeError ERR_UNKNOWN_OPTION');
  });
});

describe('resultToJSON', () => {
  it('makes every result JSON, exactly: bigints as decimals, typed arrays as arrays of strings', () => {
    fc.assert(fc.property(fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { maxLength: 12 }), fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), fc.integer({ min: 0, max: 18 }), (profits, loss, decimals) => {
      const result = engine.socialize({ loss, profits });
      const json = JSON.parse(JSON.stringify(resultToJSON(result, { decimals })));
      expect(json.haircuts).toEqual([...result.haircuts].map((h) => formatUnits(h, decimals)));
      expect(json.socialized).toBe(formatUnits(result.socialized, decimals));
      expect(json.profitableAccounts).toBe(result.profitableAccounts);
      expect(Object.keys(json)).toEqual(Object.keys(result));
    }), runs(300));
    const pooled = engine.socializePools({ profits: [5n, 3n], pool: Uint32Array.from([0, 1]), pools: [{ loss: 2n }, { loss: 1n }] });
    expect(JSON.parse(JSON.stringify(resultToJSON(pooled))).pools[1].socialized).toBe('1');
    const measures = measureHaircuts({ haircuts: [1n, 2n], capacities: [3n, 4n], loss: 3n });
    expect(JSON.parse(JSON.stringify(resultToJSON(measures))).gini).toEqual(measures.gini);
    expect(resultToJSON({ pool: Uint32Array.from([1, 2]) })).toEqual({ pool: ['1', '2'] });
    expect(codeOf(() => resultToJSON(pooled, { decimals: 19 }))).toBe('RangeError ERR_OUT_OF_RANGE');
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(codeOf(() => resultToJSON(cyclic))).toBe('TypeError ERR_INVALID_TYPE');
  });
});
