// Faults whatever the input (issue 11): arrays of parameters with holes, views kept
// from freed books, inputs whose getters call back into the engine, the SIMD check
// repeated per engine, and a stable code on every error the library throws.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Core } from '../src/core.js';
import { Heap } from '../src/heap.js';
import { ERROR_CODES, isSocializedLossError, loadEngine, MAX_ACCOUNTS, type Book, type Engine, type ErrorCode } from '../src/index.js';
import { indexDeltaReference, socializePoolsReference, socializeReference } from '../src/reference.js';
import { I64_MAX } from '../src/validate.js';
import { VARIANTS } from './support.js';

type ErrorClass = typeof Error | typeof TypeError | typeof RangeError;

/** What `task` throws (failing when it returns). */
function thrown(task: () => unknown): unknown {
  try {
    task();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, got none');
}

/** Checks that `error` is exactly of `kind` (not a subclass) and carries `code`. */
function expectCoded(error: unknown, kind: ErrorClass, code: ErrorCode, message?: RegExp): void {
  expect(error).toBeInstanceOf(kind);
  expect(Object.getPrototypeOf(error)).toBe(kind.prototype);
  expect((error as { code?: unknown }).code).toBe(code);
  expect(isSocializedLossError(error)).toBe(true);
  if (message) expect((error as Error).message).toMatch(message);
}

/** A copy of `values` whose element `at` is a getter that runs `hook` each time it is read. */
function withGetter<T>(values: readonly T[], at: number, hook: () => void): T[] {
  const array = [...values];
  Object.defineProperty(array, at, { enumerable: true, get: () => (hook(), values[at]) });
  return array;
}

/** A Proxy of `values` (Array.isArray is true for it) that runs `hook` whenever element `at` is read. */
function proxied<T>(values: readonly T[], at: number, hook: () => void): T[] {
  return new Proxy([...values], {
    get(target, key, receiver) {
      if (key === String(at)) hook();
      return Reflect.get(target, key, receiver);
    },
  });
}

describe.each(VARIANTS)('faults (%s core)', (variant) => {
  let engine: Engine;
  /** Books a hook created: kept until the end of the test, so that every new one grows the memory. */
  const extra: Book[] = [];
  // A fresh engine per test: no free gap left by an earlier test can take a hook's book.
  beforeEach(async () => {
    engine = await loadEngine({ variant });
  });
  afterEach(() => {
    for (const book of extra.splice(0)) book.free();
  });
  /** Grows the engine memory (a book of 200,000 accounts, 5.8 MB), as a callback into the engine would. */
  const grow = () => {
    const before = engine.memoryBytes;
    extra.push(engine.createBook(200_000));
    expect(engine.memoryBytes).toBeGreaterThan(before);
  };

  describe('pools with holes or entries that are not objects', () => {
    const profits = [10n, 20n, 30n];
    const pool = Uint32Array.of(0, 1, 1);
    // eslint-disable-next-line no-sparse-arrays
    const holes: [string, unknown[], RegExp][] = [
      ['a hole first', [, { loss: 1n }], /^pools\[0\] must be an object with a loss, got a hole/],
      ['a hole later', [{ loss: 1n }, , { loss: 2n }], /^pools\[1\] must be an object with a loss, got a hole/],
      ['undefined', [{ loss: 1n }, undefined], /^pools\[1\] must be an object with a loss, got undefined/],
      ['null', [null, { loss: 1n }], /^pools\[0\] must be an object with a loss, got null/],
      ['a number', [{ loss: 1n }, 5], /^pools\[1\] must be an object with a loss, got 5/],
      ['a string', ['x', { loss: 1n }], /^pools\[0\] must be an object with a loss, got "x"/],
    ];

    it.each(holes)('are a TypeError naming the index in the engine, the book and the reference: %s', (_, pools, message) => {
      const input = { profits, pool, pools: pools as never };
      expectCoded(thrown(() => engine.socializePools(input)), TypeError, 'ERR_INVALID_TYPE', message);
      expectCoded(thrown(() => socializePoolsReference(input)), TypeError, 'ERR_INVALID_TYPE', message);
      using book = engine.createBook(3);
      book.profits.set(profits);
      book.pool.set(pool);
      expectCoded(thrown(() => book.socializePools(pools as never)), TypeError, 'ERR_INVALID_TYPE', message);
      expect(book.haircuts.every((h) => h === 0n)).toBe(true);
    });
  });

  describe('views kept from a freed book', () => {
    /** Every view of a book, optional columns included (created here). */
    const viewsOf = (book: Book) => ({
      profits: book.profits, haircuts: book.haircuts, exempt: book.exempt, pool: book.pool, weights: book.weights, caps: book.caps,
    });
    /** Writes through every kept view (element by element: a detached view ignores writes, where fill would throw). */
    const scribble = (views: ReturnType<typeof viewsOf>) => {
      for (let i = 0; i < views.profits.length; i++) {
        views.profits[i] = -7n;
        views.haircuts[i] = 5n;
        views.exempt[i] = 1;
        views.pool[i] = 3;
        views.weights[i] = 9n;
        views.caps[i] = 9n;
      }
    };
    /** Checks that every column of `book` is still zero, then that it computes what the reference does. */
    const expectUntouched = (book: Book) => {
      for (const view of [book.profits, book.haircuts, book.weights, book.caps]) expect(view.every((v) => v === 0n)).toBe(true);
      for (const view of [book.exempt, book.pool]) expect(view.every((v) => v === 0)).toBe(true);
      const profits = Array.from({ length: book.length }, (_, i) => BigInt((i * 7919) % 1000) - 100n);
      book.profits.set(profits);
      const { haircuts, ...summary } = socializeReference({ loss: 12_345n, profits });
      expect(book.socialize({ loss: 12_345n })).toEqual(summary);
      expect(book.haircuts).toEqual(haircuts);
    };

    it('cannot write into the next book: their memory stays out of use while there is room elsewhere', () => {
      const a = engine.createBook(8);
      const kept = viewsOf(a);
      a.free();
      using b = engine.createBook(8);
      viewsOf(b);
      scribble(kept);
      expectUntouched(b);
    });

    it('are detached before their memory is used again', () => {
      const n = 20_000; // 580 KB: more than the slack a page leaves, so the next book must take the freed one's place
      const a = engine.createBook(n);
      const kept = viewsOf(a);
      a.free();
      const size = engine.memoryBytes;
      using b = engine.createBook(n);
      viewsOf(b);
      expect(engine.memoryBytes).toBe(size); // b took a's place
      for (const view of Object.values(kept)) {
        expect(view.length).toBe(0); // detached (memory.grow(0) replaced the buffer)
        expect(view.buffer.byteLength).toBe(0);
      }
      scribble(kept);
      expectUntouched(b);
    });

    it('leave other books whole: their getters give fresh views of the same data', () => {
      using other = engine.createBook(4);
      other.profits.set([4n, 3n, 2n, 1n]);
      other.weights.set([1n, 1n, 1n, 1n]);
      const early = other.weights;
      const a = engine.createBook(20_000);
      viewsOf(a);
      a.free();
      engine.createBook(20_000).free(); // takes a's place: every view is detached first
      expect(early.length).toBe(0);
      expect([...other.profits]).toEqual([4n, 3n, 2n, 1n]);
      expect(other.socialize({ loss: 5n, weights: other.weights }).socialized).toBe(5n);
      expect([...other.haircuts]).toEqual([2n, 1n, 1n, 1n]);
      // A view kept from before the detach is named as detached.
      expectCoded(thrown(() => other.socialize({ loss: 5n, weights: early })), RangeError, 'ERR_DETACHED_VIEW', /^weights has 0 entries; expected one per account \(4\): a detached view/);
    });

    it('cannot reach the columns of the engine\'s copy path either', () => {
      for (const n of [3, 20_000]) {
        const a = engine.createBook(n);
        const kept = viewsOf(a);
        a.free();
        // The copy path's columns may go where the freed book was; the getter writes through the kept views.
        const values = Array.from({ length: n }, (_, i) => BigInt(10 * (i + 1)));
        const loss = values.reduce((sum, v) => sum + v, 0n);
        const result = engine.socialize({ loss, profits: withGetter(values, n - 1, () => scribble(kept)) });
        expect(result.haircuts).toEqual(BigInt64Array.from(values));
        const pooled = engine.socializePools({ profits: withGetter(values, n - 1, () => scribble(kept)), pool: new Uint32Array(n), pools: [{ loss }] });
        expect(pooled.haircuts).toEqual(BigInt64Array.from(values));
      }
    });
  });

  describe('inputs whose getters call back into the engine', () => {
    const profits = [10n, 20n, 30n];
    const expected = [10n, 20n, 30n];

    it('profits given as an array or a Proxy of one: every value is read before the engine runs', () => {
      expect([...engine.socialize({ loss: 60n, profits: withGetter(profits, 0, grow) }).haircuts]).toEqual(expected);
      expect([...engine.socialize({ loss: 60n, profits: proxied(profits, 1, grow) }).haircuts]).toEqual(expected);
      const pools = engine.socializePools({ profits: proxied(profits, 0, grow), pool: new Uint32Array(3), pools: [{ loss: 60n }] });
      expect([...pools.haircuts]).toEqual(expected);
    });

    it('weights, caps and exempt given as arrays', () => {
      const weights = [1n, 1n, 2n], caps = [5n, 20n, 30n];
      const reference = socializeReference({ loss: 40n, profits, weights, caps, exempt: [false, false, false] });
      const run = (input: { weights: bigint[]; caps: bigint[]; exempt: boolean[] }) => engine.socialize({ loss: 40n, profits, ...input });
      expect(run({ weights: withGetter(weights, 0, grow), caps, exempt: [false, false, false] })).toEqual(reference);
      expect(run({ weights, caps: proxied(caps, 2, grow), exempt: [false, false, false] })).toEqual(reference);
      expect(run({ weights, caps, exempt: withGetter([false, false, false], 1, grow) })).toEqual(reference);
      const pooled = { profits, pool: Uint32Array.of(0, 0, 1), pools: [{ loss: 20n }, { loss: 20n }], weights, caps };
      expect(engine.socializePools({ ...pooled, weights: withGetter(weights, 1, grow) })).toEqual(socializePoolsReference(pooled));
    });

    it('units of an index delta', () => {
      const input = { loss: 100n, units: [3n, -3n, 1n], scale: 1000n };
      expect(engine.indexDelta({ ...input, units: withGetter(input.units, 0, grow) })).toEqual(indexDeltaReference(input));
    });

    it('accessors of parameters and of pools', () => {
      const reference = socializeReference({ loss: 60n, profits, tieSeed: 7n });
      const params = { profits, get loss() { grow(); return 60n; }, get tieSeed() { grow(); return 7n; } };
      expect(engine.socialize(params)).toEqual(reference);
      const pools = [{ get loss() { grow(); return 60n; } }];
      const input = { profits: withGetter(profits, 1, grow), pool: new Uint32Array(3), pools };
      expect(engine.socializePools(input)).toEqual(socializePoolsReference({ profits, pool: new Uint32Array(3), pools: [{ loss: 60n }] }));
    });

    it('a book\'s weights and caps given as arrays', () => {
      using book = engine.createBook(3);
      book.profits.set(profits);
      const weights = [1n, 1n, 2n], caps = [5n, 20n, 30n];
      const { haircuts, ...summary } = socializeReference({ loss: 40n, profits, weights, caps });
      expect(book.socialize({ loss: 40n, weights: withGetter(weights, 0, grow), caps: proxied(caps, 1, grow) })).toEqual(summary);
      expect(book.haircuts).toEqual(haircuts);
      expect([...book.weights]).toEqual(weights);
      expect([...book.caps]).toEqual(caps);
      book.pool.set([0, 0, 1]);
      const pools = [{ loss: 20n }, { get loss() { grow(); return 20n; } }];
      const pooled = socializePoolsReference({ profits, pool: Uint32Array.of(0, 0, 1), pools: [{ loss: 20n }, { loss: 20n }], weights, caps });
      expect(book.socializePools(pools, { weights: withGetter(weights, 2, grow), caps })).toEqual(pooled.pools);
      expect(book.haircuts).toEqual(pooled.haircuts);
    });

    it('an accessor that frees the book: the call is refused and no other book is written', () => {
      const book = engine.createBook(3);
      book.profits.set(profits);
      let next: Book | undefined;
      const takeOver = () => {
        book.free();
        next = engine.createBook(3); // placed where the book was
        extra.push(next);
        next.profits.set([1n, 2n, 3n]);
      };
      const params = { get loss() { takeOver(); return 6n; } };
      expectCoded(thrown(() => book.socialize(params)), Error, 'ERR_BOOK_FREED', /^this book has been freed$/);
      expect([...next!.haircuts]).toEqual([0n, 0n, 0n]);

      const pooled = engine.createBook(3);
      pooled.profits.set(profits);
      const freeing = () => pooled.free();
      expectCoded(thrown(() => pooled.socializePools([{ get loss() { freeing(); return 6n; } }])), Error, 'ERR_BOOK_FREED');
      const weighted = engine.createBook(3);
      weighted.profits.set(profits);
      expectCoded(thrown(() => weighted.socialize({ loss: 6n, weights: withGetter([1n, 1n, 1n], 1, () => weighted.free()) })), Error, 'ERR_BOOK_FREED');
    });
  });

  describe('internal faults', () => {
    it('a kernel trap is an ERR_INTERNAL Error naming the operation, with the trap as its cause', async () => {
      // Only reachable through the internal Core, with a deliberately bad pointer: never from input.
      const core = await Core.load(variant);
      const columns = core.allocColumns(4);
      const params = { loss: 1n, insuranceFund: 0n, rounding: 'largest-remainder' as const, tieSeed: undefined };
      const error = thrown(() => core.socialize({ ...columns, profits: 2 ** 31 }, 4, params, false));
      expectCoded(error, Error, 'ERR_INTERNAL', /^internal error in socialize \(a kernel trap: memory access out of bounds\); please report it$/);
      expect((error as Error).cause).toBeInstanceOf(WebAssembly.RuntimeError);
      const pools = thrown(() => core.socializePools({ ...columns, pool: 2 ** 31 }, 4, [{ loss: 1n, insuranceFund: 0n }], params, false));
      expectCoded(pools, Error, 'ERR_INTERNAL', /^internal error in socializePools \(a kernel trap: /);
    });

    it.runIf(variant === 'debug-scalar')('a failed assertion of a debug build keeps its text and file:line', async () => {
      const core = await Core.load(variant);
      const n = 64;
      const columns = core.allocColumns(n);
      core.int64View(columns.profits, n).set(Array.from({ length: n }, (_, i) => BigInt(1 + (i % 7))));
      const params = { loss: 100n, insuranceFund: 0n, rounding: 'largest-remainder' as const, tieSeed: undefined };
      // Boundary candidates written over the haircuts: the debug build's final check fails.
      const error = thrown(() => core.socialize({ ...columns, candidates: columns.haircuts }, n, params, false));
      expectCoded(error, Error, 'ERR_INTERNAL', /^internal error in socialize \(abort: haircut outside \[0, profit\] at assembly\/allocate\.ts:\d+:\d+\); please report it$/);
    });
  });
});

describe('loading engines', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('decides SIMD support once per process, however many engines are loaded', async () => {
    vi.resetModules();
    const fresh = await import('../src/index.js');
    const validate = vi.spyOn(WebAssembly, 'validate');
    for (let i = 0; i < 5; i++) await fresh.loadEngine();
    expect(fresh.simdSupported()).toBe(true);
    expect(validate.mock.calls.length).toBeLessThanOrEqual(1);
  });

  it('a runtime that cannot compile the core is ERR_UNSUPPORTED', async () => {
    vi.resetModules();
    const fresh = await import('../src/index.js');
    vi.spyOn(WebAssembly, 'compile').mockRejectedValueOnce(new WebAssembly.CompileError('WebAssembly.compile(): invalid opcode'));
    const error = await fresh.loadEngine({ variant: 'scalar' }).catch((e: unknown) => e);
    expect(Object.getPrototypeOf(error)).toBe(Error.prototype);
    expect((error as { code?: unknown }).code).toBe('ERR_UNSUPPORTED');
    expect((error as Error).message).toBe('this runtime cannot run the \'scalar\' core: WebAssembly.compile(): invalid opcode');
    // The failure is not remembered: the next load compiles again.
    expect((await fresh.loadEngine({ variant: 'scalar' })).variant).toBe('scalar');
  });
});

// Every bad input, with the class and code each entry point gives it.
type Row = [name: string, input: unknown, kind: ErrorClass, code: ErrorCode];
const ok = [5n, 10n];
const socializeRows: Row[] = [
  ['input not an object', 42, TypeError, 'ERR_INVALID_TYPE'],
  ['loss missing', { profits: ok }, TypeError, 'ERR_INVALID_TYPE'],
  ['loss a string', { loss: '7', profits: ok }, TypeError, 'ERR_INVALID_TYPE'],
  ['loss fractional', { loss: 1.5, profits: ok }, TypeError, 'ERR_INVALID_TYPE'],
  ['loss negative', { loss: -1n, profits: ok }, RangeError, 'ERR_OUT_OF_RANGE'],
  ['loss 2^63', { loss: 2n ** 63n, profits: ok }, RangeError, 'ERR_OUT_OF_RANGE'],
  ['insuranceFund negative', { loss: 1n, insuranceFund: -5n, profits: ok }, RangeError, 'ERR_OUT_OF_RANGE'],
  ['rounding a number', { loss: 1n, profits: ok, rounding: 1 }, TypeError, 'ERR_INVALID_TYPE'],
  ['rounding unknown', { loss: 1n, profits: ok, rounding: 'nearest' }, RangeError, 'ERR_INVALID_OPTION'],
  ['tieSeed a number', { loss: 1n, profits: ok, tieSeed: 1 }, TypeError, 'ERR_INVALID_TYPE'],
  ['tieSeed past 64 bits', { loss: 1n, profits: ok, tieSeed: 2n ** 64n }, RangeError, 'ERR_OUT_OF_RANGE'],
  ['profits missing', { loss: 1n }, TypeError, 'ERR_INVALID_TYPE'],
  ['profits a DataView', { loss: 1n, profits: new DataView(new ArrayBuffer(8)) }, TypeError, 'ERR_INVALID_TYPE'],
  ['profit fractional', { loss: 1n, profits: [1n, 1.5] }, TypeError, 'ERR_INVALID_TYPE'],
  // eslint-disable-next-line no-sparse-arrays
  ['profit a hole', { loss: 1n, profits: [1n, , 3n] }, TypeError, 'ERR_INVALID_TYPE'],
  ['profit past 2^63 − 1', { loss: 1n, profits: [I64_MAX + 1n] }, RangeError, 'ERR_OUT_OF_RANGE'],
  ['exempt a string', { loss: 1n, profits: ok, exempt: 'no' }, TypeError, 'ERR_INVALID_TYPE'],
  ['exempt too short', { loss: 1n, profits: ok, exempt: [true] }, RangeError, 'ERR_LENGTH_MISMATCH'],
  ['exempt not booleans', { loss: 1n, profits: ok, exempt: [true, 1] }, TypeError, 'ERR_INVALID_TYPE'],
  ['weights not an array', { loss: 1n, profits: ok, weights: 'heavy' }, TypeError, 'ERR_INVALID_TYPE'],
  ['weights too long', { loss: 1n, profits: ok, weights: [1n, 2n, 3n] }, RangeError, 'ERR_LENGTH_MISMATCH'],
  ['weight negative (array)', { loss: 1n, profits: ok, weights: [1n, -2n] }, RangeError, 'ERR_OUT_OF_RANGE'],
  ['weight negative (typed)', { loss: 1n, profits: ok, weights: BigInt64Array.of(1n, -2n) }, RangeError, 'ERR_OUT_OF_RANGE'],
  ['cap negative (typed)', { loss: 1n, profits: ok, weights: [1n, 1n], caps: BigInt64Array.of(-1n, 0n) }, RangeError, 'ERR_OUT_OF_RANGE'],
  ['cap a string', { loss: 1n, profits: ok, weights: [1n, 1n], caps: [1n, 'x'] }, TypeError, 'ERR_INVALID_TYPE'],
  ['caps without weights', { loss: 1n, profits: ok, caps: [1n, 1n] }, TypeError, 'ERR_INVALID_OPTION'],
];
const poolRows: Row[] = [
  ['input null', null, TypeError, 'ERR_INVALID_TYPE'],
  ['pool not a Uint32Array', { profits: ok, pool: [0, 0], pools: [{ loss: 1n }] }, TypeError, 'ERR_INVALID_TYPE'],
  ['pool too short', { profits: ok, pool: Uint32Array.of(0), pools: [{ loss: 1n }] }, RangeError, 'ERR_LENGTH_MISMATCH'],
  ['pools not an array', { profits: ok, pool: Uint32Array.of(0, 0), pools: { loss: 1n } }, TypeError, 'ERR_INVALID_TYPE'],
  // eslint-disable-next-line no-sparse-arrays
  ['pools with a hole', { profits: ok, pool: Uint32Array.of(0, 0), pools: [, { loss: 1n }] }, TypeError, 'ERR_INVALID_TYPE'],
  ['a pool loss negative', { profits: ok, pool: Uint32Array.of(0, 0), pools: [{ loss: -1n }] }, RangeError, 'ERR_OUT_OF_RANGE'],
  ['a pool index out of range', { profits: ok, pool: Uint32Array.of(0, 1), pools: [{ loss: 1n }] }, RangeError, 'ERR_POOL_INDEX'],
  ['weighted, a pool index out of range', { profits: ok, pool: Uint32Array.of(0, 1), pools: [{ loss: 1n }], weights: [1n, 1n] }, RangeError, 'ERR_POOL_INDEX'],
  ['rounding unknown', { profits: ok, pool: Uint32Array.of(0, 0), pools: [{ loss: 1n }], rounding: 'half' }, RangeError, 'ERR_INVALID_OPTION'],
];
const indexRows: Row[] = [
  ['input not an object', 'x', TypeError, 'ERR_INVALID_TYPE'],
  ['scale zero', { loss: 1n, units: [1n], scale: 0n }, RangeError, 'ERR_OUT_OF_RANGE'],
  ['scale fractional', { loss: 1n, units: [1n], scale: 0.5 }, TypeError, 'ERR_INVALID_TYPE'],
  ['units a string', { loss: 1n, units: 'x', scale: 1n }, TypeError, 'ERR_INVALID_TYPE'],
  ['a unit not an integer', { loss: 1n, units: [1n, 0.5], scale: 1n }, TypeError, 'ERR_INVALID_TYPE'],
  ['rounding unknown', { loss: 1n, units: [1n], scale: 1n, rounding: 'nearest' }, RangeError, 'ERR_INVALID_OPTION'],
  ['chargeRounding not a string', { loss: 1n, units: [1n], scale: 1n, chargeRounding: 1 }, TypeError, 'ERR_INVALID_TYPE'],
  ['units summing to zero', { loss: 1n, units: [0n, 0n], scale: 1n }, RangeError, 'ERR_ZERO_UNITS'],
  ['a charge past 2^63 − 1', { loss: I64_MAX, units: [2n ** 32n, 1n], scale: 1n }, RangeError, 'ERR_CHARGE_OVERFLOW'],
];

describe('every error has a stable code', () => {
  it('the codes are their own names, and are the only ones', () => {
    for (const [key, value] of Object.entries(ERROR_CODES)) expect(value).toBe(key);
    expect(Object.isFrozen(ERROR_CODES)).toBe(true);
  });

  it.each(socializeRows)('socializeReference: %s', (_, input, kind, code) => {
    expectCoded(thrown(() => socializeReference(input as never)), kind, code);
  });
  it.each(poolRows)('socializePoolsReference: %s', (_, input, kind, code) => {
    expectCoded(thrown(() => socializePoolsReference(input as never)), kind, code);
  });
  it.each(indexRows)('indexDeltaReference: %s', (_, input, kind, code) => {
    expectCoded(thrown(() => indexDeltaReference(input as never)), kind, code);
  });

  describe.each(VARIANTS)('%s core', (variant) => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await loadEngine({ variant });
    });

    it('engine.socialize: every row', () => {
      for (const [name, input, kind, code] of socializeRows) {
        const error = thrown(() => engine.socialize(input as never));
        expect([name, (error as { code?: unknown }).code]).toEqual([name, code]);
        expectCoded(error, kind, code);
      }
    });

    it('engine.socializePools: every row', () => {
      for (const [name, input, kind, code] of poolRows) {
        const error = thrown(() => engine.socializePools(input as never));
        expect([name, (error as { code?: unknown }).code]).toEqual([name, code]);
        expectCoded(error, kind, code);
      }
    });

    it('engine.indexDelta: every row', () => {
      for (const [name, input, kind, code] of indexRows) {
        const error = thrown(() => engine.indexDelta(input as never));
        expect([name, (error as { code?: unknown }).code]).toEqual([name, code]);
        expectCoded(error, kind, code);
      }
    });

    it('books: parameters, columns, pools, lengths and state', () => {
      using book = engine.createBook(2);
      book.profits.set(ok);
      const cases: [name: string, task: () => unknown, kind: ErrorClass, code: ErrorCode][] = [
        ['params not an object', () => book.socialize(undefined as never), TypeError, 'ERR_INVALID_TYPE'],
        ['loss negative', () => book.socialize({ loss: -1n }), RangeError, 'ERR_OUT_OF_RANGE'],
        ['rounding unknown', () => book.socialize({ loss: 1n, rounding: 'x' as never }), RangeError, 'ERR_INVALID_OPTION'],
        ['weights too short', () => book.socialize({ loss: 1n, weights: [1n] }), RangeError, 'ERR_LENGTH_MISMATCH'],
        ['weight negative (array)', () => book.socialize({ loss: 1n, weights: [1n, -1n] }), RangeError, 'ERR_OUT_OF_RANGE'],
        ['weight negative (typed)', () => book.socialize({ loss: 1n, weights: BigInt64Array.of(-1n, 1n) }), RangeError, 'ERR_OUT_OF_RANGE'],
        ['caps without weights', () => book.socialize({ loss: 1n, caps: [1n, 1n] }), TypeError, 'ERR_INVALID_OPTION'],
        ['pools not an array', () => book.socializePools({} as never), TypeError, 'ERR_INVALID_TYPE'],
        // eslint-disable-next-line no-sparse-arrays
        ['pools with a hole', () => book.socializePools([, { loss: 1n }] as never), TypeError, 'ERR_INVALID_TYPE'],
        ['pool options null', () => book.socializePools([{ loss: 1n }], null as never), TypeError, 'ERR_INVALID_TYPE'],
        ['a pool index out of range', () => {
          book.pool.set([0, 2]);
          return book.socializePools([{ loss: 1n }, { loss: 1n }]);
        }, RangeError, 'ERR_POOL_INDEX'],
        ['book length a string', () => engine.createBook('3' as never), TypeError, 'ERR_INVALID_TYPE'],
        ['book length negative', () => engine.createBook(-1), RangeError, 'ERR_OUT_OF_RANGE'],
        ['book length fractional', () => engine.createBook(1.5), RangeError, 'ERR_OUT_OF_RANGE'],
        ['book length past capacity', () => engine.createBook(MAX_ACCOUNTS + 1), RangeError, 'ERR_CAPACITY'],
        ['profits past capacity', () => engine.socialize({ loss: 1n, profits: new Proxy([], { get: (t, k) => (k === 'length' ? MAX_ACCOUNTS + 1 : Reflect.get(t, k)) }) }), RangeError, 'ERR_CAPACITY'],
      ];
      for (const [name, task, kind, code] of cases) {
        const error = thrown(task);
        expect([name, (error as { code?: unknown }).code]).toEqual([name, code]);
        expectCoded(error, kind, code);
      }
      expect([...book.haircuts]).toEqual([0n, 0n]);
    });

    it('a freed book, and an unknown variant', async () => {
      const book = engine.createBook(2);
      book.free();
      for (const task of [() => book.profits, () => book.pool, () => book.socialize({ loss: 1n }), () => book.socializePools([{ loss: 1n }])]) {
        expectCoded(thrown(task), Error, 'ERR_BOOK_FREED', /^this book has been freed$/);
      }
      const error = await loadEngine({ variant: 'fast' as never }).catch((e: unknown) => e);
      expectCoded(error, RangeError, 'ERR_INVALID_OPTION', /^variant must be one of/);
      expectCoded(await loadEngine(null as never).catch((e: unknown) => e), TypeError, 'ERR_INVALID_TYPE');
    });
  });

  it('engine memory exhausted is ERR_MEMORY', () => {
    const heap = new Heap(new WebAssembly.Memory({ initial: 1, maximum: 2 }), 0);
    heap.alloc(60_000);
    expectCoded(thrown(() => heap.alloc(200_000)), RangeError, 'ERR_MEMORY', /^engine memory exhausted: cannot grow by 196608 bytes/);
    expectCoded(thrown(() => heap.alloc(2 ** 32)), RangeError, 'ERR_MEMORY', /^engine memory exhausted/);
  });
});
