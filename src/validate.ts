// Input checks shared by the engine and the reference: every bad input gets a
// TypeError or RangeError that names the field and, for arrays, the first bad index.

import type { Profits, Rounding, SocializeInput, SocializeParams, SocializePoolsInput } from './types.js';

/** The smallest signed 64-bit value, −2^63. */
export const I64_MIN = -(2n ** 63n);
/** The largest signed 64-bit value, 2^63 − 1. */
export const I64_MAX = 2n ** 63n - 1n;

/** A short description of a bad value for error messages. */
function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value === 'number') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? `a ${value.constructor?.name ?? 'object'}` : String(value);
}

/** An integer from a bigint or a safe-integer number; anything else is a TypeError naming `field`. */
function toInteger(value: unknown, field: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new TypeError(`${field} must be a bigint or a safe-integer number, got ${describe(value)}`);
}

/** A non-negative amount at most 2^63 − 1 (loss, insurance fund). */
export function readAmount(value: unknown, field: string): bigint {
  const amount = toInteger(value, field);
  if (amount < 0n || amount > I64_MAX) {
    throw new RangeError(`${field} must be between 0 and 2^63 − 1, got ${amount}`);
  }
  return amount;
}

/** Profit number `index`: a signed 64-bit integer. */
export function readProfit(value: unknown, index: number): bigint {
  const profit = toInteger(value, `profits[${index}]`);
  if (profit < I64_MIN || profit > I64_MAX) {
    throw new RangeError(`profits[${index}] must be within the signed 64-bit range, got ${profit}`);
  }
  return profit;
}

/** Checks that `profits` is an array or a typed array (not a DataView). */
export function checkProfits(profits: unknown): asserts profits is Profits {
  const typed = ArrayBuffer.isView(profits) && !(profits instanceof DataView);
  if (!typed && !Array.isArray(profits)) {
    throw new TypeError(`profits must be an array or a typed array, got ${describe(profits)}`);
  }
}

/** The rounding policies, in the order the core numbers them (0, 1, 2). */
export const ROUNDINGS: readonly Rounding[] = ['largest-remainder', 'down', 'up'];

/** Validated options shared by a call's socializations. */
export interface Options {
  rounding: Rounding;
  /** The seed as unsigned 64-bit, or undefined. */
  tieSeed: bigint | undefined;
}

/** Validated amounts of one socialization. */
export interface Amounts {
  loss: bigint;
  insuranceFund: bigint;
}

/** Validated parameters of one socialization. */
export type Params = Amounts & Options;

/** Reads `rounding` (default largest remainder) and `tieSeed` of an input already known to be an object. */
function readOptions(input: object): Options {
  const { rounding = 'largest-remainder', tieSeed } = input as SocializeParams;
  if (typeof rounding !== 'string') throw new TypeError(`rounding must be a string, got ${describe(rounding)}`);
  if (!ROUNDINGS.includes(rounding)) {
    throw new RangeError(`rounding must be one of ${ROUNDINGS.map((r) => `'${r}'`).join(', ')}, got ${JSON.stringify(rounding)}`);
  }
  if (tieSeed !== undefined && typeof tieSeed !== 'bigint') throw new TypeError(`tieSeed must be a bigint, got ${describe(tieSeed)}`);
  if (tieSeed !== undefined && (tieSeed < I64_MIN || tieSeed >= 2n ** 64n)) {
    throw new RangeError(`tieSeed must fit in 64 bits (−2^63 to 2^64 − 1), got ${tieSeed}`);
  }
  return { rounding, tieSeed: tieSeed === undefined ? undefined : BigInt.asUintN(64, tieSeed) };
}

/** Reads `loss` and `insuranceFund` (default 0); `field` prefixes the names in errors. */
function readAmounts(value: object, field: string): Amounts {
  const { loss, insuranceFund = 0n } = value as SocializeParams;
  return { loss: readAmount(loss, `${field}loss`), insuranceFund: readAmount(insuranceFund, `${field}insuranceFund`) };
}

/** Reads `loss`, `insuranceFund` (default 0), `rounding` (default largest remainder) and `tieSeed`. */
export function readParams(params: unknown): Params {
  if (typeof params !== 'object' || params === null) {
    throw new TypeError(`the input must be an object with a loss, got ${describe(params)}`);
  }
  return { ...readOptions(params), ...readAmounts(params, '') };
}

/** Reads `exempt` for `count` accounts: undefined, or one byte per account (non-zero: exempt). */
export function readExempt(exempt: unknown, count: number): Uint8Array | undefined {
  if (exempt === undefined) return undefined;
  if (!(exempt instanceof Uint8Array) && !Array.isArray(exempt)) {
    throw new TypeError(`exempt must be a Uint8Array or an array of booleans, got ${describe(exempt)}`);
  }
  if (exempt.length !== count) throw new RangeError(`exempt has ${exempt.length} entries; expected one per account (${count})`);
  if (exempt instanceof Uint8Array) return exempt;
  const bytes = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const value: unknown = exempt[i];
    if (typeof value !== 'boolean') throw new TypeError(`exempt[${i}] must be a boolean, got ${describe(value)}`);
    bytes[i] = value ? 1 : 0;
  }
  return bytes;
}

/** Reads a whole `socialize` input; profits are checked as a container only. */
export function readInput(input: unknown): Params & { profits: Profits; exempt: Uint8Array | undefined } {
  const params = readParams(input);
  const { profits, exempt } = input as SocializeInput;
  checkProfits(profits);
  return { ...params, profits, exempt: readExempt(exempt, profits.length) };
}

/**
 * Copies `profits` into `target` (same length), checking each element.
 * A BigInt64Array needs no check and is copied in one call.
 */
export function copyProfits(profits: Profits, target: BigInt64Array): void {
  if (profits instanceof BigInt64Array) {
    target.set(profits);
    return;
  }
  for (let i = 0; i < target.length; i++) target[i] = readProfit(profits[i], i);
}

/** Validated input of `socializePools`. */
export interface PoolsInput {
  profits: Profits;
  pool: Uint32Array;
  pools: Amounts[];
  options: Options;
  exempt: Uint8Array | undefined;
}

/**
 * Reads a whole `socializePools` input. Pool indices are checked against the
 * number of pools by the caller (the first account out of range is named then).
 */
export function readPoolsInput(input: unknown): PoolsInput {
  if (typeof input !== 'object' || input === null) throw new TypeError(`the input must be an object with profits, pool and pools, got ${describe(input)}`);
  const { profits, pool, pools, exempt } = input as SocializePoolsInput;
  const options = readOptions(input);
  checkProfits(profits);
  if (!(pool instanceof Uint32Array)) throw new TypeError(`pool must be a Uint32Array, got ${describe(pool)}`);
  if (pool.length !== profits.length) throw new RangeError(`pool has ${pool.length} entries; expected one per account (${profits.length})`);
  if (!Array.isArray(pools)) throw new TypeError(`pools must be an array of { loss, insuranceFund? }, got ${describe(pools)}`);
  const amounts = pools.map((value: unknown, k) => {
    if (typeof value !== 'object' || value === null) throw new TypeError(`pools[${k}] must be an object with a loss, got ${describe(value)}`);
    return readAmounts(value, `pools[${k}].`);
  });
  return { profits, pool, pools: amounts, options, exempt: readExempt(exempt, profits.length) };
}

/** The RangeError for account `index` whose pool index `value` is not below `count`. */
export function poolOutOfRange(index: number, value: number, count: number): RangeError {
  return new RangeError(`pool[${index}] is ${value}, but there ${count === 1 ? 'is 1 pool' : `are ${count} pools`}`);
}
