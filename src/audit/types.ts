// The auditor's shapes: a book as the auditor reads it, and what certify and
// explain report. Plain data only, so that a browser, the command line and a
// test see the same thing.

/** How quotas become whole units (the same policies as the engine's `Rounding`). */
export type AuditRounding = 'largest-remainder' | 'down' | 'up';

/** One pool's deficit and the insurance fund that pays first. */
export interface AuditPool {
  /** The pool's deficit, 0 ≤ loss ≤ 2^63 − 1. */
  loss: bigint;
  /** The pool's insurance fund, 0 ≤ insuranceFund ≤ 2^63 − 1. */
  insuranceFund: bigint;
}

/** A book as the auditor reads it: columns, pools and the policy. */
export interface AuditBook {
  /** Each account's signed 64-bit profit. */
  profits: BigInt64Array;
  /** Each account's pool, an index into `pools`; absent: every account is in `pools[0]`. */
  pool?: Uint32Array | undefined;
  /** One entry per pool (at least one when there are accounts). */
  pools: readonly AuditPool[];
  /** One entry per account; non-zero makes the account exempt (ineligible). */
  exempt?: Uint8Array | undefined;
  /** Present: the split is by these non-negative weights, with caps. */
  weights?: BigInt64Array | undefined;
  /** With `weights`: each account's non-negative cap; default max(profit, 0). */
  caps?: BigInt64Array | undefined;
  /** The rounding policy. */
  rounding: AuditRounding;
  /**
   * Largest remainder only: equal remainders ordered by ascending
   * splitmix64(tieSeed XOR global index) as unsigned 64-bit, then by index.
   * Absent: by index. Any 64-bit value (negative seeds are read modulo 2^64).
   */
  tieSeed?: bigint | undefined;
}

/** A pool's waterfall and totals as the rule gives them: what PoolTotals and Explanation both tell. */
export interface PoolWaterfall {
  /** The pool's loss. */
  loss: bigint;
  /** The pool's insurance fund. */
  insuranceFund: bigint;
  /** min(loss, insuranceFund). */
  insuranceUsed: bigint;
  /** loss − insuranceUsed. */
  residual: bigint;
  /**
   * min(residual, totalProfit): what the eligible accounts are asked for before
   * rounding (equal to `socialized` under largest remainder).
   */
  target: bigint;
  /** What the accounts pay by the rule: target under largest remainder, less under 'down', more under 'up'. */
  socialized: bigint;
  /** residual − target + roundingDust: what neither the fund nor the accounts cover. */
  uncovered: bigint;
  /** Σ eligible profits; with weights, Σ eligible caps (may exceed 2^64). */
  totalProfit: bigint;
  /** With weights: Σ eligible weights; otherwise null. */
  totalWeight: bigint | null;
  /** Under 'down': the units left uncollected (= leftover); else 0. */
  roundingDust: bigint;
  /** Under 'up': the units collected beyond target; else 0. */
  surplus: bigint;
}

/** One pool's totals as the rule gives them (independent of the haircuts checked). */
export interface PoolTotals extends PoolWaterfall {
  /** The pool's index in `book.pools`. */
  pool: number;
  /** How many accounts are eligible. */
  eligible: number;
  /** With weights: how many accounts pay exactly their cap (the set C); otherwise 0. */
  capped: number;
  /** Σ caps of the capped accounts (0 without weights). */
  cappedTotal: bigint;
  /** R: what the uncapped eligible accounts share (target − cappedTotal). */
  shared: bigint;
  /** W: the total they share it by (Σ uncapped weights, or totalProfit without weights). */
  sharedWeight: bigint;
  /** Σ floor(quota) over the uncapped eligible accounts. */
  floorTotal: bigint;
  /** L = shared − floorTotal: the leftover units (fewer than the sharing accounts). */
  leftover: bigint;
  /** How many uncapped eligible accounts have a non-zero remainder. */
  fractional: number;
  /** Σ of the haircuts checked, over the pool's accounts (what was found, not what was expected). */
  found: bigint;
}

/** One account whose haircut is not what the rule gives. */
export interface Difference {
  /** The account's index in the book. */
  index: number;
  /** The haircut the rule gives. */
  expected: bigint;
  /** The haircut checked. */
  found: bigint;
}

/** What `certify` found. */
export interface CertifyResult {
  /** True when every haircut is exactly what the rule gives. */
  ok: boolean;
  /** How many accounts were checked. */
  accounts: number;
  /** How many haircuts differ from the rule. */
  mismatches: number;
  /** The first `limit` differences, by ascending index. */
  differences: Difference[];
  /** One entry per pool, in the order of `book.pools`. */
  pools: PoolTotals[];
}

/** Why an account is not eligible. */
export type IneligibleReason = 'exempt' | 'non-positive profit' | 'zero weight' | 'zero cap';

/** An exact fraction, as given and reduced by the greatest common divisor. */
export interface Fraction {
  /** The numerator as computed (shared × weight). */
  numerator: bigint;
  /** The denominator as computed (the sharing total). */
  denominator: bigint;
  /** numerator / gcd. */
  reducedNumerator: bigint;
  /** denominator / gcd. */
  reducedDenominator: bigint;
}

/** An account on the largest-remainder boundary. */
export interface BoundaryAccount {
  /** Its index in the book. */
  index: number;
  /** Its remainder (in units of 1/sharedWeight). */
  remainder: bigint;
}

/** The whole derivation of one account's haircut, with its pool's waterfall. */
export interface Explanation extends PoolWaterfall {
  /** The account's index in the book. */
  index: number;
  /** Its pool's index. */
  pool: number;
  /** The rounding policy in force. */
  rounding: AuditRounding;
  /** The tie seed (modulo 2^64) under largest remainder, else null. */
  tieSeed: bigint | null;
  /** True when the split is by weight with caps. */
  weighted: boolean;
  /** The account's profit. */
  profit: bigint;
  /** With weights: its weight; else null. */
  weight: bigint | null;
  /** With weights: its cap; else null. */
  cap: bigint | null;
  /** Whether it is eligible. */
  eligible: boolean;
  /** Why not, or null when eligible. */
  reason: IneligibleReason | null;
  /** The pool's eligible accounts. */
  eligibleAccounts: number;
  /** With weights: the pool's capped accounts; else null. */
  cappedAccounts: number | null;
  /** R: what the uncapped eligible accounts share. */
  shared: bigint;
  /** W: the total they share it by. */
  sharedWeight: bigint;
  /** Whether the account pays exactly its cap (with weights only). */
  capped: boolean;
  /** The exact quota shared × weight / sharedWeight for an uncapped eligible account; else null. */
  quota: Fraction | null;
  /** floor(quota), or null. */
  floor: bigint | null;
  /** (shared × weight) mod sharedWeight, or null. */
  remainder: bigint | null;
  /** The pool's leftover units L = shared − Σ floors. */
  leftover: bigint;
  /** How many accounts share by remainder in the pool (uncapped eligible). */
  sharing: number;
  /** Under largest remainder, for an uncapped eligible account: its 1-based rank among the pool's remainders (ties by the rule in force); else null. */
  rank: number | null;
  /** Under largest remainder with a seed: splitmix64(seed XOR index) of the account; else null. */
  tieKey: bigint | null;
  /**
   * Under largest remainder (when the pool has sharing accounts): the last account that got
   * an extra unit (null when L = 0) and the first that did not (null when none is left).
   */
  boundary: { lastExtra: BoundaryAccount | null; firstWithout: BoundaryAccount | null } | null;
  /** Whether the account got a unit above its floor (largest remainder: ranked within L; 'up': a non-zero remainder). */
  extraUnit: boolean;
  /** The haircut the rule gives. */
  haircut: bigint;
  /** profit − haircut. */
  profitAfter: bigint;
}
