// Every small case, not a sample (issue 25): every book of up to 3 accounts with
// profits −2…6, every loss 0…16 and fund 0…4, every rounding policy, with and without
// a tie seed, with and without an exempt account, through engine.socialize and the book
// path, each equal to socializeReference field by field and certified by the auditor
// (src/audit, arithmetic of its own); a slice of them through a 2-shard engine, equal
// to one engine. The cases are counted and the count asserted.
//
// The long run (npm run test:long, SOCIALIZED_LOSS_LONG=1) adds every book of 4
// accounts: profits −2…7, losses 0…20, funds 0…3 (11,199,384 cases, a few minutes), and
// every 499th of them through a 2-shard engine.
//
// The loops are plain code inside a few tests, comparing by hand and reporting the
// first few differences: one `expect` per case would cost more than the cases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certify } from '../src/audit/index.js';
import { loadEngine, type Engine, type Rounding } from '../src/index.js';
// The shards' workers load the built worker.js: the sharded engine runs from dist/ (npm test builds first).
import { loadShardedEngine, type ShardedEngine } from '../dist/parallel/index.js';
import { socializeReference } from '../src/reference.js';
import type { SocializeResult } from '../src/types.js';
import { LONG } from './support.js';


/** What is enumerated: every book of 0 … `accounts` accounts with every profit in low…high, every loss and fund. */
interface Domain {
  low: bigint;
  high: bigint;
  accounts: number;
  maxLoss: bigint;
  maxFund: bigint;
}

const SHORT: Domain = { low: -2n, high: 6n, accounts: 3, maxLoss: 16n, maxFund: 4n };
const LONG_DOMAIN: Domain = { low: -2n, high: 7n, accounts: 4, maxLoss: 20n, maxFund: 3n };

const ROUNDINGS: readonly Rounding[] = ['largest-remainder', 'down', 'up'];
const SEEDS: readonly (bigint | undefined)[] = [undefined, 7n];

/**
 * How many cases a domain holds: per book size n, (high − low + 1)^n books, each without
 * an exemption and (n > 0) with account 0 exempt, times every loss, fund, rounding and seed.
 */
function caseCount(domain: Domain, n: number): number {
  const values = Number(domain.high - domain.low + 1n);
  const parameters = Number(domain.maxLoss + 1n) * Number(domain.maxFund + 1n) * ROUNDINGS.length * SEEDS.length;
  return values ** n * (n === 0 ? 1 : 2) * parameters;
}

/**
 * Calls `visit` once per case of book size `n` in a fixed order (books in odometer order,
 * then exemption, rounding, seed, loss, fund). The columns are reused from case to case
 * (every path copies what it keeps), in a new input object each time; `next` is true on a
 * book's or an exemption's first case, so that a book path refills its columns only then.
 */
function forEachCase(domain: Domain, n: number, visit: (input: Case, next: boolean) => void): void {
  const profits = new BigInt64Array(n).fill(domain.low);
  const exemptions = n === 0 ? [undefined] : [undefined, Uint8Array.from({ length: n }, (_, i) => (i === 0 ? 1 : 0))];
  for (;;) {
    for (const exempt of exemptions) {
      let next = true;
      for (const rounding of ROUNDINGS) {
        for (const tieSeed of SEEDS) {
          for (let loss = 0n; loss <= domain.maxLoss; loss++) {
            for (let insuranceFund = 0n; insuranceFund <= domain.maxFund; insuranceFund++) {
              visit({ loss, insuranceFund, rounding, tieSeed, profits, exempt }, next);
              next = false;
            }
          }
        }
      }
    }
    // The next book: the odometer's lowest digit first.
    let i = 0;
    while (i < n && profits[i] === domain.high) profits[i++] = domain.low;
    if (i === n) return;
    profits[i]!++;
  }
}

/** One case: a `socialize` input of plain values. */
interface Case {
  profits: BigInt64Array;
  exempt: Uint8Array | undefined;
  loss: bigint;
  insuranceFund: bigint;
  rounding: Rounding;
  tieSeed: bigint | undefined;
}

/** The first field in which `found` differs from `expected` (own keys, values by Object.is, typed arrays by element), or undefined. */
function difference(found: object, expected: object): string | undefined {
  const keys = Object.keys(expected);
  if (Object.keys(found).length !== keys.length) return `fields ${Object.keys(found).join(',')} against ${keys.join(',')}`;
  for (const key of keys) {
    const a: unknown = (found as Record<string, unknown>)[key], b: unknown = (expected as Record<string, unknown>)[key];
    if (b instanceof BigInt64Array) {
      if (!(a instanceof BigInt64Array) || a.length !== b.length || a.some((value, i) => value !== b[i])) return `${key}: ${String(a)} against ${String(b)}`;
    } else if (!Object.is(a, b)) {
      return `${key}: ${String(a)} against ${String(b)}`;
    }
  }
  return undefined;
}

/** A case as a failure message shows it. */
function describeCase({ loss, insuranceFund, rounding, tieSeed, profits, exempt }: Case): string {
  return `profits [${profits.join(', ')}]${exempt ? ` exempt [${exempt.join(', ')}]` : ''} loss ${loss} fund ${insuranceFund} ${rounding}${tieSeed === undefined ? '' : ` seed ${tieSeed}`}`;
}

/** Collects failures: how many, and the first few described. */
class Failures {
  count = 0;
  readonly first: string[] = [];

  /** Records `what` went wrong in `where`, when it did. */
  note(where: () => string, what: string | undefined): void {
    if (what === undefined) return;
    this.count++;
    if (this.first.length < 5) this.first.push(`${where()}: ${what}`);
  }
}

/**
 * Runs every case of size `n`: engine.socialize and a book of `n` accounts against
 * socializeReference, field by field, and the engine's haircuts through the auditor's
 * certificate (its totals against the reference's too). Returns the number of cases.
 */
function checkSize(engine: Engine, domain: Domain, n: number, failures: Failures): number {
  let cases = 0;
  using book = engine.createBook(n);
  forEachCase(domain, n, (input, next) => {
    cases++;
    if (next) {
      book.profits.set(input.profits);
      book.exempt.fill(0);
      if (input.exempt) book.exempt.set(input.exempt);
    }
    const where = () => describeCase(input);
    const expected = socializeReference(input);
    const found = engine.socialize(input);
    failures.note(where, difference(found, expected));
    const { loss, insuranceFund, rounding, tieSeed } = input;
    const { haircuts, ...totals } = expected;
    failures.note(where, difference(book.socialize({ loss, insuranceFund, rounding, tieSeed }), totals));
    failures.note(where, difference({ haircuts: book.haircuts }, { haircuts }));
    const certificate = certify({ profits: input.profits, exempt: input.exempt, pools: [{ loss, insuranceFund }], rounding, tieSeed }, found.haircuts);
    const [pool] = certificate.pools;
    failures.note(where, certificate.ok ? undefined : `not certified: ${certificate.mismatches} differ`);
    failures.note(where, pool === undefined ? 'no pool in the certificate' : difference(
      { insuranceUsed: pool.insuranceUsed, socialized: pool.socialized, uncovered: pool.uncovered, totalProfit: pool.totalProfit, eligible: pool.eligible, roundingDust: pool.roundingDust, surplus: pool.surplus },
      { insuranceUsed: expected.insuranceUsed, socialized: expected.socialized, uncovered: expected.uncovered, totalProfit: expected.totalProfit, eligible: expected.profitableAccounts, roundingDust: expected.roundingDust, surplus: expected.surplus },
    ));
  });
  return cases;
}

/**
 * Runs every `stride`-th case of size `n` through a sharded engine, on a sharded book
 * (its shards' views filled per case) and on the copying path, each against one engine.
 * Returns the number of cases run.
 */
async function checkSharded(engine: Engine, sharded: ShardedEngine, domain: Domain, n: number, stride: number, failures: Failures): Promise<number> {
  const picked: { input: Case; expected: SocializeResult; where: string }[] = [];
  let index = 0;
  forEachCase(domain, n, (input) => {
    if (index++ % stride !== 0) return;
    // Kept across awaits: the enumeration reuses its columns.
    const copy = { ...input, profits: input.profits.slice(), exempt: input.exempt?.slice() };
    picked.push({ input: copy, expected: engine.socialize(copy), where: describeCase(copy) });
  });
  const book = await sharded.createBook(n);
  try {
    for (const { input, expected, where } of picked) {
      for (const shard of book.shards) {
        shard.profits.set(input.profits.subarray(shard.start, shard.end));
        shard.exempt.set(input.exempt ? input.exempt.subarray(shard.start, shard.end) : new Uint8Array(shard.length));
      }
      const { loss, insuranceFund, rounding, tieSeed } = input;
      const { haircuts, ...totals } = expected;
      failures.note(() => `${where} (sharded book)`, difference(await book.socialize({ loss, insuranceFund, rounding, tieSeed }), totals));
      const written = new BigInt64Array(n);
      for (const shard of book.shards) written.set(shard.haircuts, shard.start);
      failures.note(() => `${where} (sharded book)`, difference({ haircuts: written }, { haircuts }));
      failures.note(() => `${where} (sharded copy)`, difference(await sharded.socialize(input), expected));
    }
  } finally {
    await book.free();
  }
  return picked.length;
}

describe('every small case', () => {
  let engine: Engine;
  let sharded: ShardedEngine;
  beforeAll(async () => {
    engine = await loadEngine();
    sharded = await loadShardedEngine({ shards: 2 });
  });
  afterAll(async () => {
    await sharded?.close();
  });

  it('counts its cases: a book of n accounts has 9^n profit vectors, two exemptions (n > 0), 17 × 5 × 3 × 2 parameters', () => {
    expect([0, 1, 2, 3].map((n) => caseCount(SHORT, n))).toEqual([510, 9_180, 82_620, 743_580]);
  });

  it.each([0, 1, 2, 3])('books of %i accounts: engine, book and reference agree field by field, and the auditor certifies every one', (n) => {
    const failures = new Failures();
    const cases = checkSize(engine, SHORT, n, failures);
    expect(failures.first).toEqual([]);
    expect(failures.count).toBe(0);
    expect(cases).toBe(caseCount(SHORT, n));
  });

  it('835,890 cases in all', () => {
    expect([0, 1, 2, 3].reduce((sum, n) => sum + caseCount(SHORT, n), 0)).toBe(835_890);
  });

  it('every 293rd case through a 2-shard engine (book and copying path) equals one engine', async () => {
    const failures = new Failures();
    let cases = 0;
    for (let n = 0; n <= SHORT.accounts; n++) cases += await checkSharded(engine, sharded, SHORT, n, 293, failures);
    expect(failures.first).toEqual([]);
    expect(failures.count).toBe(0);
    expect(cases).toBe([0, 1, 2, 3].reduce((sum, n) => sum + Math.ceil(caseCount(SHORT, n) / 293), 0));
  });
});

describe.runIf(LONG)('every case of the long run (SOCIALIZED_LOSS_LONG=1)', () => {
  let engine: Engine;
  let sharded: ShardedEngine;
  beforeAll(async () => {
    engine = await loadEngine();
    sharded = await loadShardedEngine({ shards: 2 });
  });
  afterAll(async () => {
    await sharded?.close();
  });

  it.each([0, 1, 2, 3, 4])('books of %i accounts, profits −2…7, losses 0…20, funds 0…3', (n) => {
    const failures = new Failures();
    const cases = checkSize(engine, LONG_DOMAIN, n, failures);
    expect(failures.first).toEqual([]);
    expect(failures.count).toBe(0);
    expect(cases).toBe(caseCount(LONG_DOMAIN, n));
  }, 4 * 3600_000);

  it('11,199,384 cases in all', () => {
    expect([0, 1, 2, 3, 4].reduce((sum, n) => sum + caseCount(LONG_DOMAIN, n), 0)).toBe(11_199_384);
  });

  it('every 499th case through a 2-shard engine equals one engine', async () => {
    const failures = new Failures();
    let cases = 0;
    for (let n = 0; n <= LONG_DOMAIN.accounts; n++) cases += await checkSharded(engine, sharded, LONG_DOMAIN, n, 499, failures);
    expect(failures.first).toEqual([]);
    expect(failures.count).toBe(0);
    expect(cases).toBe([0, 1, 2, 3, 4].reduce((sum, n) => sum + Math.ceil(caseCount(LONG_DOMAIN, n) / 499), 0));
  }, 4 * 3600_000);
});
