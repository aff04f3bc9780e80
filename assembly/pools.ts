// Pools: many socializations in one call (per currency, per market), each
// exactly what `allocate` gives for its pool's accounts alone, with ties
// decided by each account's index in the whole book. One pass sums every pool;
// a stable counting sort lists each pool's accounts in ascending index order;
// each pool then takes a pass over its own list and the same settling.

import { fixedRatio, bitLength, bitLength128 } from './wide';
import { eligibleProfit, LIST_ENTRY } from './select';
import { settleFor, wideAccount, wrote } from './allocate';

/** Bytes per pool in the totals table: Σ low, Σ high (u64 each) and the count (u64). */
export const POOL_TOTAL: usize = 24;

/**
 * Sums each pool's eligible profits into `totals` (POOL_TOTAL bytes per pool, zeroed here)
 * and counts each pool's accounts into `sizes` (u32 per pool). Returns the first
 * account whose pool index is not below `pools`, or −1; nothing else is read then.
 */
export function sumPools(profits: usize, pool: usize, exempt: usize, n: u32, pools: u32, totals: usize, sizes: usize): i32 {
  for (let i: u32 = 0; i < n; i++) if (load<u32>(pool + (<usize>i << 2)) >= pools) return <i32>i;
  memory.fill(totals, 0, <usize>pools * POOL_TOTAL);
  memory.fill(sizes, 0, <usize>pools << 2);
  for (let i: u32 = 0; i < n; i++) {
    const k = <usize>load<u32>(pool + (<usize>i << 2));
    const m = eligibleProfit(profits, exempt, i);
    const at = totals + k * POOL_TOTAL;
    const lo = load<u64>(at) + m;
    store<u64>(at, lo);
    store<u64>(at, load<u64>(at, 8) + <u64>(lo < m), 8);
    store<u64>(at, load<u64>(at, 16) + <u64>(m != 0), 16);
    store<u32>(sizes + (k << 2), load<u32>(sizes + (k << 2)) + 1);
  }
  return -1;
}

/**
 * A stable counting sort: each pool's accounts, ascending, one pool after the other, at
 * `members` (u32 per account); `sizes` (from `sumPools`) becomes each pool's start.
 */
export function groupByPool(pool: usize, n: u32, pools: u32, sizes: usize, members: usize): void {
  let start: u32 = 0;
  for (let k: u32 = 0; k < pools; k++) {
    const at = sizes + (<usize>k << 2);
    const size = load<u32>(at);
    store<u32>(at, start);
    start += size;
  }
  for (let i: u32 = 0; i < n; i++) {
    const at = sizes + (<usize>load<u32>(pool + (<usize>i << 2)) << 2);
    const slot = load<u32>(at);
    store<u32>(members + (<usize>slot << 2), i);
    store<u32>(at, slot + 1);
  }
}

/**
 * `allocate` for the `count` accounts listed (ascending) at `members`: S units over
 * their eligible profits, whose total is (Plo, Phi). Writes only their haircuts;
 * `candidates` needs 12 bytes per listed account. Returns Σ haircuts written.
 */
export function allocatePool(
  profits: usize, haircuts: usize, candidates: usize, members: usize, count: u32,
  S: u64, Plo: u64, Phi: u64, rounding: u32, seeded: bool, seed: u64, exempt: usize,
): u64 {
  if (S == 0 || (Phi == 0 && Plo == S)) {
    // Nothing to take, or every eligible profit whole.
    for (let j: u32 = 0; j < count; j++) {
      const i = load<u32>(members + (<usize>j << 2));
      store<u64>(haircuts + (<usize>i << 3), S == 0 ? 0 : eligibleProfit(profits, exempt, i));
    }
    return S;
  }
  const s = Phi == 0 ? 0 : bitLength(Phi);
  const c = fixedRatio(S, Plo, Phi, s);
  const t = max(0, bitLength128(Plo - 1, Phi - <u64>(Plo == 0)) - 64);
  const ceil = rounding == 2;
  // Largest remainder lists every account (no sampled band); the other policies list none.
  const low: u64 = rounding == 0 ? 0 : u64.MAX_VALUE;
  const highKey: u64 = rounding == 1 ? u64.MAX_VALUE : rounding == 2 ? 0 : u64.MAX_VALUE;
  const span = highKey - low;
  const cShift = <u64>s;
  let sum: u64 = 0;
  let entry = candidates;
  for (let j: u32 = 0; j < count; j++) {
    const i = load<u32>(members + (<usize>j << 2));
    entry = wideAccount(haircuts, entry, i, eligibleProfit(profits, exempt, i), S, Plo, Phi, c, cShift, t, low, span, highKey, ceil);
    sum += load<u64>(haircuts + (<usize>i << 3));
  }
  wrote(sum);
  if (rounding != 0 || sum == S) return sum;
  settleFor(profits, haircuts, candidates, entry, S, Plo, Phi, t, low, highKey, seeded, seed, exempt);
  return S;
}
