// Amounts as real exports write them (src/files/amount.ts) against a plain-bigint
// rounding of the decimal text: every rule, ties at exactly half, negative values,
// exponents both ways, more than 30 digits, a decimal comma; and the messages of
// what stays refused.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXACT, parseAmount, Tally, type InputRounding } from '../src/amount.js';
import { DecimalError, parseUnitsInto } from '../src/files/decimal.js';
import { runs } from './support.js';

const RULES: InputRounding[] = ['half-even', 'half-up', 'down', 'up'];

/** The oracle: `sign digits.fraction e exponent` at `decimals`, rounded by `rule`, with |adjustment| as a fraction n / 10^k. */
function oracle(sign: string, whole: string, fraction: string, exponent: number, decimals: number, rule: InputRounding) {
  // value × 10^decimals = N / D exactly.
  let n = BigInt(whole + fraction);
  let d = 10n ** BigInt(fraction.length);
  const e = exponent + decimals;
  if (e >= 0) n *= 10n ** BigInt(e);
  else d *= 10n ** BigInt(-e);
  const q = n / d, r = n % d;
  let m = q;
  if (r !== 0n) {
    if (rule === 'up') m = q + 1n;
    else if (rule === 'half-up') m = 2n * r >= d ? q + 1n : q;
    else if (rule === 'half-even') m = 2n * r > d || (2n * r === d && q % 2n === 1n) ? q + 1n : q;
  }
  // |m − N/D| = |m·D − N| / D
  const diff = m * d - n;
  return { units: sign === '-' ? -m : m, adjustment: { n: diff < 0n ? -diff : diff, d } };
}

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));

describe('parseAmount', () => {
  it('rounds the exact value of the text by each rule, and tallies |adjustment| exactly', () => {
    const amount = fc.record({
      sign: fc.constantFrom('', '-'),
      whole: digits(1, 12),
      fraction: fc.oneof(digits(0, 8), digits(9, 34)),
      exponent: fc.option(fc.integer({ min: -40, max: 12 }), { nil: undefined }),
      decimals: fc.integer({ min: 0, max: 18 }),
      rule: fc.constantFrom(...RULES),
      comma: fc.boolean(),
    });
    fc.assert(fc.property(amount, (a) => {
      const separator = a.comma ? ',' : '.';
      const text = `${a.sign}${a.whole}${a.fraction === '' ? '' : separator + a.fraction}${a.exponent === undefined ? '' : `e${a.exponent}`}`;
      const expected = oracle(a.sign, a.whole, a.fraction, a.exponent ?? 0, a.decimals, a.rule);
      const tally = new Tally();
      let units: bigint;
      try {
        units = parseAmount(text, a.decimals, '--decimals', { decimalComma: a.comma, rounding: a.rule, tally });
      } catch (error) {
        expect(error).toBeInstanceOf(DecimalError);
        // Only past the 64-bit range.
        expect(expected.units > 2n ** 63n - 1n || expected.units < -(2n ** 63n)).toBe(true);
        return;
      }
      expect(units).toBe(expected.units);
      const changed = expected.adjustment.n !== 0n;
      expect(tally.rounded).toBe(changed ? 1 : 0);
      // |adjustment| in amounts = n / (d · 10^decimals), d a power of ten: an exact decimal.
      const places = expected.adjustment.d.toString().length - 1 + a.decimals;
      const digits = expected.adjustment.n.toString().padStart(places + 1, '0');
      const fraction = digits.slice(digits.length - places).replace(/0+$/, '').padEnd(a.decimals, '0');
      expect(tally.text(a.decimals)).toBe(digits.slice(0, digits.length - places) + (fraction === '' ? '' : '.' + fraction));
    }), runs(3000));
  });

  it('ties at exactly half, negative values, and what counts as rounded', () => {
    const at = (text: string, rule: InputRounding, decimals = 2) => parseAmount(text, decimals, '--decimals 2', { decimalComma: false, rounding: rule });
    expect(['half-even', 'half-up', 'down', 'up'].map((r) => at('0.125', r as InputRounding))).toEqual([12n, 13n, 12n, 13n]);
    expect(['half-even', 'half-up', 'down', 'up'].map((r) => at('-0.135', r as InputRounding))).toEqual([-14n, -14n, -13n, -14n]);
    expect(at('1.5e-2', 'half-even')).toBe(2n);
    expect(at('2.5E+0', 'half-even', 0)).toBe(2n);
    expect(at('3.5e0', 'half-even', 0)).toBe(4n);
    const tally = new Tally();
    // 1.500 at 2 decimals does not change: not counted.
    expect(parseAmount('1.500', 2, '--decimals 2', { decimalComma: false, rounding: 'half-even', tally })).toBe(150n);
    expect(parseAmount('96.43109799999999', 6, '--decimals 6', { decimalComma: false, rounding: 'half-even', tally })).toBe(96_431_098n);
    expect(parseAmount('1e-05', 6, '--decimals 6', { decimalComma: false, rounding: 'half-even', tally })).toBe(10n);
    expect(tally.rounded).toBe(1);
    // 96.431098 − 96.43109799999999 and 0.00001 − 0.00001: Σ = 0.00000000000001, written at the column's 6 decimals and beyond.
    expect(tally.text(6)).toBe('0.00000000000001');
  });

  it('refuses what exact reading refuses, and says how to fix the export', () => {
    const refuse = (text: string, comma = false) => {
      try {
        parseAmount(text, 6, '--decimals 6', comma ? { decimalComma: true, rounding: 'exact' } : EXACT);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error(`${text} was accepted`);
    };
    expect(refuse('96.43109799999999')).toBe('"96.43109799999999" has 14 fraction digits; --decimals 6 allows at most 6 (a float export\'s digits: round them with --input-rounding half-even, or export with float_format=\'%.6f\')');
    expect(refuse('1e-05')).toMatch(/is in exponent notation; read it exactly with --input-rounding half-even/);
    expect(refuse('nan')).toMatch(/NaN or infinity\); fill or drop the missing values/);
    expect(refuse('-inf')).toMatch(/NaN or infinity/);
    expect(refuse('1,250.50')).toMatch(/remove the thousands separators/);
    expect(refuse('1.250,50', true)).toMatch(/remove the thousands separators/);
    expect(refuse('$12.50')).toMatch(/remove the currency sign/);
    expect(refuse('12.5%')).toMatch(/a percentage/);
    expect(refuse('(12.50)')).toMatch(/accounting parentheses/);
    expect(refuse('1250,50')).toMatch(/decimal comma; read such a file with --decimal-comma/);
    expect(refuse('1250.50', true)).toMatch(/--decimal-comma reads "," as the decimal separator/);
    expect(refuse('1e999')).toMatch(/exponent notation/);
    expect(() => parseAmount('1e999', 6, '--decimals 6', { decimalComma: false, rounding: 'half-even' })).toThrow(/exponent beyond ±400/);
    expect(() => parseAmount('1e-399', 6, '--decimals 6', { decimalComma: false, rounding: 'up' })).not.toThrow();
    expect(() => parseAmount('9.3e12', 6, '--decimals 6', { decimalComma: false, rounding: 'down' })).toThrow(/outside the signed 64-bit range/);
  });

  it('takes the fast path and the exact path alike through parseUnitsInto, with a decimal comma', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n }), fc.integer({ min: 0, max: 6 }), fc.boolean(), (value, decimals, comma) => {
      const negative = value < 0n;
      const text = (negative ? '-' : '') + (negative ? -value : value).toString().padStart(decimals + 1, '0').replace(new RegExp(`(\\d{${decimals}})$`), decimals > 0 ? (comma ? ',$1' : '.$1') : '$1');
      const out = new Int32Array(2);
      const bytes = new TextEncoder().encode(text);
      parseUnitsInto(bytes, 0, bytes.length, decimals, out, 0, undefined, { decimalComma: comma, rounding: 'exact' });
      expect((BigInt(out[1]!) << 32n) | BigInt(out[0]! >>> 0)).toBe(value);
    }), runs(1000));
  });
});
