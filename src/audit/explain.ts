// One account's whole derivation, for a support desk or an auditor: its pool's
// totals, its part (ineligible and why, capped, or sharing), its exact quota,
// floor and remainder, its rank among its pool's remainders, the boundary of
// the extra units, and its haircut. O(n) for one account: one pass over the
// book, one over the pool, and a quickselect for the boundary.

import { makePlan } from './plan.js';
import { capOf, CAPPED, INELIGIBLE, poolOf, SHARING, type Plan } from './parts.js';
import { quote } from './quote.js';
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
 * The exact quota of each account of `indices`: R × share ÷ W for an account
 * that shares, its cap (÷ 1) for a capped one, 0 for an ineligible one. One
 * pass over the book for all of them (explainAccount is one per account).
 */
export function quotasOf(book: AuditBook, indices: readonly number[]): Fraction[] {
  const plan = makePlan(book);
  const fraction = (numerator: bigint, denominator: bigint): Fraction => {
    const g = gcd(numerator, denominator);
    return { numerator, denominator, reducedNumerator: numerator / g, reducedDenominator: denominator / g };
  };
  return indices.map((index) => {
    if (!Number.isInteger(index) || index < 0 || index >= plan.n) throw new RangeError(`account index must be an integer in [0, ${plan.n}), got ${index}`);
    const part = plan.part[index]!;
    if (part === CAPPED) return fraction(capOf(plan, index), 1n);
    if (part !== SHARING) return fraction(0n, 1n);
    const k = poolOf(plan, index);
    return fraction(plan.shared[k]! * plan.shareBy[index]!, plan.sharedWeight[k]!);
  });
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

/** How the text and JSON name things: amounts by the pool's currency, weights by theirs, accounts and the pool by name. */
export interface ExplanationNames {
  /** Formats an amount given in the smallest unit (e.g. with the currency's decimals). */
  amount: (units: bigint) => string;
  /** The fraction digits `amount` writes: the quota is shown as an amount with this many and more. Default 0. */
  decimals?: number | undefined;
  /** Formats a weight (e.g. with `--weight-decimals`); default the integer. */
  weight?: ((units: bigint) => string) | undefined;
  /** The account's identifier as the desk knows it. */
  account: string;
  /** The pool's name; absent: a book of one pool (the text leaves it out; JSON gives null). */
  pool?: string | undefined;
  /** Names another account of the book by index (the boundary's); default `#` and the index. */
  accountOf?: ((index: number) => string) | undefined;
}

/** A value JSON can carry. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Digits of a quota shown past the currency's own. */
const QUOTA_DIGITS = 20;

/** The quota (in smallest units) as an amount of the currency: exact, or truncated and marked. */
function quotaAmount(q: Fraction, decimals: number): string {
  return quotaDecimal(q.numerator, q.denominator * 10n ** BigInt(decimals), decimals + QUOTA_DIGITS);
}

const REASONS: Record<IneligibleReason, string> = {
  exempt: 'exempt (marked in the exempt column)',
  'non-positive profit': 'no profit to take from (profit ≤ 0)',
  'zero weight': 'weight 0',
  'zero cap': 'cap 0 (nothing it may pay)',
};

/**
 * The explanation as lines of text for a support desk (joined with `\n`, no
 * trailing newline): amounts and weights through `names`, remainders and
 * fractions as exact integers, identifiers (the account's, the boundary's, the
 * pool's) quoted as JSON strings with every control and invisible character escaped.
 */
export function explanationText(e: Explanation, names: ExplanationNames): string {
  const $ = names.amount;
  const w = names.weight ?? ((units: bigint) => units.toString());
  // Identifiers come from a file: quoted and escaped, so that one holding a line break or a
  // terminal escape can neither forge a line of the explanation nor drive the terminal.
  const accountOf = names.accountOf;
  const who = accountOf === undefined ? (index: number) => `#${index}` : (index: number) => quote(accountOf(index));
  const decimals = names.decimals ?? 0;
  const unit = $(1n);
  const lines: string[] = [];
  lines.push(`account ${quote(names.account)} (index ${e.index})${names.pool === undefined ? '' : `, pool ${quote(names.pool)}`}`);
  const policy = e.rounding === 'largest-remainder'
    ? `largest remainder; equal remainders ${e.tieSeed === null ? 'by the lower index' : `by splitmix64(tie seed ${e.tieSeed} XOR index), then the lower index`}`
    : e.rounding === 'down' ? 'rounding down (floors; the leftover units stay uncovered)' : 'rounding up (ceilings, never above what the account may pay; the surplus returns to the fund)';
  lines.push(`policy: ${policy}`);
  lines.push(`pool: loss ${$(e.loss)}, insurance fund ${$(e.insuranceFund)}: insurance used ${$(e.insuranceUsed)}, residual ${$(e.residual)}`);
  const dust = (e.roundingDust > 0n ? `, of which rounding dust ${$(e.roundingDust)}` : '') + (e.surplus > 0n ? `; surplus ${$(e.surplus)}` : '');
  if (e.weighted) {
    lines.push(`pool: socialized ${$(e.socialized)} of total caps ${$(e.totalProfit)} (${e.eligibleAccounts} eligible accounts, ${e.cappedAccounts} capped), uncovered ${$(e.uncovered)}${dust}`);
    lines.push(`pool: the ${e.sharing} uncapped accounts share ${$(e.shared)} by weight, over their total weight ${w(e.sharedWeight)}`);
  } else {
    lines.push(`pool: socialized ${$(e.socialized)} of total profit ${$(e.totalProfit)} (${e.eligibleAccounts} eligible accounts), uncovered ${$(e.uncovered)}${dust}`);
  }
  const own = `profit ${$(e.profit)}` + (e.weighted ? `, weight ${w(e.weight!)}, cap ${$(e.cap!)}` : '');
  if (!e.eligible) {
    lines.push(`account: ${own}; not eligible: ${REASONS[e.reason!]}`);
  } else if (e.capped) {
    lines.push(`account: ${own}; eligible, capped: cap ${$(e.cap!)} × total weight ${w(e.sharedWeight)} < shared ${$(e.shared)} × weight ${w(e.weight!)}, so it pays exactly its cap`);
  } else {
    const q = e.quota!;
    lines.push(`account: ${own}; eligible${e.weighted ? ', not capped' : ''}`);
    const by = e.weighted ? `${w(e.weight!)} / ${w(e.sharedWeight)}` : `${$(e.profit)} / ${$(e.sharedWeight)}`;
    const exactly = q.reducedDenominator === 1n ? `${q.reducedNumerator}` : `${q.reducedNumerator}/${q.reducedDenominator}`;
    lines.push(`quota: ${$(e.shared)} × ${by} = ${quotaAmount(q, decimals)} (exactly ${exactly} units of ${unit})`);
    lines.push(`floor ${$(e.floor!)}, remainder ${e.remainder}/${q.denominator} of a unit`);
  }
  if (e.rounding === 'largest-remainder') {
    lines.push(`leftover units in the pool: ${e.leftover}, one each to the largest of the ${e.sharing} remainders`);
    if (e.rank !== null) lines.push(`rank ${e.rank} of ${e.sharing} by remainder${e.tieKey === null ? '' : ` (its tie key ${e.tieKey})`}`);
    if (e.boundary !== null) {
      const at = (b: BoundaryAccount | null) => (b === null ? 'none' : `${who(b.index)} (remainder ${b.remainder}/${e.sharedWeight})`);
      lines.push(`boundary: the last with an extra unit is ${at(e.boundary.lastExtra)}; the first without is ${at(e.boundary.firstWithout)}`);
    }
  }
  if (e.eligible && !e.capped) {
    const why = e.rounding === 'largest-remainder' ? (e.extraUnit ? `its rank is within the ${e.leftover} leftover units` : `its rank is past the ${e.leftover} leftover units`)
      : e.rounding === 'up' ? (e.extraUnit ? 'rounding up a non-zero remainder' : 'no remainder to round up') : 'rounding down';
    lines.push(`extra unit: ${e.extraUnit ? 'yes' : 'no'} (${why})`);
  }
  lines.push(`haircut ${$(e.haircut)}; profit after ${$(e.profitAfter)}`);
  return lines.join('\n');
}

/**
 * The explanation as a JSON-ready object with the same fields as the text:
 * amounts and weights as strings through `names`, remainders and fractions as
 * exact decimal integer strings, the quota also as an exact (or marked
 * truncated) decimal amount.
 */
export function explanationJson(e: Explanation, names: ExplanationNames): { [key: string]: JsonValue } {
  const amount = names.amount;
  const weight = names.weight ?? ((units: bigint) => units.toString());
  const who = names.accountOf ?? ((index: number) => `#${index}`);
  const int = (v: bigint | null) => (v === null ? null : v.toString());
  const money = (v: bigint | null) => (v === null ? null : amount(v));
  const weights = (v: bigint | null) => (v === null ? null : weight(v));
  const at = (b: BoundaryAccount | null) => (b === null ? null : { account: who(b.index), index: b.index, remainder: b.remainder.toString() });
  return {
    account: names.account, index: e.index, pool: names.pool ?? null, poolIndex: e.pool,
    rounding: e.rounding, tieSeed: int(e.tieSeed), weighted: e.weighted,
    profit: amount(e.profit), weight: weights(e.weight), cap: money(e.cap),
    eligible: e.eligible, reason: e.reason,
    loss: amount(e.loss), insuranceFund: amount(e.insuranceFund), insuranceUsed: amount(e.insuranceUsed),
    residual: amount(e.residual), target: amount(e.target), socialized: amount(e.socialized), uncovered: amount(e.uncovered),
    totalProfit: amount(e.totalProfit), totalWeight: weights(e.totalWeight), eligibleAccounts: e.eligibleAccounts,
    cappedAccounts: e.cappedAccounts, shared: amount(e.shared), sharedWeight: e.weighted ? weight(e.sharedWeight) : amount(e.sharedWeight),
    capped: e.capped,
    quota: e.quota === null ? null : {
      numerator: e.quota.numerator.toString(), denominator: e.quota.denominator.toString(),
      reducedNumerator: e.quota.reducedNumerator.toString(), reducedDenominator: e.quota.reducedDenominator.toString(),
      units: quotaDecimal(e.quota.numerator, e.quota.denominator), amount: quotaAmount(e.quota, names.decimals ?? 0),
    },
    floor: money(e.floor), remainder: int(e.remainder), leftover: int(e.leftover), sharing: e.sharing,
    rank: e.rank, tieKey: int(e.tieKey),
    boundary: e.boundary === null ? null : { lastExtra: at(e.boundary.lastExtra), firstWithout: at(e.boundary.firstWithout) },
    extraUnit: e.extraUnit, haircut: amount(e.haircut), profitAfter: amount(e.profitAfter),
    roundingDust: amount(e.roundingDust), surplus: amount(e.surplus),
  };
}
