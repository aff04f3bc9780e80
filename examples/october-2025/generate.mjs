// A SYNTHETIC account book calibrated to the published aggregates of one venue's
// auto-deleveraging (ADL) event of 10 October 2025, as reported in T. Chitra,
// "Autodeleveraging: Impossibilities and Optimization", arXiv 2512.01112. No row is
// a real account: only the aggregates below are taken from the source.
//
//   winning accounts (profit > 0)    19,230
//   Σ profit                         $834,554,147.76
//   largest profit                   $52,864,447.63
//   share of the 10 largest profits  40.3 %   (their sum is round(0.403 × Σ) in cents)
//
// The other 19,220 profits follow a truncated Pareto law (tail index 3/5), sampled
// by strata so that the seed moves each account only within its own quantile, then
// scaled to the exact remainder; the floor's lost cents go one each to the largest.
//
// Columns (amounts in dollars with 2 decimals; every figure is computed in integers):
//   account   acct-00001 … acct-19230, rows in a seeded shuffled order (not by profit)
//   profit    > 0
//   equity    > 0; for most accounts 1.50×–6.00× the profit (a seeded draw), for about
//             15 % of them (and for the 3rd, 6th and 9th largest) 0.20×–0.95× of it
//   capacity  min(profit, equity): the most a mechanism may take from the account
//   leverage  effective leverage, 1.00–50.00 (a seeded draw; larger accounts lower)
//   score     a BitMEX-style ADL rank, PnL percentage × effective leverage, where
//             PnL percentage = profit ÷ equity, so score = profit × leverage ÷ equity,
//             written with 6 decimals truncated toward zero. In integers, on cents
//             and hundredths of leverage:
//               score_micro = floor(profit_cents × leverage_hundredths × 10^6
//                                   ÷ (equity_cents × 100))
//
// Usage (from the repository's root or anywhere; paths are relative to this file):
//   node examples/october-2025/generate.mjs           writes accounts.csv, prints its aggregates
//   node examples/october-2025/generate.mjs --check   exits 1 if accounts.csv differs from the output
//   node examples/october-2025/generate.mjs --stats   prints the aggregates of accounts.csv
//
// Deterministic: a splitmix64 generator on BigInt with a fixed seed, integer draws by
// rejection (no modulo bias), no Math.random and no floating point in any figure.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CSV = fileURLToPath(new URL('./accounts.csv', import.meta.url));
const SEED = 20251010n;

const ACCOUNTS = 19_230;
const TOTAL = 83_455_414_776n; // cents: $834,554,147.76
const LARGEST = 5_286_444_763n; // cents: $52,864,447.63
const TOP10 = (TOTAL * 403n + 500n) / 1000n; // round(0.403 × TOTAL), in cents
const REST = TOTAL - TOP10; // the other 19,220 accounts

// ---------------------------------------------------------------------------
// Integer helpers

const MASK64 = (1n << 64n) - 1n;

/** splitmix64 on BigInt: a new generator seeded with `seed`. */
function splitmix64(seed) {
  let state = seed & MASK64;
  const next = () => {
    state = (state + 0x9e3779b97f4a7c15n) & MASK64;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    return z ^ (z >> 31n);
  };
  /** A uniform integer in [0, n), 0 < n ≤ 2^64, by rejection (no modulo bias). */
  const below = (n) => {
    const limit = (1n << 64n) - ((1n << 64n) % n);
    for (;;) {
      const x = next();
      if (x < limit) return x % n;
    }
  };
  /** A uniform integer in [lo, hi]. */
  const between = (lo, hi) => lo + below(hi - lo + 1n);
  return { below, between };
}

/** floor(x^(1/k)) for x ≥ 0 (Newton's method from above). */
function iroot(x, k) {
  if (x < 2n) return x;
  let r = 1n << (BigInt(x.toString(2).length) / k + 1n);
  for (;;) {
    const s = ((k - 1n) * r + x / r ** (k - 1n)) / k;
    if (s >= r) return r;
    r = s;
  }
}

const descending = (a, b) => (a > b ? -1 : a < b ? 1 : 0);
const sum = (xs) => xs.reduce((a, b) => a + b, 0n);
const min = (a, b) => (a < b ? a : b);

function check(condition, what) {
  if (!condition) throw new Error(`generate.mjs: ${what}`);
}

/** Cents as dollars with 2 decimals: 123456n → "1234.56". */
const amount = (cents) => `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;

/** Millionths as a 6-decimal number: 1234567n → "1.234567". */
const micro = (m) => `${m / 1_000_000n}.${(m % 1_000_000n).toString().padStart(6, '0')}`;

/** The score of an account, in millionths, truncated toward zero (all inputs > 0). */
const scoreMicro = (profit, equity, leverage) => (profit * leverage * 1_000_000n) / (equity * 100n);

// ---------------------------------------------------------------------------
// The book

function generate() {
  const rng = splitmix64(SEED);

  // The 10 largest: $52,864,447.63, then nine more summing to TOP10 − LARGEST, with
  // weights ∝ 1/√k (k = 2…10) each moved by a seeded ±3 %.
  const nine = TOP10 - LARGEST;
  const weights = [];
  for (let k = 2n; k <= 10n; k++) weights.push((iroot(10n ** 18n / k, 2n) * rng.between(970n, 1030n)) / 1000n);
  weights.sort(descending);
  const W = sum(weights);
  const top = weights.map((w) => (nine * w) / W);
  for (let i = 0n, left = nine - sum(top); i < left; i++) top[Number(i)] += 1n; // floor's cents, to the largest
  top.unshift(LARGEST);
  check(sum(top) === TOP10, 'the 10 largest sum to round(0.403 × total)');
  for (let i = 1; i < top.length; i++) check(top[i] < top[i - 1], 'the 10 largest are distinct and descending');

  // The other 19,220: a Pareto law of tail index α = 3/5 above x_m = $200, truncated at
  // x_m · D^(5/3): the survival level T/M is drawn in stratum i of [M/D, M] (a seeded
  // point inside it) and x = x_m · (M/T)^(5/3) = ∛(x_m³ · M⁵ / T⁵). Strata make the
  // draws non-increasing in i.
  const n = BigInt(ACCOUNTS - 10);
  const M = 1n << 40n;
  const xm = 20_000n;
  const Tmin = M / 841n;
  const J = 1n << 20n;
  const raw = [];
  for (let i = 0n; i < n; i++) {
    const T = Tmin + ((M - Tmin) * (i * J + rng.below(J))) / (n * J);
    raw.push(iroot((xm ** 3n * M ** 5n) / T ** 5n, 3n));
  }
  const R = sum(raw);
  const rest = raw.map((r) => (r * REST) / R);
  for (let i = 0n, left = REST - sum(rest); i < left; i++) rest[Number(i)] += 1n; // floor's cents, to the largest
  check(sum(rest) === REST, 'the others sum to the remainder');
  for (let i = 0; i < rest.length; i++) {
    check(rest[i] >= 1n, 'every profit is at least $0.01');
    check(i === 0 || rest[i] <= rest[i - 1], 'the others are in non-increasing order');
  }
  check(rest[0] < top[9], 'every other profit is below the 10th largest');

  // Equity, leverage and score, by rank (largest first).
  const profits = [...top, ...rest];
  const rows = profits.map((profit, rank) => {
    const below = rank < 10 ? rank === 2 || rank === 5 || rank === 8 : rng.below(100n) < 15n;
    const multiple = below ? rng.between(20n, 95n) : rng.between(150n, 600n); // hundredths
    let equity = (profit * multiple) / 100n;
    if (equity < 1n) equity = 1n;
    // Larger accounts run lower leverage: the ceiling falls by 7.00 per digit of profit
    // above $100 (5 digits of cents), from 50.00 down to 10.00; the draw is the lower of
    // two uniform draws on [1.00, ceiling], so most accounts sit low.
    const digits = BigInt(profit.toString().length);
    let ceiling = 5000n - (digits - 5n) * 700n;
    if (ceiling > 5000n) ceiling = 5000n;
    if (ceiling < 1000n) ceiling = 1000n;
    const leverage = min(rng.between(100n, ceiling), rng.between(100n, ceiling));
    return { profit, equity, capacity: min(profit, equity), leverage, score: scoreMicro(profit, equity, leverage) };
  });

  // Shuffle (Fisher–Yates on seeded draws), then number the accounts in file order.
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Number(rng.below(BigInt(i + 1)));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  const lines = ['account,profit,equity,capacity,leverage,score'];
  rows.forEach((r, i) => {
    const id = `acct-${String(i + 1).padStart(5, '0')}`;
    lines.push(`${id},${amount(r.profit)},${amount(r.equity)},${amount(r.capacity)},${amount(r.leverage)},${micro(r.score)}`);
  });
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------
// Aggregates, read back from the CSV text (not from the generator's numbers)

/** "1234.56" → 123456n (non-negative, exactly 2 decimals). */
function cents(text) {
  const m = /^(\d+)\.(\d{2})$/.exec(text);
  check(m !== null, `an amount with 2 decimals: ${JSON.stringify(text)}`);
  return BigInt(m[1]) * 100n + BigInt(m[2]);
}

/** 123456n → "$1,234.56". */
function dollars(c) {
  const whole = (c / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `$${whole}.${(c % 100n).toString().padStart(2, '0')}`;
}

function stats(text) {
  const lines = text.trimEnd().split('\n');
  check(lines[0] === 'account,profit,equity,capacity,leverage,score', 'the header');
  const profits = [];
  let belowProfit = 0;
  let capacity = 0n;
  for (const line of lines.slice(1)) {
    const [, p, e, c] = line.split(',');
    const profit = cents(p);
    const equity = cents(e);
    profits.push(profit);
    if (equity < profit) belowProfit++;
    capacity += cents(c);
  }
  profits.sort(descending);
  const total = sum(profits);
  const top10 = sum(profits.slice(0, 10));
  const permille = (top10 * 2000n + total) / (2n * total); // round(1000 × top10 / total)
  const out = [
    ['accounts', String(profits.length)],
    ['Σ profit', dollars(total)],
    ['largest profit', dollars(profits[0])],
    ['median profit', dollars(profits[profits.length >> 1])],
    ['10 largest', `${dollars(top10)} = ${permille / 10n}.${permille % 10n} % of Σ profit`],
    ['equity < profit', `${belowProfit} accounts`],
    ['Σ capacity', dollars(capacity)],
  ];
  for (const [k, v] of out) console.log(`${k.padEnd(16)} ${v}`);
}

// ---------------------------------------------------------------------------

const mode = process.argv[2];
if (mode === '--check') {
  let committed;
  try {
    committed = readFileSync(CSV, 'utf8');
  } catch {
    committed = undefined;
  }
  if (committed !== generate()) {
    console.error('accounts.csv differs from the generator\'s output (run generate.mjs to rewrite it)');
    process.exit(1);
  }
  console.log('accounts.csv matches the generator\'s output');
} else if (mode === '--stats') {
  stats(readFileSync(CSV, 'utf8'));
} else if (mode === undefined) {
  writeFileSync(CSV, generate());
  stats(readFileSync(CSV, 'utf8'));
} else {
  console.error('usage: node generate.mjs [--check | --stats]');
  process.exit(2);
}
