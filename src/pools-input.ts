// The pools calls' inputs read and checked: a whole `socializePools` input (the pool
// column beside the profits), the list of pools' amounts, a book's pools options, and the
// error for an account whose pool index is out of range. Built on validate.ts's readers.
// Invariant: every entry of `pools` is read once, index by index (holes included), and a
// bad one is named by its index before anything is computed.

import { rangeError, typeError } from './errors.js';
import { checkKeys, OPTION_KEYS } from './option-keys.js';
import type { Profits, SocializePoolsInput } from './types.js';
import {
  checkAttached, checkProfits, describe, lengthMismatch, readAmounts, readExempt, readOptions, readWeighting, type Amounts, type Options,
} from './validate.js';

/**
 * Reads the options of a book's `socializePools`: an object of known keys
 * (OPTION_KEYS.bookPools), its `rounding` and `tieSeed`.
 */
export function readPoolOptions(options: unknown): Options {
  if (typeof options !== 'object' || options === null) throw typeError('ERR_INVALID_TYPE', `options must be an object, got ${describe(options)}`);
  checkKeys(options, OPTION_KEYS.bookPools);
  return readOptions(options);
}

/** Validated input of `socializePools`. */
export interface PoolsInput {
  /** The profits (checked as a container only). */
  profits: Profits;
  /** Each account's pool index (its range is the caller's to check). */
  pool: Uint32Array;
  /** Each pool's loss and insurance fund. */
  pools: Amounts[];
  /** The rounding and tie seed of every pool. */
  options: Options;
  /** One byte per account (non-zero: exempt), or undefined. */
  exempt: Uint8Array | undefined;
  /** Present when the split is by weight. */
  weights: Profits | undefined;
  /** Present when caps other than the profits are given (only with weights). */
  caps: Profits | undefined;
}

/**
 * Reads a whole `socializePools` input. Pool indices are checked against the
 * number of pools by the caller (the first account out of range is named then).
 */
export function readPoolsInput(input: unknown): PoolsInput {
  if (typeof input !== 'object' || input === null) {
    throw typeError('ERR_INVALID_TYPE', `the input must be an object with profits, pool and pools, got ${describe(input)}`);
  }
  checkKeys(input, OPTION_KEYS.socializePools);
  const { profits, pool, pools, exempt, weights, caps } = input as SocializePoolsInput;
  const options = readOptions(input);
  checkProfits(profits);
  const weighting = readWeighting(weights, caps, profits.length);
  if (!(pool instanceof Uint32Array)) throw typeError('ERR_INVALID_TYPE', `pool must be a Uint32Array, got ${describe(pool)}`);
  checkAttached(pool, 'pool', profits.length);
  if (pool.length !== profits.length) throw lengthMismatch(pool, 'pool', profits.length);
  return { profits, pool, pools: readPoolList(pools), options, exempt: readExempt(exempt, profits.length), ...weighting };
}

/**
 * Reads `pools`: an array whose every entry (holes included, index by index) is an
 * object with a `loss` and an optional `insuranceFund` (and no other key), each read once.
 */
export function readPoolList(pools: unknown): Amounts[] {
  if (!Array.isArray(pools)) throw typeError('ERR_INVALID_TYPE', `pools must be an array of { loss, insuranceFund? }, got ${describe(pools)}`);
  const count = pools.length;
  const amounts: Amounts[] = [];
  for (let k = 0; k < count; k++) {
    // An index loop, not map: map skips holes, which would leave pools without amounts.
    const value: unknown = pools[k];
    if (typeof value !== 'object' || value === null) {
      throw typeError('ERR_INVALID_TYPE', `pools[${k}] must be an object with a loss, got ${k in pools ? describe(value) : 'a hole'}`);
    }
    checkKeys(value, OPTION_KEYS.pool, `pools[${k}]`);
    amounts.push(readAmounts(value, `pools[${k}].`));
  }
  return amounts;
}

/** The RangeError for account `index` whose pool index `value` is not below `count`. */
export function poolOutOfRange(index: number, value: number, count: number): RangeError {
  return rangeError('ERR_POOL_INDEX', `pool[${index}] is ${value}, but there ${count === 1 ? 'is 1 pool' : `are ${count} pools`}`);
}
