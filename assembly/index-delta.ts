// Per-unit index deltas (lazy socialization): Σ|units| and each account's
// charge |u|·δ / scale, rounded up or down, exactly.
//
// δ = q·scale + d with d < scale, so |u|·δ / scale = |u|·q + |u|·d / scale, and
// the fraction is allocate's narrow floor (scale ≤ 2^63 − 1): one fixed-point
// ratio c = ⌊d·2^64 / scale⌋ per call, ⌊|u|·c / 2^64⌋ is the floor or one less,
// and one comparison of the exact remainder corrects it.

import { fixedRatio, mulhi } from './wide';

let sumHigh: u64 = 0;

/** |v| of a signed 64-bit value, as unsigned (|−2^63| = 2^63). */
// @ts-ignore: decorator
@inline function magnitude(v: i64): u64 {
  return <u64>select<i64>(v, -v, v >= 0);
}

/** Σ |units[i]| over n signed 64-bit values, exactly: the low half (`absoluteHigh()`: the high half). */
export function sumAbsolute(units: usize, n: u32): u64 {
  let lo: u64 = 0, hi: u64 = 0;
  for (let at: usize = 0, end = <usize>n << 3; at < end; at += 8) {
    const m = magnitude(load<i64>(units + at));
    lo += m;
    hi += <u64>(lo < m);
  }
  sumHigh = hi;
  return lo;
}

/** High half of the last `sumAbsolute`. */
export function absoluteHigh(): u64 {
  return sumHigh;
}

let collectedLow: u64 = 0, collectedHigh: u64 = 0;

/** Low half of Σ charges of the last `charges`. */
export function collectedSumLow(): u64 {
  return collectedLow;
}

/** High half of Σ charges of the last `charges`. */
export function collectedSumHigh(): u64 {
  return collectedHigh;
}

/**
 * Writes each account's charge ⌊|u|·δ / scale⌋ (or the ceiling when `ceil`) to
 * `out`, for δ = whole·scale + part (part < scale, 0 < scale < 2^63), and
 * their sum (`collectedSumLow/High()`). Returns the first account whose charge
 * would pass 2^63 − 1 (nothing after it is written), or −1.
 */
export function charges(units: usize, out: usize, n: u32, whole: u64, part: u64, scale: u64, ceil: bool): i32 {
  const c = fixedRatio(part, scale, 0, 0);
  let lo: u64 = 0, hi: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const at = <usize>i << 3;
    const m = magnitude(load<i64>(units + at));
    let q = mulhi(m, c);
    let r = part * m - q * scale;
    const short = r >= scale;
    q += <u64>short;
    r -= select<u64>(scale, 0, short);
    q += <u64>(ceil && r != 0);
    // m·whole + q must stay below 2^63.
    const base = m * whole;
    const charge = base + q;
    if (mulhi(m, whole) != 0 || (base | charge) >> 63 != 0) return <i32>i;
    store<u64>(out + at, charge);
    lo += charge;
    hi += <u64>(lo < charge);
  }
  collectedLow = lo;
  collectedHigh = hi;
  return -1;
}
