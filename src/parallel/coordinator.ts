// The coordinator's side of one sharded call: the phases of protocol.ts over every
// shard, with what one engine decides between its kernels (the waterfall, each pool's
// boundary) decided here from the shards' sums and counts. Nothing here decides a
// unit by itself: every count is an exact integer from the shards, every choice the
// single engine's rule (assembly/pools/boundary.ts) applied to their sum.

import { summarize } from '../core/summary.js';
import { stateError } from '../errors.js';
import { poolOutOfRange } from '../pools-input.js';
import type { SocializeSummary } from '../types.js';
import { negativeEntry, type Amounts, type Options } from '../validate.js';
import { waterfall } from '../waterfall.js';
import type { CallMode, CallShard } from './call.js';
import { agree, checkCount } from './agree.js';
import { band, MIN_SAMPLED } from './band.js';
import { BUCKETS, DIGIT_BITS, DIGIT_REMAINDER, DIGIT_TIE, type Level, type RoundStep, type StepReply } from './protocol.js';



/** The summed counts of every shard's histogram of pool k (each `histograms[j]` holds 256 per pool). */
function merged(histograms: readonly Uint32Array[], k: number): number[] {
  const sum = new Array<number>(BUCKETS).fill(0);
  for (const histogram of histograms) for (let b = 0; b < BUCKETS; b++) sum[b]! += histogram[k * BUCKETS + b]!;
  return sum;
}

/**
 * The bucket that holds the `need`-th largest (from the top) of `counts`, and how many
 * of it are still to take: as `findBoundary` and `boundaries` in the core.
 */
function boundaryOf(counts: readonly number[], need: number): { bucket: number; rest: number } {
  let above = 0;
  for (let b = BUCKETS - 1; b >= 0; b--) {
    if (above + counts[b]! >= need) return { bucket: b, rest: need - above };
    above += counts[b]!;
  }
  throw stateError('ERR_INTERNAL', `the shards' counts hold ${above} accounts for ${need} units`);
}

/**
 * A pool whose boundary is still being narrowed: how many units it must still give, the
 * field of the order it is in, the digit counted last (null: the field's span was asked
 * for), and each shard's reply to its last step.
 */
interface Open {
  pool: number;
  need: number;
  field: number;
  pos: number | null;
  replies: StepReply[];
  /** After a keep: the kept digit's lowest bit (the kept values agree at and above it). */
  after?: number | undefined;
  /** After a keep (or a change of field): each shard's list, as its counts said. */
  kept?: readonly number[] | undefined;
}

/** Lists longer than this (over every shard) count each digit's span too: a digit tied throughout is then settled at once. */
const SPANNED = 1 << 16;

/** The highest differing bit's digit of `vary` (differing bits of the listed values; not 0). */
function digitOfSpan(vary: bigint): number {
  return Math.max(0, vary.toString(2).length - DIGIT_BITS);
}


/**
 * Runs one call (every pool of `pools` over the shards' books; one pool when not
 * `pooled`) and returns each pool's summary; the haircuts are then in the books. The
 * shards' call is ended on every path. Throws as one engine does (a negative weight or
 * cap, then a pool index out of range: the first in global terms).
 */
export async function socializeShards(
  shards: readonly CallShard[], pools: readonly Amounts[], options: Options, mode: CallMode,
): Promise<SocializeSummary[]> {
  const count = pools.length, seeded = options.tieSeed !== undefined;
  const all = <T>(task: (shard: CallShard, j: number) => Promise<T>): Promise<T[]> => Promise.all(shards.map(task));
  let ended = false;
  const end = async () => {
    if (ended) return;
    ended = true;
    await all(({ link }) => link.request({ op: 'end' }));
  };
  try {
    const sums = await all(({ link, book, start }) => link.request({
      op: 'sums', book, pools: count, rounding: options.rounding, tieSeed: options.tieSeed, ...mode, start: BigInt(start),
    }));
    sums.forEach((sum, j) => {
      if (sum.eligible !== null) checkCount(shards[j]!, 'sums', 'eligible accounts', sum.eligible[0]!, shards[j]!.length);
      const { link, views } = shards[j]!;
      // An input error a shard reports is read back here before it is thrown: its account, column and value.
      if (sum.bad >= 0 && (!mode.pooled || views.pool?.[sum.bad] !== sum.badPool || sum.badPool < count)) {
        throw link.fault(`replied to sums with pool[${sum.bad}] ${sum.badPool}, which its pool column does not hold out of range`);
      }
      if (sum.negative !== null) {
        const { field, index, value } = sum.negative;
        const column = field === 'weights' ? (mode.weighted ? views.weights : null) : (mode.capsGiven ? views.caps : null);
        if (column?.[index] !== value) throw link.fault(`replied to sums with ${field}[${index}] ${value}, which its ${field} column does not hold`);
      }
    });
    const negative = sums.findIndex((sum) => sum.negative?.field === 'weights'), negativeCap = sums.findIndex((sum) => sum.negative !== null);
    const first = negative >= 0 ? negative : negativeCap;
    if (first >= 0) {
      const { field, index, value } = sums[first]!.negative!;
      throw negativeEntry(field, shards[first]!.start + index, value);
    }
    const bad = sums.findIndex((sum) => sum.bad >= 0);
    if (bad >= 0) throw poolOutOfRange(shards[bad]!.start + sums[bad]!.bad, sums[bad]!.badPool, count);
    const totals = pools.map((_, k) => sums.reduce((sum, shard) => sum + shard.totals[k]!, 0n));
    const plans = pools.map((amounts, k) => waterfall(amounts.loss, amounts.insuranceFund, totals[k]!));
    const socialized = plans.map((plan) => plan.socialized);
    if (mode.weighted) {
      const weights = pools.map((_, k) => sums.reduce((sum, shard) => sum + shard.weights![k]!, 0n));
      const summaries = await byWeight(shards, socialized, weights, seeded);
      await end();
      return plans.map((plan, k) => {
        const { written, eligible, capped } = summaries[k]!;
        return { ...summarize(plan, totals[k]!, eligible, written, options.rounding), totalWeight: weights[k]!, cappedAccounts: capped };
      });
    }
    if (!mode.pooled) {
      const eligible = sums.reduce((sum, shard) => sum + shard.eligible![0]!, 0);
      const written = await split(shards, socialized[0]!, totals[0]!, options);
      await end();
      return [summarize(plans[0]!, totals[0]!, eligible, written, options.rounding)];
    }
    const { written, eligible } = await poolsPhases(shards, socialized, totals, seeded);
    await end();
    return plans.map((plan, k) => summarize(plan, totals[k]!, eligible[k]!, written[k]!, options.rounding));
  } finally {
    await end().catch(() => {});
  }
}

/**
 * The pools phases after the waterfall: floors (every pool's S over its P), then under
 * largest remainder each pool's boundary. Returns Σ haircuts and the eligible count per pool.
 */
async function poolsPhases(
  shards: readonly CallShard[], socialized: readonly bigint[], totals: readonly bigint[], seeded: boolean,
): Promise<{ written: bigint[]; eligible: number[] }> {
  const floors = await Promise.all(shards.map(({ link }) => link.request({ op: 'floors', socialized: [...socialized], totals: [...totals], band: FULL })));
  const written = socialized.map((_, k) => floors.reduce((sum, shard) => sum + shard.written[k]!, 0n));
  agree(shards, floors, 'floors', 'shifts', (reply) => reply.shifts);
  agree(shards, floors, 'floors', 'whether it counted remainders', (reply) => reply.histograms === null);
  floors.forEach((reply, j) => {
    const most = shards[j]!.length;
    if (reply.eligible !== null) checkCount(shards[j]!, 'floors', 'eligible accounts', reply.eligible.reduce((a, b) => a + b, 0), most);
    if (reply.histograms !== null) checkCount(shards[j]!, 'floors', 'histogram counts', reply.histograms.reduce((a, b) => a + b, 0), most);
  });
  if (floors[0]!.histograms === null) {
    return { written, eligible: socialized.map((_, k) => floors.reduce((sum, shard) => sum + shard.eligible![k]!, 0)) };
  }
  const eligible = await settle(shards, floors.map((shard) => shard.histograms!), floors[0]!.shifts!, socialized, written, seeded);
  // Under largest remainder every pool gives exactly its S.
  return { written: [...socialized], eligible };
}

/**
 * The split by weight after the waterfall: the capped-set rounds, the final levels, the
 * pools phases over each pool's R mod W, and `finish`. Returns each pool's Σ haircuts,
 * eligible count and |C|.
 */
async function byWeight(
  shards: readonly CallShard[], socialized: readonly bigint[], weights: readonly bigint[], seeded: boolean,
): Promise<{ written: bigint; eligible: number; capped: number }[]> {
  // From C = ∅, or with one pool from what a band of levels caps; a pool is done when a
  // round caps no more accounts than its level was made of.
  let levels: Level[] = socialized.map((S, k) => ({ R: S, W: weights[k]!, active: S > 0n }));
  const capped = socialized.map(() => 0);
  let eligible: number[] = [];
  let moving = true;
  if (levels.length === 1 && levels[0]!.active) {
    const banded = await band(shards, socialized[0]!, weights[0]!);
    if (banded !== null) {
      levels = [banded.level];
      capped[0] = banded.capped;
      eligible = [banded.eligible];
      moving = !banded.settled;
    }
  }
  // Each round's level is above the last (it is made of more capped accounts), so each
  // shard's capped set only grows: a count that falls, or passes the shard's eligible
  // accounts, is that shard's fault, and the rounds end within the book's accounts.
  const before = shards.map(() => socialized.map(() => 0));
  while (moving) {
    const replies = await Promise.all(shards.map(({ link }) => link.request({ op: 'cap', levels })));
    replies.forEach((reply, j) => levels.forEach((_, k) => {
      const { capped: count, eligible: most } = reply[k]!;
      checkCount(shards[j]!, 'cap', `pool ${k}'s eligible accounts`, most, shards[j]!.length);
      checkCount(shards[j]!, 'cap', `pool ${k}'s capped accounts`, count, most);
      if (count < before[j]![k]!) throw shards[j]!.link.fault(`replied to cap with pool ${k}'s capped accounts ${count}, fewer than its ${before[j]![k]!} at a lower level`);
      before[j]![k] = count;
    }));
    moving = false;
    eligible = levels.map((_, k) => replies.reduce((sum, reply) => sum + reply[k]!.eligible, 0));
    levels = levels.map((level, k) => {
      const count = replies.reduce((sum, reply) => sum + reply[k]!.capped, 0);
      if (!level.active || count === capped[k]) return level;
      moving = true;
      capped[k] = count;
      const caps = replies.reduce((sum, reply) => sum + reply[k]!.caps, 0n), out = replies.reduce((sum, reply) => sum + reply[k]!.weights, 0n);
      return { R: socialized[k]! - caps, W: weights[k]! - out, active: true };
    });
  }
  const levelled = await Promise.all(shards.map(({ link }) => link.request({ op: 'level', levels })));
  agree(shards, levelled, 'level', 'levels', (reply) => reply);
  const parts = levelled[0];
  const shared = parts!.map(({ part }) => part);
  const { written } = await poolsPhases(shards, shared, levels.map(({ W }) => W), seeded);
  await Promise.all(shards.map(({ link }) => link.request({ op: 'finish' })));
  // The capped pay S − R, the others ⌊R/W⌋·W and their shares of R mod W.
  return levels.map(({ R, W }, k) => ({
    written: socialized[k]! - R + parts![k]!.whole * W + written[k]!, eligible: eligible[k]!, capped: capped[k]!,
  }));
}


/** The whole range of keys: every account listed. */
const FULL: [bigint, bigint] = [0n, 2n ** 64n - 1n];


/**
 * The plain split's phases after the waterfall: the band from every shard's sample,
 * the floors with it (again over the whole range when the band missed), and the digit
 * rounds for the units left. Returns Σ haircuts.
 */
async function split(shards: readonly CallShard[], S: bigint, P: bigint, options: Options): Promise<bigint> {
  const largest = options.rounding === 'largest-remainder', ratio = S > 0n && S < P;
  const floors = async (band: [bigint, bigint], shift: number) => {
    const replies = await Promise.all(shards.map(({ link }) => link.request({ op: 'floors', socialized: [S], totals: [P], band })));
    const perShard = replies.map((reply) => reply.listed![0]!);
    return { written: replies.reduce((sum, reply) => sum + reply.written[0]!, 0n), listed: perShard.reduce((a, b) => a + b, 0), perShard, band, shift };
  };
  if (!largest || !ratio) return (await floors(FULL, 0)).written;
  const predicted = await predictBand(shards, S, P);
  let result = await floors(predicted.band, predicted.shift);
  // Valid when no more units went out than S has, and the band can supply the rest.
  if (result.written > S || S - result.written > BigInt(result.listed)) result = await floors(FULL, predicted.shift);
  const need = Number(S - result.written);
  if (need > 0) {
    // The listed keys lie in [low, high]: remainders in [low·2^t, (high + 1)·2^t − 1], whose differing bits bound the span.
    const [low, high] = result.band, t = BigInt(result.shift);
    const vary = (low << t) ^ (((high + 1n) << t) - 1n);
    const entry: Open = { pool: 0, need, field: DIGIT_REMAINDER, pos: null, replies: [] };
    await rounds(shards, [entry], options.tieSeed !== undefined, [{ vary, listed: result.perShard }]);
  }
  return S;
}

/**
 * A band of keys [low, high] that likely holds the boundary, from every shard's sample:
 * as the core's `predictBand` over their union (the predicted number of units among the
 * sample, Σ key / (top + 1)), with 4·√(keys) ranks either side (the prediction's error is
 * below 0.6·√(keys) for any spread of remainders), never more than one engine's keys/16.
 * A prediction only: the floors check it against the exact counts.
 */
async function predictBand(shards: readonly CallShard[], S: bigint, P: bigint): Promise<{ band: [bigint, bigint]; shift: number }> {
  const samples = await Promise.all(shards.map(({ link }) => link.request({ op: 'sample', socialized: S, total: P })));
  agree(shards, samples, 'sample', 'top and shift', ({ top, shift }) => [top, shift]);
  const sampled = samples.reduce((sum, sample) => sum + sample.keys.length, 0), shift = samples[0]!.shift;
  if (sampled < MIN_SAMPLED) return { band: FULL, shift };
  const keys = new BigUint64Array(sampled);
  let at = 0, sum = 0n;
  for (const sample of samples) {
    keys.set(sample.keys, at);
    at += sample.keys.length;
    sum += sample.sum;
  }
  const rank = Number(sum / (samples[0]!.top + 1n)), last = sampled - 1;
  const margin = Math.min(sampled >> 4, Math.ceil(4 * Math.sqrt(sampled)));
  keys.sort();
  return { band: [rank + margin < sampled ? keys[last - (rank + margin)]! : 0n, rank > margin ? keys[last - (rank - margin)]! : FULL[1]], shift };
}

/**
 * The boundary phases: each pool's cut from the summed histograms, then rounds of
 * digits until every pool has given its leftover units. Returns each pool's eligible count.
 */
async function settle(
  shards: readonly CallShard[], histograms: Uint32Array[], shifts: readonly number[], socialized: readonly bigint[], written: readonly bigint[],
  seeded: boolean,
): Promise<number[]> {
  const count = socialized.length;
  const cuts = new Uint32Array(count).fill(BUCKETS | (BUCKETS << 16));
  const eligible: number[] = [];
  const open: Open[] = [], known: bigint[] = [];
  for (let k = 0; k < count; k++) {
    const counts = merged(histograms, k);
    eligible.push(counts.reduce((a, b) => a + b, 0));
    const leftover = Number(socialized[k]! - written[k]!);
    if (leftover === 0) continue;
    const { bucket, rest } = boundaryOf(counts, leftover);
    if (rest === counts[bucket]) {
      cuts[k] = bucket | (BUCKETS << 16);
    } else {
      cuts[k] = (bucket + 1) | (bucket << 16);
      open.push({ pool: k, need: rest, field: DIGIT_REMAINDER, pos: null, replies: [] });
      // The bucket's remainders lie in [b·2^s, (b + 1)·2^s − 1]: their differing bits bound the span.
      const s = BigInt(shifts[k]!), low = BigInt(bucket) << s;
      known.push(low ^ (low + (1n << s) - 1n));
    }
  }
  const raised = await Promise.all(shards.map(({ link }) => link.request({ op: 'raise', cuts })));
  // Each shard lists the accounts of each open pool's boundary bucket: as many as its histogram counted there.
  raised.forEach((reply, j) => {
    for (let k = 0; k < count; k++) {
      const bucket = cuts[k]! >>> 16;
      const expected = bucket < BUCKETS ? histograms[j]![k * BUCKETS + bucket]! : 0;
      checkCount(shards[j]!, 'raise', `=pool ${k}'s listed accounts`, reply.listed[k]!, expected);
    }
  });
  await rounds(shards, open, seeded, open.map(({ pool }, at) => ({ vary: known[at]!, listed: raised.map((reply) => reply.listed[pool]!) })));
  return eligible;
}

/**
 * The digit rounds. For each open pool, a round either learns where the listed values of
 * the current field differ (a `span`, or the reply to a `keep`: the highest differing
 * bit of any shard) and counts the digit that holds it, or, from the summed counts,
 * keeps the digit holding the need-th largest account: those above it take a unit, and
 * the reply is the span of those kept. A field tied throughout goes to the tie key (with
 * a seed), then to the index: each shard in order gives its lowest-index accounts.
 */
async function rounds(
  shards: readonly CallShard[], open: Open[], seeded: boolean, known?: readonly { vary: bigint; listed: number[] }[],
): Promise<void> {
  let steps: RoundStep[][] = shards.map(() => []);
  let ending: RoundStep[][] = shards.map(() => []);
  let next: Open[] = [];
  /** Pushes one step for every shard (the same, or by shard): of a pool going on (in `next`'s order), or ending. */
  const push = (step: (j: number) => RoundStep, goes = false) => (goes ? steps : ending).forEach((shardSteps, j) => shardSteps.push(step(j)));
  /** Gives `need` units to the first accounts of `counts[j]` per shard, shards in order: `step` with each shard's share. */
  const inOrder = (need: number, counts: readonly number[], step: (give: number) => RoundStep) => {
    let left = need;
    push((j) => {
      const give = Math.min(left, counts[j]!);
      left -= give;
      return step(give);
    });
  };
  /** The field is tied throughout the listed accounts (`counts[j]` per shard): the tie key next, or the index. */
  const exhausted = (entry: Open, counts: number[]) => {
    if (entry.field === DIGIT_REMAINDER && seeded) {
      push(() => ({ pool: entry.pool, span: DIGIT_TIE }), true);
      next.push({ ...entry, field: DIGIT_TIE, pos: null, replies: [], after: undefined, kept: counts });
      return;
    }
    inOrder(entry.need, counts, (give) => ({ pool: entry.pool, give }));
  };
  /** From where the values differ: count the digit holding the highest differing bit, or, none, the field is used up. */
  const fromSpan = (entry: Open, vary: bigint, listed: number[]) => {
    if (vary === 0n) {
      exhausted(entry, listed);
      return;
    }
    const pos = digitOfSpan(vary), spans = listed.reduce((a, b) => a + b, 0) > SPANNED;
    push(() => ({ pool: entry.pool, count: { field: entry.field, pos, ...(spans ? { spans } : {}) } }), true);
    next.push({ ...entry, pos, replies: [] });
  };
  for (const [at, entry] of open.entries()) {
    if (known?.[at] === undefined) {
      push(() => ({ pool: entry.pool, span: entry.field }), true);
      next.push(entry);
    } else {
      fromSpan(entry, known[at]!.vary, known[at]!.listed);
    }
  }
  while (steps[0]!.length + ending[0]!.length > 0) {
    open = next;
    const sent = steps.map((shardSteps, j) => shardSteps.concat(ending[j]!));
    const replies = await Promise.all(shards.map(({ link }, j) => link.request({ op: 'round', steps: sent[j]! })));
    // The first steps are the open pools', in order (the last ones finished pools').
    open.forEach((entry, at) => (entry.replies = replies.map((reply) => reply[at]!)));
    // A count of a list adds up to the list.
    replies.forEach((reply, j) => {
      for (const step of reply) if (step.counts !== undefined) checkCount(shards[j]!, 'round', '=a list of', step.listed, step.counts.reduce((a, b) => a + b, 0));
    });
    steps = shards.map(() => []);
    ending = shards.map(() => []);
    next = [];
    for (const entry of open) {
      const listed = entry.replies.map((reply) => reply.listed);
      if (entry.pos === null) {
        checkNarrowed(shards, entry);
        // Where the shards' values differ: every non-empty list's differing bits, and its first value against the others'.
        const lists = entry.replies.filter((reply) => reply.listed > 0);
        fromSpan(entry, lists.reduce((bits, reply) => bits | reply.span!.vary | (reply.span!.first ^ lists[0]!.span!.first), 0n), listed);
        continue;
      }
      const total = merged(entry.replies.map((reply) => reply.counts!), 0);
      const { bucket: digit, rest } = boundaryOf(total, entry.need);
      const digitCounts = entry.replies.map((reply) => reply.counts![digit]!);
      const field = { field: entry.field, pos: entry.pos };
      if (rest === total[digit]) {
        push(() => ({ pool: entry.pool, keep: { ...field, digit, takeEqual: true } }));
        continue;
      }
      if ((entry.field === DIGIT_TIE || !seeded) && tiedDigit(entry.replies, digit)) {
        // The digit's accounts are tied to the end of the order: those above take a unit, then the first of it, shards in order.
        inOrder(rest, digitCounts, (give) => ({ pool: entry.pool, settle: { ...field, digit, give } }));
        continue;
      }
      // The digit was counted at the highest differing bit, so the keep narrows the list; its reply is the span of the kept.
      push(() => ({ pool: entry.pool, keep: { ...field, digit, takeEqual: false } }), true);
      next.push({ ...entry, need: rest, pos: null, replies: [], after: entry.pos, kept: digitCounts });
    }
  }
}

/**
 * Checks a span that follows a keep (or a change of field) against what the shards said
 * before: each shard lists exactly the accounts its counts gave the kept digit, and the
 * kept values agree at and above the kept digit's lowest bit, so the next digit counted is
 * strictly lower. Each keep thus narrows the order, and the rounds end within the digits of
 * the remainder and the tie key, whatever a shard replies.
 */
function checkNarrowed(shards: readonly CallShard[], entry: Open): void {
  const { kept, after } = entry;
  entry.replies.forEach((reply, j) => {
    if (kept !== undefined && reply.listed !== kept[j]) {
      throw shards[j]!.link.fault(`replied to round with a list of ${reply.listed}, but its counts gave the kept accounts ${kept[j]}`);
    }
  });
  if (after === undefined) return;
  const limit = 1n << BigInt(after);
  const first = entry.replies.find((reply) => reply.listed > 0)?.span?.first;
  entry.replies.forEach((reply, j) => {
    if (reply.listed === 0 || reply.span === undefined) return;
    if (reply.span.vary >= limit || (first !== undefined && (reply.span.first ^ first) >= limit)) {
      throw shards[j]!.link.fault(`replied to round with values that differ at bit ${after} or above, after the digit there was kept`);
    }
  });
}

/** Whether every shard's accounts of `digit` hold one and the same value (the counts came with spans). */
function tiedDigit(replies: readonly StepReply[], digit: number): boolean {
  const holding = replies.filter((reply) => reply.counts![digit]! > 0);
  if (holding.some((reply) => reply.spans === undefined)) return false;
  const first = (reply: StepReply) => (reply.spans![4 * digit + 1]! << 64n) | reply.spans![4 * digit]!;
  return holding.every((reply) => reply.spans![4 * digit + 2] === 0n && reply.spans![4 * digit + 3] === 0n && first(reply) === first(holding[0]!));
}
