// An account file's table in the core: identifiers end to end in an arena, profits as
// i64, and an open-addressing set of identifiers (linear probing, the hash kept beside the
// row so that a probe reads one slot and growing the set rereads no identifier). The
// wrapper (src/files/table.ts) places and grows every block; these kernels never allocate.

import {
  TABLE_ARENA, TABLE_ARENA_USED, TABLE_ENDS, TABLE_POOL_COUNT, TABLE_POOL_ENDS, TABLE_POOL_NAMES, TABLE_POOL_SET, TABLE_POOL_SLOTS,
  TABLE_PROFITS, TABLE_ROWS, TABLE_SET, TABLE_SET_SLOTS, SET_SLOT_BYTES,
} from '../layout';

/**
 * The hash of the `length` bytes at `at` (8 more bytes stay readable): 8 bytes a step,
 * multiplied and folded, the length mixed in. Never 0 is not needed: a slot is empty by its row.
 */
// @ts-ignore: decorator
@inline export function hashBytes(at: usize, length: u32): u32 {
  const K: u64 = 0x9e3779b97f4a7c15;
  let h: u64 = <u64>length * K;
  let p = at;
  let left = length;
  while (left >= 8) {
    h = (h ^ load<u64>(p)) * K;
    h ^= h >> 29;
    p += 8;
    left -= 8;
  }
  if (left > 0) {
    const tail = load<u64>(p) & ((<u64>1 << (<u64>left << 3)) - 1);
    h = (h ^ tail) * K;
    h ^= h >> 29;
  }
  h *= K;
  return <u32>(h >> 32);
}

/** Where row `row`'s identifier starts in the arena (row − 1's end, or 0). */
// @ts-ignore: decorator
@inline export function idStart(ends: usize, row: u32): u32 {
  return row == 0 ? 0 : load<u32>(ends + ((<usize>row - 1) << 2));
}

/**
 * Adds the identifier just copied to the arena's end (`length` bytes at TABLE_ARENA_USED) as
 * row TABLE_ROWS, whose profit the caller has written (the wrapper checked the room: one
 * row, the bytes plus TABLE_ARENA_SLACK, the set below three quarters full). Returns −1, or
 * the earlier row with the same identifier (nothing added then).
 */
export function tableInsert(table: usize, length: u32): i32 {
  const arena = <usize>load<u32>(table, TABLE_ARENA);
  const from = load<u32>(table, TABLE_ARENA_USED);
  const ends = <usize>load<u32>(table, TABLE_ENDS);
  const row = load<u32>(table, TABLE_ROWS);
  const earlier = insertId(table, arena, ends, arena + from, length, row);
  if (earlier >= 0) return earlier;
  store<u32>(ends + (<usize>row << 2), from + length);
  store<u32>(table, from + length, TABLE_ARENA_USED);
  store<u32>(table, row + 1, TABLE_ROWS);
  return -1;
}

/**
 * Puts `row` (identifier `length` bytes at `id`) in the set unless an earlier row has the
 * same identifier; returns −1, or that earlier row.
 */
// @ts-ignore: decorator
@inline export function insertId(table: usize, arena: usize, ends: usize, id: usize, length: u32, row: u32): i32 {
  return insertHashed(table, arena, ends, id, length, row, hashBytes(id, length));
}

/** As `insertId`, the hash `h` of the identifier given. */
// @ts-ignore: decorator
@inline export function insertHashed(table: usize, arena: usize, ends: usize, id: usize, length: u32, row: u32, h: u32): i32 {
  const set = <usize>load<u32>(table, TABLE_SET);
  const found = probe(set, load<u32>(table, TABLE_SET_SLOTS) - 1, arena, ends, id, length, h);
  if (found >= 0) return found;
  const at = set + <usize>(-1 - found) * SET_SLOT_BYTES;
  store<u32>(at, row + 1);
  store<u32>(at, h, 4);
  return -1;
}

/**
 * Looks for the `length` bytes at `key` (hash `h`) in a set of (entry + 1, hash) pairs
 * (`mask` + 1 slots at `set`) over names end to end in `arena` (entry k's ends at
 * `ends[k]`): returns the entry, or −1 − the empty slot where it would go.
 */
// @ts-ignore: decorator
@inline export function probe(set: usize, mask: u32, arena: usize, ends: usize, key: usize, length: u32, h: u32): i32 {
  let slot = h & mask;
  for (;;) {
    const at = set + <usize>slot * SET_SLOT_BYTES;
    const held = load<u32>(at);
    if (held == 0) return -1 - <i32>slot;
    if (load<u32>(at, 4) == h) {
      const other = held - 1;
      const start = idStart(ends, other);
      const end = load<u32>(ends + (<usize>other << 2));
      if (end - start == length && memory.compare(arena + start, key, length) == 0) return <i32>other;
    }
    slot = (slot + 1) & mask;
  }
  return unreachable();
}

/** Moves the set into `slots` empty (zeroed) slots at `set` (a power of two, more than it holds). */
export function tableRehash(table: usize, set: usize, slots: u32): void {
  moveSet(<usize>load<u32>(table, TABLE_SET), load<u32>(table, TABLE_SET_SLOTS), set, slots);
  store<u32>(table, <u32>set, TABLE_SET);
  store<u32>(table, slots, TABLE_SET_SLOTS);
}

/** Moves the pairs of a set of `count` slots at `old` into `slots` empty slots at `set`, by their hashes. */
function moveSet(old: usize, count: u32, set: usize, slots: u32): void {
  const mask = slots - 1;
  for (let s: u32 = 0; s < count; s++) {
    const from = old + <usize>s * SET_SLOT_BYTES;
    if (load<u32>(from) == 0) continue;
    let slot = load<u32>(from, 4) & mask;
    while (load<u32>(set + <usize>slot * SET_SLOT_BYTES) != 0) slot = (slot + 1) & mask;
    store<u64>(set + <usize>slot * SET_SLOT_BYTES, load<u64>(from));
  }
}

/**
 * Adds pool TABLE_POOL_COUNT, whose name the wrapper copied (`length` bytes, TABLE_ARENA_SLACK
 * more readable) to the end of the pool names and whose decimals it wrote; the wrapper
 * keeps names unique and the pool set at most half full.
 */
export function poolInsert(table: usize, length: u32): void {
  const names = <usize>load<u32>(table, TABLE_POOL_NAMES);
  const ends = <usize>load<u32>(table, TABLE_POOL_ENDS);
  const pool = load<u32>(table, TABLE_POOL_COUNT);
  const from = idStart(ends, pool);
  const set = <usize>load<u32>(table, TABLE_POOL_SET);
  const mask = load<u32>(table, TABLE_POOL_SLOTS) - 1;
  const h = hashBytes(names + from, length);
  let slot = h & mask;
  while (load<u32>(set + <usize>slot * SET_SLOT_BYTES) != 0) slot = (slot + 1) & mask;
  store<u32>(set + <usize>slot * SET_SLOT_BYTES, pool + 1);
  store<u32>(set + <usize>slot * SET_SLOT_BYTES, h, 4);
  store<u32>(ends + (<usize>pool << 2), from + length);
  store<u32>(table, pool + 1, TABLE_POOL_COUNT);
}

/** Moves the pool set into `slots` empty (zeroed) slots at `set`. */
export function poolRehash(table: usize, set: usize, slots: u32): void {
  moveSet(<usize>load<u32>(table, TABLE_POOL_SET), load<u32>(table, TABLE_POOL_SLOTS), set, slots);
  store<u32>(table, <u32>set, TABLE_POOL_SET);
  store<u32>(table, slots, TABLE_POOL_SLOTS);
}

/** Row `row`'s profit. */
// @ts-ignore: decorator
@inline export function profitOf(table: usize, row: u32): i64 {
  return load<i64>(<usize>load<u32>(table, TABLE_PROFITS) + (<usize>row << 3));
}
