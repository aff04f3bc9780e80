// By weight, one pool: the capped set from a band of levels around an estimate of the
// level, from every shard's sample (the coordinator's side of `sampleWeights`,
// `capBand` and `capListed`; the checks that keep it exact are in `band`'s comment).

import { checkCount } from './agree.js';
import type { CallShard } from './call.js';
import type { Level } from './protocol.js';

/** Fewer sampled keys than this predict too little (as the core's sample.ts). */
export const MIN_SAMPLED = 512;

/** Levels λ as ratios R/2^k of integers for the shards, all over the same 2^k (R below 2^62), from floats. */
function levelsOf(lambdas: readonly number[]): Level[] {
  const top = Math.max(...lambdas);
  let shift = 40;
  while (shift > 0 && top * 2 ** shift >= 2 ** 62) shift -= 8;
  return lambdas.map((lambda) => ({ R: BigInt(Math.floor(Math.max(0, Math.min(lambda * 2 ** shift, 2 ** 62)))), W: 1n << BigInt(shift), active: true }));
}

/**
 * The capped set of one pool by a band of levels: every shard's sample of (cap, weight)
 * estimates the level λ (Σ min(cap, λ·w) over the sample, scaled by weight, reaching S),
 * `capBand` caps every account below λ·(1 − δ) and lists those below λ·(1 + δ) (δ = 4/√m),
 * and Newton's rounds run over the lists alone. Exact throughout: the band's lower level
 * is taken only when Σ min(cap, λ·w) ≤ S there (then everything it caps is in C), and the
 * set is settled only when the final level is below the upper one (then nothing unlisted
 * could be capped); otherwise the full rounds go on from the set found (a subset of C).
 * Null when the sample is too small or the lower level fails its check.
 */
export async function band(
  shards: readonly CallShard[], S: bigint, W: bigint,
): Promise<{ level: Level; capped: number; eligible: number; settled: boolean } | null> {
  const samples = await Promise.all(shards.map(({ link }) => link.request({ op: 'sampleWeights' })));
  const pairs: [number, number][] = [];
  for (const { pairs: sample } of samples) for (let at = 0; at < sample.length; at += 2) pairs.push([Number(sample[at]!), Number(sample[at + 1]!)]);
  if (pairs.length < MIN_SAMPLED) return null;
  // Ratios ascending: at λ between two of them, Σ min = (caps below) + λ·(weights at and above).
  pairs.sort((a, b) => a[0] / a[1] - b[0] / b[1]);
  const sampleWeight = pairs.reduce((sum, [, w]) => sum + w, 0);
  const target = (Number(S) * sampleWeight) / Number(W);
  let below = 0, above = sampleWeight, lambda = Number.NaN;
  for (const [c, w] of pairs) {
    const at = (target - below) / above;
    if (at <= c / w) {
      lambda = at;
      break;
    }
    below += c;
    above -= w;
  }
  if (!(lambda > 0) || !Number.isFinite(lambda)) return null;
  const delta = 4 / Math.sqrt(pairs.length), [lo, hi] = levelsOf([lambda * (1 - delta), lambda * (1 + delta)]) as [Level, Level];
  const banded = await Promise.all(shards.map(({ link }) => link.request({ op: 'capBand', lo, hi })));
  const sum = <K extends 'caps' | 'weights'>(replies: readonly Record<K, bigint>[], key: K) => replies.reduce((total, reply) => total + reply[key], 0n);
  const baseCaps = sum(banded, 'caps'), baseWeight = sum(banded, 'weights'), base = banded.reduce((n, reply) => n + reply.capped, 0);
  // Σ min(cap, λ_lo·w) = Σ_capped cap + λ_lo·(W − Σ_capped w) ≤ S: λ_lo is at most λ*.
  if (baseCaps * lo.W + lo.R * (W - baseWeight) > S * lo.W) return null;
  banded.forEach((reply, j) => {
    checkCount(shards[j]!, 'capBand', 'eligible accounts', reply.eligible, shards[j]!.length);
    checkCount(shards[j]!, 'capBand', 'capped and listed accounts', reply.capped + reply.listed, reply.eligible);
  });
  // Each round's level is above the last: each shard's capped part of its list only grows,
  // within the list (else that shard broke the protocol), so the rounds end.
  const before = shards.map(() => 0);
  let level: Level = { R: S - baseCaps, W: W - baseWeight, active: true }, listed = 0;
  for (;;) {
    const replies = await Promise.all(shards.map(({ link }) => link.request({ op: 'capListed', level })));
    replies.forEach((reply, j) => {
      checkCount(shards[j]!, 'capListed', 'capped accounts', reply.capped, banded[j]!.listed);
      if (reply.capped < before[j]!) throw shards[j]!.link.fault(`replied to capListed with capped accounts ${reply.capped}, fewer than its ${before[j]!} at a lower level`);
      before[j] = reply.capped;
    });
    const count = replies.reduce((n, reply) => n + reply.capped, 0);
    if (count === listed) break;
    listed = count;
    level = { R: S - baseCaps - sum(replies, 'caps'), W: W - baseWeight - sum(replies, 'weights'), active: true };
  }
  const eligible = banded.reduce((n, reply) => n + reply.eligible, 0);
  // Unlisted accounts that share have cap/w at least λ_hi: none is capped while R/W ≤ λ_hi.
  return { level, capped: base + listed, eligible, settled: level.R * hi.W <= hi.R * level.W };
}
