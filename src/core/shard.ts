// One shard's call of a sharded book (src/parallel/shard.ts serves it): the kernels of
// assembly/shard/ driven one phase at a time, as the coordinator's messages ask for them,
// over records kept from `openShard` until `close()`. The plain split's phases (sample,
// floors with a band, the digit rounds) or the pools phases (sums, capped-set rounds and
// levels by weight, floors with histograms, raise, the digit rounds on each boundary).
// Invariant: a phase reads only what the call's records and the coordinator's arguments
// say (no state kept in the core between calls); the call's blocks are freed once.

import { stateError } from '../errors.js';
import type { Options } from '../validate.js';
import type { Columns, CoreMemory } from './memory.js';

/** Bytes per pool of a level for capShard and levelShard, and of capShard's counts (assembly/shard/weights.ts). */
const LEVEL_BYTES = 32, COUNT_BYTES = 40;

/** What a shard's call runs: pools (the book's pool column), exemptions (its exempt column may hold some), by weight (and with caps). */
export interface ShardMode {
  /** The book's pool column is read. */
  pooled: boolean;
  /** Its exempt column may hold some. */
  exemptions: boolean;
  /** The split is by weight (the weights and mask columns exist). */
  weighted: boolean;
  /** By weight, the caps column gives the caps (else the profits do). */
  capsGiven: boolean;
}

/** A pool's level for the capped-set rounds: R, W, and whether it caps at all (S > 0). */
export interface Level {
  /** The level's R (u64). */
  R: bigint;
  /** The level's W (u128). */
  W: bigint;
  /** Whether the pool caps at all (S > 0). */
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

/**
 * Opens one shard's call over a book (a sharded book's shard, src/parallel/shard.ts):
 * the phases one at a time, as the coordinator's messages ask for them, with the
 * call's records kept until `close()`. The pools phases (`count` pools) when `pooled`
 * (the book's pool column) or `weighted` (its weights and mask; without pools every
 * account in pool 0, the pool column then zeros in the candidates scratch, which these
 * phases leave alone: the list takes at most its first 4·n bytes, the bucket bytes its
 * last n); else the plain split's phases.
 */
export function openShard(memory: CoreMemory, columns: Columns, n: number, count: number, options: Options, mode: ShardMode): ShardCall {
  const L = memory.layout, core = memory.exports, buckets = L.POOL_BUCKETS;
  const { exemptions, weighted, capsGiven } = mode, pools = mode.pooled || weighted;
  const tableBytes = L.POOLS_HEADER_BYTES + count * L.POOL_ROW_BYTES;
  // Blocks: book, record, scratch (pools) or sample (plain), cuts, ends, histograms, levels, counts, a digit's histogram and its spans.
  const sizes = [
    L.BOOK_BYTES, pools ? tableBytes : L.SPLIT_BYTES,
    // The pools' scratch, which also holds a sample of weights (16 bytes each) before the floors; or the plain sample.
    pools ? Math.max(Number(core.poolScratchBytes(count, n, 0)), 16 * L.SHARD_SAMPLE) : 8 * (L.SHARD_SAMPLE + 4),
    4 * count, 4 * count, 4 * (buckets + 1) * count, LEVEL_BYTES * Math.max(2, count), COUNT_BYTES * count, 4 * buckets, 32 * buckets,
  ];
  const taken = memory.allocBlocks(sizes);
  const [book, record, scratch, cuts, ends, histograms, levels, counts, hist, spans] = taken as [
    number, number, number, number, number, number, number, number, number, number,
  ];
  const fields = memory.fields(record);
  memory.zero(record, pools ? tableBytes : L.SPLIT_BYTES);
  if (pools) {
    fields.setU32(L.POOLS_COUNT, count);
    fields.setU32(L.POOLS_SCRATCH, scratch);
    memory.writeOptions(fields, options, memory.poolsOptions);
  } else {
    memory.writeOptions(fields, options, memory.splitOptions);
  }
  const pool = mode.pooled ? columns.pool : columns.candidates + 4 * n;
  if (pools && !mode.pooled) memory.zero(pool, 4 * n);
  memory.writeBook(book, { ...columns, pool }, n, exemptions, weighted, capsGiven);
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
    const view = new DataView(memory.buffer, levels, LEVEL_BYTES * given.length);
    given.forEach(({ R, W, active }, k) => {
      view.setBigUint64(k * LEVEL_BYTES, R, true);
      view.setBigUint64(k * LEVEL_BYTES + 8, BigInt.asUintN(64, W), true);
      view.setBigUint64(k * LEVEL_BYTES + 16, W >> 64n, true);
      view.setBigUint64(k * LEVEL_BYTES + 24, active ? 1n : 0n, true);
    });
  };
  /** Pool k's counts of a capped-set round: |C|, eligible, Σ_C caps, Σ_C weights. */
  const countsAt = (k: number) => {
    const view = new DataView(memory.buffer, counts + k * COUNT_BYTES, COUNT_BYTES);
    const u128 = (at: number) => (view.getBigUint64(at + 8, true) << 64n) | view.getBigUint64(at, true);
    return { capped: view.getUint32(0, true), eligible: view.getUint32(4, true), caps: u128(8), weights: u128(24) };
  };
  const spanAt = (at: number) => {
    const view = new BigUint64Array(memory.buffer, at, 4);
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
      const of = (field: number) => Array.from({ length: count }, (_, k) => memory.row(record, k).u128(field));
      const negativeWeight = weighted ? fields.i32(L.POOLS_NEGATIVE_WEIGHT) : -1, negativeCap = weighted ? fields.i32(L.POOLS_NEGATIVE_CAP) : -1;
      return {
        bad: fields.i32(L.POOLS_BAD_POOL), negativeWeight, negativeCap, totals: of(L.POOL_TOTAL), weights: weighted ? of(L.POOL_WEIGHT) : null, eligible: null,
      };
    },
    sample: (S, P) => {
      setSplit(S, P);
      const keys = core.sampleShard(book, record, scratch) >>> 0;
      const view = new BigUint64Array(memory.buffer, scratch, keys + 4);
      return { top: view[0]!, sum: (view[2]! << 64n) | view[1]!, shift: Number(view[3]!), keys: view.slice(4) };
    },
    cap: (given) => {
      writeLevels(given);
      core.capShard(book, record, levels, counts);
      return given.map((_, k) => countsAt(k));
    },
    sampleWeights: () => {
      const pairs = core.sampleWeights(book, scratch) >>> 0;
      return new BigUint64Array(memory.buffer, scratch, 2 * pairs).slice();
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
      return given.map((_, k) => ({ whole: memory.row(record, k).u64(L.POOL_WHOLE), part: memory.row(record, k).u64(L.POOL_PART) }));
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
        const row = memory.row(record, k);
        row.setU64(L.POOL_SOCIALIZED, S[k]!);
        row.setU64(L.POOL_TOTAL, P[k]!);
        row.setU64(L.POOL_TOTAL + 8, P[k]! >> 64n);
      }
      core.floorPools(book, record);
      const written = Array.from({ length: count }, (_, k) => memory.row(record, k).u64(L.POOL_WRITTEN));
      if (fields.u32(L.POOLS_COUNTED) === 0) {
        return {
          written, histograms: null, shifts: null, eligible: Array.from({ length: count }, (_, k) => memory.row(record, k).u32(L.POOL_ELIGIBLE)), listed: null,
        };
      }
      core.shardHistograms(record, histograms);
      const shifts = [...memory.uint32View(histograms + 4 * buckets * count, count)];
      return { written, histograms: memory.uint32View(histograms, buckets * count).slice(), shifts, eligible: null, listed: null };
    },
    raise: (given) => {
      memory.uint32View(cuts, count).set(given);
      core.raiseShard(book, record, cuts, list, ends);
      const endsOf = memory.uint32View(ends, count);
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
      digitCounts.set(memory.uint32View(hist, buckets));
      return withSpans ? { counts: digitCounts, spans: new BigUint64Array(memory.buffer, spans, 4 * buckets).slice() } : { counts: digitCounts };
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
      memory.freeBlocks(taken);
    },
  };
}
