// The haircuts the rule gives, computed in full: floors and remainders by
// integer division, then (largest remainder) the L best-ranked remainders of
// each pool by quickselect. Used when a check fails, to say which accounts
// differ and by how much.

import { capOf, CAPPED, SHARING, type Plan } from './parts.js';
import { quickselect } from './select.js';
import { rankOrder } from './ties.js';

/** The expected haircuts and, per pool, Σ floors and the count of non-zero remainders. */
export interface Expected {
  /** One haircut per account. */
  haircuts: BigInt64Array;
  /** Per pool: Σ floor(quota) over the sharing accounts. */
  floorTotal: bigint[];
  /** Per pool: sharing accounts with a non-zero remainder. */
  fractional: number[];
}

/** Computes every account's haircut from the plan. */
export function expectedHaircuts(plan: Plan): Expected {
  const { n, part, pool, poolCount, shareBy, shared, sharedWeight, rounding } = plan;
  const haircuts = new BigInt64Array(n);
  const floorTotal = new Array<bigint>(poolCount).fill(0n);
  const fractional = new Array<number>(poolCount).fill(0);
  const remainders = new Array<bigint>(n);
  const sharing = new Int32Array(poolCount + 1); // counts, then start offsets
  for (let i = 0; i < n; i++) {
    const k = pool === undefined ? 0 : pool[i]!;
    if (part[i] === CAPPED) {
      haircuts[i] = capOf(plan, i);
    } else if (part[i] === SHARING) {
      const numerator = shared[k]! * shareBy[i]!;
      const q = numerator / sharedWeight[k]!;
      const r = numerator - q * sharedWeight[k]!;
      haircuts[i] = rounding === 'up' && r > 0n ? q + 1n : q;
      remainders[i] = r;
      floorTotal[k]! += q;
      if (r > 0n) fractional[k]!++;
      sharing[k + 1]!++;
    }
  }
  if (rounding !== 'largest-remainder') return { haircuts, floorTotal, fractional };

  // Group the sharing accounts by pool (ascending index within each), then give
  // each pool's L extra units to its L best-ranked remainders.
  for (let k = 0; k < poolCount; k++) sharing[k + 1]! += sharing[k]!;
  const ids = new Int32Array(sharing[poolCount]!);
  const next = sharing.slice(0, poolCount);
  for (let i = 0; i < n; i++) if (part[i] === SHARING) ids[next[pool === undefined ? 0 : pool[i]!]!++] = i;
  const order = rankOrder((i) => remainders[i]!, plan.seed);
  for (let k = 0; k < poolCount; k++) {
    const start = sharing[k]!, end = sharing[k + 1]!;
    const L = Number(shared[k]! - floorTotal[k]!);
    if (L <= 0) continue;
    quickselect(ids, start + L - 1, order, start, end);
    for (let j = start; j < start + L; j++) haircuts[ids[j]!]! += 1n;
  }
  return { haircuts, floorTotal, fractional };
}
