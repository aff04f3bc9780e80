// The measures a risk committee compares mechanisms by, for any haircut vector (a
// result's or a venue's own), per pool and overall, in exact integers: what was
// collected, how far it missed or overshot, how many paid and how many were taken whole,
// the largest haircut and the largest share of a capacity taken, how concentrated the
// payments were (the 10 largest payers, the top 1 % by capacity, the Gini coefficient),
// and who paid by tenth of capacity. Ratios are reduced fractions with a display decimal.
// Over the measured population only: accounts not exempt with a capacity above 0.
// `measureHaircuts` is the oracle: plain bigint arithmetic, every element read and checked
// once (measures-input.ts), nothing rounded. `measuresOfFigures` turns what the core
// computed for the engine's and a book's measures (src/core/measures.ts) into the same result.

import type { MeasureFigures } from './core.js';
import { rateOf, type Rate } from './fraction.js';
import { haircutError, readMeasureInput, type MeasureAmounts, type MeasureInput } from './measures-input.js';
import type { Amounts } from './validate.js';
import { residualOf } from './waterfall.js';

/** One tenth of the measured population by rising (capacity, index). */
export interface Tenth {
  /** How many accounts it holds. */
  accounts: number;
  /** Its share of the collected total. */
  collected: Rate;
  /** Its share of the total capacity. */
  capacity: Rate;
}

/** The measures of one group of accounts (a pool, or the whole book). */
export interface HaircutMeasures {
  /** The measured population's size, n. */
  accounts: number;
  /** Σ capacities of the measured population. */
  totalCapacity: bigint;
  /** Σ haircuts. */
  collected: bigint;
  /** R − collected when positive, else 0 (present when the loss is known). */
  uncovered?: bigint;
  /** collected − R when positive, else 0 (present when the loss is known). */
  overshoot?: bigint;
  /** Accounts with a haircut above 0. */
  accountsCharged: number;
  /** Accounts whose haircut is their whole capacity. */
  accountsTakenWhole: number;
  /** The largest haircut (0 when none). */
  largestHaircut: bigint;
  /** max haircut ÷ capacity over the population. */
  largestShareOfCapacity: Rate;
  /** The 10 largest haircuts' share of the collected total (all, when fewer). */
  top10Share: Rate;
  /** The share of the collected total paid by the ⌈n/100⌉ accounts of largest capacity (ties: lower index). */
  top1PercentShare: Rate;
  /** Σᵢ Σⱼ |hᵢ − hⱼ| / (2 n Σ h) over the population (0 when nothing is collected). */
  gini: Rate;
  /** Ten tenths by rising (capacity, index): tenth k holds ranks ⌊kn/10⌋ … ⌊(k+1)n/10⌋ − 1. */
  tenths: Tenth[];
}

/** The measures overall, and per pool when the accounts are pooled. */
export interface MeasuresResult extends HaircutMeasures {
  /** One entry per pool, in the order of `pools` (present with `pool` and `pools`). */
  pools?: HaircutMeasures[];
}

/**
 * The measures of a haircut vector over the measured population (not exempt, capacity
 * above 0): overall, and per pool with `pool` and `pools` (overall `uncovered` and
 * `overshoot` are the sums of the pools', never netted). A haircut below 0, above its
 * capacity, or above 0 outside the population is a RangeError naming its index.
 *
 * @example
 * measureHaircuts({ haircuts: [0n, 40n, 30n], capacities: [50n, 40n, 30n], loss: 70n }).gini
 * // { fraction: '8/21', decimal: '0.380952380952' }
 */
export function measureHaircuts(input: MeasureInput): MeasuresResult {
  const { haircuts, capacities, exempt, pool, pools, amounts } = readMeasureInput(input);
  const everyone = haircuts.map((_, i) => i);
  const inPopulation = (i: number) => !exempt?.[i] && capacities[i]! > 0n;
  haircuts.forEach((h, i) => {
    const error = haircutError(i, h, capacities[i]!, !!exempt?.[i]);
    if (error) throw error;
  });
  const population = everyone.filter(inPopulation);
  if (pool === undefined) {
    return measureGroup(population, haircuts, capacities, amounts && residualOf(amounts.loss, amounts.insuranceFund).residual);
  }
  const members = pools!.map(() => [] as number[]);
  for (const i of population) members[pool[i]!]!.push(i);
  const perPool = pools!.map((p, k) => measureGroup(members[k]!, haircuts, capacities, residualOf(p.loss, p.insuranceFund).residual));
  return withPools(measureGroup(population, haircuts, capacities, undefined), perPool);
}

/** The overall measures with each pool's: overall `uncovered` and `overshoot` are the pools' sums, never netted. */
function withPools(overall: HaircutMeasures, perPool: HaircutMeasures[]): MeasuresResult {
  overall.uncovered = perPool.reduce((sum, m) => sum + m.uncovered!, 0n);
  overall.overshoot = perPool.reduce((sum, m) => sum + m.overshoot!, 0n);
  return { ...overall, pools: perPool };
}

/** `uncovered` and `overshoot` of a group that collected `collected` against R (none when R is not known). */
function shortfall(residual: bigint | undefined, collected: bigint): Pick<HaircutMeasures, 'uncovered' | 'overshoot'> {
  return residual === undefined ? {} : {
    uncovered: residual > collected ? residual - collected : 0n,
    overshoot: collected > residual ? collected - residual : 0n,
  };
}

/** The measures of the accounts `members` (ascending indices, all in the population); `residual` is R when known. */
function measureGroup(members: number[], haircuts: bigint[], capacities: bigint[], residual: bigint | undefined): HaircutMeasures {
  const n = members.length;
  const sum = (indices: readonly number[], of: readonly bigint[]) => indices.reduce((total, i) => total + of[i]!, 0n);
  const collected = sum(members, haircuts);
  const totalCapacity = sum(members, capacities);
  // max h/c: compare h·c' with h'·c, never dividing.
  let best = { h: 0n, c: 1n };
  for (const i of members) if (haircuts[i]! * best.c > best.h * capacities[i]!) best = { h: haircuts[i]!, c: capacities[i]! };
  const rising = [...members].sort((a, b) => (haircuts[a]! < haircuts[b]! ? -1 : haircuts[a]! > haircuts[b]! ? 1 : a - b));
  const top10 = rising.slice(Math.max(0, n - 10));
  // Gini: Σᵢ Σⱼ |hᵢ − hⱼ| = 2 Σₖ (2k − n + 1)·h₍ₖ₎ over the haircuts in rising order.
  const spread = rising.reduce((total, i, k) => total + BigInt(2 * k - n + 1) * haircuts[i]!, 0n);
  const byCapacity = [...members].sort((a, b) => (capacities[a]! < capacities[b]! ? -1 : capacities[a]! > capacities[b]! ? 1 : a - b));
  // The top 1 % by capacity, ties by the lower index: the largest capacities, the lower index first among equals.
  const byCapacityDescending = [...members].sort((a, b) => (capacities[a]! > capacities[b]! ? -1 : capacities[a]! < capacities[b]! ? 1 : a - b));
  const top1Percent = byCapacityDescending.slice(0, Math.ceil(n / 100));
  const tenths = Array.from({ length: 10 }, (_, k): Tenth => {
    const part = byCapacity.slice(Math.floor((k * n) / 10), Math.floor(((k + 1) * n) / 10));
    return { accounts: part.length, collected: rateOf(sum(part, haircuts), collected), capacity: rateOf(sum(part, capacities), totalCapacity) };
  });
  return {
    accounts: n,
    totalCapacity,
    collected,
    ...shortfall(residual, collected),
    accountsCharged: members.filter((i) => haircuts[i]! > 0n).length,
    accountsTakenWhole: members.filter((i) => haircuts[i] === capacities[i]).length,
    largestHaircut: n === 0 ? 0n : haircuts[rising[n - 1]!]!,
    largestShareOfCapacity: rateOf(best.h, best.c),
    top10Share: rateOf(sum(top10, haircuts), collected),
    top1PercentShare: rateOf(sum(top1Percent, haircuts), collected),
    gini: rateOf(spread, BigInt(n) * collected),
    tenths,
  };
}

/**
 * The measures from the figures the core computed (`Core.measureHaircuts`: the whole book,
 * then each pool), held against what `amounts` says (a loss and fund, or each pool's).
 */
export function measuresOfFigures(groups: readonly MeasureFigures[], { amounts, pools }: MeasureAmounts): MeasuresResult {
  const residual = (given: Amounts) => residualOf(given.loss, given.insuranceFund).residual;
  const overall = groupOfFigures(groups[0]!, pools === undefined && amounts !== undefined ? residual(amounts) : undefined);
  return pools === undefined ? overall : withPools(overall, pools.map((given, k) => groupOfFigures(groups[k + 1]!, residual(given))));
}

/** One group's measures from its figures: its ratios as fractions, R against what it collected. */
function groupOfFigures(figures: MeasureFigures, residual: bigint | undefined): HaircutMeasures {
  const { collected, totalCapacity } = figures;
  return {
    accounts: figures.accounts,
    totalCapacity,
    collected,
    ...shortfall(residual, collected),
    accountsCharged: figures.accountsCharged,
    accountsTakenWhole: figures.accountsTakenWhole,
    largestHaircut: figures.largestHaircut,
    largestShareOfCapacity: rateOf(figures.bestHaircut, figures.bestCapacity),
    top10Share: rateOf(figures.top10, collected),
    top1PercentShare: rateOf(figures.top1Percent, collected),
    gini: rateOf(figures.giniNumerator, BigInt(figures.accounts) * collected),
    tenths: figures.tenths.map((tenth) => ({
      accounts: tenth.accounts, collected: rateOf(tenth.collected, collected), capacity: rateOf(tenth.capacity, totalCapacity),
    })),
  };
}
