// A shard's pools phases (src/parallel/): the same floors and histograms as one engine
// (pools/floors.ts, with every pool's S and total the whole book's), then, instead of
// poolBoundaries → raisePools → settlePools, each pool's boundary is decided by the
// coordinator from every shard's histograms: these give it this shard's, then raise
// the accounts above each pool's cut and list those of its boundary bucket for the
// digit rounds (digits.ts).

import { amountsOf, candidatesOf, countOf, eligibleProfit, exemptionsOf, haircutsOf, poolOf } from '../columns';
import { BUCKET_BYTES_AT, POOLS_WEIGHTED, POOL_BUCKETS } from '../layout';
import { histogramOf, paramsOf, poolsOf, POOL_PARAMS } from '../pools/table';

/**
 * Phase helper `shardHistograms` (pools record, out), after `floorPools` counted
 * remainders: every pool's 256 bucket counts (eligible accounts) as u32, pool by pool,
 * then each pool's bucket shift as u32: bucket b holds the remainders r with
 * r >> shift == b (t + the row's bucket shift; 0 for a row without a ratio).
 */
export function shardHistograms(table: usize, out: usize): void {
  const pools = poolsOf(table), lows = histogramOf(table), highs = lows + (<usize>pools << 8);
  for (let at: usize = 0, end = <usize>pools << 8; at < end; at++) {
    store<u32>(out + (at << 2), <u32>load<u8>(lows + at) + (load<u32>(highs + (at << 2)) << 8));
  }
  const shifts = out + (<usize>pools << 10), params = paramsOf(table);
  for (let k: u32 = 0; k < pools; k++) {
    const row = params + <usize>k * POOL_PARAMS;
    store<u32>(shifts + (<usize>k << 2), <u32>(load<u64>(row, 40) + load<u64>(row, 48)));
  }
}

/**
 * Phase helper `raiseShard` (book record, pools record, cuts, list, ends), after
 * `floorPools`: one more unit to every account whose bucket is at or above its pool's
 * cut, and each eligible account of its pool's boundary bucket listed (u32 index, in
 * index order) in its pool's run of `list`. `cuts` holds a u32 per pool, the cut in the
 * low 16 bits and the boundary bucket in the high 16 (256 for none), as the coordinator
 * decided them from every shard's histograms; `ends` gets where each pool's run ends.
 * Runs are laid out pool after pool by this shard's own counts of its boundary buckets.
 */
export function raiseShard(book: usize, table: usize, cuts: usize, list: usize, ends: usize): void {
  const n = countOf(book), pools = poolsOf(table), pool = poolOf(book), haircuts = haircutsOf(book);
  const buckets = candidatesOf(book) + <usize>BUCKET_BYTES_AT * <usize>n;
  const weighted = load<u32>(table + POOLS_WEIGHTED) != 0;
  const amounts = amountsOf(book, weighted), exempt = exemptionsOf(book, weighted);
  const lows = histogramOf(table), highs = lows + (<usize>pools << 8);
  // `ends` serves as each run's cursor, and ends up where each run ends.
  let start: u32 = 0;
  for (let k: u32 = 0; k < pools; k++) {
    store<u32>(ends + (<usize>k << 2), start);
    const b = load<u32>(cuts + (<usize>k << 2)) >> 16;
    if (b < POOL_BUCKETS) {
      const at = (<usize>k << 8) + <usize>b;
      start += <u32>load<u8>(lows + at) + (load<u32>(highs + (at << 2)) << 8);
    }
  }
  if (pools == 1) {
    raiseOne(amounts, exempt, haircuts, buckets, n, load<u32>(cuts), list, ends);
    return;
  }
  for (let i: u32 = 0; i < n; i++) {
    const k = <usize>load<u32>(pool + (<usize>i << 2));
    const cut = load<u32>(cuts + (k << 2));
    const b = <u32>load<u8>(buckets + <usize>i);
    const at = haircuts + (<usize>i << 3);
    store<u64>(at, load<u64>(at) + <u64>(b >= (cut & 0xFFFF)));
    // Ineligible accounts carry bucket 0 uncounted: listed only when eligible.
    if (b == cut >> 16 && (b != 0 || eligibleProfit(amounts, exempt, i) != 0)) {
      const cursor = ends + (k << 2), e = load<u32>(cursor);
      store<u32>(list + (<usize>e << 2), i);
      store<u32>(cursor, e + 1);
    }
  }
}

/** `raiseShard` for one pool (the pool column not read): its cut and boundary bucket held in locals. */
function raiseOne(amounts: usize, exempt: usize, haircuts: usize, buckets: usize, n: u32, cut: u32, list: usize, ends: usize): void {
  const low = cut & 0xFFFF, boundary = cut >> 16;
  let e = load<u32>(ends);
  for (let i: u32 = 0; i < n; i++) {
    const b = <u32>load<u8>(buckets + <usize>i);
    const at = haircuts + (<usize>i << 3);
    store<u64>(at, load<u64>(at) + <u64>(b >= low));
    if (b == boundary && (b != 0 || eligibleProfit(amounts, exempt, i) != 0)) {
      store<u32>(list + (<usize>e << 2), i);
      e++;
    }
  }
  store<u32>(ends, e);
}
