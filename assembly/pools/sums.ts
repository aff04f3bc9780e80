// The pools' first phase: each pool's Σ eligible profits (128-bit), in one pass.

import { countOf, eligibleProfit, openLanes, poolOf, positivePart, profitsOf, settleExempt } from '../columns';
import { POOLS_BAD_POOL, POOLS_WEIGHTED, POOL_TOTAL } from '../layout';
import { poolsOf, rowOf, totalsOf } from './table';

/**
 * Phase `sumPools` (book record, pools record): each pool's Σ eligible profits into
 * its row's POOL_TOTAL, and POOLS_BAD_POOL the first account whose pool index is out
 * of range (−1: none; the totals are then unused). Clears the book's exempt address
 * when the column holds no exemption.
 */
export function sumPools(book: usize, table: usize): void {
  const exempt = settleExempt(book);
  const pools = poolsOf(table), totals = totalsOf(table);
  const bad = sumByPool(profitsOf(book), poolOf(book), exempt, countOf(book), pools, totals);
  store<i32>(table + POOLS_BAD_POOL, bad);
  store<u32>(table + POOLS_WEIGHTED, 0);
  copyTotals(table, totals, POOL_TOTAL);
}

/** Copies the 16-byte totals of every pool into the field `field` of its row. */
export function copyTotals(table: usize, totals: usize, field: usize): void {
  for (let k: u32 = 0, pools = poolsOf(table); k < pools; k++) {
    const row = rowOf(table, k), at = totals + (<usize>k << 4);
    store<u64>(row + field, load<u64>(at));
    store<u64>(row + field, load<u64>(at, 8), 8);
  }
}

/**
 * Sums each pool's eligible amounts into `totals` (16 bytes per pool: low, high;
 * zeroed here). Returns the first account whose pool index is not below `pools`
 * (the sums are then partial and unused), or −1.
 */
export function sumByPool(profits: usize, pool: usize, exempt: usize, n: u32, pools: u32, totals: usize): i32 {
  memory.fill(totals, 0, <usize>pools << 4);
  // One word per pool while the whole book sums below 2^64 (then no pool's sum can carry);
  // past that, a second pass with both halves.
  const bad = exempt == 0 ? sumPoolsLoop(profits, pool, 0, n, pools, totals, false) : sumPoolsLoop(profits, pool, exempt, n, pools, totals, true);
  if (bad >= 0 || sumCarried == 0) return bad;
  memory.fill(totals, 0, <usize>pools << 4);
  for (let i: u32 = 0; i < n; i++) {
    const m = eligibleProfit(profits, exempt, i);
    const at = totals + (<usize>load<u32>(pool + (<usize>i << 2)) << 4);
    const lo = load<u64>(at) + m;
    store<u64>(at, lo);
    store<u64>(at, load<u64>(at, 8) + <u64>(lo < m), 8);
  }
  return -1;
}

/** Set by `sumPoolsLoop`: whether the book's whole sum passed 2^64. */
let sumCarried: u64 = 0;

// @ts-ignore: decorator
@inline function sumPoolsLoop(profits: usize, pool: usize, exempt: usize, n: u32, pools: u32, totals: usize, checkExempt: bool): i32 {
  let lo: u64 = 0, carried: u64 = 0;
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    // Four accounts per step, their profits in two vectors (which also carry the book's sum
    // and whether it wrapped), then added to their pools one by one; a step with a pool index
    // out of range is left to the scalar loop, which finds the first.
    const zero = i64x2.splat(0), flip = i64x2.splat(<u64>1 << 63);
    let sum = zero, carries = zero;
    for (const quads = n & ~3; i < quads; i += 4) {
      const ks = v128.load(pool + (<usize>i << 2));
      if (v128.any_true(i32x4.ge_u(ks, i32x4.splat(pools)))) break;
      const k0 = <usize>i32x4.extract_lane(ks, 0), k1 = <usize>i32x4.extract_lane(ks, 1);
      const k2 = <usize>i32x4.extract_lane(ks, 2), k3 = <usize>i32x4.extract_lane(ks, 3);
      const p = v128.load(profits + (<usize>i << 3));
      const m = v128.and(p, checkExempt ? v128.and(i64x2.gt_s(p, zero), openLanes(exempt, i)) : i64x2.gt_s(p, zero));
      const p2 = v128.load(profits + (<usize>i << 3), 16);
      const m2 = v128.and(p2, checkExempt ? v128.and(i64x2.gt_s(p2, zero), openLanes(exempt, i + 2)) : i64x2.gt_s(p2, zero));
      sum = i64x2.add(sum, m);
      carries = v128.or(carries, i64x2.gt_s(v128.xor(m, flip), v128.xor(sum, flip)));
      sum = i64x2.add(sum, m2);
      carries = v128.or(carries, i64x2.gt_s(v128.xor(m2, flip), v128.xor(sum, flip)));
      const at0 = totals + (k0 << 4), at1 = totals + (k1 << 4);
      store<u64>(at0, load<u64>(at0) + i64x2.extract_lane(m, 0));
      store<u64>(at1, load<u64>(at1) + i64x2.extract_lane(m, 1));
      const at2 = totals + (k2 << 4), at3 = totals + (k3 << 4);
      store<u64>(at2, load<u64>(at2) + i64x2.extract_lane(m2, 0));
      store<u64>(at3, load<u64>(at3) + i64x2.extract_lane(m2, 1));
    }
    const lo0 = <u64>i64x2.extract_lane(sum, 0);
    lo = lo0 + <u64>i64x2.extract_lane(sum, 1);
    carried = <u64>(i64x2.extract_lane(carries, 0) | i64x2.extract_lane(carries, 1)) | <u64>(lo < lo0);
  }
  for (; i < n; i++) {
    const k = <usize>load<u32>(pool + (<usize>i << 2));
    if (k >= <usize>pools) return <i32>i;
    const m = checkExempt ? eligibleProfit(profits, exempt, i) : positivePart(load<i64>(profits + (<usize>i << 3)));
    const at = totals + (k << 4);
    store<u64>(at, load<u64>(at) + m);
    lo += m;
    carried |= <u64>(lo < m);
  }
  sumCarried = carried;
  return -1;
}

