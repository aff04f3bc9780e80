// Decimal amounts ⇄ integer units, exactly: "12.5" with 2 decimals is 1250
// units. Nothing is ever rounded; anything outside the grammar is an error
// that says what was expected.

import { DecimalError, quote } from './errors.js';
import { formatUnits, MAX_DECIMALS } from '../units.js';
import { parseAmount, type AmountReading } from '../amount.js';

export { formatUnits };

export { MAX_DECIMALS };

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

export { DecimalError };

/**
 * Parses `text` (an optional `-`, digits, optionally `.` and 1 to `decimals`
 * fraction digits) into integer units: `parseUnits("12.5", 2) === 1250n`.
 * Throws DecimalError for anything else: empty values, `+`, spaces, exponents,
 * thousands separators, more fraction digits than `decimals`, values outside
 * the signed 64-bit range after scaling. `rule` names what sets the decimals in
 * messages (`--weight-decimals 2`, `pool USDC's decimals 6`).
 */
export function parseUnits(text: string, decimals: number, rule = `--decimals ${decimals}`): bigint {
  if (text.length === 0) throw new DecimalError('is empty; expected a decimal number');
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) {
    throw new DecimalError(`${quote(text)} is not a decimal number; expected an optional "-", digits, and optionally "." with up to ${decimals} fraction digits`);
  }
  const [, sign, whole, fraction] = match as unknown as [string, string, string, string | undefined];
  if (fraction !== undefined) {
    if (decimals === 0) throw new DecimalError(`${quote(text)} has a fraction; ${rule} allows whole units only`, 'precision');
    if (fraction.length === 0) throw new DecimalError(`${quote(text)} ends in "."; expected fraction digits after it`);
    if (fraction.length > decimals) {
      throw new DecimalError(`${quote(text)} has ${fraction.length} fraction digits; ${rule} allows at most ${decimals}`, 'precision');
    }
  }
  const digits = whole + (fraction ?? '').padEnd(decimals, '0');
  // Past 19 significant digits no value fits in 64 bits: said without making a huge bigint.
  if (digits.length - (/^0*/.exec(digits)![0].length) > 19) {
    throw new DecimalError(`${quote(text)} is outside the signed 64-bit range at ${decimals} decimals`, 'range');
  }
  const units = sign === '-' ? -BigInt(digits) : BigInt(digits);
  if (units < I64_MIN || units > I64_MAX) {
    throw new DecimalError(`${quote(text)} is outside the signed 64-bit range at ${decimals} decimals`, 'range');
  }
  return units;
}

/** `formatUnits` with thousands separators, for people: (123456789n, 2) → "1,234,567.89". */
export function formatGrouped(units: bigint, decimals: number): string {
  const [whole, fraction] = formatUnits(units, decimals).split('.') as [string, string | undefined];
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (fraction === undefined ? '' : '.' + fraction);
}

/** Decodes UTF-8 as it is: a byte-order mark inside a value stays (and makes it no number). */
const KEEP_BOM = new TextDecoder('utf-8', { ignoreBOM: true });

const TWO32 = 4_294_967_296;
const DIGIT_0 = 0x30;

/**
 * `parseUnits` over bytes [start, end), writing the units as two 32-bit words
 * (low to out[at], high to out[at + 1]). Amounts of up to 15 significant digits
 * after scaling (below 2^53) take an exact number path with no string or
 * bigint; anything else goes through `parseUnits`, which also words the errors
 * (with `rule` as there), or with `reading` (an account file's amounts) through
 * `parseAmount`: a decimal comma, more digits than the scale or an exponent read by its rule.
 */
export function parseUnitsInto(
  bytes: Uint8Array, start: number, end: number, decimals: number, out: Int32Array, at: number, rule?: string, reading?: AmountReading,
): void {
  let i = start;
  const negative = i < end && bytes[i] === 0x2d;
  if (negative) i++;
  let value = 0;
  let whole = 0;
  let fraction = -1; // digits after the separator, or −1 without one
  let plain = i < end;
  const separator = (reading?.decimalComma ? 0x2c : 0x2e) - DIGIT_0;
  for (; i < end; i++) {
    const b = bytes[i]! - DIGIT_0;
    if (b >= 0 && b <= 9) {
      value = value * 10 + b;
      if (fraction >= 0) fraction++;
      else whole++;
    } else if (b === separator && fraction < 0) {
      fraction = 0;
    } else {
      plain = false;
      break;
    }
  }
  const scale = decimals - Math.max(fraction, 0);
  if (plain && whole > 0 && fraction !== 0 && scale >= 0 && (fraction < 0 || decimals > 0) && whole + Math.max(fraction, 0) + scale <= 15) {
    const units = (negative ? -value : value) * 10 ** scale;
    const high = Math.floor(units / TWO32);
    out[at] = units - high * TWO32;
    out[at + 1] = high;
    return;
  }
  const text = KEEP_BOM.decode(bytes.subarray(start, end));
  const units = reading === undefined ? parseUnits(text, decimals, rule) : parseAmount(text, decimals, rule ?? `--decimals ${decimals}`, reading);
  out[at] = Number(BigInt.asIntN(32, units));
  out[at + 1] = Number(units >> 32n);
}

/** The signed 64-bit value of two 32-bit words, as a number when it is a safe integer, else as a bigint. */
export function wordsValue(low: number, high: number): number | bigint {
  if (high >= -0x20_0000 && high < 0x20_0000) return high * TWO32 + (low >>> 0);
  return (BigInt(high) << 32n) | BigInt(low >>> 0);
}

/**
 * Writes `value` (units) as ASCII with exactly `decimals` fraction digits into
 * `out` at `at`; returns the position after it. Safe integers take a digit
 * loop with no allocation; larger values go through `formatUnits`.
 */
export function writeUnits(out: Uint8Array, at: number, value: number | bigint, decimals: number): number {
  if (typeof value === 'bigint') {
    const text = formatUnits(value, decimals);
    for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
    return at + text.length;
  }
  let v = value;
  if (v < 0) {
    out[at++] = 0x2d;
    v = -v;
  }
  // Digits of v, at least decimals + 1 of them, written backwards: v = high·10^9 + low,
  // each part below 2^31, so that every digit comes from small-integer arithmetic.
  let high = Math.floor(v / 1e9);
  let low = v - high * 1e9;
  // The division is rounded: near a multiple of 10^9 the quotient can come out one too high.
  if (low < 0) {
    high--;
    low += 1e9;
  }
  // Written backwards from the end: digits of low (all nine when high follows), then of
  // high, then zeros up to decimals + 1 digits; the point goes in after `decimals` of them.
  const digits = Math.max(high > 0 ? 9 + digitCount(high) : digitCount(low), decimals + 1);
  const end = at + digits + (decimals > 0 ? 1 : 0);
  let p = end;
  for (let k = 0; k < digits; k++) {
    if (k === decimals && k > 0) out[--p] = 0x2e;
    let d = 0;
    if (k < 9 || high === 0) {
      const next = (low / 10) | 0;
      d = low - next * 10;
      low = next;
    } else {
      const next = (high / 10) | 0;
      d = high - next * 10;
      high = next;
    }
    out[--p] = DIGIT_0 + d;
  }
  return end;
}

/** How many decimal digits a non-negative integer below 2^31 has (1 for 0). */
function digitCount(v: number): number {
  if (v < 1e5) return v < 10 ? 1 : v < 100 ? 2 : v < 1e3 ? 3 : v < 1e4 ? 4 : 5;
  return v < 1e6 ? 6 : v < 1e7 ? 7 : v < 1e8 ? 8 : v < 1e9 ? 9 : 10;
}

