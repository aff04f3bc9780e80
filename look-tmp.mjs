import { chromium } from 'playwright-core';
import { serve } from './scripts/serve.mjs';
const server = await serve(undefined, 0);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
for (const width of [1280, 360]) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  page.on('console', (m) => console.log('console', m.type(), m.text()));
  page.on('pageerror', (e) => console.log('pageerror', String(e)));
  page.on('request', (r) => { if (!r.url().startsWith(base)) console.log('REQUEST', r.url()); });
  await page.goto(base);
  if (process.argv[2] === 'export') {
    await page.setInputFiles('#accounts-file', '/work/main/examples/export.csv');
    await page.waitForFunction(() => /columns:/.test(document.getElementById('accounts-info').textContent));
    await page.selectOption('#account-column', 'Account');
    await page.selectOption('#profit-column', 'Profit');
    await page.selectOption('#pool-column', 'Currency');
    await page.setInputFiles('#pools-file', '/work/main/examples/pools.csv');
    await page.selectOption('#exempt-column', 'House');
  } else {
    await page.click('summary');
    await page.fill('#generate-accounts', '100000');
    await page.click('#generate-run');
    await page.waitForFunction(() => /columns:/.test(document.getElementById('accounts-info').textContent));
  }
  await page.click('#run');
  await page.waitForFunction(() => /^(Done|Failed|[A-Z])/.test(document.getElementById('status').textContent) && !document.getElementById('run').disabled, null, { timeout: 60000 });
  console.log(width, await page.textContent('#status'));
  await page.fill('#explain-account', process.argv[2] === 'export' ? 'acc-1001' : 'a000001');
  await page.click('#explain-run');
  await page.waitForSelector('#explanation:not([hidden])');
  console.log('scrollWidth', await page.evaluate(() => document.documentElement.scrollWidth));
  await page.screenshot({ path: `/tmp/look/shot-${width}.png`, fullPage: true });
  if (width === 360) {
    const h = await page.evaluate(() => document.documentElement.scrollHeight);
    for (let y = 0, k = 0; y < h; y += 1000, k++) await page.screenshot({ path: `/tmp/look/m${k}.png`, fullPage: true, clip: { x: 0, y, width: 360, height: Math.min(1000, h - y) } });
  }
  await page.close();
}
await browser.close(); server.close();
