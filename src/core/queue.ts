// The auto-deleveraging queue driven through its record: the wrapper computes R (the
// waterfall's first step: the fund pays first), deleverageQueue does the rest.
// Invariant: the core writes every haircut, Σ haircuts and the counts; the wrapper only
// reads the record back into a summary, and names a lot that is not above 0 (which the
// core finds before it writes anything).

import { badLot } from '../deleverage-input.js';
import { guard } from '../errors.js';
import type { DeleverageSummary } from '../types.js';
import type { Amounts } from '../validate.js';
import type { CoreMemory } from './memory.js';

/** A queue's columns, read and checked, as the wrapper copies them into engine memory. */
export interface QueueColumnsIn {
  profits: BigInt64Array;
  scores: BigInt64Array;
  /** Absent: max(profit, 0). */
  capacities: BigInt64Array | undefined;
  /** Absent: one unit each. */
  lots: BigInt64Array | undefined;
  exempt: Uint8Array | undefined;
}

/** Where a queue's columns are in engine memory (0: absent). */
export interface QueueAddresses {
  profits: number;
  scores: number;
  /** 0: max(profit, 0). */
  capacities: number;
  /** 0: one unit each. */
  lots: number;
  /** 0: nobody exempt. */
  exempt: number;
  haircuts: number;
  /** CANDIDATE_BYTES × n of scratch (a book's candidates column). */
  list: number;
}

/** The queue over `n` accounts: copies the columns in, runs deleverageQueue, returns the haircuts and the summary. */
export function deleverageOnCore(
  core: CoreMemory, columns: QueueColumnsIn, n: number, amounts: Amounts, tieSeed: bigint | undefined,
): DeleverageSummary & { haircuts: BigInt64Array } {
  const L = core.layout;
  const { profits, scores, capacities, lots, exempt } = columns;
  const sizes = [L.AMOUNT_BYTES * n, L.AMOUNT_BYTES * n, L.AMOUNT_BYTES * n, L.CANDIDATE_BYTES * n];
  if (capacities !== undefined) sizes.push(L.AMOUNT_BYTES * n);
  if (lots !== undefined) sizes.push(L.AMOUNT_BYTES * n);
  if (exempt !== undefined) sizes.push(L.FLAG_BYTES * n);
  return guard('deleverage', () => core.withBlocks(sizes, (blocks) => {
    const [profitsAt, scoresAt, haircutsAt, listAt, ...optional] = blocks as [number, number, number, number, ...number[]];
    const at: QueueAddresses = {
      profits: profitsAt, scores: scoresAt, haircuts: haircutsAt, list: listAt,
      capacities: capacities === undefined ? 0 : optional.shift()!,
      lots: lots === undefined ? 0 : optional.shift()!,
      exempt: exempt === undefined ? 0 : optional.shift()!,
    };
    core.int64View(at.profits, n).set(profits);
    core.int64View(at.scores, n).set(scores);
    if (capacities !== undefined) core.int64View(at.capacities, n).set(capacities);
    if (lots !== undefined) core.int64View(at.lots, n).set(lots);
    if (exempt !== undefined) core.byteView(at.exempt, n).set(exempt);
    const summary = runQueue(core, at, n, amounts, tieSeed);
    return { haircuts: core.int64View(at.haircuts, n).slice(), ...summary };
  }));
}

/**
 * The queue over `n` accounts whose columns are at `at` (a book's own, or copies): runs
 * deleverageQueue and reads its record back. A lot that is not above 0 is a RangeError
 * naming the first (nothing is written then).
 */
export function runQueue(core: CoreMemory, at: QueueAddresses, n: number, amounts: Amounts, tieSeed: bigint | undefined): DeleverageSummary {
  const L = core.layout;
  return guard('deleverage', () => core.withBlocks([L.QUEUE_BYTES], ([queue]) => {
    const fields = core.fields(queue!);
    core.zero(queue!, L.QUEUE_BYTES);
    fields.setU32(L.QUEUE_PROFITS, at.profits);
    fields.setU32(L.QUEUE_SCORES, at.scores);
    fields.setU32(L.QUEUE_CAPACITIES, at.capacities);
    fields.setU32(L.QUEUE_LOTS, at.lots);
    fields.setU32(L.QUEUE_EXEMPT, at.exempt);
    fields.setU32(L.QUEUE_HAIRCUTS, at.haircuts);
    fields.setU32(L.QUEUE_LIST, at.list);
    fields.setU32(L.QUEUE_COUNT, n);
    fields.setU32(L.QUEUE_SEEDED, tieSeed === undefined ? 0 : 1);
    fields.setU64(L.QUEUE_SEED, tieSeed ?? 0n);
    const insuranceUsed = amounts.loss < amounts.insuranceFund ? amounts.loss : amounts.insuranceFund;
    const residual = amounts.loss - insuranceUsed;
    fields.setU64(L.QUEUE_NEED, residual);
    core.exports.deleverageQueue(queue!);
    const bad = fields.i32(L.QUEUE_BAD_LOT);
    if (bad >= 0) throw badLot(bad, core.int64View(at.lots, n)[bad]!);
    const collected = fields.u64(L.QUEUE_COLLECTED), totalCapacity = fields.u128(L.QUEUE_TOTAL);
    return {
      insuranceUsed,
      socialized: collected,
      uncovered: residual > collected ? residual - collected : 0n,
      surplus: collected > residual ? collected - residual : 0n,
      roundingDust: 0n,
      totalCapacity,
      accountsCharged: fields.u32(L.QUEUE_CHARGED),
      haircutRate: totalCapacity === 0n ? 0 : Number(collected) / Number(totalCapacity),
    };
  }));
}
