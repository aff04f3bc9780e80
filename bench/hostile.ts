// `npm run bench:hostile`: the bounds on hostile Parquet input, measured.
//
//   node build/ts/bench/hostile.js [--rows 2e6]
//
// Writes each crafted file of issue 25 (test/parquet-hostile.ts) to the system's
// temporary directory and runs `socialized-loss socialize FILE` on it, one process
// each under GNU time (when /usr/bin/time exists): the exit status, the first
// words of the message, the wall time and the peak resident memory. Then how
// long SIGTERM takes to end a run reading a large valid Parquet file (`--rows`
// accounts written by DuckDB, one row group per 122,880 rows): sent once the run
// has read for a second, timed until the process is gone (with DuckDB's row groups
// of 122,880 rows, and with one row group of them all). Prints a Markdown table
// for the README; no figure is asserted.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { decimals, HOSTILE } from '../test/parquet-hostile.js';
import { describeMachine, machine } from './machine.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '2e6' } } });
const rows = Number(values.rows);
const bin = new URL('../../../dist/cli/main.js', import.meta.url).pathname;
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const dir = mkdtempSync(join(tmpdir(), 'socialized-loss-bench-hostile-'));

/** Runs the command on `file`: status, stderr's first line, wall ms, peak RSS in MiB (null without GNU time). */
function run(file: string): { status: number | null; message: string; ms: number; mib: number | null } {
  const args = [bin, 'socialize', file, '--decimals', '2', '--loss', '1', '--out', join(dir, 'out.csv')];
  const started = performance.now();
  const result = gnuTime === null
    ? spawnSync(process.execPath, args, { encoding: 'utf8' })
    : spawnSync(gnuTime, ['-f', '%M', process.execPath, ...args], { encoding: 'utf8' });
  const ms = performance.now() - started;
  // GNU time adds "Command exited with non-zero status N" and then %M (peak resident KiB).
  const lines = result.stderr.trimEnd().split('\n').filter((line) => !line.startsWith('Command exited'));
  const mib = gnuTime === null ? null : Number(lines.pop()) / 1024;
  return { status: result.status, message: lines.join(' ').replace(/^socialized-loss: /, '').replaceAll(file, 'FILE'), ms, mib };
}

try {
  console.log(describeMachine(machine()));
  console.log(`\n| file | bytes | on main (issue 25) | now: exit | message | time | peak RSS |\n| --- | ---: | --- | :-: | --- | ---: | ---: |`);
  // The valid file they are made from first: what starting the command costs.
  for (const hostile of [{ name: 'valid 3-row file (reference)', was: 'exit 0', bytes: decimals }, ...HOSTILE]) {
    const bytes = hostile.bytes();
    const file = join(dir, 'hostile.parquet');
    writeFileSync(file, bytes);
    const { status, message, ms, mib } = run(file);
    const shown = message.length > 100 ? `${message.slice(0, 97)}…` : message;
    console.log(`| ${hostile.name} | ${bytes.length.toLocaleString('en-US')} | ${hostile.was} | ${status} | ${shown.replaceAll('|', '\\|')} | ${ms.toFixed(0)} ms | ${mib === null ? '–' : `${mib.toFixed(0)} MiB`} |`);
  }

  // SIGTERM while a large valid file is read: DuckDB's row groups (122,880 rows), then one row group.
  const large = join(dir, 'large.parquet');
  for (const groupRows of [122_880, rows]) {
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await db.run(`COPY (SELECT 'acct' || lpad(i::VARCHAR, 8, '0') AS account, ((hash(i) % 2000000)::BIGINT - 1000000)::DECIMAL(18,2) AS profit
      FROM range(${rows}) t(i)) TO '${large}' (FORMAT PARQUET, ROW_GROUP_SIZE ${groupRows})`);
    db.closeSync();
    const size = readFileSync(large).length;
    rmSync(join(dir, 'out.csv'), { force: true });
    const child = spawn(process.execPath, [bin, 'socialize', large, '--decimals', '2', '--loss', '1', '--out', join(dir, 'out.csv'), '--quiet'], { stdio: 'ignore' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const sent = performance.now();
    child.kill('SIGTERM');
    const signal = await new Promise<string | null>((resolve) => child.on('exit', (_, name) => resolve(name)));
    console.log(`SIGTERM 1 s into reading ${rows.toLocaleString('en-US')} accounts (${(size / 2 ** 20).toFixed(0)} MiB of Parquet, row groups of ${groupRows.toLocaleString('en-US')} rows): ended by ${signal} after ${(performance.now() - sent).toFixed(0)} ms; outputs left: ${existsSync(join(dir, 'out.csv')) ? 'out.csv' : 'none'}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
