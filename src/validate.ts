// Input checks shared by the engine and the reference: every bad input gets a
// TypeError or RangeError that names the field and, for arrays, the first bad index,
// with a code of src/errors.ts. The pools calls' inputs are read by pools-input.ts,
// on top of the readers here.

import { rangeError, typeError } from './errors.js';
import { checkKeys, OPTION_KEYS } from './option-keys.js';
import type { IndexDeltaInput, IndexRounding, Profits, Rounding, SocializeInput, SocializeParams } from './types.js';

/** The smallest signed 64-bit value, −2^63. */
export const I64_MIN = -(2n ** 63n);
/** The largest signed 64-bit value, 2^63 − 1. */
export const I64_MAX = 2n ** 63n - 1n;

/** A short description of a bad value for error messages. */
export function describe(value: unknown): string {
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
  throw typeError('ERR_INVALID_TYPE', `${field} must be a bigint or a safe-integer number, got ${describe(value)}`);
}

/** A non-negative amount at most 2^63 − 1 (loss, insurance fund). */
export function readAmount(value: unknown, field: string): bigint {
  const amount = toInteger(value, field);
  if (amount < 0n || amount > I64_MAX) {
    throw rangeError('ERR_OUT_OF_RANGE', `${field} must be between 0 and 2^63 − 1, got ${amount}`);
  }
  return amount;
}

/** Element `index` of the column `field` (profits, weights, caps, units): a signed 64-bit integer. */
export function readInt64(value: unknown, field: string, index: number): bigint {
  const integer = toInteger(value, `${field}[${index}]`);
  if (integer < I64_MIN || integer > I64_MAX) {
    throw rangeError('ERR_OUT_OF_RANGE', `${field}[${index}] must be within the signed 64-bit range, got ${integer}`);
  }
  return integer;
}

/** Checks an account count against the engine's capacity; `field` names it in the error. */
export function checkLength(length: unknown, field: string, capacity: number): number {
  if (typeof length !== 'number') {
    throw typeError('ERR_INVALID_TYPE', `${field} must be a number, got ${typeof length}`);
  }
  if (!Number.isInteger(length) || length < 0) {
    throw rangeError('ERR_OUT_OF_RANGE', `${field} must be a non-negative integer, got ${length}`);
  }
  if (length > capacity) {
    throw rangeError('ERR_CAPACITY', `${field} is ${length}, past the engine's capacity of ${capacity} accounts`);
  }
  return length;
}

/**
 * Whether the buffer of `view` is detached (transferred away, or the engine memory it
 * viewed grew): the view then reads as empty, whatever it held.
 */
export function isDetached(view: ArrayBufferView): boolean {
  const buffer = view.buffer as ArrayBufferLike & { readonly detached?: boolean };
  if (typeof buffer.detached === 'boolean') return buffer.detached;
  // Without ArrayBuffer.prototype.detached (Node 20): an empty buffer is detached
  // exactly when no view of it can be made.
  if (buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * The RangeError (ERR_DETACHED_VIEW) for the typed-array column `field` whose buffer is
 * detached; `count`, when known and not 0, is the number of entries it should have.
 */
export function detachedView(field: string, count?: number): RangeError {
  const what = count !== undefined && count > 0
    ? `${field} has 0 entries; expected one per account (${count}): a detached view`
    : `${field} is a detached view`;
  return rangeError('ERR_DETACHED_VIEW',
    `${what} (its buffer was transferred, or engine memory grew or a book was freed since it was taken; read the book's view again)`);
}

/** Checks that a typed column `field` (of `count` entries, when known) is not detached. */
export function checkAttached(values: ArrayBufferView, field: string, count?: number): void {
  if (isDetached(values)) throw detachedView(field, count);
}

/**
 * Checks that the column `field` is an array or a typed array (not a DataView), and a
 * typed array's buffer not detached; `count`, when known, names the length expected.
 */
function checkColumn(values: unknown, field: string, count?: number): asserts values is Profits {
  const typed = ArrayBuffer.isView(values) && !(values instanceof DataView);
  if (!typed && !Array.isArray(values)) {
    throw typeError('ERR_INVALID_TYPE', `${field} must be an array or a typed array, got ${describe(values)}`);
  }
  if (typed) checkAttached(values, field, count);
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
  checkColumn(values, field, count);
  if (values.length !== count) throw lengthMismatch(values, field, count);
  return values;
}

/**
 * The RangeError for a column `field` that has not `count` entries: ERR_LENGTH_MISMATCH,
 * or ERR_DETACHED_VIEW for a view whose buffer was detached (engine memory grew, or a
 * book was freed, since it was taken), which reads as empty.
 */
export function lengthMismatch(values: ArrayLike<unknown>, field: string, count: number): RangeError {
  if (ArrayBuffer.isView(values) && isDetached(values)) return detachedView(field, count);
  return rangeError('ERR_LENGTH_MISMATCH', `${field} has ${values.length} entries; expected one per account (${count})`);
}

/**
 * Checks that a typed column taken by reference (a BigInt64Array, `exempt`, `pool`)
 * still has `count` entries after the other inputs were read: reading them may have
 * run code that grew the engine memory or resized a buffer.
 */
export function checkStillSized(values: ArrayLike<unknown> | undefined, field: string, count: number): void {
  if (values !== undefined && values.length !== count) throw lengthMismatch(values, field, count);
}

/**
 * Checks columns read for a call (by name; undefined: not given) against `count` once
 * every getter has run, and, with `signs`, that none holds a negative value: columns
 * about to be copied into a book are checked whole first, so that a rejected call
 * leaves the book as it was (elsewhere the core's sums find negative signs).
 */
export function checkColumnsRead(
  columns: Readonly<Record<string, ArrayLike<unknown> | undefined>>, count: number, signs = false,
): void {
  for (const [field, column] of Object.entries(columns)) {
    checkStillSized(column, field, count);
    if (signs && column instanceof BigInt64Array) checkNonNegative(column, field);
  }
}

/**
 * The column `field` as a BigInt64Array of `count` values. A BigInt64Array is taken
 * as it is (its values are not checked here: the core checks signs where they matter);
 * any other array or typed array is read once, element by element, in order, and
 * checked (signed 64-bit, and ≥ 0 when `nonNegative`) into a fresh one. Done before
 * the engine allocates anything, so that an element getter that calls back into the
 * engine cannot change the result.
 */
export function toInt64Column(values: Profits, field: string, count: number, nonNegative = false): BigInt64Array {
  if (values instanceof BigInt64Array) return values;
  let column: BigInt64Array;
  try {
    column = new BigInt64Array(count);
  } catch (error) {
    throw rangeError('ERR_MEMORY', `cannot allocate a copy of ${field} (${count} entries)`, { cause: error });
  }
  for (let i = 0; i < count; i++) {
    const value = readInt64(values[i], field, i);
    if (nonNegative && value < 0n) throw negativeEntry(field, i, value);
    column[i] = value;
  }
  return column;
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
 * Reads weights and caps columns of `count` entries (either may be undefined) as
 * `toInt64Column` does, weights first. Bad weights are reported before bad caps (the
 * reference's order): a typed weights column's signs, otherwise the core's to check,
 * are checked here first when the caps are to be read element by element (which may fail).
 */
export function readWeightColumns(
  weights: Profits | undefined, caps: Profits | undefined, count: number,
): { weights: BigInt64Array | undefined; caps: BigInt64Array | undefined } {
  const weightColumn = weights && toInt64Column(weights, 'weights', count, true);
  if (weightColumn !== undefined && caps !== undefined && !(caps instanceof BigInt64Array) && weightColumn.length === count) {
    checkNonNegative(weightColumn, 'weights');
  }
  return { weights: weightColumn, caps: caps && toInt64Column(caps, 'caps', count, true) };
}

/**
 * The RangeError for the first negative weight (`weight`, −1: none) or else the first
 * negative cap (`cap`) that the core's sums found in these columns.
 */
export function negativeColumn(weights: BigInt64Array, caps: BigInt64Array | undefined, weight: number, cap: number): RangeError {
  if (weight >= 0) return negativeEntry('weights', weight, weights[weight]!);
  return negativeEntry('caps', cap, caps![cap]!);
}

/** Checks that no value of the column `field` is negative (by words), throwing as `readColumn` does. */
export function checkNonNegative(values: BigInt64Array, field: string): void {
  const bad = firstNegativeIndex(values);
  if (bad >= 0) throw negativeEntry(field, bad, values[bad]!);
}

/** The RangeError for a negative weight or cap. */
export function negativeEntry(field: string, index: number, value: bigint): RangeError {
  return rangeError('ERR_OUT_OF_RANGE', `${field}[${index}] must not be negative, got ${value}`);
}

/** The rounding policies (the core's codes for them: src/core/layout.ts). */
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
export function readOptions(input: object): Options {
  const { rounding = 'largest-remainder', tieSeed } = input as SocializeParams;
  if (typeof rounding !== 'string') throw typeError('ERR_INVALID_TYPE', `rounding must be a string, got ${describe(rounding)}`);
  if (!ROUNDINGS.includes(rounding)) {
    throw rangeError('ERR_INVALID_OPTION', `rounding must be one of ${ROUNDINGS.map((r) => `'${r}'`).join(', ')}, got ${JSON.stringify(rounding)}`);
  }
  if (tieSeed !== undefined && typeof tieSeed !== 'bigint') throw typeError('ERR_INVALID_TYPE', `tieSeed must be a bigint, got ${describe(tieSeed)}`);
  if (tieSeed !== undefined && (tieSeed < I64_MIN || tieSeed >= 2n ** 64n)) {
    throw rangeError('ERR_OUT_OF_RANGE', `tieSeed must fit in 64 bits (−2^63 to 2^64 − 1), got ${tieSeed}`);
  }
  return { rounding, tieSeed: tieSeed === undefined ? undefined : BigInt.asUintN(64, tieSeed) };
}

/** Reads `loss` and `insuranceFund` (default 0); `field` prefixes the names in errors. */
export function readAmounts(value: object, field: string): Amounts {
  const { loss, insuranceFund = 0n } = value as SocializeParams;
  return { loss: readAmount(loss, `${field}loss`), insuranceFund: readAmount(insuranceFund, `${field}insuranceFund`) };
}

/**
 * Reads `loss`, `insuranceFund` (default 0), `rounding` (default largest remainder) and
 * `tieSeed` of an object whose every key is one of `known` (the call's list of OPTION_KEYS).
 */
export function readParams(params: unknown, known: readonly string[]): Params {
  if (typeof params !== 'object' || params === null) {
    throw typeError('ERR_INVALID_TYPE', `the input must be an object with a loss, got ${describe(params)}`);
  }
  checkKeys(params, known);
  // Built field by field: spreading two objects into one costs microseconds, more than a small call's work.
  const { rounding, tieSeed } = readOptions(params);
  const { loss, insuranceFund } = readAmounts(params, '');
  return { rounding, tieSeed, loss, insuranceFund };
}

/** Reads `exempt` for `count` accounts: undefined, or one byte per account (non-zero: exempt). */
export function readExempt(exempt: unknown, count: number): Uint8Array | undefined {
  if (exempt === undefined) return undefined;
  if (!(exempt instanceof Uint8Array) && !Array.isArray(exempt)) {
    throw typeError('ERR_INVALID_TYPE', `exempt must be a Uint8Array or an array of booleans, got ${describe(exempt)}`);
  }
  if (exempt instanceof Uint8Array) checkAttached(exempt, 'exempt', count);
  if (exempt.length !== count) throw lengthMismatch(exempt, 'exempt', count);
  if (exempt instanceof Uint8Array) return exempt;
  const bytes = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const value: unknown = exempt[i];
    if (typeof value !== 'boolean') throw typeError('ERR_INVALID_TYPE', `exempt[${i}] must be a boolean, got ${describe(value)}`);
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
  const params = readParams(input, OPTION_KEYS.socialize);
  const { profits, exempt, weights, caps } = input as SocializeInput;
  checkProfits(profits);
  const exemptions = readExempt(exempt, profits.length);
  const weighting = readWeighting(weights, caps, profits.length);
  // Field by field, not spread: see readParams.
  return {
    loss: params.loss, insuranceFund: params.insuranceFund, rounding: params.rounding, tieSeed: params.tieSeed,
    profits, exempt: exemptions, weights: weighting.weights, caps: weighting.caps,
  };
}

/** Reads the optional `weights` and `caps` columns of `count` entries (containers only); caps need weights. */
export function readWeighting(weights: unknown, caps: unknown, count: number): { weights: Profits | undefined; caps: Profits | undefined } {
  const weightColumn = checkOptionalColumn(weights, 'weights', count);
  const capColumn = checkOptionalColumn(caps, 'caps', count);
  if (capColumn !== undefined && weightColumn === undefined) throw typeError('ERR_INVALID_OPTION', 'caps are only read with weights: give weights too');
  return { weights: weightColumn, caps: capColumn };
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
  if (typeof value !== 'string') throw typeError('ERR_INVALID_TYPE', `${field} must be a string, got ${describe(value)}`);
  if (!INDEX_ROUNDINGS.includes(value as IndexRounding)) {
    throw rangeError('ERR_INVALID_OPTION', `${field} must be 'up' or 'down', got ${JSON.stringify(value)}`);
  }
  return value as IndexRounding;
}

/** Reads an `indexDelta` input; `units` is checked as a container only. */
export function readIndexInput(input: unknown): IndexInput {
  if (typeof input !== 'object' || input === null) {
    throw typeError('ERR_INVALID_TYPE', `the input must be an object with loss, units and scale, got ${describe(input)}`);
  }
  checkKeys(input, OPTION_KEYS.indexDelta);
  const { loss, units, scale, rounding, chargeRounding } = input as IndexDeltaInput;
  const amount = readAmount(loss, 'loss');
  checkColumn(units, 'units');
  const scaleValue = readAmount(scale, 'scale');
  if (scaleValue === 0n) throw rangeError('ERR_OUT_OF_RANGE', 'scale must be at least 1, got 0');
  return {
    loss: amount, units, scale: scaleValue,
    rounding: readIndexRounding(rounding, 'rounding'), chargeRounding: readIndexRounding(chargeRounding, 'chargeRounding'),
  };
}

/** The RangeError for units that sum to zero: there is nothing to charge a loss to. */
export function zeroUnits(): RangeError {
  return rangeError('ERR_ZERO_UNITS', 'units sum to zero (Σ|units| = 0): there is no position to charge the loss to');
}

/** The RangeError for a charge past the signed 64-bit range. */
export function chargeTooLarge(index: number, charge: bigint): RangeError {
  return rangeError('ERR_CHARGE_OVERFLOW', `charges[${index}] would be ${charge}, past 2^63 − 1: units[${index}] is too large for this delta and scale`);
}
