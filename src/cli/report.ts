// The audit report of a run (JSON), built from what was read, asked and
// computed; and read back, for verify and explain --report. Building it needs
// nothing of Node: what only the command knows (the time, the command line,
// timings, memory) is passed in, and left out where a run has none.

import type { SocializeSummary } from '../types.js';
import { DecimalError, formatUnits, parseUnits } from './decimal.js';
import { UsageError, quote } from './errors.js';
import type { Parameters } from './parameters.js';
import { ROUNDINGS } from './parameters.js';
import type { Format, InputSummary } from './read.js';
import type { Pool } from './rows.js';

/** Fraction digits of a rate's display decimal. */
const RATE_DIGITS = 12;

/** A rate as an exact reduced fraction and a display decimal (truncated, by integer division). */
export interface Rate {
  fraction: string;
  decimal: string;
}

/** `numerator / denominator` (0 when the denominator is 0) as a Rate. */
export function rateOf(numerator: bigint, denominator: bigint): Rate {
  if (denominator === 0n) return { fraction: '0/1', decimal: formatUnits(0n, RATE_DIGITS) };
  const d = gcd(numerator, denominator);
  return {
    fraction: `${numerator / d}/${denominator / d}`,
    decimal: formatUnits((numerator * 10n ** BigInt(RATE_DIGITS)) / denominator, RATE_DIGITS),
  };
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a === 0n ? 1n : a;
}

/** What the core was: its build and the SHA-256 of its WebAssembly bytes. */
export interface CoreInfo {
  build: string;
  sha256: string;
}

/** What only a command run knows; a page's report leaves it out. */
export interface RunInfo {
  node: string;
  commandLine: string[];
  writtenAt: string;
  timingsMs: Record<string, number>;
  maxResidentBytes: number;
}

/** One pool's result, as it goes into the report. */
export interface PoolOutcome {
  pool: Pool;
  summary: SocializeSummary;
  /** Accounts of the pool in the book. */
  accounts: number;
  /** Accounts paying a non-zero haircut. */
  charged: number;
}

/** The output written: its name, hash, size and rows. */
export interface OutputSummary {
  file: string;
  sha256: string;
  bytes: number;
  rows: number;
}

/** Everything a socialize report holds. */
export interface SocializeReportInput {
  version: string;
  core: CoreInfo;
  accounts: InputSummary;
  poolsInput: InputSummary | null;
  parameters: Parameters;
  pooled: boolean;
  outcomes: PoolOutcome[];
  output: OutputSummary;
  run?: RunInfo | undefined;
}

/** The report's JSON text (two-space indented, a final newline). */
export function socializeReport(input: SocializeReportInput): string {
  const { parameters: p, outcomes, pooled } = input;
  const weighted = p.columns.weight !== undefined;
  const result = (o: PoolOutcome) => {
    const s = o.summary;
    const amount = (units: bigint) => formatUnits(units, o.pool.decimals);
    return {
      ...(pooled ? { pool: o.pool.name, listed: o.pool.line > 0 } : {}),
      decimals: o.pool.decimals,
      accounts: o.accounts,
      loss: amount(o.pool.loss),
      insuranceFund: amount(o.pool.insuranceFund),
      insuranceUsed: amount(s.insuranceUsed),
      socialized: amount(s.socialized),
      uncovered: amount(s.uncovered),
      roundingDust: amount(s.roundingDust),
      surplus: amount(s.surplus),
      [weighted ? 'totalCaps' : 'totalProfit']: amount(s.totalProfit),
      ...(weighted ? { totalWeight: formatUnits(s.totalWeight ?? 0n, p.weightDecimals), cappedAccounts: s.cappedAccounts ?? 0 } : {}),
      eligibleAccounts: s.profitableAccounts,
      accountsCharged: o.charged,
      haircutRate: rateOf(s.socialized, s.totalProfit),
    };
  };
  const sum = (pick: (s: SocializeSummary) => bigint) => outcomes.reduce((total, o) => total + pick(o.summary), 0n);
  const oneScale = outcomes.every((o) => o.pool.decimals === outcomes[0]?.pool.decimals);
  const overall = {
    pools: outcomes.length,
    accounts: outcomes.reduce((n, o) => n + o.accounts, 0),
    eligibleAccounts: outcomes.reduce((n, o) => n + o.summary.profitableAccounts, 0),
    accountsCharged: outcomes.reduce((n, o) => n + o.charged, 0),
    ...(oneScale && outcomes.length > 0 ? amountsOverall(outcomes, sum, weighted, p.weightDecimals) : { amounts: 'per pool only: the pools have different decimals' }),
  };
  return reportText('socialize', input, { accounts: input.accounts, ...(input.poolsInput ? { pools: input.poolsInput } : {}) }, {
    parameters: parametersOf(p, outcomes.map((o) => o.pool), pooled),
    result: pooled ? { pools: outcomes.map(result), overall } : result(outcomes[0]!),
  });
}

/** The parts every report shares, in order: what wrote it, the run, the inputs; then the command's own; then the output, timings and memory. */
function reportText(
  command: string, input: { version: string; core: CoreInfo; run?: RunInfo | undefined; output: OutputSummary },
  inputs: Record<string, InputSummary>, own: { parameters: unknown; result: unknown },
): string {
  const { run } = input;
  const body = {
    tool: 'socialized-loss',
    version: input.version,
    command,
    core: input.core,
    ...(run ? { node: run.node, commandLine: run.commandLine, writtenAt: run.writtenAt } : {}),
    inputs: Object.fromEntries(Object.entries(inputs).map(([name, s]) => [name, inputOf(s)])),
    parameters: own.parameters,
    result: own.result,
    output: input.output,
    ...(run ? { timingsMs: run.timingsMs, maxResidentBytes: run.maxResidentBytes } : {}),
  };
  return JSON.stringify(body, null, 2) + '\n';
}

function amountsOverall(outcomes: PoolOutcome[], sum: (pick: (s: SocializeSummary) => bigint) => bigint, weighted: boolean, weightDecimals: number) {
  const decimals = outcomes[0]!.pool.decimals;
  const amount = (units: bigint) => formatUnits(units, decimals);
  const socialized = sum((s) => s.socialized);
  const total = sum((s) => s.totalProfit);
  return {
    decimals,
    loss: amount(outcomes.reduce((t, o) => t + o.pool.loss, 0n)),
    insuranceFund: amount(outcomes.reduce((t, o) => t + o.pool.insuranceFund, 0n)),
    insuranceUsed: amount(sum((s) => s.insuranceUsed)),
    socialized: amount(socialized),
    uncovered: amount(sum((s) => s.uncovered)),
    roundingDust: amount(sum((s) => s.roundingDust)),
    surplus: amount(sum((s) => s.surplus)),
    [weighted ? 'totalCaps' : 'totalProfit']: amount(total),
    ...(weighted ? { totalWeight: formatUnits(sum((s) => s.totalWeight ?? 0n), weightDecimals), cappedAccounts: outcomes.reduce((n, o) => n + (o.summary.cappedAccounts ?? 0), 0) } : {}),
    haircutRate: rateOf(socialized, total),
  };
}

function inputOf(s: InputSummary) {
  return { file: s.file, format: s.format, bytes: s.bytes, sha256: s.sha256, rows: s.rows };
}

/** The parameters section: every parameter, as given or defaulted. */
function parametersOf(p: Parameters, pools: Pool[], pooled: boolean) {
  return {
    columns: {
      account: p.columns.account,
      profit: p.columns.profit,
      pool: p.columns.pool ?? null,
      exempt: p.columns.exempt ?? null,
      weight: p.columns.weight ?? null,
      cap: p.columns.cap ?? null,
    },
    decimals: p.decimals,
    weightDecimals: p.weightDecimals,
    rounding: p.rounding,
    tieSeed: p.tieSeed === undefined ? null : p.tieSeed.toString(),
    tieBreak: p.rounding !== 'largest-remainder' ? null : p.tieSeed === undefined ? 'lower index first' : 'ascending splitmix64(tieSeed XOR index), then lower index',
    ...(pooled
      ? {
          pools: pools.map((pool) => ({
            pool: pool.name, loss: formatUnits(pool.loss, pool.decimals), insuranceFund: formatUnits(pool.insuranceFund, pool.decimals),
            decimals: pool.decimals, listed: pool.line > 0,
          })),
        }
      : { loss: formatUnits(pools[0]!.loss, pools[0]!.decimals), insuranceFund: formatUnits(pools[0]!.insuranceFund, pools[0]!.decimals) }),
  };
}

/** What verify and explain take from a report: the parameters, and the hashes to check. */
export interface ReadReport {
  parameters: Parameters;
  accountsSha256: string;
  outputSha256: string;
}

/**
 * Reads a socialize report's text (from `file`, for messages) back into
 * parameters: a UsageError naming the file and the field when it is not one.
 */
export function readReport(text: string, file: string): ReadReport {
  const fail = (what: string): never => {
    throw new UsageError(`${file} is not a socialize report: ${what}`);
  };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    fail(`not JSON (${(error as Error).message})`);
  }
  const object = (value: unknown, name: string): Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : fail(`${name} is not an object`);
  const root = object(body, 'the report');
  if (root.tool !== 'socialized-loss' || root.command !== 'socialize') fail('it lacks "tool": "socialized-loss" and "command": "socialize"');
  const parameters = object(root.parameters, 'parameters');
  const columns = object(parameters.columns, 'parameters.columns');
  const string = (value: unknown, name: string): string => (typeof value === 'string' && value !== '' ? value : fail(`${name} is not a non-empty string`));
  const optional = (value: unknown, name: string): string | undefined => (value === null || value === undefined ? undefined : string(value, name));
  const whole = (value: unknown, name: string): number => (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 18 ? (value as number) : fail(`${name} is not a whole number from 0 to 18`));
  const units = (value: unknown, decimals: number, name: string): bigint => {
    try {
      const parsed = parseUnits(string(value, name), decimals);
      return parsed < 0n ? fail(`${name} is negative`) : parsed;
    } catch (error) {
      if (error instanceof DecimalError) fail(`${name} ${error.message}`);
      throw error;
    }
  };
  const decimals = whole(parameters.decimals, 'parameters.decimals');
  const rounding = string(parameters.rounding, 'parameters.rounding');
  if (!(ROUNDINGS as readonly string[]).includes(rounding)) fail(`parameters.rounding ${quote(rounding)} is not a rounding policy`);
  const seed = optional(parameters.tieSeed, 'parameters.tieSeed');
  if (seed !== undefined && !/^-?\d{1,20}$/.test(seed)) fail('parameters.tieSeed is not a decimal integer');
  const poolColumn = optional(columns.pool, 'parameters.columns.pool');
  let pools: Pool[] | undefined;
  if (poolColumn !== undefined) {
    if (!Array.isArray(parameters.pools)) fail('parameters.pools is not an array');
    pools = (parameters.pools as unknown[]).map((entry, i) => {
      const pool = object(entry, `parameters.pools[${i}]`);
      const own = whole(pool.decimals, `parameters.pools[${i}].decimals`);
      return {
        name: string(pool.pool, `parameters.pools[${i}].pool`),
        loss: units(pool.loss, own, `parameters.pools[${i}].loss`),
        insuranceFund: units(pool.insuranceFund, own, `parameters.pools[${i}].insuranceFund`),
        decimals: own,
        // Listed pools keep a line (any positive one) so that they read as listed; no file is re-read.
        line: pool.listed === true ? i + 1 : 0,
      };
    });
  }
  const inputs = object(root.inputs, 'inputs');
  const accounts = object(inputs.accounts, 'inputs.accounts');
  const output = object(root.output, 'output');
  const format = string(accounts.format, 'inputs.accounts.format');
  if (format !== 'csv' && format !== 'jsonl' && format !== 'parquet') fail('inputs.accounts.format is not csv, jsonl or parquet');
  return {
    parameters: {
      decimals,
      columns: {
        account: string(columns.account, 'parameters.columns.account'),
        profit: string(columns.profit, 'parameters.columns.profit'),
        pool: poolColumn,
        exempt: optional(columns.exempt, 'parameters.columns.exempt'),
        weight: optional(columns.weight, 'parameters.columns.weight'),
        cap: optional(columns.cap, 'parameters.columns.cap'),
      },
      weightDecimals: whole(parameters.weightDecimals, 'parameters.weightDecimals'),
      rounding: rounding as Parameters['rounding'],
      tieSeed: seed === undefined ? undefined : BigInt(seed),
      format: format as Format,
      loss: poolColumn === undefined ? units(parameters.loss, decimals, 'parameters.loss') : 0n,
      insuranceFund: poolColumn === undefined ? units(parameters.insuranceFund, decimals, 'parameters.insuranceFund') : 0n,
      poolsFile: undefined,
      pools,
    },
    accountsSha256: string(accounts.sha256, 'inputs.accounts.sha256'),
    outputSha256: string(output.sha256, 'output.sha256'),
  };
}

/** Everything an index-delta report holds. */
export interface IndexDeltaReportInput {
  version: string;
  core: CoreInfo;
  accounts: InputSummary;
  parameters: {
    columns: { account: string; units: string };
    decimals: number;
    unitsDecimals: number;
    loss: bigint;
    scale: bigint;
    rounding: 'up' | 'down';
    chargeRounding: 'up' | 'down';
  };
  result: { delta: bigint; totalUnits: bigint; collected: bigint; drift: bigint; accountsCharged: number };
  output: OutputSummary;
  run?: RunInfo | undefined;
}

/** An index-delta run's report (JSON text, a final newline). */
export function indexDeltaReport(input: IndexDeltaReportInput): string {
  const p = input.parameters;
  const amount = (units: bigint) => formatUnits(units, p.decimals);
  return reportText('index-delta', input, { accounts: input.accounts }, {
    parameters: {
      columns: p.columns, decimals: p.decimals, unitsDecimals: p.unitsDecimals, loss: amount(p.loss), scale: p.scale.toString(),
      rounding: p.rounding, chargeRounding: p.chargeRounding,
    },
    result: {
      delta: input.result.delta.toString(),
      totalUnits: formatUnits(input.result.totalUnits, p.unitsDecimals),
      collected: amount(input.result.collected),
      drift: amount(input.result.drift),
      accountsCharged: input.result.accountsCharged,
    },
  });
}
