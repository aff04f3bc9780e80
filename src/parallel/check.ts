// What the coordinator checks itself, from data it holds, after a copying call: the
// haircuts the shards sent back against the rule (the auditor's independent
// arithmetic, src/audit), and every field of the summaries against the totals that
// arithmetic gives; an index delta's δ, charges and sums against the units. A shard
// that lied in any reply of the call either changed nothing or is caught here.

import { certify } from '../audit/certify.js';
import type { SocializeSummary } from '../types.js';
import type { Amounts, IndexInput, Options } from '../validate.js';
import { haircutRate } from '../waterfall.js';
import type { Replies } from './protocol.js';

/** A copying call's columns, read. */
export interface Copied {
  profits: BigInt64Array;
  exempt: Uint8Array | undefined;
  pool: Uint32Array | undefined;
  weights: BigInt64Array | undefined;
  caps: BigInt64Array | undefined;
}

/** What failed: the shard to blame (−1: the shards' replies together) and what it did, after "shard j ". */
export interface Problem {
  shard: number;
  reason: string;
}

/** The shard holding account `index`, from each shard's length. */
function shardOf(lengths: readonly number[], index: number): { shard: number; at: number } {
  let start = 0;
  for (const [shard, length] of lengths.entries()) {
    if (index < start + length) return { shard, at: index - start };
    start += length;
  }
  return { shard: lengths.length - 1, at: index - start };
}

/**
 * Checks a copying call: every haircut is the rule's (`certify`: bounds, floors or
 * ceilings of the quotas, and under largest remainder the order of those that took the
 * extra unit, in O(n) when they are right), and each summary is the rule's totals for
 * its pool (insurance used, socialized, uncovered, total profit, eligible count, dust,
 * surplus, rate; with weights the total weight and the capped count).
 */
export function checkCopied(
  columns: Copied, pools: readonly Amounts[], options: Options, pooled: boolean, haircuts: readonly BigInt64Array[], summaries: readonly SocializeSummary[],
): Problem | null {
  const all = new BigInt64Array(columns.profits.length);
  let at = 0;
  for (const part of haircuts) {
    all.set(part, at);
    at += part.length;
  }
  const book = {
    profits: columns.profits, pool: pooled ? columns.pool : undefined, pools: pools.map(({ loss, insuranceFund }) => ({ loss, insuranceFund })),
    exempt: columns.exempt, weights: columns.weights, caps: columns.caps, rounding: options.rounding, tieSeed: options.tieSeed,
  };
  const verdict = certify(book, all, 1);
  if (!verdict.ok) {
    const { index, expected, found } = verdict.differences[0]!;
    const { shard, at: local } = shardOf(haircuts.map((part) => part.length), index);
    return { shard, reason: `sent back haircut ${found} for its account ${local} (account ${index}), where the rule gives ${expected}` };
  }
  for (const [k, rule] of verdict.pools.entries()) {
    const summary = summaries[k]!;
    const expected: Record<string, unknown> = {
      insuranceUsed: rule.insuranceUsed, socialized: rule.socialized, uncovered: rule.uncovered, totalProfit: rule.totalProfit,
      profitableAccounts: rule.eligible, roundingDust: rule.roundingDust, surplus: rule.surplus, haircutRate: haircutRate(rule.socialized, rule.totalProfit),
      ...(columns.weights === undefined ? {} : { totalWeight: rule.totalWeight, cappedAccounts: rule.capped }),
    };
    for (const [field, value] of Object.entries(expected)) {
      const got = (summary as unknown as Record<string, unknown>)[field];
      if (got !== value) return { shard: -1, reason: `the shards' replies give pool ${k} ${field} ${String(got)}, but its accounts give ${String(value)}` };
    }
  }
  return null;
}

/** ⌈a / b⌉ or ⌊a / b⌋ of non-negative integers. */
function divide(a: bigint, b: bigint, up: boolean): bigint {
  return up ? (a + b - 1n) / b : a / b;
}

/** Each shard's Σ|units| from the units held here (each shard's part). */
export function unitTotals(units: readonly BigInt64Array[]): bigint[] {
  return units.map((part) => part.reduce((sum, u) => sum + (u < 0n ? -u : u), 0n));
}

/**
 * Checks each shard's Σ|units| as it replied against `own` (`unitTotals` of the units held
 * here): before anything is decided from their sum (units that sum to zero are the
 * caller's error only when they truly do).
 */
export function checkUnitTotals(own: readonly bigint[], totals: readonly bigint[]): Problem | null {
  for (const [shard, total] of own.entries()) {
    if (totals[shard] !== total) return { shard, reason: `replied to index with Σ|units| ${totals[shard]}, but its units sum to ${total}` };
  }
  return null;
}

/**
 * Checks an index delta from the units held here (each shard's part, `own` their Σ|units|,
 * already checked against the replies) and the charges back: δ from their sum, every
 * charge the rounded |units|·δ/scale, and each shard's collected their sum.
 */
export function checkCharges(
  units: readonly BigInt64Array[], own: readonly bigint[], charges: readonly BigInt64Array[], input: Omit<IndexInput, 'units'>,
  charged: readonly Replies['index'][],
): Problem | null {
  const delta = divide(input.loss * input.scale, own.reduce((a, b) => a + b, 0n), input.rounding === 'up'), up = input.chargeRounding === 'up';
  for (const [shard, reply] of charged.entries()) {
    if (reply.delta !== delta) return { shard, reason: `replied to index with delta ${reply.delta}, but the units give ${delta}` };
    const part = units[shard]!, out = charges[shard]!;
    let sum = 0n;
    for (let i = 0; i < part.length; i++) {
      const u = part[i]!, charge = divide((u < 0n ? -u : u) * delta, input.scale, up);
      if (out[i] !== charge) return { shard, reason: `sent back charge ${out[i]} for its account ${i}, where δ gives ${charge}` };
      sum += charge;
    }
    if (reply.collected !== sum) return { shard, reason: `replied to index with collected ${reply.collected}, but its charges sum to ${sum}` };
  }
  return null;
}

/** The largest charge: a signed 64-bit integer. */
const I64_MAX = 2n ** 63n - 1n;

/**
 * Checks a shard's report that account `reply.bad` (of its range) would be charged past
 * 2^63 − 1, from the units held here: δ from their Σ|units|, and that account's charge.
 */
export function checkOverflow(units: readonly BigInt64Array[], input: Omit<IndexInput, 'units'>, shard: number, reply: Replies['index']): Problem | null {
  const total = units.reduce((sum, part) => part.reduce((s, u) => s + (u < 0n ? -u : u), sum), 0n);
  const delta = divide(input.loss * input.scale, total, input.rounding === 'up');
  const u = units[shard]![reply.bad];
  if (u === undefined) return { shard, reason: `replied to index with account ${reply.bad} of its ${units[shard]!.length}` };
  const charge = divide((u < 0n ? -u : u) * delta, input.scale, input.chargeRounding === 'up');
  if (charge <= I64_MAX || charge !== reply.charge) return { shard, reason: `replied to index that its account ${reply.bad} would be charged ${reply.charge}, where δ gives ${charge}` };
  return null;
}
