// The arithmetic helpers, one call each, for the kernel unit tests (test/kernels.test.ts),
// which check them against bigint in every build. Nothing in the engine calls these.
// 128-bit results go to `out` as (low, high) u64 pairs.

import {
  capsBelowLevel, divide128, fixedRatio, high, keyShift, less128, levelAtMost, limb0, limb1, limb2, mul192, mulhi,
  productsAtMost, ratioShift, remainderHigh, remainderLow, shiftRight128, splitmix64,
} from './wide';
import { floorLanes, floorNarrow, floorRemainderHigh, floorRemainderLow, floorWide, remainderLanes, remainderNarrow } from './floor';

/** mulhi(a, b). */
export function probeMulhi(a: u64, b: u64): u64 { return mulhi(a, b); }

/** a·(lo, hi) as three limbs at out. */
export function probeMul192(a: u64, lo: u64, hi: u64, out: usize): void {
  mul192(a, lo, hi);
  store<u64>(out, limb0);
  store<u64>(out, limb1, 8);
  store<u64>(out, limb2, 16);
}

/** a·(aLo, aHi) ≤ b·(bLo, bHi). */
export function probeProductsAtMost(a: u64, aLo: u64, aHi: u64, b: u64, bLo: u64, bHi: u64): bool {
  return productsAtMost(a, aLo, aHi, b, bLo, bHi);
}

/** R/W ≤ 2^g/(2^g − 1) · Sb/Wb. */
export function probeLevelAtMost(Sb: u64, Wblo: u64, Wbhi: u64, R: u64, Wlo: u64, Whi: u64, g: i32): bool {
  return levelAtMost(Sb, Wblo, Wbhi, R, Wlo, Whi, g);
}

/** cap·W < R·w. */
export function probeCapsBelowLevel(cap: u64, Wlo: u64, Whi: u64, R: u64, w: u64): bool {
  return capsBelowLevel(cap, Wlo, Whi, R, w);
}

/** (aLo, aHi) < (bLo, bHi). */
export function probeLess128(aLo: u64, aHi: u64, bLo: u64, bHi: u64): bool { return less128(aLo, aHi, bLo, bHi); }

/** (lo, hi) >> s, for results that fit 64 bits. */
export function probeShiftRight128(lo: u64, hi: u64, s: i32): u64 { return shiftRight128(lo, hi, s); }

/** The key shift t of a total P. */
export function probeKeyShift(Plo: u64, Phi: u64): i32 { return keyShift(Plo, Phi); }

/** The fixed-point ratio c of S over P, with its shift s = ratioShift(Phi). */
export function probeFixedRatio(S: u64, Plo: u64, Phi: u64): u64 { return fixedRatio(S, Plo, Phi, ratioShift(Phi)); }

/** ⌊(nLo, nHi) / (dLo, dHi)⌋ and the remainder: quotient then remainder at out. */
export function probeDivide128(nLo: u64, nHi: u64, dLo: u64, dHi: u64, out: usize): void {
  store<u64>(out, divide128(nLo, nHi, dLo, dHi));
  store<u64>(out, high, 8);
  store<u64>(out, remainderLow, 16);
  store<u64>(out, remainderHigh, 24);
}

/** SplitMix64's finalizer. */
export function probeSplitmix64(x: u64): u64 { return splitmix64(x); }

/** The floor step, narrow (P ≤ 2^63): ⌊S·m / P⌋ then its remainder at out. */
export function probeFloorNarrow(m: u64, S: u64, P: u64, out: usize): void {
  const q = floorNarrow(m, S, P, fixedRatio(S, P, 0, 0));
  store<u64>(out, q);
  store<u64>(out, remainderNarrow(m, S, P, q), 8);
}

/** The floor step, wide (P < 2^96): ⌊S·m / P⌋ then its 128-bit remainder at out. */
export function probeFloorWide(m: u64, S: u64, Plo: u64, Phi: u64, out: usize): void {
  const s = ratioShift(Phi);
  store<u64>(out, floorWide(m, S, Plo, Phi, fixedRatio(S, Plo, Phi, s), <u64>s));
  store<u64>(out, floorRemainderLow, 8);
  store<u64>(out, floorRemainderHigh, 16);
}

/**
 * The floor step in two SIMD lanes (the narrow step in scalar builds), for profits m0
 * and m1 over one (S, P): both floors, then both remainders, at out.
 */
export function probeFloorLanes(m0: u64, m1: u64, S: u64, P: u64, out: usize): void {
  const c = fixedRatio(S, P, 0, 0);
  if (ASC_FEATURE_SIMD) {
    const m = i64x2(m0, m1), vS = i64x2.splat(S), vP = i64x2.splat(P);
    const q = floorLanes(m, i32x4.splat(<i32>c), i32x4.splat(<i32>(c >> 32)), vS, vP);
    v128.store(out, q);
    v128.store(out, remainderLanes(m, vS, vP, q), 16);
    return;
  }
  const q0 = floorNarrow(m0, S, P, c), q1 = floorNarrow(m1, S, P, c);
  store<u64>(out, q0);
  store<u64>(out, q1, 8);
  store<u64>(out, remainderNarrow(m0, S, P, q0), 16);
  store<u64>(out, remainderNarrow(m1, S, P, q1), 24);
}
