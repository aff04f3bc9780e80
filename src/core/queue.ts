// The auto-deleveraging queue driven through its record: the wrapper computes R (the
// waterfall's first step: the fund pays first), deleverageQueue does the rest.
// Invariant: the core writes every haircut, Σ haircuts and the counts; the wrapper only
// reads the record back into a summary, and names a lot that is not above 0 (which the
// core finds before it writes anything).

import { badLot } from '../deleverage-input.js';
import { guard } from '../errors.js';
import type { DeleverageSummary } from '../types.js';
import type { Amounts } from '../validate.js';
import { haircutRate, residualOf } from '../waterfall.js';
import type { Fields } from './layout.js';
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

/**
 * Copies a queue's columns into fresh blocks of engine memory (with `extra` more blocks
 * after them: their addresses are the task's second argument), runs `task` on their
 * addresses and frees them.
 */
function withQueueColumns<T>(core: CoreMemory, columns: QueueColumnsIn, n: number, extra: number[], task: (at: QueueAddresses, more: number[]) => T): T {
  const L = core.layout;
  const { profits, scores, capacities, lots, exempt } = columns;
  const amounts = L.AMOUNT_BYTES * n;
  // Every block is placed (at least a byte), an absent column's too: its address is then given as 0.
  const sizes = [amounts, amounts, amounts, L.CANDIDATE_BYTES * n, amounts, amounts, L.FLAG_BYTES * n, ...extra].map((size) => Math.max(size, 1));
  return core.withBlocks(sizes, ([profitsAt, scoresAt, haircutsAt, listAt, capacitiesAt, lotsAt, exemptAt, ...more]) => {
    const at: QueueAddresses = {
      profits: profitsAt!, scores: scoresAt!, haircuts: haircutsAt!, list: listAt!,
      capacities: capacities === undefined ? 0 : capacitiesAt!, lots: lots === undefined ? 0 : lotsAt!, exempt: exempt === undefined ? 0 : exemptAt!,
    };
    core.int64View(at.profits, n).set(profits);
    core.int64View(at.scores, n).set(scores);
    if (capacities !== undefined) core.int64View(at.capacities, n).set(capacities);
    if (lots !== undefined) core.int64View(at.lots, n).set(lots);
    if (exempt !== undefined) core.byteView(at.exempt, n).set(exempt);
    return task(at, more);
  });
}

/** The queue over `n` accounts: copies the columns in, runs deleverageQueue, returns the haircuts and the summary. */
export function deleverageOnCore(
  core: CoreMemory, columns: QueueColumnsIn, n: number, amounts: Amounts, tieSeed: bigint | undefined,
): DeleverageSummary & { haircuts: BigInt64Array } {
  return guard('deleverage', () => withQueueColumns(core, columns, n, [], (at) => {
    const summary = runQueue(core, at, n, amounts, tieSeed);
    return { haircuts: core.int64View(at.haircuts, n).slice(), ...summary };
  }));
}

/**
 * One queue per pool over `n` accounts (`pool[i]` below `pools.length`, checked by the
 * caller): copies the columns in, runs deleveragePools, returns the haircuts and each
 * pool's summary.
 */
export function deleveragePoolsOnCore(
  core: CoreMemory, columns: QueueColumnsIn, pool: Uint32Array, n: number, pools: readonly Amounts[], tieSeed: bigint | undefined,
): { haircuts: BigInt64Array; pools: DeleverageSummary[] } {
  const L = core.layout, count = pools.length;
  const extra = [L.POOL_INDEX_BYTES * n, 4 * (n + count + 1), L.QUEUE_ROW_BYTES * count, L.QUEUE_BYTES];
  return guard('deleverage', () => withQueueColumns(core, columns, n, extra, (at, [poolAt, membersAt, tableAt, queue]) => {
    core.uint32View(poolAt!, n).set(pool);
    const fields = core.fields(queue!);
    const residuals = pools.map((amounts) => residualOf(amounts.loss, amounts.insuranceFund).residual);
    core.zero(tableAt!, L.QUEUE_ROW_BYTES * count);
    residuals.forEach((residual, k) => core.fields(tableAt! + k * L.QUEUE_ROW_BYTES).setU64(L.QUEUE_ROW_NEED, residual));
    writeRecord(core, queue!, at, n, tieSeed);
    fields.setU32(L.QUEUE_POOL, poolAt!);
    fields.setU32(L.QUEUE_POOL_COUNT, count);
    fields.setU32(L.QUEUE_TABLE, tableAt!);
    fields.setU32(L.QUEUE_MEMBERS, membersAt!);
    core.exports.deleveragePools(queue!);
    checkLots(core, fields, at, n);
    return {
      haircuts: core.int64View(at.haircuts, n).slice(),
      pools: pools.map((amounts, k) => {
        const row = core.fields(tableAt! + k * L.QUEUE_ROW_BYTES);
        return summaryOf(amounts, residuals[k]!, row.u64(L.QUEUE_ROW_COLLECTED), row.u128(L.QUEUE_ROW_TOTAL), row.u32(L.QUEUE_ROW_CHARGED));
      }),
    };
  }));
}

/** Fills a queue record's columns, count and tie seed (its pools fields stay 0: one queue). */
function writeRecord(core: CoreMemory, queue: number, at: QueueAddresses, n: number, tieSeed: bigint | undefined): void {
  const L = core.layout, fields = core.fields(queue);
  core.zero(queue, L.QUEUE_BYTES);
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
}

/** Throws the RangeError for the first lot not above 0 the core found (nothing was written then). */
function checkLots(core: CoreMemory, fields: Fields, at: QueueAddresses, n: number): void {
  const bad = fields.i32(core.layout.QUEUE_BAD_LOT);
  if (bad >= 0) throw badLot(bad, core.int64View(at.lots, n)[bad]!);
}

/** A queue's summary from its amounts, R, Σ haircuts, Σ capacities and the accounts charged. */
function summaryOf(amounts: Amounts, residual: bigint, collected: bigint, totalCapacity: bigint, accountsCharged: number): DeleverageSummary {
  return {
    insuranceUsed: amounts.loss - residual,
    socialized: collected,
    uncovered: residual > collected ? residual - collected : 0n,
    surplus: collected > residual ? collected - residual : 0n,
    roundingDust: 0n,
    totalCapacity,
    accountsCharged,
    haircutRate: haircutRate(collected, totalCapacity),
  };
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
    writeRecord(core, queue!, at, n, tieSeed);
    const { residual } = residualOf(amounts.loss, amounts.insuranceFund);
    fields.setU64(L.QUEUE_NEED, residual);
    core.exports.deleverageQueue(queue!);
    checkLots(core, fields, at, n);
    return summaryOf(amounts, residual, fields.u64(L.QUEUE_COLLECTED), fields.u128(L.QUEUE_TOTAL), fields.u32(L.QUEUE_CHARGED));
  }));
}
