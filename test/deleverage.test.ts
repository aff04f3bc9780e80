// The auto-deleveraging queue's oracle (deleverageReference, deleveragePoolsReference):
// named cases from the contract's definition, its errors, and properties checked
// against the definition's consequences rather than a second copy of it: the charged
// accounts are a prefix of the queue, each but the last pays its whole capacity, the
// last pays whole lots (or its capacity), and the totals' identity holds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deleveragePoolsReference, deleverageReference, splitmix64 } from '../src/reference.js';
import { I64_MAX } from '../src/validate.js';
import { queueBooks } from './arbitraries.js';
import { runs } from './support.js';

const haircutsOf = (input: Parameters<typeof deleverageReference>[0]) => Array.from(deleverageReference(input).haircuts);

describe('the queue, case by case', () => {
  it('takes the largest scores first, each its whole capacity, the last what is still needed', () => {
    const result = deleverageReference({ loss: 70n, profits: [50n, 40n, 30n], scores: [1n, 3n, 2n] });
    expect(Array.from(result.haircuts)).toEqual([0n, 40n, 30n]);
    expect(result).toMatchObject({ insuranceUsed: 0n, socialized: 70n, uncovered: 0n, surplus: 0n, roundingDust: 0n, totalCapacity: 120n, accountsCharged: 2 });
    expect(haircutsOf({ loss: 75n, profits: [50n, 40n, 30n], scores: [1n, 3n, 2n] })).toEqual([5n, 40n, 30n]);
  });

  it('the fund pays first; a fund that covers the loss leaves everyone untouched', () => {
    expect(deleverageReference({ loss: 70n, insuranceFund: 30n, profits: [50n, 40n, 30n], scores: [1n, 3n, 2n] }))
      .toMatchObject({ insuranceUsed: 30n, socialized: 40n, accountsCharged: 1 });
    expect(haircutsOf({ loss: 70n, insuranceFund: 70n, profits: [50n, 40n], scores: [1n, 3n] })).toEqual([0n, 0n]);
  });

  it('equal scores: the lower index first, or ascending splitmix64(tieSeed XOR index) when seeded', () => {
    expect(haircutsOf({ loss: 15n, profits: [10n, 10n, 10n], scores: [5n, 5n, 5n] })).toEqual([10n, 5n, 0n]);
    const seed = 12345n;
    const order = [0, 1, 2].sort((a, b) => (splitmix64(seed ^ BigInt(a)) < splitmix64(seed ^ BigInt(b)) ? -1 : 1));
    const expected = [0n, 0n, 0n];
    expected[order[0]!] = 10n;
    expected[order[1]!] = 5n;
    expect(haircutsOf({ loss: 15n, profits: [10n, 10n, 10n], scores: [5n, 5n, 5n], tieSeed: seed })).toEqual(expected);
  });

  it('capacities: default max(profit, 0); given, any sign of profit may pay; 0 and exempt never do', () => {
    // Account 0 is in loss but its capacity (e.g. equity) is given; account 1 has none.
    expect(haircutsOf({ loss: 25n, profits: [-5n, 100n, 30n], scores: [9n, 8n, 1n], capacities: [10n, 0n, 30n] })).toEqual([10n, 0n, 15n]);
    expect(haircutsOf({ loss: 25n, profits: [-5n, 100n, 30n], scores: [9n, 8n, 1n] })).toEqual([0n, 25n, 0n]);
    expect(haircutsOf({ loss: 25n, profits: [40n, 100n, 30n], scores: [9n, 8n, 1n], exempt: [true, false, false] })).toEqual([0n, 25n, 0n]);
  });

  it('a residual above every capacity takes them all and leaves the rest uncovered', () => {
    const result = deleverageReference({ loss: 1_000n, profits: [10n, 20n, -3n], scores: [0n, 0n, 0n] });
    expect(Array.from(result.haircuts)).toEqual([10n, 20n, 0n]);
    expect(result).toMatchObject({ socialized: 30n, uncovered: 970n, surplus: 0n, totalCapacity: 30n, accountsCharged: 2 });
  });

  it('lots: the last payer pays whole lots, at most its capacity; what it pays past the need is the surplus', () => {
    const result = deleverageReference({ loss: 23n, profits: [20n, 20n], scores: [2n, 1n], lots: [5n, 7n] });
    // Account 0 pays its 20 (a capacity need not be whole lots); 3 are left: one lot of 7.
    expect(Array.from(result.haircuts)).toEqual([20n, 7n]);
    expect(result).toMatchObject({ socialized: 27n, surplus: 4n, uncovered: 0n });
    expect(haircutsOf({ loss: 3n, profits: [5n], scores: [0n], lots: [7n] })).toEqual([5n]);
  });

  it('near 2^63: capacities and a loss at the limit, totals past 2^64', () => {
    const big = I64_MAX;
    const result = deleverageReference({ loss: big, profits: [big, big, big], scores: [1n, 2n, 3n], lots: [1n, 1n, big] });
    expect(Array.from(result.haircuts)).toEqual([0n, 0n, big]);
    expect(result.totalCapacity).toBe(3n * big);
    expect(deleverageReference({ loss: big, profits: [big - 1n, big], scores: [5n, 1n], lots: [1n, big] }))
      .toMatchObject({ socialized: 2n * big - 1n, surplus: big - 1n });
  });

  it('an empty book: nothing charged, everything uncovered', () => {
    expect(deleverageReference({ loss: 9n, profits: [], scores: [] })).toMatchObject({ socialized: 0n, uncovered: 9n, totalCapacity: 0n, accountsCharged: 0, haircutRate: 0 });
  });

  it('pools: each pool its own queue, as if alone', () => {
    const result = deleveragePoolsReference({
      profits: [10n, 20n, 30n, 40n], pool: Uint32Array.from([0, 1, 0, 1]), scores: [1n, 2n, 3n, 4n], pools: [{ loss: 35n }, { loss: 5n, insuranceFund: 1n }],
    });
    expect(Array.from(result.haircuts)).toEqual([5n, 0n, 30n, 4n]);
    expect(result.pools.map((p) => p.socialized)).toEqual([35n, 4n]);
  });
});

describe('the queue refuses what it cannot take', () => {
  const base = { loss: 5n, profits: [5n, 5n], scores: [1n, 2n] };
  it.each([
    ['a lot of 0', { ...base, lots: [1n, 0n] }, RangeError, 'ERR_OUT_OF_RANGE', /^lots\[1\] must be above 0, got 0$/],
    ['a negative capacity', { ...base, capacities: [-1n, 0n] }, RangeError, 'ERR_OUT_OF_RANGE', /^capacities\[0\] must not be negative/],
    ['a misspelled key', { ...base, score: [1n, 2n] }, TypeError, 'ERR_UNKNOWN_OPTION', /score.*did you mean scores\?/],
    ['a rounding (the queue has none)', { ...base, rounding: 'down' }, TypeError, 'ERR_UNKNOWN_OPTION', /rounding/],
    ['no scores', { loss: 5n, profits: [5n] }, TypeError, 'ERR_INVALID_TYPE', /^scores must be given/],
    ['scores of another length', { ...base, scores: [1n] }, RangeError, 'ERR_LENGTH_MISMATCH', /^scores has 1 entries/],
    ['a score past 2^63', { ...base, scores: [1n, 2n ** 63n] }, RangeError, 'ERR_OUT_OF_RANGE', /^scores\[1\]/],
  ])('%s', (_, input, type, code, message) => {
    let thrown: unknown;
    try {
      deleverageReference(input as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(type);
    expect(thrown).toMatchObject({ code, message: expect.stringMatching(message) });
  });

  it('a pool index out of range names the account', () => {
    expect(() => deleveragePoolsReference({ profits: [1n, 2n], pool: Uint32Array.from([0, 3]), pools: [{ loss: 1n }], scores: [0n, 0n] }))
      .toThrow(expect.objectContaining({ code: 'ERR_POOL_INDEX', message: 'pool[1] is 3, but there is 1 pool' }));
  });
});

const book = queueBooks(40, fc.oneof(fc.bigInt({ min: -3n, max: 3n }), fc.bigInt({ min: -(2n ** 63n), max: I64_MAX })));

describe('the queue, property by property', () => {
  it('charges a prefix of the queue, each but the last its whole capacity, the last whole lots or its capacity; the totals add up', () => {
    fc.assert(fc.property(book, (input) => {
      const result = deleverageReference(input);
      const n = input.profits.length;
      const capacity = (i: number) => input.capacities?.[i] ?? (input.profits[i]! > 0n ? input.profits[i]! : 0n);
      const lot = (i: number) => input.lots?.[i] ?? 1n;
      const mayPay = (i: number) => !input.exempt?.[i] && capacity(i) > 0n;
      const tie = (i: number) => (input.tieSeed === undefined ? 0n : splitmix64(input.tieSeed ^ BigInt(i)));
      const queue = Array.from({ length: n }, (_, i) => i).filter(mayPay)
        .sort((a, b) => (input.scores[a] !== input.scores[b] ? (input.scores[a]! > input.scores[b]! ? -1 : 1) : tie(a) !== tie(b) ? (tie(a) < tie(b) ? -1 : 1) : a - b));
      const R = input.loss - (input.loss < input.insuranceFund ? input.loss : input.insuranceFund);
      const charged = queue.filter((i) => result.haircuts[i]! > 0n);
      expect(charged).toEqual(queue.slice(0, charged.length));
      for (let i = 0; i < n; i++) if (!mayPay(i)) expect(result.haircuts[i]).toBe(0n);
      charged.slice(0, -1).forEach((i) => expect(result.haircuts[i]).toBe(capacity(i)));
      let before = 0n;
      for (const i of charged.slice(0, -1)) before += capacity(i);
      expect(before < R || charged.length === 0).toBe(true);
      if (charged.length > 0) {
        const last = charged[charged.length - 1]!, paid = result.haircuts[last]!;
        expect(paid === capacity(last) || paid % lot(last) === 0n).toBe(true);
        expect(paid <= capacity(last)).toBe(true);
        // Whole lots, no more than needed: one lot less would not have covered the need.
        if (paid !== capacity(last)) expect(before + paid - lot(last) < R).toBe(true);
      }
      const collected = result.haircuts.reduce((sum, h) => sum + h, 0n);
      // Stopped only when covered, or at the end of the queue.
      expect(collected >= R || charged.length === queue.length).toBe(true);
      expect(result.socialized).toBe(collected);
      expect(result.insuranceUsed + result.socialized + result.uncovered).toBe(input.loss + result.surplus);
      expect(result.accountsCharged).toBe(charged.length);
      expect(result.totalCapacity).toBe(queue.reduce((sum, i) => sum + capacity(i), 0n));
    }), runs(400));
  });

  it('pools without a seed: each pool is the queue of its accounts alone', () => {
    fc.assert(fc.property(book, fc.integer({ min: 1, max: 4 }), fc.infiniteStream(fc.nat()), (input, count, stream) => {
      const { loss, insuranceFund, tieSeed: _seed, ...columns } = input;
      const pool = Uint32Array.from(columns.profits.map(() => stream.next().value % count));
      const pools = Array.from({ length: count }, (_, k) => ({ loss: loss / BigInt(k + 1), insuranceFund }));
      const result = deleveragePoolsReference({ ...columns, pool, pools });
      pools.forEach((amounts, k) => {
        const members = Array.from(pool.keys()).filter((i) => pool[i] === k);
        const pick = <T>(values: readonly T[] | undefined) => (values === undefined ? undefined : members.map((i) => values[i]!));
        const alone = deleverageReference({
          ...amounts, profits: pick(columns.profits)!, scores: pick(columns.scores)!, capacities: pick(columns.capacities), lots: pick(columns.lots), exempt: pick(columns.exempt),
        });
        expect(members.map((i) => result.haircuts[i])).toEqual(Array.from(alone.haircuts));
        const { haircuts: _h, ...summary } = alone;
        expect(result.pools[k]).toEqual(summary);
      });
    }), runs(200));
  });

  it('never modifies its input', () => {
    fc.assert(fc.property(book, (input) => {
      const copy = structuredClone(input);
      deleverageReference(input);
      expect(input).toEqual(copy);
    }), runs(100));
  });
});
