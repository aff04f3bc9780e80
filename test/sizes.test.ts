// Sizes on the way to the kernels: a block's size is computed so that it cannot wrap at
// 32 bits (3 million pools need more than 4 GiB of scratch, which a u32 size wrapped to a
// few hundred MiB the phases then overran: a kernel trap). Valid input works or is
// ERR_MEMORY, never ERR_INTERNAL. The sharded engine runs against dist/ (npm test builds).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEngine, type Engine } from '../src/index.js';
import { loadShardedEngine, type ShardedEngine } from '../dist/parallel/index.js';

/** 3,000,000 pools: 1,524 bytes of scratch each, 4.57 GB in all (past 2^32, wraps to 277 MB). */
const MANY = 3_000_000;
const manyPools = () => Array.from({ length: MANY }, () => ({ loss: 1n }));

/** The result's haircuts, or the error's code. */
function outcome(run: () => { haircuts: BigInt64Array }): BigInt64Array | string {
  try {
    return run().haircuts;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** The haircuts (one account in pool 0, profit 5, loss 1) or ERR_MEMORY, nothing else. */
const worksOrMemory = (result: BigInt64Array | string) => expect([BigInt64Array.of(1n), 'ERR_MEMORY']).toContainEqual(result);

describe('millions of pools and one account', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await loadEngine();
  });

  it('socializePools: works or ERR_MEMORY', () => {
    const result = outcome(() => engine.socializePools({ profits: [5n], pool: Uint32Array.of(0), pools: manyPools() }));
    worksOrMemory(result);
    // The engine is still usable afterwards.
    expect(engine.socialize({ loss: 1n, profits: [5n] }).haircuts).toEqual(BigInt64Array.of(1n));
  });

  it('socializePools by weight: works or ERR_MEMORY', () => {
    worksOrMemory(outcome(() => engine.socializePools({ profits: [5n], weights: BigInt64Array.of(1n), pool: Uint32Array.of(0), pools: manyPools() })));
  });

  it("a book's socializePools: works or ERR_MEMORY", () => {
    const book = engine.createBook(1);
    try {
      book.profits[0] = 5n;
      worksOrMemory(outcome(() => ({ haircuts: (book.socializePools(manyPools()), book.haircuts.slice()) })));
    } finally {
      book.free();
    }
  });
});

describe('millions of pools on the sharded engine', () => {
  let sharded: ShardedEngine;
  beforeAll(async () => {
    sharded = await loadShardedEngine({ shards: 1 });
  });
  afterAll(async () => {
    await sharded.close();
  });

  it('socializePools: works or ERR_MEMORY (a shard sizes its scratch the same way)', async () => {
    let result: BigInt64Array | string;
    try {
      result = (await sharded.socializePools({ profits: [5n], pool: Uint32Array.of(0), pools: manyPools() })).haircuts;
    } catch (error) {
      result = (error as { code?: string }).code ?? String(error);
    }
    worksOrMemory(result);
  });

  it("a sharded book's socializePools by weight: works or ERR_MEMORY, and the engine goes on", async () => {
    const book = await sharded.createBook(1, { pools: true, weights: true });
    let result: BigInt64Array | string;
    try {
      book.shards[0]!.profits[0] = 5n;
      book.shards[0]!.weights[0] = 1n;
      await book.socializePools(manyPools(), { weights: true });
      result = book.shards[0]!.haircuts.slice();
    } catch (error) {
      result = (error as { code?: string }).code ?? String(error);
    } finally {
      await book.free();
    }
    worksOrMemory(result);
    expect((await sharded.socialize({ loss: 1n, profits: [5n] })).haircuts).toEqual(BigInt64Array.of(1n));
  });
});
