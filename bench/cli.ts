// `npm run bench:cli`: the command line end to end on a generated account file.
//
//   node build/ts/bench/cli.js [--accounts 1e7] [--runs 3] [--shapes 1] [--duckdb 1] [--parquet 1] [--exports 1] [--page 1]
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
// The page on the same file against the command (bench/web.js, in Chromium; `--page 0` to skip,
// skipped by itself without /usr/bin/chromium or CHROMIUM_PATH).
// The real-export shapes (`--exports 0` to skip): semicolons with decimal commas, float-formatted
// amounts read with --input-rounding, gzip, each against the plain file in the same run.
// After each plain run, DuckDB as the peer (`--duckdb 0` to skip): the same split in SQL
// (bench/duckdb.ts) in its own process under GNU time, its output checked against ours
// (byte for byte, else haircut by haircut: a peer that computes something else is no comparison).

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_POOLS, writeAccountFile, writeExportShapes, writeMultiCurrencyFile } from './cli-file.js';
import type { DuckdbSplitResult } from './duckdb.js';
import { describeMachine, machine } from './machine.js';

const { values } = parseArgs({
  options: { accounts: { type: 'string', default: '1e7' }, runs: { type: 'string', default: '3' }, shapes: { type: 'string', default: '1' },
    duckdb: { type: 'string', default: '1' }, parquet: { type: 'string', default: '1' }, exports: { type: 'string', default: '1' },
    page: { type: 'string', default: '1' } },
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

// DuckDB, the peer: the plain file's split in SQL, in a child process (its memory is its own).
const withDuckdb = values.duckdb !== '0';
const duckScript = new URL('./duckdb.js', import.meta.url).pathname;
const duckOut = join(tmpdir(), `socialized-loss-bench-${accounts}-duckdb-out-${process.pid}.csv`);
type OurRun = { wall: number; read: number; compute: number; write: number; peak: number };
type DuckRun = DuckdbSplitResult & { wall: number; peak: number };
const peerRuns: { ours: OurRun; duck: DuckRun; same: 'bytes' | 'haircuts' }[] = [];

function duckdbRun(): DuckRun {
  const args = [duckScript, input, duckOut, '--loss', '48250000.123456', '--insurance-fund', '12000000', '--decimals', '6'];
  const started = performance.now();
  const result = gnuTime
    ? spawnSync(gnuTime, ['-f', '%M', process.execPath, ...args], { encoding: 'utf8' })
    : spawnSync(process.execPath, args, { encoding: 'utf8' });
  const wall = (performance.now() - started) / 1000;
  if (result.error || result.status !== 0) throw new Error(`DuckDB peer exited ${result.status}: ${result.stderr || result.error}`);
  const parsed = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as DuckdbSplitResult;
  const peak = gnuTime ? Number(result.stderr.trim().split('\n').at(-1)) * 1024 : NaN;
  return { ...parsed, wall, peak };
}

/** Two files equal byte for byte, streamed in 8 MiB blocks. */
function sameBytes(a: string, b: string): boolean {
  if (statSync(a).size !== statSync(b).size) return false;
  const fa = openSync(a, 'r');
  const fb = openSync(b, 'r');
  try {
    const ba = Buffer.allocUnsafe(8 << 20);
    const bb = Buffer.allocUnsafe(8 << 20);
    for (;;) {
      const na = readSync(fa, ba, 0, ba.length, null);
      let nb = 0;
      while (nb < na) {
        const n = readSync(fb, bb, nb, na - nb, null);
        if (n === 0) break;
        nb += n;
      }
      if (na !== nb || !ba.subarray(0, na).equals(bb.subarray(0, nb))) return false;
      if (na === 0) return true;
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}

/**
 * Ours and DuckDB's outputs: the same bytes, or else the same haircut on every row (DuckDB
 * compares the two files, row by row in file order); throws when any haircut differs.
 */
async function sameHaircuts(ours: string, theirs: string): Promise<'bytes' | 'haircuts'> {
  if (sameBytes(ours, theirs)) return 'bytes';
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const file = (path: string) =>
      `(SELECT row_number() OVER () AS row, account, haircut FROM read_csv('${path.replaceAll("'", "''")}', header = true, ` +
      `columns = {'account': 'VARCHAR', 'profit': 'VARCHAR', 'haircut': 'DECIMAL(18, 6)', 'profit_after': 'VARCHAR'}))`;
    const [[rowsOurs, rowsTheirs, differ]] = (await connection.runAndReadAll(
      `SELECT (SELECT count(*) FROM ${file(ours)}), (SELECT count(*) FROM ${file(theirs)}), ` +
      `(SELECT count(*) FROM ${file(ours)} o FULL JOIN ${file(theirs)} t USING (row) ` +
      `WHERE o.account IS DISTINCT FROM t.account OR o.haircut IS DISTINCT FROM t.haircut)`)).getRows() as bigint[][] as [[bigint, bigint, bigint]];
    if (rowsOurs !== rowsTheirs || differ !== 0n) {
      throw new Error(`DuckDB's haircuts differ from ours (${rowsOurs} rows ours, ${rowsTheirs} theirs, ${differ} rows differ): ` +
        'a peer that computes something else is no comparison');
    }
    return 'haircuts';
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

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
    if (label === 'plain' && withDuckdb) {
      const d = duckdbRun();
      const same = await sameHaircuts(out, duckOut);
      peerRuns.push({ ours: { ...t, wall: s.wall, peak: s.peak } as OurRun, duck: d, same });
    }
  }
}
console.log(`\nMedians of ${runs} runs: ` + Object.entries(walls).map(([label, xs]) => `${label} ${median(xs).toFixed(2)} s`).join(', ') +
  `; pooled ÷ plain: socialize ${(median(walls['socialize pooled']!) / median(walls['socialize plain']!)).toFixed(2)}×, verify ${(median(walls['verify pooled']!) / median(walls['verify plain']!)).toFixed(2)}×`);
rmSync(out, { force: true });
rmSync(report, { force: true });
rmSync(duckOut, { force: true });

if (peerRuns.length > 0) {
  const d0 = peerRuns[0]!.duck;
  const s = (xs: number[]) => `${median(xs).toFixed(2)} s (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
  const m = (xs: number[]) => `${(median(xs) / 2 ** 20).toFixed(0)} MiB (${(Math.min(...xs) / 2 ** 20).toFixed(0)}–${(Math.max(...xs) / 2 ** 20).toFixed(0)})`;
  const x = (xs: number[]) => `${median(xs).toFixed(2)}× (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
  const ours = peerRuns.map((r) => r.ours);
  const duck = peerRuns.map((r) => r.duck);
  const checked = peerRuns.every((r) => r.same === 'bytes') ? 'the same bytes as ours' : 'the same haircut as ours on every row (the files differ in bytes)';
  console.log(`\nDuckDB as the peer, plain file (${accounts.toLocaleString('en-US')} accounts; median of ${peerRuns.length} runs, range in brackets; ` +
    `DuckDB ${d0.version}, ${d0.threads} threads; its output: ${checked}, Σ haircuts ${d0.haircutSum} = socialized ${d0.socialized})\n`);
  console.log('| | read | compute | write | end to end | peak RSS |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  console.log(`| socialized-loss socialize --out --report | ${s(ours.map((o) => o.read / 1000))} | ${s(ours.map((o) => o.compute / 1000))} | ` +
    `${s(ours.map((o) => o.write / 1000))} | ${s(ours.map((o) => o.wall))} | ${m(ours.map((o) => o.peak))} |`);
  console.log(`| DuckDB ${d0.version} (node API), read_csv DECIMAL(18,6), the split in SQL, COPY out | ${s(duck.map((d) => d.timingsMs.read / 1000))} | ` +
    `${s(duck.map((d) => d.timingsMs.compute / 1000))} | ${s(duck.map((d) => d.timingsMs.write / 1000))} | ${s(duck.map((d) => d.wall))} | ${m(duck.map((d) => d.peak))} |`);
  console.log(`\nEnd to end is the process's wall time (Node's start included; DuckDB's in-process read + compute + write: ` +
    `${s(duck.map((d) => (d.timingsMs.read + d.timingsMs.compute + d.timingsMs.write) / 1000))}). Ratios in the same run: ` +
    `ours end to end ÷ DuckDB's typed read alone ${x(peerRuns.map((r) => r.ours.wall / (r.duck.timingsMs.read / 1000)))}, ` +
    `ours read ÷ DuckDB read ${x(peerRuns.map((r) => r.ours.read / r.duck.timingsMs.read))}, ` +
    `ours write ÷ DuckDB read ${x(peerRuns.map((r) => r.ours.write / r.duck.timingsMs.read))}, ` +
    `ours end to end ÷ DuckDB end to end ${x(peerRuns.map((r) => r.ours.wall / r.duck.wall))}.`);
}

// Parquet round trip: the plain file as Parquet (written by DuckDB, profit DECIMAL(18,6)),
// through socialize with --out .parquet, then verify against it (`--parquet 0` to skip).
if (values.parquet !== '0') {
  const parquetIn = join(tmpdir(), `socialized-loss-bench-${accounts}.parquet`);
  const parquetOut = join(tmpdir(), `socialized-loss-bench-${accounts}-out-${process.pid}.parquet`);
  if (!existsSync(parquetIn)) {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT account, profit FROM read_csv('${input}', header = true, columns = {'account': 'VARCHAR', 'profit': 'DECIMAL(18, 6)'})) ` +
      `TO '${parquetIn}' (FORMAT PARQUET)`);
    connection.closeSync();
    instance.closeSync();
  }
  console.log(`\nParquet round trip (${accounts.toLocaleString('en-US')} accounts, ${mib(parquetIn)} MiB of Parquet by DuckDB, profit DECIMAL(18,6); ` +
    `out: DECIMAL(18,6), gzip level 1)\n`);
  console.log('| run | socialize wall s | read s | compute s | write s | peak RSS MiB | output MiB | verify wall s |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const round: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const r = timed(['socialize', parquetIn, '--loss', '48250000.123456', '--insurance-fund', '12000000', '--decimals', '6', '--out', parquetOut, '--report', report, '--quiet']);
    const t = r.report!.timingsMs;
    const v = timed(['verify', parquetIn, parquetOut, '--report', report, '--quiet']);
    round.push(r.wall);
    const seconds = (ms: number) => (ms / 1000).toFixed(2);
    console.log(`| ${run} | ${r.wall.toFixed(2)} | ${seconds(t.read!)} | ${seconds(t.compute!)} | ${seconds(t.write!)} | ${(r.peak / 2 ** 20).toFixed(0)} | ${mib(parquetOut)} | ${v.wall.toFixed(2)} |`);
  }
  console.log(`\nMedian socialize on Parquet ${median(round).toFixed(2)} s` + (walls['socialize plain'] ? ` (${(median(round) / median(walls['socialize plain'])).toFixed(2)}× the CSV's, same session)` : ''));
  rmSync(parquetOut, { force: true });
  rmSync(report, { force: true });
}

// The files people really have: the plain file as a spreadsheet in a European locale writes it
// (semicolons, decimal commas), as a float export writes it (each amount with the float's 17
// significant digits, read with --input-rounding half-even to the same units), and gzipped;
// each against the plain file in the same run, and gzip against its decompression alone.
if (values.exports !== '0') {
  const semicolon = join(tmpdir(), `socialized-loss-bench-${accounts}-semicolon.csv`);
  const floats = join(tmpdir(), `socialized-loss-bench-${accounts}-float.csv`);
  const gzipped = join(tmpdir(), `socialized-loss-bench-${accounts}.csv.gz`);
  if (!existsSync(semicolon) || !existsSync(floats) || !existsSync(gzipped)) {
    console.log('\nwriting the real-export shapes …');
    await writeExportShapes(input, semicolon, floats, gzipped);
  }
  const shapes = [
    ['plain', input, []], ['semicolons, decimal commas', semicolon, ['--decimal-comma']],
    ['float-formatted (17 significant digits), --input-rounding half-even', floats, ['--input-rounding', 'half-even']], ['gzip', gzipped, []],
  ] as const;
  const exportWalls = new Map<string, number[]>(shapes.map(([label]) => [label, []]));
  const gunzipWalls: number[] = [];
  for (let run = 0; run < runs; run++) {
    for (const [label, path, extra] of shapes) {
      exportWalls.get(label)!.push(timed(['socialize', path, '--loss', '48250000.123456', '--insurance-fund', '12000000', '--decimals', '6', ...extra, '--out', out, '--report', report, '--quiet']).wall);
    }
    const started = performance.now();
    const result = spawnSync(process.execPath, ['-e', `const z=require('node:zlib'),fs=require('node:fs');` +
      `fs.createReadStream(${JSON.stringify(gzipped)}).pipe(z.createGunzip()).on('data',()=>{}).on('end',()=>{})`]);
    if (result.status !== 0) throw new Error(`gunzip failed: ${result.stderr}`);
    gunzipWalls.push((performance.now() - started) / 1000);
  }
  const plainWall = median(exportWalls.get('plain')!);
  console.log(`\nThe files people really have (${accounts.toLocaleString('en-US')} accounts; socialize --out --report, median wall of ${runs} runs; ` +
    `decompressing the gzip file alone in Node: ${median(gunzipWalls).toFixed(2)} s)\n`);
  console.log('| input | MiB | median wall s | ÷ plain, same run | − plain, s |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [label, path] of shapes) {
    const wall = median(exportWalls.get(label)!);
    console.log(`| ${label} | ${mib(path)} | ${wall.toFixed(2)} | ${(wall / plainWall).toFixed(2)}× | ${(wall - plainWall).toFixed(2)} |`);
  }
  rmSync(out, { force: true });
  rmSync(report, { force: true });
}

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

// The page at the same size, against the command in the same run (bench/web.js).
if (values.page !== '0') {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    console.log(`\nThe page: not run (no Chromium at ${chromium}; set CHROMIUM_PATH)`);
  } else {
    console.log('\nThe page (Chromium, Web Worker) against the command line, same file:\n');
    const page = spawnSync(process.execPath, [new URL('./web.js', import.meta.url).pathname, '--accounts', String(accounts), '--runs', String(runs)], { stdio: 'inherit' });
    if (page.status !== 0) throw new Error(`the page's benchmark exited ${page.status}`);
  }
}
