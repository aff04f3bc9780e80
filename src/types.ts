// The public shapes of inputs and results, shared by the engine and the reference.

/** An integer amount in the currency's smallest unit: a `bigint`, or a `number` that is a safe integer. */
export type Amount = bigint | number;

/**
 * One signed 64-bit profit per account, in the smallest unit. A `BigInt64Array`
 * is used as is; arrays (and other typed arrays) are checked element by element:
 * each must be a `bigint` in the signed 64-bit range or a safe-integer `number`.
 */
export type Profits = BigInt64Array | ArrayLike<bigint | number>;

/** What a socialization is asked to cover. */
export interface SocializeParams {
  /** The deficit left by the bankrupt account(s); 0 ≤ loss ≤ 2^63 − 1. */
  loss: Amount;
  /** What the insurance fund can pay first; 0 ≤ insuranceFund ≤ 2^63 − 1. Default 0. */
  insuranceFund?: Amount;
}

/** The input of `engine.socialize` and `socializeReference`. */
export interface SocializeInput extends SocializeParams {
  /** Each account's profit (negative: a loss); never modified. */
  profits: Profits;
}

/** Totals of one socialization. Always `insuranceUsed + socialized + uncovered == loss`. */
export interface SocializeSummary {
  /** min(loss, insuranceFund): what the fund pays. */
  insuranceUsed: bigint;
  /** min(loss − insuranceUsed, totalProfit): what the profitable accounts pay, == Σ haircuts. */
  socialized: bigint;
  /** What neither the fund nor all profits can cover. */
  uncovered: bigint;
  /** Exact sum of the positive profits (may exceed 2^64). */
  totalProfit: bigint;
  /** How many accounts have a positive profit. */
  profitableAccounts: number;
  /** socialized / totalProfit as a float (0 when totalProfit is 0): for display only, never for units. */
  haircutRate: number;
}

/** A socialization's totals and each account's haircut. */
export interface SocializeResult extends SocializeSummary {
  /** One haircut per account, in input order, owned by the caller. */
  haircuts: BigInt64Array;
}
