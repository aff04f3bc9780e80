// The synthetic book of 10 October 2025 (examples/october-2025): the committed CSV holds
// the published aggregates exactly, every row's capacity and score follow from its other
// columns, and the generator reproduces the file byte for byte.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const csv = fileURLToPath(new URL('../examples/october-2025/accounts.csv', import.meta.url));
const generator = fileURLToPath(new URL('../examples/october-2025/generate.mjs', import.meta.url));

/** "1234.56" → 123456n; exactly 2 decimals, non-negative. */
function cents(text: string): bigint {
  const m = /^(\d+)\.(\d{2})$/.exec(text);
  if (m === null) throw new Error(`not an amount with 2 decimals: ${JSON.stringify(text)}`);
  return BigInt(m[1]!) * 100n + BigInt(m[2]!);
}

/** "1.234567" → 1234567n; exactly 6 decimals, non-negative. */
function micro(text: string): bigint {
  const m = /^(\d+)\.(\d{6})$/.exec(text);
  if (m === null) throw new Error(`not a number with 6 decimals: ${JSON.stringify(text)}`);
  return BigInt(m[1]!) * 1_000_000n + BigInt(m[2]!);
}

interface Row { account: string; profit: bigint; equity: bigint; capacity: bigint; leverage: bigint; score: bigint }

function readBook(): { header: string; rows: Row[]; text: string } {
  const text = readFileSync(csv, 'utf8');
  const lines = text.split('\n');
  expect(lines.pop()).toBe(''); // one final newline
  const header = lines.shift()!;
  const rows = lines.map((line) => {
    const cells = line.split(',');
    expect(cells).toHaveLength(6);
    const [account, profit, equity, capacity, leverage, score] = cells as [string, string, string, string, string, string];
    return { account, profit: cents(profit), equity: cents(equity), capacity: cents(capacity), leverage: cents(leverage), score: micro(score) };
  });
  return { header, rows, text };
}

describe('examples/october-2025: a synthetic book calibrated to 10 October 2025', () => {
  const { header, rows, text } = readBook();
  const profits = rows.map((r) => r.profit).sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  const total = profits.reduce((a, b) => a + b, 0n);

  it('has the header and 19,230 uniquely named winning accounts, not sorted by profit', () => {
    expect(header).toBe('account,profit,equity,capacity,leverage,score');
    expect(rows).toHaveLength(19_230);
    expect(new Set(rows.map((r) => r.account)).size).toBe(19_230);
    for (const r of rows) expect(r.account).toMatch(/^acct-\d{5}$/);
    for (const r of rows) expect(r.profit > 0n && r.equity > 0n).toBe(true);
    expect(rows.map((r) => r.profit)).not.toEqual(profits);
  });

  it('sums to $834,554,147.76 with the largest $52,864,447.63', () => {
    expect(total).toBe(83_455_414_776n);
    expect(profits[0]).toBe(5_286_444_763n);
    expect(profits[1]! < profits[0]!).toBe(true);
  });

  it('gives the 10 largest (distinct) 40.3 % of the total, to 0.1 %', () => {
    const top = profits.slice(0, 10);
    expect(new Set(top).size).toBe(10);
    expect(profits[10]! < profits[9]!).toBe(true);
    const top10 = top.reduce((a, b) => a + b, 0n);
    // 40.25 % ≤ share < 40.35 %
    expect(top10 * 10_000n >= total * 4025n).toBe(true);
    expect(top10 * 10_000n < total * 4035n).toBe(true);
  });

  it('has equity below profit for 10–20 % of the accounts, among them some of the 10 largest', () => {
    const below = rows.filter((r) => r.equity < r.profit);
    expect(below.length * 10 >= rows.length && below.length * 5 <= rows.length).toBe(true);
    const top = new Set(profits.slice(0, 10));
    const topBelow = below.filter((r) => top.has(r.profit)).length;
    expect(topBelow > 0 && topBelow < 10).toBe(true);
  });

  it('sets capacity = min(profit, equity) and score = floor(profit × leverage × 10^6 / (equity × 100)) on every row', () => {
    for (const r of rows) {
      expect(r.capacity).toBe(r.profit < r.equity ? r.profit : r.equity);
      expect(r.leverage >= 100n && r.leverage <= 5000n).toBe(true);
      expect(r.score).toBe((r.profit * r.leverage * 1_000_000n) / (r.equity * 100n));
    }
  });

  it('is what the generator writes, byte for byte (--check exits 0)', () => {
    expect(text.includes('\r')).toBe(false);
    const result = spawnSync(process.execPath, [generator, '--check'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
