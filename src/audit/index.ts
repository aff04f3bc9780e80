// The auditor: checks and explains socialization results with its own plain
// bigint arithmetic, sharing no code with the engine, its WebAssembly core or
// the reference. No Node imports: it runs in browsers as it is.

export { auditHaircuts, certify } from './certify.js';
export { explainAccount, explanationJson, explanationText, quotaDecimal, quotasOf, type ExplanationNames, type JsonValue } from './explain.js';
export { splitmix64, tieKey } from './ties.js';
export type {
  PoolWaterfall,
  AuditBook, AuditPool, AuditRounding, BoundaryAccount, CertifyResult, Difference, Explanation, Fraction,
  IneligibleReason, PoolTotals,
} from './types.js';
