// The core as the rest of the wrapper imports it: one instance (`Core`), its builds, its
// memory's columns, and a shard's call. The parts live in src/core/, by concern: load.ts
// (builds, bytes, compiling), memory.ts (blocks, columns, views, records), core.ts (the
// `Core`), one driver per split (plain.ts, weights.ts, pools.ts, index-delta.ts, queue.ts,
// shard.ts) and for the measures (measures.ts), layout.ts (the core's layout, read from the
// module) and summary.ts.

export { Core } from './core/core.js';
export type { IndexShardResult } from './core/index-delta.js';
export { coreBytes, simdSupported, VARIANTS, type Build, type Variant } from './core/load.js';
export { MAX_ACCOUNTS, type Columns, type MemoryLike, type OptionalColumn } from './core/memory.js';
export type { Level, ShardCall, ShardMode } from './core/shard.js';
export type { QueueColumnsIn } from './core/queue.js';
export type { MeasureFigures, TenthFigures } from './core/measures.js';
