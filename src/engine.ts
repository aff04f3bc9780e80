// The public engine: `loadEngine`, `engine.socialize` (copy in, copy out) and
// `engine.createBook` (zero-copy). Inputs are read and checked by validate.ts, once;
// the arithmetic happens in the core.

import { Book } from './book.js';
import { Core, MAX_ACCOUNTS, VARIANTS, simdSupported, type Columns, type QueueColumnsIn, type Variant } from './core.js';
import { rangeError, typeError } from './errors.js';
import { checkKeys, OPTION_KEYS } from './option-keys.js';
import { badLot, checkPoolColumn, readDeleverageContainers, readDeleveragePoolsContainers, type QueueContainers } from './deleverage-input.js';
import { measuresOfFigures, type MeasuresResult } from './measures.js';
import { readMeasureContainers, type MeasureInput } from './measures-input.js';
import { readPoolsInput } from './pools-input.js';
import type {
  DeleverageInput, DeleveragePoolsInput, DeleveragePoolsResult, DeleverageResult, IndexDeltaInput, IndexDeltaResult, Profits, SocializeInput, SocializePoolsInput, SocializePoolsResult, SocializeResult,
} from './types.js';
import {
  checkColumnsRead, checkLength, checkNonNegative, checkStillSized, readIndexInput, readInput, readWeightColumns, toInt64Column,
} from './validate.js';

/** A call's columns as the caller gave them (checked as containers, of the right lengths). */
interface ColumnInputs {
  profits: Profits;
  exempt?: Uint8Array | undefined;
  pool?: Uint32Array | undefined;
  weights?: Profits | undefined;
  caps?: Profits | undefined;
}

/** A call's columns read into values no code of the caller's can change: what `#withColumns` copies into engine memory. */
interface ReadColumns {
  profits: BigInt64Array;
  exempt: Uint8Array | undefined;
  pool: Uint32Array | undefined;
  weights: BigInt64Array | undefined;
  caps: BigInt64Array | undefined;
}

/** Options of `loadEngine`. */
export interface LoadOptions {
  /**
   * The core build: by default `'simd'` where WebAssembly SIMD runs, else
   * `'scalar'`; `'debug-simd'` and `'debug-scalar'` check the kernels'
   * invariants at run time. Every variant gives the same results bit for bit.
   */
  variant?: Variant | undefined;
}

/** A WebAssembly socialization engine: one core instance and its memory. Made by `loadEngine`. */
export class Engine {
  /** The most accounts one book or one `socialize` call may hold. */
  readonly capacity: number = MAX_ACCOUNTS;
  /** The core build this engine runs. */
  readonly variant: Variant;
  readonly #core: Core;

  /** @internal Engines are made by `loadEngine`. */
  constructor(core: Core, variant: Variant) {
    this.#core = core;
    this.variant = variant;
  }

  /** The engine memory's current size in bytes: it grows to fit the largest books and calls, and is reused. */
  get memoryBytes(): number {
    return this.#core.memoryBytes;
  }

  /**
   * Socializes `loss` over `profits`: the insurance fund pays first, the rest
   * is taken from positive profits pro rata by the largest-remainder method
   * (ties to the lower index), and what all profits cannot cover is
   * `uncovered`. Exact for every valid input; inputs are never modified.
   * Throws TypeError / RangeError naming the bad field (and index) before anything is computed.
   */
  socialize(input: SocializeInput): SocializeResult {
    // The parameters are read with the columns (not split off by a rest pattern, which costs more than a small call).
    const params = readInput(input);
    const { profits, exempt, weights, caps } = params;
    const n = checkLength(profits.length, 'profits.length', MAX_ACCOUNTS);
    return this.#withColumns(n, this.#read(n, { profits, exempt, weights, caps }), (columns) => {
      const summary = weights === undefined
        ? this.#core.socialize(columns, n, params, exempt !== undefined)
        : this.#core.socializeWeighted(columns, n, params, exempt !== undefined, caps !== undefined);
      return { haircuts: this.#core.int64View(columns.haircuts, n).slice(), ...summary };
    });
  }

  /**
   * A per-unit index delta for lazy socialization: `delta` = ceil (or floor with
   * `rounding: 'down'`) of loss × scale / Σ|units|, each account's `charges[i]` =
   * ceil (or floor with `chargeRounding: 'down'`) of |units[i]| × delta / scale as
   * the protocol would apply it, `collected` = Σ charges and `drift` = collected − loss,
   * all exact. Units that sum to zero are a RangeError (there is nothing to charge).
   *
   * @example
   * engine.indexDelta({ loss: 100n, units: [3n, -3n, 1n], scale: 1000n })
   * // { delta: 14286n, charges: [43n, 43n, 15n], collected: 101n, drift: 1n, totalUnits: 7n }
   */
  indexDelta(input: IndexDeltaInput): IndexDeltaResult {
    const parsed = readIndexInput(input);
    const n = checkLength(parsed.units.length, 'units.length', MAX_ACCOUNTS);
    const units = toInt64Column(this.#own(parsed.units), 'units', n);
    checkStillSized(units, 'units', n);
    return this.#core.withBlocks([8 * n, 8 * n], ([column, out]) => {
      this.#core.int64View(column, n).set(units);
      const result = this.#core.indexDelta(column, out, n, parsed);
      return { ...result, charges: this.#core.int64View(out, n).slice() };
    });
  }

  /**
   * Socializes several pools in one call (per currency, per market): `pool[i]` is
   * account i's index into `pools`, each `{ loss, insuranceFund? }`. Each pool's
   * summary is exactly what `socialize` returns for that pool's accounts alone,
   * with ties decided by each account's index in the whole book; `rounding`,
   * `tieSeed` and `exempt` apply to every pool. A pool index out of range is a
   * RangeError naming the account.
   */
  socializePools(input: SocializePoolsInput): SocializePoolsResult {
    const { profits, pool, pools, options, exempt, weights, caps } = readPoolsInput(input);
    const n = checkLength(profits.length, 'profits.length', MAX_ACCOUNTS);
    return this.#withColumns(n, this.#read(n, { profits, exempt, pool, weights, caps }), (columns) => {
      const summaries = weights === undefined
        ? this.#core.socializePools(columns, n, pools, options, exempt !== undefined)
        : this.#core.socializePoolsWeighted(columns, n, pools, options, exempt !== undefined, caps !== undefined);
      return { haircuts: this.#core.int64View(columns.haircuts, n).slice(), pools: summaries };
    });
  }

  /**
   * The auto-deleveraging queue: the accounts that may pay (not exempt, capacity > 0;
   * capacities default to max(profit, 0)) in descending score (equal scores by ascending
   * `splitmix64(tieSeed XOR index)` when seeded, then the lower index), each paying
   * `min(c, ℓ·⌈min(c, need)/ℓ⌉)` (lots default to 1) until `loss − min(loss, insuranceFund)`
   * is covered. Exactly `deleverageReference`; inputs are never modified. The last payer is
   * found by a selection weighted by capacity, not by sorting the book.
   *
   * @example
   * engine.deleverage({ loss: 70n, profits: [50n, 40n, 30n], scores: [1n, 3n, 2n] }).haircuts
   * // BigInt64Array [0n, 40n, 30n]
   */
  deleverage(input: DeleverageInput): DeleverageResult {
    const queue = readDeleverageContainers(input);
    const n = checkLength(queue.profits.length, 'profits.length', MAX_ACCOUNTS);
    const columns = this.#readQueue(queue, n);
    const { haircuts, ...summary } = this.#core.deleverage(columns, n, queue, queue.tieSeed);
    return { haircuts, ...summary };
  }

  /**
   * One auto-deleveraging queue per pool (`pool[i]` is account i's index into `pools`, each
   * `{ loss, insuranceFund? }`): each pool's queue over its own accounts, exactly
   * `deleveragePoolsReference`; scores, capacities, lots, exempt and the tie seed (by index
   * in the whole book) as for `deleverage`.
   *
   * @example
   * engine.deleveragePools({ profits: [10n, 20n], pool: Uint32Array.from([0, 1]), pools: [{ loss: 5n }, { loss: 5n }], scores: [0n, 0n] }).haircuts
   * // BigInt64Array [5n, 5n]
   */
  deleveragePools(input: DeleveragePoolsInput): DeleveragePoolsResult {
    const queue = readDeleveragePoolsContainers(input);
    const n = checkLength(queue.profits.length, 'profits.length', MAX_ACCOUNTS);
    const columns = this.#readQueue(queue, n);
    // The reference reads every lot before the pool column: so is a lot not above 0 named first.
    const bad = columns.lots?.findIndex((lot) => lot <= 0n) ?? -1;
    if (bad >= 0) throw badLot(bad, columns.lots![bad]!);
    const pool = this.#own(checkPoolColumn(queue.pool, n, queue.pools.length));
    checkStillSized(pool, 'pool', n);
    return this.#core.deleveragePools(columns, pool, n, queue.pools, queue.tieSeed);
  }

  /**
   * The measures of a haircut vector, exactly `measureHaircuts` (the same input, checks,
   * errors and result), computed in the core: the accounts' haircuts above 0 sorted by
   * radix within buckets of their leading bits, the tenths and the top 1 % by capacity found
   * by counting, without sorting the book. Inputs are never modified.
   *
   * @example
   * engine.measureHaircuts({ haircuts: [0n, 40n, 30n], capacities: [50n, 40n, 30n], loss: 70n }).gini
   * // { fraction: '8/21', decimal: '0.380952380952' }
   */
  measureHaircuts(input: MeasureInput): MeasuresResult {
    const read = readMeasureContainers(input);
    const n = checkLength(read.haircuts.length, 'haircuts.length', MAX_ACCOUNTS);
    // As #readQueue: own views first, then every element read and checked in the reference's order.
    const own = {
      haircuts: this.#own(read.haircuts), capacities: read.capacities && this.#own(read.capacities), profits: read.profits && this.#own(read.profits),
      exempt: read.exempt && this.#own(read.exempt), pool: read.pool && this.#own(read.pool),
    };
    const haircuts = toInt64Column(own.haircuts, 'haircuts', n);
    const capacities = own.capacities && toInt64Column(own.capacities, 'capacities', n, true);
    if (capacities !== undefined && capacities === own.capacities) checkNonNegative(capacities, 'capacities');
    const columns = { haircuts, capacities, profits: own.profits && toInt64Column(own.profits, 'profits', n), exempt: own.exempt, pool: own.pool };
    checkColumnsRead({ ...columns }, n);
    return measuresOfFigures(this.#core.measureHaircuts(columns, n, read.pools?.length ?? 0), read);
  }

  /**
   * Reads a queue's columns of `n` entries (as `#read` does: own views first, then every
   * element checked, in the reference's order: profits, scores, capacities ≥ 0, lots).
   */
  #readQueue(queue: QueueContainers, n: number): QueueColumnsIn {
    const own = {
      profits: this.#own(queue.profits), scores: this.#own(queue.scores), capacities: queue.capacities && this.#own(queue.capacities),
      lots: queue.lots && this.#own(queue.lots), exempt: queue.exempt && this.#own(queue.exempt),
    };
    const profits = toInt64Column(own.profits, 'profits', n);
    const scores = toInt64Column(own.scores, 'scores', n);
    const capacities = own.capacities && toInt64Column(own.capacities, 'capacities', n, true);
    if (capacities !== undefined && capacities === own.capacities) checkNonNegative(capacities, 'capacities');
    const lots = own.lots && toInt64Column(own.lots, 'lots', n);
    const columns = { profits, scores, capacities, lots, exempt: own.exempt };
    checkColumnsRead({ ...columns }, n);
    return columns;
  }

  /** A snapshot of a view into this engine's own memory (a book's), which allocating would detach; others as they are. */
  #own<V extends ArrayLike<unknown>>(view: V): V {
    return this.#core.snapshot(view);
  }

  /**
   * Reads a call's columns of `n` entries into values that no code of the caller's can
   * change, before anything is allocated: views of this engine's memory are copied
   * (allocating would detach them), other arrays read element by element and checked
   * (signs included) into fresh BigInt64Arrays, once. A getter that calls back into the
   * engine runs here, and cannot change what the kernel sees; a typed column it
   * detached or resized is an error. BigInt64Arrays are taken as they are (no scan):
   * their signs are the core's first pass's.
   */
  #read(n: number, inputs: ColumnInputs): ReadColumns {
    const { profits, exempt, pool, weights, caps } = inputs;
    // Own views first: a getter of a later column may grow the memory and detach them.
    const own = {
      profits: this.#own(profits), exempt: exempt && this.#own(exempt), pool: pool && this.#own(pool),
      weights: weights && this.#own(weights), caps: caps && this.#own(caps),
    };
    const read: ReadColumns = {
      profits: toInt64Column(own.profits, 'profits', n), exempt: own.exempt, pool: own.pool,
      ...readWeightColumns(own.weights, own.caps, n),
    };
    checkColumnsRead({ ...read }, n);
    return read;
  }

  /** Copies the columns read by `#read` into fresh columns of engine memory, runs `task` on them and frees them. */
  #withColumns<T>(n: number, sources: ReadColumns, task: (columns: Columns) => T): T {
    const columns = this.#core.allocColumns(n);
    try {
      // From here on no code of the caller's runs: every copy is one typed-array `set`.
      this.#core.int64View(columns.profits, n).set(sources.profits);
      if (sources.exempt) this.#core.byteView(columns.exempt, n).set(sources.exempt);
      if (sources.pool) {
        this.#core.ensureColumn(columns, n, 'pool');
        this.#core.uint32View(columns.pool, n).set(sources.pool);
      }
      if (sources.weights) {
        this.#core.ensureColumn(columns, n, 'weights');
        this.#core.int64View(columns.weights, n).set(sources.weights);
      }
      if (sources.caps) {
        this.#core.ensureColumn(columns, n, 'caps');
        this.#core.int64View(columns.caps, n).set(sources.caps);
      }
      return task(columns);
    } finally {
      this.#core.freeColumns(columns);
    }
  }

  /**
   * Allocates a zero-copy book of `length` accounts in engine memory (29 bytes
   * per account; 4 more once its `pool` view is used), all columns zeroed.
   * RangeError when `length` is negative, fractional or above `capacity`, or
   * when memory runs out.
   */
  createBook(length: number): Book {
    const n = checkLength(length, 'book length', MAX_ACCOUNTS);
    return new Book(this.#core, this.#core.allocColumns(n), n);
  }
}

/**
 * Compiles (once per process) and instantiates the WebAssembly core. Each call
 * returns a new engine with its own memory; all engines give identical results.
 * Rejects with ERR_INVALID_OPTION for an unknown variant, ERR_UNSUPPORTED when this
 * runtime cannot compile or instantiate it.
 *
 * @example
 * const engine = await loadEngine();
 * const r = engine.socialize({ loss: 1_000n, insuranceFund: 250n, profits: [900n, 100n, -50n] });
 * r.haircuts; // BigInt64Array [675n, 75n, 0n]
 */
export async function loadEngine(options: LoadOptions = {}): Promise<Engine> {
  if (typeof options !== 'object' || options === null) {
    throw typeError('ERR_INVALID_TYPE', `options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  checkKeys(options, OPTION_KEYS.loadEngine);
  const variant = options.variant ?? (simdSupported() ? 'simd' : 'scalar');
  if (!VARIANTS.includes(variant)) {
    throw rangeError('ERR_INVALID_OPTION', `variant must be one of ${VARIANTS.map((v) => `'${v}'`).join(', ')}, got ${String(variant)}`);
  }
  return new Engine(await Core.load(variant), variant);
}
