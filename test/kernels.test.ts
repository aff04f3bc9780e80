// Kernel unit tests: the core's multiword arithmetic and its floor step (assembly/wide.ts,
// assembly/floor.ts) against bigint, in every build, through the probes of
// assembly/probes.ts; and the exports of every build against the generated type
// (src/wasm/exports.ts): names, kinds and arities.

import { readFileSync } from 'node:fs';
import { instantiate } from '@assemblyscript/loader';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORE_ARITIES, CORE_GLOBALS, type CoreExports } from '../src/wasm/exports.js';
import { VARIANTS } from './support.js';

const M64 = 2n ** 64n;
const u64 = fc.oneof(fc.bigInt({ min: 0n, max: M64 - 1n }), fc.constantFrom(0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 63n, M64 - 1n));
const lo = (x: bigint) => BigInt.asUintN(64, x);
const hi = (x: bigint) => BigInt.asUintN(64, x >> 64n);
const s64 = (x: bigint) => BigInt.asIntN(64, x);

/** The compiled module of a build, as `npm run build` leaves it. */
const moduleOf = (variant: string) => WebAssembly.compile(readFileSync(new URL(`../build/${variant}.wasm`, import.meta.url)));

async function load(variant: string): Promise<CoreExports> {
  const { exports } = await instantiate<CoreExports>(await moduleOf(variant), {});
  return exports;
}

for (const variant of VARIANTS) {
  describe(`core arithmetic (${variant})`, () => {
    let core: CoreExports;
    let out: number;
    const read = (k: number) => new BigUint64Array(core.memory.buffer, out, 4)[k]!;
    beforeAll(async () => {
      core = await load(variant);
      out = (core.heapBase() + 15) & ~15;
      if (out + 64 > core.memory.buffer.byteLength) core.memory.grow(1);
    });

    it('exports exactly the generated names, kinds and arities', async () => {
      const module = await moduleOf(variant);
      const exported = WebAssembly.Module.exports(module);
      const functions = exported.filter((e) => e.kind === 'function').map((e) => e.name).sort();
      const globals = exported.filter((e) => e.kind === 'global').map((e) => e.name).sort();
      expect(functions).toEqual(Object.keys(CORE_ARITIES).sort());
      expect(globals).toEqual([...CORE_GLOBALS].sort());
      // The loader wraps each function; `original` is the module's own, whose length is its arity.
      const { exports } = await instantiate<Record<string, { original: (...args: unknown[]) => unknown }>>(module, {});
      for (const [name, arity] of Object.entries(CORE_ARITIES)) expect([name, exports[name]!.original.length]).toEqual([name, arity]);
    });

    it('mulhi is the high half of the 128-bit product', () => {
      fc.assert(fc.property(u64, u64, (a, b) => { expect(lo(core.probeMulhi(s64(a), s64(b)))).toBe((a * b) >> 64n); }));
    });

    it('mul192 is a·(lo, hi) in three limbs', () => {
      fc.assert(fc.property(u64, u64, u64, (a, l, h) => {
        core.probeMul192(s64(a), s64(l), s64(h), out);
        const product = a * ((h << 64n) | l);
        expect([read(0), read(1), read(2)]).toEqual([lo(product), hi(product), lo(product >> 128n)]);
      }));
    });

    it('productsAtMost compares 192-bit products exactly', () => {
      fc.assert(fc.property(u64, u64, u64, u64, u64, u64, (a, al, ah, b, bl, bh) => {
        const expected = a * ((ah << 64n) | al) <= b * ((bh << 64n) | bl);
        expect(core.probeProductsAtMost(s64(a), s64(al), s64(ah), s64(b), s64(bl), s64(bh)) !== 0).toBe(expected);
        expect(core.probeProductsAtMost(s64(a), s64(al), s64(ah), s64(a), s64(al), s64(ah)) !== 0).toBe(true);
      }));
    });

    it('levelAtMost is R·(2^g − 1)·Wb ≤ Sb·2^g·W for weights below 2^96', () => {
      const w96 = fc.bigInt({ min: 1n, max: 2n ** 96n - 1n });
      fc.assert(fc.property(u64, w96, u64, w96, fc.integer({ min: 1, max: 3 }), (Sb, Wb, R, W0, g) => {
        const W = W0 <= Wb ? W0 : Wb;
        const expected = R * (2n ** BigInt(g) - 1n) * Wb <= Sb * 2n ** BigInt(g) * W;
        expect(core.probeLevelAtMost(s64(Sb), s64(lo(Wb)), s64(hi(Wb)), s64(R), s64(lo(W)), s64(hi(W)), g) !== 0).toBe(expected);
      }));
    });

    it('capsBelowLevel is cap·W < R·w', () => {
      fc.assert(fc.property(u64, fc.bigInt({ min: 0n, max: 2n ** 100n }), u64, u64, (cap, W, R, w) => {
        expect(core.probeCapsBelowLevel(s64(cap), s64(lo(W)), s64(hi(W)), s64(R), s64(w)) !== 0).toBe(cap * W < R * w);
      }));
    });

    it('less128, shiftRight128 and keyShift', () => {
      fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }), fc.integer({ min: 0, max: 127 }), (a, b, s) => {
        expect(core.probeLess128(s64(lo(a)), s64(hi(a)), s64(lo(b)), s64(hi(b))) !== 0).toBe(a < b);
        const shifted = a >> BigInt(s);
        if (shifted < M64) expect(lo(core.probeShiftRight128(s64(lo(a)), s64(hi(a)), s))).toBe(shifted);
      }));
      fc.assert(fc.property(fc.bigInt({ min: 1n, max: 2n ** 96n - 1n }), (P) => {
        // t makes every remainder (< P) fit 64 bits, and no smaller shift does.
        const t = BigInt(core.probeKeyShift(s64(lo(P)), s64(hi(P))));
        expect((P - 1n) >> t < M64).toBe(true);
        if (t > 0n) expect((P - 1n) >> (t - 1n) >= M64).toBe(true);
      }));
    });

    it('fixedRatio is ⌊S·2^(64+s) / P⌋', () => {
      fc.assert(fc.property(fc.bigInt({ min: 1n, max: 2n ** 96n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), (P, S0) => {
        const s = P < M64 ? 0n : BigInt((P >> 64n).toString(2).length);
        const S = S0 % P;
        if ((S << s) >= P) return;
        expect(lo(core.probeFixedRatio(s64(S), s64(lo(P)), s64(hi(P))))).toBe((S << (64n + s)) / P);
      }));
    });

    it('divide128 gives quotient and remainder', () => {
      fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 127n - 1n }), fc.bigInt({ min: 1n, max: 2n ** 126n }), (n, d) => {
        core.probeDivide128(s64(lo(n)), s64(hi(n)), s64(lo(d)), s64(hi(d)), out);
        expect([(read(1) << 64n) | read(0), (read(3) << 64n) | read(2)]).toEqual([n / d, n % d]);
      }));
    });

    it('the floor step, narrow, wide and in lanes, is ⌊S·m / P⌋ with its remainder', () => {
      const narrowP = fc.bigInt({ min: 1n, max: 2n ** 63n });
      fc.assert(fc.property(narrowP, fc.bigInt({ min: 0n, max: 2n ** 63n }), fc.bigInt({ min: 0n, max: 2n ** 63n }), (P, m0, S0) => {
        const m = m0 % (P + 1n), S = S0 % (P + 1n) === P ? P - 1n : S0 % (P + 1n);
        if (S >= P) return;
        core.probeFloorNarrow(s64(m), s64(S), s64(P), out);
        expect([read(0), read(1)]).toEqual([(S * m) / P, (S * m) % P]);
        const m2 = (m * 7n + 3n) % (P + 1n);
        core.probeFloorLanes(s64(m), s64(m2), s64(S), s64(P), out);
        expect([read(0), read(1), read(2), read(3)]).toEqual([(S * m) / P, (S * m2) / P, (S * m) % P, (S * m2) % P]);
      }));
      fc.assert(fc.property(fc.bigInt({ min: 2n, max: 2n ** 96n - 1n }), u64, fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), (P, m0, S0) => {
        const m = m0 < P ? m0 : m0 % P;
        const S = S0 % P;
        const s = P < M64 ? 0n : BigInt((P >> 64n).toString(2).length);
        if ((S << s) >= P || m >= M64) return;
        core.probeFloorWide(s64(m), s64(S), s64(lo(P)), s64(hi(P)), out);
        expect([read(0), (read(2) << 64n) | read(1)]).toEqual([(S * m) / P, (S * m) % P]);
      }));
    });

    it('splitmix64 is SplitMix64\'s finalizer', () => {
      const mix = (x: bigint) => {
        let z = lo(x + 0x9E3779B97F4A7C15n);
        z = lo((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n);
        z = lo((z ^ (z >> 27n)) * 0x94D049BB133111EBn);
        return z ^ (z >> 31n);
      };
      fc.assert(fc.property(u64, (x) => { expect(lo(core.probeSplitmix64(s64(x)))).toBe(mix(x)); }));
    });
  });
}
