// Exact ratios as people read them: a reduced fraction `a/b` and a display decimal of 12
// digits, truncated (never rounded up). The run's report and the measures of a haircut
// vector both state their rates this way.

import { formatUnits } from './units.js';

/** Fraction digits of a rate's display decimal. */
export const RATE_DIGITS = 12;

/** A ratio as an exact reduced fraction (`'3/7'`) and a display decimal (`'0.428571428571'`, truncated). */
export interface Rate {
  fraction: string;
  decimal: string;
}

/**
 * `numerator / denominator` as a Rate (`0/1` when the denominator is 0).
 *
 * @example
 * rateOf(6n, 14n) // { fraction: '3/7', decimal: '0.428571428571' }
 */
export function rateOf(numerator: bigint, denominator: bigint): Rate {
  if (denominator === 0n) return { fraction: '0/1', decimal: formatUnits(0n, RATE_DIGITS) };
  const d = gcd(numerator, denominator);
  return {
    fraction: `${numerator / d}/${denominator / d}`,
    decimal: formatUnits((numerator * 10n ** BigInt(RATE_DIGITS)) / denominator, RATE_DIGITS),
  };
}

/** The greatest common divisor of a and b, at least 1. */
function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a === 0n ? 1n : a;
}
