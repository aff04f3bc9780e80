// The oracle: socialization in plain `bigint` arithmetic, written to be read
// rather than to be fast, and sharing nothing with the WebAssembly core.
// Tests compare the engine with it; it also serves where WebAssembly is not allowed.

import { readDeleverageInput, readDeleveragePoolsInput, type QueueColumns } from './deleverage-input.js';
import { poolOutOfRange, readPoolsInput } from './pools-input.js';
import type {
  DeleverageInput, DeleveragePoolsInput, DeleveragePoolsResult, DeleverageResult, DeleverageSummary,
  IndexDeltaInput, IndexDeltaResult, Profits, SocializeInput, SocializePoolsInput, SocializePoolsResult, SocializeResult, SocializeSummary,
} from './types.js';
import {
  chargeTooLarge, I64_MAX, readColumn, readIndexInput, readInput, zeroUnits, type Amounts, type Params,
} from './validate.js';

export { ERROR_CODES, isSocializedLossError, type ErrorCode, type SocializedLossError } from './errors.js';

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** SplitMix64 of x (mod 2^64): the order of seeded ties. */
export function splitmix64(x: bigint): bigint {
  const M = (1n << 64n) - 1n;
  let z = (x + 0x9e3779b97f4a7c15n) & M;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
  return z ^ (z >> 31n);
}

/**
 * Splits `loss` over the profitable accounts exactly as `engine.socialize`
 * does, with the same result and the same errors: the insurance fund pays
 * first, the rest is taken pro rata to positive profits (accounts marked in
 * `exempt` excluded), rounded by `rounding`: largest remainder by default
 * (ties to the lower index, or by `splitmix64(tieSeed ^ index)` when seeded),
 * `'down'` (floors; the dust stays uncovered) or `'up'` (ceilings; the surplus
 * goes back to the fund). What all profits cannot cover is `uncovered`. With
 * `weights` (and `caps`), the split is by weight, capped, by water-filling.
 *
 * @example
 * socializeReference({ loss: 10n, profits: [5n, 3n, -2n, 2n] }).haircuts
 * // BigInt64Array [5n, 3n, 0n, 2n]
 */
export function socializeReference(input: SocializeInput): SocializeResult {
  const { profits: source, exempt, weights, caps, ...params } = readInput(input);
  const profits = readColumn(source, 'profits', false);
  const by = weights === undefined ? undefined : readWeighting(profits, weights, caps);
  const haircuts = new BigInt64Array(profits.length);
  const remainders = new Array<bigint>(profits.length).fill(0n);
  const summary = socializeGroup(profits, profits.map((_, i) => i), exempt, params, haircuts, remainders, by);
  return { haircuts, ...summary };
}

/** Weights and caps as bigints, checked (non-negative); caps default to max(profit, 0). */
function readWeighting(profits: bigint[], weights: Profits, caps: Profits | undefined): Weighting {
  const w = readColumn(weights, 'weights', true);
  const c = caps === undefined ? profits.map((p) => (p > 0n ? p : 0n)) : readColumn(caps, 'caps', true);
  return { weights: w, caps: c };
}

/** Weights and caps of every account of the book. */
interface Weighting {
  weights: bigint[];
  caps: bigint[];
}

/**
 * `socializeReference` per pool: every pool exactly as if it were socialized on its own,
 * with ties decided by each account's index in the whole book.
 */
export function socializePoolsReference(input: SocializePoolsInput): SocializePoolsResult {
  const { profits: source, pool, pools, options, exempt, weights, caps } = readPoolsInput(input);
  // Profits, weights and caps element by element, then pool indices (the engine's order).
  const profits = readColumn(source, 'profits', false);
  const by = weights === undefined ? undefined : readWeighting(profits, weights, caps);
  const bad = pool.findIndex((k) => k >= pools.length);
  if (bad >= 0) throw poolOutOfRange(bad, pool[bad]!, pools.length);
  const haircuts = new BigInt64Array(profits.length);
  const remainders = new Array<bigint>(profits.length).fill(0n);
  const members = pools.map(() => [] as number[]);
  pool.forEach((k, i) => members[k]!.push(i));
  return {
    haircuts,
    pools: pools.map((amounts, k) => socializeGroup(profits, members[k]!, exempt, { ...amounts, ...options }, haircuts, remainders, by)),
  };
}

/**
 * The capped set C of the contract, by its definition: starting from nobody,
 * cap every account whose cap is below its share of what is left (cap·W < R·w),
 * until no more are. Each round only raises the others' shares, so this is the
 * smallest such set. Quadratic at worst: an oracle, not a kernel.
 */
function cappedSet(eligible: number[], by: Weighting, target: bigint): Set<number> {
  const capped = new Set<number>();
  for (;;) {
    const open = eligible.filter((i) => !capped.has(i));
    const R = target - [...capped].reduce((sum, i) => sum + by.caps[i]!, 0n);
    const W = open.reduce((sum, i) => sum + by.weights[i]!, 0n);
    const more = open.filter((i) => by.caps[i]! * W < R * by.weights[i]!);
    if (more.length === 0) return capped;
    for (const i of more) capped.add(i);
  }
}

/**
 * Socializes over the accounts `members` (ascending indices) of `profits`, writing their
 * haircuts; `remainders` is scratch, one entry per account of the book. With `by`, the
 * split is by weight with caps.
 */
function socializeGroup(
  profits: bigint[], members: number[], exempt: Uint8Array | undefined, params: Params,
  haircuts: BigInt64Array, remainders: bigint[], by?: Weighting,
): SocializeSummary {
  const { loss, insuranceFund, rounding, tieSeed } = params;
  // 1–4: the fund pays first; the eligible accounts pay what is left, up to their total
  // profit (by weight: up to their total cap).
  const insuranceUsed = min(loss, insuranceFund);
  const residual = loss - insuranceUsed;
  const eligible = members.filter((index) =>
    !exempt?.[index] && (by === undefined ? profits[index]! > 0n : by.weights[index]! > 0n && by.caps[index]! > 0n));
  const capacityOf = (index: number) => (by === undefined ? profits[index]! : by.caps[index]!);
  const totalProfit = eligible.reduce((sum, index) => sum + capacityOf(index), 0n);
  const target = min(residual, totalProfit);
  const uncoveredByProfits = residual - target;

  // Who shares what: by profit, everyone shares the target in proportion to profit;
  // by weight, the capped accounts pay their caps and the others share the rest.
  const capped = by === undefined || target === 0n ? new Set<number>() : cappedSet(eligible, by, target);
  const sharing = eligible.filter((index) => !capped.has(index));
  const share = target - [...capped].reduce((sum, index) => sum + by!.caps[index]!, 0n);
  const shareOf = (index: number) => (by === undefined ? profits[index]! : by.weights[index]!);
  const shareTotal = sharing.reduce((sum, index) => sum + shareOf(index), 0n);

  // 5: each account's exact quota share·weight/total: floor and remainder.
  for (const index of members) {
    haircuts[index] = 0n;
    remainders[index] = 0n;
  }
  for (const index of capped) haircuts[index] = by!.caps[index]!;
  let floored = 0n;
  if (share > 0n) {
    for (const index of sharing) {
      const numerator = share * shareOf(index);
      haircuts[index] = numerator / shareTotal;
      remainders[index] = numerator % shareTotal;
      floored += haircuts[index]!;
    }
  }
  const remainder = (index: number) => remainders[index]!;
  let socialized = target;
  let roundingDust = 0n;
  let surplus = 0n;
  if (rounding === 'down') {
    // Floors only: what rounding leaves uncollected stays uncovered.
    roundingDust = share - floored;
    socialized = target - roundingDust;
  } else if (rounding === 'up') {
    // Ceilings (never above the profit or cap, as quota ≤ it): the excess goes back to the fund.
    for (const index of sharing) if (remainder(index) > 0n) haircuts[index]! += 1n;
    socialized = members.reduce((sum, index) => sum + haircuts[index]!, 0n);
    surplus = socialized - target;
  } else {
    // Largest remainder: one unit each to the largest remainders; equal remainders by
    // ascending splitmix64(tieSeed ^ index) when seeded, then by index.
    const order = (index: number) => (tieSeed === undefined ? 0n : splitmix64(BigInt.asUintN(64, tieSeed ^ BigInt(index))));
    const byRemainder = [...sharing].sort((a, b) => {
      if (remainder(a) !== remainder(b)) return remainder(a) > remainder(b) ? -1 : 1;
      const oa = order(a), ob = order(b);
      return oa !== ob ? (oa < ob ? -1 : 1) : a - b;
    });
    for (const index of byRemainder.slice(0, Number(share - floored))) haircuts[index]! += 1n;
  }

  const summary: SocializeSummary = {
    insuranceUsed,
    socialized,
    uncovered: uncoveredByProfits + roundingDust,
    totalProfit,
    profitableAccounts: eligible.length,
    haircutRate: totalProfit === 0n ? 0 : Number(socialized) / Number(totalProfit),
    roundingDust,
    surplus,
  };
  if (by !== undefined) {
    summary.totalWeight = eligible.reduce((sum, index) => sum + by.weights[index]!, 0n);
    summary.cappedAccounts = capped.size;
  }
  return summary;
}

/**
 * The per-unit index delta exactly as `engine.indexDelta` computes it:
 * delta = ceil (or floor, `rounding: 'down'`) of loss × scale / Σ|units|; each
 * account's charge = ceil (or floor, `chargeRounding: 'down'`) of
 * |units[i]| × delta / scale; collected = Σ charges; drift = collected − loss.
 *
 * @example
 * indexDeltaReference({ loss: 100n, units: [3n, -3n, 1n], scale: 1000n }).delta
 * // 14286n
 */
export function indexDeltaReference(input: IndexDeltaInput): IndexDeltaResult {
  const { loss, units: source, scale, rounding, chargeRounding } = readIndexInput(input);
  const units = readColumn(source, 'units', false).map((u) => (u < 0n ? -u : u));
  const totalUnits = units.reduce((sum, u) => sum + u, 0n);
  if (totalUnits === 0n) throw zeroUnits();
  const divide = (a: bigint, b: bigint, up: boolean) => (up ? (a + b - 1n) / b : a / b);
  const delta = divide(loss * scale, totalUnits, rounding === 'up');
  const charges = new BigInt64Array(units.length);
  let collected = 0n;
  units.forEach((u, i) => {
    const charge = divide(u * delta, scale, chargeRounding === 'up');
    if (charge > I64_MAX) throw chargeTooLarge(i, charge);
    charges[i] = charge;
    collected += charge;
  });
  return { delta, charges, collected, drift: collected - loss, totalUnits };
}

/**
 * The auto-deleveraging queue, by its definition: the accounts that may pay (not exempt,
 * capacity > 0) in descending score (equal scores by ascending `splitmix64(tieSeed XOR
 * index)` when seeded, then by the lower index), each paying `min(c, ℓ·⌈min(c, need)/ℓ⌉)`
 * until `need` (the loss less the fund, less what was collected) is covered or the queue
 * ends. Sorts the whole queue: an oracle, not a kernel.
 *
 * @example
 * deleverageReference({ loss: 70n, profits: [50n, 40n, 30n], scores: [1n, 3n, 2n] }).haircuts
 * // BigInt64Array [0n, 40n, 30n]
 */
export function deleverageReference(input: DeleverageInput): DeleverageResult {
  const queue = readDeleverageInput(input);
  const haircuts = new BigInt64Array(queue.profits.length);
  const summary = queueGroup(queue, queue.profits.map((_, i) => i), queue, haircuts);
  return { haircuts, ...summary };
}

/** `deleverageReference` per pool: each pool's queue over its own accounts, ties by index in the whole book. */
export function deleveragePoolsReference(input: DeleveragePoolsInput): DeleveragePoolsResult {
  const queue = readDeleveragePoolsInput(input);
  const haircuts = new BigInt64Array(queue.profits.length);
  const members = queue.pools.map(() => [] as number[]);
  queue.pool.forEach((k, i) => members[k]!.push(i));
  return { haircuts, pools: queue.pools.map((amounts, k) => queueGroup(queue, members[k]!, amounts, haircuts)) };
}

/** The queue over the accounts `members` (ascending indices), writing their haircuts. */
function queueGroup(columns: QueueColumns, members: number[], amounts: Amounts, haircuts: BigInt64Array): DeleverageSummary {
  const { scores, capacities, lots, exempt, tieSeed } = columns;
  const insuranceUsed = min(amounts.loss, amounts.insuranceFund);
  const residual = amounts.loss - insuranceUsed;
  const payers = members.filter((index) => !exempt?.[index] && capacities[index]! > 0n);
  const totalCapacity = payers.reduce((sum, index) => sum + capacities[index]!, 0n);
  const order = (index: number) => (tieSeed === undefined ? 0n : splitmix64(BigInt.asUintN(64, tieSeed ^ BigInt(index))));
  const queue = [...payers].sort((a, b) => {
    if (scores[a] !== scores[b]) return scores[a]! > scores[b]! ? -1 : 1;
    const oa = order(a), ob = order(b);
    return oa !== ob ? (oa < ob ? -1 : 1) : a - b;
  });
  for (const index of members) haircuts[index] = 0n;
  let collected = 0n, charged = 0;
  for (const index of queue) {
    const need = residual - collected;
    if (need <= 0n) break;
    const capacity = capacities[index]!, lot = lots[index]!;
    const wanted = min(capacity, need);
    const paid = min(capacity, lot * ((wanted + lot - 1n) / lot));
    haircuts[index] = paid;
    collected += paid;
    charged++;
  }
  return {
    insuranceUsed,
    socialized: collected,
    uncovered: residual > collected ? residual - collected : 0n,
    surplus: collected > residual ? collected - residual : 0n,
    roundingDust: 0n,
    totalCapacity,
    accountsCharged: charged,
    haircutRate: totalCapacity === 0n ? 0 : Number(collected) / Number(totalCapacity),
  };
}
