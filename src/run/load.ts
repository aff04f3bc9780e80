// Reading a run's inputs, shared by socialize, verify and explain: the pools
// file (or the pools a report lists), then the account file, then the checks
// only the whole of both can tell (a listed pool that holds no account).

import { InputError } from '../files/errors.js';
import type { Parameters } from './parameters.js';
import { SILENT, type Platform, type Source } from '../host/platform.js';
import { readInto, type InputSummary } from '../files/read.js';
import { AccountRows, PoolDirectory, PoolRows } from '../files/rows.js';
import type { AccountTable } from '../files/table.js';
import type { Tally } from '../amount.js';

/** The opened inputs of a run (the command opens them before any output, so that they can be checked distinct). */
export interface Sources<S extends Source = Source> {
  accounts: S;
  pools: S | null;
}

/** A run's accounts and pools, read. */
export interface Loaded {
  table: AccountTable;
  /** Every pool by index; one pool (index 0, named "") without a pool column. */
  directory: PoolDirectory;
  /** Whether the run has a pool column. */
  pooled: boolean;
  accounts: InputSummary;
  /** The pools file read, or null (no pools, or pools from a report). */
  poolsInput: InputSummary | null;
  /** How ACCOUNTS was read: the CSV delimiter used (null for JSON Lines and Parquet), and what the input rounding changed per amount column. */
  reading: { delimiter: string | null; tallies: ReadonlyMap<string, Tally> };
}

/** Reads the pools and then the accounts; closes the sources. */
export async function loadRun(sources: Sources, parameters: Parameters, platform: Platform): Promise<Loaded> {
  const pooled = parameters.columns.pool !== undefined;
  const directory = new PoolDirectory(parameters.decimals);
  let poolsInput: InputSummary | null = null;
  try {
    if (!pooled) {
      directory.add({ name: '', loss: parameters.loss, insuranceFund: parameters.insuranceFund, decimals: parameters.decimals, line: 0 });
    } else if (sources.pools !== null) {
      poolsInput = await readInto(sources.pools, 'csv', new PoolRows(sources.pools.name, directory), { ...platform, meter: () => SILENT });
    } else {
      for (const pool of parameters.pools ?? []) directory.add({ ...pool });
    }
  } catch (error) {
    sources.accounts.close();
    throw error;
  }
  // compare's score column has decimals of its own.
  const scoreDecimals = 'scoreDecimals' in parameters ? (parameters as { scoreDecimals: number }).scoreDecimals : 0;
  const rows = new AccountRows(sources.accounts.name, parameters.columns, parameters.decimals, pooled ? directory : null, parameters.weightDecimals, false, scoreDecimals, parameters.reading);
  const accounts = await readInto(sources.accounts, parameters.format, rows, platform, (n) => rows.table.expect(n));
  rows.table.sealed();
  if (pooled) {
    directory.pools.forEach((pool, index) => {
      if (pool.line > 0 && directory.counts[index] === 0 && poolsInput !== null) {
        throw new InputError(poolsInput.file, pool.line, 1, `pool ${JSON.stringify(pool.name)} holds no account of ${accounts.file}; remove it, or check the pool column's spelling (names match byte for byte)`);
      }
    });
  }
  return { table: rows.table, directory, pooled, accounts, poolsInput, reading: { delimiter: rows.delimiter, tallies: rows.tallies } };
}

/** The decimals of row `row`'s amounts: its pool's. */
export function decimalsOfRow(loaded: Loaded): (row: number) => number {
  const { directory, table } = loaded;
  if (directory.pools.every((pool) => pool.decimals === directory.decimals)) return () => directory.decimals;
  return (row) => directory.pools[table.poolOf(row)]!.decimals;
}
