// The measures' inputs read and checked (`measureHaircuts`, the engine's and a book's):
// the columns as containers, the amounts (a loss and fund, or pools, never both), then
// every element read once, in order: haircuts, then capacities (≥ 0) or profits; then each
// pool index against the number of pools, and each haircut against its capacity.
// Invariant: a bad input is named (field and index) before anything is computed, the same
// way on every path: the oracle reads the elements here, the engine copies them with the
// same checks and the core finds the first bad pool index and haircut, named here.

import { rangeError, typeError } from './errors.js';
import { checkKeys, OPTION_KEYS } from './option-keys.js';
import { poolOutOfRange, readPoolList } from './pools-input.js';
import type { Amount, PoolParams, Profits } from './types.js';
import {
  checkAttached, checkOptionalColumn, describe, lengthMismatch, readAmounts, readColumn, readExempt, type Amounts,
} from './validate.js';

/** The input of `measureHaircuts`. */
export interface MeasureInput {
  /** One haircut per account: 0 … its capacity, and 0 outside the measured population. */
  haircuts: Profits;
  /** The most each account could pay (≥ 0); default max(profit, 0) when `profits` is given. */
  capacities?: Profits | undefined;
  /** Each account's profit: only for the default capacities. */
  profits?: Profits | undefined;
  /** A non-zero (or `true`) entry takes the account out of the measured population. */
  exempt?: Uint8Array | readonly boolean[] | undefined;
  /** The deficit: with it, `uncovered` and `overshoot` against loss − min(loss, insuranceFund). */
  loss?: Amount | undefined;
  /** The insurance fund paid first; default 0 (with `loss`). */
  insuranceFund?: Amount | undefined;
  /** Each account's pool (with `pools`): the measures per pool, and overall. */
  pool?: Uint32Array | undefined;
  /** Each pool's loss and fund (with `pool`). */
  pools?: readonly PoolParams[] | undefined;
}

/** What the measures are held against: R from a loss and fund, or each pool's. */
export interface MeasureAmounts {
  /** Each pool's loss and fund (pooled). */
  pools: Amounts[] | undefined;
  /** The loss and fund when `loss` was given (without pools). */
  amounts: Amounts | undefined;
}

/** A `measureHaircuts` input with its columns as containers (checked as arrays of the right length, their elements not yet read). */
export interface MeasureContainers extends MeasureAmounts {
  haircuts: Profits;
  /** Present when given; else `profits` is. */
  capacities: Profits | undefined;
  profits: Profits | undefined;
  exempt: Uint8Array | undefined;
  pool: Uint32Array | undefined;
}

/** A `measureHaircuts` input, every element read and checked (but the haircuts against their capacities). */
export interface MeasureRead extends MeasureAmounts {
  haircuts: bigint[];
  capacities: bigint[];
  exempt: Uint8Array | undefined;
  pool: Uint32Array | undefined;
}

/** Reads a `measureHaircuts` input (OPTION_KEYS.measureHaircuts): its containers, then every element and pool index. */
export function readMeasureInput(input: unknown): MeasureRead {
  const { haircuts, capacities, profits, exempt, pool, pools, amounts } = readMeasureContainers(input);
  const haircutValues = readColumn(haircuts, 'haircuts', false);
  const capacityValues = capacities !== undefined
    ? readColumn(capacities, 'capacities', true)
    : readColumn(profits!, 'profits', false).map((p) => (p > 0n ? p : 0n));
  if (pool !== undefined) {
    const bad = pool.findIndex((k) => k >= pools!.length);
    if (bad >= 0) throw poolOutOfRange(bad, pool[bad]!, pools!.length);
  }
  return { haircuts: haircutValues, capacities: capacityValues, exempt, pool, pools, amounts };
}

/**
 * Reads a `measureHaircuts` input's amounts and columns as containers
 * (OPTION_KEYS.measureHaircuts); the engine then copies the elements with the checks
 * `readMeasureInput` makes, in its order.
 */
export function readMeasureContainers(input: unknown): MeasureContainers {
  if (typeof input !== 'object' || input === null) {
    throw typeError('ERR_INVALID_TYPE', `the input must be an object with haircuts and capacities, got ${describe(input)}`);
  }
  checkKeys(input, OPTION_KEYS.measureHaircuts);
  const { haircuts, capacities, profits, exempt, pool, pools } = input as MeasureInput;
  if (haircuts === undefined) throw typeError('ERR_INVALID_TYPE', 'haircuts must be given: one haircut per account');
  // The haircuts set the count: checked as a column of their own length.
  const haircutColumn = checkOptionalColumn(haircuts, 'haircuts', (haircuts as ArrayLike<unknown>).length)!;
  const count = haircutColumn.length;
  const capacityColumn = checkOptionalColumn(capacities, 'capacities', count);
  const profitColumn = checkOptionalColumn(profits, 'profits', count);
  if (capacityColumn === undefined && profitColumn === undefined) {
    throw typeError('ERR_INVALID_TYPE', 'capacities must be given (or profits, whose positive part is then the capacity)');
  }
  const exemptions = readExempt(exempt, count);
  if ((pool === undefined) !== (pools === undefined)) throw typeError('ERR_INVALID_OPTION', 'pool and pools go together: give both, or neither');
  const against = readMeasureAmounts(input, pool !== undefined);
  if (pool !== undefined) {
    if (!(pool instanceof Uint32Array)) throw typeError('ERR_INVALID_TYPE', `pool must be a Uint32Array, got ${describe(pool)}`);
    checkAttached(pool, 'pool', count);
    if (pool.length !== count) throw lengthMismatch(pool, 'pool', count);
  }
  return { haircuts: haircutColumn, capacities: capacityColumn, profits: capacityColumn === undefined ? profitColumn : undefined, exempt: exemptions, pool, ...against };
}

/**
 * Reads what the measures are held against from `input` (its keys already checked): with
 * `pooled`, `pools` (each `{ loss, insuranceFund? }`) and no loss or fund; else a `loss`
 * and an `insuranceFund` (default 0), or neither: a fund without a loss is an error.
 */
export function readMeasureAmounts(input: object, pooled: boolean): MeasureAmounts {
  const { loss, insuranceFund, pools } = input as MeasureInput;
  if (pooled && (loss !== undefined || insuranceFund !== undefined)) {
    throw typeError('ERR_INVALID_OPTION', 'with pools, each pool gives its loss and insuranceFund: leave loss and insuranceFund out');
  }
  if (loss === undefined && insuranceFund !== undefined) throw typeError('ERR_INVALID_OPTION', 'insuranceFund is only read with loss: give loss too');
  return { amounts: loss === undefined ? undefined : readAmounts(input, ''), pools: pools === undefined ? undefined : readPoolList(pools) };
}

/**
 * The RangeError for haircut `h` of account `index` (capacity `c`, `exempt` or not) when it
 * is below 0, above its capacity, or above 0 outside the measured population; else undefined.
 */
export function haircutError(index: number, h: bigint, c: bigint, exempt: boolean): RangeError | undefined {
  if (h < 0n) return rangeError('ERR_OUT_OF_RANGE', `haircuts[${index}] must not be negative, got ${h}`);
  if (h > c) return rangeError('ERR_OUT_OF_RANGE', `haircuts[${index}] is ${h}, above its capacity ${c}`);
  if (h > 0n && (exempt || c === 0n)) {
    return rangeError('ERR_OUT_OF_RANGE', `haircuts[${index}] is ${h}, but the account is ${exempt ? 'exempt' : 'without capacity'}: it cannot pay`);
  }
  return undefined;
}
