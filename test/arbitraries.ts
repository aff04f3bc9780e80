// fast-check arbitraries shared by the feature suites: the ones that were the
// same, or the same up to a parameter, in several suites. Those used by one suite
// only stay in that suite.
import fc from 'fast-check';
import type { Rounding } from '../src/index.js';
import { I64_MAX, I64_MIN } from '../src/validate.js';

/** The rounding policies of `socialize`, in the contract's order. */
export const ROUNDINGS: readonly Rounding[] = ['largest-remainder', 'down', 'up'];

/** Any rounding policy. */
export const anyRounding: fc.Arbitrary<Rounding> = fc.constantFrom(...ROUNDINGS);

/** A tie seed over the whole unsigned 64-bit range, or none (`undefined`). */
export const optionalTieSeed: fc.Arbitrary<bigint | undefined> = fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { nil: undefined });

/**
 * Values that make ties and sums past 2^64 likely: 4 in 7 drawn from the small range
 * [min, max], 2 in 7 from [floor, 2^63 − 1], 1 in 7 within 100 of 2^63 − 1.
 * Profits: `mostlySmall(-10n, 40n, I64_MIN)`; weights or caps: `mostlySmall(0n, 50n, 0n)`.
 */
export function mostlySmall(min: bigint, max: bigint, floor: bigint = I64_MIN): fc.Arbitrary<bigint> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.bigInt({ min, max }) },
    { weight: 2, arbitrary: fc.bigInt({ min: floor, max: I64_MAX }) },
    { weight: 1, arbitrary: fc.bigInt({ min: I64_MAX - 100n, max: I64_MAX }) },
  );
}

/** A loss or a fund: half of the time in [0, small], else anywhere in [0, 2^63 − 1]. */
export function amountUpTo(small: bigint): fc.Arbitrary<bigint> {
  return fc.oneof(fc.bigInt({ min: 0n, max: small }), fc.bigInt({ min: 0n, max: I64_MAX }));
}

/** Exactly `count` pools' parameters, each loss and fund drawn from `amount`. */
export function poolParameters(count: number, amount: fc.Arbitrary<bigint>): fc.Arbitrary<{ loss: bigint; insuranceFund: bigint }[]> {
  return fc.array(fc.record({ loss: amount, insuranceFund: amount }), { minLength: count, maxLength: count });
}

/**
 * Queue inputs (`deleverage`) of up to `maxAccounts` accounts: profits, `score`s, capacities,
 * lots (small, or anywhere up to 2^63 − 1), exemptions, a loss, a fund and a tie seed, each
 * optional column present half of the time.
 */
export function queueBooks(maxAccounts: number, score: fc.Arbitrary<bigint>) {
  return fc.integer({ min: 0, max: maxAccounts }).chain((n) => fc.record({
    profits: fc.array(mostlySmall(-20n, 60n), { minLength: n, maxLength: n }),
    scores: fc.array(score, { minLength: n, maxLength: n }),
    capacities: fc.option(fc.array(mostlySmall(0n, 60n, 0n), { minLength: n, maxLength: n }), { nil: undefined }),
    lots: fc.option(fc.array(fc.oneof(fc.bigInt({ min: 1n, max: 9n }), fc.bigInt({ min: 1n, max: I64_MAX })), { minLength: n, maxLength: n }), { nil: undefined }),
    exempt: fc.option(fc.array(fc.boolean(), { minLength: n, maxLength: n }), { nil: undefined }),
    loss: amountUpTo(400n),
    insuranceFund: amountUpTo(100n),
    tieSeed: optionalTieSeed,
  }));
}
