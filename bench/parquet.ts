// Parquet in and out at scale:
//   npm run build && npm run build:bench && node --max-old-space-size=8192 build/ts/bench/parquet.js [ROWS]
// DuckDB writes ROWS (default 10^7) accounts `acct00000001` with a DECIMAL(18,6)
// profit; readParquet reads them into a row counter and into the command's
// account table; writeParquetHaircuts writes the haircut table back (to a file,
// chunk by chunk) and DuckDB checks its row count and sums.

import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { formatUnits } from '../src/files/decimal.js';
import type { RowConsumer } from '../src/files/fields.js';
import { NODE_COMPRESSORS } from '../src/host/node.js';
import { readParquet } from '../src/files/parquet/read.js';
import { writeParquetHaircuts } from '../src/files/parquet/write.js';
import { AccountRows } from '../src/files/rows.js';

const rows = Number(process.argv[2] ?? 10_000_000);
const dir = mkdtempSync(join(tmpdir(), 'socialized-loss-bench-parquet-'));
const input = join(dir, 'accounts.parquet');
const output = join(dir, 'haircuts.parquet');
const ms = (from: number) => `${Math.round(performance.now() - from)} ms`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

try {
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  let started = performance.now();
  await db.run(`COPY (SELECT 'acct' || lpad(i::VARCHAR, 8, '0') AS account,
      (((hash(i) % 20000000000)::BIGINT - 10000000000)::DECIMAL(18,0) * 0.000001::DECIMAL(7,6))::DECIMAL(18,6) AS profit
    FROM range(${rows}) t(i)) TO '${input}' (FORMAT PARQUET)`);
  console.log(`DuckDB wrote ${rows.toLocaleString('en-US')} rows (${mib(statSync(input).size)}) in ${ms(started)}`);

  const bytes = new Uint8Array(readFileSync(input));
  const counter: RowConsumer = { columns: [{ name: 'account', kind: 'id', required: true, option: null }, { name: 'profit', kind: 'amount', required: true, option: null }], row: () => {} };
  started = performance.now();
  await readParquet(bytes, input, counter, undefined, NODE_COMPRESSORS);
  console.log(`readParquet into a row counter: ${ms(started)}`);

  const accounts = new AccountRows(input, { account: 'account', profit: 'profit' }, 6, null);
  started = performance.now();
  await readParquet(bytes, input, accounts, (n) => accounts.table.expect(n), NODE_COMPRESSORS);
  accounts.table.sealed();
  console.log(`readParquet into the account table: ${ms(started)} (peak RSS ${mib(process.resourceUsage().maxRSS * 1024)})`);

  const table = accounts.table;
  const profit = table.column('profits');
  // A haircut of about 2 % of each positive profit.
  const haircut = profit.map((p) => (p > 0n ? p / 50n : 0n));
  started = performance.now();
  const fd = openSync(output, 'w');
  let written = 0;
  for await (const chunk of writeParquetHaircuts({
    rows: table.rows, idOf: (row) => table.idOf(row), pooled: false, poolOf: () => 0, poolNames: [], decimals: [6], profit, haircut,
  })) {
    writeSync(fd, chunk);
    written += chunk.length;
  }
  closeSync(fd);
  console.log(`writeParquetHaircuts to a file: ${ms(started)} (${mib(written)}; peak RSS ${mib(process.resourceUsage().maxRSS * 1024)})`);

  const [count, sum] = (await db.runAndReadAll(`SELECT count(*)::VARCHAR, sum(profit_after)::VARCHAR FROM '${output}'`)).getRows()[0]!.map(String);
  let expected = 0n;
  for (let i = 0; i < profit.length; i++) expected += profit[i]! - haircut[i]!;
  if (count !== String(rows) || sum !== formatUnits(expected, 6)) throw new Error(`DuckDB read back ${count} rows summing to ${sum}; expected ${rows} and ${formatUnits(expected, 6)}`);
  console.log(`DuckDB read it back: ${count} rows, profit_after sums to ${sum} (exact)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
