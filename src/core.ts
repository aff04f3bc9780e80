// The boundary with the WebAssembly core (assembly/index.ts documents the
// layout): instantiation, engine memory, column views, and one kernel run.
// Nothing here decides a unit; the kernel computes every haircut.

import { instantiate } from '@assemblyscript/loader';
import { guard, internalError, rangeError, stateError } from './errors.js';
import type { IndexDeltaResult, SocializeSummary } from './types.js';
import {
  chargeTooLarge, firstNegativeIndex, negativeEntry, poolOutOfRange, ROUNDINGS, zeroUnits, type Amounts, type IndexInput, type Options, type Params,
} from './validate.js';
import { Heap } from './heap.js';
import { waterfall, haircutRate, type Waterfall } from './waterfall.js';
import { wasmBase64 as scalarBase64 } from './wasm/scalar.js';
import { wasmBase64 as simdBase64 } from './wasm/simd.js';

/** The functions exported by the core. Pointers are byte offsets into `memory`. */
type CoreExports = {
  memory: WebAssembly.Memory;
  heapBase(): number;
  sumPositive(profits: number, count: number, exempt: number): bigint;
  positiveSumHigh(): bigint;
  positiveCount(): number;
  anyNonZero(pointer: number, bytes: number): boolean | number;
  allocate(
    profits: number, haircuts: number, candidates: number, count: number,
    socialized: bigint, totalLow: bigint, totalHigh: bigint,
    rounding: number, seeded: number, seed: bigint, exempt: number,
  ): bigint;
  sumWeighted(weights: number, caps: number, exempt: number, mask: number, count: number, capsChecked: number): bigint;
  weightedHigh(): bigint;
  capTotalLow(): bigint;
  capTotalHigh(): bigint;
  weightedCount(): number;
  firstNegative(): number;
  capAccounts(
    weights: number, caps: number, mask: number, region: number, count: number, capList: number, weightList: number, indexList: number,
    socialized: bigint, weightLow: bigint, weightHigh: bigint,
  ): void;
  sharedUnits(): bigint;
  sharedWeightLow(): bigint;
  sharedWeightHigh(): bigint;
  cappedAccounts(): number;
  finishWeighted(weights: number, caps: number, mask: number, haircuts: number, count: number, whole: bigint, pool: number, wholes: number): void;
  capPools(
    weights: number, caps: number, mask: number, pool: number, count: number, pools: number, levels: number, work: number,
    starts: number, grouped: number, capList: number, weightList: number, indexList: number,
  ): void;
  sumAbsolute(units: number, count: number): bigint;
  absoluteHigh(): bigint;
  charges(units: number, out: number, count: number, whole: bigint, part: bigint, scale: bigint, ceil: number): number;
  collectedSumLow(): bigint;
  collectedSumHigh(): bigint;
  sumPools(profits: number, pool: number, exempt: number, count: number, pools: number, totals: number): number;
  preparePools(params: number, hot: number, sums: number, counts: number, histogram: number, pools: number, counting: number): void;
  poolsPassA(
    profits: number, pool: number, exempt: number, haircuts: number, buckets: number, count: number,
    params: number, hot: number, sums: number, counts: number, histogram: number, pools: number, rounding: number,
  ): boolean | number;
  poolBoundaries(params: number, sums: number, counts: number, histogram: number, cuts: number, state: number, pools: number): number;
  poolsPassB(
    pool: number, buckets: number, haircuts: number, list: number, count: number, cuts: number, state: number,
    starts: number, pools: number, listed: number,
  ): number;
  groupListed(haircuts: number, list: number, count: number, grouped: number, starts: number, pools: number): void;
  settleCrowded(
    profits: number, pool: number, exempt: number, haircuts: number, grouped: number, buckets: number, count: number,
    cuts: number, params: number, state: number, counts: number, cursors: number, pools: number, seeded: number, seed: bigint,
  ): void;
  settlePools(
    profits: number, exempt: number, haircuts: number, grouped: number, starts: number,
    params: number, state: number, pools: number, seeded: number, seed: bigint,
  ): void;
};

/**
 * Which build of the core to run. `simd`: optimized, 128-bit SIMD in the hot
 * passes (the default wherever WebAssembly SIMD runs). `scalar`: optimized,
 * no SIMD. `debug-simd` / `debug-scalar`: the same kernels with their
 * invariants checked at run time (a violation throws); slower.
 */
export type Variant = 'simd' | 'scalar' | 'debug-simd' | 'debug-scalar';

/** Every variant, in the order tests run them. */
export const VARIANTS: readonly Variant[] = ['simd', 'scalar', 'debug-simd', 'debug-scalar'];

/** Where one book's columns live in engine memory. */
export interface Columns {
  /** i64 × n: the profits. */
  profits: number;
  /** i64 × n: the haircuts. */
  haircuts: number;
  /** 12 × n bytes: the kernel's scratch for boundary candidates (remainder u64, index u32). */
  candidates: number;
  /** n bytes: non-zero marks an exempt account. */
  exempt: number;
  /** 4 × n bytes: each account's pool (u32); 0 until pools are used (`ensureColumn`). */
  pool: number;
  /** i64 × n: weights; 0 until weights are used (`ensureColumn`). */
  weights: number;
  /** i64 × n: caps; 0 until caps are used (`ensureColumn`). */
  caps: number;
  /** n bytes: the weighted kernels' scratch (shares, ineligible, capped); 0 until weights are used. */
  mask: number;
}

/** The most accounts one book (or one call) may hold: 29 bytes each in engine memory (33 with pools). */
export const MAX_ACCOUNTS = 100_000_000;

const modules = new Map<Variant, Promise<WebAssembly.Module>>();

/** Decodes base64 without Node's Buffer, so the same code runs in browsers. */
function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The embedded bytes of a variant; the debug builds load only when asked for. */
function bytesOf(variant: Variant): Promise<string> {
  switch (variant) {
    case 'simd': return Promise.resolve(simdBase64);
    case 'scalar': return Promise.resolve(scalarBase64);
    case 'debug-simd': return import('./wasm/debug-simd.js').then((m) => m.wasmBase64);
    case 'debug-scalar': return import('./wasm/debug-scalar.js').then((m) => m.wasmBase64);
  }
}

/** Whether the SIMD build validates here: decided once per process (`simdSupported`). */
let simd: boolean | undefined;

/**
 * Whether this runtime runs WebAssembly SIMD: validates the SIMD build itself, once
 * per process (validating retains native memory, and the answer cannot change).
 */
export function simdSupported(): boolean {
  simd ??= WebAssembly.validate(decodeBase64(simdBase64));
  return simd;
}

/** Compiles a variant once per process; every engine instantiates the same module. */
function compile(variant: Variant): Promise<WebAssembly.Module> {
  let module = modules.get(variant);
  if (module === undefined) {
    module = bytesOf(variant).then((text) => WebAssembly.compile(decodeBase64(text)));
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

  /**
   * Instantiates a fresh core of the given variant. ERR_UNSUPPORTED when this runtime
   * cannot compile or instantiate it, ERR_MEMORY when it cannot give it its memory.
   */
  static async load(variant: Variant): Promise<Core> {
    let exports: CoreExports;
    try {
      ({ exports } = await instantiate<CoreExports>(await compile(variant), {}));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw error instanceof RangeError
        ? rangeError('ERR_MEMORY', `cannot give the '${variant}' core its memory: ${reason}`, { cause: error })
        : stateError('ERR_UNSUPPORTED', `this runtime cannot run the '${variant}' core: ${reason}`, { cause: error });
    }
    return new Core(exports);
  }

  /** Allocates the three columns of an n-account book; RangeError when memory runs out. */
  allocColumns(n: number): Columns {
    const taken: number[] = [];
    try {
      for (const bytes of [8 * n, 8 * n, 12 * n, n]) taken.push(this.#heap.alloc(bytes));
    } catch (error) {
      for (const pointer of taken) this.#heap.free(pointer);
      throw error;
    }
    const [profits, haircuts, candidates, exempt] = taken as [number, number, number, number];
    return { profits, haircuts, candidates, exempt, pool: 0, weights: 0, caps: 0, mask: 0 };
  }

  /**
   * Gives `columns` the zeroed optional column `key` if it has none yet: `pool` (4 bytes
   * per account), `weights` (8, with the weighted kernels' mask: 1 more) or `caps` (8).
   */
  ensureColumn(columns: Columns, n: number, key: 'pool' | 'weights' | 'caps'): void {
    if (columns[key]) return;
    const bytes = key === 'pool' ? 4 * n : 8 * n;
    const mask = key === 'weights' ? this.#heap.alloc(n) : 0;
    try {
      columns[key] = this.#heap.alloc(bytes);
    } catch (error) {
      if (mask) this.#heap.free(mask);
      throw error;
    }
    if (mask) columns.mask = mask;
    this.zero(columns[key], bytes);
  }

  /** Allocates blocks of the given sizes, runs `task` with their pointers and frees them. */
  withBlocks<T>(sizes: number[], task: (pointers: number[]) => T): T {
    const taken: number[] = [];
    try {
      for (const bytes of sizes) taken.push(this.#heap.alloc(bytes));
      return task(taken);
    } finally {
      for (const pointer of taken) this.#heap.free(pointer);
    }
  }

  /**
   * Returns a call's columns to the heap. With `retire` (a freed book's, whose views
   * the caller may still hold), they stay out of use until every view of the memory
   * has been detached, so that a kept view cannot reach whatever is placed there next.
   */
  freeColumns(columns: Columns, retire = false): void {
    const release = (pointer: number) => (retire ? this.#heap.retire(pointer) : this.#heap.free(pointer));
    for (const pointer of [columns.profits, columns.haircuts, columns.candidates, columns.exempt]) release(pointer);
    for (const optional of [columns.pool, columns.weights, columns.mask, columns.caps]) if (optional) release(optional);
  }

  /**
   * A view of n i64 values at `pointer`. Views are tied to the current
   * ArrayBuffer, which growing the memory detaches: take a new view after any allocation.
   */
  int64View(pointer: number, n: number): BigInt64Array {
    return new BigInt64Array(this.#exports.memory.buffer, pointer, n);
  }

  /** A view of n u32 values at `pointer` (same caveat as `int64View`). */
  uint32View(pointer: number, n: number): Uint32Array {
    return new Uint32Array(this.#exports.memory.buffer, pointer, n);
  }

  /** A view of n bytes at `pointer` (same caveat as `int64View`). */
  byteView(pointer: number, n: number): Uint8Array {
    return new Uint8Array(this.#exports.memory.buffer, pointer, n);
  }

  /** Sets `bytes` bytes at `pointer` to zero (a memset, far faster than filling a BigInt64Array with 0n). */
  zero(pointer: number, bytes: number): void {
    new Uint8Array(this.#exports.memory.buffer, pointer, bytes).fill(0);
  }

  /** A copy of `view` if it is a view of this memory (which allocating would detach), else `view` itself. */
  snapshot<V extends ArrayLike<unknown>>(view: V): V {
    return ArrayBuffer.isView(view) && view.buffer === this.#exports.memory.buffer ? (view as unknown as { slice(): V }).slice() : view;
  }

  /** The memory's current buffer (replaced when the memory grows). */
  get buffer(): ArrayBuffer {
    return this.#exports.memory.buffer;
  }

  /** The memory's current size in bytes. */
  get memoryBytes(): number {
    return this.#exports.memory.buffer.byteLength;
  }

  /**
   * Runs the kernel on a book: totals, the waterfall, then every haircut into
   * `columns.haircuts`, by the rounding policy. The exempt column is read only
   * when `exemptions` says it may hold some, and counts only when a byte of it
   * is set (else the faster paths without it run).
   */
  socialize(columns: Columns, n: number, params: Params, exemptions: boolean): SocializeSummary {
    return guard('socialize', () => this.#socialize(columns, n, params, exemptions));
  }

  #socialize(columns: Columns, n: number, params: Params, exemptions: boolean): SocializeSummary {
    const core = this.#exports;
    const exempt = exemptions && core.anyNonZero(columns.exempt, n) ? columns.exempt : 0;
    const low = BigInt.asUintN(64, core.sumPositive(columns.profits, n, exempt));
    const totalProfit = (BigInt.asUintN(64, core.positiveSumHigh()) << 64n) | low;
    const profitableAccounts = core.positiveCount() >>> 0;
    const split = waterfall(params.loss, params.insuranceFund, totalProfit);
    const written = BigInt.asUintN(64, core.allocate(
      columns.profits, columns.haircuts, columns.candidates, n,
      split.socialized, BigInt.asIntN(64, totalProfit), BigInt.asIntN(64, totalProfit >> 64n),
      ROUNDINGS.indexOf(params.rounding), params.tieSeed === undefined ? 0 : 1,
      BigInt.asIntN(64, params.tieSeed ?? 0n), exempt,
    ));
    return summarize(split, totalProfit, profitableAccounts, written, params.rounding);
  }

  /**
   * The weighted kernels' first pass (Σ w, Σ caps, the mask): caps are the caps column
   * when `capsGiven`, else the profits. A negative weight or cap is a RangeError naming
   * it, before any haircut is written.
   */
  #sumWeighted(columns: Columns, n: number, exemptions: boolean, capsGiven: boolean): { caps: number; weightLow: bigint } {
    const core = this.#exports;
    const exempt = exemptions && core.anyNonZero(columns.exempt, n) ? columns.exempt : 0;
    const caps = capsGiven ? columns.caps : columns.profits;
    const weightLow = core.sumWeighted(columns.weights, caps, exempt, columns.mask, n, capsGiven ? 1 : 0);
    if (core.firstNegative() >= 0) throw this.#negativeColumn(columns.weights, capsGiven ? caps : 0, n);
    return { caps, weightLow };
  }

  /**
   * The RangeError for the first negative weight, else the first negative cap (the
   * reference's order); `caps` 0: none given. ERR_INTERNAL if neither has one.
   */
  #negativeColumn(weights: number, caps: number, n: number): Error {
    for (const [field, pointer] of [['weights', weights], ['caps', caps]] as const) {
      if (pointer === 0) continue;
      const view = this.int64View(pointer, n);
      const bad = firstNegativeIndex(view);
      if (bad >= 0) return negativeEntry(field, bad, view[bad]!);
    }
    return internalError('socialize by weight', 'the core found a negative weight or cap that the wrapper cannot find');
  }

  /**
   * Runs the weighted kernel on a book (its weights and mask columns exist):
   * Σ weights and caps, the waterfall, the capped set, then the others' shares by
   * the rounding policy. Caps are the caps column when `capsGiven`, else the
   * profits (max(profit, 0)). A negative weight or cap is a RangeError naming
   * it, before any haircut is written.
   */
  socializeWeighted(columns: Columns, n: number, params: Params, exemptions: boolean, capsGiven: boolean): SocializeSummary {
    return guard('socialize by weight', () => this.#socializeWeighted(columns, n, params, exemptions, capsGiven));
  }

  #socializeWeighted(columns: Columns, n: number, params: Params, exemptions: boolean, capsGiven: boolean): SocializeSummary {
    const core = this.#exports;
    const { caps, weightLow } = this.#sumWeighted(columns, n, exemptions, capsGiven);
    const totalWeight = wide(weightLow, core.weightedHigh());
    const totalCap = wide(core.capTotalLow(), core.capTotalHigh());
    const split = waterfall(params.loss, params.insuranceFund, totalCap);
    const S = split.socialized;
    let shared = S, sharedWeight = totalWeight, cappedAccounts = 0;
    if (S > 0n) {
      // The lists of (cap, w, index) go where the haircuts and candidates will be written later.
      core.capAccounts(
        columns.weights, caps, columns.mask, 0, n, columns.haircuts, columns.candidates, columns.candidates + 8 * n,
        S, low(totalWeight), high(totalWeight),
      );
      shared = BigInt.asUintN(64, core.sharedUnits());
      sharedWeight = wide(core.sharedWeightLow(), core.sharedWeightHigh());
      cappedAccounts = core.cappedAccounts() >>> 0;
    }
    // R = whole·W + part: the sharing accounts get whole·w plus their share of part (< W).
    const whole = sharedWeight === 0n ? 0n : shared / sharedWeight;
    const part = shared - whole * sharedWeight;
    const written = BigInt.asUintN(64, core.allocate(
      columns.weights, columns.haircuts, columns.candidates, n, part, low(sharedWeight), high(sharedWeight),
      ROUNDINGS.indexOf(params.rounding), params.tieSeed === undefined ? 0 : 1,
      BigInt.asIntN(64, params.tieSeed ?? 0n), columns.mask,
    ));
    core.finishWeighted(columns.weights, caps, columns.mask, columns.haircuts, n, whole, 0, 0);
    const collected = (S - shared) + whole * sharedWeight + written;
    const summary = summarize(split, totalCap, core.weightedCount() >>> 0, collected, params.rounding);
    return { ...summary, totalWeight, cappedAccounts };
  }

  /**
   * The per-unit index delta over `n` positions at `units` (i64), charges into
   * `out` (i64). RangeError when the units sum to zero or a charge passes 2^63 − 1.
   */
  indexDelta(units: number, out: number, n: number, input: IndexInput): Omit<IndexDeltaResult, 'charges'> {
    return guard('indexDelta', () => this.#indexDelta(units, out, n, input));
  }

  #indexDelta(units: number, out: number, n: number, input: IndexInput): Omit<IndexDeltaResult, 'charges'> {
    const core = this.#exports;
    const totalUnits = wide(core.sumAbsolute(units, n), core.absoluteHigh());
    if (totalUnits === 0n) throw zeroUnits();
    const { loss, scale } = input;
    const numerator = loss * scale;
    const delta = input.rounding === 'up' ? (numerator + totalUnits - 1n) / totalUnits : numerator / totalUnits;
    // delta / scale ≤ loss + 1 < 2^64: the kernel's whole part fits.
    const whole = delta / scale;
    const bad = core.charges(units, out, n, BigInt.asIntN(64, whole), BigInt.asIntN(64, delta % scale), scale, input.chargeRounding === 'up' ? 1 : 0);
    if (bad >= 0) {
      const size = this.int64View(units, n)[bad]!;
      const product = (size < 0n ? -size : size) * delta;
      throw chargeTooLarge(bad, input.chargeRounding === 'up' ? (product + scale - 1n) / scale : product / scale);
    }
    const collected = wide(core.collectedSumLow(), core.collectedSumHigh());
    return { delta, collected, drift: collected - loss, totalUnits };
  }

  /**
   * Runs every pool of a book in shared passes (assembly/pools.ts): one sums every
   * pool, one writes every floor and histograms each pool's remainders, one gives the
   * units above each pool's boundary bucket and lists the accounts in it, which are
   * then settled pool by pool. Throws the RangeError naming the first account whose
   * pool index is out of range, before writing anything.
   */
  socializePools(columns: Columns, n: number, pools: Amounts[], options: Options, exemptions: boolean): SocializeSummary[] {
    return guard('socializePools', () => this.#socializePools(columns, n, pools, options, exemptions));
  }

  #socializePools(columns: Columns, n: number, pools: Amounts[], options: Options, exemptions: boolean): SocializeSummary[] {
    const core = this.#exports;
    const exempt = exemptions && core.anyNonZero(columns.exempt, n) ? columns.exempt : 0;
    const count = pools.length;
    const { rounding, tieSeed } = options;
    const taken: number[] = [];
    const alloc = (bytes: number) => {
      const pointer = this.#heap.alloc(bytes);
      taken.push(pointer);
      return pointer;
    };
    try {
      const totals = alloc(16 * count);
      const bad = core.sumPools(columns.profits, columns.pool, exempt, n, count, totals);
      if (bad >= 0) throw poolOutOfRange(bad, this.uint32View(columns.pool, n)[bad]!, count);
      const table = new BigUint64Array(core.memory.buffer, totals, 2 * count).slice();
      const mode = ROUNDINGS.indexOf(rounding);
      const params = alloc(64 * count);
      const hot = alloc(32 * count);
      const sums = alloc(8 * count);
      const counts = alloc(4 * count);
      const histogram = mode === 0 ? alloc(1280 * count) : 0;
      const splits = pools.map((pool, k) => {
        const totalProfit = (table[2 * k + 1]! << 64n) | table[2 * k]!;
        return { totalProfit, split: waterfall(pool.loss, pool.insuranceFund, totalProfit) };
      });
      const rows = new BigUint64Array(core.memory.buffer, params, 8 * count);
      splits.forEach(({ totalProfit, split }, k) => {
        rows[8 * k] = split.socialized;
        rows[8 * k + 1] = BigInt.asUintN(64, totalProfit);
        rows[8 * k + 2] = totalProfit >> 64n;
      });
      core.preparePools(params, hot, sums, counts, histogram, count, mode === 0 ? 1 : 0);
      // Under largest remainder each account's bucket byte goes in the last n bytes of the
      // candidates block; the boundary pass lists accounts from its start (at most 8n bytes).
      const buckets = columns.candidates + 11 * n;
      const counted = core.poolsPassA(columns.profits, columns.pool, exempt, columns.haircuts, buckets, n, params, hot, sums, counts, histogram, count, mode);
      if (counted) {
        const cuts = alloc(4 * count);
        const state = alloc(16 * count);
        const starts = alloc(4 * count);
        const listed = core.poolBoundaries(params, sums, counts, histogram, cuts, state, count) >>> 0;
        const end = core.poolsPassB(columns.pool, buckets, columns.haircuts, columns.candidates, n, cuts, state, starts, count, listed) >>> 0;
        let grouped = columns.candidates;
        const seeded = tieSeed === undefined ? 0 : 1, seed = BigInt.asIntN(64, tieSeed ?? 0n);
        const entries = end === 0 ? 0 : (end - columns.candidates) / 8;
        if (20 * entries > 12 * n) {
          // So many listed (heavy ties) that their groups would not fit beside the list:
          // regrouped from the book, batch by batch, within the candidates block.
          core.settleCrowded(
            columns.profits, columns.pool, exempt, columns.haircuts, columns.candidates, buckets, n, cuts, params, state,
            alloc(4 * count), alloc(4 * count), count, seeded, seed,
          );
        } else {
          if (entries > 0) {
            // Many listed: (index, pool) entries from the start of the candidates block, grouped after them (12 bytes each).
            grouped = end;
            core.groupListed(columns.haircuts, columns.candidates, entries, grouped, starts, count);
          }
          core.settlePools(columns.profits, exempt, columns.haircuts, grouped, starts, params, state, count, seeded, seed);
        }
      }
      const written = new BigUint64Array(core.memory.buffer, sums, count);
      const profitable = new Uint32Array(core.memory.buffer, counts, count);
      return splits.map(({ totalProfit, split }, k) =>
        summarize(split, totalProfit, profitable[k]!, mode === 0 ? split.socialized : written[k]!, rounding));
    } finally {
      for (const pointer of taken) this.#heap.free(pointer);
    }
  }

  /**
   * Runs every pool of a weighted book: the weighted kernel's steps per pool (sums,
   * waterfall, capped set), then every pool's shares of R mod W in one run of the
   * pools passes over the weights (the mask as exemptions), then ⌊R/W⌋·w and the caps.
   */
  socializePoolsWeighted(
    columns: Columns, n: number, pools: Amounts[], options: Options, exemptions: boolean, capsGiven: boolean,
  ): SocializeSummary[] {
    return guard('socializePools by weight', () => this.#socializePoolsWeighted(columns, n, pools, options, exemptions, capsGiven));
  }

  #socializePoolsWeighted(
    columns: Columns, n: number, pools: Amounts[], options: Options, exemptions: boolean, capsGiven: boolean,
  ): SocializeSummary[] {
    const core = this.#exports;
    const { caps } = this.#sumWeighted(columns, n, exemptions, capsGiven);
    const count = pools.length;
    const blocks = [16 * count, 16 * count, 64 * count, 80 * count, 4 * (2 * count + 1), 8 * count, 4 * n];
    return this.withBlocks(blocks, ([weightTotals, capTotals, levels, work, starts, wholes, indexList]) => {
      // Per pool: Σ w and Σ caps (the mask marks the ineligible).
      const badPool = core.sumPools(columns.weights, columns.pool, columns.mask, n, count, weightTotals);
      if (badPool >= 0) throw poolOutOfRange(badPool, this.uint32View(columns.pool, n)[badPool]!, count);
      core.sumPools(caps, columns.pool, columns.mask, n, count, capTotals);
      const weightTable = new BigUint64Array(core.memory.buffer, weightTotals, 2 * count).slice();
      const capTable = new BigUint64Array(core.memory.buffer, capTotals, 2 * count).slice();
      const splits = pools.map((amounts, k) => {
        const totalWeight = (weightTable[2 * k + 1]! << 64n) | weightTable[2 * k]!;
        const totalCap = (capTable[2 * k + 1]! << 64n) | capTable[2 * k]!;
        return { split: waterfall(amounts.loss, amounts.insuranceFund, totalCap), totalWeight, totalCap };
      });
      const table = new BigUint64Array(core.memory.buffer, levels, 8 * count);
      splits.forEach(({ split, totalWeight }, k) => {
        table[8 * k] = split.socialized;
        table[8 * k + 1] = BigInt.asUintN(64, totalWeight);
        table[8 * k + 2] = totalWeight >> 64n;
      });
      // Every pool's capped set in one pass over the book; the lists go to the candidates and haircuts.
      core.capPools(
        columns.weights, caps, columns.mask, columns.pool, n, count, levels, work, starts,
        columns.candidates, columns.haircuts, columns.candidates + 4 * n, indexList!,
      );
      const found = new BigUint64Array(core.memory.buffer, levels, 8 * count).slice();
      const runs = splits.map(({ split, totalWeight, totalCap }, k) => {
        const shared = found[8 * k + 3]!, sharedWeight = (found[8 * k + 5]! << 64n) | found[8 * k + 4]!;
        const whole = sharedWeight === 0n ? 0n : shared / sharedWeight;
        return { split, totalWeight, totalCap, count: Number(found[8 * k + 7]!), shared, sharedWeight, whole, cappedAccounts: Number(found[8 * k + 6]!) };
      });
      new BigUint64Array(core.memory.buffer, wholes, count).set(runs.map((run) => run.whole));
      // The shares of R mod W, all pools in one run, as if each pool lost exactly that.
      const sharing = { ...columns, profits: columns.weights, exempt: columns.mask };
      const parts = runs.map((run) => ({ loss: run.shared - run.whole * run.sharedWeight, insuranceFund: 0n }));
      const written = this.#socializePools(sharing, n, parts, options, true);
      core.finishWeighted(columns.weights, caps, columns.mask, columns.haircuts, n, 0n, columns.pool, wholes);
      return runs.map((run, k) => {
        const collected = (run.split.socialized - run.shared) + run.whole * run.sharedWeight + written[k]!.socialized;
        const summary = summarize(run.split, run.totalCap, run.count, collected, options.rounding);
        return { ...summary, totalWeight: run.totalWeight, cappedAccounts: run.cappedAccounts };
      });
    });
  }
}

/** The unsigned 128-bit value of two 64-bit halves as the core returns them (signed). */
function wide(lowHalf: bigint, highHalf: bigint): bigint {
  return (BigInt.asUintN(64, highHalf) << 64n) | BigInt.asUintN(64, lowHalf);
}

/** The low 64 bits of a value, as the core takes an i64. */
function low(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}

/** Bits 64–127 of a value, as the core takes an i64. */
function high(value: bigint): bigint {
  return BigInt.asIntN(64, value >> 64n);
}

/** A pool's or a book's summary from the waterfall and what the kernel wrote. */
function summarize(split: Waterfall, totalProfit: bigint, profitableAccounts: number, written: bigint, rounding: Options['rounding']): SocializeSummary {
  // Under 'down' the kernel collects less than the target (dust), under 'up' more (surplus).
  const roundingDust = rounding === 'down' ? split.socialized - written : 0n;
  const surplus = rounding === 'up' ? written - split.socialized : 0n;
  return {
    insuranceUsed: split.insuranceUsed,
    socialized: written,
    uncovered: split.uncovered + roundingDust,
    totalProfit,
    profitableAccounts,
    haircutRate: haircutRate(written, totalProfit),
    roundingDust,
    surplus,
  };
}
