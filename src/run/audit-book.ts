// The bridge from what was read to the auditor's arithmetic (src/audit): the
// loaded columns as an AuditBook, and one account's explanation as text and
// JSON. Shared by verify, explain and the workbench page.

import { explainAccount, explanationJson, explanationText, type AuditBook, type JsonValue } from '../audit/index.js';
import type { QueueBook } from '../audit/queue.js';
import type { CompareParameters } from './parameters.js';
import { formatUnits } from '../files/decimal.js';
import type { Loaded } from './load.js';
import type { Parameters } from './parameters.js';

/** The loaded accounts as the auditor's book: columns of their own, nothing shared with an engine. */
export function auditBookOf(loaded: Loaded, parameters: Parameters): AuditBook {
  const { table } = loaded;
  const n = table.rows;
  const book: AuditBook = {
    profits: table.column('profits'),
    pools: loaded.directory.pools.map((pool) => ({ loss: pool.loss, insuranceFund: pool.insuranceFund })),
    rounding: parameters.rounding,
  };
  if (loaded.pooled) {
    book.pool = new Uint32Array(n);
    table.copyPool(book.pool);
  }
  if (parameters.columns.exempt !== undefined) {
    const exempt = new Uint8Array(n);
    if (table.copyExempt(exempt)) book.exempt = exempt;
  }
  if (parameters.columns.weight !== undefined) book.weights = table.column('weights');
  if (parameters.columns.cap !== undefined) book.caps = table.column('caps');
  if (parameters.tieSeed !== undefined) book.tieSeed = parameters.tieSeed;
  return book;
}

/** One account's derivation, as `explain` prints it and as `explain --json` does. */
export interface AccountExplanation {
  text: string;
  json: { [key: string]: JsonValue };
}

/**
 * Explains row `row` of a loaded run (`book`: the run's auditBookOf, built once
 * for many explanations), named `account` as given.
 */
export function explainRow(loaded: Loaded, parameters: Parameters, book: AuditBook, row: number, account: string): AccountExplanation {
  const { table, directory } = loaded;
  const explanation = explainAccount(book, row);
  const pool = directory.pools[table.poolOf(row)]!;
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const names = {
    amount: (units: bigint) => formatUnits(units, pool.decimals),
    decimals: pool.decimals,
    weight: (units: bigint) => formatUnits(units, parameters.weightDecimals),
    account,
    accountOf: (index: number) => decoder.decode(table.idOf(index)),
    ...(loaded.pooled ? { pool: pool.name } : {}),
  };
  return { text: explanationText(explanation, names), json: explanationJson(explanation, names) };
}

/** Each account's capacity in a compare run: its capacity column's value, else max(profit, 0) (`profits`: the table's). */
export function capacitiesOfTable(loaded: Loaded, parameters: CompareParameters, profits: BigInt64Array): BigInt64Array {
  return parameters.columns.capacity !== undefined ? loaded.table.column('caps') : profits.map((p) => (p > 0n ? p : 0n));
}

/** The books the auditor checks each mechanism of a compare run on (`capacities`: capacitiesOfTable's). */
export function mechanismBooksOf(loaded: Loaded, parameters: CompareParameters, capacities: BigInt64Array) {
  const base = auditBookOf(loaded, { ...parameters, columns: { ...parameters.columns, weight: undefined, cap: undefined } });
  const capped = parameters.columns.capacity !== undefined;
  const proRata: AuditBook = capped ? { ...base, weights: base.profits.map((p) => (p > 0n ? p : 0n)), caps: capacities } : base;
  const weighted: AuditBook | null = parameters.columns.weight === undefined ? null
    : { ...base, weights: loaded.table.column('weights'), ...(capped ? { caps: capacities } : {}) };
  const queue: QueueBook = {
    profits: base.profits, capacities, pools: base.pools, exempt: base.exempt, pool: base.pool,
    scores: parameters.columns.score !== undefined ? loaded.table.column('scores') : parameters.rankBy === 'capacity' ? capacities : base.profits,
    lots: parameters.columns.lot !== undefined ? loaded.table.column('lots') : undefined,
    tieSeed: parameters.tieSeed,
  };
  return { proRata, weighted, queue };
}
