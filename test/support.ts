// Shared test support: the core variants every suite runs against, the harness
// that runs a suite once per variant, and an invariant check written from the
// contract (independent of the reference).

import { beforeAll, describe, expect } from 'vitest';
import { VARIANTS as ALL } from '../src/core.js';
import { loadEngine, type Engine, type Variant } from '../src/index.js';
import type { SocializeResult } from '../src/types.js';

/** Every build of the core: each suite runs once per variant. */
export const VARIANTS = ALL;

/**
 * Declares `body`'s tests once per core build, each time in a `describe` titled
 * `${title} (${variant} core)` with an engine of that build loaded before them.
 *
 * `engine` returns that engine: call it inside tests and hooks (it is loaded by a
 * `beforeAll`, so not yet while `body` declares them). `variant` is for tests that
 * load engines of their own.
 *
 * @example
 * describeEachVariant('books', (engine) => {
 *   it('splits 80 over [500, -20, 300]', () => expect(engine().socialize({ loss: 80n, profits: [500n, -20n, 300n] }).haircuts).toEqual(BigInt64Array.from([50n, 0n, 30n])));
 * });
 */
export function describeEachVariant(title: string, body: (engine: () => Engine, variant: Variant) => void): void {
  for (const variant of VARIANTS) {
    describe(`${title} (${variant} core)`, () => {
      let loaded: Engine | undefined;
      beforeAll(async () => {
        loaded = await loadEngine({ variant });
      });
      const engine = (): Engine => {
        if (loaded === undefined) throw new Error(`the ${variant} engine is loaded in beforeAll: call engine() inside a test or hook`);
        return loaded;
      };
      body(engine, variant);
    });
  }
}

/** The whole outcome of a call: its result, or its error's class, code and message (to compare two calls, errors included). */
export function outcome(call: () => unknown): unknown {
  try {
    return call();
  } catch (error) {
    return { error: (error as Error).name, code: (error as { code?: string }).code, message: (error as Error).message };
  }
}

/**
 * Checks the contract's guarantees on one result: the waterfall identity, the
 * exact sum, each haircut in [0, max(profit, 0)] and within one unit of its
 * exact quota, and monotonicity in profit.
 */
export function expectGuarantees(
  profits: readonly bigint[], loss: bigint, insuranceFund: bigint, result: SocializeResult,
): void {
  const { haircuts, insuranceUsed, socialized, uncovered, totalProfit } = result;
  expect(insuranceUsed + socialized + uncovered).toBe(loss);
  expect(insuranceUsed).toBe(loss < insuranceFund ? loss : insuranceFund);
  expect(totalProfit).toBe(profits.reduce((sum, p) => (p > 0n ? sum + p : sum), 0n));
  expect(result.profitableAccounts).toBe(profits.filter((p) => p > 0n).length);
  expect(haircuts.length).toBe(profits.length);
  let sum = 0n;
  for (let i = 0; i < profits.length; i++) {
    const profit = profits[i]!;
    const haircut = haircuts[i]!;
    sum += haircut;
    if (profit <= 0n) {
      expect(haircut).toBe(0n);
      continue;
    }
    expect(haircut >= 0n && haircut <= profit).toBe(true);
    // |haircut − socialized·profit/totalProfit| < 1, in integers.
    const error = haircut * totalProfit - socialized * profit;
    expect(error < totalProfit && -error < totalProfit).toBe(true);
  }
  expect(sum).toBe(socialized);
  const order = profits.map((_, i) => i).sort((a, b) => (profits[a]! < profits[b]! ? -1 : profits[a]! > profits[b]! ? 1 : 0));
  for (let k = 1; k < order.length; k++) {
    if (profits[order[k]!]! > profits[order[k - 1]!]!) {
      expect(haircuts[order[k]!]! >= haircuts[order[k - 1]!]!).toBe(true);
    }
  }
}

/**
 * Whether the long run was asked for: `SOCIALIZED_LOSS_LONG=1` (`npm run test:long`,
 * which CI runs after `npm test`). Under it every property runs its full count and the
 * largest books and domains are used; without it (`npm test`) the same properties run
 * fewer cases on smaller books, asserting the same things.
 */
export const LONG = process.env.SOCIALIZED_LOSS_LONG === '1';

/**
 * fast-check's run count for a property whose full count is `full`: `full` under
 * {@link LONG}, otherwise a quarter of it, but at least `floor` (never more than `full`).
 *
 * @example
 * fc.assert(fc.property(books, check), runs(400)); // 400 in the long run, 100 in npm test
 */
export function runs(full: number, floor = 25): { numRuns: number } {
  return { numRuns: LONG ? full : Math.min(full, Math.max(floor, Math.ceil(full / 4))) };
}

/**
 * `quick` in `npm test`, `long` under {@link LONG}: for the sizes of the largest books,
 * the number of repetitions, or a walk's stride.
 *
 * @example
 * const n = sized(50_001, 150_001); // accounts in a named book
 */
export function sized<T>(quick: T, long: T): T {
  return LONG ? long : quick;
}

/** `bytes` in chunks of the given sizes (cycled; the last as it falls), each a fresh copy: a stream read in pieces. */
export async function* chunked(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const size = Math.max(1, sizes[k % sizes.length]!);
    yield bytes.slice(at, at + size);
    at += size;
  }
}
