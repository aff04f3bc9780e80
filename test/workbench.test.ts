// The workbench page's jobs (src/workbench/jobs.ts, what its worker runs) in
// Node, over Blobs and the browser's platform (plain SHA-256, no node:crypto):
// the haircuts and the report are the command line's bytes for the same files
// and parameters (the report without timings, time and command line), explain
// is `explain --json`, and bad input gets the command's message. The browser
// suite (browser.test.ts) drives the same through the page's controls.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserPlatform } from '../src/host/browser.js';
import { UsageError } from '../src/files/errors.js';
import { columnsOfFile, explainInSession, generatedBook, parametersOfForm, runWorkbench, type NamedBlob, type WorkbenchForm } from '../src/workbench/jobs.js';
import { form, optionsOf, withoutRun } from './workbench-forms.js';
import { loadEngine, type Engine } from '../src/engine.js';

const bin = new URL('../dist/cli/main.js', import.meta.url).pathname;
const examples = new URL('../examples/', import.meta.url).pathname;
const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
let dir: string;
let engine: Engine;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'socialized-loss-workbench-'));
  for (const name of ['accounts.csv', 'export.csv', 'pools.csv', 'positions.csv']) copyFileSync(join(examples, name), join(dir, name));
  engine = await loadEngine();
  // A Parquet accounts file (DECIMAL profits), as the command line writes one.
  const parquet = cli(['socialize', 'export.csv', '--decimals', '8', '--loss', '1', '--account-column', 'Account', '--profit-column', 'Profit', '--out', 'export.parquet', '--quiet']);
  if (parquet.status !== 0) throw new Error(parquet.stderr);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
const blob = (name: string): NamedBlob => ({ blob: new Blob([readFileSync(join(dir, name))]), name });
const concat = (parts: Uint8Array[]) => Buffer.concat(parts);

const CASES: { name: string; accounts: string; pools: string | null; form: WorkbenchForm }[] = [
  { name: 'plain', accounts: 'accounts.csv', pools: null, form: form({ decimals: '2', loss: '2500', insuranceFund: '1000.25' }) },
  { name: 'plain, rounding down', accounts: 'accounts.csv', pools: null, form: form({ decimals: '2', loss: '2500', rounding: 'down' }) },
  { name: 'plain, rounding up', accounts: 'accounts.csv', pools: null, form: form({ decimals: '2', loss: '2500.01', rounding: 'up' }) },
  {
    name: 'pooled with per-pool decimals, exempt', accounts: 'export.csv', pools: 'pools.csv',
    form: form({ decimals: '6', accountColumn: 'Account', profitColumn: 'Profit', poolColumn: 'Currency', exemptColumn: 'House' }),
  },
  {
    name: 'pooled, a tie seed', accounts: 'export.csv', pools: 'pools.csv',
    form: form({ decimals: '6', accountColumn: 'Account', profitColumn: 'Profit', poolColumn: 'Currency', exemptColumn: 'House', tieSeed: '42' }),
  },
  { name: 'a Parquet accounts file', accounts: 'export.parquet', pools: null, form: form({ decimals: '8', loss: '1500.5', insuranceFund: '0.25' }) },
  {
    name: 'weighted with caps', accounts: 'positions.csv', pools: null,
    form: form({ decimals: '2', loss: '1000', weightColumn: 'size', weightDecimals: '3', capColumn: 'cap' }),
  },
  {
    name: 'weighted with caps, rounding up', accounts: 'positions.csv', pools: null,
    form: form({ decimals: '2', loss: '1000', weightColumn: 'size', weightDecimals: '3', capColumn: 'cap', rounding: 'up' }),
  },
];

describe('the workbench run equals the command line', () => {
  for (const c of CASES) {
    it(`${c.name}: the same haircuts bytes, the same report, explain --json for every account`, async () => {
      const { result, session } = await runWorkbench(engine, version, { accounts: blob(c.accounts), pools: c.pools === null ? null : blob(c.pools) }, c.form, browserPlatform());
      const out = cli(['socialize', c.accounts, ...optionsOf(c.form, c.pools), '--out', result.haircuts.name, '--report', result.report.name, '--quiet']);
      expect(out.stderr).toBe('');
      expect(out.status).toBe(0);
      const haircuts = readFileSync(join(dir, result.haircuts.name));
      expect(concat(result.haircuts.parts).equals(haircuts)).toBe(true);
      expect(result.haircuts.bytes).toBe(haircuts.length);
      expect(result.report.text).toBe(withoutRun(readFileSync(join(dir, result.report.name), 'utf8')));
      expect(result.certified).toBe(true);
      const ids = haircuts.toString('utf8').trim().split('\n').slice(1).map((line) => line.split(',')[0]!);
      for (const id of ids.slice(0, 6)) {
        const explained = cli(['explain', c.accounts, '--account', id, '--json', '--report', result.report.name]);
        expect(explained.status).toBe(0);
        expect(explainInSession(session, id).json).toEqual(JSON.parse(explained.stdout));
      }
    });
  }

  it('a generated book (the demo\'s scenarios) is an accounts file like any other', async () => {
    const book = await generatedBook(20_000, 'heavy-tailed', 7, browserPlatform());
    expect(book.name).toBe('generated-heavy-tailed-7-20000.csv');
    writeFileSync(join(dir, book.name), concat(book.parts));
    const f = form({ decimals: '6', loss: '123456.789', insuranceFund: '1000' });
    const { result } = await runWorkbench(engine, version, { accounts: blob(book.name), pools: null }, f, browserPlatform());
    cli(['socialize', book.name, ...optionsOf(f, null), '--out', result.haircuts.name, '--report', result.report.name, '--quiet']);
    expect(concat(result.haircuts.parts).equals(readFileSync(join(dir, result.haircuts.name)))).toBe(true);
    expect(result.report.text).toBe(withoutRun(readFileSync(join(dir, result.report.name), 'utf8')));
    const pool = result.pools[0]!;
    expect(pool.deciles.reduce((n, d) => n + d.accounts, 0)).toBe(pool.summary.profitableAccounts);
    expect(pool.deciles.reduce((t, d) => t + d.paid, 0n)).toBe(pool.summary.socialized);
    expect(pool.largest).toHaveLength(15);
    expect(pool.largest.map((l) => l.haircut)).toEqual([...pool.largest.map((l) => l.haircut)].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
  });
});

describe('what the page shows before and after a run', () => {
  it('the columns of a CSV header, a JSON Lines object and a Parquet schema, as the file spells them', async () => {
    expect(await columnsOfFile(blob('export.csv'), browserPlatform())).toEqual({ columns: ['Account', 'Currency', 'Size', 'Profit', 'House'], delimiter: ',' });
    // The delimiter the header splits on, detected (the one giving the most columns) or given.
    writeFileSync(join(dir, 'semi.csv'), 'account;profit;note,x\na;1,5;y\n');
    expect(await columnsOfFile(blob('semi.csv'), browserPlatform())).toEqual({ columns: ['account', 'profit', 'note,x'], delimiter: ';' });
    expect(await columnsOfFile(blob('semi.csv'), browserPlatform(), { delimiter: ',', decimalComma: '' })).toEqual({ columns: ['account;profit;note', 'x'], delimiter: ',' });
    writeFileSync(join(dir, 'rows.jsonl'), '{"Account":"a","profit":"1.5","pool":"X"}\n{"account":"b","profit":"2"}\n');
    expect(await columnsOfFile(blob('rows.jsonl'), browserPlatform())).toEqual({ columns: ['Account', 'profit', 'pool'], delimiter: null });
    expect(cli(['socialize', 'accounts.csv', '--decimals', '2', '--loss', '1', '--out', 'h.parquet', '--quiet']).status).toBe(0);
    expect(await columnsOfFile(blob('h.parquet'), browserPlatform())).toEqual({ columns: ['account', 'profit', 'haircut', 'profit_after'], delimiter: null });
    writeFileSync(join(dir, 'empty.jsonl'), '\n');
    await expect(columnsOfFile(blob('empty.jsonl'), browserPlatform())).rejects.toThrow(/^empty\.jsonl:1:1: empty file; expected one JSON object per line/);
    writeFileSync(join(dir, 'empty.csv'), '');
    await expect(columnsOfFile(blob('empty.csv'), browserPlatform())).rejects.toThrow(/^empty\.csv:1:1: empty file; expected a header/);
  });

  it('a bad row is the command line\'s file:line:column message; a bad control names its label', async () => {
    writeFileSync(join(dir, 'bad.csv'), 'account,profit\na,1\nb,1.2.3\n');
    const f = form({ decimals: '2', loss: '1' });
    const page = await runWorkbench(engine, version, { accounts: blob('bad.csv'), pools: null }, f, browserPlatform()).catch((error: Error) => error.message);
    const line = cli(['socialize', 'bad.csv', ...optionsOf(f, null), '--quiet']).stderr.trim().replace(/^socialized-loss: /, '');
    expect(page).toBe(line.split('\n')[0]);
    expect(page).toMatch(/^bad\.csv:3:3: /);
    expect(() => parametersOfForm(form({ decimals: '2', loss: '-1' }), null)).toThrow(new UsageError('Loss must not be negative, got -1'));
    expect(() => parametersOfForm(form({ decimals: '19', loss: '1' }), null)).toThrow(/^Decimals must be a whole number from 0 to 18/);
    expect(() => parametersOfForm(form({ decimals: '2', loss: '1', rounding: 'down', tieSeed: '3' }), null)).toThrow(/^Tie seed orders equal remainders under Rounding largest-remainder/);
    expect(() => parametersOfForm(form({ decimals: '2', poolColumn: 'currency' }), null)).toThrow(/^Pool column needs Pools file/);
    expect(() => parametersOfForm(form({ decimals: '2' }), null)).toThrow(/^Loss is required/);
  });

  it('explain of an account that is not in the file, or of nothing, says so', async () => {
    const { session } = await runWorkbench(engine, version, { accounts: blob('accounts.csv'), pools: null }, form({ decimals: '2', loss: '10' }), browserPlatform());
    expect(() => explainInSession(session, 'nobody')).toThrow(/^account "nobody" is not in accounts\.csv \(\d+ accounts; identifiers match byte for byte\)$/);
    expect(() => explainInSession(session, '')).toThrow(/^Explain account is empty/);
  });
});
