// `npm run web`'s server (scripts/serve.mjs) answers every request and never exits on
// one: a URL that does not decode, a path that leaves its folder, another method, a very
// long URL, a directory. The built page carries its Content-Security-Policy in a <meta>
// of its own, so that it holds where the built files are served without the header: in
// Chromium, the page from a plain static server still works and still cannot connect.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from '../scripts/build-web.mjs';
import { CSP } from '../scripts/serve.mjs';
import { launchChromium, runsHere, sayIfSkipped } from './chromium.js';

const script = new URL('../scripts/serve.mjs', import.meta.url).pathname;
const examples = new URL('../examples/', import.meta.url).pathname;

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'socialized-loss-serve-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** One raw request (the path sent as is, not normalized by a URL parser): status, headers, body. */
function ask(port: number, path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => { body += chunk; });
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('scripts/serve.mjs as `npm run web` runs it', () => {
  let child: ChildProcess;
  let port: number;
  let exited: string | null = null;

  beforeAll(async () => {
    const root = join(dir, 'site');
    mkdirSync(join(root, 'empty'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>page</title>\n');
    writeFileSync(join(dir, 'secret.txt'), 'outside the folder\n');
    child = spawn(process.execPath, [script, '0', root], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.on('exit', (code, signal) => { exited = `exit ${code ?? signal}`; });
    port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const match = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.on('exit', () => reject(new Error(`the server exited before listening: ${out}`)));
    });
  }, 30_000);

  afterAll(() => {
    if (child.exitCode === null) child.kill();
  });

  it('answers a URL that does not decode with 400, and goes on serving', async () => {
    expect((await ask(port, '/%E0%A4%A')).status).toBe(400);
    expect((await ask(port, '/%')).status).toBe(400);
    const page = await ask(port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>page</title>');
    expect(exited).toBeNull();
  });

  it('refuses a path that leaves its folder, a NUL, another method, a very long URL; a directory without a page is 404', async () => {
    for (const path of ['/..%2fsecret.txt', '/%2e%2e%2f%2e%2e%2fsecret.txt', '/..\\secret.txt']) {
      const answer = await ask(port, path);
      expect([403, 404]).toContain(answer.status);
      expect(answer.body).not.toContain('outside the folder');
    }
    expect((await ask(port, '/index.html%00.png')).status).toBe(400);
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const answer = await ask(port, '/', method);
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe('GET, HEAD');
    }
    expect((await ask(port, '/' + 'a'.repeat(5000))).status).toBe(414);
    expect((await ask(port, '/' + 'a'.repeat(40_000))).status).toBe(431);
    expect((await ask(port, '/empty/')).status).toBe(404);
    expect((await ask(port, '/empty')).status).toBe(404);
    const head = await ask(port, '/', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await ask(port, '/')).status).toBe(200);
    expect(exited).toBeNull();
  });

  it('sends the policy on every answer, with frame-ancestors (which only a header can say)', async () => {
    for (const path of ['/', '/missing', '/%E0%A4%A']) {
      expect((await ask(port, path)).headers['content-security-policy']).toBe(`${CSP}; frame-ancestors 'none'`);
    }
  });
});

describe('the built page carries its own policy', () => {
  let built: string;
  let html: string;

  beforeAll(async () => {
    built = await buildWeb(join(dir, 'web'));
    html = readFileSync(join(built, 'index.html'), 'utf8');
  }, 120_000);

  it('has the CSP <meta>, the server\'s policy, before any script or style', () => {
    const meta = `<meta http-equiv="Content-Security-Policy" content="${CSP}">`;
    expect(html).toContain(meta);
    expect(CSP).not.toContain('frame-ancestors');
    expect(html.indexOf(meta)).toBeLessThan(html.indexOf('<script'));
    expect(html.indexOf(meta)).toBeLessThan(html.indexOf('<link rel="stylesheet"'));
  });

  sayIfSkipped('the page under its own policy');

  describe.skipIf(!runsHere)('in Chromium, served by a plain static server that sends no policy', () => {
    let browser: Browser;
    let server: Server;
    let base: string;
    const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

    beforeAll(async () => {
      server = createServer((req, res) => {
        const path = new URL(req.url ?? '/', 'http://localhost').pathname;
        const file = join(built, path === '/' ? 'index.html' : path);
        try {
          const body = readFileSync(file);
          res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
        } catch {
          res.writeHead(404).end();
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      browser = await launchChromium();
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      server?.close();
    });

    it('works (a file socialized) and cannot connect anywhere (connect-src \'none\' from the meta)', async () => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.goto(base);
      await page.getByLabel('Accounts file').setInputFiles(join(examples, 'accounts.csv'));
      await page.waitForFunction(() => document.getElementById('accounts-info')!.textContent!.includes('columns:'));
      await page.getByLabel('Decimals', { exact: true }).fill('2');
      await page.getByLabel('Loss', { exact: true }).fill('2500');
      await page.getByRole('button', { name: 'Socialize' }).click();
      await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Done'), null, { timeout: 60_000 });
      const blocked = await page.evaluate(() => new Promise<string>((resolve) => {
        document.addEventListener('securitypolicyviolation', (event) => resolve(event.effectiveDirective));
        fetch('./index.html').then(() => resolve('fetched'), () => undefined);
      }));
      expect(blocked).toBe('connect-src');
      expect(errors).toEqual([]);
      await page.close();
    }, 120_000);
  });
});
