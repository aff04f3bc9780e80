// The boundary with the WebAssembly core (assembly/index.ts documents the
// layout): instantiation, engine memory, column views, and one kernel run.
// Nothing here decides a unit; the kernel computes every haircut.

import { instantiate } from '@assemblyscript/loader';
import type { SocializeSummary } from './types.js';
import { Heap } from './heap.js';
import { waterfall, haircutRate } from './waterfall.js';
import { wasmBase64 as releaseBase64 } from './wasm/release.js';

/** The functions exported by the core. Pointers are byte offsets into `memory`. */
type CoreExports = {
  memory: WebAssembly.Memory;
  heapBase(): number;
  sumPositive(profits: number, count: number): bigint;
  positiveSumHigh(): bigint;
  positiveCount(): number;
  allocate(
    profits: number, haircuts: number, candidates: number, count: number,
    socialized: bigint, totalLow: bigint, totalHigh: bigint,
  ): void;
};

/** Which build of the core to run: `release` (optimized) or `debug` (invariant checks on). */
export type Variant = 'release' | 'debug';

/** Where one book's columns live in engine memory. */
export interface Columns {
  /** i64 × n: the profits. */
  profits: number;
  /** i64 × n: the haircuts. */
  haircuts: number;
  /** 12 × n bytes: the kernel's scratch for boundary candidates (remainder u64, index u32). */
  candidates: number;
}

/** The most accounts one book (or one `socialize` call) may hold: 28 bytes each in engine memory. */
export const MAX_ACCOUNTS = 100_000_000;

const modules = new Map<Variant, Promise<WebAssembly.Module>>();

/** Decodes base64 without Node's Buffer, so the same code runs in browsers. */
function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Compiles a variant once per process; every engine instantiates the same module. */
function compile(variant: Variant): Promise<WebAssembly.Module> {
  let module = modules.get(variant);
  if (module === undefined) {
    const base64 = variant === 'debug'
      ? import('./wasm/debug.js').then((m) => m.wasmBase64)
      : Promise.resolve(releaseBase64);
    module = base64.then((text) => WebAssembly.compile(decodeBase64(text)));
    modules.set(variant, module);
    module.catch(() => modules.delete(variant));
  }
  return module;
}

/** One instance of the core with its own memory. */
export class Core {
  readonly #exports: CoreExports;
  readonly #heap: Heap;

  private constructor(exports: CoreExports) {
    this.#exports = exports;
    this.#heap = new Heap(exports.memory, exports.heapBase());
  }

  /** Instantiates a fresh core of the given variant. */
  static async load(variant: Variant): Promise<Core> {
    const { exports } = await instantiate<CoreExports>(await compile(variant), {});
    return new Core(exports);
  }

  /** Allocates the three columns of an n-account book; RangeError when memory runs out. */
  allocColumns(n: number): Columns {
    const taken: number[] = [];
    try {
      for (const bytes of [8 * n, 8 * n, 12 * n]) taken.push(this.#heap.alloc(bytes));
    } catch (error) {
      for (const pointer of taken) this.#heap.free(pointer);
      throw error;
    }
    const [profits, haircuts, candidates] = taken as [number, number, number];
    return { profits, haircuts, candidates };
  }

  /** Returns a book's columns to the heap. */
  freeColumns(columns: Columns): void {
    this.#heap.free(columns.profits);
    this.#heap.free(columns.haircuts);
    this.#heap.free(columns.candidates);
  }

  /**
   * A view of n i64 values at `pointer`. Views are tied to the current
   * ArrayBuffer, which growing the memory detaches: take a new view after any allocation.
   */
  int64View(pointer: number, n: number): BigInt64Array {
    return new BigInt64Array(this.#exports.memory.buffer, pointer, n);
  }

  /** Sets `bytes` bytes at `pointer` to zero (a memset, far faster than filling a BigInt64Array with 0n). */
  zero(pointer: number, bytes: number): void {
    new Uint8Array(this.#exports.memory.buffer, pointer, bytes).fill(0);
  }

  /** The memory's current buffer (replaced when the memory grows). */
  get buffer(): ArrayBuffer {
    return this.#exports.memory.buffer;
  }

  /** The memory's current size in bytes. */
  get memoryBytes(): number {
    return this.#exports.memory.buffer.byteLength;
  }

  /** Runs the kernel on a book: totals, the waterfall, then every haircut into `columns.haircuts`. */
  socialize(columns: Columns, n: number, loss: bigint, insuranceFund: bigint): SocializeSummary {
    const core = this.#exports;
    const low = BigInt.asUintN(64, core.sumPositive(columns.profits, n));
    const totalProfit = (BigInt.asUintN(64, core.positiveSumHigh()) << 64n) | low;
    const profitableAccounts = core.positiveCount() >>> 0;
    const split = waterfall(loss, insuranceFund, totalProfit);
    core.allocate(
      columns.profits, columns.haircuts, columns.candidates, n,
      split.socialized, BigInt.asIntN(64, totalProfit), BigInt.asIntN(64, totalProfit >> 64n),
    );
    return { ...split, totalProfit, profitableAccounts, haircutRate: haircutRate(split.socialized, totalProfit) };
  }
}
