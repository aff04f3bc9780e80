// Per-unit index deltas: every result against the reference, the rounding
// directions' bounds on the drift, and every bad input.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { indexDeltaReference } from '../src/reference.js';
import { I64_MAX, I64_MIN } from '../src/validate.js';
import { amountUpTo } from './arbitraries.js';
import { describeEachVariant, runs } from './support.js';

const unit = fc.oneof(
  { weight: 4, arbitrary: fc.bigInt({ min: -1000n, max: 1000n }) },
  { weight: 2, arbitrary: fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }) },
  { weight: 1, arbitrary: fc.bigInt({ min: I64_MIN, max: I64_MAX }) },
);
const scale = fc.oneof(fc.constantFrom(1n, 1000n, 10n ** 6n, 10n ** 9n, 10n ** 18n, I64_MAX), fc.bigInt({ min: 1n, max: I64_MAX }));
const loss = amountUpTo(10n ** 6n);
const direction = fc.constantFrom<'up' | 'down'>('up', 'down');

describeEachVariant('index deltas in one line', (engine) => {
  it('README: 100 over 7 units at scale 1000 is a delta of 14286, charged [43, 43, 15]', () => expect(engine().indexDelta({ loss: 100n, units: [3n, -3n, 1n], scale: 1000n }).charges).toEqual(BigInt64Array.from([43n, 43n, 15n])));
  it('the delta is the ceiling of loss × scale / Σ|units|', () => expect(engine().indexDelta({ loss: 100n, units: [3n, -3n, 1n], scale: 1000n }).delta).toBe(14286n));
  it("'down' twice: delta 14285, every charge floored", () => expect(engine().indexDelta({ loss: 100n, units: [3n, -3n, 1n], scale: 1000n, rounding: 'down', chargeRounding: 'down' }).charges).toEqual(BigInt64Array.from([42n, 42n, 14n])));
  it("a ceiled delta with charges rounded 'down'", () => expect(engine().indexDelta({ loss: 100n, units: [3n, -3n, 1n], scale: 1000n, chargeRounding: 'down' }).charges).toEqual(BigInt64Array.from([42n, 42n, 14n])));
  it("a floored delta with charges rounded 'up'", () => expect(engine().indexDelta({ loss: 100n, units: [3n, -3n, 1n], scale: 1000n, rounding: 'down' }).charges).toEqual(BigInt64Array.from([43n, 43n, 15n])));
  it('an exact split charges each unit its share, and no unit nothing', () => expect(engine().indexDelta({ loss: 10n, units: [2n, 0n, 3n], scale: 10n ** 9n }).charges).toEqual(BigInt64Array.from([4n, 0n, 6n])));
  it('at scale 1 the delta is whole units: 10 over 3 units charges 12', () => expect(engine().indexDelta({ loss: 10n, units: [3n], scale: 1n }).charges).toEqual(BigInt64Array.from([12n])));
});

describeEachVariant('index deltas', (engine) => {
  it('equals the reference, errors included', () => {
    fc.assert(fc.property(fc.array(unit, { maxLength: 40 }), loss, scale, direction, direction, (units, amount, s, rounding, chargeRounding) => {
      const input = { loss: amount, units: BigInt64Array.from(units), scale: s, rounding, chargeRounding };
      let expected: unknown, actual: unknown;
      try { expected = indexDeltaReference(input); } catch (error) { expected = error; }
      try { actual = engine().indexDelta(input); } catch (error) { actual = error; }
      expect(actual).toEqual(expected);
    }), runs(500));
  });

  it('charges exactly the rounded share of the delta, and the drift has the rounding\'s sign', () => {
    fc.assert(fc.property(fc.array(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), { minLength: 1, maxLength: 40 }), fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.constantFrom(10n ** 6n, 10n ** 9n, 10n ** 18n), (units, amount, s) => {
      fc.pre(units.some((u) => u !== 0n));
      const total = units.reduce((sum, u) => sum + (u < 0n ? -u : u), 0n);
      const up = engine().indexDelta({ loss: amount, units, scale: s });
      const down = engine().indexDelta({ loss: amount, units, scale: s, rounding: 'down', chargeRounding: 'down' });
      // delta is the ceiling (floor) of loss·scale / Σ|units|.
      expect(up.delta * total >= amount * s && (up.delta - 1n) * total < amount * s).toBe(true);
      expect(down.delta * total <= amount * s && (down.delta + 1n) * total > amount * s).toBe(true);
      units.forEach((u, i) => {
        const size = u < 0n ? -u : u;
        expect(up.charges[i]! * s >= size * up.delta && (up.charges[i]! - 1n) * s < size * up.delta).toBe(true);
        expect(down.charges[i]! * s <= size * down.delta && (down.charges[i]! + 1n) * s > size * down.delta).toBe(true);
      });
      expect(up.collected).toBe(up.charges.reduce((a, b) => a + b, 0n));
      expect(up.drift).toBe(up.collected - amount);
      // Rounding up twice never collects less than the loss; down twice never more.
      expect(up.drift >= 0n).toBe(true);
      expect(down.drift <= 0n).toBe(true);
      expect(up.totalUnits).toBe(total);
    }), runs(300));
  });

  it('works the README example', () => {
    const r = engine().indexDelta({ loss: 100n, units: [3n, -3n, 1n], scale: 1000n });
    expect(r).toEqual({ delta: 14286n, charges: BigInt64Array.from([43n, 43n, 15n]), collected: 101n, drift: 1n, totalUnits: 7n });
    const floor = engine().indexDelta({ loss: 100n, units: [3n, -3n, 1n], scale: 1000n, rounding: 'down', chargeRounding: 'down' });
    expect(floor).toEqual({ delta: 14285n, charges: BigInt64Array.from([42n, 42n, 14n]), collected: 98n, drift: -2n, totalUnits: 7n });
  });

  it('charges |−2^63| and sums units past 2^64', () => {
    const units = [I64_MIN, I64_MIN, I64_MAX];
    const r = engine().indexDelta({ loss: 3n, units, scale: 10n ** 18n });
    expect(r).toEqual(indexDeltaReference({ loss: 3n, units, scale: 10n ** 18n }));
    expect(r.totalUnits).toBe(3n * 2n ** 63n - 1n);
  });

  it('rejects zero total units, charges past 2^63 − 1 and bad fields', () => {
    expect(() => engine().indexDelta({ loss: 5n, units: [0n, 0n], scale: 1000n })).toThrow(RangeError);
    expect(() => engine().indexDelta({ loss: 5n, units: [], scale: 1000n })).toThrow(/units sum to zero/);
    // Scale 1: delta = ceil((2^63 − 1) / (2^32 + 1)) = 2^31, and 2^32 units of it are 2^63.
    const units = [2n ** 32n, 1n];
    const message = (() => { try { indexDeltaReference({ loss: I64_MAX, units, scale: 1n }); } catch (error) { return (error as Error).message; } })();
    expect(message).toMatch(/^charges\[0\] would be 9223372036854775808,/);
    expect(() => engine().indexDelta({ loss: I64_MAX, units, scale: 1n })).toThrow(new RangeError(message));
    expect(() => engine().indexDelta({ loss: 5n, units: [1n], scale: 0n })).toThrow(RangeError);
    expect(() => engine().indexDelta({ loss: -5n, units: [1n], scale: 1n })).toThrow(RangeError);
    expect(() => engine().indexDelta({ loss: 5n, units: [1n, 1.5], scale: 1n })).toThrow(new TypeError('units[1] must be a bigint or a safe-integer number, got 1.5'));
    expect(() => engine().indexDelta({ loss: 5n, units: 'long' as never, scale: 1n })).toThrow(TypeError);
    expect(() => engine().indexDelta({ loss: 5n, units: [1n], scale: 1n, rounding: 'nearest' as never })).toThrow(RangeError);
    expect(() => engine().indexDelta({ loss: 5n, units: [1n], scale: 1n, chargeRounding: 1 as never })).toThrow(TypeError);
    expect(() => engine().indexDelta(null as never)).toThrow(TypeError);
  });

  it('leaves its input untouched', () => {
    const units = BigInt64Array.from([5n, -7n, 0n]);
    engine().indexDelta({ loss: 11n, units, scale: 10n ** 9n });
    expect([...units]).toEqual([5n, -7n, 0n]);
  });
});
