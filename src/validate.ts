// Input checks shared by the engine and the reference: every bad input gets a
// TypeError or RangeError that names the field and, for arrays, the first bad index.

import type { IndexDeltaInput, IndexRounding, Profits, Rounding, SocializeInput, SocializeParams, SocializePoolsInput } from './types.js';

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

/** Element `index` of the column `field` (profits, weights, caps, units): a signed 64-bit integer. */
export function readInt64(value: unknown, field: string, index: number): bigint {
  const integer = toInteger(value, `${field}[${index}]`);
  if (integer < I64_MIN || integer > I64_MAX) {
    throw new RangeError(`${field}[${index}] must be within the signed 64-bit range, got ${integer}`);
  }
  return integer;
}

/** Checks that the column `field` is an array or a typed array (not a DataView). */
function checkColumn(values: unknown, field: string): asserts values is Profits {
  const typed = ArrayBuffer.isView(values) && !(values instanceof DataView);
  if (!typed && !Array.isArray(values)) {
    throw new TypeError(`${field} must be an array or a typed array, got ${describe(values)}`);
  }
}

/** Checks that `profits` is an array or a typed array (not a DataView). */
export function checkProfits(profits: unknown): asserts profits is Profits {
  checkColumn(profits, 'profits');
}

/**
 * Reads an optional column of `count` signed 64-bit values (`weights`, `caps`):
 * undefined, or an array or typed array of the right length. Elements are
 * checked when copied (`copyColumn`) or read (`readColumn`).
 */
export function checkOptionalColumn(values: unknown, field: string, count: number): Profits | undefined {
  if (values === undefined) return undefined;
  checkColumn(values, field);
  if (values.length !== count) {
    // A view whose buffer was detached (engine memory grew since it was taken) reads as empty.
    const detached = ArrayBuffer.isView(values) && values.buffer.byteLength === 0 && count > 0;
    const hint = detached ? ': a detached view (engine memory grew since it was taken; read the book\'s view again)' : '';
    throw new RangeError(`${field} has ${values.length} entries; expected one per account (${count})${hint}`);
  }
  return values;
}

/** Every element of a column as a bigint, checked: signed 64-bit, and ≥ 0 when `nonNegative`. */
export function readColumn(values: Profits, field: string, nonNegative: boolean): bigint[] {
  return Array.from({ length: values.length }, (_, i) => {
    const value = readInt64(values[i], field, i);
    if (nonNegative && value < 0n) throw negativeEntry(field, i, value);
    return value;
  });
}

/**
 * The first negative value of a BigInt64Array, or −1: read as 32-bit words, where
 * a value is negative exactly when its high (odd, little-endian) word is.
 */
export function firstNegativeIndex(values: BigInt64Array): number {
  const words = new Int32Array(values.buffer, values.byteOffset, 2 * values.length);
  for (let i = 1; i < words.length; i += 2) if (words[i]! < 0) return i >> 1;
  return -1;
}

/**
 * Checks every element of a weights or caps column in order (an integer, signed
 * 64-bit, not negative), throwing as `readColumn` does; a BigInt64Array needs only
 * the sign check, by words.
 */
export function checkNonNegativeColumn(values: Profits, field: string): void {
  if (values instanceof BigInt64Array) {
    const bad = firstNegativeIndex(values);
    if (bad >= 0) throw negativeEntry(field, bad, values[bad]!);
    return;
  }
  for (let i = 0; i < values.length; i++) {
    const value = readInt64(values[i], field, i);
    if (value < 0n) throw negativeEntry(field, i, value);
  }
}

/** The RangeError for a negative weight or cap. */
export function negativeEntry(field: string, index: number, value: bigint): RangeError {
  return new RangeError(`${field}[${index}] must not be negative, got ${value}`);
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

/** A validated `socialize` input: columns are checked as containers only. */
export interface Input extends Params {
  profits: Profits;
  exempt: Uint8Array | undefined;
  /** Present when the split is by weight. */
  weights: Profits | undefined;
  /** Present when caps other than the profits are given (only with weights). */
  caps: Profits | undefined;
}

/** Reads a whole `socialize` input; columns are checked as containers only. */
export function readInput(input: unknown): Input {
  const params = readParams(input);
  const { profits, exempt, weights, caps } = input as SocializeInput;
  checkProfits(profits);
  return { ...params, profits, exempt: readExempt(exempt, profits.length), ...readWeighting(weights, caps, profits.length) };
}

/** Reads the optional `weights` and `caps` columns (containers only); caps need weights. */
function readWeighting(weights: unknown, caps: unknown, count: number): { weights: Profits | undefined; caps: Profits | undefined } {
  const weightColumn = checkOptionalColumn(weights, 'weights', count);
  const capColumn = checkOptionalColumn(caps, 'caps', count);
  if (capColumn !== undefined && weightColumn === undefined) throw new TypeError('caps are only read with weights: give weights too');
  return { weights: weightColumn, caps: capColumn };
}

/**
 * Copies the column `values` (field `field`) into `target` (same length),
 * checking each element (and its sign when `nonNegative`). A BigInt64Array is
 * copied in one call, unchecked.
 */
export function copyColumn(values: Profits, target: BigInt64Array, field: string, nonNegative = false): void {
  if (values instanceof BigInt64Array) {
    target.set(values);
    return;
  }
  for (let i = 0; i < target.length; i++) {
    const value = readInt64(values[i], field, i);
    if (nonNegative && value < 0n) throw negativeEntry(field, i, value);
    target[i] = value;
  }
}

/** `copyColumn` for profits. */
export function copyProfits(profits: Profits, target: BigInt64Array): void {
  copyColumn(profits, target, 'profits');
}

/** The rounding directions of an index delta and of its charges. */
export const INDEX_ROUNDINGS: readonly IndexRounding[] = ['up', 'down'];

/** A validated `indexDelta` input. */
export interface IndexInput {
  loss: bigint;
  units: Profits;
  scale: bigint;
  rounding: IndexRounding;
  chargeRounding: IndexRounding;
}

/** Reads `rounding` or `chargeRounding` of an index delta: 'up' (default) or 'down'. */
function readIndexRounding(value: unknown, field: string): IndexRounding {
  if (value === undefined) return 'up';
  if (typeof value !== 'string') throw new TypeError(`${field} must be a string, got ${describe(value)}`);
  if (!INDEX_ROUNDINGS.includes(value as IndexRounding)) {
    throw new RangeError(`${field} must be 'up' or 'down', got ${JSON.stringify(value)}`);
  }
  return value as IndexRounding;
}

/** Reads an `indexDelta` input; `units` is checked as a container only. */
export function readIndexInput(input: unknown): IndexInput {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError(`the input must be an object with loss, units and scale, got ${describe(input)}`);
  }
  const { loss, units, scale, rounding, chargeRounding } = input as IndexDeltaInput;
  const amount = readAmount(loss, 'loss');
  checkColumn(units, 'units');
  const scaleValue = readAmount(scale, 'scale');
  if (scaleValue === 0n) throw new RangeError('scale must be at least 1, got 0');
  return {
    loss: amount, units, scale: scaleValue,
    rounding: readIndexRounding(rounding, 'rounding'), chargeRounding: readIndexRounding(chargeRounding, 'chargeRounding'),
  };
}

/** The RangeError for units that sum to zero: there is nothing to charge a loss to. */
export function zeroUnits(): RangeError {
  return new RangeError('units sum to zero (Σ|units| = 0): there is no position to charge the loss to');
}

/** The RangeError for a charge past the signed 64-bit range. */
export function chargeTooLarge(index: number, charge: bigint): RangeError {
  return new RangeError(`charges[${index}] would be ${charge}, past 2^63 − 1: units[${index}] is too large for this delta and scale`);
}

/** Validated input of `socializePools`. */
export interface PoolsInput {
  profits: Profits;
  pool: Uint32Array;
  pools: Amounts[];
  options: Options;
  exempt: Uint8Array | undefined;
  weights: Profits | undefined;
  caps: Profits | undefined;
}

/**
 * Reads a whole `socializePools` input. Pool indices are checked against the
 * number of pools by the caller (the first account out of range is named then).
 */
export function readPoolsInput(input: unknown): PoolsInput {
  if (typeof input !== 'object' || input === null) throw new TypeError(`the input must be an object with profits, pool and pools, got ${describe(input)}`);
  const { profits, pool, pools, exempt, weights, caps } = input as SocializePoolsInput;
  const options = readOptions(input);
  checkProfits(profits);
  const weighting = readWeighting(weights, caps, profits.length);
  if (!(pool instanceof Uint32Array)) throw new TypeError(`pool must be a Uint32Array, got ${describe(pool)}`);
  if (pool.length !== profits.length) throw new RangeError(`pool has ${pool.length} entries; expected one per account (${profits.length})`);
  if (!Array.isArray(pools)) throw new TypeError(`pools must be an array of { loss, insuranceFund? }, got ${describe(pools)}`);
  const amounts = pools.map((value: unknown, k) => {
    if (typeof value !== 'object' || value === null) throw new TypeError(`pools[${k}] must be an object with a loss, got ${describe(value)}`);
    return readAmounts(value, `pools[${k}].`);
  });
  return { profits, pool, pools: amounts, options, exempt: readExempt(exempt, profits.length), ...weighting };
}

/** The RangeError for account `index` whose pool index `value` is not below `count`. */
export function poolOutOfRange(index: number, value: number, count: number): RangeError {
  return new RangeError(`pool[${index}] is ${value}, but there ${count === 1 ? 'is 1 pool' : `are ${count} pools`}`);
}
