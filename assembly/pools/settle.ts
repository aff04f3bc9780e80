// The pools' settle phase: each pool's listed boundary accounts settled like a single
// book (select.ts, through allocate.ts's `settleFor`), with ties decided by each
// account's index in the whole book.

import { bitLength } from '../wide';
import { BUCKET_BITS, LIST_ENTRY } from '../select';
import { settleFor } from '../allocate';
import { amountsOf, candidatesOf, countOf, eligibleProfit, exemptionsOf, haircutsOf, poolOf } from '../columns';
import { groupEntriesByPool, placeEntry } from '../group';
import {
  BUCKET_BYTES_AT, CANDIDATE_BYTES, POOLS_COUNTED, POOLS_LIST_END, POOLS_SEED, POOLS_SEEDED, POOLS_WEIGHTED, POOL_WRITTEN,
} from '../layout';
import { KIND_NARROW, KIND_RATIO, poolKey } from './floors';
import { crowdOf, cursorsOf, cutsOf, endsOf, paramsOf, poolsOf, rowOf, stateOf, POOL_PARAMS, POOL_STATE } from './table';

/**
 * Phase `settlePools` (book record, pools record), after `raisePools`: every pool's
 * listed accounts settled; each pool with a boundary then has POOL_WRITTEN = its S.
 * The listed accounts are grouped by pool beside the list, or, when they are too many
 * to fit there (heavy ties), regrouped from the book batch by batch within the column.
 */
export function settlePools(book: usize, table: usize): void {
  if (load<u32>(table + POOLS_COUNTED) == 0) return;
  const weighted = load<u32>(table + POOLS_WEIGHTED) != 0;
  const amounts = amountsOf(book, weighted), exempt = exemptionsOf(book, weighted);
  const n = countOf(book), pools = poolsOf(table), candidates = candidatesOf(book), haircuts = haircutsOf(book);
  const buckets = candidates + <usize>BUCKET_BYTES_AT * <usize>n;
  const end = <usize>load<u32>(table + POOLS_LIST_END);
  const seeded = load<u32>(table + POOLS_SEEDED) != 0, seed = load<u64>(table + POOLS_SEED);
  const params = paramsOf(table), state = stateOf(table), ends = endsOf(table);
  // raisePools' entries are 8 bytes (index, pool); grouped, each takes CANDIDATE_BYTES more after the list.
  const entries = end == 0 ? 0 : <u32>((end - candidates) >> 3);
  if (<u64>entries * (8 + <u64>CANDIDATE_BYTES) > <u64>n * <u64>CANDIDATE_BYTES) {
    settleCrowded(amounts, poolOf(book), exempt, haircuts, candidates, buckets, n, cutsOf(table), params, state, crowdOf(table), cursorsOf(table), pools, seeded, seed);
  } else {
    let grouped = candidates;
    if (entries > 0) {
      grouped = end;
      groupEntriesByPool(haircuts, candidates, entries, grouped, ends, pools);
    }
    settleGroups(amounts, exempt, haircuts, grouped, ends, params, state, pools, seeded, seed);
  }
  for (let k: u32 = 0; k < pools; k++) {
    const row = params + <usize>k * POOL_PARAMS, kind = load<u64>(row, 56);
    if (kind == KIND_RATIO || kind == KIND_NARROW) store<u64>(rowOf(table, k) + POOL_WRITTEN, load<u64>(row));
  }
}

/**
 * Settles the boundary accounts of every pool when too many are listed to group them
 * beside pass B's list in the candidates block (more than 60% of the book): groups are
 * rebuilt from the book itself, batch by batch, from the block's start (`grouped`) up to
 * the bucket bytes (`buckets`, which must follow at 11·n bytes), so no memory is added.
 * Each batch is a run of consecutive pools whose boundary accounts fit below the bucket
 * bytes; a pool with more than that goes last and alone, its entries written in account
 * order (entry j at 12·j, j never past the account read, so no bucket byte still to be
 * read is overwritten). `counts` and `cursors` are scratch of 4 bytes per pool.
 */
function settleCrowded(
  profits: usize, pool: usize, exempt: usize, haircuts: usize, grouped: usize, buckets: usize, n: u32,
  cuts: usize, params: usize, state: usize, counts: usize, cursors: usize, pools: u32, seeded: bool, seed: u64,
): void {
  // Each pool's boundary accounts, as pass B lists them (ineligible ones in a boundary bucket 0 too).
  memory.fill(counts, 0, <usize>pools << 2);
  for (let i: u32 = 0; i < n; i++) {
    const k = <usize>load<u32>(pool + (<usize>i << 2));
    const at = counts + (k << 2);
    store<u32>(at, load<u32>(at) + <u32>(<u32>load<u8>(buckets + <usize>i) == load<u32>(cuts + (k << 2)) >> 16));
  }
  const capacity = <u32>((buckets - grouped) / LIST_ENTRY);
  let giant: i32 = -1;
  let k0: u32 = 0;
  while (k0 < pools) {
    if (load<u32>(counts + (<usize>k0 << 2)) > capacity) {
      // At most one pool can hold more than 11/12 of the book: it goes last.
      giant = <i32>k0;
      k0++;
      continue;
    }
    let total: u32 = 0, k1 = k0;
    while (k1 < pools) {
      const size = load<u32>(counts + (<usize>k1 << 2));
      if (size > capacity || total + size > capacity) break;
      total += size;
      k1++;
    }
    settleBatch(profits, pool, exempt, haircuts, grouped, buckets, n, cuts, params, state, counts, cursors, k0, k1, seeded, seed);
    k0 = k1;
  }
  if (giant >= 0) {
    settleBatch(profits, pool, exempt, haircuts, grouped, buckets, n, cuts, params, state, counts, cursors, <u32>giant, <u32>giant + 1, seeded, seed);
  }
}

/** Groups the boundary accounts of pools [k0, k1) from the book at `grouped`, then settles those pools. */
function settleBatch(
  profits: usize, pool: usize, exempt: usize, haircuts: usize, grouped: usize, buckets: usize, n: u32,
  cuts: usize, params: usize, state: usize, counts: usize, cursors: usize, k0: u32, k1: u32, seeded: bool, seed: u64,
): void {
  let start: u32 = 0;
  for (let k = k0; k < k1; k++) {
    store<u32>(cursors + (<usize>k << 2), start);
    start += load<u32>(counts + (<usize>k << 2));
  }
  for (let i: u32 = 0; i < n; i++) {
    const k = load<u32>(pool + (<usize>i << 2));
    if (k < k0 || k >= k1 || <u32>load<u8>(buckets + <usize>i) != load<u32>(cuts + (<usize>k << 2)) >> 16) continue;
    placeEntry(grouped, cursors + (<usize>k << 2), load<u64>(haircuts + (<usize>i << 3)), i);
  }
  // The cursors now end each group, as settleGroups reads them.
  settleGroups(
    profits, exempt, haircuts, grouped, cursors + (<usize>k0 << 2), params + <usize>k0 * POOL_PARAMS,
    state + <usize>k0 * POOL_STATE, k1 - k0, seeded, seed,
  );
}

/**
 * Settles each pool's group of (floor, index) entries in `grouped` like a single book,
 * each floor first replaced by the account's exact key; `starts` holds where each group
 * ends (each begins where the previous pool's ends).
 */
function settleGroups(
  profits: usize, exempt: usize, haircuts: usize, grouped: usize, starts: usize,
  params: usize, state: usize, pools: u32, seeded: bool, seed: u64,
): void {
  // starts[k] now ends pool k's group; it began where pool k − 1's ended.
  let begin: u32 = 0;
  for (let k: u32 = 0; k < pools; k++) {
    const end = load<u32>(starts + (<usize>k << 2));
    const st = state + <usize>k * POOL_STATE;
    const need = load<u64>(st);
    if (need != 0) {
      const row = params + <usize>k * POOL_PARAMS;
      for (let e = grouped + <usize>begin * LIST_ENTRY, last = grouped + <usize>end * LIST_ENTRY; e < last; e += LIST_ENTRY) {
        store<u64>(e, poolKey(row, eligibleProfit(profits, exempt, load<u32>(e, 8)), load<u64>(e)));
      }
      const S = load<u64>(row);
      // Keys in the boundary bucket lie in [b << shift, ((b + 1) << shift) − 1].
      const shift = load<u64>(row, 48);
      const low = <u64>load<u32>(st, 8) << shift;
      settleFor(
        profits, haircuts, grouped + <usize>begin * LIST_ENTRY, grouped + <usize>end * LIST_ENTRY, S, need,
        load<u64>(row, 8), load<u64>(row, 16), <i32>load<u64>(row, 40), low, low + ((<u64>1 << shift) - 1),
        seeded, seed, exempt, min(BUCKET_BITS, max(4, bitLength(<u64>(end - begin)))),
      );
    }
    begin = end;
  }
}
