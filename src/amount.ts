// Amounts as real exports write them, read exactly from their text: a decimal
// comma, more fraction digits than the column's scale and exponent notation
// (`96.43109799999999`, `1e-05`), rounded to the scale by an input-rounding rule
// only when asked (`--input-rounding`), each rounding counted with its exact
// adjustment; and for what stays refused (`nan`, thousands separators, currency
// signs, percentages, accounting parentheses), a message that says how to fix
// the export. Never through a float.

import { quote } from './audit/quote.js';

/** Why a decimal string was rejected (a sentence fragment for an error message, completed by the reader with its place). */
export class DecimalError extends Error {
  override name = 'DecimalError';
  /**
   * @param kind what is wrong: not a decimal at all (`invalid`), more fraction digits than
   * the scale allows (`precision`), or a value past 64 bits (`range`).
   */
  constructor(message: string, readonly kind: 'invalid' | 'precision' | 'range' = 'invalid') {
    super(message);
  }
}

/** How an amount with more digits than its scale is read (`--input-rounding`). */
export type InputRounding = 'exact' | 'half-even' | 'half-up' | 'down' | 'up';

/** The rules, as `--input-rounding` spells them. */
export const INPUT_ROUNDINGS: readonly InputRounding[] = ['exact', 'half-even', 'half-up', 'down', 'up'];

/** The largest |exponent| an amount may have: every float64's shortest text fits (±324). */
export const MAX_EXPONENT = 400;

/** The most fraction digits an amount may have under a rounding rule (every float64's full decimal expansion fits: 1074 + 17). */
export const MAX_FRACTION_DIGITS = 1100;

const I64_MAX = 2n ** 63n - 1n;

/**
 * What one column's rounding changed: how many values, and Σ |adjustment| exactly. Each
 * adjustment is kept in a partial sum by its number of fraction digits (the column's
 * scale, which a pool may set, plus the digits past it), so that adding costs the size of
 * the value alone, whatever came before; the sums meet once, when the total is written.
 */
export class Tally {
  /** Values whose value changed. */
  rounded = 0;
  /** Partial sums of |adjustment|, by fraction digits: Σ value × 10^−places. */
  readonly #sums = new Map<number, bigint>();

  /** Adds |adjustment| = `value` × 10^−`places` (an amount, at `places` fraction digits). */
  add(value: bigint, places: number): void {
    this.addAll(1, value, places);
  }

  /** Adds `count` values rounded, whose |adjustment|s sum to `sum` × 10^−`places` (the core's tally of them). */
  addAll(count: number, sum: bigint, places: number): void {
    this.rounded += count;
    this.#sums.set(places, (this.#sums.get(places) ?? 0n) + sum);
  }

  /** Σ |adjustment| as an exact decimal with at least `decimals` fraction digits (the column's scale), and as many more as it needs. */
  text(decimals: number): string {
    const places = Math.max(decimals, ...this.#sums.keys());
    let total = 0n;
    for (const [at, sum] of this.#sums) total += sum * 10n ** BigInt(places - at);
    const digits = total.toString().padStart(places + 1, '0');
    const point = digits.length - places;
    const fraction = places === 0 ? '' : digits.slice(point).replace(/0+$/, '').padEnd(decimals, '0');
    return digits.slice(0, point) + (fraction === '' ? '' : '.' + fraction);
  }
}

/** How amounts are read: the decimal separator, and the rule for more digits than the scale (with where to count). */
export interface AmountReading {
  /** `--decimal-comma`: the separator is `,` and a `.` is an error. */
  decimalComma: boolean;
  rounding: InputRounding;
  /** Where this column's roundings are counted (absent: not counted). */
  tally?: Tally | undefined;
  /** What messages call the rule's setting (default `--input-rounding`; the library: `the rounding option`). */
  ruleName?: string | undefined;
}

/** The reading of today's files: `.`, exact. */
export const EXACT: AmountReading = { decimalComma: false, rounding: 'exact' };

/**
 * Parses `text` at `decimals` by `reading`: an optional `-`, digits, optionally the
 * separator and fraction digits, and (with a rule other than exact) an exponent.
 * More fraction digits than `decimals`, or an exponent, is converted exactly and
 * rounded by the rule (counted in the tally when the value changes); with `exact`
 * it is an error, as everything outside the grammar is. `rule` names what sets the
 * decimals in messages.
 */
export function parseAmount(text: string, decimals: number, rule: string, reading: AmountReading): bigint {
  const point = reading.decimalComma ? ',' : '.';
  const setting = reading.ruleName ?? '--input-rounding';
  if (text.length === 0) throw new DecimalError('is empty; expected a decimal number');
  const match = /^(-?)(\d+)(?:([.,])(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match || (match[3] !== undefined && match[3] !== point)) throw new DecimalError(refusal(text, decimals, reading));
  const [, sign, whole, , fraction = '', exponentText] = match as unknown as [string, string, string, string | undefined, string | undefined, string | undefined];
  if (match[3] !== undefined && fraction.length === 0) throw new DecimalError(`${quote(text)} ends in ${quote(point)}; expected fraction digits after it`);
  if (reading.rounding === 'exact') {
    if (exponentText !== undefined) throw new DecimalError(`${quote(text)} is in exponent notation; read it exactly with ${setting} half-even (or another rule), or export plain decimals (pandas: float_format='%.${decimals}f')`);
    if (match[3] !== undefined && decimals === 0) throw new DecimalError(`${quote(text)} has a fraction; ${rule} allows whole units only (round it with ${setting})`, 'precision');
    if (fraction.length > decimals) {
      // Many more digits than the scale is a float's text (96.43109799999999): say how to read it.
      const hint = fraction.length >= decimals + 6 ? ` (a float export's digits: round them with ${setting} half-even, or export with float_format='%.${decimals}f')` : '';
      throw new DecimalError(`${quote(text)} has ${fraction.length} fraction digits; ${rule} allows at most ${decimals}${hint}`, 'precision');
    }
  }
  // No float's text has more digits: a longer literal is no export's, and its exact Σ would swell the report.
  if (fraction.length > MAX_FRACTION_DIGITS) {
    throw new DecimalError(`${quote(text.length > 40 ? text.slice(0, 40) + '…' : text)} has ${fraction.length.toLocaleString('en-US')} fraction digits; at most ${MAX_FRACTION_DIGITS} are read (a float's text has at most 17 significant digits)`, 'precision');
  }
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  if (Math.abs(exponent) > MAX_EXPONENT) throw new DecimalError(`${quote(text)} has an exponent beyond ±${MAX_EXPONENT}; expected an amount a 64-bit value can hold`, 'range');
  // value = digits × 10^shift units.
  const digits = (whole + fraction).replace(/^0+(?=\d)/, '');
  const shift = exponent - fraction.length + decimals;
  const range = () => new DecimalError(`${quote(text)} is outside the signed 64-bit range at ${decimals} decimals`, 'range');
  if (digits === '0') return 0n;
  if (shift >= 0) {
    // Past 19 significant digits no value fits in 64 bits: said without making a huge bigint.
    if (digits.length + shift > 19) throw range();
    const units = BigInt(digits) * 10n ** BigInt(shift);
    if (units > I64_MAX + (sign === '-' ? 1n : 0n)) throw range();
    return sign === '-' ? -units : units;
  }
  // More digits than the scale: quotient and remainder by 10^−shift, then the rule.
  const k = -shift;
  const magnitude = BigInt(digits);
  const [quotient, remainder] = k > digits.length ? [0n, magnitude] : divideByPower(digits, k);
  let rounded = quotient;
  if (remainder !== 0n) {
    // Twice the remainder against 10^k: below, at or above half (10^k has k + 1 digits; 2r fewer when k > digits + 1).
    const half = k > digits.length + 1 ? -1 : compare(2n * remainder, 10n ** BigInt(k));
    const r = reading.rounding;
    if (r === 'up' || (r === 'half-up' && half >= 0) || (r === 'half-even' && (half > 0 || (half === 0 && (quotient & 1n) === 1n)))) rounded++;
    // |adjustment| in units of 10^−k of a unit: the remainder, or what rounding up added.
    const adjustment = rounded === quotient ? remainder : 10n ** BigInt(k) - remainder;
    reading.tally?.add(adjustment, decimals + k);
  }
  if (rounded > I64_MAX + (sign === '-' ? 1n : 0n)) throw range();
  return sign === '-' ? -rounded : rounded;
}

/** The integer written `digits` divided by 10^k (k ≤ its digit count): quotient and remainder, cut from the text. */
function divideByPower(digits: string, k: number): [bigint, bigint] {
  const cut = digits.length - k;
  return [cut === 0 ? 0n : BigInt(digits.slice(0, cut)), BigInt(digits.slice(cut))];
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Why `text` is not an amount, and how to fix the export when it is a known shape. */
export function refusal(text: string, decimals: number, reading: AmountReading): string {
  const point = reading.decimalComma ? ',' : '.';
  const other = reading.decimalComma ? '.' : ',';
  const t = text.trim();
  const what = `${quote(text)} is not a decimal number`;
  if (/^[-+]?(nan|inf|infinity|-?1\.#(ind|inf))$/i.test(t)) {
    return `${quote(text)} is not a number (a float export's NaN or infinity); fill or drop the missing values before exporting (pandas: df.fillna(0)), or export plain decimals`;
  }
  if (/^(na|n\/a|null|none|nil|-)$/i.test(t)) return `${what}: a missing value; fill or drop the missing values before exporting (pandas: df.fillna(0)), or leave the account out`;
  if (/%$/.test(t)) return `${what}: a percentage; export the amount itself`;
  if (/^-?\(.*\)$/.test(t)) return `${what}: accounting parentheses; write a negative amount with a leading "-"`;
  if (/^\d[\d.,]*-$/.test(t)) return `${what}: a trailing "-"; write a negative amount with a leading "-"`;
  if (/[$€£¥₿]|^[A-Z]{3}\s|\s[A-Z]{3}$/.test(t)) return `${what}: remove the currency sign or code; the column's amounts are plain numbers`;
  const separators = `[${other} \u00a0\u202f']`;
  const esc = (c: string) => (c === '.' ? '\\.' : c);
  // 1,250.50 (or 1.250,50 under --decimal-comma): thousands separators beside the decimal separator.
  if (new RegExp(`^-?[1-9]\\d{0,2}(${separators}\\d{3})+${esc(point)}\\d+$`).test(t)) return `${what}: remove the thousands separators`;
  // 1.250,50 without --decimal-comma: a European export.
  if (!reading.decimalComma && /^-?\d{1,3}(\.\d{3})+,\d+$/.test(t)) return `${what}: it has a decimal comma; read such a file with --decimal-comma`;
  if (new RegExp(`^-?\\d+${esc(other)}\\d+(e[-+]?\\d+)?$`, 'i').test(t)) {
    // 12,500 may be a thousands separator or a decimal separator: both fixes are said.
    const ambiguous = /^-?[1-9]\d{0,2}([.,]\d{3})+$/.test(t);
    if (reading.decimalComma) return `${what}: it has a "." but --decimal-comma reads "," as the decimal separator${ambiguous ? ' (remove the thousands separators, or drop --decimal-comma)' : '; drop --decimal-comma'}`;
    return `${what}: it has a decimal comma; read such a file with --decimal-comma${ambiguous ? ' (or, if the comma separates thousands, remove it)' : ''}`;
  }
  if (new RegExp(`^-?[1-9]\\d{0,2}(${separators}\\d{3})+$`).test(t)) return `${what}: remove the thousands separators`;
  if (/^[ \t]|[ \t]$/.test(text)) return `${what}: remove the spaces around it`;
  if (/^\+/.test(t)) return `${what}: remove the "+"`;
  return `${what}; expected an optional "-", digits, and optionally "${point}" with up to ${decimals} fraction digits`;
}
