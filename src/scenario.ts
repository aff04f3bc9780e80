// Seeded books for the demo, the benchmarks and the tests: the same seed gives
// the same book bit for bit on every engine, because generation is integer-only
// (32-bit PRNG steps combined into integers below 2^53, then widened to bigint).

/** How profits are spread over a generated book. */
export type Profile =
  /** Uniform in [−10^10, 10^11): about 91% of accounts in profit. */
  | 'uniform'
  /** 55% in profit; magnitudes log-uniform from 10^4 to 10^12 units (0.01 to 1,000,000 at 6 decimals). */
  | 'realistic'
  /** A few whales (0.1%, 10^12 to 10^14) among many small accounts (10^4 to 10^9); 75% of the small ones in profit. */
  | 'heavy-tailed'
  /** Magnitudes uniform in [1, 10^11), half of the accounts in loss. */
  | 'half-in-loss'
  /** Every profit uniform in [2^62, 2^63): the total passes 2^64 beyond a few accounts. */
  | 'near-max';

/** The profiles `generateProfits` knows. */
export const PROFILES: readonly Profile[] = ['uniform', 'realistic', 'heavy-tailed', 'half-in-loss', 'near-max'];

/** A deterministic 32-bit generator (mulberry32). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** An integer uniform in [0, bound), for bound ≤ 2^53 (exact: both draws are integers). */
function below(next: () => number, bound: number): number {
  const wide = (next() & 0x1f_ffff) * 0x1_0000_0000 + next();
  return wide % bound;
}

/** A magnitude log-uniform over the decades [10^fromDecade, 10^toDecade). */
function logUniform(next: () => number, fromDecade: number, toDecade: number): number {
  const decade = fromDecade + below(next, toDecade - fromDecade);
  const base = 10 ** decade;
  return base + below(next, 9 * base);
}

/** Options of `generateProfits`. */
export interface GenerateOptions {
  /** Write into this array (length ≥ n) instead of a new one: e.g. a book's `profits` view. */
  into?: BigInt64Array;
  /** Called with the number of accounts done, every 2^18 accounts and at the end. */
  onProgress?: (done: number) => void;
}

/** n profits drawn from `profile` with `seed`: the same seed gives the same book everywhere. */
export function generateProfits(n: number, profile: Profile, seed: number, options: GenerateOptions = {}): BigInt64Array {
  const next = prng(seed);
  const profits = options.into ?? new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    if (options.onProgress && (i & 0x3ffff) === 0 && i > 0) options.onProgress(i);
    if (profile === 'near-max') {
      // 2^62 + 53 random bits shifted up + 9 more: uniform in [2^62, 2^63).
      profits[i] = 2n ** 62n + (BigInt(below(next, 2 ** 53)) << 9n) + BigInt(next() & 0x1ff);
      continue;
    }
    let value: number;
    switch (profile) {
      case 'uniform':
        value = below(next, 110_000_000_000) - 10_000_000_000;
        break;
      case 'realistic':
        value = below(next, 100) < 55 ? logUniform(next, 4, 12) : -logUniform(next, 4, 11);
        break;
      case 'heavy-tailed':
        if (below(next, 1000) === 0) value = logUniform(next, 12, 14);
        else value = below(next, 100) < 75 ? logUniform(next, 4, 9) : -logUniform(next, 4, 9);
        break;
      case 'half-in-loss':
        value = (1 + below(next, 99_999_999_999)) * (next() & 1 ? 1 : -1);
        break;
    }
    profits[i] = BigInt(value);
  }
  options.onProgress?.(n);
  return profits;
}

/** Σ max(profit, 0), exactly. */
export function positiveTotal(profits: BigInt64Array): bigint {
  let total = 0n;
  for (const profit of profits) if (profit > 0n) total += profit;
  return total;
}
