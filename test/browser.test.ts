// The same engine in a real browser: Debian's Chromium, headless, driven by
// playwright-core. Results must equal Node's bit for bit (SHA-256 of the
// haircuts and every total); a Vite bundle of the package must work as is; the
// sharded engine runs in Web Workers, in place in a cross-origin isolated page.
// The workbench page has its own suite (browser-workbench.test.ts).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../scripts/serve.mjs';
import { launchChromium, runsHere, sayIfSkipped } from './chromium.js';
import { installPackedPackage, type Consumer } from './consumer.js';
import { loadEngine } from '../src/index.js';
import { generateProfits, type Profile } from '../src/scenario.js';
import type { SocializeResult } from '../src/types.js';

const root = new URL('../', import.meta.url);

let browser: Browser;
const servers: Server[] = [];

async function serveAt(dir: string): Promise<string> {
  const server = await serve(dir, 0);
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  return { page, errors };
}

/** What both sides compare: the checksum of the haircuts' bytes and the totals as strings. */
function fingerprint(result: SocializeResult) {
  const { haircuts, ...summary } = result;
  return {
    sha256: createHash('sha256').update(new Uint8Array(haircuts.buffer, haircuts.byteOffset, haircuts.byteLength)).digest('hex'),
    summary: JSON.stringify(summary, (_, v) => (typeof v === 'bigint' ? String(v) : v)),
  };
}

sayIfSkipped('browser suite');

let consumer: Consumer | undefined;

beforeAll(async () => {
  if (!runsHere) return;
  consumer = installPackedPackage();
  browser = await launchChromium();
});

afterAll(async () => {
  consumer?.dispose();
  await browser?.close();
  for (const server of servers) server.close();
});

const CASES: [Profile, number, number, string, string][] = [
  ['realistic', 2026, 200_000, '48250000123456', '12000000000000'],
  ['uniform', 7, 100_000, '123456789012345', '0'],
  ['near-max', 3, 50_000, '9223372036854775807', '5'],
  ['half-in-loss', 11, 70_001, '1', '0'],
];

describe.skipIf(!runsHere)('in Chromium', () => {
  it('gives the same results as Node, bit for bit, for fixed seeds (the installed tarball, unbundled ES modules)', async () => {
    writeFileSync(join(consumer!.dir, 'index.html'), '<!doctype html><link rel="icon" href="data:,"><title>socialized-loss, unbundled</title>');
    const base = await serveAt(consumer!.dir);
    const { page, errors } = await newPage();
    await page.goto(`${base}/index.html`);
    // A string, not a function: the test runner would rewrite a function's import() for Node.
    const inBrowser = (await page.evaluate(`(async (cases) => {
      const { loadEngine } = await import('/node_modules/socialized-loss/dist/index.js');
      const { generateProfits } = await import('/node_modules/socialized-loss/dist/scenario.js');
      const engine = await loadEngine();
      const hex = (bytes) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
      const out = [];
      for (const [profile, seed, n, loss, fund] of cases) {
        const { haircuts, ...summary } = engine.socialize({ loss: BigInt(loss), insuranceFund: BigInt(fund), profits: generateProfits(n, profile, seed) });
        out.push({
          variant: engine.variant,
          sha256: hex(await crypto.subtle.digest('SHA-256', new Uint8Array(haircuts.buffer).slice())),
          summary: JSON.stringify(summary, (_, v) => (typeof v === 'bigint' ? String(v) : v)),
        });
      }
      return out;
    })(${JSON.stringify(CASES)})`)) as { variant: string; sha256: string; summary: string }[];
    const engine = await loadEngine();
    for (const [k, [profile, seed, n, loss, fund]] of CASES.entries()) {
      const node = fingerprint(engine.socialize({ loss: BigInt(loss), insuranceFund: BigInt(fund), profits: generateProfits(n, profile, seed) }));
      expect(inBrowser[k]).toEqual({ variant: 'simd', ...node });
    }
    expect(errors).toEqual([]);
  });

  it('runs the sharded engine in Web Workers: in place in a cross-origin isolated page, and copying, with one engine\'s bits', async () => {
    writeFileSync(join(consumer!.dir, 'sharded.html'), '<!doctype html><link rel="icon" href="data:,"><title>socialized-loss, sharded</title>');
    const base = await serveAt(consumer!.dir);
    const { page, errors } = await newPage();
    await page.goto(`${base}/sharded.html`);
    const result = await page.evaluate(`(async () => {
      const { loadEngine } = await import('/node_modules/socialized-loss/dist/index.js');
      const { loadShardedEngine } = await import('/node_modules/socialized-loss/dist/parallel/index.js');
      const { generateProfits } = await import('/node_modules/socialized-loss/dist/scenario.js');
      const engine = await loadEngine();
      const n = 200001, profits = generateProfits(n, 'uniform', 7), params = { loss: 123456789012345n, tieSeed: 5n };
      const expected = engine.socialize({ ...params, profits });
      const strip = ({ haircuts, ...summary }) => JSON.stringify(summary, (_, v) => (typeof v === 'bigint' ? String(v) : v));
      const sharded = await loadShardedEngine({ shards: 2 });
      const book = await sharded.createBook(n);
      for (const shard of book.shards) shard.profits.set(profits.subarray(shard.start, shard.end));
      const summary = await book.socialize(params);
      const inPlace = book.shards.every((shard) => shard.haircuts.every((h, i) => h === expected.haircuts[shard.start + i]));
      const copying = await loadShardedEngine({ shards: 3, shared: false });
      const copied = await copying.socialize({ ...params, profits });
      const result = {
        isolated: crossOriginIsolated, shared: sharded.shared, inPlace, summary: strip(summary) === strip(expected),
        copyingShared: copying.shared, copied: copied.haircuts.every((h, i) => h === expected.haircuts[i]) && strip(copied) === strip(expected),
      };
      await Promise.all([sharded.close(), copying.close()]);
      return result;
    })()`);
    expect(result).toEqual({ isolated: true, shared: true, inPlace: true, summary: true, copyingShared: false, copied: true });
    expect(errors).toEqual([]);
  });

  it('runs the sharded engine bundled by Vite (its Web Workers as Vite bundles them)', async () => {
    const app = join(consumer!.dir, 'vite-sharded');
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'index.html'), '<!doctype html><link rel="icon" href="data:,"><title>sharded, bundled</title><pre id="out"></pre><script type="module" src="./main.js"></script>');
    writeFileSync(join(app, 'main.js'), [
      `import { loadEngine } from 'socialized-loss';`,
      `import { loadShardedEngine } from 'socialized-loss/parallel';`,
      `const profits = BigInt64Array.from({ length: 100001 }, (_, i) => BigInt((i * 7919) % 10007) - 1000n);`,
      `const params = { loss: 12345678n, tieSeed: 3n };`,
      `const expected = (await loadEngine()).socialize({ ...params, profits });`,
      `const sharded = await loadShardedEngine({ shards: 2 });`,
      `const result = await sharded.socialize({ ...params, profits });`,
      `document.getElementById('out').textContent = JSON.stringify({ shared: sharded.shared, same: result.haircuts.every((h, i) => h === expected.haircuts[i]) });`,
    ].join('\n'));
    const outDir = join(app, 'dist');
    await build({ root: app, configFile: false, logLevel: 'silent', build: { outDir, emptyOutDir: true, target: 'es2022' } });
    const base = await serveAt(outDir);
    const { page, errors } = await newPage();
    await page.goto(`${base}/index.html`);
    await page.waitForFunction(() => document.getElementById('out')!.textContent!.startsWith('{'), null, { timeout: 30_000 });
    expect(JSON.parse((await page.textContent('#out'))!)).toEqual({ shared: true, same: true });
    expect(errors).toEqual([]);
  });

  it('works bundled by Vite (examples/vite, in a project that installed the tarball)', async () => {
    // The example's page and script as a user would have them; no alias: the package resolves from node_modules.
    const app = join(consumer!.dir, 'vite-app');
    mkdirSync(app, { recursive: true });
    for (const name of ['index.html', 'main.js']) copyFileSync(new URL(`examples/vite/${name}`, root), join(app, name));
    const outDir = join(app, 'dist');
    await build({ root: app, configFile: false, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
    const base = await serveAt(outDir);
    const { page, errors } = await newPage();
    await page.goto(`${base}/index.html`);
    await page.waitForFunction(() => document.getElementById('out')!.textContent!.startsWith('{'), null, { timeout: 30_000 });
    expect(JSON.parse((await page.textContent('#out'))!)).toEqual({
      variant: 'simd', haircuts: ['375001', '0', '250000', '124999', '0'], agrees: true,
    });
    expect(errors).toEqual([]);
  });
});
