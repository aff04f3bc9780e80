// engine.measureHaircuts and book.measureHaircuts (the measures in the core:
// assembly/measures/) against measureHaircuts (plain bigint), on every build: random haircut
// vectors (exempt accounts, pools and pools without accounts, ties in capacities and in
// haircuts, values near 2^63, sums past 2^64, books of 0, 1, under 10 and under 100
// accounts), the haircuts of the real mechanisms, and named books that take each path of
// the kernel; the same errors, in the same order; inputs and books never modified.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { measureHaircuts, type Book, type MeasureInput } from '../src/index.js';
import { I64_MAX } from '../src/validate.js';
import { amountUpTo, mostlySmall, poolParameters, queueBooks } from './arbitraries.js';
import { describeEachVariant, outcome, runs, sized } from './support.js';

/** How an account's haircut is drawn: nothing, all of its capacity, or c·u/2^32 (rounded down). */
const share = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('none', 'whole') },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 30, 2 ** 31) },
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 2 ** 32 }) },
);

/** One bad haircut: below 0, above its capacity, or above 0 for an exempt account. */
const spoil = fc.record({ at: fc.nat(), how: fc.constantFrom('negative', 'above', 'exempt') });

/** A measured book of up to `maxAccounts` accounts, and how its call is made. */
function measuredBooks(maxAccounts: number) {
  return fc.integer({ min: 0, max: maxAccounts }).chain((n) => fc.record({
    capacities: fc.array(mostlySmall(0n, 40n, 0n), { minLength: n, maxLength: n }),
    shares: fc.array(share, { minLength: n, maxLength: n }),
    exempt: fc.option(fc.array(fc.boolean(), { minLength: n, maxLength: n }), { nil: undefined }),
    pooled: fc.option(fc.integer({ min: 0, max: 5 }).chain((count) => fc.record({
      pools: poolParameters(count, amountUpTo(300n)),
      // One index past the last pool now and then: the error.
      pool: fc.array(fc.nat({ max: count }).map((k) => (k === count && k > 0 ? k - 1 : k)), { minLength: n, maxLength: n }),
    })), { nil: undefined }),
    loss: fc.option(amountUpTo(300n), { nil: undefined }),
    insuranceFund: fc.option(amountUpTo(50n), { nil: undefined }),
    byProfits: fc.boolean(),
    typed: fc.boolean(),
    spoiled: fc.option(spoil, { freq: 8, nil: undefined }),
  }));
}

type Measured = ReturnType<typeof measuredBooks> extends fc.Arbitrary<infer T> ? T : never;

/** The haircuts of a measured book: each drawn within its capacity, 0 outside the population, one spoiled when asked. */
function haircutsOf({ capacities, shares, exempt, spoiled }: Measured): bigint[] {
  const haircuts = capacities.map((c, i) => {
    const s = shares[i]!;
    if (exempt?.[i] || c === 0n || s === 'none') return 0n;
    return s === 'whole' ? c : (c * BigInt(s)) >> 32n;
  });
  if (spoiled !== undefined && haircuts.length > 0) {
    const i = spoiled.at % haircuts.length;
    haircuts[i] = spoiled.how === 'negative' ? -1n - haircuts[i]! : spoiled.how === 'above' ? capacities[i]! + 1n : 1n;
  }
  return haircuts;
}

/** The call `measureHaircuts` gets for a measured book (capacities as given, or as the positive part of profits). */
function inputOf(book: Measured): MeasureInput {
  const haircuts = haircutsOf(book);
  const column = (values: bigint[]) => (book.typed ? BigInt64Array.from(values, (v) => BigInt.asIntN(64, v)) : values);
  const capacities = book.byProfits
    ? { profits: column(book.capacities.map((c, i) => (c === 0n && i % 2 === 0 ? -7n - BigInt(i) : c))) }
    : { capacities: column(book.capacities) };
  const against = book.pooled !== undefined
    ? { pool: Uint32Array.from(book.pooled.pool), pools: book.pooled.pools }
    : book.loss !== undefined ? { loss: book.loss, insuranceFund: book.insuranceFund } : {};
  return { haircuts: column(haircuts), ...capacities, exempt: book.exempt, ...against };
}

/** A book of the engine holding a measured book: capacities in its `capacities` column (or as profits), exempt, pool, haircuts. */
function bookOf(held: Book, book: Measured): MeasureInput {
  const input = inputOf(book);
  if (input.capacities !== undefined) held.capacities.set(input.capacities as ArrayLike<bigint>);
  else held.profits.set(input.profits as ArrayLike<bigint>);
  if (book.exempt !== undefined) held.exempt.set(book.exempt.map((e) => (e ? 1 : 0)));
  if (input.pool !== undefined) held.pool.set(input.pool);
  held.haircuts.set((input.haircuts as ArrayLike<bigint>) as bigint[]);
  // What measureHaircuts gets: the book's own views.
  return {
    ...input, haircuts: held.haircuts, exempt: book.exempt === undefined ? undefined : held.exempt,
    ...(input.capacities !== undefined ? { capacities: held.capacities } : { profits: held.profits }),
    ...(input.pool !== undefined ? { pool: held.pool } : {}),
  };
}

/** The parameters of a book's call for a measured book's input. */
function paramsOf(input: MeasureInput) {
  if (input.pools !== undefined) return { pools: input.pools };
  return input.loss !== undefined ? { loss: input.loss, insuranceFund: input.insuranceFund } : undefined;
}

/** A seeded generator of u32s. */
function generator(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

describeEachVariant('engine.measureHaircuts', (engine) => {
  it('one small book, by its definitions', () => {
    const input = { haircuts: [0n, 40n, 30n], capacities: [50n, 40n, 30n], loss: 70n };
    expect(engine().measureHaircuts(input)).toEqual(measureHaircuts(input));
    expect(engine().measureHaircuts(input).gini).toEqual({ fraction: '8/21', decimal: '0.380952380952' });
  });

  it('equals measureHaircuts on random books: exempt, pools, ties, values near 2^63, errors', () => {
    fc.assert(fc.property(measuredBooks(60), (book) => {
      const input = inputOf(book);
      expect(outcome(() => engine().measureHaircuts(input))).toEqual(outcome(() => measureHaircuts(input)));
    }), runs(800));
  });

  it('equals measureHaircuts on books of 0, 1, under 10 and under 100 accounts', () => {
    for (const most of [0, 1, 9, 99]) {
      fc.assert(fc.property(measuredBooks(most), (book) => {
        const input = inputOf({ ...book, spoiled: undefined });
        expect(outcome(() => engine().measureHaircuts(input))).toEqual(outcome(() => measureHaircuts(input)));
      }), runs(100));
    }
  });

  it('a book\'s measures equal measureHaircuts of its views; the book is not changed', () => {
    fc.assert(fc.property(measuredBooks(60), (book) => {
      const n = book.capacities.length;
      using held = engine().createBook(n);
      const input = bookOf(held, book);
      const before = Array.from(held.haircuts);
      const want = outcome(() => measureHaircuts(input));
      expect(outcome(() => held.measureHaircuts(paramsOf(input)))).toEqual(want);
      expect(Array.from(held.haircuts)).toEqual(before);
    }), runs(400));
  });

  it('measures the real mechanisms\' haircuts: the queue and pro rata (engine.deleverage, engine.socialize)', () => {
    const score = fc.oneof(fc.bigInt({ min: -3n, max: 3n }), fc.bigInt({ min: -(2n ** 63n), max: I64_MAX }));
    fc.assert(fc.property(queueBooks(60, score), (book) => {
      const { profits, capacities = profits.map((p) => (p > 0n ? p : 0n)), exempt, loss, insuranceFund } = book;
      const queue = outcome(() => engine().deleverage(book).haircuts);
      const proRata = outcome(() => engine().socialize({ loss, insuranceFund, profits, exempt, weights: profits.map((p) => (p > 0n ? p : 0n)), caps: capacities }).haircuts);
      for (const haircuts of [queue, proRata]) {
        if (!(haircuts instanceof BigInt64Array)) continue;
        const input = { haircuts, capacities, exempt, loss, insuranceFund };
        expect(outcome(() => engine().measureHaircuts(input))).toEqual(outcome(() => measureHaircuts(input)));
      }
    }), runs(300));
  });

  it.each([
    ['capacities spread over 10^11, pro-rata haircuts', (i: number, next: () => number) => (i % 13 === 0 ? 0n : BigInt(next()) * 23n), 'pro rata'],
    ['one capacity for all (every boundary in one run of ties; the top 1 % the lowest indices)', () => 1_000n, 'spread'],
    ['capacities in one key, 10 accounts each (every boundary cuts one long list)', (i: number) => 1_000_000_000n + BigInt(i % 5_000), 'spread'],
    ['capacities near 2^63 (sums past 2^64 in every tenth)', (i: number) => I64_MAX - BigInt(i % 1_000), 'spread'],
    ['the queue\'s haircuts (most accounts pay nothing or their whole capacity)', (i: number, next: () => number) => BigInt(next() % 100_000), 'queue'],
  ] as const)('a large book: %s', (_, capacity, haircuts) => {
    const n = sized(20_000, 100_000);
    const next = generator(n);
    const capacities = Array.from({ length: n }, (_, i) => capacity(i, next));
    const exempt = capacities.map((_, i) => i % 17 === 5);
    const total = capacities.reduce((sum, c, i) => (exempt[i] ? sum : sum + c), 0n);
    const loss = total / 8n < I64_MAX ? total / 8n : I64_MAX;
    const h = haircuts === 'queue'
      ? engine().deleverage({ loss, profits: capacities, scores: capacities.map((_, i) => BigInt(i % 7)), exempt }).haircuts
      : haircuts === 'pro rata'
        ? engine().socialize({ loss, profits: capacities, exempt }).haircuts
        : BigInt64Array.from(capacities, (c, i) => (exempt[i] ? 0n : (c * BigInt(next() % 1_001)) / 1_000n));
    const input = { haircuts: h, capacities, exempt, loss };
    expect(engine().measureHaircuts(input)).toEqual(measureHaircuts(input));
    const pooled = { haircuts: h, capacities, exempt, pool: Uint32Array.from(capacities, (_, i) => (Math.imul(i, 0x9e3779b1) >>> 0) % 97), pools: Array.from({ length: 100 }, (_, k) => ({ loss: BigInt(k) * 1_000n })) };
    expect(engine().measureHaircuts(pooled)).toEqual(measureHaircuts(pooled));
  });

  it('a run of haircuts past the sort\'s temp (2^17 values in one key), and the best h/c rising with every account', () => {
    const n = sized(140_000, 300_000);
    const next = generator(7);
    const capacities = Array.from({ length: n }, () => 2n ** 50n);
    // Every haircut in [2^46, 2^46 + 2^39): one key of 8 bits.
    const haircuts = capacities.map(() => 2n ** 46n + ((BigInt(next()) << 7n) | BigInt(next() % 128)));
    const input = { haircuts, capacities };
    expect(engine().measureHaircuts(input)).toEqual(measureHaircuts(input));
    // h/c rises with the index: a new best at every account, past the reciprocals worked out anew.
    const rising = { haircuts: Array.from({ length: 1_000 }, (_, i) => BigInt(i)), capacities: Array.from({ length: 1_000 }, (_, i) => 10n ** 15n + BigInt(i)) };
    expect(engine().measureHaircuts(rising)).toEqual(measureHaircuts(rising));
    expect(engine().measureHaircuts(rising).largestShareOfCapacity.fraction).toBe(`999/${10n ** 15n + 999n}`);
  });

  it('1,000 pools, most of them without accounts', () => {
    const n = sized(5_000, 50_000);
    const next = generator(3);
    const capacities = Array.from({ length: n }, () => BigInt(next() % 10_000));
    const haircuts = capacities.map((c) => (c * BigInt(next() % 3)) / 2n);
    const pool = Uint32Array.from({ length: n }, () => next() % 37);
    const pools = Array.from({ length: 1_000 }, (_, k) => ({ loss: BigInt(k * 11), insuranceFund: BigInt(k % 3) }));
    const input = { haircuts, capacities, pool, pools };
    expect(engine().measureHaircuts(input)).toEqual(measureHaircuts(input));
  });

  it('the same errors as measureHaircuts, in its order: the pool index first, then the first bad haircut', () => {
    const base = { haircuts: [1n, 2n, 3n], capacities: [5n, 5n, 5n] };
    for (const input of [
      { ...base, haircuts: [1n, 6n, -1n] }, { ...base, haircuts: [1n, 2n, -1n] }, { ...base, exempt: [false, true, false] },
      { ...base, capacities: [5n, 0n, 5n] }, { ...base, profits: [5n, -5n, 5n], capacities: undefined },
      { ...base, haircuts: [1n, 6n, 3n], pool: Uint32Array.from([0, 0, 2]), pools: [{ loss: 1n }, { loss: 2n }] },
      { ...base, pool: Uint32Array.from([0, 1, 0]), pools: [] }, { ...base, capacities: BigInt64Array.from([5n, -1n, 5n]) },
      { ...base, capacities: [5n, -1n, 5n], haircuts: [1n, 'x', 3n] }, { ...base, haircuts: [1n, 2n ** 63n, 3n] },
      { ...base, loss: 5n, pool: Uint32Array.from([0, 0, 0]), pools: [{ loss: 1n }] }, { ...base, insuranceFund: 3n },
      { ...base, capacity: [5n] }, { ...base, haircuts: undefined }, { ...base, capacities: undefined }, { ...base, exempt: [true] },
      { ...base, pools: [{ loss: 1n, fund: 2n }], pool: Uint32Array.from([0, 0, 0]) }, { ...base, loss: -1n }, null, 5,
    ]) {
      expect(outcome(() => engine().measureHaircuts(input as never))).toEqual(outcome(() => measureHaircuts(input as never)));
    }
    const n = 1_000;
    const late = { haircuts: Array.from({ length: n }, (_, i) => (i === n - 1 ? 8n : 1n)), capacities: Array.from({ length: n }, () => 7n) };
    expect(() => engine().measureHaircuts(late)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE', message: 'haircuts[999] is 8, above its capacity 7' }));
  });

  it('a book\'s call: its parameters checked as every call\'s, a freed book refused', () => {
    const held = engine().createBook(3);
    held.profits.set([5n, 6n, 7n]);
    held.haircuts.set([5n, 1n, 0n]);
    expect(held.measureHaircuts()).toEqual(measureHaircuts({ haircuts: [5n, 1n, 0n], profits: [5n, 6n, 7n] }));
    expect(held.measureHaircuts({ loss: 9n, insuranceFund: 2n })).toEqual(measureHaircuts({ haircuts: [5n, 1n, 0n], profits: [5n, 6n, 7n], loss: 9n, insuranceFund: 2n }));
    for (const [params, code] of [
      [{ los: 5n }, 'ERR_UNKNOWN_OPTION'], [{ loss: 5n, pools: [] }, 'ERR_INVALID_OPTION'], [{ insuranceFund: 1n }, 'ERR_INVALID_OPTION'],
      [{ pools: [{ loss: 1n }] }, undefined], [{ pools: [] }, 'ERR_POOL_INDEX'], [5, 'ERR_INVALID_TYPE'], [{ loss: -1n }, 'ERR_OUT_OF_RANGE'],
    ] as const) {
      const call = () => held.measureHaircuts(params as never);
      if (code === undefined) expect(call()).toMatchObject({ pools: [{ collected: 6n }] });
      else expect(call).toThrow(expect.objectContaining({ code }));
    }
    expect(Array.from(held.pool)).toEqual([0, 0, 0]);
    held.haircuts[2] = 8n;
    expect(() => held.measureHaircuts()).toThrow(expect.objectContaining({ message: 'haircuts[2] is 8, above its capacity 7' }));
    held.free();
    expect(() => held.measureHaircuts()).toThrow(expect.objectContaining({ code: 'ERR_BOOK_FREED' }));
  });

  it('a book measured after its queue and after its split, with its own capacities column', () => {
    const n = 2_000;
    using held = engine().createBook(n);
    const next = generator(n);
    for (let i = 0; i < n; i++) {
      held.profits[i] = BigInt(next() % 20_000) - 5_000n;
      held.capacities[i] = BigInt(next() % 10_000);
      held.scores[i] = BigInt(next() % 50);
    }
    held.exempt[3] = 1;
    held.deleverage({ loss: 100_000n, capacities: held.capacities });
    const views = { haircuts: held.haircuts, capacities: held.capacities, exempt: held.exempt, loss: 100_000n };
    expect(held.measureHaircuts({ loss: 100_000n })).toEqual(measureHaircuts(views));
    held.socialize({ loss: 100_000n, weights: held.capacities, caps: held.capacities });
    expect(held.measureHaircuts({ loss: 100_000n })).toEqual(measureHaircuts({ ...views, haircuts: held.haircuts }));
  });

  it('never modifies its input', () => {
    const input = { haircuts: [0n, 40n, 30n], capacities: BigInt64Array.from([50n, 40n, 30n]), exempt: [false, false, false], pool: Uint32Array.from([0, 1, 1]), pools: [{ loss: 5n }, { loss: 70n }] };
    const copy = structuredClone(input);
    engine().measureHaircuts(input);
    expect(input).toEqual(copy);
  });
});
