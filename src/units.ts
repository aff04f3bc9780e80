// Integer units written as a decimal: the one formatter the library, the files and the
// reports share.

/** The largest number of fraction digits an amount may have (`--decimals`, `decimals`). */
export const MAX_DECIMALS = 18;

/**
 * Formats integer units with exactly `decimals` fraction digits.
 *
 * @example
 * formatUnits(-50n, 2) // '-0.50'
 * formatUnits(1200n, 2) // '12.00'
 */
export function formatUnits(units: bigint, decimals: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(decimals + 1, '0');
  const point = digits.length - decimals;
  return (negative ? '-' : '') + digits.slice(0, point) + (decimals > 0 ? '.' + digits.slice(point) : '');
}
