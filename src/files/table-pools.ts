// The pools an account table's scanner knows by name (assembly/files/table.ts's poolInsert):
// their names end to end, each one's decimals, and a set to find a name, in the table's core.
// The reader's PoolDirectory decides what a pool is; every pool it holds is added here, in its
// order, before the scanner reads a record that names it (a name the scanner does not know
// is left to the reader, which adds the pool).

import type { CoreMemory } from '../core/memory.js';

/** The pools of one table, in its core. */
export class TablePools {
  /** Pools added. */
  count = 0;
  readonly #core: CoreMemory;
  readonly #record: number;
  #names = 0;
  #namesSize = 4096;
  #namesUsed = 0;
  #ends = 0;
  #decimals = 0;
  #capacity = 64;
  #set = 0;
  #slots = 128;

  /** The pools of the table record at `record` of `core`. */
  constructor(core: CoreMemory, record: number) {
    this.#core = core;
    this.#record = record;
    [this.#names, this.#ends, this.#decimals, this.#set] = core.allocBlocks([
      this.#namesSize, 4 * this.#capacity, 4 * this.#capacity, core.layout.SET_SLOT_BYTES * this.#slots,
    ]) as [number, number, number, number];
    core.zero(this.#set, core.layout.SET_SLOT_BYTES * this.#slots);
    this.#writeRecord();
  }

  /** Adds the next pool: its name's bytes (unique among the pools) and its decimals. */
  add(name: Uint8Array, decimals: number): void {
    const core = this.#core, L = core.layout;
    if (this.#namesUsed + name.length + L.TABLE_ARENA_SLACK > this.#namesSize) {
      const size = Math.max(this.#namesUsed + name.length + L.TABLE_ARENA_SLACK, 2 * this.#namesSize);
      this.#names = core.moveBlock(this.#names, this.#namesUsed, size);
      this.#namesSize = size;
    }
    if (this.count === this.#capacity) {
      this.#ends = core.moveBlock(this.#ends, 4 * this.count, 8 * this.#capacity);
      this.#decimals = core.moveBlock(this.#decimals, 4 * this.count, 8 * this.#capacity);
      this.#capacity *= 2;
    }
    this.#writeRecord();
    if (2 * (this.count + 1) > this.#slots) {
      const slots = 2 * this.#slots;
      const [set] = core.allocBlocks([L.SET_SLOT_BYTES * slots]) as [number];
      core.zero(set, L.SET_SLOT_BYTES * slots);
      core.exports.poolRehash(this.#record, set, slots);
      core.freeBlocks([this.#set]);
      this.#set = set;
      this.#slots = slots;
    }
    const memory = new Uint8Array(core.buffer);
    memory.set(name, this.#names + this.#namesUsed);
    new Uint32Array(core.buffer)[(this.#decimals >>> 2) + this.count] = decimals;
    core.exports.poolInsert(this.#record, name.length);
    this.#namesUsed += name.length;
    this.count++;
  }

  /** Adds the pools of `directory` not added yet, in its order. */
  addFrom(directory: { readonly pools: readonly { decimals: number }[]; nameOf(index: number): Uint8Array }): void {
    while (this.count < directory.pools.length) this.add(directory.nameOf(this.count), directory.pools[this.count]!.decimals);
  }

  /** Writes the blocks' places into the table record. */
  #writeRecord(): void {
    const L = this.#core.layout, record = this.#core.fields(this.#record);
    record.setU32(L.TABLE_POOL_NAMES, this.#names);
    record.setU32(L.TABLE_POOL_ENDS, this.#ends);
    record.setU32(L.TABLE_POOL_DECIMALS, this.#decimals);
    record.setU32(L.TABLE_POOL_COUNT, this.count);
    record.setU32(L.TABLE_POOL_SET, this.#set);
    record.setU32(L.TABLE_POOL_SLOTS, this.#slots);
  }
}
