// Bad input, named one by one: each gets the contract's error naming the field
// (and the first bad index), nothing is computed and nothing is modified.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The shards' workers load the built worker.js: the sharded engine runs from dist/ (npm test builds first).
import { loadShardedEngine, type ShardedEngine } from '../dist/parallel/index.js';
import { loadEngine, MAX_ACCOUNTS, type Engine } from '../src/index.js';
import { indexDeltaReference, socializePoolsReference, socializeReference } from '../src/reference.js';
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

// Issue 25: a typed array whose buffer was transferred (detached) reads as empty. It is
// refused with ERR_DETACHED_VIEW naming the field, on every path, never computed from
// as an empty book nor left to the runtime's own TypeError without a code.
describe('detached typed arrays', () => {
  let engine: Engine;
  let sharded: ShardedEngine;
  beforeAll(async () => {
    engine = await loadEngine();
    sharded = await loadShardedEngine({ shards: 2 });
  });
  afterAll(async () => {
    await sharded?.close();
  });

  /** `view` after its buffer was transferred away: detached, length 0. */
  function detached<V extends ArrayBufferView>(view: V): V {
    structuredClone(view.buffer, { transfer: [view.buffer as ArrayBuffer] });
    return view;
  }
  const hint = String.raw` \(its buffer was transferred, or engine memory grew or a book was freed since it was taken; read the book's view again\)$`;
  const profits = [5n, 10n];
  const pool = new Uint32Array(2);

  type Call = [name: string, call: () => unknown, message: RegExp];
  const calls: Call[] = [
    ['engine.socialize, profits', () => engine.socialize({ loss: 5n, profits: detached(BigInt64Array.of(5n, 10n)) }), new RegExp(`^profits is a detached view${hint}`)],
    ['socializeReference, profits', () => socializeReference({ loss: 5n, profits: detached(BigInt64Array.of(5n, 10n)) }), new RegExp(`^profits is a detached view${hint}`)],
    ['engine.socialize, profits as a Float64Array', () => engine.socialize({ loss: 5n, profits: detached(Float64Array.of(5, 10)) }), /^profits is a detached view/],
    ['engine.socialize, exempt', () => engine.socialize({ loss: 5n, profits, exempt: detached(new Uint8Array(2)) }), new RegExp(`^exempt has 0 entries; expected one per account \\(2\\): a detached view${hint}`)],
    ['socializeReference, exempt', () => socializeReference({ loss: 5n, profits, exempt: detached(new Uint8Array(2)) }), /^exempt has 0 entries; expected one per account \(2\): a detached view/],
    ['engine.socialize, weights', () => engine.socialize({ loss: 5n, profits, weights: detached(BigInt64Array.of(1n, 1n)) }), /^weights has 0 entries; expected one per account \(2\): a detached view/],
    ['engine.socialize, caps', () => engine.socialize({ loss: 5n, profits, weights: [1n, 1n], caps: detached(BigInt64Array.of(1n, 1n)) }), /^caps has 0 entries; expected one per account \(2\): a detached view/],
    ['engine.socializePools, profits', () => engine.socializePools({ profits: detached(BigInt64Array.of(5n, 10n)), pool: new Uint32Array(0), pools: [{ loss: 1n }] }), /^profits is a detached view/],
    ['engine.socializePools, pool', () => engine.socializePools({ profits, pool: detached(new Uint32Array(2)), pools: [{ loss: 1n }] }), /^pool has 0 entries; expected one per account \(2\): a detached view/],
    ['socializePoolsReference, pool', () => socializePoolsReference({ profits, pool: detached(new Uint32Array(2)), pools: [{ loss: 1n }] }), /^pool has 0 entries; expected one per account \(2\): a detached view/],
    ['engine.socializePools, weights', () => engine.socializePools({ profits, pool, pools: [{ loss: 1n }], weights: detached(BigInt64Array.of(1n, 1n)) }), /^weights has 0 entries; expected one per account \(2\): a detached view/],
    ['engine.indexDelta, units', () => engine.indexDelta({ loss: 5n, units: detached(BigInt64Array.of(1n, 2n)), scale: 10n }), new RegExp(`^units is a detached view${hint}`)],
    ['indexDeltaReference, units', () => indexDeltaReference({ loss: 5n, units: detached(BigInt64Array.of(1n, 2n)), scale: 10n }), /^units is a detached view/],
    ['book.socialize, weights', () => engine.createBook(2).socialize({ loss: 5n, weights: detached(BigInt64Array.of(1n, 1n)) }), /^weights has 0 entries; expected one per account \(2\): a detached view/],
    ['book.socializePools, caps', () => engine.createBook(2).socializePools([{ loss: 5n }], { weights: [1n, 1n], caps: detached(BigInt64Array.of(1n, 1n)) }), /^caps has 0 entries; expected one per account \(2\): a detached view/],
  ];

  it.each(calls)('%s', (_, call, message) => {
    let error: unknown;
    try {
      call();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RangeError);
    expect(error).toMatchObject({ code: 'ERR_DETACHED_VIEW' });
    expect((error as Error).message).toMatch(message);
  });

  it('the sharded engine\'s copying path, profits, exempt and units', async () => {
    await expect(sharded.socialize({ loss: 5n, profits: detached(BigInt64Array.of(5n, 10n)) })).rejects.toMatchObject({ name: 'RangeError', code: 'ERR_DETACHED_VIEW', message: expect.stringMatching(/^profits is a detached view/) });
    await expect(sharded.socialize({ loss: 5n, profits, exempt: detached(new Uint8Array(2)) })).rejects.toMatchObject({ code: 'ERR_DETACHED_VIEW', message: expect.stringMatching(/^exempt has 0 entries/) });
    await expect(sharded.socializePools({ profits, pool: detached(new Uint32Array(2)), pools: [{ loss: 1n }] })).rejects.toMatchObject({ code: 'ERR_DETACHED_VIEW' });
    await expect(sharded.indexDelta({ loss: 5n, units: detached(BigInt64Array.of(1n)), scale: 1n })).rejects.toMatchObject({ code: 'ERR_DETACHED_VIEW' });
  });

  it('an empty typed array that is not detached is an empty book, not an error', () => {
    const empty = new BigInt64Array(0);
    expect(engine.socialize({ loss: 5n, profits: empty }).uncovered).toBe(5n);
    expect(socializeReference({ loss: 5n, profits: empty }).uncovered).toBe(5n);
    // An empty view of a non-empty buffer, and an empty exempt for an empty book.
    expect(engine.socialize({ loss: 5n, profits: new BigInt64Array(new ArrayBuffer(16), 8, 0), exempt: new Uint8Array(0) }).uncovered).toBe(5n);
  });
});
