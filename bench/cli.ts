// `npm run bench:cli`: the command line end to end on a generated account file.
//
//   node build/ts/bench/cli.js [--accounts 1e7] [--runs 3]
//
// Writes (once, in the system's temporary directory) a CSV of seeded accounts
// (~24 bytes a row at 10^7), runs `socialized-loss socialize` on it with --out
// and --report, and prints the wall time, the phases the report records, and
// the peak resident memory per account.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeAccountFile } from './cli-file.js';
import { describeMachine, machine } from './machine.js';

const { values } = parseArgs({ options: { accounts: { type: 'string', default: '1e7' }, runs: { type: 'string', default: '3' } } });
const accounts = Number(values.accounts);
const runs = Number(values.runs);
const bin = new URL('../../../dist/cli/main.js', import.meta.url).pathname;
const input = join(tmpdir(), `socialized-loss-bench-${accounts}.csv`);
const out = join(tmpdir(), `socialized-loss-bench-${accounts}-out.csv`);
const report = join(tmpdir(), `socialized-loss-bench-${accounts}-report.json`);

if (!existsSync(input)) {
  console.log(`writing ${accounts.toLocaleString('en-US')} accounts to ${input} …`);
  await writeAccountFile(input, accounts);
}
console.log(`socialized-loss socialize on ${(statSync(input).size / 2 ** 20).toFixed(0)} MiB of CSV, ${accounts.toLocaleString('en-US')} accounts; ${describeMachine(machine())}\n`);
console.log('| run | wall s | read s | compute s | write s | peak RSS MiB | bytes / account |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (let run = 1; run <= runs; run++) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [bin, 'socialize', input, '--loss', '48250000.123456', '--insurance-fund', '12000000', '--decimals', '6', '--out', out, '--report', report, '--quiet'], { stdio: 'inherit' });
  const wall = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`socialized-loss exited ${result.status}`);
  const { timingsMs: t, maxResidentBytes } = JSON.parse(readFileSync(report, 'utf8')) as { timingsMs: Record<string, number>; maxResidentBytes: number };
  const s = (ms: number) => (ms / 1000).toFixed(2);
  console.log(`| ${run} | ${wall.toFixed(2)} | ${s(t.read!)} | ${s(t.compute!)} | ${s(t.write!)} | ${(maxResidentBytes / 2 ** 20).toFixed(0)} | ${(maxResidentBytes / accounts).toFixed(0)} |`);
}
rmSync(out, { force: true });
rmSync(report, { force: true });
