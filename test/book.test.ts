// The zero-copy book path, engine memory and lifetimes.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadEngine, MAX_ACCOUNTS, simdSupported, type Book, type Engine } from '../src/index.js';
import { socializeReference } from '../src/reference.js';
import { generateProfits } from '../src/scenario.js';
import { describeEachVariant, VARIANTS } from './support.js';

/**
 * The haircuts of a fresh book of `engine` holding `columns` (each copied into the
 * book's view of that name) after `run`, copied out; the book is freed.
 */
function onBook(engine: Engine, columns: { profits: bigint[]; exempt?: number[]; pool?: number[] }, run: (book: Book) => unknown): BigInt64Array {
  using book = engine.createBook(columns.profits.length);
  book.profits.set(columns.profits);
  if (columns.exempt) book.exempt.set(columns.exempt);
  if (columns.pool) book.pool.set(columns.pool);
  run(book);
  return book.haircuts.slice();
}

describeEachVariant('books in one line', (engine) => {
  it('README: 80 over [500, 300] in place', () => expect(onBook(engine(), { profits: [500n, -20n, 300n] }, (b) => b.socialize({ loss: 80n }))).toEqual(BigInt64Array.from([50n, 0n, 30n])));
  it('the fund first: 40 of 80 over [500, 300]', () => expect(onBook(engine(), { profits: [500n, -20n, 300n] }, (b) => b.socialize({ loss: 80n, insuranceFund: 40n }))).toEqual(BigInt64Array.from([25n, 0n, 15n])));
  it('a tie goes to the lower index', () => expect(onBook(engine(), { profits: [7n, 7n, 7n] }, (b) => b.socialize({ loss: 2n }))).toEqual(BigInt64Array.from([1n, 1n, 0n])));
  it("'up' on a book: one unit over three equal profits charges each", () => expect(onBook(engine(), { profits: [1n, 1n, 1n] }, (b) => b.socialize({ loss: 1n, rounding: 'up' }))).toEqual(BigInt64Array.from([1n, 1n, 1n])));
  it('the exempt view: an exempt account pays nothing', () => expect(onBook(engine(), { profits: [500n, -20n, 300n], exempt: [1, 0, 0] }, (b) => b.socialize({ loss: 80n }))).toEqual(BigInt64Array.from([0n, 0n, 80n])));
  it('the pool view: two pools in one book', () => expect(onBook(engine(), { profits: [500n, -20n, 300n, 100n], pool: [0, 0, 1, 1] }, (b) => b.socializePools([{ loss: 10n }, { loss: 8n }]))).toEqual(BigInt64Array.from([10n, 0n, 6n, 2n])));
  it('weights on a book (copied into its weights view): a weight of 0 pays nothing', () => expect(onBook(engine(), { profits: [10n, 20n, 30n, -5n] }, (b) => b.socialize({ loss: 9n, weights: [0n, 1n, 1n, 1n] }))).toEqual(BigInt64Array.from([0n, 5n, 4n, 0n])));
});

describeEachVariant('books', (engine) => {
  it('computes what socialize computes, in place', () => {
    const profits = generateProfits(5_000, 'realistic', 1);
    using book = engine().createBook(profits.length);
    expect(book.length).toBe(5_000);
    expect(book.haircuts.every((h) => h === 0n)).toBe(true);
    book.profits.set(profits);
    const summary = book.socialize({ loss: 10n ** 12n, insuranceFund: 10n ** 11n });
    const { haircuts, ...expected } = socializeReference({ loss: 10n ** 12n, insuranceFund: 10n ** 11n, profits });
    expect(summary).toEqual(expected);
    expect(book.haircuts).toEqual(haircuts);
    expect(book.profits).toEqual(profits);
  });

  it('keeps its views valid after the engine memory grows', () => {
    const profits = generateProfits(1_000, 'uniform', 2);
    const book = engine().createBook(profits.length);
    book.profits.set(profits);
    const old = book.profits;
    const before = engine().memoryBytes;
    const big = engine().createBook(4_000_000); // 80 MB: forces the memory to grow
    expect(engine().memoryBytes).toBeGreaterThan(before);
    expect(old.length).toBe(0); // the old view is detached, as for any grown memory
    expect(book.profits).toEqual(profits); // a fresh view, same data
    book.socialize({ loss: 123_456_789n });
    expect(book.haircuts).toEqual(socializeReference({ loss: 123_456_789n, profits }).haircuts);
    big.free();
    book.free();
  });

  it('survives engine.socialize on one of its own views', () => {
    using book = engine().createBook(3);
    book.profits.set([30n, 60n, 10n]);
    const result = engine().socialize({ loss: 50n, profits: book.profits });
    expect([...result.haircuts]).toEqual([15n, 30n, 5n]);
    expect([...book.profits]).toEqual([30n, 60n, 10n]);
  });

  it('survives engine.socializePools on its own profits, exempt and pool views', () => {
    const n = 100_000; // large enough that the call's columns grow the memory
    using book = engine().createBook(n);
    book.profits.fill(10n);
    book.exempt[0] = 1;
    book.pool.fill(0);
    const result = engine().socializePools({ profits: book.profits, exempt: book.exempt, pool: book.pool, pools: [{ loss: 999_990n }] });
    expect(result.haircuts[0]).toBe(0n);
    expect(result.pools[0]!.socialized).toBe(999_990n);
    expect(result.pools[0]!.profitableAccounts).toBe(n - 1);
  });

  it('starts zeroed even on reused memory', () => {
    const first = engine().createBook(100);
    first.profits.fill(7n);
    first.socialize({ loss: 50n });
    first.free();
    using second = engine().createBook(100);
    expect(second.profits.every((p) => p === 0n)).toBe(true);
    expect(second.haircuts.every((h) => h === 0n)).toBe(true);
  });

  it('frees once, refuses use after free, and works with `using`', () => {
    const book = engine().createBook(10);
    book.free();
    book.free();
    expect(book.freed).toBe(true);
    expect(() => book.profits).toThrow(/freed/);
    expect(() => book.socialize({ loss: 1n })).toThrow(/freed/);
    let escaped: { freed: boolean } | undefined;
    {
      using scoped = engine().createBook(10);
      escaped = scoped;
    }
    expect(escaped.freed).toBe(true);
  });

  it('reuses memory: repeated calls do not grow it', () => {
    const profits = generateProfits(100_000, 'uniform', 3);
    engine().socialize({ loss: 10n ** 15n, profits });
    const size = engine().memoryBytes;
    for (let i = 0; i < 30; i++) {
      engine().socialize({ loss: 10n ** 15n, profits });
      engine().createBook(100_000).free();
    }
    expect(engine().memoryBytes).toBe(size);
  });

  it('a book of zero accounts is valid', () => {
    using book = engine().createBook(0);
    expect(book.socialize({ loss: 10n, insuranceFund: 3n })).toMatchObject({ insuranceUsed: 3n, socialized: 0n, uncovered: 7n });
    expect(book.haircuts.length).toBe(0);
  });
});

describe('capacity', () => {
  it(`holds a book of 50,000,000 accounts in at most 32 bytes each (capacity ${MAX_ACCOUNTS})`, async () => {
    const engine = await loadEngine();
    const n = 50_000_000;
    const book = engine.createBook(n);
    const profits = book.profits;
    for (let i = 0; i < n; i += 997) profits[i] = BigInt(i);
    const summary = book.socialize({ loss: 10n ** 9n });
    expect(summary.socialized).toBe(10n ** 9n);
    let sum = 0n;
    const haircuts = book.haircuts;
    for (let i = 0; i < n; i += 997) sum += haircuts[i]!;
    expect(sum).toBe(10n ** 9n);
    expect(engine.memoryBytes).toBeLessThanOrEqual(32 * n + 16 * 2 ** 20);
    book.free();
  });

  it('refuses a book past capacity with a RangeError that states the limit', async () => {
    const engine = await loadEngine();
    expect(() => engine.createBook(MAX_ACCOUNTS + 1)).toThrow(`past the engine's capacity of ${MAX_ACCOUNTS} accounts`);
    expect(engine.capacity).toBe(MAX_ACCOUNTS);
  });
});

describe('inputs are never modified', () => {
  it.each(VARIANTS)('%s core', async (variant) => {
    const engine = await loadEngine({ variant });
    const typed = generateProfits(2_000, 'realistic', 4);
    const copy = typed.slice();
    const array = [...typed];
    const numbers = Array.from(typed.subarray(0, 100), Number);
    engine.socialize({ loss: 10n ** 13n, profits: typed });
    engine.socialize({ loss: 10n ** 13n, profits: array });
    engine.socialize({ loss: 10n ** 9n, profits: numbers });
    socializeReference({ loss: 10n ** 13n, profits: typed });
    expect(typed).toEqual(copy);
    expect(array).toEqual([...copy]);
    expect(numbers).toEqual(Array.from(copy.subarray(0, 100), Number));
  });
});

describe('variants', () => {
  it('loads the SIMD build by default where WebAssembly SIMD runs, else the scalar one', async () => {
    const engine = await loadEngine();
    expect(engine.variant).toBe(simdSupported() ? 'simd' : 'scalar');
    expect(simdSupported()).toBe(true); // Node 20 runs SIMD
  });
});

describe('two engines', () => {
  it('agree bit for bit and do not share memory', async () => {
    const [a, b] = await Promise.all([loadEngine(), loadEngine()]);
    const profits = generateProfits(50_000, 'realistic', 5);
    const input = { loss: 10n ** 14n, insuranceFund: 10n ** 12n, profits };
    expect(a.socialize(input)).toEqual(b.socialize(input));
    using bookA = a.createBook(10);
    using bookB = b.createBook(10);
    bookA.profits.fill(5n);
    expect(bookB.profits.every((p) => p === 0n)).toBe(true);
  });
});

describe('dropped books', () => {
  it('are reclaimed when garbage-collected (a FinalizationRegistry), and an explicit free() still returns memory at once', () => {
    // A child with --expose-gc: 50 books of 10^6 accounts (29 MB each), each dropped without free().
    const script = `
      import { loadEngine } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      const engine = await loadEngine();
      const settle = async () => { for (let k = 0; k < 4; k++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 5)); } };
      for (let i = 0; i < 50; i++) {
        const book = engine.createBook(1_000_000);
        book.profits[0] = BigInt(i);
        if (i % 5 === 4) await settle();
      }
      await settle();
      const dropped = engine.memoryBytes;
      const freed = engine.createBook(1_000_000);
      freed.free();
      const again = engine.createBook(1_000_000);
      console.log(JSON.stringify({ dropped, reused: engine.memoryBytes === dropped, first: String(again.profits[0]) }));
    `;
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const { dropped, reused, first } = JSON.parse(out) as { dropped: number; reused: boolean; first: string };
    // Without reclaiming, 50 books would hold 1.45 GB; with it, a handful at most.
    expect(dropped).toBeLessThan(10 * 29_000_000);
    expect(reused).toBe(true);
    expect(first).toBe('0'); // a new book is zeroed, whatever memory it reuses
  });
});
