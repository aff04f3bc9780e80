// The measures a risk committee compares mechanisms by, for any haircut vector (a
// result's or a venue's own), per pool and overall, in exact integers: what was
// collected, how far it missed or overshot, how many paid and how many were taken whole,
// the largest haircut and the largest share of a capacity taken, how concentrated the
// payments were (the 10 largest payers, the top 1 % by capacity, the Gini coefficient),
// and who paid by tenth of capacity. Ratios are reduced fractions with a display decimal.
// Over the measured population only: accounts not exempt with a capacity above 0.
// Invariant: plain bigint arithmetic, every element read and checked once; nothing rounded.

import { typeError, rangeError } from './errors.js';
import { rateOf, type Rate } from './fraction.js';
import { checkKeys, OPTION_KEYS } from './option-keys.js';
import { poolOutOfRange, readPoolList } from './pools-input.js';
import type { Amount, PoolParams, Profits } from './types.js';
import { residualOf } from './waterfall.js';
import {
  checkAttached, checkOptionalColumn, describe, lengthMismatch, readAmounts, readColumn, readExempt, type Amounts,
} from './validate.js';

/** The input of `measureHaircuts`. */
export interface MeasureInput {
  /** One haircut per account: 0 … its capacity, and 0 outside the measured population. */
  haircuts: Profits;
  /** The most each account could pay (≥ 0); default max(profit, 0) when `profits` is given. */
  capacities?: Profits | undefined;
  /** Each account's profit: only for the default capacities. */
  profits?: Profits | undefined;
  /** A non-zero (or `true`) entry takes the account out of the measured population. */
  exempt?: Uint8Array | readonly boolean[] | undefined;
  /** The deficit: with it, `uncovered` and `overshoot` against loss − min(loss, insuranceFund). */
  loss?: Amount | undefined;
  /** The insurance fund paid first; default 0 (with `loss`). */
  insuranceFund?: Amount | undefined;
  /** Each account's pool (with `pools`): the measures per pool, and overall. */
  pool?: Uint32Array | undefined;
  /** Each pool's loss and fund (with `pool`). */
  pools?: readonly PoolParams[] | undefined;
}

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
  const read = readMeasureInput(input);
  const { haircuts, capacities, exempt, pool, pools, amounts } = read;
  const everyone = haircuts.map((_, i) => i);
  const inPopulation = (i: number) => !exempt?.[i] && capacities[i]! > 0n;
  haircuts.forEach((h, i) => {
    if (h < 0n) throw rangeError('ERR_OUT_OF_RANGE', `haircuts[${i}] must not be negative, got ${h}`);
    if (h > capacities[i]!) throw rangeError('ERR_OUT_OF_RANGE', `haircuts[${i}] is ${h}, above its capacity ${capacities[i]}`);
    if (h > 0n && !inPopulation(i)) {
      throw rangeError('ERR_OUT_OF_RANGE', `haircuts[${i}] is ${h}, but the account is ${exempt?.[i] ? 'exempt' : 'without capacity'}: it cannot pay`);
    }
  });
  const population = everyone.filter(inPopulation);
  if (pool === undefined) {
    return measureGroup(population, haircuts, capacities, amounts && residualOf(amounts.loss, amounts.insuranceFund).residual);
  }
  const members = pools!.map(() => [] as number[]);
  for (const i of population) members[pool[i]!]!.push(i);
  const perPool = pools!.map((p, k) => measureGroup(members[k]!, haircuts, capacities, residualOf(p.loss, p.insuranceFund).residual));
  const overall = measureGroup(population, haircuts, capacities, undefined);
  overall.uncovered = perPool.reduce((sum, m) => sum + m.uncovered!, 0n);
  overall.overshoot = perPool.reduce((sum, m) => sum + m.overshoot!, 0n);
  return { ...overall, pools: perPool };
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
    ...(residual === undefined ? {} : {
      uncovered: residual > collected ? residual - collected : 0n,
      overshoot: collected > residual ? collected - residual : 0n,
    }),
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

/** A `measureHaircuts` input, read and checked. */
interface MeasureRead {
  haircuts: bigint[];
  capacities: bigint[];
  exempt: Uint8Array | undefined;
  pool: Uint32Array | undefined;
  pools: Amounts[] | undefined;
  /** The loss and fund when `loss` was given (without pools). */
  amounts: Amounts | undefined;
}

/** Reads and checks a `measureHaircuts` input (OPTION_KEYS.measureHaircuts). */
function readMeasureInput(input: unknown): MeasureRead {
  if (typeof input !== 'object' || input === null) {
    throw typeError('ERR_INVALID_TYPE', `the input must be an object with haircuts and capacities, got ${describe(input)}`);
  }
  checkKeys(input, OPTION_KEYS.measureHaircuts);
  const { haircuts, capacities, profits, exempt, loss, insuranceFund, pool, pools } = input as MeasureInput;
  if (haircuts === undefined) throw typeError('ERR_INVALID_TYPE', 'haircuts must be given: one haircut per account');
  // The haircuts set the count: checked as a column of their own length.
  const haircutColumn = checkOptionalColumn(haircuts, 'haircuts', (haircuts as ArrayLike<unknown>).length)!;
  const count = haircutColumn.length;
  const capacityColumn = checkOptionalColumn(capacities, 'capacities', count);
  const profitColumn = checkOptionalColumn(profits, 'profits', count);
  if (capacityColumn === undefined && profitColumn === undefined) {
    throw typeError('ERR_INVALID_TYPE', 'capacities must be given (or profits, whose positive part is then the capacity)');
  }
  const exemptions = readExempt(exempt, count);
  if ((pool === undefined) !== (pools === undefined)) throw typeError('ERR_INVALID_OPTION', 'pool and pools go together: give both, or neither');
  if (pool !== undefined && (loss !== undefined || insuranceFund !== undefined)) {
    throw typeError('ERR_INVALID_OPTION', 'with pools, each pool gives its loss and insuranceFund: leave loss and insuranceFund out');
  }
  if (loss === undefined && insuranceFund !== undefined) throw typeError('ERR_INVALID_OPTION', 'insuranceFund is only read with loss: give loss too');
  const amounts = loss === undefined ? undefined : readAmounts(input, '');
  const poolList = pools === undefined ? undefined : readPoolList(pools);
  if (pool !== undefined) {
    if (!(pool instanceof Uint32Array)) throw typeError('ERR_INVALID_TYPE', `pool must be a Uint32Array, got ${describe(pool)}`);
    checkAttached(pool, 'pool', count);
    if (pool.length !== count) throw lengthMismatch(pool, 'pool', count);
  }
  const haircutValues = readColumn(haircutColumn, 'haircuts', false);
  const capacityValues = capacityColumn !== undefined
    ? readColumn(capacityColumn, 'capacities', true)
    : readColumn(profitColumn!, 'profits', false).map((p) => (p > 0n ? p : 0n));
  if (pool !== undefined) {
    const bad = pool.findIndex((k) => k >= poolList!.length);
    if (bad >= 0) throw poolOutOfRange(bad, pool[bad]!, poolList!.length);
  }
  return { haircuts: haircutValues, capacities: capacityValues, exempt: exemptions, pool, pools: poolList, amounts };
}
