// A compare report read back (verify, explain --report): the parameters are
// read as the command line would take them (every rule of `compare`'s options
// applies), then the parameters section compare would write for them is built
// again and must be the report's, field for field. A report compare could not
// have written is a ReportError (exit 2) naming the file and the field. The
// result section is for verify to compare with its own recomputation.

import { UsageError } from '../files/errors.js';
import type { Format } from '../files/read.js';
import { compareParametersSection } from './compare-report.js';
import { readCompareParameters, type CompareParameters } from './parameters.js';
import { canonical, Checker, kindOf, poolsOf, readingOf, reportHead, type Json, type JsonObject } from './report-read.js';

/** What verify and explain take from a compare report. */
export interface ReadCompareReport {
  parameters: CompareParameters;
  accountsSha256: string;
  outputSha256: string;
  /** The result section as written: verify compares every value with its recomputation. */
  result: Json;
  inputs: JsonObject;
  output: JsonObject;
}

/** Whether a report's text says it was written by compare (then read it with readCompareReport). */
export function isCompareReport(text: string): boolean {
  try {
    const body = JSON.parse(text) as Json;
    return typeof body === 'object' && body !== null && !Array.isArray(body) && body.command === 'compare';
  } catch {
    return false;
  }
}

/** The first leaf where two JSON values differ, as a path, or null when they are equal. */
function firstDifference(expected: Json | undefined, found: Json | undefined, field: string): string | null {
  if (typeof expected === 'object' && expected !== null && typeof found === 'object' && found !== null && Array.isArray(expected) === Array.isArray(found)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(found)]);
    for (const key of keys) {
      const at = Array.isArray(expected) ? `${field}[${key}]` : `${field}.${key}`;
      const difference = firstDifference((expected as JsonObject)[key], (found as JsonObject)[key], at);
      if (difference !== null) return difference;
    }
    return null;
  }
  return expected === found ? null : `${field} is ${kindOf(found)}; compare writes ${expected === undefined ? 'no such field' : JSON.stringify(expected)} for these parameters`;
}

/** Reads a compare report's text (from `file`, for messages). */
export function readCompareReport(text: string, file: string): ReadCompareReport {
  const check = new Checker(file, 'compare');
  const top = reportHead(check, text);

  const head = check.object(top.parameters, 'parameters', [], Object.keys(top.parameters ?? {}));
  const columns = check.object(head.columns, 'parameters.columns', ['account', 'profit', 'pool', 'exempt', 'weight', 'capacity', 'score', 'lot']);
  const mechanisms = check.array(head.mechanisms, 'parameters.mechanisms').map((m, i) => check.string(m, `parameters.mechanisms[${i}]`));
  // The options the command line would have been given for these parameters.
  const values = new Map<string, string>();
  const option = (name: string, value: Json | undefined, field: string) => {
    if (value !== null && value !== undefined) values.set(name, typeof value === 'string' ? value : String(check.whole(value, field)));
  };
  for (const [key, name] of [['account', 'account-column'], ['profit', 'profit-column'], ['pool', 'pool-column'], ['exempt', 'exempt-column'], ['weight', 'weight-column'],
    ['capacity', 'capacity-column'], ['score', 'score-column'], ['lot', 'lot-column']] as const) {
    if (columns[key] !== null) values.set(name, check.string(columns[key], `parameters.columns.${key}`));
  }
  option('decimals', head.decimals, 'parameters.decimals');
  if (columns.weight !== null) option('weight-decimals', head.weightDecimals, 'parameters.weightDecimals');
  if (columns.score !== null) option('score-decimals', head.scoreDecimals, 'parameters.scoreDecimals');
  option('rounding', head.rounding, 'parameters.rounding');
  option('tie-seed', head.tieSeed, 'parameters.tieSeed');
  values.set('mechanisms', mechanisms.join(','));
  if (columns.score === null && typeof head.rankBy === 'string') values.set('rank-by', head.rankBy);
  if (head.reading !== undefined) {
    const reading = readingOf(check, head.reading);
    if (reading.delimiter !== null) values.set('delimiter', reading.delimiter);
    if (reading.decimalComma) values.set('decimal-comma', '');
    values.set('input-rounding', reading.inputRounding);
  }
  const pooled = columns.pool !== null;
  if (pooled) values.set('pools', '(the report\'s pools)');
  else {
    option('loss', head.loss, 'parameters.loss');
    option('insurance-fund', head.insuranceFund, 'parameters.insuranceFund');
  }
  let parameters: CompareParameters;
  try {
    parameters = readCompareParameters(values);
  } catch (error) {
    if (error instanceof UsageError) check.fail('parameters', `are not what compare accepts: ${error.message}`);
    throw error;
  }
  const pools = pooled
    ? poolsOf(check, head.pools, parameters.decimals)
    : [{ name: '', loss: parameters.loss, insuranceFund: parameters.insuranceFund, decimals: parameters.decimals, line: 0 }];
  const inputs = check.object(top.inputs, 'inputs', pooled ? ['accounts', 'pools'] : ['accounts']);
  const accounts = check.summary(inputs.accounts, 'inputs.accounts', true, parameters.reading.inputRounding !== 'exact');
  if (pooled) check.summary(inputs.pools, 'inputs.pools', true);
  parameters = { ...parameters, format: accounts.format as Format, poolsFile: undefined, pools: pooled ? pools : undefined };
  const written = JSON.parse(JSON.stringify(compareParametersSection(parameters, pools, pooled))) as Json;
  const difference = firstDifference(written, head, 'parameters');
  if (difference !== null) check.fail(difference.slice(0, difference.indexOf(' ')), difference.slice(difference.indexOf(' ') + 1));
  const output = check.summary(top.output, 'output', false);
  canonical(check, text);
  if (typeof top.result !== 'object' || top.result === null) check.fail('result', `is ${kindOf(top.result)}; expected an object`);
  return { parameters, accountsSha256: accounts.sha256 as string, outputSha256: output.sha256 as string, result: top.result, inputs, output };
}
