// The auto-deleveraging queue: the accounts that may pay (not exempt, capacity > 0) in
// descending score, equal scores by ascending splitmix64(seed ^ index) when seeded, then
// by index; each pays min(c, ℓ·⌈min(c, need)/ℓ⌉) until R is covered.
//
// Every payer but the last pays its whole capacity whatever the order, so the queue is
// not sorted: the last payer's score is found by a selection weighted by capacity, a byte
// of the score's key at a time (the first byte over the book, the next seven over the
// accounts listed in the boundary's bucket), and only the accounts of that very score
// (the tie group) are ordered: by index as listed, or by a second weighted selection on
// their distinct tie keys. Three passes over the book in all, plus the lists.
// Invariant: u64 arithmetic on amounts below 2^63 (each bucket's Σ capacities in 128
// bits); the answer never depends on how the scores are spread, only the time does.

import {
  CANDIDATE_BYTES, QUEUE_BAD_LOT, QUEUE_CAPACITIES, QUEUE_CHARGED, QUEUE_COLLECTED, QUEUE_COUNT, QUEUE_ELIGIBLE,
  QUEUE_EXEMPT, QUEUE_HAIRCUTS, QUEUE_LIST, QUEUE_LOTS, QUEUE_NEED, QUEUE_PROFITS, QUEUE_SCORES, QUEUE_SEED,
  QUEUE_SEEDED, QUEUE_TOTAL,
} from './layout';
import { splitmix64 } from './wide';

/** Σ capacities per bucket of one byte of a key: the low and the high 64 bits. */
const LOW: usize = memory.data(256 << 3, 16);
const HIGH: usize = memory.data(256 << 3, 16);

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
  memory.fill(LOW, 0, 256 << 3);
  memory.fill(HIGH, 0, 256 << 3);
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
 * `below` the Σ of the buckets before it (< need); 256 when none does.
 */
function reach(need: u64): u32 {
  let sum: u64 = 0;
  for (let b: u32 = 0; b < 256; b++) {
    const at = <usize>b << 3;
    const add = load<u64>(LOW + at);
    if (load<u64>(HIGH + at) != 0 || add >= need - sum) {
      below = sum;
      return b;
    }
    sum += add;
  }
  below = sum;
  return 256;
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

/**
 * The whole queue through its record (layout.ts: QUEUE_*): checks the lots, sums the
 * capacities of the accounts that may pay, finds the last payer and writes every haircut,
 * Σ haircuts and the accounts charged.
 */
export function deleverageQueue(queue: usize): void {
  profits = <usize>load<u32>(queue + QUEUE_PROFITS);
  capacities = <usize>load<u32>(queue + QUEUE_CAPACITIES);
  exempt = <usize>load<u32>(queue + QUEUE_EXEMPT);
  const scores = <usize>load<u32>(queue + QUEUE_SCORES);
  const lots = <usize>load<u32>(queue + QUEUE_LOTS);
  const haircuts = <usize>load<u32>(queue + QUEUE_HAIRCUTS);
  const list = <usize>load<u32>(queue + QUEUE_LIST);
  const n = load<u32>(queue + QUEUE_COUNT);
  const R = load<u64>(queue + QUEUE_NEED);
  store<i32>(queue + QUEUE_BAD_LOT, -1);
  if (lots != 0) {
    for (let i: u32 = 0; i < n; i++) {
      if (load<i64>(lots + (<usize>i << 3)) <= 0) {
        store<i32>(queue + QUEUE_BAD_LOT, <i32>i);
        return;
      }
    }
  }

  // Pass 1: Σ capacities of those who may pay, and the first byte's buckets.
  clearBuckets();
  let totalLow: u64 = 0, totalHigh: u64 = 0;
  let eligible: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const c = capacityOf(i);
    if (!mayPay(i, c)) continue;
    eligible++;
    totalLow += c;
    if (totalLow < c) totalHigh++;
    addToBucket(<u32>(queueKey(load<i64>(scores + (<usize>i << 3))) >> 56), c);
  }
  store<u64>(queue + QUEUE_TOTAL, totalLow);
  store<u64>(queue + QUEUE_TOTAL + 8, totalHigh);
  store<u32>(queue + QUEUE_ELIGIBLE, eligible);

  if (R == 0 || (totalHigh == 0 && totalLow <= R)) {
    // Nothing to cover, or not enough: nobody pays, or everyone pays all they can.
    const all = R != 0;
    for (let i: u32 = 0; i < n; i++) {
      const c = capacityOf(i);
      store<u64>(haircuts + (<usize>i << 3), all && mayPay(i, c) ? c : 0);
    }
    store<u64>(queue + QUEUE_COLLECTED, all ? totalLow : 0);
    store<u32>(queue + QUEUE_CHARGED, all ? eligible : 0);
    return;
  }

  // The last payer's key, a byte at a time: `need` is what is left when its bucket's turn comes.
  let need = R;
  let bucket = reach(need);
  need -= below;
  let boundary: u64 = <u64>bucket << 56;
  let m: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const c = capacityOf(i);
    if (!mayPay(i, c)) continue;
    const key = queueKey(load<i64>(scores + (<usize>i << 3)));
    if (<u32>(key >> 56) != bucket) continue;
    const entry = list + <usize>m * CANDIDATE_BYTES;
    store<u64>(entry, key);
    store<u32>(entry, i, 8);
    m++;
  }
  for (let shift: u64 = 48; ; shift -= 8) {
    clearBuckets();
    for (let j: u32 = 0; j < m; j++) {
      const entry = list + <usize>j * CANDIDATE_BYTES;
      addToBucket(<u32>((load<u64>(entry) >> shift) & 255), capacityOf(load<u32>(entry, 8)));
    }
    bucket = reach(need);
    need -= below;
    boundary |= <u64>bucket << shift;
    let kept: u32 = 0;
    for (let j: u32 = 0; j < m; j++) {
      const entry = list + <usize>j * CANDIDATE_BYTES;
      const key = load<u64>(entry);
      if (<u32>((key >> shift) & 255) != bucket) continue;
      const to = list + <usize>kept * CANDIDATE_BYTES;
      store<u64>(to, key);
      store<u32>(to, load<u32>(entry, 8), 8);
      kept++;
    }
    m = kept;
    if (shift == 0) break;
  }

  // Pass 3: every account whose key is below the boundary pays its capacity; the rest 0
  // until the tie group (the list: key == boundary, in index order) is settled.
  let collected: u64 = 0;
  let charged: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const c = capacityOf(i);
    let h: u64 = 0;
    if (mayPay(i, c) && queueKey(load<i64>(scores + (<usize>i << 3))) < boundary) {
      h = c;
      collected += c;
      charged++;
    }
    store<u64>(haircuts + (<usize>i << 3), h);
  }

  if (load<u32>(queue + QUEUE_SEEDED) == 0) {
    // By index: as listed.
    for (let j: u32 = 0; j < m && need != 0; j++) {
      const i = load<u32>(list + <usize>j * CANDIDATE_BYTES, 8);
      const paid = payment(capacityOf(i), lotOf(lots, i), need);
      store<u64>(haircuts + (<usize>i << 3), paid);
      collected += paid;
      charged++;
      need = paid >= need ? 0 : need - paid;
    }
  } else {
    // By ascending splitmix64(seed ^ index), all distinct: the tie key at which the group's
    // running Σ capacities reaches `need`, a byte at a time over the whole group.
    const seed = load<u64>(queue + QUEUE_SEED);
    for (let j: u32 = 0; j < m; j++) {
      const entry = list + <usize>j * CANDIDATE_BYTES;
      store<u64>(entry, splitmix64(seed ^ <u64>load<u32>(entry, 8)));
    }
    let last: u64 = 0, mask: u64 = 0;
    for (let shift: u64 = 56; ; shift -= 8) {
      clearBuckets();
      for (let j: u32 = 0; j < m; j++) {
        const entry = list + <usize>j * CANDIDATE_BYTES;
        const tie = load<u64>(entry);
        if ((tie & mask) == last) addToBucket(<u32>((tie >> shift) & 255), capacityOf(load<u32>(entry, 8)));
      }
      bucket = reach(need);
      need -= below;
      last |= <u64>bucket << shift;
      mask |= <u64>255 << shift;
      if (shift == 0) break;
    }
    for (let j: u32 = 0; j < m; j++) {
      const entry = list + <usize>j * CANDIDATE_BYTES;
      const tie = load<u64>(entry), i = load<u32>(entry, 8);
      if (tie > last) continue;
      const c = capacityOf(i);
      const paid = tie < last ? c : payment(c, lotOf(lots, i), need);
      store<u64>(haircuts + (<usize>i << 3), paid);
      collected += paid;
      charged++;
    }
  }
  store<u64>(queue + QUEUE_COLLECTED, collected);
  store<u32>(queue + QUEUE_CHARGED, charged);
}
