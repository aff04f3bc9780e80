// Debian's Chromium for the browser suites, headless through playwright-core.
// Without one the suites do not run and say so in one line; in CI (`CI=true`,
// where .ci/run installs one) a missing browser fails the run instead.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** The browser binary: CHROMIUM_PATH, else Debian's. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
const required = process.env.CI === 'true' || process.env.CI === '1';

/** Whether a browser suite runs here (skipped only without a browser outside CI). */
export const runsHere = present || required;

/** Says once, per suite, that it did not run (and why). */
export function sayIfSkipped(suite: string): void {
  if (!runsHere) console.log(`${suite} did not run: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH; CI=true makes this a failure)`);
}

/** Launches the browser headless, or throws saying how to get one. */
export async function launchChromium(): Promise<Browser> {
  if (!present) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
