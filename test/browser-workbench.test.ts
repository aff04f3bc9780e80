// The workbench page (web/, built by scripts/build-web.mjs) in Debian's
// Chromium, used as an analyst would: files through the file input, the
// parameters through the labelled controls, Socialize, both downloads compared
// byte for byte with what `socialized-loss socialize` writes for the same files
// and parameters (the report without timings, time and command line), Explain
// account against `explain --json`, a bad file's line:column error with no stale
// result, no console error and no request beyond the page's own files.
// Screenshots at 360 px and 1280 px are kept in test-results/.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from '../scripts/build-web.mjs';
import { serve } from '../scripts/serve.mjs';
import { browserPlatform } from '../src/host/browser.js';
import { generatedBook, inLabels, type WorkbenchForm } from '../src/workbench/jobs.js';
import { generateProfits } from '../src/scenario.js';
import { formatUnits } from '../src/files/decimal.js';
import { launchChromium, runsHere, sayIfSkipped } from './chromium.js';
import { CONTROLS, form, optionsOf, withoutRun } from './workbench-forms.js';

const bin = new URL('../dist/cli/main.js', import.meta.url).pathname;
const examples = new URL('../examples/', import.meta.url).pathname;
const artifacts = new URL('../test-results/', import.meta.url).pathname;

let browser: Browser;
let server: Server;
let base: string;
let dir: string;

sayIfSkipped('workbench browser suite');

beforeAll(async () => {
  if (!runsHere) return;
  dir = mkdtempSync(join(tmpdir(), 'socialized-loss-page-'));
  for (const name of ['accounts.csv', 'export.csv', 'pools.csv', 'positions.csv', 'spreadsheet.csv']) copyFileSync(join(examples, name), join(dir, name));
  copyFileSync(join(examples, 'october-2025', 'accounts.csv'), join(dir, 'october.csv'));
  // A generated 10^5-row file with ties (profits in whole units of 100) and quoted identifiers.
  const profits = generateProfits(100_000, 'realistic', 99);
  const lines = ['account,profit'];
  for (let i = 0; i < profits.length; i++) lines.push(`${i % 1000 === 0 ? `"desk, ${i}"` : `u${i}`},${formatUnits((profits[i]! / 100_000_000n) * 100_000_000n, 6)}`);
  writeFileSync(join(dir, 'book-100k.csv'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'bad.csv'), 'account,profit\na,1\nb,1.2.3\n');
  // A Parquet accounts file (DECIMAL profits), as the command line writes one.
  const parquet = cli(['socialize', 'export.csv', '--decimals', '8', '--loss', '1', '--account-column', 'Account', '--profit-column', 'Profit', '--out', 'export.parquet', '--quiet']);
  if (parquet.status !== 0) throw new Error(parquet.stderr);
  mkdirSync(artifacts, { recursive: true });
  const built = await buildWeb(join(dir, 'web'));
  server = await serve(built, 0);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });

/** A page of the workbench at `width`, recording console errors and every request that is not the page's own. */
async function open(width = 1280): Promise<{ page: Page; errors: string[]; foreign: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 }, acceptDownloads: true });
  const errors: string[] = [];
  const foreign: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(base) && !url.startsWith('blob:') && !url.startsWith('data:')) foreign.push(url);
  });
  await page.goto(base);
  return { page, errors, foreign };
}

/** Chooses the accounts file through its labelled input and waits for its columns. */
async function chooseAccounts(page: Page, name: string): Promise<void> {
  await page.getByLabel('Accounts file').setInputFiles(join(dir, name));
  await page.waitForFunction((file) => {
    const info = document.getElementById('accounts-info')!.textContent!;
    return info.startsWith(`${file} ·`) && !info.endsWith('reading its columns…');
  }, name);
}

/** Sets every non-empty field of the form through the control its label names. */
async function setForm(page: Page, values: WorkbenchForm, pools: string | null): Promise<void> {
  // The pool column first: it enables the pools file and disables the loss and fund.
  const order: (keyof WorkbenchForm)[] = ['poolColumn', 'weightColumn', 'rounding', ...Object.keys(CONTROLS) as (keyof WorkbenchForm)[]];
  for (const key of new Set(order)) {
    const { label, select } = CONTROLS[key];
    const control = page.getByLabel(label, { exact: true });
    // An empty account or profit column is the default (the page picks `account` and `profit` as the command does).
    if ((key === 'accountColumn' || key === 'profitColumn') && values[key] === '') continue;
    if (!(await control.isEnabled())) continue;
    const empty: Partial<Record<keyof WorkbenchForm, string>> = { rounding: 'largest-remainder', inputRounding: 'exact' };
    if (key === 'decimalComma') await control.setChecked(values[key] === 'true');
    else if (select) await control.selectOption({ value: values[key] === '' ? empty[key] ?? '' : values[key] });
    else await control.fill(values[key]);
  }
  if (pools !== null) await page.getByLabel('Pools file', { exact: true }).setInputFiles(join(dir, pools));
}

/** Clicks Socialize and waits for the run to end; the status text. */
async function socialize(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Socialize' }).click();
  await page.waitForFunction(() => {
    const status = document.getElementById('status')!;
    return !(document.getElementById('run') as HTMLButtonElement).disabled && (status.textContent!.startsWith('Done') || status.classList.contains('fail'));
  }, null, { timeout: 120_000 });
  return (await page.textContent('#status'))!;
}

/** Takes a download by its button: the file's name and bytes. */
async function take(page: Page, button: string): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button, exact: true }).click()]);
  const path = join(dir, `downloaded-${Date.now()}-${download.suggestedFilename()}`);
  await download.saveAs(path);
  return { name: download.suggestedFilename(), bytes: readFileSync(path) };
}

/** Takes both downloads and checks them against what `socialize` writes for `accounts` with the same parameters (no pools file). */
async function expectCommandBytes(page: Page, accounts: string, values: WorkbenchForm): Promise<void> {
  const haircuts = await take(page, 'Download haircuts');
  const report = await take(page, 'Download report');
  const out = cli(['socialize', accounts, ...optionsOf(values, null), '--out', haircuts.name, '--report', report.name, '--quiet']);
  expect(out.stderr).toBe('');
  expect(haircuts.bytes.equals(readFileSync(join(dir, haircuts.name)))).toBe(true);
  expect(report.bytes.toString('utf8')).toBe(withoutRun(readFileSync(join(dir, report.name), 'utf8')));
}

const CASES: { name: string; accounts: string; pools: string | null; form: WorkbenchForm; explain: string[] }[] = [
  { name: 'plain, largest remainder', accounts: 'accounts.csv', pools: null, form: form({ decimals: '2', loss: '2500', insuranceFund: '1000.25' }), explain: ['carol'] },
  {
    name: 'pooled with per-pool decimals, exempt, a tie seed', accounts: 'export.csv', pools: 'pools.csv',
    form: form({ decimals: '6', poolColumn: 'Currency', exemptColumn: 'House', tieSeed: '42' }),
    explain: ['acc-1001'],
  },
  {
    name: 'weighted with caps, rounding up', accounts: 'positions.csv', pools: null,
    form: form({ decimals: '2', loss: '1000', weightColumn: 'size', weightDecimals: '3', capColumn: 'cap', rounding: 'up' }), explain: ['mm-02'],
  },
  { name: 'rounding down', accounts: 'accounts.csv', pools: null, form: form({ decimals: '2', loss: '2500', rounding: 'down' }), explain: [] },
  {
    name: 'a Parquet accounts file', accounts: 'export.parquet', pools: null,
    form: form({ decimals: '8', loss: '1500.5', insuranceFund: '0.25' }), explain: ['acc-1005'],
  },
  {
    name: 'a spreadsheet export: semicolons, decimal commas, a float\'s digits, half-even', accounts: 'spreadsheet.csv', pools: null,
    form: form({ decimals: '2', loss: '2500', exemptColumn: 'house', decimalComma: 'true', inputRounding: 'half-even' }), explain: ['carol'],
  },
  {
    name: 'a generated 10^5-row file with ties, a tie seed', accounts: 'book-100k.csv', pools: null,
    form: form({ decimals: '6', loss: '1234567.891011', insuranceFund: '1000', tieSeed: '7' }), explain: ['u12345', 'desk, 2000'],
  },
];

describe.skipIf(!runsHere)('the workbench page in Chromium', () => {
  for (const c of CASES) {
    it(`${c.name}: both downloads are the command line's bytes; Explain account is explain --json`, async () => {
      const { page, errors, foreign } = await open();
      await chooseAccounts(page, c.accounts);
      await setForm(page, c.form, c.pools);
      expect(await socialize(page)).toMatch(/^Done: [\d,]+ accounts in [\d.]+ s\. Every haircut checked by the auditor's arithmetic\.$/);
      const haircuts = await take(page, 'Download haircuts');
      const report = await take(page, 'Download report');
      const out = cli(['socialize', c.accounts, ...optionsOf(c.form, c.pools), '--out', haircuts.name, '--report', report.name, '--quiet']);
      expect(out.stderr).toBe('');
      expect(haircuts.bytes.equals(readFileSync(join(dir, haircuts.name)))).toBe(true);
      expect(report.bytes.toString('utf8')).toBe(withoutRun(readFileSync(join(dir, report.name), 'utf8')));
      await page.getByLabel('as JSON').check();
      for (const account of c.explain) {
        await page.getByLabel('Explain account', { exact: true }).fill(account);
        await page.getByRole('button', { name: 'Explain', exact: true }).click();
        await page.waitForFunction((id) => (document.getElementById('explanation')!.textContent ?? '').includes(`"account": ${JSON.stringify(id)}`), account);
        const shown = JSON.parse((await page.textContent('#explanation'))!);
        const expected = cli(['explain', c.accounts, '--account', account, '--json', '--report', report.name]);
        expect(expected.status).toBe(0);
        expect(shown).toEqual(JSON.parse(expected.stdout));
      }
      expect(errors).toEqual([]);
      expect(foreign).toEqual([]);
      await page.close();
    }, 120_000);
  }

  it('a generated book (the demo\'s scenarios) stays available: Generate, Socialize, the same bytes as the command on that book', async () => {
    const { page, errors, foreign } = await open();
    await page.getByText('Or generate a book', { exact: true }).click();
    await page.getByLabel('Scenario').selectOption('near-max');
    await page.getByLabel('Accounts', { exact: true }).fill('30000');
    await page.getByLabel('Seed', { exact: true }).fill('3');
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.waitForFunction(() => document.getElementById('accounts-info')!.textContent!.includes('columns: account, profit'));
    const values = form({ decimals: '6', loss: '9223372036854.775807', insuranceFund: '5' });
    await setForm(page, values, null);
    expect(await socialize(page)).toMatch(/^Done/);
    const book = await generatedBook(30_000, 'near-max', 3, browserPlatform());
    writeFileSync(join(dir, book.name), Buffer.concat(book.parts));
    await expectCommandBytes(page, book.name, values);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  }, 120_000);

  it('an error replaces the results on screen: a bad control names its label, a bad file its file:line:column', async () => {
    const { page, errors } = await open();
    await chooseAccounts(page, 'accounts.csv');
    await setForm(page, form({ decimals: '2', loss: '2500' }), null);
    expect(await socialize(page)).toMatch(/^Done/);
    expect(await page.isVisible('#results')).toBe(true);
    await page.getByLabel('Loss', { exact: true }).fill('-1');
    expect(await socialize(page)).toBe('Loss must not be negative, got -1');
    expect(await page.isVisible('#results')).toBe(false);
    await page.getByLabel('Loss', { exact: true }).fill('2500');
    expect(await socialize(page)).toMatch(/^Done/);
    await chooseAccounts(page, 'bad.csv');
    const expected = inLabels(cli(['socialize', 'bad.csv', '--decimals', '2', '--loss', '2500', '--quiet']).stderr.split('\n')[0]!.replace(/^socialized-loss: /, ''));
    expect(await socialize(page)).toBe(expected);
    expect(expected).toMatch(/^bad\.csv:3:3: /);
    expect(await page.isVisible('#results')).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('the results are always those of the file and parameters on screen; the default columns are the command\'s', async () => {
    const { page, errors } = await open();
    // A header that spells the default columns differently: the report is the command's without column options.
    writeFileSync(join(dir, 'cased.csv'), 'ACCOUNT,Profit,note\nx,10.5,a\ny,4.25,b\nz,-3,c\n');
    await chooseAccounts(page, 'cased.csv');
    await setForm(page, form({ decimals: '2', loss: '7' }), null);
    expect(await socialize(page)).toMatch(/^Done: 3 accounts/);
    const report = await take(page, 'Download report');
    cli(['socialize', 'cased.csv', '--decimals', '2', '--loss', '7', '--report', 'cased-cli-report.json', '--out', 'cased-haircuts.csv', '--quiet']);
    expect(report.bytes.toString('utf8')).toBe(withoutRun(readFileSync(join(dir, 'cased-cli-report.json'), 'utf8')));
    // Changing a parameter takes the old result off the screen (and its downloads with it).
    await page.getByLabel('Loss', { exact: true }).fill('8');
    expect(await page.isVisible('#results')).toBe(false);
    expect(await page.textContent('#status')).toBe('The parameters changed: Socialize again for their result.');
    // A header without a profit column is the command's error, not a guess at another column.
    writeFileSync(join(dir, 'noprofit.csv'), 'id,amount\na,100\n');
    await chooseAccounts(page, 'noprofit.csv');
    const expected = cli(['socialize', 'noprofit.csv', '--decimals', '2', '--loss', '8', '--quiet']).stderr.split('\n')[0]!.replace(/^socialized-loss: /, '');
    expect(expected).toMatch(/^noprofit\.csv:1:1: the header lacks account and profit/);
    expect(await socialize(page)).toBe(inLabels(expected));
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('Explain account from a click on the largest haircuts, and an identifier with a line break typed as a JSON string', async () => {
    const { page, errors } = await open();
    writeFileSync(join(dir, 'lines.csv'), 'account,profit\n"b\nline",40\nplain,60\n"q""uote",1\n');
    await chooseAccounts(page, 'lines.csv');
    await setForm(page, form({ decimals: '0', loss: '70' }), null);
    expect(await socialize(page)).toMatch(/^Done: 3 accounts/);
    await page.getByLabel('as JSON').check();
    for (const account of ['plain', 'b\nline', 'q"uote']) {
      await page.locator('#largest button', { hasText: account.split('\n')[0]! }).click();
      await page.waitForFunction((id) => (document.getElementById('explanation')!.textContent ?? '').includes(`"account": ${JSON.stringify(id)}`), account);
      const expected = cli(['explain', 'lines.csv', '--account', account, '--json', '--decimals', '0', '--loss', '70']);
      expect(JSON.parse((await page.textContent('#explanation'))!)).toEqual(JSON.parse(expected.stdout));
    }
    expect(await page.getByLabel('Explain account', { exact: true }).inputValue()).toBe('"q\\"uote"');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('a file dropped on the page is read as one chosen', async () => {
    const { page, errors } = await open();
    const text = readFileSync(join(dir, 'accounts.csv'), 'utf8');
    await page.evaluate((csv) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([csv], 'dropped.csv', { type: 'text/csv' }));
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, text);
    await page.waitForFunction(() => document.getElementById('accounts-info')!.textContent!.startsWith('dropped.csv ·') && document.getElementById('accounts-info')!.textContent!.includes('columns: account, name, profit'));
    await setForm(page, form({ decimals: '2', loss: '2500' }), null);
    expect(await socialize(page)).toMatch(/^Done: 6 accounts/);
    expect((await take(page, 'Download haircuts')).name).toBe('dropped-haircuts.csv');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('holds its layout from 360 px to 1280 px, keyboard first (screenshots in test-results/)', async () => {
    for (const width of [360, 1280]) {
      const { page, errors } = await open(width);
      await chooseAccounts(page, 'export.csv');
      await setForm(page, form({ decimals: '6', poolColumn: 'Currency', exemptColumn: 'House' }), 'pools.csv');
      // Socialize from the keyboard: focus the button and press Enter.
      await page.getByRole('button', { name: 'Socialize' }).focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Done'), null, { timeout: 60_000 });
      // The focus lands on the results' heading, not on the page's body.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('results-heading');
      // Every figure of the per-pool table shows at 1280 px without scrolling sideways; at any
      // width, each of the largest haircuts shows every value (stacked under its label when narrow).
      const overflows = await page.evaluate(() => ['pools-table', 'largest'].map((id) => {
        const box = document.getElementById(id)!.parentElement!;
        return [id, box.scrollWidth > box.clientWidth];
      }));
      expect(overflows).toEqual(width >= 1280 ? [['pools-table', false], ['largest', false]] : [['pools-table', overflows[0]![1]], ['largest', false]]);
      // No select cuts its chosen text (its width holds the text, its padding and its arrow).
      const cut = await page.evaluate(() => {
        const context = document.createElement('canvas').getContext('2d')!;
        return Array.from(document.querySelectorAll('select')).filter((select) => select.offsetParent !== null && select.selectedIndex >= 0).filter((select) => {
          const style = getComputedStyle(select);
          context.font = `${style.fontSize} ${style.fontFamily}`;
          const text = context.measureText(select.options[select.selectedIndex]!.text).width;
          return text + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight) + 16 > select.clientWidth;
        }).map((select) => `${select.id}: ${select.options[select.selectedIndex]!.text}`);
      });
      expect(cut).toEqual([]);
      await page.getByLabel('Explain account', { exact: true }).fill('acc-1003');
      await page.getByLabel('Explain account', { exact: true }).press('Enter');
      await page.waitForSelector('#explanation:not([hidden])');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      // No number spills out of its card.
      const spills = await page.evaluate(() => Array.from(document.querySelectorAll('.card')).filter((card) => card.scrollWidth > card.clientWidth).map((card) => card.textContent));
      expect(spills).toEqual([]);
      // Every control has a visible label tied to it.
      const unlabelled = await page.evaluate(() => Array.from(document.querySelectorAll('input, select'))
        .filter((control) => (control as HTMLInputElement).labels?.length === 0).map((control) => control.id));
      expect(unlabelled).toEqual([]);
      await page.screenshot({ path: join(artifacts, `workbench-${width}.png`), fullPage: true });
      await page.locator('#results').screenshot({ path: join(artifacts, `workbench-${width}-results.png`) });
      expect(errors).toEqual([]);
      await page.close();
    }
  }, 120_000);
  /** Clicks Compare and waits for the run to end; the status text. */
  async function compare(page: Page): Promise<string> {
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await page.waitForFunction(() => {
      const status = document.getElementById('status')!;
      return !(document.getElementById('compare-run') as HTMLButtonElement).disabled && (status.textContent!.startsWith('Done') || status.classList.contains('fail'));
    }, null, { timeout: 120_000 });
    return (await page.textContent('#status'))!;
  }

  const COMPARE_CASES: { name: string; accounts: string; pools: string | null; form: WorkbenchForm; labels: [string, string, boolean][]; options: string[] }[] = [
    {
      name: 'the synthetic 10 October 2025 book: three mechanisms, capacities, a score column', accounts: 'october.csv', pools: null,
      form: form({ decimals: '2', loss: '15079669.61', weightColumn: 'score', weightDecimals: '6' }),
      labels: [['Mechanisms', 'pro-rata,weighted,queue', false], ['Capacity column', 'capacity', true], ['Score column', 'score', true], ['Score decimals', '6', false]],
      options: ['--mechanisms', 'pro-rata,weighted,queue', '--capacity-column', 'capacity', '--score-column', 'score', '--score-decimals', '6'],
    },
    {
      name: 'pools with their own decimals, exempt accounts, ranked by capacity, lots', accounts: 'export.csv', pools: 'pools.csv',
      form: form({ decimals: '6', poolColumn: 'Currency', exemptColumn: 'House', tieSeed: '9' }),
      labels: [['Mechanisms', 'queue,pro-rata', false], ['Rank by', 'capacity', true], ['Lot column', 'Size', true]],
      options: ['--mechanisms', 'queue,pro-rata', '--rank-by', 'capacity', '--lot-column', 'Size'],
    },
  ];
  for (const c of COMPARE_CASES) {
    it(`Compare mechanisms, ${c.name}: the downloads are the command line's bytes, the table its measures`, async () => {
      const { page, errors, foreign } = await open();
      await chooseAccounts(page, c.accounts);
      await setForm(page, c.form, c.pools);
      for (const [label, value, select] of c.labels) {
        const control = page.getByLabel(label, { exact: true });
        if (select) await control.selectOption(value);
        else await control.fill(value);
      }
      expect(await compare(page)).toMatch(/^Done: [a-z-, ]+ on [\d,]+ accounts in [\d.]+ s\.$/);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('compare-heading');
      const out = await take(page, 'Download comparison');
      const report = await take(page, 'Download comparison report');
      const options = optionsOf({ ...c.form, capColumn: '' }, c.pools);
      const run = cli(['compare', c.accounts, ...options, ...c.options, '--out', out.name, '--report', report.name]);
      expect(run.status, run.stderr).toBe(0);
      expect(out.bytes.equals(readFileSync(join(dir, out.name)))).toBe(true);
      expect(report.bytes.toString('utf8')).toBe(withoutRun(readFileSync(join(dir, report.name), 'utf8')));
      // The table shows the report's measures: accounts charged and the Gini of each mechanism, for the group shown.
      const written = JSON.parse(readFileSync(join(dir, report.name), 'utf8'));
      const group = (m: { overall?: unknown }) => ('pools' in m ? (typeof m.overall === 'string' ? (m as { pools: unknown[] }).pools.at(-1) : m.overall) : m) as { accountsCharged: number; gini: { decimal: string } };
      const charged = await page.locator('#measures-table tr', { hasText: 'Accounts charged' }).locator('td').allTextContents();
      expect(charged).toEqual(written.result.mechanisms.map((m: never) => group(m).accountsCharged.toLocaleString('en-US')));
      const gini = await page.locator('#measures-table tr', { hasText: 'Gini coefficient' }).locator('td').allTextContents();
      expect(gini).toEqual(written.result.mechanisms.map((m: never) => group(m).gini.decimal.slice(0, 6)));
      // One chart: each tenth's capacity share and one bar per mechanism.
      expect(await page.locator('#compare-chart rect').count()).toBe(10 * (1 + written.parameters.mechanisms.length));
      expect(errors).toEqual([]);
      expect(foreign).toEqual([]);
      await page.close();
    }, 120_000);
  }

  it('Compare mechanisms holds its layout at 360 and 1280 px and says what is wrong by its labels (screenshots in test-results/)', async () => {
    for (const width of [360, 1280]) {
      const { page, errors } = await open(width);
      await chooseAccounts(page, 'october.csv');
      await setForm(page, form({ decimals: '2', loss: '15079669.61' }), null);
      await page.getByLabel('Mechanisms', { exact: true }).fill('pro-rata,weighted');
      expect(await compare(page)).toBe('Mechanisms weighted needs Weight column: the column of weights to split by');
      await page.getByLabel('Mechanisms', { exact: true }).fill('pro-rata,queue');
      await page.getByLabel('Capacity column', { exact: true }).selectOption('capacity');
      await page.getByLabel('Score column', { exact: true }).selectOption('score');
      expect(await page.getByLabel('Rank by', { exact: true }).isDisabled()).toBe(true);
      await page.getByLabel('Score decimals', { exact: true }).fill('6');
      expect(await compare(page)).toMatch(/^Done/);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      const box = await page.evaluate(() => { const b = document.getElementById('measures-table')!.parentElement!; return b.scrollWidth > b.clientWidth; });
      expect(box).toBe(false);
      await page.locator('#compare-results').screenshot({ path: join(artifacts, `workbench-${width}-compare.png`) });
      // A changed control takes the comparison off the screen.
      await page.getByLabel('Loss', { exact: true }).fill('1');
      expect(await page.isVisible('#compare-results')).toBe(false);
      expect(errors).toEqual([]);
      await page.close();
    }
  }, 120_000);

  it('a gzip accounts file (two members) is read as the command reads it: the haircuts and the report are the command\'s bytes', async () => {
    const text = readFileSync(join(dir, 'book-100k.csv'));
    const half = text.length >> 1;
    writeFileSync(join(dir, 'book-100k.csv.gz'), Buffer.concat([gzipSync(text.subarray(0, half)), gzipSync(text.subarray(half), { level: 1 })]));
    const { page, errors, foreign } = await open();
    await chooseAccounts(page, 'book-100k.csv.gz');
    const values = form({ decimals: '6', loss: '1234567.891011', insuranceFund: '1000', tieSeed: '7' });
    await setForm(page, values, null);
    expect(await socialize(page)).toMatch(/^Done/);
    await expectCommandBytes(page, 'book-100k.csv.gz', values);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  }, 120_000);
});
