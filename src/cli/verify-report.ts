// What verify checks of a report beyond the hashes: its result section, every
// total per pool and overall, against the same section built by the writer's
// own code (report.ts) from the auditor's totals — so every number the writer
// writes is compared, and a field the writer gains is compared too.

import type { PoolTotals } from '../audit/index.js';
import type { SocializeSummary } from '../types.js';
import { quote } from '../files/errors.js';
import type { Loaded } from '../run/load.js';
import type { Parameters } from '../run/parameters.js';
import type { InputSummary } from '../files/read.js';
import type { Json, JsonObject, ReadReport } from '../run/report-read.js';
import { resultSection, roundedSection, type PoolOutcome } from '../run/report.js';

/** A field of the report whose value is not what the recomputation gives. */
export interface FieldDifference {
  /** Its path in the report: `result.pools[1].socialized`. */
  field: string;
  /** What the recomputation gives, as the report would write it. */
  expected: string;
  /** What the report has. */
  found: string;
}

/**
 * The report's result section compared with the one the rule gives: `totals`
 * are the auditor's per pool (certify's), `haircuts` the haircuts the rule gives.
 * Every field that differs, in the report's order.
 */
export function resultDifferences(
  result: JsonObject, loaded: Loaded, parameters: Parameters, totals: readonly PoolTotals[], haircuts: BigInt64Array,
): FieldDifference[] {
  const { table, directory } = loaded;
  const charged = directory.pools.map(() => 0);
  for (let row = 0; row < table.rows; row++) if (haircuts[row] !== 0n) charged[table.poolOf(row)]!++;
  const weighted = parameters.columns.weight !== undefined;
  const outcomes: PoolOutcome[] = directory.pools.map((pool, k) => {
    const t = totals[k]!;
    const summary: SocializeSummary = {
      insuranceUsed: t.insuranceUsed, socialized: t.socialized, uncovered: t.uncovered, totalProfit: t.totalProfit,
      profitableAccounts: t.eligible, haircutRate: 0, roundingDust: t.roundingDust, surplus: t.surplus,
      ...(weighted ? { totalWeight: t.totalWeight ?? 0n, cappedAccounts: t.capped } : {}),
    };
    return { pool, summary, accounts: loaded.pooled ? directory.counts[k]! : table.rows, charged: charged[k]! };
  });
  const expected = JSON.parse(JSON.stringify(resultSection(outcomes, loaded.pooled, parameters))) as Json;
  const differences: FieldDifference[] = [];
  compare(expected, result, 'result', differences);
  return differences;
}

/**
 * The report's sizes and row counts against the files verify read: ACCOUNTS'
 * bytes and rows, HAIRCUTS' bytes and rows, and the pools file's rows (one per
 * listed pool). The names may differ (files move); the hashes are verify's.
 */
export function fileDifferences(report: ReadReport, loaded: Loaded, haircuts: InputSummary): FieldDifference[] {
  const out: FieldDifference[] = [];
  const check = (field: string, expected: number, found: Json | undefined) => {
    if (found !== expected) out.push({ field, expected: String(expected), found: show(found) });
  };
  const accounts = report.inputs.accounts as JsonObject;
  check('inputs.accounts.bytes', loaded.accounts.bytes, accounts.bytes);
  check('inputs.accounts.rows', loaded.accounts.rows, accounts.rows);
  if (loaded.pooled) check('inputs.pools.rows', loaded.directory.pools.filter((pool) => pool.line > 0).length, (report.inputs.pools as JsonObject).rows);
  check('output.bytes', haircuts.bytes, report.output.bytes);
  check('output.rows', loaded.table.rows, report.output.rows);
  roundedDifferences(report.parameters, loaded, accounts.rounded, out);
  return out;
}

/** Under an input rounding, the report's count and Σ |adjustment| per column against what reading ACCOUNTS again gives. */
export function roundedDifferences(parameters: Parameters, loaded: Loaded, found: Json | undefined, out: FieldDifference[]): void {
  const expected = roundedSection(parameters, loaded.reading);
  if (expected !== undefined) compare(JSON.parse(JSON.stringify(expected)) as Json, found, 'inputs.accounts.rounded', out);
}

/** How many of a report's fields verify compares: fileDifferences' and every value of the result. */
export function checkedFields(report: ReadReport, pooled: boolean): number {
  return (pooled ? 5 : 4) + leaves(report.result);
}

/** How many values (leaves) a JSON value holds. */
export function leaves(value: Json): number {
  if (typeof value !== 'object' || value === null) return 1;
  return Object.values(value).reduce((total: number, entry) => total + leaves(entry), 0);
}

/** Walks `expected` and `found` together, noting every leaf (and every list's length) that differs. */
export function compare(expected: Json | undefined, found: Json | undefined, field: string, out: FieldDifference[]): void {
  if (Array.isArray(expected) && Array.isArray(found)) {
    if (expected.length !== found.length) out.push({ field: `${field} (entries)`, expected: String(expected.length), found: String(found.length) });
    for (let i = 0; i < Math.min(expected.length, found.length); i++) compare(expected[i], found[i], `${field}[${i}]`, out);
    return;
  }
  if (isObject(expected) && isObject(found)) {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(found)])) compare(expected[key], found[key], `${field}.${key}`, out);
    return;
  }
  if (expected !== found) out.push({ field, expected: show(expected), found: show(found) });
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value for a message: numbers, decimals and fractions as they are, names quoted, structures as JSON. */
function show(value: Json | undefined): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return /^[-\d./]+$/.test(value) ? value : quote(value);
  return JSON.stringify(value).length > 80 ? `${Array.isArray(value) ? 'a list' : 'an object'}` : JSON.stringify(value);
}
