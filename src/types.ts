// The public shapes of inputs and results, shared by the engine and the reference.

/** An integer amount in the currency's smallest unit: a `bigint`, or a `number` that is a safe integer. */
export type Amount = bigint | number;

/**
 * One signed 64-bit profit per account, in the smallest unit. A `BigInt64Array`
 * is used as is; arrays (and other typed arrays) are checked element by element:
 * each must be a `bigint` in the signed 64-bit range or a safe-integer `number`.
 */
export type Profits = BigInt64Array | ArrayLike<bigint | number>;

/**
 * How quotas become whole units. `'largest-remainder'` (default): floors, then one unit
 * each to the largest remainders; Σ haircuts == socialized. `'down'`: floors only; the
 * uncollected units are `roundingDust`, part of `uncovered`. `'up'`: ceilings (never above
 * the profit); the over-collection is `surplus`, returned to the fund.
 */
export type Rounding = 'largest-remainder' | 'down' | 'up';

/** What a socialization is asked to cover, and how. */
export interface SocializeParams {
  /** The deficit left by the bankrupt account(s); 0 ≤ loss ≤ 2^63 − 1. */
  loss: Amount;
  /** What the insurance fund can pay first; 0 ≤ insuranceFund ≤ 2^63 − 1. Default 0. */
  insuranceFund?: Amount | undefined;
  /** The rounding policy; default `'largest-remainder'`. */
  rounding?: Rounding | undefined;
  /**
   * Under largest remainder, equal remainders go first to ascending
   * `splitmix64(tieSeed XOR index)` (unsigned 64-bit), then to the lower index.
   * Without it, the lower index first.
   */
  tieSeed?: bigint | undefined;
}

/** The input of `engine.socialize` and `socializeReference`. */
export interface SocializeInput extends SocializeParams {
  /** Each account's profit (negative: a loss); never modified. */
  profits: Profits;
  /**
   * One entry per account; a non-zero (or `true`) entry makes the account ineligible:
   * haircut 0, not counted in `totalProfit` or `profitableAccounts` (house, fee and
   * market-maker accounts).
   */
  exempt?: Uint8Array | readonly boolean[] | undefined;
  /**
   * Split by these weights (one non-negative signed 64-bit value per account, e.g.
   * position size or open interest) instead of by profit, never taking more than
   * each account's cap: water-filling. Eligible: weight > 0, cap > 0, not exempt.
   */
  weights?: Profits | undefined;
  /** With `weights`: the most each account may pay (non-negative); default max(profit, 0). */
  caps?: Profits | undefined;
}

/**
 * Totals of one socialization. Always `insuranceUsed + socialized + uncovered == loss +
 * surplus` (surplus is 0 except under `rounding: 'up'`).
 */
export interface SocializeSummary {
  /** min(loss, insuranceFund): what the fund pays. */
  insuranceUsed: bigint;
  /** Σ haircuts: what the profitable accounts pay. min(loss − insuranceUsed, totalProfit) under largest remainder; less under 'down' (the dust is in `uncovered`), more under 'up' (`surplus`). */
  socialized: bigint;
  /** What neither the fund nor all profits can cover. */
  uncovered: bigint;
  /**
   * Exact sum of the positive profits of the eligible accounts (may exceed 2^64). With
   * `weights`: the sum of the eligible accounts' caps, the most they can pay.
   */
  totalProfit: bigint;
  /** How many accounts are eligible (a positive profit; with weights, a positive weight and cap). */
  profitableAccounts: number;
  /** socialized / totalProfit as a float (0 when totalProfit is 0): for display only, never for units. */
  haircutRate: number;
  /** Under `rounding: 'down'`: the units rounding left uncollected (included in `uncovered`); else 0. */
  roundingDust: bigint;
  /** Under `rounding: 'up'`: the units collected beyond the target, returned to the fund; else 0. */
  surplus: bigint;
  /** With `weights` only: the exact sum of the eligible accounts' weights. */
  totalWeight?: bigint;
  /** With `weights` only: how many accounts pay exactly their cap (the set C). */
  cappedAccounts?: number;
}

/** A socialization's totals and each account's haircut. */
export interface SocializeResult extends SocializeSummary {
  /** One haircut per account, in input order, owned by the caller. */
  haircuts: BigInt64Array;
}

/** One pool's loss and fund: what `socialize` would take for it alone. */
export interface PoolParams {
  /** The pool's deficit; 0 ≤ loss ≤ 2^63 − 1. */
  loss: Amount;
  /** The pool's own insurance fund; default 0. */
  insuranceFund?: Amount | undefined;
}

/** Options shared by every pool of a `socializePools` call. */
export interface PoolOptions {
  /** The rounding policy of every pool; default `'largest-remainder'`. */
  rounding?: Rounding | undefined;
  /** Seeded ties, by each account's index in the whole book. */
  tieSeed?: bigint | undefined;
}

/** The input of `engine.socializePools` and `socializePoolsReference`. */
export interface SocializePoolsInput extends PoolOptions {
  /** Each account's profit, as for `socialize`. */
  profits: Profits;
  /** Each account's pool: an index into `pools`. */
  pool: Uint32Array;
  /** One entry per pool. */
  pools: readonly PoolParams[];
  /** As for `socialize`: a non-zero entry makes the account ineligible in its pool. */
  exempt?: Uint8Array | readonly boolean[] | undefined;
  /** As for `socialize`: each pool is split by weight, with caps. */
  weights?: Profits | undefined;
  /** As for `socialize`, with `weights`. */
  caps?: Profits | undefined;
}

/** Every account's haircut, and one summary per pool (exactly `socialize` on that pool alone). */
export interface SocializePoolsResult {
  /** One haircut per account, in input order, owned by the caller. */
  haircuts: BigInt64Array;
  /** One summary per pool, in the order of `pools`. */
  pools: SocializeSummary[];
}

/** Which way an index delta or a charge is rounded. */
export type IndexRounding = 'up' | 'down';

/** The input of `engine.indexDelta` and `indexDeltaReference`. */
export interface IndexDeltaInput {
  /** The loss to spread over every unit of position; 0 ≤ loss ≤ 2^63 − 1. */
  loss: Amount;
  /** Each account's position size (signed; its absolute value is charged). */
  units: Profits;
  /** The index's fixed-point scale, e.g. 10n ** 9n; 1 ≤ scale ≤ 2^63 − 1. */
  scale: Amount;
  /** delta = ceil (`'up'`, default) or floor (`'down'`) of loss × scale / Σ|units|. */
  rounding?: IndexRounding | undefined;
  /** Each charge = ceil (`'up'`, default) or floor (`'down'`) of |units[i]| × delta / scale. */
  chargeRounding?: IndexRounding | undefined;
}

/** A per-unit index delta and what it charges each account. */
export interface IndexDeltaResult {
  /** What to add to the per-unit index, in units of 1/scale per unit of position. */
  delta: bigint;
  /** Each account's charge as the protocol would apply it, owned by the caller. */
  charges: BigInt64Array;
  /** Σ charges, exactly. */
  collected: bigint;
  /** collected − loss: positive when the index over-collects, negative when it falls short. */
  drift: bigint;
  /** Σ |units|, exactly (may exceed 2^64). */
  totalUnits: bigint;
}

/**
 * The input of `deleverageReference` (the auto-deleveraging queue): the accounts that may
 * pay (not exempt, capacity > 0) in descending score, each paying its capacity (the last
 * one what is still needed, rounded up to whole lots) until `loss − insuranceFund` is covered.
 */
export interface DeleverageInput {
  /** The deficit; 0 ≤ loss ≤ 2^63 − 1. */
  loss: Amount;
  /** What the insurance fund pays first; default 0. */
  insuranceFund?: Amount | undefined;
  /** Each account's profit (signed); the default capacity is max(profit, 0). */
  profits: Profits;
  /** Each account's score (signed 64-bit fixed point): larger scores are taken first. */
  scores: Profits;
  /** The most the queue may take from each account (≥ 0); default max(profit, 0). */
  capacities?: Profits | undefined;
  /** Each account's lot (> 0): it pays whole lots, at most its capacity; default 1. */
  lots?: Profits | undefined;
  /** As for `socialize`: a non-zero (or `true`) entry keeps the account out of the queue. */
  exempt?: Uint8Array | readonly boolean[] | undefined;
  /** Equal scores go first to ascending `splitmix64(tieSeed XOR index)`, then to the lower index. */
  tieSeed?: bigint | undefined;
}

/**
 * Totals of one queue. Always `insuranceUsed + socialized + uncovered == loss + surplus`:
 * `socialized` is what the queue collected, `surplus` what the last lot took past the need.
 */
export interface DeleverageSummary {
  /** min(loss, insuranceFund). */
  insuranceUsed: bigint;
  /** Σ haircuts: what the queue collected. */
  socialized: bigint;
  /** What the queue could not cover: R − collected when positive, else 0. */
  uncovered: bigint;
  /** The overshoot: collected − R when positive (only with lots), else 0. */
  surplus: bigint;
  /** Always 0: the queue rounds nothing away. */
  roundingDust: bigint;
  /** Σ of the capacities that may pay (not exempt, capacity > 0). */
  totalCapacity: bigint;
  /** Accounts with a haircut above 0. */
  accountsCharged: number;
  /** socialized ÷ totalCapacity (0 when there is none), for display only. */
  haircutRate: number;
}

/** Every account's haircut and the queue's totals. */
export interface DeleverageResult extends DeleverageSummary {
  /** One haircut per account, in input order. */
  haircuts: BigInt64Array;
}

/** The input of `deleveragePoolsReference`: one queue per pool, ties by index in the whole book. */
export interface DeleveragePoolsInput {
  /** Each account's profit. */
  profits: Profits;
  /** Each account's pool: an index into `pools`. */
  pool: Uint32Array;
  /** One entry per pool. */
  pools: readonly PoolParams[];
  /** As for `deleverage`. */
  scores: Profits;
  /** As for `deleverage`. */
  capacities?: Profits | undefined;
  /** As for `deleverage`. */
  lots?: Profits | undefined;
  /** As for `deleverage`. */
  exempt?: Uint8Array | readonly boolean[] | undefined;
  /** As for `deleverage`, by index in the whole book. */
  tieSeed?: bigint | undefined;
}

/** Every account's haircut, and one summary per pool. */
export interface DeleveragePoolsResult {
  /** One haircut per account, in input order. */
  haircuts: BigInt64Array;
  /** One summary per pool, in the order of `pools`. */
  pools: DeleverageSummary[];
}
