// The floor step: ⌊S·m / P⌋ for every account, without a division per account.
//
// One fixed-point ratio c = ⌊S·2^(64+s) / P⌋ is computed per call (wide.ts's
// `fixedRatio`), with s = `ratioShift`: 0 while P < 2^64. Then
//   q̃ = mulhi(m, c) >> s   is the floor q or q − 1,
// because c is short of the exact ratio by less than one unit in its last place and
// m < 2^(64+s). The remainder r̃ = S·m − q̃·P lies in [0, 2P), so it is exact in
// wrapping arithmetic (64-bit when P ≤ 2^63, 128-bit otherwise), and one comparison
// with P corrects q. Every pass of the core takes its floors from here: the plain and
// pooled passes, the sample, the weighted classification and the index charges.

import { high, less128, mulhi, remainderWide } from './wide';

/** ⌊S·m / P⌋ when P ≤ 2^63 (so that r̃ < 2P fits 64 bits), from c = fixedRatio(S, P, 0, 0). */
// @ts-ignore: decorator
@inline export function floorNarrow(m: u64, S: u64, P: u64, c: u64): u64 {
  const q = mulhi(m, c);
  return q + <u64>(S * m - q * P >= P);
}

/** The remainder S·m − q·P of the floor q = floorNarrow(m, S, P, c): exact, below P. */
// @ts-ignore: decorator
@inline export function remainderNarrow(m: u64, S: u64, P: u64, q: u64): u64 {
  return S * m - q * P;
}

/** Set by `floorWide`: the exact remainder S·m − q·P, 128-bit (low, high). */
export let floorRemainderLow: u64 = 0, floorRemainderHigh: u64 = 0;

/**
 * ⌊S·m / P⌋ for any P < 2^96 (Plo, Phi), from c = fixedRatio(S, Plo, Phi, s) and
 * s = ratioShift(Phi); the exact remainder in `floorRemainderLow/High`.
 */
// @ts-ignore: decorator
@inline export function floorWide(m: u64, S: u64, Plo: u64, Phi: u64, c: u64, s: u64): u64 {
  let q = mulhi(m, c) >> s;
  let rLo = remainderWide(S, m, q, Plo, Phi), rHi = high;
  const short = !less128(rLo, rHi, Plo, Phi);
  q += <u64>short;
  const backLo = select<u64>(Plo, 0, short), backHi = select<u64>(Phi, 0, short);
  floorRemainderHigh = rHi - backHi - <u64>(rLo < backLo);
  floorRemainderLow = rLo - backLo;
  return q;
}

/**
 * floorNarrow in two SIMD lanes (m and the returned floors as i64x2; `cLow`/`cHigh`
 * the 32-bit halves of each lane's c as i32 lanes (c0, c1, c0, c1), `vS`, `vP` each
 * lane's S and P). SIMD has no unsigned 64-bit compare: r̃ ≥ P is tested as
 * (r̃ ^ 2^63) > ((P − 1) ^ 2^63) signed.
 */
// @ts-ignore: decorator
@inline export function floorLanes(m: v128, cLow: v128, cHigh: v128, vS: v128, vP: v128): v128 {
  const flip = i64x2.splat(<u64>1 << 63);
  const q = mulhiLanes(m, cLow, cHigh);
  const r = i64x2.sub(i64x2.mul(vS, m), i64x2.mul(q, vP));
  return i64x2.sub(q, i64x2.gt_s(v128.xor(r, flip), v128.xor(i64x2.sub(vP, i64x2.splat(1)), flip)));
}

/** remainderNarrow in two SIMD lanes. */
// @ts-ignore: decorator
@inline export function remainderLanes(m: v128, vS: v128, vP: v128, q: v128): v128 {
  return i64x2.sub(i64x2.mul(vS, m), i64x2.mul(q, vP));
}

/**
 * mulhi(m, c) per lane from four 32×32 products: `cLow` holds the low halves of
 * lane 0's and lane 1's c as i32 lanes (c0, c1, c0, c1), `cHigh` their high halves.
 */
// @ts-ignore: decorator
@inline export function mulhiLanes(m: v128, cLow: v128, cHigh: v128): v128 {
  const low32 = i64x2.splat(0xFFFF_FFFF);
  const halves = i32x4.shuffle(m, m, 0, 2, 1, 3);
  const ll = i64x2.extmul_low_i32x4_u(halves, cLow);
  const hl = i64x2.extmul_high_i32x4_u(halves, cLow);
  const lh = i64x2.extmul_low_i32x4_u(halves, cHigh);
  const hh = i64x2.extmul_high_i32x4_u(halves, cHigh);
  const mid = i64x2.add(i64x2.add(i64x2.shr_u(ll, 32), v128.and(lh, low32)), v128.and(hl, low32));
  return i64x2.add(i64x2.add(hh, i64x2.shr_u(lh, 32)), i64x2.add(i64x2.shr_u(hl, 32), i64x2.shr_u(mid, 32)));
}
