// The shape of every shard reply, checked against the request it answers before the
// coordinator reads it: types (bigint or number), integers and their ranges, and the
// lengths the request fixes (one entry per pool, per level, per step, 256 counts per
// pool). A reply that fails is the shard's fault, never a TypeError in the coordinator.

import { BUCKETS, type Request } from './protocol.js';

/** Why a value is not what was expected, or null. */
type Problem = string | null;

const U64 = 2n ** 64n - 1n, U128 = 2n ** 128n - 1n;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-negative integer number up to `max` (a count, an index, a byte address). */
function count(value: unknown, name: string, max = 2 ** 32 - 1, min = 0): Problem {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? null : `${name} ${describe(value)}, not an integer from ${min} to ${max}`;
}

/** A bigint from 0 to `max`. */
function amount(value: unknown, name: string, max = U64): Problem {
  return typeof value === 'bigint' && value >= 0n && value <= max ? null : `${name} ${describe(value)}, not an integer bigint from 0 to ${max}`;
}

/** An array of `length` entries, each checked by `each`. */
function list(value: unknown, name: string, length: number, each: (entry: unknown, name: string, at: number) => Problem): Problem {
  if (!Array.isArray(value)) return `${name} ${describe(value)}, not an array`;
  if (value.length !== length) return `${name} of ${value.length} entries, not ${length}`;
  for (let at = 0; at < length; at++) {
    const problem = each(value[at], `${name}[${at}]`, at);
    if (problem !== null) return problem;
  }
  return null;
}

/** A typed array of the given class and length. */
function typed(value: unknown, name: string, kind: { name: string; prototype: object }, length?: number): Problem {
  if (!(value instanceof (kind as unknown as abstract new () => object))) return `${name} ${describe(value)}, not a ${kind.name}`;
  const got = (value as { length: number }).length;
  return length === undefined || got === length ? null : `${name} of ${got} entries, not ${length}`;
}

/** A value as a message names it. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'object') return `a ${(value as object).constructor?.name ?? 'object'}`;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** The first problem of a record's fields, each checked by its own function. */
function fields(value: unknown, name: string, checks: Record<string, (entry: unknown, name: string) => Problem>): Problem {
  if (!isRecord(value)) return `${name} ${describe(value)}, not a record`;
  for (const [key, check] of Object.entries(checks)) {
    const problem = check(value[key], key);
    if (problem !== null) return problem;
  }
  return null;
}

const orNull = (check: (value: unknown, name: string) => Problem) => (value: unknown, name: string): Problem => (value === null ? null : check(value, name));
const exactly = (expected: unknown) => (value: unknown, name: string): Problem => (value === expected ? null : `${name} ${describe(value)}, not ${describe(expected)}`);

/** Counts of a capped-set round for one pool. */
const capCounts = { capped: count, eligible: count, caps: (v: unknown, n: string) => amount(v, n, U128), weights: (v: unknown, n: string) => amount(v, n, U128) };

/** A span: the first value and the differing bits (u128 each). */
const span = (value: unknown, name: string) => fields(value, name, { first: (v, n) => amount(v, n, U128), vary: (v, n) => amount(v, n, U128) });

/**
 * Why `value` cannot be the reply to `request`, or null when its shape is right: every
 * field present with its type, integers in range, arrays as long as the request says.
 */
export function replyProblem(request: Request, value: unknown): Problem {
  switch (request.op) {
    case 'load':
      return fields(value, 'the reply', { build: (v, n) => (typeof v === 'string' ? null : `${n} ${describe(v)}, not a string`), capacity: count });
    case 'create': {
      const optional = (asked: boolean) => (v: unknown, n: string) => (asked ? count(v, n, 2 ** 32 - 1, 1) : exactly(0)(v, n));
      return fields(value, 'the reply', {
        memory: (v, n) => (v === null || (typeof v === 'object' && (v as { buffer?: unknown }).buffer instanceof Object) ? null : `${n} ${describe(v)}, not a memory or null`),
        profits: (v, n) => count(v, n, 2 ** 32 - 1, 1), haircuts: (v, n) => count(v, n, 2 ** 32 - 1, 1), exempt: (v, n) => count(v, n, 2 ** 32 - 1, 1),
        pool: optional(request.pools), weights: optional(request.weights), caps: optional(request.caps),
      });
    }
    case 'free': case 'release': case 'write': case 'finish': case 'end': case 'close':
      // Carries nothing: null (or undefined, as `finish` replies).
      return value === null || value === undefined ? null : `${describe(value)}, not null`;
    case 'read':
      return fields(value, 'the reply', { haircuts: (v, n) => typed(v, n, BigInt64Array) });
    case 'sums': {
      const weighted = request.weighted, plain = !request.pooled && !weighted;
      return fields(value, 'the reply', {
        bad: (v, n) => count(v, n, 2 ** 31 - 1, -1), badPool: count,
        totals: (v, n) => list(v, n, request.pools, (e, m) => amount(e, m, U128)),
        weights: weighted ? (v, n) => list(v, n, request.pools, (e, m) => amount(e, m, U128)) : exactly(null),
        eligible: plain ? (v, n) => list(v, n, 1, (e, m) => count(e, m)) : exactly(null),
        negative: orNull((v, n) => fields(v, n, {
          field: (f, m) => (f === 'weights' || f === 'caps' ? null : `${m} ${describe(f)}, not 'weights' or 'caps'`), index: count,
          value: (f, m) => (typeof f === 'bigint' && f < 0n ? null : `${m} ${describe(f)}, not a negative bigint`),
        })),
      });
    }
    case 'cap':
      return list(value, 'the reply', request.levels.length, (v, n) => fields(v, n, capCounts));
    case 'sampleWeights':
      return fields(value, 'the reply', { pairs: (v, n) => typed(v, n, BigUint64Array) ?? ((v as BigUint64Array).length % 2 === 0 ? null : `${n} of an odd length`) });
    case 'capBand':
      return fields(value, 'the reply', { ...capCounts, listed: count });
    case 'capListed':
      return fields(value, 'the reply', capCounts);
    case 'level':
      return list(value, 'the reply', request.levels.length, (v, n) => fields(v, n, { whole: amount, part: amount }));
    case 'sample':
      return fields(value, 'the reply', { top: amount, sum: (v, n) => amount(v, n, U128), shift: (v, n) => count(v, n, 128), keys: (v, n) => typed(v, n, BigUint64Array) });
    case 'floors': {
      const pools = request.socialized.length;
      const perPool = (check: (v: unknown, n: string) => Problem) => orNull((v, n) => list(v, n, pools, check));
      const problem = fields(value, 'the reply', {
        written: (v, n) => list(v, n, pools, (e, m) => amount(e, m)), histograms: orNull((v, n) => typed(v, n, Uint32Array, BUCKETS * pools)),
        shifts: perPool((e, m) => count(e, m, 128)), eligible: perPool((e, m) => count(e, m)), listed: perPool((e, m) => count(e, m)),
      });
      if (problem !== null) return problem;
      const reply = value as { histograms: unknown; shifts: unknown };
      return (reply.histograms === null) === (reply.shifts === null) ? null : 'histograms without shifts, or shifts without histograms';
    }
    case 'raise':
      return fields(value, 'the reply', { listed: (v, n) => list(v, n, request.cuts.length, (e, m) => count(e, m)) });
    case 'round':
      return list(value, 'the reply', request.steps.length, (v, n, at) => {
        const step = request.steps[at]!;
        return fields(v, n, {
          listed: count,
          span: step.span !== undefined || step.keep !== undefined ? span : exactly(undefined),
          counts: step.count ? (c, m) => typed(c, m, Uint32Array, BUCKETS) : exactly(undefined),
          spans: step.count?.spans ? (c, m) => (c === undefined ? null : typed(c, m, BigUint64Array, 4 * BUCKETS)) : exactly(undefined),
        });
      });
    case 'index':
      return fields(value, 'the reply', {
        total: (v, n) => amount(v, n, U128), delta: (v, n) => amount(v, n, U128), collected: (v, n) => amount(v, n, U128),
        bad: (v, n) => count(v, n, 2 ** 31 - 1, -1), charge: (v, n) => (typeof v === 'bigint' ? null : `${n} ${describe(v)}, not a bigint`),
      });
    case 'memory':
      return fields(value, 'the reply', { bytes: (v, n) => count(v, n, Number.MAX_SAFE_INTEGER) });
  }
}
