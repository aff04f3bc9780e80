// The capped set C of each pool, from the contract's definition: i ∈ C exactly
// when cap_i × W < R × w_i, with W the weights outside C and R = target − Σ_C cap.
//
// C = {i : cap_i/w_i < λ} for the water level λ = R/W, which is the smallest
// level μ with h(μ) = Σ min(cap_i, μ·w_i) ≥ target: capped accounts pay their
// cap, the others μ·w. (Starting from ∅, each round of the definition caps the
// accounts below the current R/W; what it caps pays less than R/W on average,
// so R/W only rises toward λ and the rounds stay inside C. The fixed point is
// unique: adding accounts at or above R/W can only lower it.)
//
// Most books settle in a round or two, each one O(n) scan. A pool still moving
// after that is finished by a search for λ among its open accounts' ratios:
// a random pivot ratio ρ = c/w, one pass computing h(ρ) exactly (times w),
// and every account on the decided side of ρ is settled — expected O(n),
// never quadratic, no sort.

import { capOf, CAPPED, SHARING, type Plan } from './parts.js';

/** Full-scan rounds of the definition before a pool that still moves is finished by the search. */
const ROUNDS = 2;

/** Fills the plan's capped set, counts and R, W per pool (weights only). */
export function findCapped(plan: Plan): void {
  const { n, part, poolCount, shareBy: weights, pool } = plan;
  const totalWeight = plan.totalWeight;
  const cappedWeight = new Array<bigint>(poolCount).fill(0n);
  // A pool with nothing to share caps nobody (0 < 0 is false).
  const moving = plan.target.map((t) => t > 0n);
  for (let round = 0; round < ROUNDS && moving.includes(true); round++) {
    const R = plan.shared, W = plan.sharedWeight;
    const addCap = new Array<bigint>(poolCount).fill(0n);
    const addWeight = new Array<bigint>(poolCount).fill(0n);
    const added = new Array<number>(poolCount).fill(0);
    for (let i = 0; i < n; i++) {
      if (part[i] !== SHARING) continue;
      const k = pool === undefined ? 0 : pool[i]!;
      if (!moving[k]) continue;
      const w = weights[i]!;
      const c = capOf(plan, i);
      // R and W stay those of the round's start: marking here changes neither.
      if (c * W[k]! < R[k]! * w) {
        part[i] = CAPPED;
        addCap[k]! += c;
        addWeight[k]! += w;
        added[k]!++;
      }
    }
    for (let k = 0; k < poolCount; k++) {
      moving[k] = added[k]! > 0;
      plan.capped[k]! += added[k]!;
      plan.cappedTotal[k]! += addCap[k]!;
      cappedWeight[k]! += addWeight[k]!;
      plan.shared[k] = plan.target[k]! - plan.cappedTotal[k]!;
      plan.sharedWeight[k] = totalWeight[k]! - cappedWeight[k]!;
    }
  }
  for (let k = 0; k < poolCount; k++) if (moving[k]) finishBySearch(plan, k);
}

/**
 * Settles the rest of pool k's C by searching the water level among its open
 * accounts. Invariant: ids[0, lo) are capped (ratio < λ), ids[hi, m) are not
 * (ratio ≥ λ), ids[lo, hi) undecided with every ratio between the two sides.
 */
function finishBySearch(plan: Plan, k: number): void {
  const { n, part, shareBy: weights, pool } = plan;
  let m = 0;
  for (let i = 0; i < n; i++) if (part[i] === SHARING && (pool === undefined ? 0 : pool[i]!) === k) m++;
  const ids = new Int32Array(m);
  const caps = new Array<bigint>(m), ws = new Array<bigint>(m); // by position, swapped with ids
  for (let i = 0, j = 0; i < n; i++) {
    if (part[i] === SHARING && (pool === undefined ? 0 : pool[i]!) === k) {
      ids[j] = i;
      caps[j] = capOf(plan, i);
      ws[j++] = weights[i]!;
    }
  }
  const swap = (a: number, b: number) => {
    [ids[a], ids[b]] = [ids[b]!, ids[a]!];
    [caps[a], caps[b]] = [caps[b]!, caps[a]!];
    [ws[a], ws[b]] = [ws[b]!, ws[a]!];
  };
  const target = plan.target[k]!;
  let cappedCaps = plan.cappedTotal[k]!; // Σ caps of every account known capped
  let openWeight = 0n; // Σ weights of every open account known not capped
  let lo = 0, hi = m, state = 0x9e3779b9;
  while (lo < hi) {
    state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
    const p = lo + ((state >>> 0) % (hi - lo));
    const cp = caps[p]!, wp = ws[p]!;
    // Three-way partition of [lo, hi) by ratio against ρ = cp/wp: [lo, lt) below, [lt, i) equal, [gt, hi) above.
    let lt = lo, i = lo, gt = hi;
    let belowCaps = 0n, equalCaps = 0n, restWeight = 0n;
    while (i < gt) {
      const c = caps[i]!, w = ws[i]!;
      const x = c * wp, y = cp * w;
      if (x < y) {
        belowCaps += c;
        swap(lt++, i++);
      } else if (x > y) {
        restWeight += w;
        swap(i, --gt);
      } else {
        equalCaps += c;
        restWeight += w;
        i++;
      }
    }
    // h(ρ)·wp: below ρ each pays its cap, at or above it ρ·w.
    const h = (cappedCaps + belowCaps) * wp + (openWeight + restWeight) * cp;
    if (h >= target * wp) {
      // λ ≤ ρ: ratio ≥ ρ is not capped.
      openWeight += restWeight;
      hi = lt;
    } else {
      // λ > ρ: ratio ≤ ρ is capped.
      cappedCaps += belowCaps + equalCaps;
      lo = gt;
    }
  }
  for (let j = 0; j < lo; j++) {
    part[ids[j]!] = CAPPED;
    plan.capped[k]!++;
    plan.cappedTotal[k]! += caps[j]!;
    plan.sharedWeight[k]! -= ws[j]!;
  }
  plan.shared[k] = target - plan.cappedTotal[k]!;
}
