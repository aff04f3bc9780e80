// engine.deleverage (the queue in the core: assembly/queue.ts) against deleverageReference
// on every build: random books with every option, books whose scores all share a byte or
// are all equal (the selection's lists hold the whole book), seeded ties, lots, values near
// 2^63 and totals past 2^64, empty books; the same errors; inputs never modified.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { DeleverageInput } from '../src/index.js';
import { deleveragePoolsReference, deleverageReference } from '../src/reference.js';
import { I64_MAX } from '../src/validate.js';
import { queueBooks } from './arbitraries.js';
import { describeEachVariant, outcome, runs, sized } from './support.js';

const scoreOf = fc.oneof(fc.bigInt({ min: -3n, max: 3n }), fc.bigInt({ min: -(2n ** 63n), max: I64_MAX }), fc.constantFrom(-(2n ** 63n), I64_MAX, -1n, 0n, 255n, 256n));
const book = queueBooks(60, scoreOf);

/** A seeded book of n accounts whose scores come from `score` (clustered, all equal, spread). */
function largeBook(n: number, score: (i: number) => bigint, seed: number): Required<Pick<DeleverageInput, 'profits' | 'scores'>> & { capacities: BigInt64Array; lots: BigInt64Array } {
  let x = BigInt(seed);
  const next = () => (x = (x * 6364136223846793005n + 1442695040888963407n) & 0xFFFF_FFFF_FFFF_FFFFn) >> 20n;
  const profits = BigInt64Array.from({ length: n }, () => (next() % 10_000n) - 2_000n);
  return {
    profits,
    scores: BigInt64Array.from({ length: n }, (_, i) => score(i)),
    capacities: profits.map((p, i) => (i % 7 === 0 ? 0n : p > 0n ? p - (p % 3n) : next() % 500n)),
    lots: BigInt64Array.from({ length: n }, (_, i) => 1n + BigInt(i % 5)),
  };
}

describeEachVariant('engine.deleverage', (engine) => {
  it('equals deleverageReference on random books with every option', () => {
    fc.assert(fc.property(book, (input) => {
      expect(outcome(() => engine().deleverage(input))).toEqual(outcome(() => deleverageReference(input)));
    }), runs(600));
  });

  it.each([
    ['scores spread over the whole range', (i: number) => BigInt.asIntN(64, BigInt(i) * 0x9E3779B97F4A7C15n)],
    ['scores in one byte (the lists hold everyone)', (i: number) => BigInt(i % 256)],
    ['every score equal (one tie group: the book)', () => 42n],
    ['two scores', (i: number) => (i % 2 === 0 ? -1n : 1n)],
  ])('a book of %s', (_, score) => {
    const n = sized(6_000, 50_000);
    const input = largeBook(n, score, n);
    const total = input.capacities.reduce((sum, c, i) => (i % 7 === 0 ? sum : sum + c), 0n);
    for (const loss of [1n, total / 3n, total - 1n, total + 5n]) {
      for (const tieSeed of [undefined, 7n]) {
        for (const lots of [undefined, input.lots]) {
          const call = { ...input, lots, loss, insuranceFund: loss / 10n, tieSeed };
          const got = engine().deleverage(call), want = deleverageReference(call);
          expect(got.haircuts).toEqual(want.haircuts);
          expect({ ...got, haircuts: null }).toEqual({ ...want, haircuts: null });
        }
      }
    }
  });

  it('near 2^63: capacities at the limit, totals past 2^64, a loss of 2^63 − 1', () => {
    const n = 40;
    const input = {
      profits: Array.from({ length: n }, (_, i) => I64_MAX - BigInt(i)),
      scores: Array.from({ length: n }, (_, i) => BigInt(i % 3)),
      lots: Array.from({ length: n }, (_, i) => (i === 5 ? I64_MAX : 1n + BigInt(i))),
    };
    for (const loss of [I64_MAX, I64_MAX / 2n, 3n]) {
      for (const tieSeed of [undefined, 2n ** 64n - 1n]) {
        expect(outcome(() => engine().deleverage({ ...input, loss, tieSeed }))).toEqual(outcome(() => deleverageReference({ ...input, loss, tieSeed })));
      }
    }
  });

  it('an empty book, and a book nobody may pay', () => {
    expect(outcome(() => engine().deleverage({ loss: 5n, profits: [], scores: [] }))).toEqual(outcome(() => deleverageReference({ loss: 5n, profits: [], scores: [] })));
    const nobody = { loss: 5n, profits: [-1n, 0n, 9n], scores: [1n, 2n, 3n], exempt: [false, false, true] };
    expect(outcome(() => engine().deleverage(nobody))).toEqual(outcome(() => deleverageReference(nobody)));
  });

  it('the same errors as the reference, the first bad entry named', () => {
    const base = { loss: 5n, profits: [5n, 5n, 5n], scores: [1n, 2n, 3n] };
    for (const input of [
      { ...base, lots: BigInt64Array.from([1n, 0n, -1n]) }, { ...base, lots: [1n, 2n, -4n] }, { ...base, lots: [1n, 'x', 0n] },
      { ...base, capacities: BigInt64Array.from([0n, -2n, -1n]) }, { ...base, capacities: [0n, 1n, -1n], lots: [0n, 0n, 0n] },
      { ...base, scores: [1n, 2n ** 63n, 3n] }, { ...base, profits: [1.5, 2, 3] }, { ...base, tieSeed: -(2n ** 64n) },
      { ...base, scores: undefined }, { ...base, Scores: [1n, 2n, 3n] }, { ...base, exempt: [true] },
    ]) {
      expect(outcome(() => engine().deleverage(input as never))).toEqual(outcome(() => deleverageReference(input as never)));
    }
  });

  it('a book\'s deleverage (its own views in place, or columns copied in) equals engine.deleverage', () => {
    fc.assert(fc.property(book, (input) => {
      const n = input.profits.length;
      using held = engine().createBook(n);
      held.profits.set(input.profits);
      if (input.exempt) held.exempt.set(input.exempt.map((e) => (e ? 1 : 0)));
      const inPlace = n % 2 === 0;
      const column = (key: 'scores' | 'capacities' | 'lots', values: bigint[] | undefined) => {
        if (values === undefined) return undefined;
        if (!inPlace) return values;
        held[key].set(values);
        return held[key];
      };
      const params = {
        loss: input.loss, insuranceFund: input.insuranceFund, tieSeed: input.tieSeed,
        scores: column('scores', input.scores), capacities: column('capacities', input.capacities), lots: column('lots', input.lots),
      };
      const want = outcome(() => engine().deleverage(input));
      const got = outcome(() => held.deleverage(params));
      if (want instanceof Object && 'error' in want) return void expect(got).toEqual(want);
      const { haircuts, ...summary } = want as { haircuts: BigInt64Array };
      expect(got).toEqual(summary);
      expect(held.haircuts).toEqual(haircuts);
    }), runs(300));
  });

  it('a book\'s rejected deleverage leaves the book as it was', () => {
    using held = engine().createBook(3);
    held.profits.set([5n, 6n, 7n]);
    held.scores.set([3n, 2n, 1n]);
    held.deleverage({ loss: 6n });
    expect(Array.from(held.haircuts)).toEqual([5n, 1n, 0n]);
    expect(() => held.deleverage({ loss: 6n, lots: [1n, 0n, 1n] })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE', message: 'lots[1] must be above 0, got 0' }));
    expect(() => held.deleverage({ loss: 6n, capacities: [1n, -1n, 1n] })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => held.deleverage({ loss: 6n, lots: held.lots })).toThrow(expect.objectContaining({ message: 'lots[0] must be above 0, got 0' }));
    expect(() => held.deleverage({ loss: 6n, rounding: 'down' } as never)).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_OPTION' }));
    expect(Array.from(held.haircuts)).toEqual([5n, 1n, 0n]);
    expect(Array.from(held.scores)).toEqual([3n, 2n, 1n]);
    expect(held.deleverage({ loss: 6n, scores: [1n, 2n, 3n] })).toMatchObject({ socialized: 6n, accountsCharged: 1 });
    expect(Array.from(held.haircuts)).toEqual([0n, 0n, 6n]);
  });

  it('engine.deleveragePools equals deleveragePoolsReference: every pool its own queue', () => {
    fc.assert(fc.property(book, fc.integer({ min: 1, max: 5 }), fc.infiniteStream(fc.nat()), (input, count, stream) => {
      const { loss, insuranceFund, ...columns } = input;
      const pool = Uint32Array.from(columns.profits.map(() => stream.next().value % count));
      const pools = Array.from({ length: count }, (_, k) => ({ loss: loss / BigInt(k + 1), insuranceFund: k === 0 ? insuranceFund : 0n }));
      const call = { ...columns, pool, pools };
      expect(outcome(() => engine().deleveragePools(call))).toEqual(outcome(() => deleveragePoolsReference(call)));
    }), runs(400));
  });

  it('1,000 pools over a book of ties, seeded and not; pools without accounts; errors in the reference\'s order', () => {
    const n = sized(5_000, 100_000);
    const input = largeBook(n, (i) => BigInt(i % 3), 11);
    const pool = Uint32Array.from({ length: n }, (_, i) => (Math.imul(i, 0x9e3779b1) >>> 0) % 997);
    const pools = Array.from({ length: 1_000 }, (_, k) => ({ loss: BigInt(1 + ((k * 7919) % 20_000)) }));
    for (const tieSeed of [undefined, 3n]) {
      const call = { ...input, pool, pools, tieSeed };
      const got = engine().deleveragePools(call), want = deleveragePoolsReference(call);
      expect(got.haircuts).toEqual(want.haircuts);
      expect(got.pools).toEqual(want.pools);
    }
    const base = { profits: [5n, 5n], scores: [1n, 2n], pool: Uint32Array.from([0, 2]), pools: [{ loss: 3n }, { loss: 4n }] };
    for (const call of [base, { ...base, lots: [0n, 1n] }, { ...base, pool: [0, 1] }, { ...base, pools: [{ loss: -1n }] }, { ...base, pool: Uint32Array.from([0]) }]) {
      expect(outcome(() => engine().deleveragePools(call as never))).toEqual(outcome(() => deleveragePoolsReference(call as never)));
    }
  });

  it('never modifies its input', () => {
    const input = largeBook(1_000, (i) => BigInt(i % 10), 3);
    const copy = structuredClone(input);
    engine().deleverage({ ...input, loss: 100_000n, tieSeed: 5n });
    expect(input).toEqual(copy);
  });
});
