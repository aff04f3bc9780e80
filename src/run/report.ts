// The audit report of a run (JSON), built from what was read, asked and
// computed (report-read.ts reads it back, for verify and explain). Building it needs
// nothing of Node: what only the command knows (the time, the command line,
// timings, memory) is passed in, and left out where a run has none.

import type { SocializeSummary } from '../types.js';
import { formatUnits } from '../files/decimal.js';
import { rateOf, type Rate } from '../fraction.js';
import type { Parameters } from './parameters.js';
import type { InputSummary } from '../files/read.js';
import type { Pool, ReadingOptions } from '../files/rows.js';
import type { Tally } from '../amount.js';
import { delimiterName } from '../files/fields.js';
import type { Loaded } from './load.js';

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
  /** How ACCOUNTS was read (a run's `loaded.reading`). */
  reading?: ReadingRecord | undefined;
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
  return reportText('socialize', input, { accounts: input.accounts, ...(input.poolsInput ? { pools: input.poolsInput } : {}) }, {
    parameters: parametersSection(p, outcomes.map((o) => o.pool), pooled, input.reading),
    result: resultSection(outcomes, pooled, p),
  }, roundedSection(p, input.reading));
}

/** How ACCOUNTS was read, as a run records it: the delimiter used and what the input rounding changed. */
export type ReadingRecord = Loaded['reading'];

/**
 * What the input rounding changed, per amount column (`profit`, `weight`, …): how many
 * values, and Σ |adjustment| as an exact decimal at the column's scale and beyond. Only
 * under a rule other than `exact`.
 */
export function roundedSection(p: Parameters, reading: ReadingRecord | undefined) {
  if (reading === undefined || p.reading.inputRounding === 'exact') return undefined;
  const scaleOf = (role: string) => (role === 'weight' ? p.weightDecimals : role === 'score' ? (p as { scoreDecimals?: number }).scoreDecimals ?? 0 : p.decimals);
  return Object.fromEntries([...reading.tallies].map(([role, tally]) => [role, { values: tally.rounded, adjustment: tally.text(scaleOf(role)) }]));
}

/**
 * The result section of a socialize report: every total, per pool and overall,
 * as exact decimal strings. verify builds the same section from the auditor's
 * totals and compares it with a report's, field by field.
 */
export function resultSection(outcomes: readonly PoolOutcome[], pooled: boolean, p: Parameters) {
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
    ...(oneScale && outcomes.length > 0 ? amountsOverall(outcomes, sum, weighted, p.weightDecimals) : { amounts: PER_POOL_ONLY }),
  };
  return pooled ? { pools: outcomes.map(result), overall } : result(outcomes[0]!);
}

/** What a pooled report's overall section says in place of amounts when the pools' decimals differ. */
export const PER_POOL_ONLY = 'per pool only: the pools have different decimals';

/** The parts every report shares, in order: what wrote it, the run, the inputs; then the command's own; then the output, timings and memory. */
export function reportText(
  command: string, input: { version: string; core: CoreInfo; run?: RunInfo | undefined; output: OutputSummary },
  inputs: Record<string, InputSummary>, own: { parameters: unknown; result: unknown }, rounded?: Record<string, unknown>,
): string {
  const { run } = input;
  const body = {
    tool: 'socialized-loss',
    version: input.version,
    command,
    core: input.core,
    ...(run ? { node: run.node, commandLine: run.commandLine, writtenAt: run.writtenAt } : {}),
    inputs: Object.fromEntries(Object.entries(inputs).map(([name, s]) => [name, { ...inputOf(s), ...(name === 'accounts' && rounded ? { rounded } : {}) }])),
    parameters: own.parameters,
    result: own.result,
    output: input.output,
    ...(run ? { timingsMs: run.timingsMs, maxResidentBytes: run.maxResidentBytes } : {}),
  };
  return JSON.stringify(body, null, 2) + '\n';
}

function amountsOverall(outcomes: readonly PoolOutcome[], sum: (pick: (s: SocializeSummary) => bigint) => bigint, weighted: boolean, weightDecimals: number) {
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
  // How the bytes were decoded, when they were (the hash and size are the file's as on disk).
  return { file: s.file, format: s.format, ...(s.compression ? { compression: s.compression } : {}), ...(s.encoding ? { encoding: s.encoding } : {}), bytes: s.bytes, sha256: s.sha256, rows: s.rows };
}

/** How equal remainders are ordered, as the parameters section says it (null: not largest remainder). */
export function tieBreakOf(rounding: Parameters['rounding'], tieSeed: bigint | undefined): string | null {
  if (rounding !== 'largest-remainder') return null;
  return tieSeed === undefined ? 'lower index first' : 'ascending splitmix64(tieSeed XOR index), then lower index';
}

/** The parameters section: every parameter, as given or defaulted. */
export function parametersSection(p: Parameters, pools: readonly Pool[], pooled: boolean, reading?: ReadingRecord) {
  // The delimiter used (detected or given), so that verify reads the file the same way.
  const delimiter = reading?.delimiter ?? p.reading.delimiter;
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
    tieBreak: tieBreakOf(p.rounding, p.tieSeed),
    reading: readingJson({ ...p.reading, delimiter }),
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

/** Reading options as a report's parameters.reading: the delimiter by name (`tab`), or null when not CSV. */
function readingJson(reading: ReadingOptions) {
  return { delimiter: reading.delimiter === null ? null : delimiterName(reading.delimiter), decimalComma: reading.decimalComma, inputRounding: reading.inputRounding };
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
  /** How ACCOUNTS was read (the delimiter used), and the units' tally under an input rounding. */
  reading?: ReadingOptions | undefined;
  rounded?: { units: Tally } | undefined;
}

/** An index-delta run's report (JSON text, a final newline). */
export function indexDeltaReport(input: IndexDeltaReportInput): string {
  const p = input.parameters;
  const amount = (units: bigint) => formatUnits(units, p.decimals);
  return reportText('index-delta', input, { accounts: input.accounts }, {
    parameters: {
      columns: p.columns, decimals: p.decimals, unitsDecimals: p.unitsDecimals, loss: amount(p.loss), scale: p.scale.toString(),
      rounding: p.rounding, chargeRounding: p.chargeRounding,
      ...(input.reading ? { reading: readingJson(input.reading) } : {}),
    },
    result: {
      delta: input.result.delta.toString(),
      totalUnits: formatUnits(input.result.totalUnits, p.unitsDecimals),
      collected: amount(input.result.collected),
      drift: amount(input.result.drift),
      accountsCharged: input.result.accountsCharged,
    },
  }, input.rounded ? { units: { values: input.rounded.units.rounded, adjustment: input.rounded.units.text(p.unitsDecimals) } } : undefined);
}
