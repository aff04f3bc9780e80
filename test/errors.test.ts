// Bad input, named one by one: each gets the contract's error naming the field
// (and the first bad index), nothing is computed and nothing is modified.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEngine, MAX_ACCOUNTS, type Engine } from '../src/index.js';
import { socializeReference } from '../src/reference.js';
import { I64_MAX, I64_MIN } from '../src/validate.js';

type Case = [name: string, input: unknown, error: typeof TypeError | typeof RangeError, message: RegExp];

const ok = [5n, 10n];
const cases: Case[] = [
  ['input not an object', 42, TypeError, /input must be an object/],
  ['input null', null, TypeError, /input must be an object/],
  ['loss missing', { profits: ok }, TypeError, /^loss must be a bigint or a safe-integer number, got undefined/],
  ['loss a string', { loss: '7', profits: ok }, TypeError, /^loss .* got "7"/],
  ['loss fractional', { loss: 1.5, profits: ok }, TypeError, /^loss .* got 1\.5/],
  ['loss NaN', { loss: NaN, profits: ok }, TypeError, /^loss .* got NaN/],
  ['loss an unsafe number', { loss: 2 ** 53, profits: ok }, TypeError, /^loss .* got 9007199254740992/],
  ['loss negative', { loss: -1n, profits: ok }, RangeError, /^loss must be between 0 and 2\^63 − 1, got -1/],
  ['loss negative number', { loss: -1, profits: ok }, RangeError, /^loss must be between 0/],
  ['loss 2^63', { loss: 2n ** 63n, profits: ok }, RangeError, /^loss must be between 0 and 2\^63 − 1, got 9223372036854775808/],
  ['insuranceFund null', { loss: 1n, insuranceFund: null, profits: ok }, TypeError, /^insuranceFund must be a bigint/],
  ['insuranceFund negative', { loss: 1n, insuranceFund: -5n, profits: ok }, RangeError, /^insuranceFund must be between 0/],
  ['insuranceFund 2^63', { loss: 1n, insuranceFund: 2n ** 63n, profits: ok }, RangeError, /^insuranceFund/],
  ['profits missing', { loss: 1n }, TypeError, /^profits must be an array or a typed array, got undefined/],
  ['profits a string', { loss: 1n, profits: '123' }, TypeError, /^profits must be an array or a typed array/],
  ['profits a plain object', { loss: 1n, profits: { length: 1, 0: 1n } }, TypeError, /^profits must be an array/],
  ['profits a DataView', { loss: 1n, profits: new DataView(new ArrayBuffer(8)) }, TypeError, /^profits must be an array/],
  ['profit fractional', { loss: 1n, profits: [1n, 2n, 1.5] }, TypeError, /^profits\[2\] must be a bigint or a safe-integer number, got 1\.5/],
  ['profit NaN', { loss: 1n, profits: [NaN] }, TypeError, /^profits\[0\] .* got NaN/],
  ['profit a string', { loss: 1n, profits: [1n, '7'] }, TypeError, /^profits\[1\] .* got "7"/],
  ['profit undefined (hole)', { loss: 1n, profits: [1n, , 3n] }, TypeError, /^profits\[1\] .* got undefined/],
  ['profit an unsafe number', { loss: 1n, profits: [1, 2 ** 60] }, TypeError, /^profits\[1\]/],
  ['profit Infinity', { loss: 1n, profits: [Infinity] }, TypeError, /^profits\[0\]/],
  ['profit above 2^63 − 1', { loss: 1n, profits: [1n, I64_MAX + 1n] }, RangeError, /^profits\[1\] must be within the signed 64-bit range, got 9223372036854775808/],
  ['profit below −2^63', { loss: 1n, profits: [I64_MIN - 1n] }, RangeError, /^profits\[0\] must be within the signed 64-bit range/],
  ['profit in a Float64Array', { loss: 1n, profits: new Float64Array([1, 0.5]) }, TypeError, /^profits\[1\]/],
  ['profit in a BigUint64Array past 2^63', { loss: 1n, profits: new BigUint64Array([2n ** 63n]) }, RangeError, /^profits\[0\]/],
  ['first bad index wins', { loss: 1n, profits: [1n, 'x', 2n ** 70n] }, TypeError, /^profits\[1\]/],
];

describe('bad input to the reference', () => {
  it.each(cases)('%s', (_, input, error, message) => {
    expect(() => socializeReference(input as never)).toThrow(error);
    expect(() => socializeReference(input as never)).toThrow(message);
  });
});

describe('bad input to the engine', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await loadEngine();
  });

  it.each(cases)('%s', (_, input, error, message) => {
    expect(() => engine.socialize(input as never)).toThrow(error);
    expect(() => engine.socialize(input as never)).toThrow(message);
  });

  it('leaves no memory behind after an error', () => {
    const profits = Array.from({ length: 200_000 }, (_, i) => (i === 199_999 ? 'bad' : 1n));
    expect(() => engine.socialize({ loss: 1n, profits: profits as bigint[] })).toThrow(/profits\[199999\]/);
    const size = engine.memoryBytes;
    for (let i = 0; i < 20; i++) expect(() => engine.socialize({ loss: 1n, profits: profits as bigint[] })).toThrow(TypeError);
    expect(engine.memoryBytes).toBe(size);
  });

  it.each([
    ['negative', -1, RangeError, /^book length must be a non-negative integer, got -1/],
    ['fractional', 2.5, RangeError, /^book length must be a non-negative integer, got 2\.5/],
    ['NaN', NaN, RangeError, /^book length must be a non-negative integer/],
    ['past capacity', MAX_ACCOUNTS + 1, RangeError, new RegExp(`past the engine's capacity of ${MAX_ACCOUNTS} accounts`)],
    ['a string', '10', TypeError, /^book length must be a number, got string/],
    ['a bigint', 10n, TypeError, /^book length must be a number, got bigint/],
  ] as const)('createBook rejects a length that is %s', (_, length, error, message) => {
    expect(() => engine.createBook(length as never)).toThrow(error);
    expect(() => engine.createBook(length as never)).toThrow(message);
  });

  it('book.socialize rejects bad parameters without touching the haircuts', () => {
    using book = engine.createBook(3);
    book.profits.set([10n, 20n, 30n]);
    book.socialize({ loss: 6n });
    const before = book.haircuts.slice();
    expect(() => book.socialize({ loss: -1n })).toThrow(RangeError);
    expect(() => book.socialize({ loss: 1n, insuranceFund: 0.5 })).toThrow(/^insuranceFund/);
    expect(() => book.socialize(undefined as never)).toThrow(TypeError);
    expect(book.haircuts).toEqual(before);
  });

  it('rejects an unknown variant', async () => {
    await expect(loadEngine({ variant: 'fast' as never })).rejects.toThrow(RangeError);
  });
});
