// Every error the library throws carries a stable `code` (`ERR_…`), listed here
// and nowhere else. The class says what kind of fault it is (TypeError: the wrong
// kind of value; RangeError: a value outside what is accepted; Error: a state or an
// internal fault); the code says which, for programs; the message says it for people.

/**
 * The codes, each with what it means. Codes are stable: a new fault gets a new
 * code, a code never changes its meaning.
 */
export const ERROR_CODES = Object.freeze({
  /**
   * TypeError: a value of the wrong kind: a scalar that is neither a bigint nor a
   * safe-integer number (or a profit, weight, cap or unit that is not), a column that
   * is not an array or typed array, an input or option that is not an object, a
   * `rounding` that is not a string, a `tieSeed` that is not a bigint, a `pool` that
   * is not a Uint32Array, `pools` that is not an array or has a hole or an entry that
   * is not an object, a book length that is not a number.
   */
  ERR_INVALID_TYPE: 'ERR_INVALID_TYPE',
  /**
   * RangeError: a number outside what its field accepts: `loss`, `insuranceFund` or
   * `scale` negative or above 2^63 − 1 (`scale` also 0), a profit, weight, cap or unit
   * outside the signed 64-bit range, a negative weight or cap, a `tieSeed` past 64
   * bits, a book length that is negative or fractional.
   */
  ERR_OUT_OF_RANGE: 'ERR_OUT_OF_RANGE',
  /** TypeError (`socialized-loss/decimal`'s `parseUnits`): a text that is not a decimal amount (`1,250.50`, `nan`, `12%`; an exponent without a rounding rule). */
  ERR_INVALID_DECIMAL: 'ERR_INVALID_DECIMAL',
  /** RangeError (`parseUnits`): more fraction digits than `decimals` allows, without a rounding rule. */
  ERR_PRECISION: 'ERR_PRECISION',
  /** RangeError: a column (`exempt`, `pool`, `weights`, `caps`) whose length is not one entry per account. */
  ERR_LENGTH_MISMATCH: 'ERR_LENGTH_MISMATCH',
  /**
   * RangeError: a typed-array input (`profits`, `exempt`, `pool`, `weights`, `caps`,
   * `units`) whose buffer is detached, so that it reads as empty: a view of engine
   * memory taken before the memory grew or a book was freed (read the book's view
   * again), or an array whose buffer was transferred (`buffer.transfer()`,
   * `structuredClone` or `postMessage` with `transfer`).
   */
  ERR_DETACHED_VIEW: 'ERR_DETACHED_VIEW',
  /** RangeError: a book or a call with more accounts than the engine's `capacity`. */
  ERR_CAPACITY: 'ERR_CAPACITY',
  /** RangeError: the engine memory cannot grow to fit the book or the call (4 GiB address space, or the host refused). */
  ERR_MEMORY: 'ERR_MEMORY',
  /** RangeError: an account whose pool index is not below the number of pools. */
  ERR_POOL_INDEX: 'ERR_POOL_INDEX',
  /**
   * RangeError: an option value the library does not know (`rounding`, `chargeRounding`,
   * `variant`); TypeError: options that do not go together (`caps` without `weights`).
   */
  ERR_INVALID_OPTION: 'ERR_INVALID_OPTION',
  /**
   * TypeError: an input or options object with a key the call does not take (a
   * misspelling such as `insurance_fund` would otherwise leave the fund at 0): the
   * message names the key, where it is (`pools[2].insurance_fund`) and the nearest key
   * the call knows, when one is close. Only own enumerable string keys are checked.
   */
  ERR_UNKNOWN_OPTION: 'ERR_UNKNOWN_OPTION',
  /** RangeError: an index delta over units that sum to zero: there is no position to charge. */
  ERR_ZERO_UNITS: 'ERR_ZERO_UNITS',
  /** RangeError: an index delta whose charge for some account would pass 2^63 − 1. */
  ERR_CHARGE_OVERFLOW: 'ERR_CHARGE_OVERFLOW',
  /** Error: a book used after `free()` (or the end of its `using` block). */
  ERR_BOOK_FREED: 'ERR_BOOK_FREED',
  /**
   * Error: this runtime cannot compile or instantiate the core variant (no WebAssembly,
   * no SIMD for a SIMD variant, a content security policy that forbids compiling it).
   */
  ERR_UNSUPPORTED: 'ERR_UNSUPPORTED',
  /**
   * Error (sharded engine): a shard stopped (its worker or process exited or failed),
   * sent a reply that fails the coordinator's checks, or did not answer within
   * `timeoutMs` during a call, which is rejected; the engine is then closed (`ERR_ENGINE_CLOSED`).
   */
  ERR_SHARD_FAILED: 'ERR_SHARD_FAILED',
  /** Error (sharded engine): a call on an engine after `close()` or after one of its shards failed, or in flight when `close()` was called. */
  ERR_ENGINE_CLOSED: 'ERR_ENGINE_CLOSED',
  /**
   * Error: a bug: the core trapped or failed one of its own checks (debug builds), or
   * the wrapper and the core disagree. The message names the operation and the
   * invariant; `cause` is the original error. Never the result of any input: please report it.
   */
  ERR_INTERNAL: 'ERR_INTERNAL',
} as const);

/** A code of `ERROR_CODES`. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** An error thrown by the library: a TypeError, a RangeError or an Error, with its code. */
export type SocializedLossError = Error & { readonly code: ErrorCode };

/** Options passed on to the Error constructor. */
type Options = { cause?: unknown };

/**
 * Gives `error` its code: an own, read-only property, not enumerable (as `message` is
 * not), so that an error still equals one made with the same class and message.
 */
function withCode<E extends Error>(error: E, code: ErrorCode): E & { readonly code: ErrorCode } {
  Object.defineProperty(error, 'code', { value: code, enumerable: false, writable: false, configurable: true });
  return error as E & { readonly code: ErrorCode };
}

/** A TypeError with `code`. */
export function typeError(code: ErrorCode, message: string, options?: Options): TypeError & { readonly code: ErrorCode } {
  return withCode(new TypeError(message, options), code);
}

/** A RangeError with `code`. */
export function rangeError(code: ErrorCode, message: string, options?: Options): RangeError & { readonly code: ErrorCode } {
  return withCode(new RangeError(message, options), code);
}

/** A plain Error with `code` (a state error, an unsupported runtime, an internal fault). */
export function stateError(code: ErrorCode, message: string, options?: Options): SocializedLossError {
  return withCode(new Error(message, options), code);
}

/** Whether `error` was thrown by the library (it has one of the codes). */
export function isSocializedLossError(error: unknown): error is SocializedLossError {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/**
 * The ERR_INTERNAL error for a fault in `operation`: `cause` is what escaped it (a
 * WebAssembly trap; the core's abort, a failed assertion of a debug build, whose text
 * and file:line are kept; any other error the wrapper did not mean to throw), or a
 * string saying which invariant failed.
 */
export function internalError(operation: string, cause: unknown): SocializedLossError {
  if (typeof cause === 'string') return stateError('ERR_INTERNAL', `internal error in ${operation} (${cause}); please report it`);
  // The reference entry point may run where there is no WebAssembly at all.
  const trap = typeof WebAssembly !== 'undefined' && cause instanceof WebAssembly.RuntimeError;
  const what = trap ? `a kernel trap: ${(cause as Error).message}`
    : cause instanceof Error ? (/^abort: /.test(cause.message) ? cause.message : `${cause.name}: ${cause.message}`)
      : String(cause);
  return stateError('ERR_INTERNAL', `internal error in ${operation} (${what}); please report it`, { cause });
}

/**
 * Runs `task`, turning anything it throws that is not the library's own error
 * (a trap, an abort, a bug in the wrapper) into ERR_INTERNAL naming `operation`.
 */
export function guard<T>(operation: string, task: () => T): T {
  try {
    return task();
  } catch (error) {
    throw isSocializedLossError(error) ? error : internalError(operation, error);
  }
}
