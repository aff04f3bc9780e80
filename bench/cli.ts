// `npm run bench:cli`: the command line end to end on a generated account file.
//
//   node build/ts/bench/cli.js [--accounts 1e7] [--runs 3]
//
// Writes (once, in the system's temporary directory) a CSV of seeded accounts
// (~24 bytes a row at 10^7), runs `socialized-loss socialize` on it with --out
// and --report, and prints the wall time, the phases the report records, and
// the peak resident memory per account. Then the reader's cost by input shape
// (128 MiB each, `--shapes 0` to skip): a valid file, a stray quote on line 2
// (a quoted field never closed), and fields just under the 16 MiB cap; the
// reader must stay linear (each within 1.5× the valid file, same run).

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeAccountFile } from './cli-file.js';
import { describeMachine, machine } from './machine.js';

const { values } = parseArgs({
  options: { accounts: { type: 'string', default: '1e7' }, runs: { type: 'string', default: '3' }, shapes: { type: 'string', default: '1' } },
});
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

// The reader by input shape: the same byte count, three shapes.
if (values.shapes !== '0') {
  const SHAPE_BYTES = 128 << 20;
  const valid = join(tmpdir(), 'socialized-loss-bench-shape-valid.csv');
  const stray = join(tmpdir(), 'socialized-loss-bench-shape-stray-quote.csv');
  const long = join(tmpdir(), 'socialized-loss-bench-shape-long-fields.csv');
  if (!existsSync(valid)) await writeAccountFile(valid, Math.round(SHAPE_BYTES / 24.5), 11);
  if (!existsSync(stray)) {
    // Line 2 opens a quote that is never closed: the rest of the file is one field.
    const bytes = readFileSync(valid);
    const second = bytes.indexOf(0x0a) + 1;
    writeFileSync(stray, Buffer.concat([bytes.subarray(0, second), Buffer.from('"'), bytes.subarray(second)]));
  }
  if (!existsSync(long)) {
    const fd = openSync(long, 'w');
    writeSync(fd, 'account,profit\n');
    const field = Buffer.alloc((16 << 20) - 64, 'x');
    for (let row = 0, written = 0; written < SHAPE_BYTES; row++) {
      const line = Buffer.concat([Buffer.from(String(row)), field, Buffer.from(',12.5\n')]);
      writeSync(fd, line);
      written += line.length;
    }
    closeSync(fd);
  }
  console.log(`\nThe reader by input shape (${SHAPE_BYTES >> 20} MiB each; median of ${runs} runs)\n`);
  console.log('| input | exit | median wall s | ÷ valid |');
  console.log('| --- | ---: | ---: | ---: |');
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;
  let base = 0;
  for (const [label, path] of [['valid', valid], ['stray quote on line 2', stray], ['fields of 16 MiB − 64 B', long]] as const) {
    const walls: number[] = [];
    let status: number | null = null;
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      const result = spawnSync(process.execPath, [bin, 'socialize', path, '--loss', '1000', '--decimals', '6', '--out', out, '--quiet'], { encoding: 'utf8' });
      walls.push((performance.now() - started) / 1000);
      status = result.status;
      if (status !== 0 && label === 'valid') throw new Error(`socialized-loss exited ${status}: ${result.stderr}`);
    }
    const wall = median(walls);
    if (label === 'valid') base = wall;
    console.log(`| ${label} | ${status} | ${wall.toFixed(2)} | ${(wall / base).toFixed(2)}× |`);
  }
  rmSync(out, { force: true });
}
