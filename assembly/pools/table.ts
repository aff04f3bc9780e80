// Where the pools phases keep their per-pool tables: the pools record's rows (the
// wrapper's inputs and outputs, layout.ts) and the scratch block (the core's own,
// laid out here from the pool count and never read by the wrapper).

import { AMOUNT_BYTES, POOLS_COUNT, POOLS_HEADER_BYTES, POOLS_SCRATCH, POOL_ROW_BYTES } from '../layout';

/** Bytes per pool of the floors' parameters: S, Plo, Phi, c, s, t, bucket shift, kind. */
export const POOL_PARAMS: usize = 64;
/** Bytes per pool of the narrow loop's row: c, S, P, bucket shift. */
export const POOL_HOT: usize = 32;
/**
 * Bytes per pool of settle state: the units its listed accounts must give (u64, 0 for
 * none), its boundary bucket (u32) and how many eligible accounts that bucket holds (u32).
 */
export const POOL_STATE: usize = 16;
/** Histogram counters per pool (layout.ts: the shard protocol reads them too). */
export { POOL_BUCKETS } from '../layout';
/**
 * Bytes per pool of histogram: each counter is split in two tables, its low byte first
 * (pools · 256 bytes, the only table the pass touches per account: a small footprint
 * amid the columns' streams), then the rest as a u32 (count >> 8), touched when the low
 * byte wraps (once per 256 accounts counted in that bucket).
 */
export const POOL_HISTOGRAM: usize = 1280;
/** Bytes per pool of the capped-set search's state (weights/pools.ts). */
export const POOL_WORK: usize = 80;

/** The pools record's pool count. */
// @ts-ignore: decorator
@inline export function poolsOf(table: usize): u32 { return load<u32>(table + POOLS_COUNT); }
/** Pool k's row of the pools record. */
// @ts-ignore: decorator
@inline export function rowOf(table: usize, k: u32): usize { return table + POOLS_HEADER_BYTES + <usize>k * POOL_ROW_BYTES; }

// The scratch block, in order: params, hot, state, totals (16), sums (8), counts, cuts,
// ends, cursors, crowd counts (4 each), work, list starts (4·(2·pools + 2)), then the
// histograms (16-byte aligned), then (split by weight) 4 bytes per account.

// @ts-ignore: decorator
@inline function scratchOf(table: usize): usize { return <usize>load<u32>(table + POOLS_SCRATCH); }
// @ts-ignore: decorator
@inline export function paramsOf(table: usize): usize { return scratchOf(table); }
// @ts-ignore: decorator
@inline export function hotOf(table: usize): usize { return paramsOf(table) + <usize>poolsOf(table) * POOL_PARAMS; }
// @ts-ignore: decorator
@inline export function stateOf(table: usize): usize { return hotOf(table) + <usize>poolsOf(table) * POOL_HOT; }
// @ts-ignore: decorator
@inline export function totalsOf(table: usize): usize { return stateOf(table) + <usize>poolsOf(table) * POOL_STATE; }
// @ts-ignore: decorator
@inline export function sumsOf(table: usize): usize { return totalsOf(table) + (<usize>poolsOf(table) << 4); }
// @ts-ignore: decorator
@inline export function countsOf(table: usize): usize { return sumsOf(table) + <usize>poolsOf(table) * AMOUNT_BYTES; }
// @ts-ignore: decorator
@inline export function cutsOf(table: usize): usize { return countsOf(table) + (<usize>poolsOf(table) << 2); }
// @ts-ignore: decorator
@inline export function endsOf(table: usize): usize { return cutsOf(table) + (<usize>poolsOf(table) << 2); }
// @ts-ignore: decorator
@inline export function cursorsOf(table: usize): usize { return endsOf(table) + (<usize>poolsOf(table) << 2); }
// @ts-ignore: decorator
@inline export function crowdOf(table: usize): usize { return cursorsOf(table) + (<usize>poolsOf(table) << 2); }
// @ts-ignore: decorator
@inline export function workOf(table: usize): usize { return crowdOf(table) + (<usize>poolsOf(table) << 2); }
// @ts-ignore: decorator
@inline export function listStartsOf(table: usize): usize { return workOf(table) + <usize>poolsOf(table) * POOL_WORK; }
// @ts-ignore: decorator
@inline export function histogramOf(table: usize): usize {
  return (listStartsOf(table) + ((<usize>poolsOf(table) + 1) << 3) + 15) & ~15;
}
// @ts-ignore: decorator
@inline export function indexListOf(table: usize): usize { return histogramOf(table) + <usize>poolsOf(table) * POOL_HISTOGRAM; }

/**
 * Phase helper `poolScratchBytes`: the bytes of the scratch block for `pools` pools over n
 * accounts (`weighted`: split by weight). In 64 bits: 3 million pools take more than 4 GiB,
 * which a 32-bit size would wrap to a small block the phases then overrun; the wrapper
 * gets the true size and its allocator says ERR_MEMORY.
 */
export function poolScratchBytes(pools: u32, n: u32, weighted: bool): u64 {
  const perPool = <u64>(POOL_PARAMS + POOL_HOT + POOL_STATE + 16 + AMOUNT_BYTES + 5 * 4 + POOL_WORK + 8 + POOL_HISTOGRAM);
  return <u64>pools * perPool + 32 + (weighted ? <u64>n << 2 : 0);
}
