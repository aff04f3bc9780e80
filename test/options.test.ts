// Venue options on the plain path: exempt accounts, rounding policies, seeded ties.
// Every result against the reference, and the contract's identities on their own.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEngine, type Engine, type Rounding } from '../src/index.js';
import { socializeReference, splitmix64 } from '../src/reference.js';
import { generateProfits, positiveTotal } from '../src/scenario.js';
import { I64_MAX } from '../src/validate.js';
import { amountUpTo, anyRounding, mostlySmall, optionalTieSeed, ROUNDINGS } from './arbitraries.js';
import { describeEachVariant } from './support.js';

const profit = mostlySmall(-10n, 40n);
const book = fc.array(fc.tuple(profit, fc.boolean()), { maxLength: 60 });
const amount = amountUpTo(300n);

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
    }), { numRuns: 300 });
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
    }), { numRuns: 200 });
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
