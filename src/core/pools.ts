// Every pool of a book in shared passes, driven through a pools record (a header and one
// row per pool): the sums, each pool's waterfall, then floorPools, poolBoundaries,
// raisePools and settlePools; by weight also capPools before and finishPools after.
// Invariant: a pool index out of range (or, by weight, a negative weight or cap) is
// refused after the sums and before any haircut is written; each pool's summary is
// what the plain split gives that pool's accounts alone.

import { guard } from '../errors.js';
import { poolOutOfRange } from '../pools-input.js';
import type { SocializeSummary } from '../types.js';
import type { Amounts, Options } from '../validate.js';
import { waterfall } from '../waterfall.js';
import type { Columns, CoreMemory } from './memory.js';
import { summarize } from './summary.js';
import { checkSigns } from './weights.js';

/**
 * Runs every pool of a book in shared passes: sumPools, each pool's waterfall, then
 * floorPools, poolBoundaries, raisePools and settlePools. Throws the RangeError naming
 * the first account whose pool index is out of range, before writing anything.
 */
export function socializePools(core: CoreMemory, columns: Columns, n: number, pools: Amounts[], options: Options, exemptions: boolean): SocializeSummary[] {
  return guard('socializePools', () => withPools(core, n, pools, options, false, (book, table) => {
    const L = core.layout, kernels = core.exports;
    core.writeBook(book, columns, n, exemptions);
    kernels.sumPools(book, table);
    checkPools(core, columns, n, pools.length, core.fields(table).i32(L.POOLS_BAD_POOL));
    const plans = pools.map((amounts, k) => {
      const row = core.row(table, k);
      const totalProfit = row.u128(L.POOL_TOTAL);
      const plan = waterfall(amounts.loss, amounts.insuranceFund, totalProfit);
      row.setU64(L.POOL_SOCIALIZED, plan.socialized);
      return { plan, totalProfit };
    });
    splitPools(core, book, table);
    return plans.map(({ plan, totalProfit }, k) => {
      const row = core.row(table, k);
      return summarize(plan, totalProfit, row.u32(L.POOL_ELIGIBLE), row.u64(L.POOL_WRITTEN), options.rounding);
    });
  }));
}

/**
 * Runs every pool of a weighted book: sumWeightedPools, each pool's waterfall, capPools,
 * the pools passes over each pool's R mod W, then finishPools.
 */
export function socializePoolsWeighted(
  core: CoreMemory, columns: Columns, n: number, pools: Amounts[], options: Options, exemptions: boolean, capsGiven: boolean,
): SocializeSummary[] {
  return guard('socializePools by weight', () => withPools(core, n, pools, options, true, (book, table) => {
    const L = core.layout, kernels = core.exports, header = core.fields(table);
    core.writeBook(book, columns, n, exemptions, true, capsGiven);
    kernels.sumWeightedPools(book, table);
    checkSigns(core, columns, n, capsGiven, header.i32(L.POOLS_NEGATIVE_WEIGHT), header.i32(L.POOLS_NEGATIVE_CAP));
    checkPools(core, columns, n, pools.length, header.i32(L.POOLS_BAD_POOL));
    const plans = pools.map((amounts, k) => {
      const row = core.row(table, k);
      const totalWeight = row.u128(L.POOL_WEIGHT), totalCap = row.u128(L.POOL_TOTAL);
      const plan = waterfall(amounts.loss, amounts.insuranceFund, totalCap);
      row.setU64(L.POOL_SOCIALIZED, plan.socialized);
      return { plan, totalWeight, totalCap };
    });
    kernels.capPools(book, table);
    splitPools(core, book, table);
    kernels.finishPools(book, table);
    return plans.map(({ plan, totalWeight, totalCap }, k) => {
      const row = core.row(table, k);
      const summary = summarize(plan, totalCap, row.u32(L.POOL_ELIGIBLE), row.u64(L.POOL_WRITTEN), options.rounding);
      return { ...summary, totalWeight, cappedAccounts: row.u32(L.POOL_CAPPED) };
    });
  }));
}

/** The pools phases after each pool's S is known: floors and histograms, boundaries, units above them, settling. */
function splitPools(core: CoreMemory, book: number, table: number): void {
  const kernels = core.exports;
  kernels.floorPools(book, table);
  kernels.poolBoundaries(table);
  kernels.raisePools(book, table);
  kernels.settlePools(book, table);
}

/** Throws the RangeError for the first account whose pool index the core found out of range (−1: none). */
function checkPools(core: CoreMemory, columns: Columns, n: number, count: number, bad: number): void {
  if (bad >= 0) throw poolOutOfRange(bad, core.uint32View(columns.pool, n)[bad]!, count);
}

/** Allocates a book record, a pools record (header filled) and its scratch, runs `task` and frees them. */
function withPools<T>(
  core: CoreMemory, n: number, pools: Amounts[], options: Options, weighted: boolean, task: (book: number, table: number) => T,
): T {
  const L = core.layout, count = pools.length;
  const tableBytes = L.POOLS_HEADER_BYTES + count * L.POOL_ROW_BYTES;
  // A u64 (past 4 GiB for millions of pools): exact as a Number, and the allocator's ERR_MEMORY when too big.
  const scratchBytes = Number(core.exports.poolScratchBytes(count, n, weighted ? 1 : 0));
  return core.withBlocks([L.BOOK_BYTES, tableBytes, scratchBytes], ([book, table, scratch]) => {
    core.zero(table!, tableBytes);
    const header = core.fields(table!);
    header.setU32(L.POOLS_COUNT, count);
    header.setU32(L.POOLS_SCRATCH, scratch!);
    core.writeOptions(header, options, core.poolsOptions);
    return task(book!, table!);
  });
}
