// Multiword arithmetic: unsigned 128-bit values from 64-bit halves, and the 192-bit
// products the weighted search compares. WebAssembly has no 128-bit multiply, so
// every wide product here is four 32×32 multiplies or fewer. A function that
// produces 128 bits returns the low half and leaves the high half in `high`, read
// right after the call. Every helper is checked against bigint by test/kernels.test.ts.

/** High half of the last 128-bit result (set by `mulFull`, `remainderWide`). */
export let high: u64 = 0;

/** The high 64 bits of the unsigned product a·b. */
// @ts-ignore: decorator
@inline export function mulhi(a: u64, b: u64): u64 {
  return mulhiSplit(a, b & 0xFFFF_FFFF, b >> 32);
}

/** mulhi(a, b) with b given as its 32-bit halves, so that a loop can split b once. */
// @ts-ignore: decorator
@inline export function mulhiSplit(a: u64, b0: u64, b1: u64): u64 {
  const a0 = a & 0xFFFF_FFFF, a1 = a >> 32;
  const p01 = a0 * b1, p10 = a1 * b0;
  const mid = ((a0 * b0) >> 32) + (p01 & 0xFFFF_FFFF) + (p10 & 0xFFFF_FFFF);
  return a1 * b1 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/** The number of significant bits of x (0 for 0). */
// @ts-ignore: decorator
@inline export function bitLength(x: u64): i32 {
  return 64 - <i32>clz(x);
}

/** The number of significant bits of the 128-bit value (lo, hi). */
// @ts-ignore: decorator
@inline export function bitLength128(lo: u64, hi: u64): i32 {
  return hi != 0 ? 128 - <i32>clz(hi) : 64 - <i32>clz(lo);
}

/** (lo, hi) >> s, for 0 ≤ s < 128 and a result known to fit in 64 bits. */
// @ts-ignore: decorator
@inline export function shiftRight128(lo: u64, hi: u64, s: i32): u64 {
  // WebAssembly shift counts are taken mod 64: `hi << 64` would be `hi`, not 0.
  if (s == 0) return lo;
  if (s >= 64) return hi >> <u64>(s - 64);
  return (lo >> <u64>s) | (hi << <u64>(64 - s));
}

/** (aLo, aHi) < (bLo, bHi), unsigned. */
// @ts-ignore: decorator
@inline export function less128(aLo: u64, aHi: u64, bLo: u64, bHi: u64): bool {
  return aHi < bHi || (aHi == bHi && aLo < bLo);
}

/**
 * The exact remainder S·p − q·P mod 2^128 as (return, `high`).
 * When q is floor(S·p / P) or one less, the true value lies in [0, 2P) and,
 * P being below 2^96, the wrapped result is exact.
 */
// @ts-ignore: decorator
@inline export function remainderWide(S: u64, p: u64, q: u64, Plo: u64, Phi: u64): u64 {
  const spLo = S * p, spHi = mulhi(S, p);
  const qpLo = q * Plo, qpHi = mulhi(q, Plo) + q * Phi;
  high = spHi - qpHi - <u64>(spLo < qpLo);
  return spLo - qpLo;
}

/** s for `fixedRatio`: how far c must be scaled down to fit 64 bits (0 while P < 2^64). */
// @ts-ignore: decorator
@inline export function ratioShift(Phi: u64): i32 {
  return Phi == 0 ? 0 : bitLength(Phi);
}

/** t: how far remainders (< P) are shifted to fit 64-bit keys (0, exact keys, while P ≤ 2^64). */
// @ts-ignore: decorator
@inline export function keyShift(Plo: u64, Phi: u64): i32 {
  return max(0, bitLength128(Plo - 1, Phi - <u64>(Plo == 0)) - 64);
}

/** Whether P ≤ 2^63, where the 64-bit loop is exact (its r̃ < 2P ≤ 2^64). */
// @ts-ignore: decorator
@inline export function isNarrow(Plo: u64, Phi: u64): bool {
  return Phi == 0 && Plo <= (<u64>1 << 63);
}

/**
 * The fixed-point ratio c = floor(S · 2^(64+s) / P), by restoring long division.
 * Requires S · 2^s < P (so that c < 2^64) and P < 2^96. Runs once per call, not per account.
 */
export function fixedRatio(S: u64, Plo: u64, Phi: u64, s: i32): u64 {
  // The running remainder starts at S·2^s (< P) and stays below P < 2^96,
  // so doubling it never leaves 128 bits.
  let rLo = S << <u64>s;
  let rHi: u64 = s == 0 ? 0 : S >> <u64>(64 - s);
  let c: u64 = 0;
  for (let bit = 0; bit < 64; bit++) {
    rHi = (rHi << 1) | (rLo >> 63);
    rLo <<= 1;
    c <<= 1;
    if (!less128(rLo, rHi, Plo, Phi)) {
      rHi = rHi - Phi - <u64>(rLo < Plo);
      rLo -= Plo;
      c |= 1;
    }
  }
  return c;
}

/** SplitMix64's finalizer of x (mod 2^64): the order of seeded ties. */
// @ts-ignore: decorator
@inline export function splitmix64(x: u64): u64 {
  let z = x + 0x9E3779B97F4A7C15;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
  return z ^ (z >> 31);
}

/** (aLo, aHi) + (bLo, bHi) mod 2^128: returns the low half, `high` the high. */
// @ts-ignore: decorator
@inline export function add128(aLo: u64, aHi: u64, bLo: u64, bHi: u64): u64 {
  const lo = aLo + bLo;
  high = aHi + bHi + <u64>(lo < aLo);
  return lo;
}

/** The 128-bit sum of two SIMD lanes' (low, high) sums: returns the low half, `high` the high (SIMD builds). */
export function addLanes(lo: v128, hi: v128): u64 {
  const lo0 = <u64>i64x2.extract_lane(lo, 0), lo1 = <u64>i64x2.extract_lane(lo, 1);
  const sum = lo0 + lo1;
  high = <u64>i64x2.extract_lane(hi, 0) + <u64>i64x2.extract_lane(hi, 1) + <u64>(sum < lo0);
  return sum;
}

/** The limbs of the last `mul192`, least significant first. */
export let limb0: u64 = 0, limb1: u64 = 0, limb2: u64 = 0;

/** a·(lo, hi) as three 64-bit limbs (`limb0`, `limb1`, `limb2`): exact, as a·(lo, hi) < 2^192. */
export function mul192(a: u64, lo: u64, hi: u64): void {
  const p0 = a * lo, p1 = mulhi(a, lo);
  const q0 = a * hi, q1 = mulhi(a, hi);
  limb0 = p0;
  limb1 = p1 + q0;
  limb2 = q1 + <u64>(limb1 < p1);
}

/** a·(aLo, aHi) ≤ b·(bLo, bHi), exactly in 192 bits. */
export function productsAtMost(a: u64, aLo: u64, aHi: u64, b: u64, bLo: u64, bHi: u64): bool {
  mul192(a, aLo, aHi);
  const x0 = limb0, x1 = limb1, x2 = limb2;
  mul192(b, bLo, bHi);
  if (x2 != limb2) return x2 < limb2;
  if (x1 != limb1) return x1 < limb1;
  return x0 <= limb0;
}

/**
 * Whether the level R/W is at most 2^g/(2^g − 1) times the level Sb/Wb:
 * R·(2^g − 1)·Wb ≤ Sb·2^g·W, exactly in 192 bits. Requires 1 ≤ g ≤ 3 and W, Wb < 2^96
 * (both scaled weights then stay below 2^128).
 */
export function levelAtMost(Sb: u64, Wblo: u64, Wbhi: u64, R: u64, Wlo: u64, Whi: u64, g: i32): bool {
  const m = (<u64>1 << <u64>g) - 1;
  const scaledLo = Wblo * m, scaledHi = Wbhi * m + mulhi(Wblo, m);
  const wideLo = Wlo << <u64>g, wideHi = (Whi << <u64>g) | (Wlo >> <u64>(64 - g));
  return productsAtMost(R, scaledLo, scaledHi, Sb, wideLo, wideHi);
}

/** Whether R/W ≥ Sb/Wb: Sb·W ≤ R·Wb, exactly in 192 bits. */
export function levelAtLeast(R: u64, Wlo: u64, Whi: u64, Sb: u64, Wblo: u64, Wbhi: u64): bool {
  return productsAtMost(Sb, Wlo, Whi, R, Wblo, Wbhi);
}

/** cap·(Wlo, Whi) < R·w, exactly: the 64×128-bit product against the 64×64-bit one. */
// @ts-ignore: decorator
@inline export function capsBelowLevel(cap: u64, Wlo: u64, Whi: u64, R: u64, w: u64): bool {
  // cap·W = cap·Wlo + 2^64·cap·Whi; past 2^128 it cannot be below R·w < 2^128.
  const p0 = cap * Wlo, p1 = mulhi(cap, Wlo);
  const q0 = cap * Whi, q1 = mulhi(cap, Whi);
  const mid = p1 + q0;
  if (q1 != 0 || mid < p1) return false;
  return less128(p0, mid, R * w, mulhi(R, w));
}

/** The remainder of the last `divide128`, 128-bit: low half, high half. */
export let remainderLow: u64 = 0, remainderHigh: u64 = 0;

/**
 * ⌊(nLo, nHi) / (dLo, dHi)⌋ for a divisor above 0, by restoring long division: returns
 * the quotient's low half, `high` its high half, and leaves the remainder in
 * `remainderLow`/`remainderHigh`. Requires a divisor below 2^127. Runs once per call, never per account.
 */
export function divide128(nLo: u64, nHi: u64, dLo: u64, dHi: u64): u64 {
  let qLo: u64 = 0, qHi: u64 = 0, rLo: u64 = 0, rHi: u64 = 0;
  for (let bit = 127; bit >= 0; bit--) {
    // r = 2r + the numerator's next bit; r < 2d < 2^129 is kept below 2^128 as d < 2^127 here.
    rHi = (rHi << 1) | (rLo >> 63);
    rLo = (rLo << 1) | ((bit >= 64 ? nHi >> <u64>(bit - 64) : nLo >> <u64>bit) & 1);
    qHi = (qHi << 1) | (qLo >> 63);
    qLo <<= 1;
    if (!less128(rLo, rHi, dLo, dHi)) {
      rHi = rHi - dHi - <u64>(rLo < dLo);
      rLo -= dLo;
      qLo |= 1;
    }
  }
  remainderLow = rLo;
  remainderHigh = rHi;
  high = qHi;
  return qLo;
}
