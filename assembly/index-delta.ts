// Per-unit index deltas (lazy socialization): Σ|units| and each account's
// charge |u|·δ / scale, rounded up or down, exactly.
//
// δ = q·scale + d with d < scale, so |u|·δ / scale = |u|·q + |u|·d / scale, and
// the fraction is floor.ts's narrow floor step (scale ≤ 2^63 − 1): one fixed-point
// ratio c = ⌊d·2^64 / scale⌋ per call, no division per account.

import { add128, divide128, fixedRatio, high, mulhi, remainderLow } from './wide';
import { floorNarrow, remainderNarrow } from './floor';
import {
  INDEX_BAD, INDEX_CHARGES, INDEX_CHARGE_UP, INDEX_COLLECTED, INDEX_COUNT, INDEX_DELTA, INDEX_DELTA_UP, INDEX_LOSS, INDEX_SCALE,
  INDEX_TOTAL, INDEX_UNITS,
} from './layout';

/** Phase `sumUnits` (index record): INDEX_TOTAL = Σ |units|, exactly (128-bit). */
export function sumUnits(index: usize): void {
  const low = sumAbsolute(<usize>load<u32>(index + INDEX_UNITS), load<u32>(index + INDEX_COUNT));
  store<u64>(index + INDEX_TOTAL, low);
  store<u64>(index + INDEX_TOTAL, sumHigh, 8);
}

/**
 * Phase `indexCharges` (index record), after `sumUnits` found Σ|units| > 0: δ = ⌈loss·scale / Σ|u|⌉
 * (⌊…⌋ unless INDEX_DELTA_UP) into INDEX_DELTA, every charge, Σ charges into
 * INDEX_COLLECTED, and INDEX_BAD the first account whose charge passes 2^63 − 1 (−1: none).
 */
export function indexCharges(index: usize): void {
  const loss = load<u64>(index + INDEX_LOSS), scale = load<u64>(index + INDEX_SCALE);
  const tLo = load<u64>(index + INDEX_TOTAL), tHi = load<u64>(index + INDEX_TOTAL, 8);
  // loss·scale < 2^126; rounding up adds Σ|u| − 1 < 2^95 first.
  let nLo = loss * scale, nHi = mulhi(loss, scale);
  if (load<u32>(index + INDEX_DELTA_UP) != 0) {
    nLo = add128(nLo, nHi, tLo - 1, tHi - <u64>(tLo == 0));
    nHi = high;
  }
  const dLo = divide128(nLo, nHi, tLo, tHi), dHi = high;
  store<u64>(index + INDEX_DELTA, dLo);
  store<u64>(index + INDEX_DELTA, dHi, 8);
  // δ = whole·scale + part; δ / scale ≤ loss + 1 < 2^64, so whole fits 64 bits.
  const whole = divide128(dLo, dHi, scale, 0), part = remainderLow;
  const bad = charges(
    <usize>load<u32>(index + INDEX_UNITS), <usize>load<u32>(index + INDEX_CHARGES), load<u32>(index + INDEX_COUNT),
    whole, part, scale, load<u32>(index + INDEX_CHARGE_UP) != 0,
  );
  store<i32>(index + INDEX_BAD, bad);
  store<u64>(index + INDEX_COLLECTED, collectedLow);
  store<u64>(index + INDEX_COLLECTED, collectedHigh, 8);
}

let sumHigh: u64 = 0;

/** |v| of a signed 64-bit value, as unsigned (|−2^63| = 2^63). */
// @ts-ignore: decorator
@inline function magnitude(v: i64): u64 {
  return <u64>select<i64>(v, -v, v >= 0);
}

/** Σ |units[i]| over n signed 64-bit values, exactly: the low half (`sumHigh`: the high half). */
function sumAbsolute(units: usize, n: u32): u64 {
  let lo: u64 = 0, hi: u64 = 0;
  for (let at: usize = 0, end = <usize>n << 3; at < end; at += 8) {
    const m = magnitude(load<i64>(units + at));
    lo += m;
    hi += <u64>(lo < m);
  }
  sumHigh = hi;
  return lo;
}

let collectedLow: u64 = 0, collectedHigh: u64 = 0;

/**
 * Writes each account's charge ⌊|u|·δ / scale⌋ (or the ceiling when `ceil`) to
 * `out`, for δ = whole·scale + part (part < scale, 0 < scale < 2^63), and
 * their sum (`collectedLow/High`). Returns the first account whose charge
 * would pass 2^63 − 1 (nothing after it is written), or −1.
 */
function charges(units: usize, out: usize, n: u32, whole: u64, part: u64, scale: u64, ceil: bool): i32 {
  const c = fixedRatio(part, scale, 0, 0);
  let lo: u64 = 0, hi: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const at = <usize>i << 3;
    const m = magnitude(load<i64>(units + at));
    let q = floorNarrow(m, part, scale, c);
    q += <u64>(ceil && remainderNarrow(m, part, scale, q) != 0);
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
