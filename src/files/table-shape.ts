// What an account table holds and how the core's scanner sees a CSV file's records: the
// types table.ts and its callers share, and the error of a row past the engine's capacity.

import { MAX_ACCOUNTS } from '../core.js';
import type { InputRounding } from '../amount.js';

/** A row past one engine's capacity (the command reports it as a bad row at its line). */
export class RowLimitError extends Error {
  override name = 'RowLimitError';
  constructor(readonly line: number) {
    super(`more than ${MAX_ACCOUNTS.toLocaleString('en-US')} accounts, the engine's capacity; split the file (by pool or by account range)`);
  }
}

/** Which optional columns a table holds. */
export interface TableColumns {
  pool?: boolean | undefined;
  exempt?: boolean | undefined;
  weights?: boolean | undefined;
  caps?: boolean | undefined;
  scores?: boolean | undefined;
  lots?: boolean | undefined;
}

/** The 64-bit columns a table can hold, as 32-bit word pairs. */
export type WordColumn = 'profits' | 'weights' | 'caps' | 'scores' | 'lots';

/** The optional 64-bit columns (every word column but the profits). */
export type OptionalWordColumn = Exclude<WordColumn, 'profits'>;

/** How plain CSV records lie: what the core's scanner needs beyond the bytes. */
export interface CsvShape {
  /** The delimiter's byte, and the decimal separator's. */
  delimiter: number;
  separator: number;
  /** What each field of a record is (the column it fills, or null: none the command reads): `roles.length` fields per record. */
  roles: readonly (Role | null)[];
  /** How amounts with more fraction digits than their scale are read (`--input-rounding`). */
  rounding: InputRounding;
  /** The fraction digits of profits, caps and lots (without a pool column), of weights, of scores. */
  decimals: number;
  weightDecimals: number;
  scoreDecimals: number;
}

/** The columns a CSV field can fill (`haircut` and `after`: a haircut file read back by verify). */
export type Role = 'id' | 'profit' | 'pool' | 'exempt' | 'weight' | 'cap' | 'score' | 'lot' | 'haircut' | 'after';

/** The amount columns whose roundings the core counts, in the order of its tallies (TALLY_ codes). */
export const TALLIED = ['profit', 'weight', 'cap', 'score', 'lot'] as const;

/** What the core's scanner rounded in one amount column, at one number of fraction digits. */
export interface CoreTally {
  column: (typeof TALLIED)[number];
  /** The fraction digits of the values rounded. */
  places: number;
  /** How many were rounded, and Σ |adjustment| in units of 10^−places. */
  count: number;
  sum: bigint;
}
