// `npm run bench:cli`: the command line end to end on a generated account file.
//
//   node build/ts/bench/cli.js [--accounts 1e7] [--runs 3]
//
// Writes (once, in the system's temporary directory) a CSV of seeded accounts
// (~24 bytes a row at 10^7) and a multi-currency export (ten pools at their own
// decimals, exempt house accounts, weights by position size) with its pools
// file; runs `socialized-loss socialize` (--out, --report) and then `verify
// --report` on each, and prints the wall time, the phases the report records,
// and the peak resident memory (GNU time) per account. Then the reader's cost by input shape
// (128 MiB each, `--shapes 0` to skip): a valid file, a stray quote on line 2
// (a quoted field never closed), and fields just under the 16 MiB cap; the
// reader must stay linear (each within 1.5× the valid file, same run).

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_POOLS, writeAccountFile, writeMultiCurrencyFile } from './cli-file.js';
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
const pooledInput = join(tmpdir(), `socialized-loss-bench-${accounts}-pooled.csv`);
const poolsFile = join(tmpdir(), `socialized-loss-bench-${accounts}-pools.csv`);
if (!existsSync(pooledInput) || !existsSync(poolsFile)) {
  console.log(`writing ${accounts.toLocaleString('en-US')} multi-currency accounts to ${pooledInput} …`);
  await writeMultiCurrencyFile(pooledInput, poolsFile, accounts);
}
const mib = (path: string) => (statSync(path).size / 2 ** 20).toFixed(0);
console.log(`socialized-loss on ${accounts.toLocaleString('en-US')} accounts: plain ${mib(input)} MiB of CSV (account,profit at 6 decimals); ` +
  `pooled ${mib(pooledInput)} MiB (account,currency,size,profit,house: ${BENCH_POOLS.length} pools at their own decimals, 1 % exempt, weights by size); ${describeMachine(machine())}\n`);

const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** One command run: wall seconds, and the report's phases and peak memory when it writes one. */
function timed(args: string[]): { wall: number; report: { timingsMs: Record<string, number>; maxResidentBytes: number } | null; peak: number } {
  const started = performance.now();
  const result = gnuTime
    ? spawnSync(gnuTime, ['-f', '%M', process.execPath, bin, ...args], { encoding: 'utf8' })
    : spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  const wall = (performance.now() - started) / 1000;
  if (result.error || result.status !== 0) throw new Error(`socialized-loss ${args[0]} exited ${result.status}: ${result.stderr || result.error}`);
  const written = args[0] === 'socialize' ? JSON.parse(readFileSync(report, 'utf8')) : null;
  // GNU time's %M (peak resident KiB) is the last line of stderr; without it, the report's figure (socialize only).
  const peak = gnuTime ? Number(result.stderr.trim().split('\n').at(-1)) * 1024 : written?.maxResidentBytes ?? NaN;
  return { wall, report: written, peak };
}

const socializePlain = ['socialize', input, '--loss', '48250000.123456', '--insurance-fund', '12000000', '--decimals', '6', '--out', out, '--report', report, '--quiet'];
const socializePooled = ['socialize', pooledInput, '--decimals', '6', '--pool-column', 'currency', '--pools', poolsFile, '--exempt-column', 'house',
  '--weight-column', 'size', '--weight-decimals', '3', '--out', out, '--report', report, '--quiet'];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
console.log(`| run | wall s | read s | compute s | write s | peak RSS MiB | bytes / account |`);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
const walls: Record<string, number[]> = {};
for (const [label, socializeArgs] of [['plain', socializePlain], ['pooled', socializePooled]] as const) {
  for (let run = 1; run <= runs; run++) {
    const s = timed(socializeArgs);
    const t = s.report!.timingsMs;
    const seconds = (ms: number) => (ms / 1000).toFixed(2);
    (walls[`socialize ${label}`] ??= []).push(s.wall);
    console.log(`| socialize ${label} ${run} | ${s.wall.toFixed(2)} | ${seconds(t.read!)} | ${seconds(t.compute!)} | ${seconds(t.write!)} | ${(s.peak / 2 ** 20).toFixed(0)} | ${(s.peak / accounts).toFixed(0)} |`);
    const v = timed(['verify', socializeArgs[1]!, out, '--report', report, '--quiet']);
    (walls[`verify ${label}`] ??= []).push(v.wall);
    console.log(`| verify ${label} ${run} | ${v.wall.toFixed(2)} | | | | ${(v.peak / 2 ** 20).toFixed(0)} | ${(v.peak / accounts).toFixed(0)} |`);
  }
}
console.log(`\nMedians of ${runs} runs: ` + Object.entries(walls).map(([label, xs]) => `${label} ${median(xs).toFixed(2)} s`).join(', ') +
  `; pooled ÷ plain: socialize ${(median(walls['socialize pooled']!) / median(walls['socialize plain']!)).toFixed(2)}×, verify ${(median(walls['verify pooled']!) / median(walls['verify plain']!)).toFixed(2)}×`);
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
