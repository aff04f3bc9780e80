// One sharded call's parts as the coordinator and its checks see them: each shard's
// link, book and range, and what the call runs. Apart from coordinator.ts so that the
// checks (agree.ts, band.ts) and the coordinator depend on it, not on each other.

import type { ColumnViews } from '../book.js';
import type { ShardMode } from '../core.js';
import type { Link } from './link.js';

/** One shard's part of a call: its link, the book it holds, and its range. */
export interface CallShard {
  link: Link;
  book: number;
  /** The shard's first global index. */
  start: number;
  /** How many accounts it holds. */
  length: number;
  /** Its views of the book's columns (in its shared memory, or the coordinator's copies): what an error names is read back from them. */
  views: Pick<ColumnViews, 'pool' | 'weights' | 'caps'>;
}

/** What a call runs: pools, exemptions, by weight, caps (as each shard's `Core.openShard` takes it). */
export type CallMode = ShardMode;
