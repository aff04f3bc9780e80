// Venue options on the plain path: exempt accounts, rounding policies, seeded ties.
// Every result against the reference, and the contract's identities on their own.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
// The shards' workers load the built worker.js: the sharded engine runs from dist/ (npm test builds first).
import { loadShardedEngine, type ShardedEngine } from '../dist/parallel/index.js';
import type { BookDeleverageParams, BookMeasureParams, BookParams, BookPoolOptions } from '../src/book.js';
import type { LoadOptions } from '../src/engine.js';
import { loadEngine, type Engine, type Rounding } from '../src/index.js';
import { nearestKey, OPTION_KEYS } from '../src/option-keys.js';
import type { ShardedBookOptions, ShardedBookParams, ShardedLoadOptions, ShardedPoolOptions } from '../src/parallel/index.js';
import { indexDeltaReference, socializePoolsReference, socializeReference, splitmix64 } from '../src/reference.js';
import type { DeleverageInput, DeleveragePoolsInput, IndexDeltaInput, PoolParams, SocializeInput, SocializePoolsInput } from '../src/types.js';
import type { MeasureInput } from '../src/measures-input.js';
import { generateProfits, positiveTotal } from '../src/scenario.js';
import { I64_MAX } from '../src/validate.js';
import { amountUpTo, anyRounding, mostlySmall, optionalTieSeed, ROUNDINGS } from './arbitraries.js';
import { describeEachVariant, runs } from './support.js';

const profit = mostlySmall(-10n, 40n);
const book = fc.array(fc.tuple(profit, fc.boolean()), { maxLength: 60 });
const amount = amountUpTo(300n);

/** What `task` throws (failing when it returns). */
function thrown(task: () => unknown): unknown {
  try {
    task();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, got none');
}

/** The identities every result keeps, from the contract. */
function expectIdentities(profits: bigint[], exempt: boolean[], loss: bigint, rounding: Rounding, r: ReturnType<typeof socializeReference>) {
  const sum = r.haircuts.reduce((a, b) => a + b, 0n);
  expect(sum).toBe(r.socialized);
  expect(r.insuranceUsed + r.socialized + r.uncovered).toBe(loss + r.surplus);
  if (rounding !== 'down') expect(r.roundingDust).toBe(0n);
  if (rounding !== 'up') expect(r.surplus).toBe(0n);
  profits.forEach((p, i) => {
    const h = r.haircuts[i]!;
    if (p <= 0n || exempt[i]) expect(h).toBe(0n);
    else expect(h >= 0n && h <= p).toBe(true);
  });
}

describeEachVariant('options in one line', (engine) => {
  it('largest remainder by default: the unit left goes to 66.67', () => expect(engine().socialize({ loss: 500n, profits: [600n, 300n, 300n, 200n, 100n] }).haircuts).toEqual(BigInt64Array.from([200n, 100n, 100n, 67n, 33n])));
  it("'down' pays every floor (the unit left is dust)", () => expect(engine().socialize({ loss: 500n, profits: [600n, 300n, 300n, 200n, 100n], rounding: 'down' }).haircuts).toEqual(BigInt64Array.from([200n, 100n, 100n, 66n, 33n])));
  it("'up' pays every ceiling (one unit of surplus)", () => expect(engine().socialize({ loss: 500n, profits: [600n, 300n, 300n, 200n, 100n], rounding: 'up' }).haircuts).toEqual(BigInt64Array.from([200n, 100n, 100n, 67n, 34n])));
  it('an exempt account pays nothing, the others share its part', () => expect(engine().socialize({ loss: 500n, profits: [600n, 300n, 300n, 200n, 100n], exempt: [true, false, false, false, false] }).haircuts).toEqual(BigInt64Array.from([0n, 167n, 167n, 111n, 55n])));
  it('equal remainders go to the lower index', () => expect(engine().socialize({ loss: 2n, profits: [100n, 100n, 100n, 100n] }).haircuts).toEqual(BigInt64Array.from([1n, 1n, 0n, 0n])));
  it('a tie seed orders equal remainders by splitmix64(seed XOR index)', () => expect(engine().socialize({ loss: 2n, profits: [100n, 100n, 100n, 100n], tieSeed: 42n }).haircuts).toEqual(BigInt64Array.from([0n, 0n, 1n, 1n])));
  it("'down' with an exempt account: 10 over [7, 7] is 5 and 5", () => expect(engine().socialize({ loss: 10n, profits: [7n, 7n, 7n], exempt: [false, true, false], rounding: 'down' }).haircuts).toEqual(BigInt64Array.from([5n, 0n, 5n])));
});

describeEachVariant('options', (engine) => {
  it('equals the reference for every rounding, exemption and tie seed', () => {
    fc.assert(fc.property(book, amount, amount, anyRounding, optionalTieSeed, (rows, loss, insuranceFund, rounding, tieSeed) => {
      const profits = rows.map(([p]) => p);
      const exempt = rows.map(([, e]) => e);
      const input = { loss, insuranceFund, profits, exempt, rounding, tieSeed };
      const result = engine().socialize(input);
      const expected = socializeReference(input);
      expect(result).toEqual(expected);
      expectIdentities(profits, exempt, loss, rounding, result);
    }), runs(300));
  });

  it('rounds down and up around the same exact quotas', () => {
    fc.assert(fc.property(fc.array(fc.bigInt({ min: -5n, max: 10n ** 12n }), { maxLength: 50 }), fc.bigInt({ min: 0n, max: 10n ** 12n }), (profits, loss) => {
      const lr = engine().socialize({ loss, profits });
      const down = engine().socialize({ loss, profits, rounding: 'down' });
      const up = engine().socialize({ loss, profits, rounding: 'up' });
      profits.forEach((_, i) => {
        expect(down.haircuts[i]! <= lr.haircuts[i]! && lr.haircuts[i]! <= up.haircuts[i]!).toBe(true);
        expect(up.haircuts[i]! - down.haircuts[i]! <= 1n).toBe(true);
      });
      expect(down.socialized + down.roundingDust).toBe(lr.socialized);
      expect(up.socialized - up.surplus).toBe(lr.socialized);
    }), runs(200));
  });

  it('orders seeded ties by ascending splitmix64(seed XOR index)', () => {
    const profits = Array.from({ length: 12 }, () => 7n);
    for (const tieSeed of [0n, 1n, 0xdeadbeefn, 2n ** 64n - 1n]) {
      const r = engine().socialize({ loss: 3n, profits, tieSeed });
      const order = profits.map((_, i) => i).sort((a, b) => {
        const x = splitmix64(tieSeed ^ BigInt(a)), y = splitmix64(tieSeed ^ BigInt(b));
        return x < y ? -1 : x > y ? 1 : a - b;
      });
      expect([...r.haircuts].flatMap((h, i) => (h ? [i] : []))).toEqual(order.slice(0, 3).sort((a, b) => a - b));
    }
    expect(engine().socialize({ loss: 3n, profits }).haircuts.slice(0, 3)).toEqual(BigInt64Array.from([1n, 1n, 1n]));
  });

  // Large books go through the sampled pass and the settling rounds with ties everywhere.
  it.each([
    ['narrow, loss a third', false],
    ['wide (total past 2^64), loss a third', true],
  ])('seeded ties and exemptions on 80,000 accounts: %s', (_, wide) => {
    const base = generateProfits(80_000, 'uniform', 5);
    const profits = wide ? base.map((p) => I64_MAX - (p < 0n ? -p : p) % 5n) : base.map((p) => (p < 0n ? p : p % 7n));
    const exempt = Uint8Array.from(profits, (_, i) => (i % 13 === 0 ? 1 : 0));
    const total = positiveTotal(profits.filter((_, i) => !exempt[i]));
    const third = total / 3n + 1n;
    const loss = third > I64_MAX ? I64_MAX : third;
    for (const rounding of ROUNDINGS) {
      const input = { loss, profits, exempt, rounding, tieSeed: 0x1234_5678_9abc_def0n };
      expect(engine().socialize(input)).toEqual(socializeReference(input));
    }
  });

  it('reads exemptions from a book\'s exempt view', () => {
    const profits = generateProfits(5_000, 'realistic', 2);
    using b = engine().createBook(profits.length);
    b.profits.set(profits);
    expect(b.exempt.every((e) => e === 0)).toBe(true);
    for (let i = 0; i < profits.length; i += 7) b.exempt[i] = 1;
    const summary = b.socialize({ loss: 10n ** 13n, rounding: 'up', tieSeed: 9n });
    const { haircuts, ...expected } = socializeReference({ loss: 10n ** 13n, profits, exempt: [...b.exempt].map(Boolean), rounding: 'up', tieSeed: 9n });
    expect(summary).toEqual(expected);
    expect(b.haircuts).toEqual(haircuts);
  });
});

describe('bad options', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await loadEngine();
  });
  it.each([
    ['an unknown rounding', { rounding: 'nearest' }, RangeError, /^rounding must be one of 'largest-remainder', 'down', 'up', got "nearest"/],
    ['a rounding that is not a string', { rounding: 1 }, TypeError, /^rounding must be a string/],
    ['a tieSeed that is a number', { tieSeed: 5 }, TypeError, /^tieSeed must be a bigint, got 5/],
    ['a tieSeed past 64 bits', { tieSeed: 2n ** 64n }, RangeError, /^tieSeed must fit in 64 bits/],
    ['exempt of another length', { exempt: new Uint8Array(3) }, RangeError, /^exempt has 3 entries; expected one per account \(2\)/],
    ['exempt not an array', { exempt: 'yes' }, TypeError, /^exempt must be a Uint8Array or an array of booleans/],
    ['an exempt entry that is not a boolean', { exempt: [true, 1] }, TypeError, /^exempt\[1\] must be a boolean, got 1/],
  ] as const)('%s', (_, extra, error, message) => {
    const input = { loss: 1n, profits: [1n, 2n], ...extra } as never;
    expect(() => engine.socialize(input)).toThrow(error);
    expect(() => engine.socialize(input)).toThrow(message);
    expect(() => socializeReference(input)).toThrow(message);
  });

  it('splitmix64 is the standard finalizer', () => {
    expect(splitmix64(0n)).toBe(0xe220a8397b1dcdafn);
  });
});

// Issue 25: an options object with a key its call does not take is refused, naming the
// key, where it is, and the nearest known one: a misspelled option never silently takes
// its default (`insurance_fund` would leave the fund at 0).
describe('unknown option keys', () => {
  let engine: Engine;
  let sharded: ShardedEngine;
  beforeAll(async () => {
    engine = await loadEngine();
    sharded = await loadShardedEngine({ shards: 2 });
  });
  afterAll(async () => {
    await sharded?.close();
  });

  const profits = [5n, 5n];
  const pool = new Uint32Array(2);
  /** Each public call that takes an options object, with a misspelled key, and the message it must give. */
  const calls: [name: string, call: () => unknown, message: string][] = [
    ['engine.socialize', () => engine.socialize({ loss: 5n, profits, insurance_fund: 5n } as never), 'unknown option insurance_fund; did you mean insuranceFund?'],
    ['engine.socializePools', () => engine.socializePools({ profits, pool, pools: [{ loss: 5n }], tie_seed: 1n } as never), 'unknown option tie_seed; did you mean tieSeed?'],
    ['engine.socializePools, a pool', () => engine.socializePools({ profits, pool, pools: [{ loss: 5n }, { loss: 1n, insurance_fund: 5n }] as never }), 'unknown option pools[1].insurance_fund; did you mean insuranceFund?'],
    ['engine.indexDelta', () => engine.indexDelta({ loss: 5n, units: profits, scale: 10n, charge_rounding: 'down' } as never), 'unknown option charge_rounding; did you mean chargeRounding?'],
    ['book.socialize', () => engine.createBook(2).socialize({ loss: 5n, insurance_fund: 5n } as never), 'unknown option insurance_fund; did you mean insuranceFund?'],
    ['book.socializePools, a pool', () => engine.createBook(2).socializePools([{ loss: 5n, insurance_fund: 5n }] as never), 'unknown option pools[0].insurance_fund; did you mean insuranceFund?'],
    ['book.socializePools, its options', () => engine.createBook(2).socializePools([{ loss: 5n }], { Rounding: 'up' } as never), 'unknown option Rounding; did you mean rounding?'],
    ['socializeReference', () => socializeReference({ loss: 5n, profits, insurance_fund: 5n } as never), 'unknown option insurance_fund; did you mean insuranceFund?'],
    ['socializePoolsReference', () => socializePoolsReference({ profits, pool, pools: [{ loss: 5n }], exempts: [false, false] } as never), 'unknown option exempts; did you mean exempt?'],
    ['socializePoolsReference, a pool', () => socializePoolsReference({ profits, pool, pools: [{ lost: 5n }] as never }), 'unknown option pools[0].lost; did you mean loss?'],
    ['indexDeltaReference', () => indexDeltaReference({ loss: 5n, units: profits, scale: 10n, scales: 10n } as never), 'unknown option scales; did you mean scale?'],
  ];
  const asyncCalls: [name: string, call: () => Promise<unknown>, message: string][] = [
    ['loadEngine', () => loadEngine({ varient: 'scalar' } as never), 'unknown option varient; did you mean variant?'],
    ['loadShardedEngine', () => loadShardedEngine({ shard: 1 } as never), 'unknown option shard; did you mean shards?'],
    ['sharded.socialize', () => sharded.socialize({ loss: 5n, profits, insurance_fund: 5n } as never), 'unknown option insurance_fund; did you mean insuranceFund?'],
    ['sharded.socializePools', () => sharded.socializePools({ profits, pool, pools: [{ loss: 5n }], weight: [1n, 1n] } as never), 'unknown option weight; did you mean weights?'],
    ['sharded.socializePools, a pool', () => sharded.socializePools({ profits, pool, pools: [{ loss: 5n, insuranceFunds: 1n }] as never }), 'unknown option pools[0].insuranceFunds; did you mean insuranceFund?'],
    ['sharded.indexDelta', () => sharded.indexDelta({ loss: 5n, units: profits, scale: 10n, round: 'down' } as never), 'unknown option round; did you mean rounding?'],
    ['sharded.createBook', () => sharded.createBook(2, { pool: true } as never), 'unknown option pool; did you mean pools?'],
    ['a sharded book\'s socialize', async () => (await sharded.createBook(2)).socialize({ loss: 5n, tie_seed: 1n } as never), 'unknown option tie_seed; did you mean tieSeed?'],
    ['a sharded book\'s socializePools, a pool', async () => (await sharded.createBook(2, { pools: true })).socializePools([{ loss: 5n }, { loss: 1n, fund: 1n }] as never), 'unknown option pools[1].fund (the options are loss, insuranceFund)'],
    ['a sharded book\'s socializePools, its options', async () => (await sharded.createBook(2, { pools: true })).socializePools([{ loss: 5n }], { cap: true } as never), 'unknown option cap; did you mean caps?'],
  ];

  it.each(calls)('%s refuses a misspelled key', (_, call, message) => {
    const error = thrown(call);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ code: 'ERR_UNKNOWN_OPTION', message });
  });

  it.each(asyncCalls)('%s rejects a misspelled key', async (_, call, message) => {
    await expect(call()).rejects.toThrow(TypeError);
    await expect(call()).rejects.toMatchObject({ code: 'ERR_UNKNOWN_OPTION', message });
  });

  it('a fund spelled insurance_fund is never a fund of 0', () => {
    expect(() => engine.socialize({ loss: 5n, profits, insurance_fund: 5n } as never)).toThrow('unknown option insurance_fund; did you mean insuranceFund?');
    expect(engine.socialize({ loss: 5n, profits, insuranceFund: 5n }).haircuts).toEqual(BigInt64Array.of(0n, 0n));
  });

  it('names the options when no known key is close, and quotes a key that is not a name', () => {
    expect(() => engine.socialize({ loss: 5n, profits, frobnicate: 1 } as never))
      .toThrow(/^unknown option frobnicate \(the options are loss, insuranceFund, profits, exempt, rounding, tieSeed, weights, caps\)$/);
    expect(() => engine.socialize({ loss: 5n, profits, 'insurance fund': 1n } as never)).toThrow(/^unknown option "insurance fund"; did you mean insuranceFund\?$/);
    expect(() => engine.indexDelta({ loss: 5n, units: profits, scale: 1n, x: 1 } as never)).toThrow(/^unknown option x \(the options are loss, units, scale, rounding, chargeRounding\)$/);
  });

  it('nearest by an edit distance over case-folded names without _ and -', () => {
    expect(nearestKey('insurance-fund', OPTION_KEYS.socialize)).toBe('insuranceFund');
    expect(nearestKey('TIESEED', OPTION_KEYS.socialize)).toBe('tieSeed');
    expect(nearestKey('tiesede', OPTION_KEYS.socialize)).toBe('tieSeed');
    expect(nearestKey('profit', OPTION_KEYS.socialize)).toBe('profits');
    expect(nearestKey('timeout', OPTION_KEYS.loadShardedEngine)).toBe('timeoutMs');
    expect(nearestKey('fund', OPTION_KEYS.socialize)).toBeUndefined();
    expect(nearestKey('a', OPTION_KEYS.socialize)).toBeUndefined();
  });

  it('refuses an unknown key whatever its value (undefined too), and before any value is read', () => {
    expect(() => engine.socialize({ loss: 5n, profits, insurance_fund: undefined } as never)).toThrow(/^unknown option insurance_fund/);
    let reads = 0;
    const input = { get loss() { reads++; return 5n; }, profits, tieseed: 1n };
    expect(() => engine.socialize(input as never)).toThrow(/^unknown option tieseed; did you mean tieSeed\?$/);
    expect(() => socializeReference(input as never)).toThrow(/^unknown option tieseed/);
    expect(reads).toBe(0);
  });

  it('a book refused for an unknown key is left as it was', () => {
    using book = engine.createBook(2);
    book.profits.set([10n, 20n]);
    book.socialize({ loss: 6n });
    const before = book.haircuts.slice();
    expect(() => book.socialize({ loss: 30n, rounding: 'up', tie_seed: 1n } as never)).toThrow(/^unknown option tie_seed/);
    expect(() => book.socializePools([{ loss: 30n }], { weights: book.weights, Caps: book.caps } as never)).toThrow(/^unknown option Caps; did you mean caps\?$/);
    expect(book.haircuts).toEqual(before);
  });

  it('checks every string key the readers could take: own (enumerable or not) and inherited; symbols are not options', () => {
    const expected = engine.socialize({ loss: 5n, profits, insuranceFund: 1n });
    const symbol = { loss: 5n, profits, insuranceFund: 1n, [Symbol('note')]: 'x' };
    expect(engine.socialize(symbol as never)).toEqual(expected);
    expect(socializeReference(symbol as never)).toEqual(expected);
    // Known keys from a prototype (defaults), or a class's fields and getters, are read: so
    // a misspelled one there must be refused too, never a fund of 0.
    const defaults = Object.assign(Object.create({ insuranceFund: 1n }) as object, { loss: 5n, profits });
    expect(engine.socialize(defaults as never)).toEqual(expected);
    class Params {
      loss = 5n;
      profits = profits;
      get insuranceFund() {
        return 1n;
      }
    }
    expect(engine.socialize(new Params())).toEqual(expected);
    class Misspelled {
      loss = 5n;
      profits = profits;
      get insurance_fund() {
        return 1n;
      }
    }
    const inherited = Object.assign(Object.create({ insurance_fund: 5n }) as object, { loss: 5n, profits });
    const hidden = Object.defineProperty({ loss: 5n, profits }, 'insurance_fund', { value: 5n, enumerable: false });
    for (const input of [new Misspelled(), inherited, hidden]) {
      expect(() => engine.socialize(input as never)).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_OPTION', message: 'unknown option insurance_fund; did you mean insuranceFund?' }));
      expect(() => socializeReference(input as never)).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_OPTION' }));
    }
    const pools = [Object.assign(Object.create({ extra: 1 }) as object, { loss: 5n })] as never;
    expect(() => engine.socializePools({ profits, pool, pools })).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_OPTION', message: expect.stringMatching(/^unknown option pools\[0\]\.extra/) }));
  });

  it('each list of known keys is its call\'s type, exactly', () => {
    expectTypeOf<(typeof OPTION_KEYS.socialize)[number]>().toEqualTypeOf<keyof SocializeInput>();
    expectTypeOf<(typeof OPTION_KEYS.socializePools)[number]>().toEqualTypeOf<keyof SocializePoolsInput>();
    expectTypeOf<(typeof OPTION_KEYS.pool)[number]>().toEqualTypeOf<keyof PoolParams>();
    expectTypeOf<(typeof OPTION_KEYS.bookSocialize)[number]>().toEqualTypeOf<keyof BookParams>();
    expectTypeOf<(typeof OPTION_KEYS.bookSocialize)[number]>().toEqualTypeOf<keyof ShardedBookParams>();
    expectTypeOf<(typeof OPTION_KEYS.bookPools)[number]>().toEqualTypeOf<keyof BookPoolOptions>();
    expectTypeOf<(typeof OPTION_KEYS.bookPools)[number]>().toEqualTypeOf<keyof ShardedPoolOptions>();
    expectTypeOf<(typeof OPTION_KEYS.indexDelta)[number]>().toEqualTypeOf<keyof IndexDeltaInput>();
    expectTypeOf<(typeof OPTION_KEYS.deleverage)[number]>().toEqualTypeOf<keyof DeleverageInput>();
    expectTypeOf<(typeof OPTION_KEYS.deleveragePools)[number]>().toEqualTypeOf<keyof DeleveragePoolsInput>();
    expectTypeOf<(typeof OPTION_KEYS.bookDeleverage)[number]>().toEqualTypeOf<keyof BookDeleverageParams>();
    expectTypeOf<(typeof OPTION_KEYS.measureHaircuts)[number]>().toEqualTypeOf<keyof MeasureInput>();
    expectTypeOf<(typeof OPTION_KEYS.bookMeasureHaircuts)[number]>().toEqualTypeOf<keyof BookMeasureParams>();
    expectTypeOf<(typeof OPTION_KEYS.loadEngine)[number]>().toEqualTypeOf<keyof LoadOptions>();
    expectTypeOf<(typeof OPTION_KEYS.loadShardedEngine)[number]>().toEqualTypeOf<keyof ShardedLoadOptions>();
    expectTypeOf<(typeof OPTION_KEYS.shardedBook)[number]>().toEqualTypeOf<keyof ShardedBookOptions>();
    // And at run time: no list names a key twice.
    for (const keys of Object.values(OPTION_KEYS)) expect(new Set(keys).size).toBe(keys.length);
  });
});

// The contract: every input is read completely before the engine runs, so an accessor
// that calls back into the engine (or the same book) cannot change the result; and each
// option is read once.
describe('accessors that call back into the engine', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await loadEngine();
  });

  /** `values` as an object whose every property is a getter that counts its reads in `reads` and first runs `hook`. */
  function counted<T extends object>(values: T, reads: Map<string, number>, hook: () => void): T {
    const object = {};
    for (const [key, value] of Object.entries(values)) {
      Object.defineProperty(object, key, {
        enumerable: true,
        get: () => {
          reads.set(key, (reads.get(key) ?? 0) + 1);
          hook();
          return value;
        },
      });
    }
    return object as T;
  }

  /** A call back into the engine: a copying call, a book made and used, each allocating engine memory. */
  const reenter = () => {
    engine.socialize({ loss: 3n, profits: [1n, 2n, 3n], rounding: 'up', tieSeed: 1n });
    using other = engine.createBook(100_000);
    other.profits.fill(1n);
    other.socialize({ loss: 7n });
  };

  it('engine.socialize, socializePools and indexDelta read each option once, before the engine runs', () => {
    const plain = { loss: 50n, insuranceFund: 3n, profits: [10n, 20n, 30n], exempt: [false, true, false], rounding: 'largest-remainder' as const, tieSeed: 9n };
    const reads = new Map<string, number>();
    expect(engine.socialize(counted(plain, reads, reenter))).toEqual(socializeReference(plain));
    expect([...reads.values()]).toEqual(Object.keys(plain).map(() => 1));

    const pooled = { profits: [10n, 20n, 30n], pool: Uint32Array.of(0, 1, 0), exempt: [false, false, false], rounding: 'down' as const, tieSeed: 2n };
    const poolReads = new Map<string, number>();
    const pools = [counted({ loss: 25n, insuranceFund: 1n }, poolReads, reenter), counted({ loss: 7n }, poolReads, reenter)];
    reads.clear();
    const expected = socializePoolsReference({ ...pooled, pools: [{ loss: 25n, insuranceFund: 1n }, { loss: 7n }] });
    expect(engine.socializePools(counted({ ...pooled, pools }, reads, reenter))).toEqual(expected);
    expect([...reads.values()]).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Object.fromEntries(poolReads)).toEqual({ loss: 2, insuranceFund: 1 }); // one read per pool

    const delta = { loss: 100n, units: [3n, -3n, 1n], scale: 1000n, rounding: 'down' as const, chargeRounding: 'up' as const };
    reads.clear();
    expect(engine.indexDelta(counted(delta, reads, reenter))).toEqual(indexDeltaReference(delta));
    expect([...reads.values()]).toEqual([1, 1, 1, 1, 1]);
  });

  it('a book\'s socialize and socializePools: an accessor that socializes the same book cannot change the result', () => {
    using book = engine.createBook(3);
    book.profits.set([10n, 20n, 30n]);
    const inner = () => {
      reenter();
      book.socialize({ loss: 1n }); // writes the book's haircuts mid-call
    };
    const reads = new Map<string, number>();
    const params = { loss: 31n, insuranceFund: 1n, rounding: 'up' as const, tieSeed: 4n };
    const { haircuts, ...totals } = socializeReference({ ...params, profits: [10n, 20n, 30n] });
    expect(book.socialize(counted(params, reads, inner))).toEqual(totals);
    expect(book.haircuts).toEqual(haircuts);
    expect([...reads.values()]).toEqual([1, 1, 1, 1]);

    book.pool.set([0, 1, 1]);
    reads.clear();
    const pooled = socializePoolsReference({ profits: [10n, 20n, 30n], pool: Uint32Array.of(0, 1, 1), pools: [{ loss: 4n }, { loss: 11n }], tieSeed: 5n });
    const result = book.socializePools([counted({ loss: 4n }, reads, inner), { loss: 11n }], counted({ tieSeed: 5n }, reads, inner));
    expect(result).toEqual(pooled.pools);
    expect(book.haircuts).toEqual(pooled.haircuts);
    expect(Object.fromEntries(reads)).toEqual({ loss: 1, tieSeed: 1 });
  });

  it('a Proxy whose key trap calls back into the engine: keys are listed before anything runs', () => {
    const plain = { loss: 50n, profits: [10n, 20n, 30n] };
    const input = new Proxy(plain, { ownKeys: (target) => (reenter(), Reflect.ownKeys(target)) });
    expect(engine.socialize(input)).toEqual(socializeReference(plain));
  });
});
