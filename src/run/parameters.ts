// socialize's parameters, read once for every command that takes them
// (socialize, verify, explain): from the options, or from a report written by
// socialize. Every conflict or bad value is a UsageError naming the option.

import type { Rounding } from '../types.js';
import { DecimalError, MAX_DECIMALS, parseUnits } from '../files/decimal.js';
import { shorten, UsageError } from '../files/errors.js';
import { readFormat, type Format } from '../files/read.js';
import type { AccountColumns, Pool, ReadingOptions } from '../files/rows.js';
import { INPUT_ROUNDINGS } from '../amount.js';
import { DELIMITERS } from '../files/fields.js';

/** The rounding policies, as `--rounding` spells them. */
export const ROUNDINGS: readonly Rounding[] = ['largest-remainder', 'down', 'up'];

/** What a socialization is asked to do, however it was given. */
export interface Parameters {
  /** `--decimals`: fraction digits of every amount (a pool may set its own). */
  decimals: number;
  columns: AccountColumns;
  /** `--weight-decimals` (0 without weights). */
  weightDecimals: number;
  rounding: Rounding;
  tieSeed: bigint | undefined;
  /** `--format` of ACCOUNTS, when given (else its extension or content). */
  format: Format | undefined;
  /** How ACCOUNTS is read: `--delimiter`, `--decimal-comma`, `--input-rounding`. */
  reading: ReadingOptions;
  /** Without pools: the loss and fund (one pool of every account). */
  loss: bigint;
  insuranceFund: bigint;
  /** With pools: the pools file to read (`--pools`)… */
  poolsFile: string | undefined;
  /** …or the pools as a report lists them (verify, explain with `--report`). */
  pools: Pool[] | undefined;
}

/** The options that say how ACCOUNTS is read (every command that reads it takes them). */
export const READING_OPTIONS = ['delimiter', 'decimal-comma', 'input-rounding'] as const;

/**
 * Reads `--delimiter` (`,` `;` `tab` `|`), `--decimal-comma` (a flag: present in `values`
 * with any value) and `--input-rounding`.
 */
export function readReading(values: ReadonlyMap<string, string>): ReadingOptions {
  const given = values.get('delimiter');
  let delimiter: string | null = null;
  if (given !== undefined) {
    delimiter = given === 'tab' || given === '\\t' ? '\t' : given;
    if (!DELIMITERS.includes(delimiter)) throw new UsageError(`--delimiter must be ",", ";", tab or "|", got ${JSON.stringify(shorten(given))}`);
  }
  const decimalComma = values.has('decimal-comma');
  if (decimalComma && delimiter === ',') throw new UsageError('--decimal-comma with --delimiter ",": the comma cannot separate both fields and decimals; give --delimiter ";" (or tab)');
  return { delimiter, decimalComma, inputRounding: readChoice(values.get('input-rounding'), '--input-rounding', INPUT_ROUNDINGS, 'exact') };
}

/** The options that set parameters: with `--report` none of them may be given. */
export const PARAMETER_OPTIONS = [
  'decimals', 'loss', 'insurance-fund', 'pool-column', 'pools', 'account-column', 'profit-column', 'exempt-column',
  'weight-column', 'weight-decimals', 'cap-column', 'rounding', 'tie-seed', 'format', ...READING_OPTIONS,
] as const;

/** `--decimals`-like values: a whole number from 0 to 18. */
export function readDecimals(value: string | undefined, flag: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new UsageError(`${flag} is required`);
  }
  if (!/^\d+$/.test(value) || Number(value) > MAX_DECIMALS) {
    throw new UsageError(`${flag} must be a whole number from 0 to ${MAX_DECIMALS}, got ${JSON.stringify(shorten(value))}`);
  }
  return Number(value);
}

/** A non-negative amount option at `decimals`. */
export function readAmountOption(value: string | undefined, flag: string, decimals: number): bigint {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  let units: bigint;
  try {
    units = parseUnits(value, decimals);
  } catch (error) {
    if (error instanceof DecimalError) throw new UsageError(`${flag} ${error.message}`);
    throw error;
  }
  if (units < 0n) throw new UsageError(`${flag} must not be negative, got ${shorten(value)}`);
  return units;
}

/** `--tie-seed`: a decimal integer from −2^63 to 2^64 − 1 (used modulo 2^64). */
export function readTieSeed(value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d{1,20}$/.test(value)) throw new UsageError(`--tie-seed must be a decimal integer, got ${JSON.stringify(shorten(value))}`);
  const seed = BigInt(value);
  if (seed < -(2n ** 63n) || seed >= 2n ** 64n) throw new UsageError(`--tie-seed must be between -2^63 and 2^64 − 1, got ${value}`);
  return seed;
}

/** A policy option's value among `allowed`. */
export function readChoice<T extends string>(value: string | undefined, flag: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be ${allowed.join(', ').replace(/, ([^,]*)$/, ' or $1')}, got ${JSON.stringify(shorten(value))}`);
  return value as T;
}

/** A column-name option: a non-empty name. */
function readColumnName(value: string | undefined, flag: string): string | undefined {
  if (value === '') throw new UsageError(`${flag} is empty; expected a column name`);
  return value;
}

/** Reads socialize's parameters from the options (`values`, by option name without `--`). */
export function readParameters(values: ReadonlyMap<string, string>): Parameters {
  const get = (name: string) => values.get(name);
  const decimals = readDecimals(get('decimals'), '--decimals');
  const poolColumn = readColumnName(get('pool-column'), '--pool-column');
  const poolsFile = get('pools');
  if (poolsFile !== undefined && poolColumn === undefined) throw new UsageError('--pools needs --pool-column: the column naming each account\'s pool');
  if (poolColumn !== undefined && poolsFile === undefined) throw new UsageError('--pool-column needs --pools: the file of each pool\'s loss');
  if (poolColumn !== undefined && get('loss') !== undefined) throw new UsageError('--loss with --pool-column: a pooled run takes each pool\'s loss from the --pools file');
  if (poolColumn !== undefined && get('insurance-fund') !== undefined) {
    throw new UsageError('--insurance-fund with --pool-column: a pooled run takes each pool\'s fund from the --pools file (column insurance_fund)');
  }
  if (poolColumn === undefined && get('loss') === undefined) throw new UsageError('--loss is required (or --pool-column with --pools for a loss per pool)');
  const weight = readColumnName(get('weight-column'), '--weight-column');
  const cap = readColumnName(get('cap-column'), '--cap-column');
  if (cap !== undefined && weight === undefined) throw new UsageError('--cap-column needs --weight-column: caps apply to a split by weight');
  if (get('weight-decimals') !== undefined && weight === undefined) throw new UsageError('--weight-decimals needs --weight-column');
  const rounding = readChoice(get('rounding'), '--rounding', ROUNDINGS, 'largest-remainder');
  const tieSeed = readTieSeed(get('tie-seed'));
  if (tieSeed !== undefined && rounding !== 'largest-remainder') throw new UsageError(`--tie-seed orders equal remainders under --rounding largest-remainder; it has no effect under ${rounding}`);
  return {
    decimals,
    columns: {
      account: readColumnName(get('account-column'), '--account-column') ?? 'account',
      profit: readColumnName(get('profit-column'), '--profit-column') ?? 'profit',
      pool: poolColumn,
      exempt: readColumnName(get('exempt-column'), '--exempt-column'),
      weight,
      cap,
    },
    weightDecimals: readDecimals(get('weight-decimals'), '--weight-decimals', 0),
    rounding,
    tieSeed,
    format: readFormat(get('format')),
    reading: readReading(values),
    loss: poolColumn === undefined ? readAmountOption(get('loss'), '--loss', decimals) : 0n,
    insuranceFund: poolColumn === undefined && get('insurance-fund') !== undefined ? readAmountOption(get('insurance-fund'), '--insurance-fund', decimals) : 0n,
    poolsFile,
    pools: undefined,
  };
}

/** The mechanisms `compare` sets side by side, as `--mechanisms` spells them. */
export const MECHANISMS = ['pro-rata', 'weighted', 'queue'] as const;

/** One mechanism of `compare`. */
export type Mechanism = (typeof MECHANISMS)[number];

/** What ranks the queue without a score column (`--rank-by`). */
export const RANK_BY = ['profit', 'capacity'] as const;

/** What `compare` is asked: socialize's parameters and the mechanisms' own. */
export interface CompareParameters extends Parameters {
  /** `--mechanisms`, in the order given (default pro-rata,queue). */
  mechanisms: Mechanism[];
  /** `--score-decimals` (0 without a score column). */
  scoreDecimals: number;
  /** `--rank-by`: what the queue ranks by when there is no score column (null with one). */
  rankBy: (typeof RANK_BY)[number] | null;
}

/** The options only `compare` takes (beside socialize's, less `--cap-column`). */
export const COMPARE_OPTIONS = ['mechanisms', 'capacity-column', 'score-column', 'score-decimals', 'rank-by', 'lot-column'] as const;

/** `--mechanisms`: a comma-separated list of distinct mechanisms. */
export function readMechanisms(value: string | undefined): Mechanism[] {
  if (value === undefined) return ['pro-rata', 'queue'];
  const names = value.split(',');
  const seen = new Set<string>();
  for (const name of names) {
    if (!(MECHANISMS as readonly string[]).includes(name)) {
      throw new UsageError(`--mechanisms lists ${JSON.stringify(shorten(name))}; expected a comma-separated list of ${MECHANISMS.join(', ')}`);
    }
    if (seen.has(name)) throw new UsageError(`--mechanisms lists ${name} twice; expected each mechanism once`);
    seen.add(name);
  }
  return names as Mechanism[];
}

/** Reads compare's parameters from the options. */
export function readCompareParameters(values: ReadonlyMap<string, string>): CompareParameters {
  const get = (name: string) => values.get(name);
  const mechanisms = readMechanisms(get('mechanisms'));
  const queue = mechanisms.includes('queue');
  // The queue orders equal scores by the tie seed under every rounding policy.
  const withoutSeed = new Map(values);
  withoutSeed.delete('tie-seed');
  const base = queue ? { ...readParameters(withoutSeed), tieSeed: readTieSeed(get('tie-seed')) } : readParameters(values);
  const weight = base.columns.weight;
  if (mechanisms.includes('weighted') && weight === undefined) throw new UsageError('--mechanisms weighted needs --weight-column: the column of weights to split by');
  if (weight !== undefined && !mechanisms.includes('weighted')) throw new UsageError('--weight-column is read by the weighted mechanism only; add weighted to --mechanisms, or drop --weight-column');
  const score = readColumnName(get('score-column'), '--score-column');
  if (score !== undefined && get('rank-by') !== undefined) throw new UsageError('--rank-by with --score-column: the queue ranks by the score column; give one of them');
  if (get('score-decimals') !== undefined && score === undefined) throw new UsageError('--score-decimals needs --score-column');
  for (const option of ['score-column', 'rank-by', 'lot-column'] as const) {
    if (get(option) !== undefined && !queue) throw new UsageError(`--${option} is read by the queue only; add queue to --mechanisms, or drop --${option}`);
  }
  return {
    ...base,
    columns: {
      ...base.columns,
      capacity: readColumnName(get('capacity-column'), '--capacity-column'),
      score,
      lot: readColumnName(get('lot-column'), '--lot-column'),
    },
    mechanisms,
    scoreDecimals: readDecimals(get('score-decimals'), '--score-decimals', 0),
    rankBy: score !== undefined || !queue ? null : readChoice(get('rank-by'), '--rank-by', RANK_BY, 'profit'),
  };
}
