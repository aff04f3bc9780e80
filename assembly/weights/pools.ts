// The split by weight, every pool at once: each pool's capped set from one shared
// classification pass and each pool's own short lists (search.ts's selection).

import { fixedRatio, levelAtMost, mulhi, ratioShift } from '../wide';
import { candidatesOf, capsOf, countOf, haircutsOf, maskOf, poolOf, positivePart, weightsOf } from '../columns';
import { groupEligibleByPool, groupListedByPool } from '../group';
import {
  MASK_CAPPED, MASK_MIDDLE, MASK_NEAR, MASK_OUT, MASK_SHARES, POOL_CAPPED, POOL_ELIGIBLE, POOL_PART, POOL_SHARED,
  POOL_SHARED_WEIGHT, POOL_SOCIALIZED, POOL_WEIGHT, POOL_WHOLE,
} from '../layout';
import { indexListOf, listStartsOf, poolsOf, rowOf, workOf, POOL_WORK } from '../pools/table';
import {
  cappedCount, outsideHigh, outsideLow, partLeft, searchCapped, selectOver, selectedCount, shareUnits, shareWeightHigh,
  shareWeightLow, unmark, verifyCapped, wholeLevel,
} from './search';

/**
 * Phase `capPools` (book record, pools record), after `sumWeightedPools` and each
 * pool's waterfall: C for every pool at once, with S = POOL_SOCIALIZED over
 * W = POOL_WEIGHT (S = 0: nothing to cap). Writes each row's POOL_SHARED (R),
 * POOL_SHARED_WEIGHT, POOL_CAPPED, POOL_ELIGIBLE, POOL_WHOLE and POOL_PART. One pass
 * over the book classifies every account against its pool's first level (as
 * `classifyRegion`), then the near and middle accounts are grouped by pool and each
 * pool selects over its own short lists (as `searchCapped`). A pool whose level ends
 * beyond twice its first estimate runs `searchCapped` over all its accounts. Scratch:
 * the record's work and list-starts tables and its 4·n bytes, the candidates column
 * (12·n: groups and weight list) and the haircuts column (cap list), written later.
 */
export function capPools(book: usize, table: usize): void {
  const weights = weightsOf(book), caps = capsOf(book), mask = maskOf(book), pool = poolOf(book), n = countOf(book);
  const pools = poolsOf(table), work = workOf(table), starts = listStartsOf(table), indexList = indexListOf(table);
  const grouped = candidatesOf(book), weightList = grouped + (<usize>n << 2), capList = haircutsOf(book);
  memory.fill(work, 0, <usize>pools * POOL_WORK);
  for (let k: u32 = 0; k < pools; k++) {
    const level = rowOf(table, k), row = work + <usize>k * POOL_WORK;
    const S = load<u64>(level + POOL_SOCIALIZED), Wlo = load<u64>(level + POOL_WEIGHT), Whi = load<u64>(level + POOL_WEIGHT, 8);
    if (S == 0) continue;
    const whole = Whi == 0 && Wlo <= S;
    const s = ratioShift(Whi);
    store<u64>(row, whole ? S / Wlo : 0);
    store<u64>(row, fixedRatio(whole ? S % Wlo : S, Wlo, Whi, s), 8);
    store<u64>(row, <u64>s, 16);
    store<u64>(row, u64.MAX_VALUE, 24);
  }
  classifyPools(weights, caps, mask, pool, n, work);
  // Near then middle accounts of pool k: runs 2k and 2k + 1 of `grouped`.
  groupListedByPool(pool, mask, n, pools, starts, grouped);
  let failing = false;
  for (let k: u32 = 0; k < pools; k++) {
    const level = rowOf(table, k), row = work + <usize>k * POOL_WORK;
    const S = load<u64>(level + POOL_SOCIALIZED), Wlo = load<u64>(level + POOL_WEIGHT), Whi = load<u64>(level + POOL_WEIGHT, 8);
    let R = S, rLo = Wlo, rHi = Whi, capped: u32 = 0, settled = true;
    if (S != 0) {
      const first = load<u32>(starts + (<usize>k << 3)), middle = load<u32>(starts + (<usize>k << 3), 4);
      const end = load<u32>(starts + (<usize>(k + 1) << 3));
      const near = middle - first, mid = end - middle;
      const cwLo = load<u64>(row, 40), cwHi = load<u64>(row, 48);
      const restLo = Wlo - cwLo, restHi = Whi - cwHi - <u64>(Wlo < cwLo);
      const list = grouped + (<usize>first << 2);
      const R0 = S - load<u64>(row, 32);
      capped = load<u32>(row, 72);
      // As in `searchCapped`: the near list, then with the middle one.
      selectOver(weights, caps, mask, capList, weightList, list, near, R0, restLo, restHi);
      capped += selectedCount;
      settled = (outsideLow | outsideHigh) == 0 || levelAtMost(S, Wlo, Whi, shareUnits, shareWeightLow, shareWeightHigh, 3);
      if (!settled) {
        selectOver(weights, caps, mask, capList, weightList, list, near + mid, R0, restLo, restHi);
        capped += selectedCount;
        settled = (outsideLow | outsideHigh) == 0 || levelAtMost(S, Wlo, Whi, shareUnits, shareWeightLow, shareWeightHigh, 1);
      }
      if (!settled) failing = true;
      R = shareUnits;
      rLo = shareWeightLow;
      rHi = shareWeightHigh;
    }
    writeLevel(level, R, rLo, rHi, capped);
    store<u32>(level + POOL_ELIGIBLE, load<u32>(row, 76));
    // Flagged for `capFailing`: its level climbed past twice its first estimate.
    store<u32>(row, <u32>!settled, 56);
  }
  // Listed accounts that were not capped share.
  for (let i: u32 = 0; i < n; i++) {
    const at = mask + <usize>i;
    if (load<u8>(at) >= MASK_NEAR) store<u8>(at, MASK_SHARES);
  }
  if (failing) capFailing(weights, caps, mask, pool, n, pools, table, work, starts, grouped, capList, weightList, indexList);
  if (!ASC_NO_ASSERT) {
    // Each pool checked over its own accounts, grouped.
    groupEligibleByPool(pool, mask, n, pools, starts, grouped);
    for (let k: u32 = 0; k < pools; k++) {
      const level = rowOf(table, k);
      const first = load<u32>(starts + (<usize>k << 2)), end = load<u32>(starts + (<usize>(k + 1) << 2));
      verifyCapped(
        weights, caps, mask, grouped + (<usize>first << 2), end - first, load<u64>(level + POOL_SOCIALIZED),
        load<u64>(level + POOL_SHARED), load<u64>(level + POOL_SHARED_WEIGHT), load<u64>(level + POOL_SHARED_WEIGHT, 8),
      );
    }
  }
}

/** Writes a pool's R, W outside C, |C|, and R's WHOLE and PART into its row. */
export function writeLevel(level: usize, R: u64, Wlo: u64, Whi: u64, capped: u32): void {
  store<u64>(level + POOL_SHARED, R);
  store<u64>(level + POOL_SHARED_WEIGHT, Wlo);
  store<u64>(level + POOL_SHARED_WEIGHT, Whi, 8);
  store<u32>(level + POOL_CAPPED, capped);
  store<u64>(level + POOL_WHOLE, wholeLevel(R, Wlo, Whi));
  store<u64>(level + POOL_PART, partLeft(R, Wlo, Whi));
}

/** Pools whose level climbed past twice its first estimate (flagged): `capAccounts` over all their accounts. */
function capFailing(
  weights: usize, caps: usize, mask: usize, pool: usize, n: u32, pools: u32, table: usize, work: usize,
  starts: usize, grouped: usize, capList: usize, weightList: usize, indexList: usize,
): void {
  groupEligibleByPool(pool, mask, n, pools, starts, grouped);
  for (let k: u32 = 0; k < pools; k++) {
    if (load<u32>(work + <usize>k * POOL_WORK, 56) == 0) continue;
    const level = rowOf(table, k);
    const first = load<u32>(starts + (<usize>k << 2)), end = load<u32>(starts + (<usize>(k + 1) << 2));
    const region = grouped + (<usize>first << 2);
    // From a clean mask, so that the count is searchCapped's own.
    unmark(mask, region, end - first);
    searchCapped(
      weights, caps, mask, region, end - first, capList, weightList, indexList,
      load<u64>(level + POOL_SOCIALIZED), load<u64>(level + POOL_WEIGHT), load<u64>(level + POOL_WEIGHT, 8),
    );
    writeLevel(level, shareUnits, shareWeightLow, shareWeightHigh, cappedCount);
  }
}

/**
 * `classify` over the whole book, each account against its pool's row of `work`
 * (a, c, s, active): capped accounts get MASK_CAPPED, near and middle ones MASK_NEAR and
 * MASK_MIDDLE; each row sums its capped accounts' caps and weights, and counts them and
 * its eligible accounts. Branch-free on the data.
 */
function classifyPools(weights: usize, caps: usize, mask: usize, pool: usize, n: u32, work: usize): void {
  for (let i: u32 = 0; i < n; i++) {
    const row = work + <usize>load<u32>(pool + (<usize>i << 2)) * POOL_WORK;
    const state = load<u8>(mask + <usize>i);
    // An inactive pool (S = 0) neither caps nor lists: its accounts keep their state.
    const live = (state != MASK_OUT) & (load<u64>(row, 24) != 0);
    const w = select<u64>(load<u64>(weights + (<usize>i << 3)), 0, live);
    const cap = positivePart(load<i64>(caps + (<usize>i << 3)));
    const q = (mulhi(w, load<u64>(row, 8)) >> load<u64>(row, 16)) + load<u64>(row) * w;
    const isCapped = cap < q;
    const beyondNear = cap - (cap >> 3) > q + 3, beyondMid = cap - (cap >> 1) > q + 3;
    const open = live & !isCapped;
    const isNear = open & !beyondNear, isMid = open & beyondNear & !beyondMid;
    store<u8>(mask + <usize>i, select<u8>(MASK_CAPPED, select<u8>(MASK_NEAR, select<u8>(MASK_MIDDLE, state, isMid), isNear), isCapped));
    store<u64>(row, load<u64>(row, 32) + select<u64>(cap, 0, isCapped), 32);
    addWide(row + 40, select<u64>(w, 0, isCapped));
    store<u32>(row, load<u32>(row, 72) + <u32>isCapped, 72);
    store<u32>(row, load<u32>(row, 76) + <u32>(state != MASK_OUT), 76);
  }
}

/** Adds x to the 128-bit value (low, high) at `at`. */
// @ts-ignore: decorator
@inline export function addWide(at: usize, x: u64): void {
  const lo = load<u64>(at) + x;
  store<u64>(at, lo);
  store<u64>(at, load<u64>(at, 8) + <u64>(lo < x), 8);
}

