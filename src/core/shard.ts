// One instance of the WebAssembly core: instantiation, engine memory and column views,
// and the phases of each split driven through their records (assembly/index.ts lists
// the phases, assembly/layout.ts the records, read here through src/core/layout.ts).
// Nothing here decides a unit: the core computes every haircut and every total of
// haircuts; the wrapper runs the waterfall (policy) and turns records into summaries.

import { instantiate } from '@assemblyscript/loader';
import { guard, rangeError, stateError } from './errors.js';
import type { IndexDeltaResult, SocializeSummary } from './types.js';
import {
  chargeTooLarge, negativeColumn, poolOutOfRange, zeroUnits, type Amounts, type IndexInput, type Options, type Params,
} from './validate.js';
import { Heap } from './heap.js';
import { waterfall } from './waterfall.js';
import { summarize } from './core/summary.js';
import { Fields, readLayout, roundingCode, type Layout } from './core/layout.js';
import type { CoreExports } from './wasm/exports.js';
import { wasmBase64 as scalarBase64 } from './wasm/scalar.js';
import { wasmBase64 as simdBase64 } from './wasm/simd.js';

/** A WebAssembly memory as the declarations name it (no WebAssembly types in them: a consumer's lib may lack them). */
export interface MemoryLike {
  /** Its bytes: a SharedArrayBuffer when shared. */
  readonly buffer: ArrayBufferLike;
}

/** A build of the core: a variant, or `shared` (the SIMD build over an imported shared memory, for a sharded book's shards). */
export type Build = Variant | 'shared';

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

/** Bytes per pool of a level for capShard and levelShard, and of capShard's counts (assembly/shard/weights.ts). */
const LEVEL_BYTES = 32, COUNT_BYTES = 40;

/** What a shard's call runs: pools (the book's pool column), exemptions (its exempt column may hold some), by weight (and with caps). */
export interface ShardMode {
  pooled: boolean;
  exemptions: boolean;
  weighted: boolean;
  capsGiven: boolean;
}

/** A pool's level for the capped-set rounds: R, W, and whether it caps at all (S > 0). */
export interface Level {
  R: bigint;
  W: bigint;
  active: boolean;
}

/** One shard's call, phase by phase (`Core.openShard`): the kernels of assembly/shard/. */
export interface ShardCall {
  /**
   * The sums: each pool's Σ eligible profits here, the first account (this shard's index)
   * whose pool index is out of range (−1: none), and (plain) the eligible count.
   */
  sums(): {
    bad: number; negativeWeight: number; negativeCap: number; totals: bigint[]; weights: bigint[] | null; eligible: number[] | null;
  };
  /** By weight: marks each pool's capped accounts at its level; counts them and sums their caps and weights, and counts the eligible. */
  cap(levels: readonly Level[]): { capped: number; eligible: number; caps: bigint; weights: bigint }[];
  /** By weight, one pool: the cap and weight (u64 pairs) of every n/16,384-th eligible account. */
  sampleWeights(): BigUint64Array;
  /** By weight, one pool: capped below `lo`, listed below `hi`; the capped counts and how many are listed. */
  capBand(lo: Level, hi: Level): { capped: number; eligible: number; caps: bigint; weights: bigint; listed: number };
  /** By weight, one pool: the listed accounts capped at `level`; their counts (`eligible`: how many are listed). */
  capListed(level: Level): { capped: number; eligible: number; caps: bigint; weights: bigint };
  /** By weight: writes each pool's final level (R, W, WHOLE, PART) for the floors; each pool's WHOLE and PART. */
  level(levels: readonly Level[]): { whole: bigint; part: bigint }[];
  /** By weight: finishShard (caps written, WHOLE·w added), after the boundary. */
  finish(): void;
  /** Plain, largest remainder, 0 < S < P: the top key, this shard's sampled keys and their sum, and t (keys are remainders >> t). */
  sample(S: bigint, P: bigint): { top: bigint; sum: bigint; shift: number; keys: BigUint64Array };
  /**
   * The floors with every pool's S and whole-book P: Σ haircuts per pool here; plain:
   * with the band [low, high] of keys (units above it given, those in it listed: how
   * many); pools: the histograms (256 u32 per pool) and each pool's bucket shift (bucket b
   * holds the remainders r with r >> shift == b) when remainders were counted, else each
   * pool's eligible count.
   */
  floors(S: readonly bigint[], P: readonly bigint[], band: readonly [bigint, bigint]): {
    written: bigint[]; histograms: Uint32Array | null; shifts: number[] | null; eligible: number[] | null; listed: number[] | null;
  };
  /** Pools: raiseShard with the coordinator's cuts (u32 per pool): how many accounts each pool's boundary list holds. */
  raise(cuts: Uint32Array): number[];
  /** How many accounts pool k's list holds. */
  listed(k: number): number;
  /** spanDigits over pool k's list: its first value of `field` and the OR of every value XOR it. */
  span(k: number, field: number, start: bigint): { first: bigint; vary: bigint };
  /**
   * countDigits over pool k's list: the 256 counts of digit `pos` of `field` (into `into` when
   * given, else a new array), and with `withSpans` each digit's span (4 u64 each).
   */
  count(k: number, field: number, pos: number, start: bigint, withSpans: boolean, into?: Uint32Array): { counts: Uint32Array; spans?: BigUint64Array };
  /** settleDigit over pool k's list: a unit above `digit`, and to the first `give` in it; the list is then empty. */
  settle(k: number, field: number, pos: number, start: bigint, digit: number, give: number): void;
  /** keepDigit over pool k's list: the span of those that stay. */
  keep(k: number, field: number, pos: number, start: bigint, digit: number, takeEqual: boolean): { first: bigint; vary: bigint };
  /** giveFirst: one more unit to the first `need` accounts of pool k's list (in index order), which is then empty. */
  give(k: number, need: number): void;
  /** Frees the call's records (idempotent). */
  close(): void;
}

/** The most accounts one book (or one call) may hold: 29 bytes each in engine memory (33 with pools). */
export const MAX_ACCOUNTS = 100_000_000;

const modules = new Map<Build, Promise<WebAssembly.Module>>();

/** Decodes base64 without Node's Buffer, so the same code runs in browsers. */
function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The embedded bytes of a build; the debug and shared builds load only when asked for. */
function bytesOf(variant: Build): Promise<string> {
  switch (variant) {
    case 'shared': return import('./wasm/shared.js').then((m) => m.wasmBase64);
    case 'simd': return Promise.resolve(simdBase64);
    case 'scalar': return Promise.resolve(scalarBase64);
    case 'debug-simd': return import('./wasm/debug-simd.js').then((m) => m.wasmBase64);
    case 'debug-scalar': return import('./wasm/debug-scalar.js').then((m) => m.wasmBase64);
  }
}

/** The WebAssembly bytes of a variant, as embedded (what the report hashes). */
export async function coreBytes(variant: Build): Promise<Uint8Array<ArrayBuffer>> {
  return decodeBase64(await bytesOf(variant));
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

/** Compiles a build once per process; every engine instantiates the same module. */
function compile(variant: Build): Promise<WebAssembly.Module> {
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
  /** The core's layout: record offsets, column sizes, codes. */
  readonly #layout: Layout;

  private constructor(exports: CoreExports) {
    this.#exports = exports;
    this.#heap = new Heap(exports.memory, exports.heapBase());
    this.#layout = readLayout(exports);
  }

  /**
   * Instantiates a fresh core of the given build (`shared`: over a new shared memory of
   * up to 4 GiB, or `maximumPages` of 64 KiB). ERR_UNSUPPORTED when this runtime cannot compile or instantiate it,
   * ERR_MEMORY when it cannot give it its memory.
   */
  static async load(variant: Build, maximumPages = 65_536): Promise<Core> {
    let exports: CoreExports;
    try {
      // `maximumPages` (of 64 KiB) bounds the shared memory: 4 GiB, the most a 32-bit core can address, unless told less.
      const imports = variant === 'shared'
        ? { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: maximumPages, shared: true }) } }
        : {};
      ({ exports } = await instantiate<CoreExports>(await compile(variant), imports));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw error instanceof RangeError
        ? rangeError('ERR_MEMORY', `cannot give the '${variant}' core its memory: ${reason}`, { cause: error })
        : stateError('ERR_UNSUPPORTED', `this runtime cannot run the '${variant}' core: ${reason}`, { cause: error });
    }
    return new Core(exports);
  }

  /** Allocates the four columns of an n-account book (profits, haircuts, candidates, exempt); RangeError when memory runs out. */
  allocColumns(n: number): Columns {
    const { AMOUNT_BYTES, CANDIDATE_BYTES, FLAG_BYTES } = this.#layout;
    const [profits, haircuts, candidates, exempt] = this.#heap.allocAll([AMOUNT_BYTES * n, AMOUNT_BYTES * n, CANDIDATE_BYTES * n, FLAG_BYTES * n]) as [
      number, number, number, number,
    ];
    return { profits, haircuts, candidates, exempt, pool: 0, weights: 0, caps: 0, mask: 0 };
  }

  /**
   * Gives `columns` the zeroed optional column `key` if it has none yet: `pool` (4 bytes
   * per account), `weights` (8, with the weighted kernels' mask: 1 more) or `caps` (8).
   */
  ensureColumn(columns: Columns, n: number, key: 'pool' | 'weights' | 'caps'): void {
    if (columns[key]) return;
    const { AMOUNT_BYTES, POOL_INDEX_BYTES, FLAG_BYTES } = this.#layout;
    const bytes = key === 'pool' ? POOL_INDEX_BYTES * n : AMOUNT_BYTES * n;
    const mask = key === 'weights' ? this.#heap.alloc(FLAG_BYTES * n) : 0;
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
    const taken = this.#heap.allocAll(sizes);
    try {
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

  /** The core's memory object (a shared WebAssembly.Memory when built `shared`: a sharded book's coordinator views it). */
  get memory(): MemoryLike {
    return this.#exports.memory;
  }

  /** The memory's current buffer (replaced when the memory grows). */
  get buffer(): ArrayBuffer {
    return this.#exports.memory.buffer;
  }

  /** The memory's current size in bytes. */
  get memoryBytes(): number {
    return this.#exports.memory.buffer.byteLength;
  }

  /** A record's fields at `address`. */
  #fields(address: number): Fields {
    return new Fields(this.#exports.memory, address);
  }

  /** Fills a book record: the columns in use (exempt only when `exemptions`; weights, caps and mask when `weighted`). */
  #writeBook(book: number, columns: Columns, n: number, exemptions: boolean, weighted = false, capsGiven = false): void {
    const L = this.#layout, fields = this.#fields(book);
    this.zero(book, L.BOOK_BYTES);
    fields.setU32(L.BOOK_PROFITS, columns.profits);
    fields.setU32(L.BOOK_HAIRCUTS, columns.haircuts);
    fields.setU32(L.BOOK_CANDIDATES, columns.candidates);
    fields.setU32(L.BOOK_EXEMPT, exemptions ? columns.exempt : 0);
    fields.setU32(L.BOOK_POOL, columns.pool);
    fields.setU32(L.BOOK_WEIGHTS, weighted ? columns.weights : 0);
    fields.setU32(L.BOOK_CAPS, weighted && capsGiven ? columns.caps : 0);
    fields.setU32(L.BOOK_MASK, weighted ? columns.mask : 0);
    fields.setU32(L.BOOK_COUNT, n);
  }

  /** Writes a call's rounding and tie seed at the given offsets of a record. */
  #writeOptions(fields: Fields, options: Options, at: { rounding: number; seeded: number; seed: number }): void {
    fields.setU32(at.rounding, roundingCode(this.#layout, options.rounding));
    fields.setU32(at.seeded, options.tieSeed === undefined ? 0 : 1);
    fields.setU64(at.seed, options.tieSeed ?? 0n);
  }

  /** The split record's options fields. */
  get #splitOptions(): { rounding: number; seeded: number; seed: number } {
    const L = this.#layout;
    return { rounding: L.SPLIT_ROUNDING, seeded: L.SPLIT_SEEDED, seed: L.SPLIT_SEED };
  }

  /**
   * Runs the plain split on a book: sumProfits, the waterfall, splitProfits. The exempt
   * column is read only when `exemptions` says it may hold some (the core then skips it
   * when no byte of it is set).
   */
  socialize(columns: Columns, n: number, params: Params, exemptions: boolean): SocializeSummary {
    return guard('socialize', () => this.withBlocks([this.#layout.BOOK_BYTES, this.#layout.SPLIT_BYTES], ([book, split]) => {
      const L = this.#layout, core = this.#exports, fields = this.#fields(split!);
      this.#writeBook(book!, columns, n, exemptions);
      this.zero(split!, L.SPLIT_BYTES);
      core.sumProfits(book!, split!);
      const totalProfit = fields.u128(L.SPLIT_TOTAL);
      const plan = waterfall(params.loss, params.insuranceFund, totalProfit);
      fields.setU64(L.SPLIT_SOCIALIZED, plan.socialized);
      this.#writeOptions(fields, params, this.#splitOptions);
      core.splitProfits(book!, split!);
      return summarize(plan, totalProfit, fields.u32(L.SPLIT_ELIGIBLE), fields.u64(L.SPLIT_WRITTEN), params.rounding);
    }));
  }

  /**
   * Runs the split by weight on a book (its weights and mask columns exist): sumWeights,
   * the waterfall, capAccounts, shareWeights. Caps are the caps column when `capsGiven`,
   * else the profits (max(profit, 0)). A negative weight or cap is a RangeError naming
   * it, before any haircut is written.
   */
  socializeWeighted(columns: Columns, n: number, params: Params, exemptions: boolean, capsGiven: boolean): SocializeSummary {
    return guard('socialize by weight', () => this.withBlocks([this.#layout.BOOK_BYTES, this.#layout.SPLIT_BYTES], ([book, split]) => {
      const L = this.#layout, core = this.#exports, fields = this.#fields(split!);
      this.#writeBook(book!, columns, n, exemptions, true, capsGiven);
      this.zero(split!, L.SPLIT_BYTES);
      core.sumWeights(book!, split!);
      this.#checkSigns(columns, n, capsGiven, fields.i32(L.SPLIT_NEGATIVE_WEIGHT), fields.i32(L.SPLIT_NEGATIVE_CAP));
      const totalWeight = fields.u128(L.SPLIT_WEIGHT), totalCap = fields.u128(L.SPLIT_TOTAL);
      const plan = waterfall(params.loss, params.insuranceFund, totalCap);
      fields.setU64(L.SPLIT_SOCIALIZED, plan.socialized);
      this.#writeOptions(fields, params, this.#splitOptions);
      core.capAccounts(book!, split!);
      core.shareWeights(book!, split!);
      const summary = summarize(plan, totalCap, fields.u32(L.SPLIT_ELIGIBLE), fields.u64(L.SPLIT_WRITTEN), params.rounding);
      return { ...summary, totalWeight, cappedAccounts: fields.u32(L.SPLIT_CAPPED) };
    }));
  }

  /** Throws the RangeError for the first negative weight, else cap, that the core's sums found (−1: none). */
  #checkSigns(columns: Columns, n: number, capsGiven: boolean, weight: number, cap: number): void {
    if (weight < 0 && cap < 0) return;
    throw negativeColumn(this.int64View(columns.weights, n), capsGiven ? this.int64View(columns.caps, n) : undefined, weight, cap);
  }

  /**
   * The per-unit index delta over `n` positions at `units` (i64), charges into
   * `out` (i64): sumUnits, then indexCharges. RangeError when the units sum to zero
   * or a charge passes 2^63 − 1.
   */
  indexDelta(units: number, out: number, n: number, input: IndexInput): Omit<IndexDeltaResult, 'charges'> {
    const { total: totalUnits } = this.indexShard(units, out, n, input);
    if (totalUnits === 0n) throw zeroUnits();
    const { delta, collected, bad, charge } = this.indexShard(units, out, n, input, totalUnits);
    if (bad >= 0) throw chargeTooLarge(bad, charge);
    return { delta, collected, drift: collected - input.loss, totalUnits };
  }

  /**
   * One shard's phase of an index delta over `n` positions at `units` (i64), charges into
   * `out` (i64): without `total`, sumUnits (Σ|units| here); with the whole book's Σ|units|,
   * indexCharges: δ, Σ charges here, and the first account (−1: none) whose charge passes
   * 2^63 − 1, with that charge.
   */
  indexShard(units: number, out: number, n: number, input: Omit<IndexInput, 'units'>, total?: bigint): {
    total: bigint; delta: bigint; collected: bigint; bad: number; charge: bigint;
  } {
    return guard('indexDelta', () => this.withBlocks([this.#layout.INDEX_BYTES], ([index]) => {
      const L = this.#layout, core = this.#exports, fields = this.#fields(index!);
      this.zero(index!, L.INDEX_BYTES);
      fields.setU32(L.INDEX_UNITS, units);
      fields.setU32(L.INDEX_CHARGES, out);
      fields.setU32(L.INDEX_COUNT, n);
      fields.setU64(L.INDEX_LOSS, input.loss);
      fields.setU64(L.INDEX_SCALE, input.scale);
      fields.setU32(L.INDEX_DELTA_UP, input.rounding === 'up' ? 1 : 0);
      fields.setU32(L.INDEX_CHARGE_UP, input.chargeRounding === 'up' ? 1 : 0);
      if (total === undefined) {
        core.sumUnits(index!);
        return { total: fields.u128(L.INDEX_TOTAL), delta: 0n, collected: 0n, bad: -1, charge: 0n };
      }
      fields.setU64(L.INDEX_TOTAL, total);
      fields.setU64(L.INDEX_TOTAL + 8, total >> 64n);
      core.indexCharges(index!);
      const delta = fields.u128(L.INDEX_DELTA), bad = fields.i32(L.INDEX_BAD);
      let charge = 0n;
      if (bad >= 0) {
        // The charge it would have had, for the message only.
        const size = this.int64View(units, n)[bad]!;
        const product = (size < 0n ? -size : size) * delta;
        charge = input.chargeRounding === 'up' ? (product + input.scale - 1n) / input.scale : product / input.scale;
      }
      return { total, delta, collected: fields.u128(L.INDEX_COLLECTED), bad, charge };
    }));
  }

  /**
   * Runs every pool of a book in shared passes: sumPools, each pool's waterfall, then
   * floorPools, poolBoundaries, raisePools and settlePools. Throws the RangeError naming
   * the first account whose pool index is out of range, before writing anything.
   */
  socializePools(columns: Columns, n: number, pools: Amounts[], options: Options, exemptions: boolean): SocializeSummary[] {
    return guard('socializePools', () => this.#withPools(n, pools, options, false, (book, table) => {
      const L = this.#layout, core = this.#exports;
      this.#writeBook(book, columns, n, exemptions);
      core.sumPools(book, table);
      this.#checkPools(columns, n, pools.length, this.#fields(table).i32(L.POOLS_BAD_POOL));
      const plans = pools.map((amounts, k) => {
        const row = this.#row(table, k);
        const totalProfit = row.u128(L.POOL_TOTAL);
        const plan = waterfall(amounts.loss, amounts.insuranceFund, totalProfit);
        row.setU64(L.POOL_SOCIALIZED, plan.socialized);
        return { plan, totalProfit };
      });
      this.#splitPools(book, table);
      return plans.map(({ plan, totalProfit }, k) => {
        const row = this.#row(table, k);
        return summarize(plan, totalProfit, row.u32(L.POOL_ELIGIBLE), row.u64(L.POOL_WRITTEN), options.rounding);
      });
    }));
  }

  /**
   * Runs every pool of a weighted book: sumWeightedPools, each pool's waterfall, capPools,
   * the pools passes over each pool's R mod W, then finishPools.
   */
  socializePoolsWeighted(
    columns: Columns, n: number, pools: Amounts[], options: Options, exemptions: boolean, capsGiven: boolean,
  ): SocializeSummary[] {
    return guard('socializePools by weight', () => this.#withPools(n, pools, options, true, (book, table) => {
      const L = this.#layout, core = this.#exports, header = this.#fields(table);
      this.#writeBook(book, columns, n, exemptions, true, capsGiven);
      core.sumWeightedPools(book, table);
      this.#checkSigns(columns, n, capsGiven, header.i32(L.POOLS_NEGATIVE_WEIGHT), header.i32(L.POOLS_NEGATIVE_CAP));
      this.#checkPools(columns, n, pools.length, header.i32(L.POOLS_BAD_POOL));
      const plans = pools.map((amounts, k) => {
        const row = this.#row(table, k);
        const totalWeight = row.u128(L.POOL_WEIGHT), totalCap = row.u128(L.POOL_TOTAL);
        const plan = waterfall(amounts.loss, amounts.insuranceFund, totalCap);
        row.setU64(L.POOL_SOCIALIZED, plan.socialized);
        return { plan, totalWeight, totalCap };
      });
      core.capPools(book, table);
      this.#splitPools(book, table);
      core.finishPools(book, table);
      return plans.map(({ plan, totalWeight, totalCap }, k) => {
        const row = this.#row(table, k);
        const summary = summarize(plan, totalCap, row.u32(L.POOL_ELIGIBLE), row.u64(L.POOL_WRITTEN), options.rounding);
        return { ...summary, totalWeight, cappedAccounts: row.u32(L.POOL_CAPPED) };
      });
    }));
  }

  /**
   * Opens one shard's call over a book (a sharded book's shard, src/parallel/shard.ts):
   * the phases one at a time, as the coordinator's messages ask for them, with the
   * call's records kept until `close()`. The pools phases (`count` pools) when `pooled`
   * (the book's pool column) or `weighted` (its weights and mask; without pools every
   * account in pool 0, the pool column then zeros in the candidates scratch, which these
   * phases leave alone: the list takes at most its first 4·n bytes, the bucket bytes its
   * last n); else the plain split's phases.
   */
  openShard(columns: Columns, n: number, count: number, options: Options, mode: ShardMode): ShardCall {
    const L = this.#layout, core = this.#exports, heap = this.#heap, buckets = L.POOL_BUCKETS;
    const { exemptions, weighted, capsGiven } = mode, pools = mode.pooled || weighted;
    const tableBytes = L.POOLS_HEADER_BYTES + count * L.POOL_ROW_BYTES;
    // Blocks: book, record, scratch (pools) or sample (plain), cuts, ends, histograms, levels, counts, a digit's histogram and its spans.
    const sizes = [
      L.BOOK_BYTES, pools ? tableBytes : L.SPLIT_BYTES,
      // The pools' scratch, which also holds a sample of weights (16 bytes each) before the floors; or the plain sample.
      pools ? Math.max(Number(core.poolScratchBytes(count, n, 0)), 16 * L.SHARD_SAMPLE) : 8 * (L.SHARD_SAMPLE + 4),
      4 * count, 4 * count, 4 * (buckets + 1) * count, LEVEL_BYTES * Math.max(2, count), COUNT_BYTES * count, 4 * buckets, 32 * buckets,
    ];
    const taken = heap.allocAll(sizes);
    const [book, record, scratch, cuts, ends, histograms, levels, counts, hist, spans] = taken as [
      number, number, number, number, number, number, number, number, number, number,
    ];
    const fields = this.#fields(record);
    this.zero(record, pools ? tableBytes : L.SPLIT_BYTES);
    if (pools) {
      fields.setU32(L.POOLS_COUNT, count);
      fields.setU32(L.POOLS_SCRATCH, scratch);
      this.#writeOptions(fields, options, { rounding: L.POOLS_ROUNDING, seeded: L.POOLS_SEEDED, seed: L.POOLS_SEED });
    } else {
      this.#writeOptions(fields, options, this.#splitOptions);
    }
    const pool = mode.pooled ? columns.pool : columns.candidates + 4 * n;
    if (pools && !mode.pooled) this.zero(pool, 4 * n);
    this.#writeBook(book, { ...columns, pool }, n, exemptions, weighted, capsGiven);
    const list = columns.candidates, seed = options.tieSeed ?? 0n;
    // The plain pass lists (key, index) entries; raiseShard lists indices.
    const keyed = pools ? 0 : 1, stride = pools ? 4 : L.CANDIDATE_BYTES, flag = weighted ? 1 : 0;
    /** Each pool's run of the boundary list (where it begins, how many it holds), and the S and P its digits are of. */
    const begins = new Array<number>(count).fill(0), listed = new Array<number>(count).fill(0);
    let socialized: readonly bigint[] = [], totals: readonly bigint[] = [];
    const run = (k: number): number => list + stride * begins[k]!;
    const digits = (k: number): [bigint, bigint, bigint] => [socialized[k]!, BigInt.asUintN(64, totals[k]!), totals[k]! >> 64n];
    const setSplit = (S: bigint, P: bigint) => {
      fields.setU64(L.SPLIT_SOCIALIZED, S);
      fields.setU64(L.SPLIT_TOTAL, P);
      fields.setU64(L.SPLIT_TOTAL + 8, P >> 64n);
    };
    const writeLevels = (given: readonly Level[]) => {
      const view = new DataView(this.buffer, levels, LEVEL_BYTES * given.length);
      given.forEach(({ R, W, active }, k) => {
        view.setBigUint64(k * LEVEL_BYTES, R, true);
        view.setBigUint64(k * LEVEL_BYTES + 8, BigInt.asUintN(64, W), true);
        view.setBigUint64(k * LEVEL_BYTES + 16, W >> 64n, true);
        view.setBigUint64(k * LEVEL_BYTES + 24, active ? 1n : 0n, true);
      });
    };
    /** Pool k's counts of a capped-set round: |C|, eligible, Σ_C caps, Σ_C weights. */
    const countsAt = (k: number) => {
      const view = new DataView(this.buffer, counts + k * COUNT_BYTES, COUNT_BYTES);
      const u128 = (at: number) => (view.getBigUint64(at + 8, true) << 64n) | view.getBigUint64(at, true);
      return { capped: view.getUint32(0, true), eligible: view.getUint32(4, true), caps: u128(8), weights: u128(24) };
    };
    const spanAt = (at: number) => {
      const view = new BigUint64Array(this.buffer, at, 4);
      return { first: (view[1]! << 64n) | view[0]!, vary: (view[3]! << 64n) | view[2]! };
    };
    let open = true;
    return {
      sums: () => {
        if (!pools) {
          core.sumProfits(book, record);
          return { bad: -1, negativeWeight: -1, negativeCap: -1, totals: [fields.u128(L.SPLIT_TOTAL)], weights: null, eligible: [fields.u32(L.SPLIT_ELIGIBLE)] };
        }
        if (weighted && !mode.pooled) core.sumWeightedOne(book, record);
        else if (weighted) core.sumWeightedPools(book, record);
        else core.sumPools(book, record);
        const of = (field: number) => Array.from({ length: count }, (_, k) => this.#row(record, k).u128(field));
        const negativeWeight = weighted ? fields.i32(L.POOLS_NEGATIVE_WEIGHT) : -1, negativeCap = weighted ? fields.i32(L.POOLS_NEGATIVE_CAP) : -1;
        return {
          bad: fields.i32(L.POOLS_BAD_POOL), negativeWeight, negativeCap, totals: of(L.POOL_TOTAL), weights: weighted ? of(L.POOL_WEIGHT) : null, eligible: null,
        };
      },
      sample: (S, P) => {
        setSplit(S, P);
        const keys = core.sampleShard(book, record, scratch) >>> 0;
        const view = new BigUint64Array(this.buffer, scratch, keys + 4);
        return { top: view[0]!, sum: (view[2]! << 64n) | view[1]!, shift: Number(view[3]!), keys: view.slice(4) };
      },
      cap: (given) => {
        writeLevels(given);
        core.capShard(book, record, levels, counts);
        return given.map((_, k) => countsAt(k));
      },
      sampleWeights: () => {
        const pairs = core.sampleWeights(book, scratch) >>> 0;
        return new BigUint64Array(this.buffer, scratch, 2 * pairs).slice();
      },
      capBand: (lo, hi) => {
        writeLevels([lo, hi]);
        listed[0] = core.capBand(book, levels, counts, list) >>> 0;
        return { ...countsAt(0), listed: listed[0] };
      },
      capListed: (level) => {
        writeLevels([level]);
        core.capListed(book, list, listed[0]!, levels, counts);
        return countsAt(0);
      },
      level: (given) => {
        writeLevels(given);
        core.levelShard(record, levels);
        return given.map((_, k) => ({ whole: this.#row(record, k).u64(L.POOL_WHOLE), part: this.#row(record, k).u64(L.POOL_PART) }));
      },
      floors: (S, P, band) => {
        socialized = S;
        totals = P;
        if (!pools) {
          setSplit(S[0]!, P[0]!);
          listed[0] = core.floorShard(book, record, band[0], band[1]) >>> 0;
          return { written: [fields.u64(L.SPLIT_WRITTEN)], histograms: null, shifts: null, eligible: null, listed: listed.slice() };
        }
        // Split by weight the rows hold their level (levelShard): floorPools shares PART over W.
        for (let k = 0; k < count && !weighted; k++) {
          const row = this.#row(record, k);
          row.setU64(L.POOL_SOCIALIZED, S[k]!);
          row.setU64(L.POOL_TOTAL, P[k]!);
          row.setU64(L.POOL_TOTAL + 8, P[k]! >> 64n);
        }
        core.floorPools(book, record);
        const written = Array.from({ length: count }, (_, k) => this.#row(record, k).u64(L.POOL_WRITTEN));
        if (fields.u32(L.POOLS_COUNTED) === 0) {
          return {
            written, histograms: null, shifts: null, eligible: Array.from({ length: count }, (_, k) => this.#row(record, k).u32(L.POOL_ELIGIBLE)), listed: null,
          };
        }
        core.shardHistograms(record, histograms);
        const shifts = [...this.uint32View(histograms + 4 * buckets * count, count)];
        return { written, histograms: this.uint32View(histograms, buckets * count).slice(), shifts, eligible: null, listed: null };
      },
      raise: (given) => {
        this.uint32View(cuts, count).set(given);
        core.raiseShard(book, record, cuts, list, ends);
        const endsOf = this.uint32View(ends, count);
        for (let k = 0, begin = 0; k < count; k++) {
          begins[k] = begin;
          listed[k] = endsOf[k]! - begin;
          begin = endsOf[k]!;
        }
        return listed.slice();
      },
      listed: (k) => listed[k]!,
      span: (k, field, start) => {
        const [S, Plo, Phi] = digits(k);
        core.spanDigits(book, run(k), keyed, listed[k]!, S, Plo, Phi, flag, field, seed, start, hist);
        return spanAt(hist);
      },
      count: (k, field, pos, start, withSpans, into) => {
        const [S, Plo, Phi] = digits(k);
        core.countDigits(book, run(k), keyed, listed[k]!, S, Plo, Phi, flag, field, pos, seed, start, hist, withSpans ? spans : 0);
        const digitCounts = into ?? new Uint32Array(buckets);
        digitCounts.set(this.uint32View(hist, buckets));
        return withSpans ? { counts: digitCounts, spans: new BigUint64Array(this.buffer, spans, 4 * buckets).slice() } : { counts: digitCounts };
      },
      settle: (k, field, pos, start, digit, give) => {
        const [S, Plo, Phi] = digits(k);
        core.settleDigit(book, run(k), keyed, listed[k]!, S, Plo, Phi, flag, field, pos, seed, start, digit, give);
        listed[k] = 0;
      },
      keep: (k, field, pos, start, digit, takeEqual) => {
        const [S, Plo, Phi] = digits(k);
        listed[k] = core.keepDigit(book, run(k), keyed, listed[k]!, S, Plo, Phi, flag, field, pos, seed, start, digit, takeEqual ? 1 : 0, hist) >>> 0;
        return spanAt(hist);
      },
      give: (k, need) => {
        if (need > listed[k]!) throw stateError('ERR_INTERNAL', `pool ${k}: ${need} units for ${listed[k]} listed accounts`);
        core.giveFirst(book, run(k), keyed, need);
        listed[k] = 0;
      },
      finish: () => {
        if (weighted) core.finishShard(book, record);
      },
      close: () => {
        if (!open) return;
        open = false;
        for (const pointer of taken) heap.free(pointer);
      },
    };
  }

  /** The pools phases after each pool's S is known: floors and histograms, boundaries, units above them, settling. */
  #splitPools(book: number, table: number): void {
    const core = this.#exports;
    core.floorPools(book, table);
    core.poolBoundaries(table);
    core.raisePools(book, table);
    core.settlePools(book, table);
  }

  /** Throws the RangeError for the first account whose pool index the core found out of range (−1: none). */
  #checkPools(columns: Columns, n: number, count: number, bad: number): void {
    if (bad >= 0) throw poolOutOfRange(bad, this.uint32View(columns.pool, n)[bad]!, count);
  }

  /** Pool k's row of the pools record at `table`. */
  #row(table: number, k: number): Fields {
    const L = this.#layout;
    return this.#fields(table + L.POOLS_HEADER_BYTES + k * L.POOL_ROW_BYTES);
  }

  /** Allocates a book record, a pools record (header filled) and its scratch, runs `task` and frees them. */
  #withPools<T>(n: number, pools: Amounts[], options: Options, weighted: boolean, task: (book: number, table: number) => T): T {
    const L = this.#layout, count = pools.length;
    const tableBytes = L.POOLS_HEADER_BYTES + count * L.POOL_ROW_BYTES;
    // A u64 (past 4 GiB for millions of pools): exact as a Number, and the allocator's ERR_MEMORY when too big.
    const scratchBytes = Number(this.#exports.poolScratchBytes(count, n, weighted ? 1 : 0));
    return this.withBlocks([L.BOOK_BYTES, tableBytes, scratchBytes], ([book, table, scratch]) => {
      this.zero(table!, tableBytes);
      const header = this.#fields(table!);
      header.setU32(L.POOLS_COUNT, count);
      header.setU32(L.POOLS_SCRATCH, scratch!);
      this.#writeOptions(header, options, { rounding: L.POOLS_ROUNDING, seeded: L.POOLS_SEEDED, seed: L.POOLS_SEED });
      return task(book!, table!);
    });
  }
}
