// `socialized-loss/audit`: the auditor `verify` and `explain` run, in process. It
// takes the input object of `engine.socialize`, `socializePools`, `deleverage` or
// `deleveragePools` (validated as those calls validate it) and checks a haircut
// vector, or derives one account's haircut, with plain bigint arithmetic that
// shares no code with the engine, its core or the reference (src/audit).

import { certify as certifyBook, explainAccount as explainBook, explanationJson, type AuditBook, type JsonValue } from './audit/index.js';
import { certifyQueue, explainQueue, type QueueBook } from './audit/queue.js';
import { readDeleverageInput, readDeleveragePoolsInput } from './deleverage-input.js';
import { typeError, rangeError } from './errors.js';
import { checkKeys, OPTION_KEYS } from './option-keys.js';
import { poolOutOfRange, readPoolsInput } from './pools-input.js';
import type { DeleverageInput, DeleveragePoolsInput, SocializeInput, SocializePoolsInput } from './types.js';
import { formatUnits } from './units.js';
import { checkOptionalColumn, describe, readColumn, readInput, toInt64Column } from './validate.js';

/** What `certify` and `explainAccount` take: the input of a socialize, socializePools, deleverage or deleveragePools call. */
export type AuditInput = SocializeInput | SocializePoolsInput | DeleverageInput | DeleveragePoolsInput;

/** One haircut that is not what the rule gives. */
export interface CertifyDifference {
  index: number;
  expected: bigint;
  found: bigint;
}

/** What `certify` found. */
export interface Certificate {
  /** Every haircut is what the rule gives. */
  ok: boolean;
  /** How many accounts were checked. */
  accounts: number;
  /** How many haircuts differ. */
  mismatches: number;
  /** The first 10 differences, by ascending index. */
  differences: CertifyDifference[];
}

/** The book an input describes, for the auditor: the queue's (with `scores`) or the pro-rata split's. */
type Read = { queue: QueueBook; book?: undefined } | { book: AuditBook; queue?: undefined };

/** The input read and checked as its engine call reads it, as the auditor's columns of its own. */
function readAuditInput(input: AuditInput): Read {
  if (typeof input !== 'object' || input === null) throw typeError('ERR_INVALID_TYPE', `the input must be an object, got ${describe(input)}`);
  const pooled = 'pool' in input || 'pools' in input;
  if ('scores' in input) {
    const q = pooled ? readDeleveragePoolsInput(input) : readDeleverageInput(input);
    const column = (values: bigint[]) => BigInt64Array.from(values);
    return {
      queue: {
        profits: column(q.profits), capacities: column(q.capacities), scores: column(q.scores), lots: column(q.lots), exempt: q.exempt, tieSeed: q.tieSeed,
        ...('pool' in q ? { pool: q.pool, pools: q.pools } : { pools: [{ loss: q.loss, insuranceFund: q.insuranceFund }] }),
      },
    };
  }
  const column = (values: unknown, field: string, n: number) => toInt64Column(checkOptionalColumn(values, field, n)!, field, n);
  if (pooled) {
    const p = readPoolsInput(input);
    const n = p.profits.length;
    const bad = p.pool.findIndex((k) => k >= p.pools.length);
    if (bad >= 0) throw poolOutOfRange(bad, p.pool[bad]!, p.pools.length);
    return {
      book: {
        profits: column(p.profits, 'profits', n), pool: p.pool, pools: p.pools, exempt: p.exempt, rounding: p.options.rounding, tieSeed: p.options.tieSeed,
        ...(p.weights ? { weights: BigInt64Array.from(readColumn(p.weights, 'weights', true)) } : {}),
        ...(p.caps ? { caps: BigInt64Array.from(readColumn(p.caps, 'caps', true)) } : {}),
      },
    };
  }
  const s = readInput(input);
  const n = s.profits.length;
  return {
    book: {
      profits: column(s.profits, 'profits', n), pools: [{ loss: s.loss, insuranceFund: s.insuranceFund }], exempt: s.exempt, rounding: s.rounding, tieSeed: s.tieSeed,
      ...(s.weights ? { weights: BigInt64Array.from(readColumn(s.weights, 'weights', true)) } : {}),
      ...(s.caps ? { caps: BigInt64Array.from(readColumn(s.caps, 'caps', true)) } : {}),
    },
  };
}

/**
 * Checks `haircuts` against the rule `input` states (the input of `engine.socialize`,
 * `socializePools`, `deleverage` or `deleveragePools`), with the auditor's own plain-bigint
 * arithmetic: `ok`, how many differ, and the first 10 with what the rule gives. The same
 * certificate `socialized-loss verify` gives a haircuts file.
 *
 * @example
 * const input = { loss: 10n, profits: [5n, 3n, -2n, 2n] };
 * certify(input, engine.socialize(input).haircuts) // { ok: true, accounts: 4, mismatches: 0, differences: [] }
 */
export function certify(input: AuditInput, haircuts: BigInt64Array | readonly bigint[]): Certificate {
  const read = readAuditInput(input);
  const n = (read.queue ?? read.book).profits.length;
  const found = toInt64Column(checkOptionalColumn(haircuts, 'haircuts', n) ?? [], 'haircuts', n);
  if (read.queue) {
    const { mismatches, differences } = certifyQueue(read.queue, found, 10);
    return { ok: mismatches === 0, accounts: n, mismatches, differences };
  }
  const { ok, mismatches, differences } = certifyBook(read.book, found, 10);
  return { ok, accounts: n, mismatches, differences };
}

/** The options of `explainAccount`. */
export interface ExplainOptions {
  /** The amounts' fraction digits: amounts as exact decimals (default 0: integer units). */
  decimals?: number | undefined;
  /** Each account's identifier, by index: the explanation names accounts by them. */
  accounts?: readonly string[] | undefined;
}

/**
 * One account's whole derivation under the rule `input` states, with the fields of
 * `socialized-loss explain --json` (amounts as decimals at `decimals`, accounts named by
 * `accounts`): its pool's waterfall and totals, its eligibility, its exact quota, floor
 * and remainder, its rank, the boundary and its haircut; for the queue, its score, rank,
 * the need when its turn came, what it paid and why.
 *
 * @example
 * explainAccount({ loss: 10n, profits: [5n, 3n, -2n, 2n] }, 0).haircut // '5'
 */
export function explainAccount(input: AuditInput, index: number, options: ExplainOptions = {}): { [key: string]: JsonValue } {
  if (typeof options !== 'object' || options === null) throw typeError('ERR_INVALID_TYPE', `options must be an object, got ${describe(options)}`);
  checkKeys(options, OPTION_KEYS.explainAccount);
  const { decimals = 0, accounts } = options;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 18) throw rangeError('ERR_OUT_OF_RANGE', `decimals must be a whole number from 0 to 18, got ${String(decimals)}`);
  const read = readAuditInput(input);
  const n = (read.queue ?? read.book).profits.length;
  if (!Number.isInteger(index) || index < 0 || index >= n) throw rangeError('ERR_OUT_OF_RANGE', `index must be a whole number from 0 to ${n - 1}, got ${String(index)}`);
  if (accounts !== undefined && (!Array.isArray(accounts) || accounts.length !== n || accounts.some((a) => typeof a !== 'string'))) {
    throw typeError('ERR_INVALID_TYPE', `accounts must be an array of ${n} strings, one identifier per account`);
  }
  const amount = (units: bigint) => formatUnits(units, decimals);
  const name = (i: number) => accounts?.[i] ?? String(i);
  if (read.queue) {
    const place = explainQueue(read.queue, index);
    return {
      account: name(index), mechanism: 'queue', inQueue: place.reason === 'in the queue', reason: place.reason, score: place.score.toString(),
      capacity: amount(place.capacity), lot: amount(place.lot), rank: place.rank, queueLength: place.queueLength, toCover: amount(place.toCover),
      needBefore: amount(place.needBefore), haircut: amount(place.paid), why: place.why,
    };
  }
  return explanationJson(explainBook(read.book, index), {
    amount, decimals, weight: (units: bigint) => units.toString(), account: name(index), accountOf: name,
  });
}
