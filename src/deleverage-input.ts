// The auto-deleveraging queue's inputs read and checked (`deleverage`, its pools form):
// amounts, the tie seed, the columns as containers, then every element read once, in
// order, and checked: profits and scores signed 64-bit, capacities ≥ 0 (default
// max(profit, 0)), lots > 0 (default 1).
// Invariant: a bad input is named (field and index) before anything is computed, and no
// input is modified.

import { rangeError, typeError } from './errors.js';
import { checkKeys, OPTION_KEYS } from './option-keys.js';
import { poolOutOfRange, readPoolList } from './pools-input.js';
import type { DeleverageInput, DeleveragePoolsInput, Profits } from './types.js';
import {
  checkAttached, checkOptionalColumn, checkProfits, describe, lengthMismatch, readAmounts, readColumn, readExempt, readOptions, type Amounts,
} from './validate.js';

/** The queue's columns, every element read and checked. */
export interface QueueColumns {
  profits: bigint[];
  scores: bigint[];
  /** Each account's capacity (the default filled in). */
  capacities: bigint[];
  /** Each account's lot (1 when none is given). */
  lots: bigint[];
  /** One byte per account (non-zero: exempt), or undefined. */
  exempt: Uint8Array | undefined;
  /** The tie seed as unsigned 64-bit, or undefined. */
  tieSeed: bigint | undefined;
}

/** A whole queue input: its amounts and its columns. */
export interface QueueInput extends QueueColumns, Amounts {}

/** A whole pooled queue input: each account's pool, each pool's amounts, the columns. */
export interface QueuePoolsInput extends QueueColumns {
  pool: Uint32Array;
  pools: Amounts[];
}

/** Reads a `deleverage` input (OPTION_KEYS.deleverage), every element read and checked. */
export function readDeleverageInput(input: unknown): QueueInput {
  const read = readDeleverageContainers(input);
  return { loss: read.loss, insuranceFund: read.insuranceFund, ...readElements(read) };
}

/**
 * Reads a pooled `deleverage` input (OPTION_KEYS.deleveragePools), every element read and
 * checked; then the first account whose pool index is not below the number of pools is an
 * ERR_POOL_INDEX error.
 */
export function readDeleveragePoolsInput(input: unknown): QueuePoolsInput {
  const read = readDeleveragePoolsContainers(input);
  const columns = readElements(read);
  return { ...columns, pool: checkPoolColumn(read.pool, columns.profits.length, read.pools.length), pools: read.pools };
}

/** The queue's columns as containers (checked as arrays of the right length, their elements not yet read). */
export interface QueueContainers {
  profits: Profits;
  scores: Profits;
  capacities: Profits | undefined;
  lots: Profits | undefined;
  /** One byte per account (non-zero: exempt), or undefined. */
  exempt: Uint8Array | undefined;
  /** The tie seed as unsigned 64-bit, or undefined. */
  tieSeed: bigint | undefined;
}

/**
 * Reads a `deleverage` input's amounts and columns as containers (OPTION_KEYS.deleverage):
 * the engine copies the elements, checking each (readInt64, capacities ≥ 0), in the
 * order the reference reads them: profits, scores, capacities, lots (whose signs the core checks).
 */
export function readDeleverageContainers(input: unknown): QueueContainers & Amounts {
  if (typeof input !== 'object' || input === null) {
    throw typeError('ERR_INVALID_TYPE', `the input must be an object with a loss, profits and scores, got ${describe(input)}`);
  }
  checkKeys(input, OPTION_KEYS.deleverage);
  const { loss, insuranceFund } = readAmounts(input, '');
  return { loss, insuranceFund, ...readContainers(input as DeleverageInput) };
}

/**
 * Reads a pooled `deleverage` input's pools and columns as containers
 * (OPTION_KEYS.deleveragePools), in the reference's order; the engine then reads the
 * elements, the lots' signs and the pool column (`checkPoolColumn`).
 */
export function readDeleveragePoolsContainers(input: unknown): QueueContainers & { pool: unknown; pools: Amounts[] } {
  if (typeof input !== 'object' || input === null) {
    throw typeError('ERR_INVALID_TYPE', `the input must be an object with profits, pool, pools and scores, got ${describe(input)}`);
  }
  checkKeys(input, OPTION_KEYS.deleveragePools);
  const { pool, pools } = input as DeleveragePoolsInput;
  const amounts = readPoolList(pools);
  return { ...readContainers(input as DeleverageInput), pool, pools: amounts };
}

/** Checks the pool column of `count` accounts against the number of pools: a Uint32Array, attached, every index in range. */
export function checkPoolColumn(pool: unknown, count: number, pools: number): Uint32Array {
  if (!(pool instanceof Uint32Array)) throw typeError('ERR_INVALID_TYPE', `pool must be a Uint32Array, got ${describe(pool)}`);
  checkAttached(pool, 'pool', count);
  if (pool.length !== count) throw lengthMismatch(pool, 'pool', count);
  const bad = pool.findIndex((k) => k >= pools);
  if (bad >= 0) throw poolOutOfRange(bad, pool[bad]!, pools);
  return pool;
}

/** The columns as containers and the tie seed of a queue input (its keys already checked). */
function readContainers(input: DeleverageInput): QueueContainers {
  const { profits, scores, capacities, lots, exempt } = input;
  const { tieSeed } = readOptions(input);
  checkProfits(profits);
  const count = profits.length;
  if (scores === undefined) throw typeError('ERR_INVALID_TYPE', 'scores must be given: one score per account (larger first in the queue)');
  return {
    profits,
    scores: checkOptionalColumn(scores, 'scores', count)!,
    capacities: checkOptionalColumn(capacities, 'capacities', count),
    lots: checkOptionalColumn(lots, 'lots', count),
    exempt: readExempt(exempt, count),
    tieSeed,
  };
}

/** Every element of a queue's columns, read and checked in order: profits, scores, capacities (≥ 0, default max(profit, 0)), lots (> 0, default 1). */
function readElements({ profits, scores, capacities, lots, exempt, tieSeed }: QueueContainers): QueueColumns {
  const profitValues = readColumn(profits, 'profits', false);
  return {
    profits: profitValues,
    scores: readColumn(scores, 'scores', false),
    capacities: capacities === undefined ? profitValues.map((p) => (p > 0n ? p : 0n)) : readColumn(capacities, 'capacities', true),
    lots: lots === undefined ? profitValues.map(() => 1n) : readLots(lots),
    exempt,
    tieSeed,
  };
}

/** The RangeError for a lot that is not above 0. */
export function badLot(index: number, lot: bigint): RangeError {
  return rangeError('ERR_OUT_OF_RANGE', `lots[${index}] must be above 0, got ${lot}`);
}

/** Every lot, checked: above 0. */
function readLots(lots: Profits): bigint[] {
  return readColumn(lots, 'lots', false).map((lot, i) => {
    if (lot <= 0n) throw badLot(i, lot);
    return lot;
  });
}
