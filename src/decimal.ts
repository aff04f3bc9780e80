// `socialized-loss/decimal`: amounts as the command line reads and writes them,
// for programs that embed the engine: decimal text to integer units and back,
// exactly (never through a float), with the command's grammar, its rounding rules
// for over-precise or exponent amounts (`--input-rounding`), and errors with a code.

import { typeError, rangeError } from './errors.js';
import { DecimalError, INPUT_ROUNDINGS, parseAmount } from './amount.js';
import { checkKeys, OPTION_KEYS } from './option-keys.js';
import { describe } from './validate.js';
import { formatUnits, MAX_DECIMALS } from './units.js';

export { formatUnits };

/**
 * How a text with more fraction digits than `decimals`, or in exponent notation, is read:
 * `exact` (the default: an error), `half-even` (ties to even), `half-up` (ties away from
 * zero), `down` (toward zero) or `up` (away from zero). The command's `--input-rounding`.
 */
export type DecimalRounding = 'exact' | 'half-even' | 'half-up' | 'down' | 'up';

/** The options of `parseUnits`. */
export interface ParseUnitsOptions {
  /** The rule for more fraction digits than `decimals`, or an exponent; default `exact`. */
  rounding?: DecimalRounding | undefined;
}

/**
 * A decimal text as integer units at `decimals` fraction digits (0 to 18), exactly as the
 * command line reads an account file's amount: an optional `-`, digits, optionally `.` and
 * fraction digits; with a `rounding` rule other than `exact`, also more fraction digits than
 * `decimals` and exponent notation (`1e-05`), converted exactly from the text and rounded.
 * Throws a TypeError `ERR_INVALID_DECIMAL` for a text that is not a decimal (with what to
 * fix: thousands separators, currency signs, `nan`…), a RangeError `ERR_PRECISION` for more
 * fraction digits than allowed under `exact`, `ERR_OUT_OF_RANGE` past the signed 64-bit range.
 *
 * @example
 * parseUnits('1250.50', 2) // 125050n
 * parseUnits('96.43109799999999', 6, { rounding: 'half-even' }) // 96431098n
 */
export function parseUnits(text: string, decimals: number, options: ParseUnitsOptions = {}): bigint {
  if (typeof text !== 'string') throw typeError('ERR_INVALID_TYPE', `text must be a string, got ${describe(text)}`);
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > MAX_DECIMALS) {
    throw (typeof decimals === 'number' ? rangeError('ERR_OUT_OF_RANGE', `decimals must be a whole number from 0 to ${MAX_DECIMALS}, got ${decimals}`)
      : typeError('ERR_INVALID_TYPE', `decimals must be a number, got ${describe(decimals)}`));
  }
  if (typeof options !== 'object' || options === null) throw typeError('ERR_INVALID_TYPE', `options must be an object, got ${describe(options)}`);
  checkKeys(options, OPTION_KEYS.parseUnits);
  const rounding = options.rounding ?? 'exact';
  if (!(INPUT_ROUNDINGS as readonly unknown[]).includes(rounding)) {
    throw (typeof rounding === 'string' ? rangeError('ERR_INVALID_OPTION', `rounding must be ${INPUT_ROUNDINGS.join(', ')}, got ${JSON.stringify(rounding)}`)
      : typeError('ERR_INVALID_TYPE', `rounding must be a string, got ${describe(rounding)}`));
  }
  try {
    return parseAmount(text, decimals, `decimals ${decimals}`, { decimalComma: false, rounding, ruleName: 'the rounding option' });
  } catch (error) {
    if (!(error instanceof DecimalError)) throw error;
    const message = `text ${error.message}`;
    if (error.kind === 'precision') throw rangeError('ERR_PRECISION', message);
    if (error.kind === 'range') throw rangeError('ERR_OUT_OF_RANGE', message);
    throw typeError('ERR_INVALID_DECIMAL', message);
  }
}
