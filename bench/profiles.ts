// The benchmark's books: a profile of profits plus a loss, generated once per size.

import { generateProfits, positiveTotal } from '../src/scenario.js';

/** One benchmark case: the profits and the loss to socialize over them. */
export interface Case {
  profits: BigInt64Array;
  loss: bigint;
  insuranceFund: bigint;
}

/** A named way to build a case of n accounts. */
export interface CaseProfile {
  name: string;
  description: string;
  build(n: number): Case;
}

/** The profiles measured by `npm run bench`. */
export const CASE_PROFILES: readonly CaseProfile[] = [
  {
    name: 'uniform',
    description: 'profits uniform in [−10^10, 10^11); loss ≈ 12.3% of the total profit (no simple fraction), fund ≈ 1%',
    build(n) {
      const profits = generateProfits(n, 'uniform', 1);
      const total = positiveTotal(profits);
      return { profits, loss: (total * 1_234_567_891n) / 10_000_000_000n, insuranceFund: total / 97n };
    },
  },
  {
    name: 'clustered',
    description: 'uniform profits adjusted so 3 divides the total; loss exactly a third of it (remainders in 3 values)',
    build(n) {
      const profits = generateProfits(n, 'uniform', 2);
      const total = positiveTotal(profits);
      const first = profits.findIndex((p) => p > 1_000n);
      profits[first]! -= total % 3n;
      return { profits, loss: positiveTotal(profits) / 3n, insuranceFund: 0n };
    },
  },
];
