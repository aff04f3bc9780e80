// A result as JSON: `JSON.stringify` throws on a bigint, so logging a result needs
// its amounts as text. Every bigint becomes an exact decimal string (at `decimals`
// when given), every typed array an array of strings; the field names and
// every other value stay as they are.

import { typeError, rangeError } from './errors.js';
import { checkKeys, OPTION_KEYS } from './option-keys.js';
import { formatUnits } from './units.js';
import { describe } from './validate.js';

/** A result with its bigints as strings and its typed arrays as arrays: what `JSON.stringify` takes. */
export type JsonResult<T> = T extends bigint ? string
  : T extends BigInt64Array | BigUint64Array ? string[]
  : T extends ArrayBufferView ? string[]
  : T extends readonly (infer E)[] ? JsonResult<E>[]
  : T extends object ? { [K in keyof T]: JsonResult<T[K]> }
  : T;

/** The options of `resultToJSON`. */
export interface ResultToJSONOptions {
  /** Write amounts as decimals with this many fraction digits (0 to 18); default: integer units. */
  decimals?: number | undefined;
}

/**
 * `result` (of `socialize`, `socializePools`, `deleverage`, `indexDelta`, a summary, or
 * `measureHaircuts`) with its own field names, its bigints as exact decimal strings (at
 * `decimals` when given), its BigInt64Arrays as arrays of such strings and its other typed
 * arrays as arrays of their values' strings: `JSON.stringify` of it never throws, and nothing is rounded.
 * Counts, rates and flags stay as they are.
 *
 * @example
 * JSON.stringify(resultToJSON(engine.socialize({ loss: 10n, profits: [5n, 3n, -2n, 2n] }), { decimals: 2 }).haircuts)
 * // '["0.05","0.03","0.00","0.02"]'
 */
export function resultToJSON<T>(result: T, options: ResultToJSONOptions = {}): JsonResult<T> {
  if (typeof options !== 'object' || options === null) throw typeError('ERR_INVALID_TYPE', `options must be an object, got ${describe(options)}`);
  checkKeys(options, OPTION_KEYS.resultToJSON);
  const { decimals = 0 } = options;
  if (typeof decimals !== 'number') throw typeError('ERR_INVALID_TYPE', `decimals must be a number, got ${describe(decimals)}`);
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 18) throw rangeError('ERR_OUT_OF_RANGE', `decimals must be a whole number from 0 to 18, got ${decimals}`);
  const seen = new Set<object>();
  const convert = (value: unknown): unknown => {
    if (typeof value === 'bigint') return formatUnits(value, decimals);
    if (value instanceof BigInt64Array || value instanceof BigUint64Array) return Array.from(value, (v) => formatUnits(v, decimals));
    if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, String);
    if (typeof value !== 'object' || value === null) return value;
    if (seen.has(value)) throw typeError('ERR_INVALID_TYPE', 'the result refers to itself; expected a tree of values');
    seen.add(value);
    const out = Array.isArray(value) ? value.map(convert) : Object.fromEntries(Object.entries(value).map(([key, v]) => [key, convert(v)]));
    seen.delete(value);
    return out;
  };
  return convert(result) as JsonResult<T>;
}
