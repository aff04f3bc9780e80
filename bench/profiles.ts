// The benchmark's cases: a book of profits plus the loss and fund to socialize
// over it, built once per size, outside any timing.

import { generateProfits, positiveTotal, prng, type Profile } from '../src/scenario.js';

/** One benchmark case. */
export interface Case {
  profits: BigInt64Array;
  loss: bigint;
  insuranceFund: bigint;
}

/** A named way to build a case of n accounts. */
export interface CaseProfile {
  name: string;
  description: string;
  build(n: number): Case;
}

/** A loss that is about `permille`/1000 of the total but no simple fraction of it (remainders spread). */
function spreadLoss(total: bigint, permille: bigint): bigint {
  return (total * permille * 1_000_003n) / 1_000_000_000n;
}

function fromProfile(profile: Profile, seed: number, permille: bigint): (n: number) => Case {
  return (n) => {
    const profits = generateProfits(n, profile, seed);
    const total = positiveTotal(profits);
    return { profits, loss: spreadLoss(total, permille), insuranceFund: total / 997n };
  };
}

const I64_MAX = 2n ** 63n - 1n;

/** The profiles measured by `npm run bench` and `npm run bench:check`. */
export const CASE_PROFILES: readonly CaseProfile[] = [
  {
    name: 'uniform',
    description: 'profits uniform in [−10^10, 10^11); loss ≈ 12.3% of the total profit (no simple fraction), fund ≈ 0.1%',
    build: fromProfile('uniform', 1, 123n),
  },
  {
    name: 'heavy-tailed',
    description: '0.1% whales (10^12–10^14) among small accounts (10^4–10^9, 75% in profit); loss ≈ 7.7%',
    build: fromProfile('heavy-tailed', 3, 77n),
  },
  {
    name: 'half-in-loss',
    description: 'magnitudes uniform in [1, 10^11), half the book in loss; loss ≈ 12.3%',
    build: fromProfile('half-in-loss', 4, 123n),
  },
  {
    name: 'clustered',
    description: 'uniform profits adjusted so 3 divides the total; loss exactly a third of it (remainders in 3 values)',
    build(n) {
      const profits = generateProfits(n, 'uniform', 2);
      const total = positiveTotal(profits);
      const first = profits.findIndex((p) => p > 1_000n);
      if (first >= 0) profits[first]! -= total % 3n;
      return { profits, loss: positiveTotal(profits) / 3n, insuranceFund: 0n };
    },
  },
  {
    name: 'wide',
    description: 'profits uniform in [2^62, 2^63): total past 2^64 (the 128-bit path); loss ≈ 0.7 × 2^63',
    build(n) {
      const profits = generateProfits(n, 'near-max', 5);
      const total = positiveTotal(profits);
      const loss = (I64_MAX / 1000n) * 700n;
      return { profits, loss: loss < total ? loss : total - 1n, insuranceFund: 0n };
    },
  },
  {
    name: 'loss-above-all',
    description: 'uniform profits; the loss exceeds all profits, so every profit is taken whole',
    build(n) {
      const profits = generateProfits(n, 'uniform', 6);
      return { profits, loss: positiveTotal(profits) + 12_345n, insuranceFund: 0n };
    },
  },
];

/** A case split by weight with caps: the case's profits are the caps (the default). */
export interface WeightedCase extends Case {
  /** Position sizes: uniform in [1, 10^6]. */
  weights: BigInt64Array;
  /** The share of eligible accounts the loss was chosen to cap. */
  cappedShare: number;
}

/**
 * The uniform book split by position size, with each account's profit as its cap
 * (the default), and a loss chosen (with floats: this only builds the case) so that
 * about `cappedShare` of the eligible accounts end up capped.
 */
export function buildWeighted(n: number, cappedShare = 0.1): WeightedCase {
  const profits = generateProfits(n, 'uniform', 1);
  const next = prng(11);
  const weights = new BigInt64Array(n);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) {
    const w = 1 + (next() % 1_000_000);
    weights[i] = BigInt(w);
    if (profits[i]! > 0n) ratios.push(Number(profits[i]!) / w);
  }
  // The level λ that caps the accounts with ratio below the chosen quantile: loss = Σ min(cap, λ·w).
  const sorted = Float64Array.from(ratios).sort();
  const level = sorted[Math.floor(sorted.length * cappedShare)] ?? 0;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    if (profits[i]! <= 0n) continue;
    loss += Math.min(Number(profits[i]!), level * Number(weights[i]!));
  }
  return { profits, weights, loss: BigInt(Math.floor(loss)), insuranceFund: 0n, cappedShare };
}

/**
 * Whales capped: 10% of the accounts hold large positions (weights in [5·10^7, 10^8))
 * with small profits (caps in [1, 10^6]), the others small positions with profits up to
 * 10^11; the loss is 10^15 units scaled by n / 10^7. The capped accounts hold most of the
 * weight, so the level ends far above its first estimate (socialized / Σ weights).
 */
export function buildWhales(n: number): WeightedCase {
  const next = prng(12);
  const profits = new BigInt64Array(n), weights = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const whale = i % 10 === 3;
    weights[i] = BigInt(whale ? 50_000_000 + (next() % 50_000_000) : 1 + (next() % 1_000_000));
    profits[i] = whale ? BigInt(1 + (next() % 1_000_000)) : BigInt(1_000_000 + (next() % 1_000_000)) * 100_000n + BigInt(next() % 100_000);
  }
  return { profits, weights, loss: (10n ** 15n * BigInt(n)) / 10_000_000n, insuranceFund: 0n, cappedShare: 0.1 };
}
