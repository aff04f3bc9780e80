// Input checks shared by the engine and the reference: every bad input gets a
// TypeError or RangeError that names the field and, for arrays, the first bad index.

import type { Profits, SocializeInput, SocializeParams } from './types.js';

/** The smallest signed 64-bit value, −2^63. */
export const I64_MIN = -(2n ** 63n);
/** The largest signed 64-bit value, 2^63 − 1. */
export const I64_MAX = 2n ** 63n - 1n;

/** A short description of a bad value for error messages. */
function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value === 'number') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? `a ${value.constructor?.name ?? 'object'}` : String(value);
}

/** An integer from a bigint or a safe-integer number; anything else is a TypeError naming `field`. */
function toInteger(value: unknown, field: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new TypeError(`${field} must be a bigint or a safe-integer number, got ${describe(value)}`);
}

/** A non-negative amount at most 2^63 − 1 (loss, insurance fund). */
export function readAmount(value: unknown, field: string): bigint {
  const amount = toInteger(value, field);
  if (amount < 0n || amount > I64_MAX) {
    throw new RangeError(`${field} must be between 0 and 2^63 − 1, got ${amount}`);
  }
  return amount;
}

/** Profit number `index`: a signed 64-bit integer. */
export function readProfit(value: unknown, index: number): bigint {
  const profit = toInteger(value, `profits[${index}]`);
  if (profit < I64_MIN || profit > I64_MAX) {
    throw new RangeError(`profits[${index}] must be within the signed 64-bit range, got ${profit}`);
  }
  return profit;
}

/** Checks that `profits` is an array or a typed array (not a DataView). */
export function checkProfits(profits: unknown): asserts profits is Profits {
  const typed = ArrayBuffer.isView(profits) && !(profits instanceof DataView);
  if (!typed && !Array.isArray(profits)) {
    throw new TypeError(`profits must be an array or a typed array, got ${describe(profits)}`);
  }
}

/** Reads `loss` and `insuranceFund` (default 0). */
export function readParams(params: unknown): { loss: bigint; insuranceFund: bigint } {
  if (typeof params !== 'object' || params === null) {
    throw new TypeError(`the input must be an object with a loss, got ${describe(params)}`);
  }
  const { loss, insuranceFund = 0n } = params as SocializeParams;
  return { loss: readAmount(loss, 'loss'), insuranceFund: readAmount(insuranceFund, 'insuranceFund') };
}

/** Reads a whole `socialize` input; profits are checked as a container only. */
export function readInput(input: unknown): { loss: bigint; insuranceFund: bigint; profits: Profits } {
  const params = readParams(input);
  const { profits } = input as SocializeInput;
  checkProfits(profits);
  return { ...params, profits };
}

/**
 * Copies `profits` into `target` (same length), checking each element.
 * A BigInt64Array needs no check and is copied in one call.
 */
export function copyProfits(profits: Profits, target: BigInt64Array): void {
  if (profits instanceof BigInt64Array) {
    target.set(profits);
    return;
  }
  for (let i = 0; i < target.length; i++) target[i] = readProfit(profits[i], i);
}
