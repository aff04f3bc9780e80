// The auto-deleveraging queue, from the contract: per pool, the accounts that may
// pay (not exempt, capacity above 0) by descending score, equal scores by
// ascending splitmix64(tieSeed XOR index) when seeded, then by lower index; each
// pays min(c, ℓ·⌈min(c, need)/ℓ⌉) until need = R − collected is ≤ 0. Plain
// bigint arithmetic written from the contract, sharing no code with the engine's
// queue kernel: a one-pass certificate of a haircut vector (every payer but the
// last pays its whole capacity, so the last payer decides everything), the full
// queue when the certificate fails, and one account's place in the queue.

import { tieKey } from './ties.js';
import type { AuditPool } from './types.js';

/** A book for the queue: columns of its own, as the command read them. */
export interface QueueBook {
  profits: BigInt64Array;
  scores: BigInt64Array;
  capacities: BigInt64Array;
  /** Lots (> 0); absent: one unit each. */
  lots?: BigInt64Array | undefined;
  exempt?: Uint8Array | undefined;
  /** Each account's pool (absent: every account in pool 0). */
  pool?: Uint32Array | undefined;
  pools: readonly AuditPool[];
  tieSeed?: bigint | undefined;
}

/** A haircut that is not what the queue gives. */
export interface QueueDifference {
  index: number;
  expected: bigint;
  found: bigint;
}

/** What the queue's residual is in a pool: loss less what the fund pays. */
function residualOf(pool: AuditPool): bigint {
  return pool.loss - (pool.insuranceFund < pool.loss ? pool.insuranceFund : pool.loss);
}

/** Whether account i may pay. */
function eligible(book: QueueBook, i: number): boolean {
  return !book.exempt?.[i] && book.capacities[i]! > 0n;
}

/** The queue's order: negative when account a comes before b (higher score, then tie key when seeded, then lower index). */
function queueOrder(book: QueueBook): (a: number, b: number) => number {
  const { scores, tieSeed } = book;
  return (a, b) => {
    if (scores[a] !== scores[b]) return scores[a]! > scores[b]! ? -1 : 1;
    if (tieSeed !== undefined && a !== b) {
      const ka = tieKey(tieSeed, a), kb = tieKey(tieSeed, b);
      if (ka !== kb) return ka < kb ? -1 : 1;
    }
    return a - b;
  };
}

/** What account i pays when `need` is still to collect. */
function payment(book: QueueBook, i: number, need: bigint): bigint {
  const c = book.capacities[i]!;
  if (need <= 0n) return 0n;
  const lot = book.lots?.[i] ?? 1n;
  const want = c < need ? c : need;
  const rounded = ((want + lot - 1n) / lot) * lot;
  return rounded < c ? rounded : c;
}

/** The accounts of each pool that may pay, by ascending index. */
function candidatesByPool(book: QueueBook): number[][] {
  const members = book.pools.map(() => [] as number[]);
  for (let i = 0; i < book.profits.length; i++) if (eligible(book, i)) members[book.pool?.[i] ?? 0]!.push(i);
  return members;
}

/** Every haircut the queue gives (sorting each pool's candidates: the full computation). */
export function auditQueue(book: QueueBook): BigInt64Array {
  const haircuts = new BigInt64Array(book.profits.length);
  const order = queueOrder(book);
  candidatesByPool(book).forEach((members, k) => {
    let need = residualOf(book.pools[k]!);
    for (const i of members.sort(order)) {
      if (need <= 0n) break;
      haircuts[i] = payment(book, i, need);
      need -= haircuts[i]!;
    }
  });
  return haircuts;
}

/**
 * Checks a haircut vector against the queue in one pass per pool when it is right;
 * when it is not, computes the queue in full and lists the differences (the first
 * `limit`, by index; all counted).
 */
export function certifyQueue(book: QueueBook, haircuts: BigInt64Array, limit: number): { mismatches: number; differences: QueueDifference[]; expected: BigInt64Array } {
  if (queueHolds(book, haircuts)) return { mismatches: 0, differences: [], expected: haircuts };
  const expected = auditQueue(book);
  const differences: QueueDifference[] = [];
  let mismatches = 0;
  for (let i = 0; i < haircuts.length; i++) {
    if (haircuts[i] === expected[i]) continue;
    mismatches++;
    if (differences.length < limit) differences.push({ index: i, expected: expected[i]!, found: haircuts[i]! });
  }
  return { mismatches, differences, expected };
}

/**
 * The certificate: outside the candidates nothing is paid; in each pool the last
 * payer L (the payer latest in the queue) is preceded only by whole payments and
 * followed only by zeros, and pays what the rule gives for the need left before it,
 * which meets the need unless no account that may pay comes after it; with no payer,
 * nothing was to collect.
 */
function queueHolds(book: QueueBook, haircuts: BigInt64Array): boolean {
  const order = queueOrder(book);
  const n = haircuts.length;
  const last = book.pools.map(() => -1);
  for (let i = 0; i < n; i++) {
    if (haircuts[i] === 0n) continue;
    if (!eligible(book, i)) return false;
    const k = book.pool?.[i] ?? 0;
    if (last[k]! < 0 || order(i, last[k]!) > 0) last[k] = i;
  }
  const before = book.pools.map(() => 0n);
  const candidates = book.pools.map(() => 0);
  // Whether some account that may pay comes after the last payer (then the last payer must have met the need).
  const followed = book.pools.map(() => false);
  for (let i = 0; i < n; i++) {
    if (!eligible(book, i)) continue;
    const k = book.pool?.[i] ?? 0;
    candidates[k]!++;
    const L = last[k]!;
    if (i === L) continue;
    const whole = L >= 0 && order(i, L) < 0;
    if (haircuts[i] !== (whole ? book.capacities[i]! : 0n)) return false;
    if (whole) before[k]! += book.capacities[i]!;
    else if (L >= 0) followed[k] = true;
  }
  return book.pools.every((pool, k) => {
    const L = last[k]!;
    const residual = residualOf(pool);
    if (L < 0) return residual === 0n || candidates[k] === 0;
    const need = residual - before[k]!;
    const paid = payment(book, L, need);
    // A last payer that could not meet the need (its whole capacity) is last only when no one can follow it.
    return need > 0n && haircuts[L] === paid && (paid >= need || !followed[k]);
  });
}

/** One account's place in the queue. */
export interface QueuePlace {
  /** Whether it may pay; else why not. */
  reason: 'in the queue' | 'exempt' | 'zero capacity';
  score: bigint;
  capacity: bigint;
  lot: bigint;
  /** Its position among its pool's candidates, from 1 (0 when not in the queue). */
  rank: number;
  /** How many accounts of its pool may pay. */
  queueLength: number;
  /** Its pool's residual R. */
  toCover: bigint;
  /** R less what the accounts before it paid: what was still needed when its turn came. */
  needBefore: bigint;
  /** What it pays. */
  paid: bigint;
  /** Why it pays that: a sentence. */
  why: string;
}

/** Account `index`'s place in the queue of `book` (one pass over its pool). */
export function explainQueue(book: QueueBook, index: number): QueuePlace {
  const k = book.pool?.[index] ?? 0;
  const toCover = residualOf(book.pools[k]!);
  const base = { score: book.scores[index]!, capacity: book.capacities[index]!, lot: book.lots?.[index] ?? 1n, toCover };
  const order = queueOrder(book);
  const ahead: number[] = [];
  let queueLength = 0;
  for (let i = 0; i < book.profits.length; i++) {
    if ((book.pool?.[i] ?? 0) !== k || !eligible(book, i)) continue;
    queueLength++;
    if (i !== index && order(i, index) < 0) ahead.push(i);
  }
  if (!eligible(book, index)) {
    const reason = book.exempt?.[index] ? 'exempt' : 'zero capacity';
    return { ...base, reason, rank: 0, queueLength, needBefore: 0n, paid: 0n, why: reason === 'exempt' ? 'it is exempt: the queue passes it by' : 'its capacity is 0: there is nothing the queue may take' };
  }
  // Those ahead pay in queue order until the need is met: the need left when its turn came.
  let need = toCover;
  for (const i of ahead.sort(order)) {
    if (need <= 0n) break;
    need -= payment(book, i, need);
  }
  const paid = payment(book, index, need);
  const why = need <= 0n ? 'the accounts ahead of it had covered the loss before its turn'
    : paid === base.capacity ? 'the need when its turn came was at least its capacity (rounded up to whole lots): it pays its whole capacity'
    : base.lot === 1n ? 'it is the last payer: it pays what was still needed'
    : 'it is the last payer: it pays what was still needed, rounded up to whole lots';
  return { ...base, reason: 'in the queue', rank: ahead.length + 1, queueLength, needBefore: need > 0n ? need : 0n, paid, why };
}
