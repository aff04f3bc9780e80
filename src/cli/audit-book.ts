// The bridge from what the command read to the auditor's arithmetic
// (src/audit): the loaded columns as an AuditBook, and the run's parameters
// from the options or from a report. Shared by verify and explain.

import { readFileSync } from 'node:fs';
import type { AuditBook } from '../audit/index.js';
import { EnvironmentError } from './errors.js';
import type { Loaded } from './load.js';
import type { Parameters } from './parameters.js';
import { readReport, type ReadReport } from './report.js';

/** verify's and explain's parameters: from the options, or from a report. */
export type ParametersOrReport = { parameters: Parameters } | { report: string };

/** The parameters to use, and the report they came from (null when from the options). */
export function resolveParameters(given: ParametersOrReport): { parameters: Parameters; report: ReadReport | null } {
  if ('parameters' in given) return { parameters: given.parameters, report: null };
  let text: string;
  try {
    text = readFileSync(given.report, 'utf8');
  } catch (error) {
    throw new EnvironmentError('read the report', given.report, error);
  }
  const report = readReport(text, given.report);
  return { parameters: report.parameters, report };
}

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
