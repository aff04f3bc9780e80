// The auto-deleveraging queue: the accounts that may pay (not exempt, capacity > 0) in
// descending score, equal scores by ascending splitmix64(seed ^ index) when seeded, then
// by index; each pays min(c, ℓ·⌈min(c, need)/ℓ⌉) until R is covered.
//
// Every payer but the last pays its whole capacity whatever the order, so the queue is
// not sorted: the last payer's score is found by a selection weighted by capacity, BITS
// bits of the key at a time from the highest bit where the keys differ (pass 1 finds the
// span, pass 2 counts, pass 3 pays every account of a bucket before the boundary's and
// lists the boundary's), then the same over the shrinking list; only the accounts of the
// very last score (the tie group) are ordered: by index as listed, or by the same
// selection on their distinct splitmix64 keys. Three passes over the book, plus the lists.
// Invariant: u64 arithmetic on amounts below 2^63 (each bucket's Σ capacities in 128
// bits); the answer never depends on how the scores are spread, only the time does.

import {
  CANDIDATE_BYTES, QUEUE_BAD_LOT, QUEUE_CAPACITIES, QUEUE_CHARGED, QUEUE_COLLECTED, QUEUE_COUNT, QUEUE_ELIGIBLE,
  QUEUE_EXEMPT, QUEUE_HAIRCUTS, QUEUE_LIST, QUEUE_LOTS, QUEUE_MEMBERS, QUEUE_NEED, QUEUE_POOL, QUEUE_POOL_COUNT,
  QUEUE_PROFITS, QUEUE_ROW_BYTES, QUEUE_ROW_CHARGED, QUEUE_ROW_COLLECTED, QUEUE_ROW_ELIGIBLE, QUEUE_ROW_NEED,
  QUEUE_ROW_TOTAL, QUEUE_SCORES, QUEUE_SEED, QUEUE_SEEDED, QUEUE_TABLE, QUEUE_TOTAL,
} from './layout';
import { HISTOGRAM } from './select';
import { splitmix64 } from './wide';

/**
 * Bits of the key counted per level, and the buckets: Σ capacities per bucket, the low and
 * the high 64 bits: 2 × 8 KiB, exactly the plain split's histogram (select.ts: 4096 × 4
 * bytes of static memory, free between calls: the core keeps no state from one call to the next).
 */
const BITS: i32 = 10;
const BUCKETS: u32 = 1 << BITS;
const LOW: usize = HISTOGRAM;
const HIGH: usize = HISTOGRAM + (<usize>BUCKETS << 3);

/** The columns of the call in progress (set by deleverageQueue). */
let profits: usize = 0;
let capacities: usize = 0;
let exempt: usize = 0;

/** Σ capacities of the buckets below the one `reach` returned. */
let below: u64 = 0;

/** The key that orders the queue: ascending key is descending score. */
// @ts-ignore: decorator
@inline function queueKey(score: i64): u64 {
  return <u64>score ^ 0x7FFF_FFFF_FFFF_FFFF;
}

/** Account i's capacity: its column's, or max(profit, 0) without one. */
// @ts-ignore: decorator
@inline function capacityOf(i: u32): u64 {
  const at = <usize>i << 3;
  if (capacities != 0) return <u64>load<i64>(capacities + at);
  const p = load<i64>(profits + at);
  return p > 0 ? <u64>p : 0;
}

/** Whether account i may pay: not exempt, capacity above 0 (`c` its capacity). */
// @ts-ignore: decorator
@inline function mayPay(i: u32, c: u64): bool {
  return c != 0 && (exempt == 0 || load<u8>(exempt + <usize>i) == 0);
}

function clearBuckets(): void {
  memory.fill(LOW, 0, <usize>BUCKETS << 3);
  memory.fill(HIGH, 0, <usize>BUCKETS << 3);
}

// @ts-ignore: decorator
@inline function addToBucket(bucket: u32, c: u64): void {
  const at = <usize>bucket << 3;
  const low = load<u64>(LOW + at) + c;
  store<u64>(LOW + at, low);
  if (low < c) store<u64>(HIGH + at, load<u64>(HIGH + at) + 1);
}

/**
 * The first bucket at which the running Σ capacities reaches `need` (≥ 1), with
 * `below` the Σ of the buckets before it (< need); BUCKETS when none does.
 */
function reach(need: u64): u32 {
  let sum: u64 = 0;
  for (let b: u32 = 0; b < BUCKETS; b++) {
    const at = <usize>b << 3;
    const add = load<u64>(LOW + at);
    if (load<u64>(HIGH + at) != 0 || add >= need - sum) {
      below = sum;
      return b;
    }
    sum += add;
  }
  below = sum;
  return BUCKETS;
}

/** What an account of capacity c and lot ℓ pays when `need` (≥ 1) is left: min(c, ℓ·⌈min(c, need)/ℓ⌉). */
// @ts-ignore: decorator
@inline function payment(c: u64, lot: u64, need: u64): u64 {
  const wanted = c < need ? c : need;
  // ℓ·⌈w/ℓ⌉ < w + ℓ < 2^64: no overflow.
  const paid = ((wanted - 1) / lot + 1) * lot;
  return paid < c ? paid : c;
}

// @ts-ignore: decorator
@inline function lotOf(lots: usize, i: u32): u64 {
  return lots == 0 ? 1 : <u64>load<i64>(lots + (<usize>i << 3));
}

/** What `queueGroup` found: Σ capacities that may pay (128-bit), those accounts, Σ haircuts, the accounts charged. */
let totalLow: u64 = 0;
let totalHigh: u64 = 0;
let eligible: u32 = 0;
let collected: u64 = 0;
let charged: u32 = 0;

/** The group's j-th account: j itself without a member list, else the list's j-th index. */
// @ts-ignore: decorator
@inline function member(members: usize, j: u32): u32 {
  return members == 0 ? j : load<u32>(members + (<usize>j << 2));
}

/** The shift that puts the highest bit where `low` and `high` differ at the top of a BITS-bit bucket. */
// @ts-ignore: decorator
@inline function shiftFor(low: u64, high: u64): u64 {
  const length = 64 - <i32>clz(low ^ high);
  return <u64>(length > BITS ? length - BITS : 0);
}

/** The smallest and largest key listed (`listEntry` widens them; each listing starts them afresh). */
let lowKey: u64 = 0;
let highKey: u64 = 0;

/** Account i's key: its score's. */
// @ts-ignore: decorator
@inline function keyOf(scores: usize, i: u32): u64 {
  return queueKey(load<i64>(scores + (<usize>i << 3)));
}

/** Starts a listing: no key listed yet. */
// @ts-ignore: decorator
@inline function startListing(): void {
  lowKey = u64.MAX_VALUE;
  highKey = 0;
}

/** Puts (key, i) as entry m of `list` and widens the listed keys' span. */
// @ts-ignore: decorator
@inline function listEntry(list: usize, m: u32, key: u64, i: u32): void {
  const entry = list + <usize>m * CANDIDATE_BYTES;
  store<u64>(entry, key);
  store<u32>(entry, i, 8);
  if (key < lowKey) lowKey = key;
  if (key > highKey) highKey = key;
}

/**
 * Settles the `m` undecided entries of `list` (key u64, index u32), of which the first
 * `need` units of capacity by ascending key must pay (their keys span lowKey … highKey, as listed):
 * level by level, every entry of a bucket below the boundary's pays its whole capacity,
 * those above pay 0, and the boundary's stay listed, until every key left is equal.
 * Returns how many are left (the tie group, in list order); `need` is then in `left`.
 */
function settleList(list: usize, m: u32, need: u64, haircuts: usize): u32 {
  while (m > 1 && lowKey != highKey) {
    const shift = shiftFor(lowKey, highKey);
    clearBuckets();
    for (let j: u32 = 0; j < m; j++) {
      const entry = list + <usize>j * CANDIDATE_BYTES;
      addToBucket(<u32>((load<u64>(entry) >> shift) & (BUCKETS - 1)), capacityOf(load<u32>(entry, 8)));
    }
    const bucket = reach(need);
    need -= below;
    let kept: u32 = 0;
    startListing();
    for (let j: u32 = 0; j < m; j++) {
      const entry = list + <usize>j * CANDIDATE_BYTES;
      const key = load<u64>(entry), i = load<u32>(entry, 8);
      const at = <u32>((key >> shift) & (BUCKETS - 1));
      if (at < bucket) {
        const c = capacityOf(i);
        store<u64>(haircuts + (<usize>i << 3), c);
        collected += c;
        charged++;
      } else if (at == bucket) {
        listEntry(list, kept++, key, i);
      }
    }
    m = kept;
  }
  left = need;
  return m;
}

/** What `settleList` left to cover when the tie group's turn comes. */
let left: u64 = 0;

/**
 * The queue over one group of `count` accounts (the first `count` of the book when
 * `members` is 0, else the ascending indices at `members`), covering R: writes each
 * member's haircut and sets the totals above. `list` is CANDIDATE_BYTES × count of scratch.
 */
function queueGroup(
  members: usize, count: u32, R: u64, scores: usize, lots: usize, haircuts: usize, list: usize, seeded: bool, seed: u64,
): void {
  // Pass 1: Σ capacities of those who may pay, and the span of their keys.
  totalLow = 0;
  totalHigh = 0;
  eligible = 0;
  collected = 0;
  charged = 0;
  let low: u64 = u64.MAX_VALUE, high: u64 = 0;
  for (let j: u32 = 0; j < count; j++) {
    const i = member(members, j);
    const c = capacityOf(i);
    if (!mayPay(i, c)) continue;
    eligible++;
    totalLow += c;
    if (totalLow < c) totalHigh++;
    const key = keyOf(scores, i);
    if (key < low) low = key;
    if (key > high) high = key;
  }

  if (R == 0 || (totalHigh == 0 && totalLow <= R)) {
    // Nothing to cover, or not enough: nobody pays, or everyone pays all they can.
    const all = R != 0;
    for (let j: u32 = 0; j < count; j++) {
      const i = member(members, j);
      const c = capacityOf(i);
      store<u64>(haircuts + (<usize>i << 3), all && mayPay(i, c) ? c : 0);
    }
    collected = all ? totalLow : 0;
    charged = all ? eligible : 0;
    return;
  }

  // Pass 2: the first level's buckets, from the highest bit where the keys differ.
  const shift = shiftFor(low, high);
  clearBuckets();
  for (let j: u32 = 0; j < count; j++) {
    const i = member(members, j);
    const c = capacityOf(i);
    if (mayPay(i, c)) addToBucket(<u32>((keyOf(scores, i) >> shift) & (BUCKETS - 1)), c);
  }
  const bucket = reach(R);
  // Pass 3: a bucket before the boundary's pays in full, after it nothing; the boundary's is listed.
  let m: u32 = 0;
  startListing();
  for (let j: u32 = 0; j < count; j++) {
    const i = member(members, j);
    const c = capacityOf(i);
    let h: u64 = 0;
    if (mayPay(i, c)) {
      const key = keyOf(scores, i);
      const at = <u32>((key >> shift) & (BUCKETS - 1));
      if (at < bucket) {
        h = c;
        collected += c;
        charged++;
      } else if (at == bucket) {
        listEntry(list, m++, key, i);
      }
    }
    store<u64>(haircuts + (<usize>i << 3), h);
  }
  m = settleList(list, m, R - below, haircuts);
  const need = left;

  if (!seeded) {
    // The tie group by index: as listed.
    payInOrder(list, m, need, lots, haircuts);
    return;
  }
  // By ascending splitmix64(seed ^ index), all distinct: the same selection on those keys
  // leaves one entry, the last payer.
  startListing();
  for (let j: u32 = 0; j < m; j++) {
    const i = load<u32>(list + <usize>j * CANDIDATE_BYTES, 8);
    listEntry(list, j, splitmix64(seed ^ <u64>i), i);
  }
  m = settleList(list, m, need, haircuts);
  payInOrder(list, m, left, lots, haircuts);
}

/** The `m` listed accounts pay in list order, each min(c, ℓ·⌈min(c, need)/ℓ⌉), until `need` is covered. */
function payInOrder(list: usize, m: u32, need: u64, lots: usize, haircuts: usize): void {
  for (let j: u32 = 0; j < m && need != 0; j++) {
    const i = load<u32>(list + <usize>j * CANDIDATE_BYTES, 8);
    const paid = payment(capacityOf(i), lotOf(lots, i), need);
    store<u64>(haircuts + (<usize>i << 3), paid);
    collected += paid;
    charged++;
    need = paid >= need ? 0 : need - paid;
  }
}

/** Reads the record's columns into the module's state; returns false (QUEUE_BAD_LOT set) when a lot is not above 0. */
function open(queue: usize): bool {
  profits = <usize>load<u32>(queue + QUEUE_PROFITS);
  capacities = <usize>load<u32>(queue + QUEUE_CAPACITIES);
  exempt = <usize>load<u32>(queue + QUEUE_EXEMPT);
  const lots = <usize>load<u32>(queue + QUEUE_LOTS);
  const n = load<u32>(queue + QUEUE_COUNT);
  store<i32>(queue + QUEUE_BAD_LOT, -1);
  if (lots == 0) return true;
  for (let i: u32 = 0; i < n; i++) {
    if (load<i64>(lots + (<usize>i << 3)) <= 0) {
      store<i32>(queue + QUEUE_BAD_LOT, <i32>i);
      return false;
    }
  }
  return true;
}

/**
 * The whole queue through its record (layout.ts: QUEUE_*): checks the lots, then finds
 * the last payer and writes every haircut, Σ capacities, Σ haircuts and the counts.
 */
export function deleverageQueue(queue: usize): void {
  if (!open(queue)) return;
  queueGroup(
    0, load<u32>(queue + QUEUE_COUNT), load<u64>(queue + QUEUE_NEED), <usize>load<u32>(queue + QUEUE_SCORES),
    <usize>load<u32>(queue + QUEUE_LOTS), <usize>load<u32>(queue + QUEUE_HAIRCUTS), <usize>load<u32>(queue + QUEUE_LIST),
    load<u32>(queue + QUEUE_SEEDED) != 0, load<u64>(queue + QUEUE_SEED),
  );
  store<u64>(queue + QUEUE_TOTAL, totalLow);
  store<u64>(queue + QUEUE_TOTAL + 8, totalHigh);
  store<u32>(queue + QUEUE_ELIGIBLE, eligible);
  store<u64>(queue + QUEUE_COLLECTED, collected);
  store<u32>(queue + QUEUE_CHARGED, charged);
}

/**
 * One queue per pool (QUEUE_POOL: each account's pool, every index below QUEUE_POOL_COUNT,
 * checked by the wrapper): the accounts grouped by pool in ascending index order (a
 * counting sort into QUEUE_MEMBERS), then each pool's queue over its own accounts against
 * its row's R, its totals into its row. Ties by index in the whole book.
 */
export function deleveragePools(queue: usize): void {
  if (!open(queue)) return;
  const n = load<u32>(queue + QUEUE_COUNT);
  const pool = <usize>load<u32>(queue + QUEUE_POOL);
  const count = load<u32>(queue + QUEUE_POOL_COUNT);
  const table = <usize>load<u32>(queue + QUEUE_TABLE);
  const members = <usize>load<u32>(queue + QUEUE_MEMBERS);
  const starts = members + (<usize>n << 2);
  memory.fill(starts, 0, (<usize>count + 1) << 2);
  for (let i: u32 = 0; i < n; i++) {
    const at = starts + ((<usize>load<u32>(pool + (<usize>i << 2)) + 1) << 2);
    store<u32>(at, load<u32>(at) + 1);
  }
  for (let k: u32 = 0; k < count; k++) {
    const at = starts + ((<usize>k + 1) << 2);
    store<u32>(at, load<u32>(at) + load<u32>(at - 4));
  }
  // Scatter: each pool's slot advances as its accounts come, in ascending index; the
  // starts are then each pool's end, and the previous pool's end its start.
  for (let i: u32 = 0; i < n; i++) {
    const at = starts + (<usize>load<u32>(pool + (<usize>i << 2)) << 2);
    const slot = load<u32>(at);
    store<u32>(members + (<usize>slot << 2), i);
    store<u32>(at, slot + 1);
  }
  const scores = <usize>load<u32>(queue + QUEUE_SCORES), lots = <usize>load<u32>(queue + QUEUE_LOTS);
  const haircuts = <usize>load<u32>(queue + QUEUE_HAIRCUTS), list = <usize>load<u32>(queue + QUEUE_LIST);
  const seeded = load<u32>(queue + QUEUE_SEEDED) != 0, seed = load<u64>(queue + QUEUE_SEED);
  for (let k: u32 = 0; k < count; k++) {
    const first = k == 0 ? 0 : load<u32>(starts + ((<usize>k - 1) << 2));
    const end = load<u32>(starts + (<usize>k << 2));
    const row = table + <usize>k * QUEUE_ROW_BYTES;
    queueGroup(members + (<usize>first << 2), end - first, load<u64>(row + QUEUE_ROW_NEED), scores, lots, haircuts, list, seeded, seed);
    store<u64>(row + QUEUE_ROW_TOTAL, totalLow);
    store<u64>(row + QUEUE_ROW_TOTAL + 8, totalHigh);
    store<u64>(row + QUEUE_ROW_COLLECTED, collected);
    store<u32>(row + QUEUE_ROW_ELIGIBLE, eligible);
    store<u32>(row + QUEUE_ROW_CHARGED, charged);
  }
}
