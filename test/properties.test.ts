// Differential properties: the WebAssembly engine against the bigint reference,
// on random books from fast-check and on large seeded books, for every core build.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEngine, type Engine } from '../src/index.js';
import { socializeReference } from '../src/reference.js';
import { generateProfits, PROFILES, positiveTotal } from '../src/scenario.js';
import { I64_MAX, I64_MIN } from '../src/validate.js';
import { describeEachVariant, expectGuarantees, runs } from './support.js';

/** Profits that make ties, zeros, negatives, values near ±2^63 and sums past 2^64 likely. */
const profit = fc.oneof(
  { weight: 4, arbitrary: fc.bigInt({ min: -20n, max: 60n }) },
  { weight: 2, arbitrary: fc.bigInt({ min: I64_MIN, max: I64_MAX }) },
  { weight: 2, arbitrary: fc.bigInt({ min: I64_MAX - 1_000n, max: I64_MAX }) },
  { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: 2n ** 40n }) },
  { weight: 1, arbitrary: fc.constantFrom(0n, 1n, -1n, I64_MIN, I64_MAX) },
);
const profits = fc.array(profit, { maxLength: 80 });
const amount = fc.oneof(
  fc.bigInt({ min: 0n, max: 200n }),
  fc.bigInt({ min: 0n, max: I64_MAX }),
  fc.bigInt({ min: I64_MAX - 1_000n, max: I64_MAX }),
);
/** A loss that is a simple fraction num/den of the total, capped to the valid range: remainders cluster. */
const fraction = fc.record({ num: fc.integer({ min: 1, max: 6 }), den: fc.integer({ min: 2, max: 7 }) });
const RUNS = runs(400);

describeEachVariant('the plain split in one line', (engine) => {
  it('README: 750,000 over 1,000,000 of profit, the 2 units left to the largest remainders (0.75, 0.75)', () => expect(engine().socialize({ loss: 1_000_000n, insuranceFund: 250_000n, profits: [500_001n, -120_000n, 333_333n, 166_666n, 0n] }).haircuts).toEqual(BigInt64Array.from([375_001n, 0n, 250_000n, 124_999n, 0n])));
  it('the fund first, then pro rata to profit: 750 over [900, 100]', () => expect(engine().socialize({ loss: 1000n, insuranceFund: 250n, profits: [900n, 100n, -50n] }).haircuts).toEqual(BigInt64Array.from([675n, 75n, 0n])));
  it('README (reference): 10 over [5, 3, 2] is each profit in full', () => expect(engine().socialize({ loss: 10n, profits: [5n, 3n, -2n, 2n] }).haircuts).toEqual(BigInt64Array.from([5n, 3n, 0n, 2n])));
  it('the unit left goes to the largest remainder (66.67 → 67)', () => expect(engine().socialize({ loss: 500n, profits: [600n, 300n, 300n, 200n, 100n] }).haircuts).toEqual(BigInt64Array.from([200n, 100n, 100n, 67n, 33n])));
  it('a tie goes to the lower index', () => expect(engine().socialize({ loss: 1n, profits: [5n, 5n, 5n] }).haircuts).toEqual(BigInt64Array.from([1n, 0n, 0n])));
  it('a loss above all profits takes every profit, no more', () => expect(engine().socialize({ loss: 1000n, insuranceFund: 10n, profits: [100n, -40n, 200n] }).haircuts).toEqual(BigInt64Array.from([100n, 0n, 200n])));
  it('a fund that covers the loss takes nothing from anyone', () => expect(engine().socialize({ loss: 100n, insuranceFund: 100n, profits: [10n, 20n] }).haircuts).toEqual(BigInt64Array.from([0n, 0n])));
});

describeEachVariant('engine equals reference', (engine, variant) => {
  let other: Engine;
  beforeAll(async () => {
    other = await loadEngine({ variant });
  });

  it('on random books, losses and funds', () => {
    fc.assert(fc.property(profits, amount, amount, (ps, loss, insuranceFund) => {
      const input = { loss, insuranceFund, profits: BigInt64Array.from(ps) };
      const result = engine().socialize(input);
      expect(result).toEqual(socializeReference(input));
      expectGuarantees(ps, loss, insuranceFund, result);
    }), RUNS);
  });

  it('when the loss is a simple fraction of the total', () => {
    fc.assert(fc.property(profits, fraction, (ps, { num, den }) => {
      const total = ps.reduce((s, p) => (p > 0n ? s + p : s), 0n);
      const wanted = (total * BigInt(num)) / BigInt(den);
      const loss = wanted > I64_MAX ? I64_MAX : wanted;
      const result = engine().socialize({ loss, profits: ps });
      expect(result).toEqual(socializeReference({ loss, profits: ps }));
      expectGuarantees(ps, loss, 0n, result);
    }), RUNS);
  });

  it('is deterministic: same input, other engine, book path, all equal', () => {
    fc.assert(fc.property(profits, amount, amount, (ps, loss, insuranceFund) => {
      const input = { loss, insuranceFund, profits: ps };
      const first = engine().socialize(input);
      expect(engine().socialize(input)).toEqual(first);
      expect(other.socialize(input)).toEqual(first);
      using book = other.createBook(ps.length);
      book.profits.set(ps);
      const { haircuts, ...summary } = first;
      expect(book.socialize({ loss, insuranceFund })).toEqual(summary);
      expect(book.haircuts).toEqual(haircuts);
    }), runs(150));
  });

  it('gives the same result for bigint[], number[] and BigInt64Array inputs', () => {
    const small = fc.array(fc.integer({ min: -1_000_000, max: Number.MAX_SAFE_INTEGER }), { maxLength: 50 });
    fc.assert(fc.property(small, fc.bigInt({ min: 0n, max: 2n ** 60n }), (numbers, loss) => {
      const fromNumbers = engine().socialize({ loss, profits: numbers });
      expect(engine().socialize({ loss, profits: numbers.map(BigInt) })).toEqual(fromNumbers);
      expect(engine().socialize({ loss, profits: BigInt64Array.from(numbers, BigInt) })).toEqual(fromNumbers);
      expect(engine().socialize({ loss: Number(loss % 2n ** 53n), profits: numbers }))
        .toEqual(socializeReference({ loss: loss % 2n ** 53n, profits: numbers }));
    }), runs(150));
  });

  // Books of 2^16 accounts and more take the sampled single pass (assembly/sample.ts);
  // their boundary bands hold thousands of candidates, settled in several rounds.
  describe.each(PROFILES)('seeded %s books of 70,000 accounts', (profile) => {
    const book = generateProfits(70_000, profile, 7);
    const total = positiveTotal(book);
    it.each([
      ['a third of the total', total / 3n],
      ['a seventh of the total', total / 7n],
      ['one unit', 1n],
      ['the total less one', total - 1n],
      ['a tenth, with a fund', total / 10n],
    ])('loss %s', (_, wanted) => {
      const loss = wanted > I64_MAX ? I64_MAX : wanted;
      const input = { loss, insuranceFund: loss / 5n, profits: book };
      expect(engine().socialize(input)).toEqual(socializeReference(input));
    });
  });

  it('when the sample misleads: sampled accounts unlike the rest (the pass is redone)', () => {
    // The kernel samples every (n / 4096)-th account; here those differ from all others,
    // so the predicted band misses the boundary and the pass runs again listing everyone.
    const n = 2 ** 17;
    const book = BigInt64Array.from({ length: n }, (_, i) => (i % 32 === 0 ? 999_999n : 1_000_000n));
    const total = positiveTotal(book);
    for (const loss of [total / 2n + 12_345n, total / 1_000n + 7n, total - 3n]) {
      expect(engine().socialize({ loss, profits: book })).toEqual(socializeReference({ loss, profits: book }));
    }
  });

  it('on a book whose total is a multiple of 3 and loss a third (all remainders in three values)', () => {
    const book = generateProfits(90_000, 'uniform', 11);
    const total = positiveTotal(book);
    book[book.findIndex((p) => p > 1_000n)]! -= total % 3n;
    const input = { loss: positiveTotal(book) / 3n, profits: book };
    expect(engine().socialize(input)).toEqual(socializeReference(input));
  });

  it('on a wide book: 20,000 profits near 2^63, total past 2^77', () => {
    const next = generateProfits(20_000, 'uniform', 3);
    const book = next.map((v) => I64_MAX - (v < 0n ? -v : v));
    for (const loss of [I64_MAX, I64_MAX / 3n, 12_345n]) {
      const input = { loss, profits: book };
      expect(engine().socialize(input)).toEqual(socializeReference(input));
    }
  });
});
