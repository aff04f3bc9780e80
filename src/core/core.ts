// The `Core`: one instance of the WebAssembly core with its own memory (memory.ts) and the
// splits the wrapper runs on it, each delegated to its driver: plain.ts, weights.ts,
// pools.ts, index-delta.ts, queue.ts, measures.ts and shard.ts (assembly/index.ts lists the
// phases, assembly/layout.ts the records). Loading is load.ts's.
// Invariant: nothing here decides a unit; the core computes every haircut and every total
// of haircuts, the wrapper runs the waterfall (policy) and turns records into summaries.

import type { DeleverageSummary, IndexDeltaResult, SocializeSummary } from '../types.js';
import type { Amounts, IndexInput, Options, Params } from '../validate.js';
import type { CoreExports } from '../wasm/exports.js';
import { indexDelta, indexShard, type IndexShardResult } from './index-delta.js';
import { instantiateCore, instantiateCoreSync, type Build, type Variant } from './load.js';
import { measureAt, measureOnCore, type MeasureAddresses, type MeasureColumnsIn, type MeasureFigures } from './measures.js';
import { CoreMemory, type Columns } from './memory.js';
import { socializePlain } from './plain.js';
import { deleverageOnCore, deleveragePoolsOnCore, runQueue, type QueueAddresses, type QueueColumnsIn } from './queue.js';
import { socializePools, socializePoolsWeighted } from './pools.js';
import { openShard, type ShardCall, type ShardMode } from './shard.js';
import { socializeWeighted } from './weights.js';

/** One instance of the core with its own memory. */
export class Core extends CoreMemory {
  private constructor(exports: CoreExports) {
    super(exports);
  }

  /**
   * Instantiates a fresh core of the given build (`shared`: over a new shared memory of
   * up to 4 GiB, or `maximumPages` of 64 KiB). ERR_UNSUPPORTED when this runtime cannot compile or instantiate it,
   * ERR_MEMORY when it cannot give it its memory.
   */
  static async load(variant: Build, maximumPages = 65_536): Promise<Core> {
    return new Core(await instantiateCore(variant, maximumPages));
  }

  /**
   * Instantiates a fresh core of the SIMD or scalar build at once, with no wait (an account
   * table's core, whose memory a run's engine then shares). ERR_UNSUPPORTED as `load`.
   */
  static now(variant: Variant): Core {
    return new Core(instantiateCoreSync(variant));
  }

  /** The plain split on a book (plain.ts: `socializePlain`). */
  socialize(columns: Columns, n: number, params: Params, exemptions: boolean): SocializeSummary {
    return socializePlain(this, columns, n, params, exemptions);
  }

  /** The split by weight on a book (weights.ts: `socializeWeighted`). */
  socializeWeighted(columns: Columns, n: number, params: Params, exemptions: boolean, capsGiven: boolean): SocializeSummary {
    return socializeWeighted(this, columns, n, params, exemptions, capsGiven);
  }

  /** Every pool of a book in shared passes (pools.ts: `socializePools`). */
  socializePools(columns: Columns, n: number, pools: Amounts[], options: Options, exemptions: boolean): SocializeSummary[] {
    return socializePools(this, columns, n, pools, options, exemptions);
  }

  /** Every pool of a weighted book (pools.ts: `socializePoolsWeighted`). */
  socializePoolsWeighted(
    columns: Columns, n: number, pools: Amounts[], options: Options, exemptions: boolean, capsGiven: boolean,
  ): SocializeSummary[] {
    return socializePoolsWeighted(this, columns, n, pools, options, exemptions, capsGiven);
  }

  /** The index delta over `n` positions at `units`, charges into `out` (index-delta.ts: `indexDelta`). */
  indexDelta(units: number, out: number, n: number, input: IndexInput): Omit<IndexDeltaResult, 'charges'> {
    return indexDelta(this, units, out, n, input);
  }

  /** One shard's phase of an index delta (index-delta.ts: `indexShard`). */
  indexShard(units: number, out: number, n: number, input: Omit<IndexInput, 'units'>, total?: bigint): IndexShardResult {
    return indexShard(this, units, out, n, input, total);
  }

  /** The auto-deleveraging queue over `n` accounts' columns, copied in (queue.ts: `deleverageOnCore`). */
  deleverage(columns: QueueColumnsIn, n: number, amounts: Amounts, tieSeed: bigint | undefined): DeleverageSummary & { haircuts: BigInt64Array } {
    return deleverageOnCore(this, columns, n, amounts, tieSeed);
  }

  /** One queue per pool over `n` accounts' columns, copied in (queue.ts: `deleveragePoolsOnCore`). */
  deleveragePools(
    columns: QueueColumnsIn, pool: Uint32Array, n: number, pools: readonly Amounts[], tieSeed: bigint | undefined,
  ): { haircuts: BigInt64Array; pools: DeleverageSummary[] } {
    return deleveragePoolsOnCore(this, columns, pool, n, pools, tieSeed);
  }

  /** The queue over a book's own columns at `at` (queue.ts: `runQueue`). */
  deleverageBook(at: QueueAddresses, n: number, amounts: Amounts, tieSeed: bigint | undefined): DeleverageSummary {
    return runQueue(this, at, n, amounts, tieSeed);
  }

  /** The measures of `n` accounts' haircuts, their columns copied in (measures.ts: `measureOnCore`). */
  measureHaircuts(columns: MeasureColumnsIn, n: number, pools: number): MeasureFigures[] {
    return measureOnCore(this, columns, n, pools);
  }

  /** The measures over a book's own columns at `at` (measures.ts: `measureAt`). */
  measureBook(at: MeasureAddresses, n: number, pools: number): MeasureFigures[] {
    return measureAt(this, at, n, pools);
  }

  /** Opens one shard's call over a book, its phases one at a time (shard.ts: `openShard`). */
  openShard(columns: Columns, n: number, count: number, options: Options, mode: ShardMode): ShardCall {
    return openShard(this, columns, n, count, options, mode);
  }
}
