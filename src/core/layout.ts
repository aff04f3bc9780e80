// The core's layout as the core exports it (assembly/layout.ts): read once per
// instance, never written here. Records are read and written through `Fields`.

import { CORE_GLOBALS, type CoreExports, type ExportedGlobal, type ExportedMemory } from '../wasm/exports.js';
import type { Rounding } from '../types.js';

/** The names of the core's layout globals. */
export type LayoutName = { [K in keyof CoreExports]: CoreExports[K] extends ExportedGlobal ? K : never }[keyof CoreExports];

/** Every layout constant of the core, by name: offsets, sizes and codes. */
export type Layout = Readonly<Record<LayoutName, number>>;

/** Reads every layout global of an instance of the core. */
export function readLayout(exports: CoreExports): Layout {
  return Object.fromEntries(CORE_GLOBALS.map((name) => [name, exports[name as LayoutName].value])) as Layout;
}

/** The core's code of a rounding policy. */
export function roundingCode(layout: Layout, rounding: Rounding): number {
  switch (rounding) {
    case 'largest-remainder': return layout.ROUND_LARGEST_REMAINDER;
    case 'down': return layout.ROUND_DOWN;
    case 'up': return layout.ROUND_UP;
  }
}

/**
 * The fields of one record at `address` in engine memory (little-endian). Each access
 * takes the memory's current buffer, so a record stays usable across memory growth.
 */
export class Fields {
  readonly #memory: ExportedMemory;
  readonly #address: number;

  /** The record at `address` of `memory`. */
  constructor(memory: ExportedMemory, address: number) {
    this.#memory = memory;
    this.#address = address;
  }

  #view(): DataView {
    return new DataView(this.#memory.buffer, this.#address);
  }

  /** The u32 field at `offset`. */
  u32(offset: number): number {
    return this.#view().getUint32(offset, true);
  }

  /** The i32 field at `offset`. */
  i32(offset: number): number {
    return this.#view().getInt32(offset, true);
  }

  /** The u64 field at `offset`. */
  u64(offset: number): bigint {
    return this.#view().getBigUint64(offset, true);
  }

  /** The u128 field at `offset` (low half first). */
  u128(offset: number): bigint {
    const view = this.#view();
    return (view.getBigUint64(offset + 8, true) << 64n) | view.getBigUint64(offset, true);
  }

  /** Sets the u32 field at `offset`. */
  setU32(offset: number, value: number): void {
    this.#view().setUint32(offset, value, true);
  }

  /** Sets the u64 field at `offset` (its value mod 2^64). */
  setU64(offset: number, value: bigint): void {
    this.#view().setBigUint64(offset, BigInt.asUintN(64, value), true);
  }
}
