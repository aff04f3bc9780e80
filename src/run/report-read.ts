// A socialize report read back (verify, explain --report) by a strict check of
// its schema: every field report.ts writes, with its type and form, and no
// other. A report the command could not have written (a missing or unknown
// key, a wrong type, a pool twice, a tie seed --tie-seed refuses, an amount
// not in the writer's form) is a ReportError (exit 2) naming the file and the field.
// The result section is checked in shape here; verify compares its values
// with its own recomputation. test/verify-trust.test.ts checks this reader
// against the writer's output in every mode, so that the two cannot drift.

import { DecimalError, MAX_DECIMALS, parseUnits } from '../files/decimal.js';
import { EnvironmentError, quote, UsageError } from '../files/errors.js';
import { readTieSeed, ROUNDINGS, type Parameters } from './parameters.js';
import { FORMATS, type Format } from '../files/read.js';
import { RATE_DIGITS } from '../fraction.js';
import { PER_POOL_ONLY, tieBreakOf } from './report.js';
import { PLAIN_READING, type Pool, type ReadingOptions } from '../files/rows.js';
import { INPUT_ROUNDINGS } from '../amount.js';

/** The largest report read, in bytes: a report is a few kilobytes (its size does not grow with the accounts). */
export const MAX_REPORT_BYTES = 64 * 2 ** 20;

/** A JSON value as parsed. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object as parsed. */
export type JsonObject = { [key: string]: Json };

/** What verify and explain take from a report. */
export interface ReadReport {
  /** The parameters, as the report gives them (pools included). */
  parameters: Parameters;
  /** The SHA-256 of the accounts file the report read. */
  accountsSha256: string;
  /** The SHA-256 of the haircuts file the report wrote. */
  outputSha256: string;
  /** The result section, checked in shape (every key, type and form); its values are for verify to compare. */
  result: JsonObject;
  /** The inputs section, checked in shape: each input's sizes and rows are for verify to compare. */
  inputs: JsonObject;
  /** The output section, checked in shape: its size and rows are for verify to compare. */
  output: JsonObject;
}

/** Keys of the run information: a command's report has all of them, a page's none. */
const RUN_KEYS = ['node', 'commandLine', 'writtenAt', 'timingsMs', 'maxResidentBytes'] as const;

/** The amounts of a pool's result and of the overall one, after decimals (and accounts, per pool). */
const AMOUNTS = ['loss', 'insuranceFund', 'insuranceUsed', 'socialized', 'uncovered', 'roundingDust', 'surplus'] as const;

/**
 * A report the command could not have written: exit status 2, printed on one
 * line as `FILE is not a socialize report: FIELD what is wrong`.
 */
export class ReportError extends EnvironmentError {
  override name = 'ReportError';
  /** @param file the report's name; `problem` names the field first; `command` the command whose report was expected. */
  constructor(file: string, problem: string, command = 'socialize') {
    super('read the report', file, problem);
    this.message = `${file} is not a ${command} report: ${problem}`;
  }
}

/** A strict reader of one report's fields: each check names the field when it fails. */
export class Checker {
  constructor(readonly name: string, readonly command = 'socialize') {}

  fail(field: string, what: string): never {
    throw new ReportError(this.name, `${field} ${what}`, this.command);
  }

  /** A plain object with every key of `required`, any of `optional`, and no other. */
  object(value: Json | undefined, field: string, required: readonly string[], optional: readonly string[] = []): JsonObject {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field, `is ${kindOf(value)}; expected an object`);
    for (const key of required) if (!Object.hasOwn(value, key)) this.fail(field, `lacks ${quote(key)}`);
    for (const key of Object.keys(value)) {
      if (!required.includes(key) && !optional.includes(key)) this.fail(`${field}.${key}`, `is not a field of a ${this.command} report (${field} has ${[...required, ...optional].join(', ')})`);
    }
    return value;
  }

  array(value: Json | undefined, field: string): Json[] {
    return Array.isArray(value) ? value : this.fail(field, `is ${kindOf(value)}; expected an array`);
  }

  string(value: Json | undefined, field: string): string {
    return typeof value === 'string' && value !== '' ? value : this.fail(field, `is ${kindOf(value)}; expected a non-empty string`);
  }

  /** A string matching `form` (described as `what`). */
  form(value: Json | undefined, field: string, form: RegExp, what: string): string {
    const text = this.string(value, field);
    return form.test(text) ? text : this.fail(field, `${quote(text)} is not ${what}`);
  }

  boolean(value: Json | undefined, field: string): boolean {
    return typeof value === 'boolean' ? value : this.fail(field, `is ${kindOf(value)}; expected true or false`);
  }

  /** A whole number from 0 to `max`. */
  whole(value: Json | undefined, field: string, max = Number.MAX_SAFE_INTEGER): number {
    return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= max ? (value as number) : this.fail(field, `is ${kindOf(value)}; expected a whole number from 0 to ${max}`);
  }

  decimals(value: Json | undefined, field: string): number {
    return this.whole(value, field, MAX_DECIMALS);
  }

  choice<T extends string>(value: Json | undefined, field: string, allowed: readonly T[]): T {
    const text = this.string(value, field);
    return (allowed as readonly string[]).includes(text) ? (text as T) : this.fail(field, `${quote(text)} is not ${allowed.join(', ')}`);
  }

  /**
   * A non-negative amount as the writer writes it: digits, and exactly `decimals`
   * fraction digits; `wide`: a sum that may exceed 64 bits.
   */
  amount(value: Json | undefined, field: string, decimals: number, wide = false): bigint {
    const form = decimals === 0 ? /^(0|[1-9]\d*)$/ : new RegExp(`^(0|[1-9]\\d*)\\.\\d{${decimals}}$`);
    const text = this.form(value, field, form, `a non-negative amount with exactly ${decimals} fraction digits`);
    if (wide) return BigInt(text.replace('.', ''));
    try {
      return parseUnits(text, decimals);
    } catch (error) {
      if (error instanceof DecimalError) this.fail(field, error.message);
      throw error;
    }
  }

  sha256(value: Json | undefined, field: string): string {
    return this.form(value, field, /^[0-9a-f]{64}$/, 'a SHA-256 (64 lower-case hex digits)');
  }

  /** A rate: an exact reduced fraction and its display decimal. */
  rate(value: Json | undefined, field: string): void {
    const rate = this.object(value, field, ['fraction', 'decimal']);
    this.form(rate.fraction, `${field}.fraction`, /^(0|[1-9]\d*)\/[1-9]\d*$/, 'a fraction n/d');
    this.amount(rate.decimal, `${field}.decimal`, RATE_DIGITS, true);
  }

  /** A summary of an input or of the output. */
  summary(value: Json | undefined, field: string, format: boolean, rounded = false): JsonObject {
    const entry = this.object(value, field, [...(format ? ['file', 'format', 'bytes', 'sha256', 'rows'] : ['file', 'sha256', 'bytes', 'rows']), ...(rounded ? ['rounded'] : [])],
      format ? ['compression', 'encoding'] : []);
    if (entry.compression !== undefined) this.choice(entry.compression, `${field}.compression`, ['gzip']);
    if (entry.encoding !== undefined) this.choice(entry.encoding, `${field}.encoding`, ['utf-16le', 'utf-16be']);
    if (rounded) {
      for (const [role, tally] of Object.entries(this.object(entry.rounded, `${field}.rounded`, []  , ['profit', 'units', 'weight', 'cap', 'capacity', 'score', 'lot']))) {
        const t = this.object(tally, `${field}.rounded.${role}`, ['values', 'adjustment']);
        this.whole(t.values, `${field}.rounded.${role}.values`);
        this.form(t.adjustment, `${field}.rounded.${role}.adjustment`, /^\d+(\.\d+)?$/, 'an exact decimal');
      }
    }
    this.string(entry.file, `${field}.file`);
    if (format) this.choice(entry.format, `${field}.format`, FORMATS);
    this.whole(entry.bytes, `${field}.bytes`);
    this.sha256(entry.sha256, `${field}.sha256`);
    this.whole(entry.rows, `${field}.rows`);
    return entry;
  }
}

/** What a JSON value is, for messages. */
export function kindOf(value: Json | undefined): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${quote(value)}`;
  return `${typeof value === 'number' ? 'the number' : ''} ${String(value)}`.trim();
}

/**
 * Reads a socialize report's text (from `file`, for messages): every field
 * checked as the writer writes it. A ReportError naming the file and the field
 * for anything the command could not have written.
 */
export function readReport(text: string, file: string): ReadReport {
  const check = new Checker(file);
  const top = reportHead(check, text);
  const p = parametersOf(check, top.parameters);
  const pooled = p.columns.pool !== undefined;
  const inputs = check.object(top.inputs, 'inputs', pooled ? ['accounts', 'pools'] : ['accounts']);
  const accounts = check.summary(inputs.accounts, 'inputs.accounts', true, p.reading.inputRounding !== 'exact');
  if (pooled) check.summary(inputs.pools, 'inputs.pools', true);
  const output = check.summary(top.output, 'output', false);
  const result = resultOf(check, top.result, p);
  canonical(check, text);
  return {
    parameters: { ...p, format: accounts.format as Format },
    accountsSha256: accounts.sha256 as string,
    outputSha256: output.sha256 as string,
    result,
    inputs,
    output,
  };
}

/**
 * What every report the command reads back starts with, checked: JSON, the top-level keys,
 * the tool, the command (`check.command`'s), the version, the core and the run information.
 * Returns the top-level object.
 */
export function reportHead(check: Checker, text: string): JsonObject {
  let body: Json = null;
  try {
    body = JSON.parse(text) as Json;
  } catch (error) {
    check.fail('the text', `is not JSON (${(error as Error).message})`);
  }
  const top = check.object(body, 'the report', ['tool', 'version', 'command', 'core', 'inputs', 'parameters', 'result', 'output'], RUN_KEYS);
  if (top.tool !== 'socialized-loss') check.fail('tool', `is ${kindOf(top.tool)}; expected "socialized-loss"`);
  if (top.command === 'index-delta') check.fail('command', 'is "index-delta"; verify and explain take a report of socialize or compare');
  if (top.command !== check.command) check.fail('command', `is ${kindOf(top.command)}; expected "${check.command}"`);
  check.string(top.version, 'version');
  const core = check.object(top.core, 'core', ['build', 'sha256']);
  check.string(core.build, 'core.build');
  check.sha256(core.sha256, 'core.sha256');
  runInfo(check, top);
  return top;
}

/**
 * A key given twice in one object is refused, naming its line: JSON.parse keeps the
 * last, while a person reading the file may see the first. Any layout is accepted
 * (a report pretty-printed again, or with other line endings, is the same report).
 * `text` has already parsed as JSON, so the scan only tracks strings and nesting.
 */
export function canonical(check: Checker, text: string): void {
  const open: (Set<string> | undefined)[] = [];
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) line++;
    else if (c === 0x7b) open.push(new Set());
    else if (c === 0x5b) open.push(undefined);
    else if (c === 0x7d || c === 0x5d) open.pop();
    else if (c === 0x22) {
      let end = i + 1;
      while (text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c ? 2 : 1;
      const keys = open[open.length - 1];
      let next = end + 1;
      while (next < text.length && /\s/.test(text[next]!)) next++;
      if (keys !== undefined && text[next] === ':') {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) check.fail(`line ${line}`, `gives the key ${quote(key)} twice in one object (JSON readers disagree on which counts)`);
        keys.add(key);
      }
      i = end;
    }
  }
}

/** The run information: all of it (a command's report) or none (a page's). */
function runInfo(check: Checker, top: JsonObject): void {
  const given = RUN_KEYS.filter((key) => Object.hasOwn(top, key));
  if (given.length === 0) return;
  if (given.length < RUN_KEYS.length) check.fail('the report', `has ${given.join(', ')} but lacks ${RUN_KEYS.filter((key) => !given.includes(key)).join(', ')}`);
  check.form(top.node, 'node', /^v\d+\.\d+\.\d+/, 'a Node version (v20.19.0)');
  const commandLine = check.array(top.commandLine, 'commandLine');
  commandLine.forEach((word, i) => {
    if (typeof word !== 'string') check.fail(`commandLine[${i}]`, `is ${kindOf(word)}; expected a string`);
  });
  if (commandLine[0] !== 'socialized-loss') check.fail('commandLine[0]', `is ${kindOf(commandLine[0])}; expected "socialized-loss"`);
  check.form(top.writtenAt, 'writtenAt', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'a UTC time (2026-01-31T12:00:00.000Z)');
  if (Number.isNaN(Date.parse(top.writtenAt as string))) check.fail('writtenAt', 'is not a valid time');
  const timings = check.object(top.timingsMs, 'timingsMs', ['read', 'compute', 'write', 'total']);
  for (const [key, value] of Object.entries(timings)) {
    if (typeof value !== 'number') check.fail(`timingsMs.${key}`, `is ${kindOf(value)}; expected milliseconds`);
  }
  check.whole(top.maxResidentBytes, 'maxResidentBytes');
}

/** The parameters section as Parameters (the format is the accounts input's, set by the caller). */
function parametersOf(check: Checker, value: Json | undefined): Omit<Parameters, 'format'> {
  const head = check.object(value, 'parameters', ['columns', 'decimals', 'weightDecimals', 'rounding', 'tieSeed', 'tieBreak'], ['pools', 'loss', 'insuranceFund', 'reading']);
  const given = check.object(head.columns, 'parameters.columns', ['account', 'profit', 'pool', 'exempt', 'weight', 'cap']);
  const column = (name: string, optional: boolean): string | undefined => (optional && given[name] === null ? undefined : check.string(given[name], `parameters.columns.${name}`));
  const columns = {
    account: column('account', false)!, profit: column('profit', false)!,
    pool: column('pool', true), exempt: column('exempt', true), weight: column('weight', true), cap: column('cap', true),
  };
  if (columns.cap !== undefined && columns.weight === undefined) check.fail('parameters.columns.cap', 'is set without a weight column (--cap-column needs --weight-column)');
  const pooled = columns.pool !== undefined;
  // A report written before reading options existed has no reading section: the file was read as today's defaults read it.
  check.object(head, 'parameters', ['columns', 'decimals', 'weightDecimals', 'rounding', 'tieSeed', 'tieBreak', ...(pooled ? ['pools'] : ['loss', 'insuranceFund'])], ['reading']);
  const reading = readingOf(check, head.reading);
  const decimals = check.decimals(head.decimals, 'parameters.decimals');
  const weightDecimals = check.decimals(head.weightDecimals, 'parameters.weightDecimals');
  if (weightDecimals !== 0 && columns.weight === undefined) check.fail('parameters.weightDecimals', `is ${weightDecimals} without a weight column (--weight-decimals needs --weight-column)`);
  const rounding = check.choice(head.rounding, 'parameters.rounding', ROUNDINGS);
  let tieSeed: bigint | undefined;
  if (head.tieSeed !== null) {
    const text = check.string(head.tieSeed, 'parameters.tieSeed');
    try {
      tieSeed = readTieSeed(text);
    } catch (error) {
      if (error instanceof UsageError) check.fail('parameters.tieSeed', `${quote(text)} is not what --tie-seed accepts (a decimal integer from -2^63 to 2^64 − 1)`);
      throw error;
    }
    if (tieSeed!.toString() !== text) check.fail('parameters.tieSeed', `${quote(text)} is not written as the command writes it (${tieSeed})`);
    if (rounding !== 'largest-remainder') check.fail('parameters.tieSeed', `is set under rounding ${rounding} (--tie-seed needs --rounding largest-remainder)`);
  }
  const tieBreak = tieBreakOf(rounding, tieSeed);
  if (head.tieBreak !== tieBreak) check.fail('parameters.tieBreak', `is ${kindOf(head.tieBreak)}; expected ${tieBreak === null ? 'null' : quote(tieBreak)} for rounding ${rounding}${tieSeed === undefined ? '' : ' with a tie seed'}`);
  return {
    decimals, columns, weightDecimals, rounding, tieSeed, reading,
    loss: pooled ? 0n : check.amount(head.loss, 'parameters.loss', decimals),
    insuranceFund: pooled ? 0n : check.amount(head.insuranceFund, 'parameters.insuranceFund', decimals),
    poolsFile: undefined,
    pools: pooled ? poolsOf(check, head.pools, decimals) : undefined,
  };
}

/** parameters.reading as reading options: the delimiter the run used, given explicitly, so that the file is read the same way. */
export function readingOf(check: Checker, value: Json | undefined): ReadingOptions {
  if (value === undefined) return { ...PLAIN_READING };
  const reading = check.object(value, 'parameters.reading', ['delimiter', 'decimalComma', 'inputRounding']);
  const delimiter = reading.delimiter === null ? null : check.choice(reading.delimiter, 'parameters.reading.delimiter', [',', ';', 'tab', '|']);
  const decimalComma = check.boolean(reading.decimalComma, 'parameters.reading.decimalComma');
  if (decimalComma && delimiter === ',') check.fail('parameters.reading.decimalComma', 'is true with the delimiter ","; --decimal-comma never splits on a comma');
  return { delimiter: delimiter === 'tab' ? '\t' : delimiter, decimalComma, inputRounding: check.choice(reading.inputRounding, 'parameters.reading.inputRounding', INPUT_ROUNDINGS) };
}

/** parameters.pools: each pool once, the listed (from the pools file) before the others (loss 0 at --decimals). */
export function poolsOf(check: Checker, value: Json | undefined, decimals: number): Pool[] {
  const entries = check.array(value, 'parameters.pools');
  if (entries.length === 0) check.fail('parameters.pools', 'is empty; a pooled run has at least one pool');
  const seen = new Map<string, number>();
  let unlisted = false;
  return entries.map((entry, i) => {
    const field = `parameters.pools[${i}]`;
    const pool = check.object(entry, field, ['pool', 'loss', 'insuranceFund', 'decimals', 'listed']);
    const name = check.string(pool.pool, `${field}.pool`);
    if (seen.has(name)) check.fail(`${field}.pool`, `${quote(name)} is listed twice (also parameters.pools[${seen.get(name)}]); the pools file lists each pool once`);
    seen.set(name, i);
    const own = check.decimals(pool.decimals, `${field}.decimals`);
    const listed = check.boolean(pool.listed, `${field}.listed`);
    const loss = check.amount(pool.loss, `${field}.loss`, own);
    const insuranceFund = check.amount(pool.insuranceFund, `${field}.insuranceFund`, own);
    if (listed && unlisted) check.fail(`${field}.listed`, 'is true after a pool not in the pools file; the listed pools come first');
    unlisted ||= !listed;
    if (!listed && (loss !== 0n || insuranceFund !== 0n || own !== decimals)) {
      check.fail(field, `is not in the pools file, so its loss and fund are 0 at --decimals ${decimals}`);
    }
    // Listed pools keep a line (any positive one) so that they read as listed; no file is re-read.
    return { name, loss, insuranceFund, decimals: own, line: listed ? i + 1 : 0 };
  });
}

/** The result section, in shape: per pool (and overall) when pooled, else the one pool's. */
function resultOf(check: Checker, value: Json | undefined, p: Omit<Parameters, 'format'>): JsonObject {
  const weighted = p.columns.weight !== undefined;
  const total = weighted ? 'totalCaps' : 'totalProfit';
  const extra = weighted ? ['totalWeight', 'cappedAccounts'] : [];
  const amounts = (entry: JsonObject, field: string, decimals: number, wide: boolean) => {
    for (const key of AMOUNTS) check.amount(entry[key], `${field}.${key}`, decimals, wide);
    check.amount(entry[total], `${field}.${total}`, decimals, true);
    if (weighted) {
      check.amount(entry.totalWeight, `${field}.totalWeight`, p.weightDecimals, true);
      check.whole(entry.cappedAccounts, `${field}.cappedAccounts`);
    }
    check.rate(entry.haircutRate, `${field}.haircutRate`);
  };
  const pool = (entry: Json | undefined, field: string, pooled: boolean): JsonObject => {
    const keys = [...(pooled ? ['pool', 'listed'] : []), 'decimals', 'accounts', ...AMOUNTS, total, ...extra, 'eligibleAccounts', 'accountsCharged', 'haircutRate'];
    const result = check.object(entry, field, keys);
    if (pooled) {
      check.string(result.pool, `${field}.pool`);
      check.boolean(result.listed, `${field}.listed`);
    }
    amounts(result, field, check.decimals(result.decimals, `${field}.decimals`), false);
    for (const key of ['accounts', 'eligibleAccounts', 'accountsCharged']) check.whole(result[key], `${field}.${key}`);
    return result;
  };
  if (p.columns.pool === undefined) return pool(value, 'result', false);
  const result = check.object(value, 'result', ['pools', 'overall']);
  const seen = new Map<string, number>();
  check.array(result.pools, 'result.pools').forEach((entry, i) => {
    const name = pool(entry, `result.pools[${i}]`, true).pool as string;
    if (seen.has(name)) check.fail(`result.pools[${i}].pool`, `${quote(name)} is listed twice (also result.pools[${seen.get(name)}])`);
    seen.set(name, i);
  });
  const counts = ['pools', 'accounts', 'eligibleAccounts', 'accountsCharged'];
  const head = check.object(result.overall, 'result.overall', counts, ['amounts', 'decimals', ...AMOUNTS, total, ...extra, 'haircutRate']);
  for (const key of counts) check.whole(head[key], `result.overall.${key}`);
  if (Object.hasOwn(head, 'amounts')) {
    check.object(head, 'result.overall', [...counts, 'amounts']);
    if (head.amounts !== PER_POOL_ONLY) check.fail('result.overall.amounts', `is ${kindOf(head.amounts)}; expected ${quote(PER_POOL_ONLY)}`);
  } else {
    check.object(head, 'result.overall', [...counts, 'decimals', ...AMOUNTS, total, ...extra, 'haircutRate']);
    amounts(head, 'result.overall', check.decimals(head.decimals, 'result.overall.decimals'), true);
  }
  return result;
}
