// The measures of a haircut vector driven through their record: measureHaircuts
// (assembly/measures.ts) computes every group's figures, the whole book's and each pool's,
// in one phase. Invariant: the core computes every count and every Σ; the wrapper reads the
// rows back and names the first bad pool index or haircut the core found (nothing is
// measured then). The figures become fractions in the library (src/measures.ts).

import { guard } from '../errors.js';
import { haircutError } from '../measures-input.js';
import { poolOutOfRange } from '../pools-input.js';
import type { CoreMemory } from './memory.js';

/** A measures call's columns, read and checked, as the wrapper copies them into engine memory. */
export interface MeasureColumnsIn {
  haircuts: BigInt64Array;
  /** Absent: max(profit, 0) of `profits`. */
  capacities: BigInt64Array | undefined;
  /** Read only without `capacities`. */
  profits: BigInt64Array | undefined;
  exempt: Uint8Array | undefined;
  /** Each account's pool, for `pools` pools. */
  pool: Uint32Array | undefined;
}

/** Where a measures call's columns are in engine memory (0: absent). */
export interface MeasureAddresses {
  haircuts: number;
  /** 0: max(profit, 0) of `profits`. */
  capacities: number;
  profits: number;
  /** 0: nobody exempt. */
  exempt: number;
  /** 0: no pools. */
  pool: number;
  /** CANDIDATE_BYTES × n of scratch (a book's candidates column). */
  entries: number;
}

/** One tenth's figures: its accounts, Σ haircuts and Σ capacities. */
export interface TenthFigures {
  accounts: number;
  collected: bigint;
  capacity: bigint;
}

/** A group's figures as the core computed them (assembly/layout.ts: MEASURE_ROW_*), over its measured population. */
export interface MeasureFigures {
  accounts: number;
  totalCapacity: bigint;
  collected: bigint;
  accountsCharged: number;
  accountsTakenWhole: number;
  largestHaircut: bigint;
  /** The (h, c) of the largest h/c (0/1 when nobody pays). */
  bestHaircut: bigint;
  bestCapacity: bigint;
  /** Σ of the 10 largest haircuts. */
  top10: bigint;
  /** Σ haircuts of the ⌈n/100⌉ largest capacities. */
  top1Percent: bigint;
  /** Σₖ (2k − n + 1)·h₍ₖ₎ over the haircuts in rising order. */
  giniNumerator: bigint;
  tenths: TenthFigures[];
}

/**
 * Measures `n` accounts whose columns are at `at` (a book's own, or copies), in `pools`
 * pools when `at.pool` is given: the whole book's figures, then each pool's. The first pool
 * index not below `pools` is an ERR_POOL_INDEX error, else the first haircut below 0, above
 * its capacity or above 0 outside the measured population an ERR_OUT_OF_RANGE one.
 */
export function measureAt(core: CoreMemory, at: MeasureAddresses, n: number, pools: number): MeasureFigures[] {
  const L = core.layout, groups = at.pool === 0 ? 1 : pools + 1;
  const scratchBytes = Number(core.exports.measureScratchBytes(n, at.pool === 0 ? 0 : 1, pools));
  return guard('measureHaircuts', () => core.withBlocks([L.MEASURE_BYTES, scratchBytes, L.MEASURE_ROW_BYTES * groups], ([measure, scratch, table]) => {
    const fields = core.fields(measure!);
    core.zero(measure!, L.MEASURE_BYTES);
    const inputs: [number, number][] = [
      [L.MEASURE_HAIRCUTS, at.haircuts], [L.MEASURE_CAPACITIES, at.capacities], [L.MEASURE_PROFITS, at.profits], [L.MEASURE_EXEMPT, at.exempt],
      [L.MEASURE_POOL, at.pool], [L.MEASURE_POOL_COUNT, pools], [L.MEASURE_COUNT, n], [L.MEASURE_ENTRIES, at.entries],
      [L.MEASURE_SCRATCH, scratch!], [L.MEASURE_TABLE, table!],
    ];
    for (const [offset, value] of inputs) fields.setU32(offset, value);
    core.exports.measureHaircuts(measure!);
    checkMeasured(core, at, pools, fields.i32(L.MEASURE_BAD_POOL), fields.i32(L.MEASURE_BAD_HAIRCUT));
    return Array.from({ length: groups }, (_, k) => figuresOf(core, table! + k * L.MEASURE_ROW_BYTES));
  }));
}

/** Copies a measures call's columns into fresh blocks of engine memory and measures them (`measureAt`). */
export function measureOnCore(core: CoreMemory, columns: MeasureColumnsIn, n: number, pools: number): MeasureFigures[] {
  const L = core.layout;
  const { haircuts, capacities, profits, exempt, pool } = columns;
  const amounts = L.AMOUNT_BYTES * n;
  // Every block is placed (at least a byte), an absent column's too: its address is then given as 0.
  const sizes = [amounts, amounts, amounts, L.FLAG_BYTES * n, L.POOL_INDEX_BYTES * n, L.CANDIDATE_BYTES * n].map((size) => Math.max(size, 1));
  return guard('measureHaircuts', () => core.withBlocks(sizes, ([haircutsAt, capacitiesAt, profitsAt, exemptAt, poolAt, entries]) => {
    const at: MeasureAddresses = {
      haircuts: haircutsAt!, entries: entries!, capacities: capacities === undefined ? 0 : capacitiesAt!,
      profits: profits === undefined ? 0 : profitsAt!, exempt: exempt === undefined ? 0 : exemptAt!, pool: pool === undefined ? 0 : poolAt!,
    };
    core.int64View(at.haircuts, n).set(haircuts);
    if (capacities !== undefined) core.int64View(at.capacities, n).set(capacities);
    if (profits !== undefined) core.int64View(at.profits, n).set(profits);
    if (exempt !== undefined) core.byteView(at.exempt, n).set(exempt);
    if (pool !== undefined) core.uint32View(at.pool, n).set(pool);
    return measureAt(core, at, n, pools);
  }));
}

/** Throws the error for the first bad pool index, else the first bad haircut, the core found (−1: none). */
function checkMeasured(core: CoreMemory, at: MeasureAddresses, pools: number, badPool: number, badHaircut: number): void {
  if (badPool >= 0) throw poolOutOfRange(badPool, core.uint32View(at.pool, badPool + 1)[badPool]!, pools);
  if (badHaircut < 0) return;
  const i = badHaircut;
  const h = core.int64View(at.haircuts, i + 1)[i]!;
  const c = at.capacities !== 0 ? core.int64View(at.capacities, i + 1)[i]! : maxZero(core.int64View(at.profits, i + 1)[i]!);
  const exempt = at.exempt !== 0 && core.byteView(at.exempt, i + 1)[i] !== 0;
  throw haircutError(i, h, c, exempt)!;
}

/** max(p, 0). */
function maxZero(p: bigint): bigint {
  return p > 0n ? p : 0n;
}

/** One group's figures from its row at `row`. */
function figuresOf(core: CoreMemory, row: number): MeasureFigures {
  const L = core.layout, fields = core.fields(row);
  return {
    accounts: fields.u32(L.MEASURE_ROW_ACCOUNTS),
    totalCapacity: fields.u128(L.MEASURE_ROW_CAPACITY),
    collected: fields.u128(L.MEASURE_ROW_COLLECTED),
    accountsCharged: fields.u32(L.MEASURE_ROW_CHARGED),
    accountsTakenWhole: fields.u32(L.MEASURE_ROW_WHOLE),
    largestHaircut: fields.u64(L.MEASURE_ROW_LARGEST),
    bestHaircut: fields.u64(L.MEASURE_ROW_BEST_HAIRCUT),
    bestCapacity: fields.u64(L.MEASURE_ROW_BEST_CAPACITY),
    top10: fields.u128(L.MEASURE_ROW_TOP10),
    top1Percent: fields.u128(L.MEASURE_ROW_TOP_CAPACITY),
    giniNumerator: fields.u128(L.MEASURE_ROW_GINI),
    tenths: Array.from({ length: 10 }, (_, k) => {
      const tenth = core.fields(row + L.MEASURE_ROW_TENTHS + k * L.MEASURE_TENTH_BYTES);
      return { accounts: tenth.u32(L.MEASURE_TENTH_ACCOUNTS), collected: tenth.u128(L.MEASURE_TENTH_COLLECTED), capacity: tenth.u128(L.MEASURE_TENTH_CAPACITY) };
    }),
  };
}
