// DuckDB as the command line's peer: the same exact split as `socialized-loss socialize`
// (SPEC "What it computes": largest remainder, ties to the lower index), done in SQL
// with @duckdb/node-api in process, timed in three phases (read, compute, write).
//
//   node build/ts/bench/duckdb.js INPUT OUTPUT --loss 48250000.123456 --insurance-fund 12000000 --decimals 6
//
// prints one line of JSON (DuckdbSplitResult, bigints as strings). bench/cli.ts runs it
// in a child process under GNU time so that its peak memory is its own.
//
// Exactness: profits are read as DECIMAL(18, decimals) (an int64 of units: exact, and a
// value that does not fit is a conversion error, not a rounding); the split is on HUGEINT
// units (socialized < 2^63 and profit < 2^63, so socialized × profit < 2^126 < 2^127);
// haircuts go back to DECIMAL(18, decimals) by an exact decimal multiplication.

import { DuckDBInstance, version as duckdbVersion } from '@duckdb/node-api';
import { parseArgs } from 'node:util';
import { parseUnits } from '../src/files/decimal.js';

export interface DuckdbSplitOptions {
  /** CSV with a header and columns `account,profit` (profits at `decimals` decimals at most). */
  input: string;
  /** Where to write `account,profit,haircut,profit_after` (amounts at exactly `decimals` decimals). */
  output: string;
  /** Decimal strings, like the command's --loss and --insurance-fund. */
  loss: string;
  insuranceFund: string;
  decimals: number;
  /** DuckDB's worker threads (default: DuckDB's own, the number of cores). */
  threads?: number;
}

export interface DuckdbSplitResult {
  version: string;
  threads: number;
  rows: number;
  insuranceUsed: bigint;
  socialized: bigint;
  uncovered: bigint;
  totalProfit: bigint;
  profitableAccounts: number;
  /** Σ haircuts, computed back from the table: must equal `socialized`. */
  haircutSum: bigint;
  /** total: from opening DuckDB to the end of the write; summary: the untimed check query after it. */
  timingsMs: { read: number; compute: number; write: number; total: number; summary: number };
}

const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The SQL of the three phases, for a given input, output, parameters (integer units) and decimals. */
export function duckdbSql(input: string, output: string, loss: bigint, insuranceFund: bigint, decimals: number): { read: string; compute: string; write: string; summary: string } {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 18) throw new RangeError(`decimals ${decimals}: DECIMAL(18, d) needs 0 ≤ d ≤ 18`);
  const scale = 10n ** BigInt(decimals);
  // One unit as an exact DECIMAL(decimals + 1, decimals) literal: 0.000001 at 6 decimals.
  const unit = decimals === 0 ? 'CAST(1 AS DECIMAL(1, 0))' : `CAST('0.${'1'.padStart(decimals, '0')}' AS DECIMAL(${decimals + 1}, ${decimals}))`;
  const read =
    `CREATE TABLE a AS SELECT row_number() OVER () - 1 AS idx, account, profit ` +
    `FROM read_csv(${sqlString(input)}, header = true, columns = {'account': 'VARCHAR', 'profit': 'DECIMAL(18, ${decimals})'})`;
  // Integer units, exactly: the whole part × 10^d plus the fraction × 10^d, each in int64 (|profit| < 10^18
  // units, and the fraction × 10^d < 10^2d); past 9 decimals, through DECIMAL(38, d) (exact, slower).
  const units = decimals <= 9
    ? `CAST(trunc(profit) AS BIGINT) * ${scale} + CAST((profit - trunc(profit)) * ${scale} AS BIGINT)`
    : `CAST(CAST(profit AS DECIMAL(38, ${decimals})) * ${scale} AS HUGEINT)`;
  // One HUGEINT division a row: floor = (socialized × u) // total (u > 0, so // is the floor), rem = product − floor × total.
  const compute = `
CREATE TABLE h AS
WITH
  p AS MATERIALIZED (SELECT idx, ${units} AS u FROM a WHERE profit > 0),
  params AS (SELECT CAST(${loss} AS HUGEINT) AS loss, CAST(${insuranceFund} AS HUGEINT) AS fund),
  used AS (SELECT least(loss, fund) AS insurance_used, loss - least(loss, fund) AS residual FROM params),
  tot AS (SELECT coalesce(sum(CAST(u AS HUGEINT)), CAST(0 AS HUGEINT)) AS total FROM p),
  s AS (SELECT total, least(residual, total) AS socialized FROM used, tot),
  x AS (SELECT idx, s.socialized * u AS product, s.total AS total FROM p, s),
  f AS (SELECT idx, product, total, product // total AS fl FROM x),
  q AS MATERIALIZED (SELECT idx, CAST(fl AS BIGINT) AS fl, product - fl * total AS rem FROM f),
  l AS (SELECT s.socialized - coalesce(sum(CAST(fl AS HUGEINT)), CAST(0 AS HUGEINT)) AS leftover FROM q, s GROUP BY s.socialized)
SELECT idx, fl + CASE WHEN row_number() OVER (ORDER BY rem DESC, idx ASC) <= l.leftover THEN 1 ELSE 0 END AS haircut
FROM q, l`;
  const haircut = `CAST(CAST(coalesce(h.haircut, 0) AS DECIMAL(18, 0)) * ${unit} AS DECIMAL(18, ${decimals}))`;
  const write =
    `COPY (SELECT a.account, a.profit, ${haircut} AS haircut, CAST(a.profit - ${haircut} AS DECIMAL(18, ${decimals})) AS profit_after ` +
    `FROM a LEFT JOIN h USING (idx) ORDER BY a.idx) TO ${sqlString(output)} (FORMAT csv, HEADER true, DELIMITER ',')`;
  // Not timed: the rows, Σ profit > 0 and their count, Σ haircuts, the threads.
  const summary =
    `SELECT (SELECT count(*) FROM a), (SELECT coalesce(sum(${units}), 0) FROM a WHERE profit > 0), (SELECT count(*) FROM a WHERE profit > 0), ` +
    `(SELECT coalesce(sum(CAST(haircut AS HUGEINT)), 0) FROM h), current_setting('threads')`;
  return { read, compute, write, summary };
}

/** The split with DuckDB, in this process. */
export async function duckdbSplit(options: DuckdbSplitOptions): Promise<DuckdbSplitResult> {
  const { input, output, decimals } = options;
  const loss = parseUnits(options.loss, decimals, '--loss');
  const insuranceFund = parseUnits(options.insuranceFund, decimals, '--insurance-fund');
  if (loss < 0n || insuranceFund < 0n) throw new RangeError('loss and insurance fund must be ≥ 0');
  const sql = duckdbSql(input, output, loss, insuranceFund, decimals);
  const started = performance.now();
  const instance = await DuckDBInstance.create(':memory:', options.threads ? { threads: String(options.threads) } : {});
  const connection = await instance.connect();
  try {
    const t0 = performance.now();
    await connection.run(sql.read);
    const t1 = performance.now();
    await connection.run(sql.compute);
    const t2 = performance.now();
    await connection.run(sql.write);
    const t3 = performance.now();
    // The summary (not timed): the same figures as the command's report, and Σ haircuts.
    const [row] = (await connection.runAndReadAll(sql.summary)).getRows();
    const [rows, totalProfit, profitable, haircutSum, threads] = row!;
    const insuranceUsed = loss < insuranceFund ? loss : insuranceFund;
    const residual = loss - insuranceUsed;
    const total = BigInt(totalProfit as bigint);
    const socialized = residual < total ? residual : total;
    return {
      version: duckdbVersion(),
      threads: Number(threads),
      rows: Number(rows),
      insuranceUsed,
      socialized,
      uncovered: residual - socialized,
      totalProfit: total,
      profitableAccounts: Number(profitable),
      haircutSum: BigInt(haircutSum as bigint),
      timingsMs: { read: t1 - t0, compute: t2 - t1, write: t3 - t2, total: t3 - started, summary: performance.now() - t3 },
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

if (process.argv[1]?.endsWith('duckdb.js')) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      loss: { type: 'string' },
      'insurance-fund': { type: 'string', default: '0' },
      decimals: { type: 'string', default: '6' },
      threads: { type: 'string' },
      'print-sql': { type: 'boolean', default: false },
    },
  });
  const [input, output] = positionals;
  if (!input || !output || values.loss === undefined) {
    throw new Error('usage: duckdb.js INPUT OUTPUT --loss AMOUNT [--insurance-fund AMOUNT] [--decimals 6] [--threads N] [--print-sql]');
  }
  const decimals = Number(values.decimals);
  if (values['print-sql']) {
    const sql = duckdbSql(input, output, parseUnits(values.loss, decimals), parseUnits(values['insurance-fund'], decimals), decimals);
    console.log(`${sql.read};\n${sql.compute.trim()};\n${sql.write};`);
  } else {
    const result = await duckdbSplit({
      input, output, loss: values.loss, insuranceFund: values['insurance-fund'], decimals,
      ...(values.threads ? { threads: Number(values.threads) } : {}),
    });
    console.log(JSON.stringify(result, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
  }
}
