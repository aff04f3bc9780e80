// `socialized-loss demo` (what `npm start` runs): the main job on a built-in default. A seeded book of 1,000,000
// accounts (USDT, 6 decimals), a liquidation deficit and an insurance fund;
// prints the summary, the engine's time, the reference's time, and checks that
// both agree on every haircut.

import { loadEngine } from '../engine.js';
import { socializeReference } from '../reference.js';
import { generateProfits } from '../scenario.js';
import { formatGrouped } from '../files/decimal.js';

/** The default scenario. */
export const DEMO = {
  accounts: 1_000_000,
  seed: 2026,
  decimals: 6,
  /** A 48,250,000.123456 USDT deficit... */
  loss: 48_250_000_123456n,
  /** ...of which the fund holds 12,000,000 USDT. */
  insuranceFund: 12_000_000_000000n,
} as const;

/** Median of a few timed runs, in milliseconds. */
function time(runs: number, task: () => void): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    task();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

/** Runs the default scenario and prints the report to stdout. Returns false if engine and reference disagree. */
export async function runDemo(print: (line: string) => void = console.log): Promise<boolean> {
  const { accounts, seed, decimals, loss, insuranceFund } = DEMO;
  const profits = generateProfits(accounts, 'realistic', seed);
  const engine = await loadEngine();
  using book = engine.createBook(accounts);
  book.profits.set(profits);

  const summary = book.socialize({ loss, insuranceFund });
  const bookMs = time(9, () => book.socialize({ loss, insuranceFund }));
  const copyMs = time(5, () => engine.socialize({ loss, insuranceFund, profits }));
  let reference = socializeReference({ loss, insuranceFund, profits });
  const referenceMs = time(1, () => (reference = socializeReference({ loss, insuranceFund, profits })));

  const haircuts = book.haircuts;
  let mismatches = 0;
  for (let i = 0; i < accounts; i++) if (haircuts[i] !== reference.haircuts[i]) mismatches++;
  const { haircuts: _, ...referenceSummary } = reference;
  const agree = mismatches === 0 && JSON.stringify(referenceSummary, (_, v) => (typeof v === 'bigint' ? String(v) : v))
    === JSON.stringify(summary, (_, v) => (typeof v === 'bigint' ? String(v) : v));

  const amount = (units: bigint) => formatGrouped(units, decimals).padStart(22);
  const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`.padStart(10);
  print(`socialized-loss demo: ${accounts.toLocaleString('en-US')} accounts (seed ${seed}), amounts in USDT (${decimals} decimals)`);
  print('');
  print(`  loss                ${amount(loss)}`);
  print(`  insurance fund      ${amount(insuranceFund)}`);
  print(`  insurance used      ${amount(summary.insuranceUsed)}`);
  print(`  socialized          ${amount(summary.socialized)}`);
  print(`  uncovered           ${amount(summary.uncovered)}`);
  print(`  total profit        ${amount(summary.totalProfit)}`);
  print(`  haircut rate        ${(summary.haircutRate * 100).toFixed(4).padStart(20)} %`);
  print(`  profitable accounts ${summary.profitableAccounts.toLocaleString('en-US').padStart(22)}`);
  print('');
  print(`  engine, book path (zero-copy)        ${ms(bookMs)}   median of 9, '${engine.variant}' core`);
  print(`  engine.socialize (copy in and out)   ${ms(copyMs)}   median of 5`);
  print(`  reference (plain bigint)             ${ms(referenceMs)}   ${(referenceMs / bookMs).toFixed(0)}× the book path`);
  print('');
  print(agree
    ? `  check: engine and reference agree on the summary and all ${accounts.toLocaleString('en-US')} haircuts`
    : `  CHECK FAILED: ${mismatches} haircuts differ from the reference`);
  return agree;
}

