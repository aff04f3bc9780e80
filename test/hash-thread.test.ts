// SHA-256 on the second core (src/host/hash-thread.ts) against node:crypto in the thread:
// the same digest for any pieces, several hashes at once, more bytes than may wait in the
// worker (the sender waits), and the platform choosing it only for large inputs. And the
// sink's transient pieces: handed on as they are only to an emitter that consumes them.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { threadHasher } from '../src/host/hash-thread.js';
import { nodePlatform } from '../src/host/node.js';
import { Sink } from '../src/files/sink.js';
import { runs } from './support.js';

const hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('SHA-256 in a worker thread', () => {
  it('equals node:crypto for any pieces, several hashes interleaved', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 12 }), fc.array(fc.uint8Array({ maxLength: 500 }), { maxLength: 5 }), async (a, b) => {
      const first = threadHasher(), second = threadHasher();
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        if (i < a.length) first.update(a[i]!);
        if (i < b.length) second.update(b[i]!);
      }
      const [x, y] = await Promise.all([first.digest(), second.digest()]);
      expect(x).toBe(hex(Buffer.concat(a)));
      expect(y).toBe(hex(Buffer.concat(b)));
    }), runs(40));
  });

  it('a piece reused by the caller after update is hashed as it was; 80 MiB in 1 MiB pieces (past what may wait) hash right', async () => {
    const hasher = threadHasher();
    const piece = new Uint8Array(1 << 20);
    const whole = createHash('sha256');
    for (let k = 0; k < 80; k++) {
      piece.fill(k);
      hasher.update(piece);
      whole.update(piece);
    }
    expect(await hasher.digest()).toBe(whole.digest('hex'));
  });

  it('a hash never asked for its digest (a run that failed) does not keep the process alive', () => {
    const module = new URL('../dist/host/hash-thread.js', import.meta.url).href;
    const script = `import { threadHasher } from ${JSON.stringify(module)}; threadHasher().update(new Uint8Array(1 << 20)); console.log('done');`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(result.stdout).toBe('done\n');
    expect(result.status).toBe(0);
  });

  it('the platform hashes small inputs in the thread and large ones in the worker, with the same digests', async () => {
    const bytes = randomBytes(1 << 20);
    for (const hint of [0, 1000, 64 << 20]) {
      const hash = nodePlatform(true).sha256(hint);
      hash.update(bytes);
      expect(await hash.digest()).toBe(hex(bytes));
    }
  });
});

describe('a sink\'s transient pieces', () => {
  it('are copied for an emitter that keeps them, and handed on as they are to one that consumes them', async () => {
    for (const consumes of [false, true]) {
      const kept: Uint8Array[] = [];
      const seen: string[] = [];
      const sink = new Sink(nodePlatform(true), (bytes) => { kept.push(bytes); seen.push(Buffer.from(bytes).toString()); }, { consumes });
      const piece = new TextEncoder().encode('abc\n');
      await sink.text('head\n');
      await sink.writeTransient(piece);
      piece.set(new TextEncoder().encode('xyz\n'));
      await sink.writeTransient(piece);
      const digest = await sink.close();
      expect(seen).toEqual(['head\n', 'abc\n', 'xyz\n']);
      expect(digest).toBe(hex(new TextEncoder().encode('head\nabc\nxyz\n')));
      // Kept pieces are copies unless the emitter consumes them.
      expect(kept[1] === piece).toBe(consumes);
      if (!consumes) expect(Buffer.from(kept[1]!).toString()).toBe('abc\n');
    }
  });
});
