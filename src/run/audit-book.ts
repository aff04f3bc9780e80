// The bridge from what was read to the auditor's arithmetic (src/audit): the
// loaded columns as an AuditBook, and one account's explanation as text and
// JSON. Shared by verify, explain and the workbench page.

import { explainAccount, explanationJson, explanationText, type AuditBook, type JsonValue } from '../audit/index.js';
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
