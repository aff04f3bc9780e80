// dinero.js's `allocate`, what JavaScript developers reach for: the socialized
// amount split over the eligible accounts' profits as ratios (bigint calculator,
// so large values stay exact). It floors every share, then hands the leftover
// units out by largest *ratio*, not largest remainder: results can differ.

import { allocate, dinero } from 'dinero.js/bigint';
import { USD } from 'dinero.js/bigint/currencies';
import type { SocializeResult } from '../../src/types.js';
import { waterfall } from '../../src/waterfall.js';

/** Haircuts by dinero.js `allocate` (only the haircuts; the totals come from the same waterfall). */
export function socializeDinero(profits: BigInt64Array, loss: bigint, insuranceFund: bigint): Pick<SocializeResult, 'haircuts'> {
  const eligible: number[] = [];
  let total = 0n;
  for (let i = 0; i < profits.length; i++) {
    if (profits[i]! > 0n) {
      eligible.push(i);
      total += profits[i]!;
    }
  }
  const { socialized } = waterfall(loss, insuranceFund, total);
  const haircuts = new BigInt64Array(profits.length);
  if (eligible.length === 0) return { haircuts };
  const shares = allocate(dinero({ amount: socialized, currency: USD }), eligible.map((i) => profits[i]!));
  shares.forEach((share, k) => {
    haircuts[eligible[k]!] = share.toJSON().amount;
  });
  return { haircuts };
}
