// `npm run bench:web`: the workbench page against the command line on the same
// account file, end to end, as a user meets each.
//
//   node build/ts/bench/web.js [--accounts 1e6] [--runs 3]
//
// Page: the file set on the page's file input (as a drop would give it), the
// controls filled, Socialize clicked, and both downloads saved; timed from the
// file to the second download, in Debian's Chromium (headless). Command:
// `socialized-loss socialize FILE --out … --report …`, wall time of the process.
// Both give the same haircuts bytes in every run (checked), so the comparison is
// of one computation. Medians of `--runs`, and their ratio in the same run.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { writeAccountFile } from './cli-file.js';
import { describeMachine, machine } from './machine.js';

const { values } = parseArgs({ options: { accounts: { type: 'string', default: '1e6' }, runs: { type: 'string', default: '3' } } });
const accounts = Number(values.accounts);
const runs = Number(values.runs);
const root = new URL('../../../', import.meta.url);
const bin = new URL('dist/cli/main.js', root).pathname;
const input = join(tmpdir(), `socialized-loss-bench-${accounts}.csv`);
const work = mkdtempSync(join(tmpdir(), 'socialized-loss-bench-web-'));
const PARAMETERS = { decimals: '6', loss: '48250000.123456', fund: '12000000' };

if (!existsSync(input)) {
  console.log(`writing ${accounts.toLocaleString('en-US')} accounts to ${input} …`);
  await writeAccountFile(input, accounts);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// The page, built and served as `npm run web` does.
const { buildWeb } = (await import(new URL('scripts/build-web.mjs', root).href)) as { buildWeb(outDir?: string): Promise<string> };
const { serve } = (await import(new URL('scripts/serve.mjs', root).href)) as { serve(dir?: string, port?: number): Promise<Server> };
const server = await serve(await buildWeb(join(work, 'web')), 0);
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const chromiumVersion = browser.version();

const page: number[] = [], inPage: number[] = [], command: number[] = [];
try {
  for (let run = 0; run < runs; run++) {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await tab.goto(base);
    const started = performance.now();
    await tab.getByLabel('Accounts file').setInputFiles(input);
    await tab.waitForFunction(() => document.getElementById('accounts-info')!.textContent!.includes('columns:'));
    await tab.getByLabel('Decimals', { exact: true }).fill(PARAMETERS.decimals);
    await tab.getByLabel('Loss', { exact: true }).fill(PARAMETERS.loss);
    await tab.getByLabel('Insurance fund', { exact: true }).fill(PARAMETERS.fund);
    await tab.getByRole('button', { name: 'Socialize' }).click();
    await tab.waitForFunction(() => /^(Done|.*:\d+:\d+:)/.test(document.getElementById('status')!.textContent!) || document.getElementById('status')!.classList.contains('fail'), null, { timeout: 600_000 });
    const status = (await tab.textContent('#status'))!;
    if (!status.startsWith('Done')) throw new Error(`the page failed: ${status}`);
    const saved: Record<string, string> = {};
    for (const button of ['Download haircuts', 'Download report']) {
      const [download] = await Promise.all([tab.waitForEvent('download'), tab.getByRole('button', { name: button }).click()]);
      saved[button] = join(work, `page-${download.suggestedFilename()}`);
      await download.saveAs(saved[button]!);
    }
    page.push(performance.now() - started);
    inPage.push(Number(/ in ([\d.]+) s\./.exec(status)![1]) * 1000);
    await tab.close();

    const out = join(work, 'cli-haircuts.csv'), report = join(work, 'cli-report.json');
    const t = performance.now();
    const result = spawnSync(process.execPath, [bin, 'socialize', input, '--decimals', PARAMETERS.decimals, '--loss', PARAMETERS.loss,
      '--insurance-fund', PARAMETERS.fund, '--out', out, '--report', report, '--quiet'], { encoding: 'utf8' });
    command.push(performance.now() - t);
    if (result.status !== 0) throw new Error(`the command failed: ${result.stderr}`);
    if (!readFileSync(out).equals(readFileSync(saved['Download haircuts']!))) throw new Error('the page\'s haircuts differ from the command line\'s');
    console.log(`run ${run + 1}: page ${(page.at(-1)! / 1000).toFixed(2)} s (its own run ${(inPage.at(-1)! / 1000).toFixed(2)} s), command ${(command.at(-1)! / 1000).toFixed(2)} s; same haircuts bytes`);
  }
} finally {
  await browser.close();
  server.close();
  rmSync(work, { recursive: true, force: true });
}

console.log(`\n${describeMachine(machine())}; Chromium ${chromiumVersion}`);
console.log(`${accounts.toLocaleString('en-US')} accounts, ${(readFileSync(input).length / 2 ** 20).toFixed(1)} MiB CSV, medians of ${runs}:\n`);
console.log('| | file to both downloads | ratio |');
console.log('|---|---:|---:|');
console.log(`| page (Chromium, Web Worker) | ${(median(page) / 1000).toFixed(2)} s | ${(median(page) / median(command)).toFixed(2)}× |`);
console.log(`| page: read, socialize, write, audit (its status line) | ${(median(inPage) / 1000).toFixed(2)} s | ${(median(inPage) / median(command)).toFixed(2)}× |`);
console.log(`| command line (process wall time) | ${(median(command) / 1000).toFixed(2)} s | 1.00× |`);
