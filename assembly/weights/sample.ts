// The split by weight's first level: an estimate of λ* from a sample, in floating
// point, that decides nothing (search.ts checks it exactly before it uses it).

import { positivePart } from '../columns';
import { MASK_SHARES } from '../layout';
import { sortRecords } from '../sort';

/** Sample positions for the first level, and the fewest accounts worth sampling. */
const SAMPLE_POSITIONS: u32 = 2048, SAMPLE_FROM: u32 = 1 << 16;

export let sampleWeightLow: u64 = 0, sampleWeightHigh: u64 = 0;

/**
 * Estimates λ* from a sample of the region (every count/2048-th account) and, when
 * 0.95 of it is above λ0 = S / W (by more than 2%), sets (`sampleWeightLow/High`)
 * Wl = S / (0.95·λ̂) and returns true: the first round then classifies against S / Wl.
 * The estimate is floating point and decides nothing: the round checks exactly that
 * S / Wl ≤ λ* before using what it found (else it starts again from λ0). The sample's
 * (ratio, cap, w) records go to `samples` (24 bytes each, at most 2048).
 */
export function sampledLevel(
  weights: usize, caps: usize, mask: usize, region: usize, count: u32, samples: usize,
  S: u64, Wlo: u64, Whi: u64,
): bool {
  if (count < SAMPLE_FROM) return false;
  let m: u32 = 0;
  for (let j: u32 = 0; j < SAMPLE_POSITIONS; j++) {
    const k = <u32>((<u64>j * <u64>count) / SAMPLE_POSITIONS);
    const i = <usize>(region == 0 ? k : load<u32>(region + (<usize>k << 2)));
    if (load<u8>(mask + i) != MASK_SHARES) continue;
    const w = <f64>load<u64>(weights + (i << 3)), cap = <f64>positivePart(load<i64>(caps + (i << 3)));
    // Records (ratio, cap, w): positive f64 values order like their bits.
    const record = samples + <usize>m * 24;
    store<f64>(record, cap / w);
    store<f64>(record, cap, 8);
    store<f64>(record, w, 16);
    m++;
  }
  if (m < 64) return false;
  sortRecords(samples, m, 3);
  // Σ over the book ≈ count / 2048 × Σ over the sample: solve Σ_sample min(cap, λ·w) = S·2048 / count.
  const target = <f64>S * <f64>SAMPLE_POSITIONS / <f64>count;
  let below = 0.0, above = 0.0;
  for (let j: u32 = 0; j < m; j++) above += load<f64>(samples + <usize>j * 24, 16);
  let estimate = load<f64>(samples + <usize>(m - 1) * 24);
  for (let j: u32 = 0; j < m; j++) {
    const record = samples + <usize>j * 24;
    const ratio = load<f64>(record);
    if (below + ratio * above >= target) {
      estimate = (target - below) / above;
      break;
    }
    below += load<f64>(record, 8);
    above -= load<f64>(record, 16);
  }
  const level = 0.95 * estimate;
  const total = <f64>Whi * 18446744073709551616.0 + <f64>Wlo;
  if (!(level > 1.02 * (<f64>S / total))) return false;
  const Wl = <f64>S / level;
  if (!(Wl >= 1.0) || !(Wl < total)) return false;
  sampleWeightHigh = <u64>Math.floor(Wl / 18446744073709551616.0);
  sampleWeightLow = <u64>(Wl - <f64>sampleWeightHigh * 18446744073709551616.0);
  return true;
}

