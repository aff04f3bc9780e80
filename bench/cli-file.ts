// Writes a seeded account file for the command-line benchmark:
//   node build/ts/bench/cli-file.js FILE ACCOUNTS
// Rows `acct00000001,12345.678901` (6 decimals; profits of the 'realistic' profile), ~30 bytes each.

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { generateProfits } from '../src/scenario.js';
import { formatUnits } from '../src/cli/decimal.js';

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

if (process.argv[1]?.endsWith('cli-file.js')) {
  const [file, accounts] = process.argv.slice(2);
  if (!file || !accounts) throw new Error('usage: cli-file.js FILE ACCOUNTS');
  await writeAccountFile(file, Number(accounts));
}
