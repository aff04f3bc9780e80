// The auditor's queue (src/audit/queue.ts: certificate, full computation, one
// account's place) against deleverageReference, on random books with every option.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditQueue, certifyQueue, explainQueue, type QueueBook } from '../src/audit/queue.js';
import { deleveragePoolsReference, deleverageReference } from '../src/reference.js';
import { mostlySmall, queueBooks } from './arbitraries.js';
import { runs } from './support.js';

type Drawn = fc.Arbitrary<ReturnType<typeof queueBooks> extends fc.Arbitrary<infer T> ? T : never>;

/** A drawn queue input as the auditor's book. */
function bookOf(input: Drawn extends fc.Arbitrary<infer T> ? T : never, pool?: Uint32Array, pools?: { loss: bigint; insuranceFund: bigint }[]): QueueBook {
  const profits = BigInt64Array.from(input.profits);
  return {
    profits,
    scores: BigInt64Array.from(input.scores),
    capacities: input.capacities ? BigInt64Array.from(input.capacities) : profits.map((p) => (p > 0n ? p : 0n)),
    lots: input.lots ? BigInt64Array.from(input.lots) : undefined,
    exempt: input.exempt ? Uint8Array.from(input.exempt, Number) : undefined,
    pool,
    pools: pools ?? [{ loss: input.loss, insuranceFund: input.insuranceFund }],
    tieSeed: input.tieSeed,
  };
}

const books = queueBooks(40, fc.oneof(fc.bigInt({ min: -3n, max: 3n }), mostlySmall(-(2n ** 63n), 2n ** 63n - 1n)));

describe('the auditor\'s queue', () => {
  it('computes what deleverageReference computes, and certifies it in one pass', () => {
    fc.assert(fc.property(books, (input) => {
      const expected = deleverageReference(input).haircuts;
      const book = bookOf(input);
      expect(auditQueue(book)).toEqual(expected);
      expect(certifyQueue(book, expected.slice(), 10).mismatches).toBe(0);
    }), runs(2000));
  });

  it('refuses any changed haircut, naming it with the right value', () => {
    fc.assert(fc.property(books.filter((b) => b.profits.length > 0), fc.nat(), fc.bigInt({ min: -5n, max: 5n }).filter((d) => d !== 0n), (input, at, delta) => {
      const expected = deleverageReference(input).haircuts;
      const tampered = expected.slice();
      const i = at % tampered.length;
      tampered[i] = tampered[i]! + delta;
      const certificate = certifyQueue(bookOf(input), tampered, 10);
      expect(certificate.mismatches).toBe(1);
      expect(certificate.differences).toEqual([{ index: i, expected: expected[i], found: tampered[i] }]);
    }), runs(1000));
  });

  it('refuses a last payer that paid its whole capacity short of the need while another could still pay (a named case)', () => {
    const input = { profits: [2n ** 63n - 101n, 0n], scores: [0n, 1n], capacities: [2n, 1n], lots: undefined, exempt: undefined, loss: 3n, insuranceFund: 0n, tieSeed: undefined };
    expect(deleverageReference(input).haircuts).toEqual(BigInt64Array.from([2n, 1n]));
    const certificate = certifyQueue(bookOf(input), BigInt64Array.from([0n, 1n]), 10);
    expect(certificate.differences).toEqual([{ index: 0, expected: 2n, found: 0n }]);
    // Short of the need with no one after it: the queue ran out, and that is right.
    expect(certifyQueue(bookOf({ ...input, loss: 5n }), BigInt64Array.from([2n, 1n]), 10).mismatches).toBe(0);
  });

  it('runs per pool as deleveragePoolsReference does', () => {
    fc.assert(fc.property(books, fc.array(fc.record({ loss: fc.bigInt({ min: 0n, max: 300n }), insuranceFund: fc.bigInt({ min: 0n, max: 50n }) }), { minLength: 1, maxLength: 4 }), fc.array(fc.nat()), (input, pools, picks) => {
      const pool = Uint32Array.from(input.profits, (_, i) => (picks[i] ?? i) % pools.length);
      const { loss: _loss, insuranceFund: _fund, ...rest } = input;
      const expected = deleveragePoolsReference({ ...rest, pool, pools }).haircuts;
      const book = bookOf(input, pool, pools);
      expect(auditQueue(book)).toEqual(expected);
      expect(certifyQueue(book, expected.slice(), 10).mismatches).toBe(0);
    }), runs(1000));
  });

  it('explains each account: its haircut, its rank, and the need its turn came with', () => {
    fc.assert(fc.property(books, (input) => {
      const expected = deleverageReference(input).haircuts;
      const book = bookOf(input);
      const ranks = new Set<number>();
      let inQueue = 0;
      for (let i = 0; i < expected.length; i++) {
        const place = explainQueue(book, i);
        expect(place.paid).toBe(expected[i]);
        if (place.reason === 'in the queue') {
          inQueue++;
          ranks.add(place.rank);
          // What it pays follows from the need its turn came with.
          expect(place.paid).toBe(place.needBefore > 0n ? expected[i] : 0n);
        }
      }
      // The ranks are 1 … the queue's length, each once.
      expect([...ranks].sort((a, b) => a - b)).toEqual(Array.from({ length: inQueue }, (_, k) => k + 1));
    }), runs(500));
  });

  it('names the last payer and the accounts the need was covered before', () => {
    const book: QueueBook = {
      profits: BigInt64Array.from([50n, 40n, 30n]), scores: BigInt64Array.from([1n, 3n, 2n]), capacities: BigInt64Array.from([50n, 40n, 30n]),
      lots: BigInt64Array.from([1n, 1n, 7n]), pools: [{ loss: 60n, insuranceFund: 0n }],
    };
    expect(explainQueue(book, 1)).toMatchObject({ rank: 1, needBefore: 60n, paid: 40n });
    // 20 still needed, rounded up to whole lots of 7: 21.
    expect(explainQueue(book, 2)).toMatchObject({ rank: 2, needBefore: 20n, paid: 21n, why: expect.stringContaining('whole lots') });
    expect(explainQueue(book, 0)).toMatchObject({ rank: 3, needBefore: 0n, paid: 0n });
  });
});
