// The shard protocol: the plain-data messages between a sharded engine's coordinator
// (coordinator.ts) and its shards (shard.ts), over any transport that carries
// structured-clone data (worker threads, Web Workers, a child process's IPC channel
// with `serialization: 'advanced'`, or a socket with a serializer of your own).
//
// Each shard holds the accounts [start, end) of every sharded book in its own engine;
// the coordinator holds nothing but the call's parameters and a few numbers per pool.
// One call (`socialize`, `socializePools`) is these phases, each one message to every
// shard and one reply from each (the single engine's phases, assembly/index.ts):
//   1. `sums`    → each pool's Σ eligible profits here, and the first bad pool index here;
//      the coordinator adds them up (the first bad index in global terms is an error)
//      and runs each pool's waterfall: S for every pool.
//   2. Pools: `floors` (every pool's S and whole-book total) → each account's exact floor
//      (or ceiling) written, Σ floors per pool here, and (largest remainder) each
//      pool's 256-bucket histogram of remainders: the buckets depend only on S and the
//      total, so the coordinator adds them up, finds each pool's boundary bucket and how
//      many units it must still give (`need`), exactly as one engine does; then `raise`
//      (each pool's cut and boundary bucket) → one more unit to every account above the
//      cut, the accounts of the boundary bucket listed.
//      Plain (one pool, largest remainder): `sample` → up to 16,384 keys per shard, from
//      which the coordinator predicts a band of keys that holds the boundary (as one
//      engine's sample does, with a margin of 4·√(keys) ranks either side); `floors` with the band → floors, one more unit above the band, the
//      band's accounts listed, and how many of each. The coordinator checks the band
//      against the exact counts and, when it missed, runs `floors` again with the
//      whole range: the answer never depends on the sample, only the time does.
//      By weight, before the floors: `cap` rounds find each pool's capped set C from
//      the shards' counts and sums at a level R/W (from C = ∅, each round's C the
//      accounts with cap·W < R·w; it only grows, and stops at the one engine's C), then
//      `level` gives every shard the final levels, whose R mod W the floors share; the
//      boundary as for pools; then `finish` (caps, and ⌊R/W⌋·w added). With one pool,
//      `sampleWeights` first: from the shards' samples the coordinator estimates the
//      level and a band around it; `capBand` caps every account below the band and lists
//      those in it, and the rounds (`capListed`) run over the lists alone. The band's
//      lower level is checked exactly (Σ min(cap, λ·w) ≤ S: what it caps is in C) and so
//      is the final level against its upper one; a band that misses goes on with `cap`.
//   3. `round`s  → per pool, first where the listed values differ (`span`: the highest
//      differing bit of any shard starts the digits; none at all, heavy ties, skips the
//      field in one pass), then the coordinator picks the digit (8 bits of the order) that
//      holds the need-th largest account from the summed counts: accounts above it get
//      a unit, those below leave, those in it stay, and the next digit is counted. The
//      order is the exact remainder (most significant digit first), then with a tie
//      seed the tie key splitmix64(seed ^ global index) (lower first: its digits are counted
//      complemented), then the global index: shards
//      hold contiguous ranges in order, so the last step gives each shard, in shard
//      order, the units its lowest-index accounts take (`give`).
//   4. `end`     → the call's records freed. The haircuts are in the shards' books.
// Every phase message is small (a few numbers per pool, 256 counts per pool and shard);
// no account's data crosses except through `write` and `read` (the copying path).

import type { Level, MemoryLike } from '../core.js';

export type { Level } from '../core.js';

/** Counters per histogram and per digit (assembly/layout.ts POOL_BUCKETS); a cut of this many reaches no bucket. */
export const BUCKETS = 256;
/** The digit fields of a pool's order (assembly/layout.ts DIGIT_REMAINDER, DIGIT_TIE; test/parallel.test.ts checks they agree). */
export const DIGIT_REMAINDER = 0;
/** The tie key's digits: splitmix64(tieSeed ^ global index), most significant first. */
export const DIGIT_TIE = 1;
/** Bits per digit: each round narrows one pool's boundary by 256. */
export const DIGIT_BITS = 8;

/** Where one digit of the order is: its field and its lowest bit. */
export interface Digit {
  field: number;
  pos: number;
}

/** A book's columns in a shard's memory (byte addresses; 0: absent). */
export interface ShardColumns {
  /**
   * The shared memory that holds them (null without shared memory). A shard places a
   * new book in a fresh memory while its current one holds a freed book's columns that
   * views may still reach, so books do not all live in the memory `load` replied with.
   */
  memory: MemoryLike | null;
  profits: number;
  haircuts: number;
  exempt: number;
  /** 0 unless the book was made with pools. */
  pool: number;
  /** 0 unless the book was made with weights. */
  weights: number;
  /** 0 unless the book was made with caps. */
  caps: number;
}



/**
 * One step of a round for one pool, in this order: keep a digit (`keep`: accounts above
 * it take a unit, those in it stay, `takeEqual`: those in it take one too), settle a
 * digit whose accounts are tied (`settle`: those above take a unit, and the first
 * `give` in it), give units to the first listed accounts in index order (`give`),
 * report where the listed values of a field differ (`span`), count a digit (`count`,
 * with each digit's span when `spans`).
 */
export interface RoundStep {
  pool: number;
  keep?: Digit & { digit: number; takeEqual: boolean };
  settle?: Digit & { digit: number; give: number };
  give?: number;
  span?: number;
  count?: Digit & { spans?: boolean };
}

/** A shard's reply to one step: how many accounts its list holds, and the span (of `span`, else of a `keep`'s field) and counts asked for. */
export interface StepReply {
  listed: number;
  /** The first listed value (u128) and the OR of every value XOR it (0: all equal); after a keep, of those kept. */
  span?: { first: bigint; vary: bigint };
  /** The 256 counts of the digit. */
  counts?: Uint32Array;
  /** Each digit's span (first value u128, differing bits u128: 4 u64 per digit), when asked for. */
  spans?: BigUint64Array;
}

/** The messages a coordinator sends; each carries an `id` its reply repeats. */
export type Request =
  /**
   * Loads the shard's engine: over a shared memory when `shared` (the reply carries it), else its own.
   * `maximumPages` (1 to 65,536 pages of 64 KiB; default 65,536: 4 GiB) bounds each shared memory.
   */
  | { op: 'load'; shared: boolean; variant?: string | undefined; maximumPages?: number | undefined }
  /** Makes a book of `length` accounts, with the optional columns asked for. */
  | { op: 'create'; book: number; length: number; pools: boolean; weights: boolean; caps: boolean }
  /** Frees a book; with `retire` its memory stays out of use until `release` (views of it may still be held), and new books go to a fresh memory. */
  | { op: 'free'; book: number; retire: boolean }
  /** Frees a retired book's memory for good: no view of it is left. */
  | { op: 'release'; book: number }
  /** The copying path: copies columns into a book (each as long as the shard's range). */
  | { op: 'write'; book: number; profits?: BigInt64Array; exempt?: Uint8Array; pool?: Uint32Array; weights?: BigInt64Array; caps?: BigInt64Array }
  /** The copying path: a copy of a book's haircuts. */
  | { op: 'read'; book: number }
  /** Phase 1. `start` is the shard's first global index; `pooled`: the book's pool column holds the pools (else all in pool 0). */
  | {
    op: 'sums'; book: number; pools: number; rounding: string; tieSeed?: bigint | undefined; exemptions: boolean; pooled: boolean;
    weighted: boolean; capsGiven: boolean; start: bigint;
  }
  /** By weight: mark the capped accounts at each pool's level; their counts and sums. */
  | { op: 'cap'; levels: Level[] }
  /** By weight, one pool: every n/16,384-th eligible account's cap and weight, for an estimate of the level. */
  | { op: 'sampleWeights' }
  /** By weight, one pool: the accounts below `lo` capped, those below `hi` listed. */
  | { op: 'capBand'; lo: Level; hi: Level }
  /** By weight, one pool: the listed accounts capped at `level`. */
  | { op: 'capListed'; level: Level }
  /** By weight: each pool's final level, for the floors (which share R mod W). */
  | { op: 'level'; levels: Level[] }
  /** By weight, after the boundary: caps and WHOLE·w written. */
  | { op: 'finish' }
  /** Plain split, largest remainder, 0 < S < total: this shard's sample of keys (remainder >> t) for the band. */
  | { op: 'sample'; socialized: bigint; total: bigint }
  /** Phase 2: every pool's S and whole-book total; plain: the band of keys [low, high] (units above it, those in it listed). */
  | { op: 'floors'; socialized: bigint[]; totals: bigint[]; band: [bigint, bigint] }
  /** Pools: a u32 per pool, cut | boundary bucket << 16 (256: none). */
  | { op: 'raise'; cuts: Uint32Array }
  /** Phase 4. */
  | { op: 'round'; steps: RoundStep[] }
  /** Ends the call (also after an error). */
  | { op: 'end' }
  /**
   * An index delta over a book's profits column as the units, charges into its haircuts:
   * Σ|units| here (without `total`), or with the whole book's Σ|units| the charges.
   */
  | { op: 'index'; book: number; loss: bigint; scale: bigint; rounding: string; chargeRounding: string; total?: bigint | undefined }
  /** The size of the shard's engine memory. */
  | { op: 'memory' }
  /** Stops the shard. */
  | { op: 'close' };

/** The replies, by request. */
export interface Replies {
  /** `memory`: the shard's shared WebAssembly.Memory (posted, so both sides view the same bytes), or null. */
  load: { memory: MemoryLike | null; build: string; capacity: number };
  create: ShardColumns;
  free: null;
  release: null;
  write: null;
  read: { haircuts: BigInt64Array };
  sums: {
    bad: number; badPool: number; totals: bigint[]; weights: bigint[] | null; eligible: number[] | null;
    /** The first negative weight, else cap, here (−1: none), and its value. */
    negative: { field: 'weights' | 'caps'; index: number; value: bigint } | null;
  };
  cap: { capped: number; eligible: number; caps: bigint; weights: bigint }[];
  sampleWeights: { pairs: BigUint64Array };
  capBand: { capped: number; eligible: number; caps: bigint; weights: bigint; listed: number };
  capListed: { capped: number; eligible: number; caps: bigint; weights: bigint };
  level: { whole: bigint; part: bigint }[];
  finish: null;
  sample: { top: bigint; sum: bigint; shift: number; keys: BigUint64Array };
  floors: { written: bigint[]; histograms: Uint32Array | null; shifts: number[] | null; eligible: number[] | null; listed: number[] | null };
  raise: { listed: number[] };
  round: StepReply[];
  end: null;
  index: { total: bigint; delta: bigint; collected: bigint; bad: number; charge: bigint };
  memory: { bytes: number };
  close: null;
}

/** A reply: `ok` with the value, or the error as plain data (rebuilt with its class and code by the coordinator). */
export type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; code?: string | undefined; message: string } };
