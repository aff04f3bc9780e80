// Writes seeded account files for the command-line benchmark:
//   node build/ts/bench/cli-file.js FILE ACCOUNTS
// Rows `acct00000001,12345.678901` (6 decimals; profits of the 'realistic' profile), ~24 bytes each;
// and a multi-currency export with its pools file (writeMultiCurrencyFile).

import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { generateProfits } from '../src/scenario.js';
import { formatUnits } from '../src/files/decimal.js';

/** Writes `accounts` rows to `file`; resolves when the file is closed. */
export async function writeAccountFile(file: string, accounts: number, seed = 7): Promise<void> {
  const out = createWriteStream(file);
  const block = 100_000;
  out.write('account,profit\n');
  for (let from = 0; from < accounts; from += block) {
    const profits = generateProfits(Math.min(block, accounts - from), 'realistic', seed + from);
    let text = '';
    for (let i = 0; i < profits.length; i++) text += `acct${String(from + i).padStart(8, '0')},${formatUnits(profits[i]!, 6)}\n`;
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** The ten pools of the multi-currency file: name and decimals. */
export const BENCH_POOLS = [
  ['USDT', 6], ['USDC', 6], ['BTC', 8], ['ETH', 8], ['SOL', 9], ['XRP', 6], ['DOGE', 8], ['EUR', 2], ['JPY', 0], ['DAI', 12],
] as const;

/**
 * Writes a multi-currency export of `accounts` rows to `file`
 * (`account,currency,size,profit,house`: ten pools, each at its own decimals,
 * about 1 % house accounts, position sizes at 3 decimals) and its pools file
 * to `poolsFile` (each pool's loss about 2 % of its profits, at most 2^62 units; a fund of a fifth of it).
 */
export async function writeMultiCurrencyFile(file: string, poolsFile: string, accounts: number, seed = 7): Promise<void> {
  const out = createWriteStream(file);
  const block = 100_000;
  const totals = BENCH_POOLS.map(() => 0n);
  out.write('account,currency,size,profit,house\n');
  for (let from = 0; from < accounts; from += block) {
    const profits = generateProfits(Math.min(block, accounts - from), 'realistic', seed + from);
    let text = '';
    for (let i = 0; i < profits.length; i++) {
      const row = from + i;
      // A fixed spread of pools (USDT the largest), house accounts and sizes, from the row number.
      const mix = Math.imul(row ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
      const pool = mix % 100 < 40 ? 0 : 1 + (mix % 9);
      const [name, decimals] = BENCH_POOLS[pool]!;
      // The 6-decimal profit, rescaled to the pool's decimals (exactly: by powers of ten).
      const profit = decimals >= 6 ? profits[i]! * 10n ** BigInt(decimals - 6) : profits[i]! / 10n ** BigInt(6 - decimals);
      if (profit > 0n) totals[pool]! += profit;
      const house = (mix >>> 8) % 100 === 0 ? 'yes' : 'no';
      const size = formatUnits(BigInt(1 + ((mix >>> 4) % 5_000_000)), 3);
      text += `acct${String(row).padStart(8, '0')},${name},${size},${formatUnits(profit, decimals)},${house}\n`;
    }
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const pools = BENCH_POOLS.map(([name, decimals], k) => {
    // At most 2^62 units: a pool at many decimals can hold more profit than a 64-bit loss can name.
    const loss = totals[k]! / 50n < 2n ** 62n ? totals[k]! / 50n : 2n ** 62n;
    return `${name},${formatUnits(loss, decimals)},${formatUnits(loss / 5n, decimals)},${decimals}`;
  });
  writeFileSync(poolsFile, 'pool,loss,insurance_fund,decimals\n' + pools.join('\n') + '\n');
}

/**
 * Writes the plain account file `input` again as real exports write it: `semicolon` (`;`
 * between fields, `,` before the fraction), `floats` (each profit with a float's 17
 * significant digits: the same 6-decimal units under --input-rounding half-even, as the
 * digits past the sixth stay below half a unit) and `gzipped` (gzip, level 6).
 */
export async function writeExportShapes(input: string, semicolon: string, floats: string, gzipped: string): Promise<void> {
  const { createGzip } = await import('node:zlib');
  const { createReadStream } = await import('node:fs');
  const { pipeline } = await import('node:stream/promises');
  const semi = createWriteStream(semicolon), float = createWriteStream(floats);
  let rest = '';
  let header = true;
  for await (const chunk of createReadStream(input, { encoding: 'utf8', highWaterMark: 1 << 22 })) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    let a = '', b = '';
    for (const line of lines) {
      if (header) {
        a += 'account;profit\n';
        b += 'account,profit\n';
        header = false;
        continue;
      }
      const comma = line.indexOf(',');
      const profit = line.slice(comma + 1);
      a += `${line.slice(0, comma)};${profit.replace('.', ',')}\n`;
      // Digits past the sixth up to 17 significant ones, below half a unit: 0000001, 00000003, …
      const digits = profit.replace('-', '').replace('.', '').replace(/^0+/, '').length;
      const extra = Math.max(1, 17 - digits);
      b += `${line.slice(0, comma)},${profit}${'0'.repeat(extra - 1)}${1 + (digits % 4)}\n`;
    }
    if (!semi.write(a)) await once(semi, 'drain');
    if (!float.write(b)) await once(float, 'drain');
  }
  semi.end();
  float.end();
  await Promise.all([once(semi, 'finish'), once(float, 'finish')]);
  await pipeline(createReadStream(input), createGzip({ level: 6 }), createWriteStream(gzipped));
}

if (process.argv[1]?.endsWith('cli-file.js')) {
  const [file, accounts] = process.argv.slice(2);
  if (!file || !accounts) throw new Error('usage: cli-file.js FILE ACCOUNTS');
  await writeAccountFile(file, Number(accounts));
}
