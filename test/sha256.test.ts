// The page's SHA-256s against node:crypto's, for any bytes split into any
// chunks, and at the padding's edges: the plain one (src/host/sha256.ts) and
// the SubtleCrypto one (browser-platform.ts).
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SubtleSha256 } from '../src/host/browser.js';
import type { Hasher } from '../src/host/platform.js';
import { Sha256 } from '../src/host/sha256.js';

const nodeHash = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Hands `bytes` to `hash` in pieces of the sizes `cuts` (some empty), then the rest if any. */
function feed(hash: Hasher, bytes: Uint8Array, cuts: number[]): void {
  let at = 0;
  for (const cut of cuts) {
    const end = Math.min(bytes.length, at + cut);
    hash.update(bytes.subarray(at, end));
    at = end;
  }
  if (at < bytes.length) hash.update(bytes.subarray(at));
}

describe('Sha256', () => {
  it('agrees with node:crypto at every length around the padding edges, in one update', () => {
    for (let n = 0; n <= 300; n++) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 131 + n) & 255);
      const hash = new Sha256();
      hash.update(bytes);
      expect(hash.digest(), `length ${n}`).toBe(nodeHash(bytes));
    }
  });

  it('agrees with node:crypto for any bytes in any chunks', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(300), { maxLength: 20 }), (bytes, cuts) => {
      const hash = new Sha256();
      feed(hash, bytes, cuts);
      expect(hash.digest()).toBe(nodeHash(bytes));
    }), { numRuns: 300 });
  });

  it('knows the standard vectors, and a 5 MiB input past 2^32 bits in chunks', () => {
    const text = (s: string) => new TextEncoder().encode(s);
    const one = (bytes: Uint8Array) => { const h = new Sha256(); h.update(bytes); return h.digest(); };
    expect(one(text(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(one(text('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(one(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    const big = new Uint8Array(5 << 20).map((_, i) => (i * 7) & 255);
    const hash = new Sha256();
    for (let at = 0; at < big.length; at += 999_983) hash.update(big.subarray(at, at + 999_983));
    expect(hash.digest()).toBe(nodeHash(big));
  });

  it('refuses to be used after its digest', () => {
    const hash = new Sha256();
    hash.digest();
    expect(() => hash.update(new Uint8Array(1))).toThrow(/after its digest/);
    expect(() => hash.digest()).toThrow(/twice/);
  });
});

describe('SubtleSha256', () => {
  it('agrees with node:crypto for any bytes in any chunks (none, one, many)', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(500), { maxLength: 12 }), async (bytes, cuts) => {
      const hash = new SubtleSha256();
      feed(hash, bytes, cuts);
      expect(await hash.digest()).toBe(nodeHash(bytes));
    }), { numRuns: 200 });
  });
});
