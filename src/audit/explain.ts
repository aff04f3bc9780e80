// One account's whole derivation, for a support desk or an auditor: its pool's
// totals, its part (ineligible and why, capped, or sharing), its exact quota,
// floor and remainder, its rank among its pool's remainders, the boundary of
// the extra units, and its haircut. O(n) for one account: one pass over the
// book, one over the pool, and a quickselect for the boundary.

import { capOf, CAPPED, INELIGIBLE, makePlan, poolOf, SHARING, type Plan } from './plan.js';
import { quickselect } from './select.js';
import { rankOrder, tieKey } from './ties.js';
import { poolTotals } from './totals.js';
import type { AuditBook, BoundaryAccount, Explanation, Fraction, IneligibleReason } from './types.js';

/**
 * Explains the haircut the rule gives the account at `index` of `book`.
 * Throws RangeError for an index outside the book, or a malformed book.
 *
 * @example
 * const e = explainAccount({ profits: BigInt64Array.from([5n, 3n, 2n]), pools: [{ loss: 5n, insuranceFund: 0n }],
 *   rounding: 'largest-remainder' }, 1);
 * // e.floor 1n, e.remainder 5n (of 10n), e.rank 1, e.extraUnit true, e.haircut 2n
 */
export function explainAccount(book: AuditBook, index: number): Explanation {
  const plan = makePlan(book);
  if (!Number.isInteger(index) || index < 0 || index >= plan.n) {
    throw new RangeError(`account index must be an integer in [0, ${plan.n}), got ${index}`);
  }
  const k = poolOf(plan, index);
  const part = plan.part[index]!;
  const R = plan.shared[k]!, W = plan.sharedWeight[k]!;
  const largest = plan.rounding === 'largest-remainder';

  // The pool's sharing accounts (ascending index) and their remainders, by position; Σ floors.
  const members: number[] = [];
  const remainders: bigint[] = [];
  let floorTotal = 0n, fractional = 0;
  for (let i = 0; i < plan.n; i++) {
    if (plan.part[i] !== SHARING || poolOf(plan, i) !== k) continue;
    const numerator = R * plan.shareBy[i]!;
    const q = numerator / W;
    const r = numerator - q * W;
    floorTotal += q;
    if (r > 0n) fractional++;
    members.push(i);
    remainders.push(r);
  }
  const totals = poolTotals(plan, k, floorTotal, fractional, 0n);
  const leftover = totals.leftover;
  const L = Number(leftover);

  let quota: Fraction | null = null, floor: bigint | null = null, remainder: bigint | null = null;
  let rank: number | null = null, extraUnit = false, haircut = 0n;
  if (part === SHARING) {
    const numerator = R * plan.shareBy[index]!;
    const g = gcd(numerator, W);
    quota = { numerator, denominator: W, reducedNumerator: numerator / g, reducedDenominator: W / g };
    floor = numerator / W;
    remainder = numerator - floor * W;
    if (largest) {
      // 1 + how many rank before it: a larger remainder, or an equal one first by the tie rule.
      const key = plan.seed === undefined ? 0n : tieKey(plan.seed, index);
      rank = 1;
      for (let j = 0; j < members.length; j++) {
        const r = remainders[j]!;
        if (r > remainder) rank++;
        else if (r === remainder && members[j] !== index) {
          const other = plan.seed === undefined ? 0n : tieKey(plan.seed, members[j]!);
          if (other < key || (other === key && members[j]! < index)) rank++;
        }
      }
      extraUnit = rank <= L;
    } else {
      extraUnit = plan.rounding === 'up' && remainder > 0n;
    }
    haircut = floor + (extraUnit ? 1n : 0n);
  } else if (part === CAPPED) {
    haircut = capOf(plan, index);
  }

  let boundary: Explanation['boundary'] = null;
  if (largest && members.length > 0) {
    // Quickselect over positions: the L-th ranked is the last with an extra unit.
    const order = rankOrder((at) => remainders[at]!, plan.seed, (at) => members[at]!);
    const at = Int32Array.from(members, (_, j) => j);
    const account = (j: number): BoundaryAccount => ({ index: members[j]!, remainder: remainders[j]! });
    let lastExtra: BoundaryAccount | null = null;
    if (L > 0) {
      quickselect(at, L - 1, order);
      lastExtra = account(at[L - 1]!);
    }
    // After the select, everything from L on ranks after the L-th: the first of them is their best.
    let first = -1;
    for (let j = L; j < at.length; j++) if (first < 0 || order(at[j]!, first) < 0) first = at[j]!;
    boundary = { lastExtra, firstWithout: first < 0 ? null : account(first) };
  }

  const profit = plan.profits[index]!;
  return {
    index, pool: k, rounding: plan.rounding, tieSeed: plan.seed ?? null, weighted: plan.weighted, profit,
    weight: plan.weighted ? plan.shareBy[index]! : null, cap: plan.weighted ? capOf(plan, index) : null,
    eligible: part !== INELIGIBLE, reason: part === INELIGIBLE ? reasonOf(plan, index) : null,
    loss: totals.loss, insuranceFund: totals.insuranceFund, insuranceUsed: totals.insuranceUsed,
    residual: totals.residual, target: totals.target, socialized: totals.socialized, uncovered: totals.uncovered,
    totalProfit: totals.totalProfit, totalWeight: totals.totalWeight, eligibleAccounts: totals.eligible,
    cappedAccounts: plan.weighted ? totals.capped : null, shared: R, sharedWeight: W, capped: part === CAPPED,
    quota, floor, remainder, leftover, sharing: members.length, rank,
    tieKey: largest && plan.seed !== undefined && part === SHARING ? tieKey(plan.seed, index) : null,
    boundary, extraUnit, haircut, profitAfter: profit - haircut,
    roundingDust: totals.roundingDust, surplus: totals.surplus,
  };
}

/** Why account i is not eligible (it is known not to be). */
function reasonOf(plan: Plan, i: number): IneligibleReason {
  if (plan.exempt !== undefined && plan.exempt[i] !== 0) return 'exempt';
  if (!plan.weighted) return 'non-positive profit';
  return plan.shareBy[i] === 0n ? 'zero weight' : 'zero cap';
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

/**
 * The exact decimal expansion of numerator/denominator by integer division,
 * with at most `digits` fraction digits: exact when it ends within them,
 * otherwise truncated (toward zero) and followed by `marker`.
 *
 * @example
 * quotaDecimal(10n, 4n) // '2.5'
 * quotaDecimal(1n, 3n, 4) // '0.3333…'
 */
export function quotaDecimal(numerator: bigint, denominator: bigint, digits = 20, marker = '…'): string {
  if (denominator <= 0n) throw new RangeError(`denominator must be positive, got ${denominator}`);
  if (!Number.isInteger(digits) || digits < 0) throw new RangeError(`digits must be a non-negative integer, got ${digits}`);
  const negative = numerator < 0n;
  const a = negative ? -numerator : numerator;
  let rest = a % denominator;
  let text = (a / denominator).toString();
  let fraction = '';
  while (rest !== 0n && fraction.length < digits) {
    rest *= 10n;
    fraction += (rest / denominator).toString();
    rest %= denominator;
  }
  if (fraction.length > 0) text += `.${fraction}`;
  if (rest !== 0n) text += marker;
  return negative ? `-${text}` : text;
}

/** How `explanationText` names things: amounts through `amount`, the account and pool by name. */
export interface ExplanationNames {
  /** Formats an amount given in the smallest unit (e.g. with the currency's decimals). */
  amount: (units: bigint) => string;
  /** The account's identifier as the desk knows it. */
  account: string;
  /** The pool's name; default `#` and its index. */
  pool?: string | undefined;
}

/** A value JSON can carry. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * The explanation as lines of text for a support desk (joined with `\n`, no
 * trailing newline). Amounts go through `names.amount`; weights, remainders and
 * fractions are exact integers.
 */
export function explanationText(e: Explanation, names: ExplanationNames): string {
  const $ = names.amount;
  const pool = names.pool ?? `#${e.pool}`;
  const lines: string[] = [];
  lines.push(`account ${names.account} (index ${e.index}), pool ${pool}`);
  lines.push(`rounding: ${e.rounding}${e.tieSeed === null ? '' : `, tie seed ${e.tieSeed}`}`);
  lines.push(`pool loss ${$(e.loss)}, insurance fund ${$(e.insuranceFund)}, insurance used ${$(e.insuranceUsed)}, residual ${$(e.residual)}`);
  lines.push(`pool socialized ${$(e.socialized)}, uncovered ${$(e.uncovered)}`
    + (e.roundingDust > 0n ? ` (rounding dust ${$(e.roundingDust)})` : '') + (e.surplus > 0n ? `, surplus ${$(e.surplus)}` : ''));
  if (e.weighted) {
    lines.push(`pool total of caps ${$(e.totalProfit)}, total weight ${e.totalWeight}, ${e.eligibleAccounts} eligible, ${e.cappedAccounts} capped`);
    lines.push(`uncapped accounts share ${$(e.shared)} by weight, over total weight ${e.sharedWeight}`);
  } else {
    lines.push(`pool total profit ${$(e.totalProfit)}, ${e.eligibleAccounts} eligible`);
  }
  lines.push(`profit ${$(e.profit)}` + (e.weighted ? `, weight ${e.weight}, cap ${$(e.cap!)}` : ''));
  if (!e.eligible) {
    lines.push(`eligible: no (${e.reason})`);
  } else if (e.capped) {
    lines.push('eligible: yes; capped: pays exactly its cap');
  } else {
    const q = e.quota!;
    lines.push(`eligible: yes${e.weighted ? '; not capped' : ''}`);
    lines.push(`quota = ${q.numerator} / ${q.denominator}` + (q.reducedDenominator !== q.denominator ? ` = ${q.reducedNumerator} / ${q.reducedDenominator}` : '')
      + ` = ${quotaDecimal(q.numerator, q.denominator)} units`);
    lines.push(`floor ${$(e.floor!)}, remainder ${e.remainder} (of ${q.denominator})`);
  }
  lines.push(`leftover units in the pool: ${e.leftover} (over ${e.sharing} sharing accounts)`);
  if (e.rank !== null) {
    const ties = e.tieSeed === null ? 'equal remainders by index' : `equal remainders by tie key, then index; this account's key ${e.tieKey}`;
    lines.push(`rank ${e.rank} of ${e.sharing} by remainder (${ties})`);
  }
  if (e.boundary !== null) {
    const at = (b: BoundaryAccount | null) => (b === null ? 'none' : `index ${b.index} (remainder ${b.remainder})`);
    lines.push(`boundary: last with an extra unit ${at(e.boundary.lastExtra)}, first without ${at(e.boundary.firstWithout)}`);
  }
  if (e.eligible && !e.capped) lines.push(`extra unit: ${e.extraUnit ? 'yes' : 'no'}`);
  lines.push(`haircut ${$(e.haircut)}, profit after ${$(e.profitAfter)}`);
  return lines.join('\n');
}

/**
 * The explanation as a JSON-ready object: amounts as strings by `amount`,
 * weights, remainders and fractions as exact decimal integer strings, the quota
 * also as an exact (or marked truncated) decimal in units.
 */
export function explanationJson(e: Explanation, amount: (units: bigint) => string): { [key: string]: JsonValue } {
  const int = (v: bigint | null) => (v === null ? null : v.toString());
  const money = (v: bigint | null) => (v === null ? null : amount(v));
  const at = (b: BoundaryAccount | null) => (b === null ? null : { index: b.index, remainder: b.remainder.toString() });
  return {
    index: e.index, pool: e.pool, rounding: e.rounding, tieSeed: int(e.tieSeed), weighted: e.weighted,
    profit: amount(e.profit), weight: int(e.weight), cap: money(e.cap),
    eligible: e.eligible, reason: e.reason,
    loss: amount(e.loss), insuranceFund: amount(e.insuranceFund), insuranceUsed: amount(e.insuranceUsed),
    residual: amount(e.residual), target: amount(e.target), socialized: amount(e.socialized), uncovered: amount(e.uncovered),
    totalProfit: amount(e.totalProfit), totalWeight: int(e.totalWeight), eligibleAccounts: e.eligibleAccounts,
    cappedAccounts: e.cappedAccounts, shared: amount(e.shared), sharedWeight: e.weighted ? int(e.sharedWeight) : amount(e.sharedWeight),
    capped: e.capped,
    quota: e.quota === null ? null : {
      numerator: e.quota.numerator.toString(), denominator: e.quota.denominator.toString(),
      reducedNumerator: e.quota.reducedNumerator.toString(), reducedDenominator: e.quota.reducedDenominator.toString(),
      decimal: quotaDecimal(e.quota.numerator, e.quota.denominator),
    },
    floor: money(e.floor), remainder: int(e.remainder), leftover: int(e.leftover), sharing: e.sharing,
    rank: e.rank, tieKey: int(e.tieKey),
    boundary: e.boundary === null ? null : { lastExtra: at(e.boundary.lastExtra), firstWithout: at(e.boundary.firstWithout) },
    extraUnit: e.extraUnit, haircut: amount(e.haircut), profitAfter: amount(e.profitAfter),
    roundingDust: amount(e.roundingDust), surplus: amount(e.surplus),
  };
}
