// socialized-loss: exact pro-rata socialization of losses, computed in WebAssembly.
// The plain-bigint oracle is a separate entry point: 'socialized-loss/reference'.

export { loadEngine, Engine, type LoadOptions } from './engine.js';
export { Book, type BookParams, type BookPoolOptions, type BookDeleverageParams, type BookMeasureParams } from './book.js';
export { MAX_ACCOUNTS, VARIANTS, simdSupported, type Variant } from './core.js';
export { ERROR_CODES, isSocializedLossError, type ErrorCode, type SocializedLossError } from './errors.js';
export { measureHaircuts, type MeasuresResult, type HaircutMeasures, type Tenth } from './measures.js';
export type { MeasureInput } from './measures-input.js';
export type { Rate } from './fraction.js';
export { resultToJSON, type JsonResult, type ResultToJSONOptions } from './result-json.js';
export type {
  Amount, Profits, Rounding, SocializeParams, SocializeInput, SocializeSummary, SocializeResult,
  PoolParams, PoolOptions, SocializePoolsInput, SocializePoolsResult,
  IndexDeltaInput, IndexDeltaResult, IndexRounding,
  DeleverageInput, DeleverageSummary, DeleverageResult, DeleveragePoolsInput, DeleveragePoolsResult,
} from './types.js';
