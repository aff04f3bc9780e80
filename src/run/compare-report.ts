// What a compare run says: its report's parameters and result sections (every
// parameter, and every measure of every mechanism, per pool and overall) and
// the measures side by side as a table people read. The table is built from
// the result section, so that the two cannot say different things.

import { formatGrouped, formatUnits } from '../files/decimal.js';
import type { Rate } from '../fraction.js';
import type { HaircutMeasures, MeasuresResult } from '../measures.js';
import { residualOf } from '../waterfall.js';
import type { Compared, MechanismSummary } from './compare.js';
import { MECHANISM_COLUMNS } from './compare.js';
import type { Loaded } from './load.js';
import type { CompareParameters, Mechanism } from './parameters.js';
import { parametersSection, PER_POOL_ONLY, reportText, roundedSection, type CoreInfo, type OutputSummary, type ReadingRecord, type RunInfo } from './report.js';
import type { InputSummary } from '../files/read.js';
import type { Pool } from '../files/rows.js';

/** How the queue orders equal scores. */
export function queueTieBreakOf(tieSeed: bigint | undefined): string {
  return tieSeed === undefined ? 'lower index first' : 'ascending splitmix64(tieSeed XOR index), then lower index';
}

/** The parameters section of a compare report: socialize's, and the mechanisms' own. */
export function compareParametersSection(p: CompareParameters, pools: readonly Pool[], pooled: boolean, reading?: ReadingRecord) {
  const base = parametersSection(p, pools, pooled, reading);
  const { account, profit, pool, exempt, weight } = base.columns;
  const queue = p.mechanisms.includes('queue');
  return {
    ...base,
    columns: { account, profit, pool, exempt, weight, capacity: p.columns.capacity ?? null, score: p.columns.score ?? null, lot: p.columns.lot ?? null },
    mechanisms: p.mechanisms,
    capacities: p.columns.capacity === undefined ? 'max(profit, 0)' : 'the capacity column (empty: max(profit, 0))',
    scoreDecimals: p.scoreDecimals,
    rankBy: queue ? (p.columns.score !== undefined ? 'score column' : p.rankBy) : null,
    queueTieBreak: queue ? queueTieBreakOf(p.tieSeed) : null,
  };
}

/** A measure group's fields, amounts at `decimals`. */
function measuresJson(m: HaircutMeasures, decimals: number) {
  const amount = (units: bigint) => formatUnits(units, decimals);
  return {
    measuredAccounts: m.accounts,
    totalCapacity: amount(m.totalCapacity),
    collected: amount(m.collected),
    uncovered: amount(m.uncovered ?? 0n),
    overshoot: amount(m.overshoot ?? 0n),
    accountsCharged: m.accountsCharged,
    accountsTakenWhole: m.accountsTakenWhole,
    largestHaircut: amount(m.largestHaircut),
    largestShareOfCapacity: m.largestShareOfCapacity,
    top10Share: m.top10Share,
    top1PercentShare: m.top1PercentShare,
    gini: m.gini,
    tenths: m.tenths,
  };
}

/** The waterfall's figures of one pool (or of every pool, summed) at `decimals`. */
function waterfallJson(pools: readonly Pool[], summaries: readonly MechanismSummary[], decimals: number) {
  const amount = (units: bigint) => formatUnits(units, decimals);
  const sum = (pick: (k: number) => bigint) => pools.reduce((total, _, k) => total + pick(k), 0n);
  return {
    loss: amount(sum((k) => pools[k]!.loss)),
    insuranceFund: amount(sum((k) => pools[k]!.insuranceFund)),
    insuranceUsed: amount(sum((k) => summaries[k]!.insuranceUsed)),
    toCover: amount(sum((k) => residualOf(pools[k]!.loss, pools[k]!.insuranceFund).residual)),
    roundingDust: amount(sum((k) => summaries[k]!.roundingDust)),
  };
}

/**
 * The result section of a compare report: per mechanism, its waterfall and its
 * measures, per pool and overall (overall amounts only when every pool has the same decimals).
 */
export function compareResultSection(loaded: Loaded, compared: Compared) {
  const { directory, pooled } = loaded;
  const pools = directory.pools;
  const oneScale = pools.every((pool) => pool.decimals === pools[0]!.decimals);
  const group = (summaries: readonly MechanismSummary[], measures: MeasuresResult, k: number) => ({
    ...(pooled ? { pool: pools[k]!.name, listed: pools[k]!.line > 0 } : {}),
    decimals: pools[k]!.decimals,
    accounts: pooled ? directory.counts[k]! : loaded.table.rows,
    ...waterfallJson([pools[k]!], [summaries[k]!], pools[k]!.decimals),
    ...measuresJson(pooled ? measures.pools![k]! : measures, pools[k]!.decimals),
  });
  return {
    accounts: loaded.table.rows,
    mechanisms: compared.outcomes.map(({ mechanism, summaries, measures }) => ({
      mechanism,
      column: MECHANISM_COLUMNS[mechanism],
      ...(pooled
        ? {
            pools: pools.map((_, k) => group(summaries, measures, k)),
            overall: oneScale
              ? { decimals: pools[0]!.decimals, accounts: loaded.table.rows, ...waterfallJson(pools, summaries, pools[0]!.decimals), ...measuresJson(measures, pools[0]!.decimals) }
              : PER_POOL_ONLY,
          }
        : group(summaries, measures, 0)),
    })),
  };
}

/** The result section's shape: what the table reads. */
type ResultSection = ReturnType<typeof compareResultSection>;
type Group = ReturnType<typeof measuresJson> & ReturnType<typeof waterfallJson> & { decimals: number; accounts: number };

/** A rate as a percentage with two decimals, truncated (from its exact fraction). */
export function percentOf(rate: Rate): string {
  const [a, b] = rate.fraction.split('/').map(BigInt) as [bigint, bigint];
  return formatUnits((a * 10_000n) / b, 2) + '%';
}

/** A rate as a decimal with four digits, truncated. */
function fourDigits(rate: Rate): string {
  return rate.decimal.slice(0, rate.decimal.indexOf('.') + 5);
}

/** Right-aligned columns: the first left-aligned, the others right-aligned, two spaces apart. */
function columns(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd());
}

/** One group's measures side by side (one column per mechanism), then who pays by tenth. */
function groupTable(mechanisms: readonly Mechanism[], groups: readonly Group[]): string[] {
  const g0 = groups[0]!;
  const amount = (text: string) => formatGrouped(BigInt(text.replace('.', '')), g0.decimals);
  const count = (k: number) => k.toLocaleString('en-US');
  const row = (label: string, cell: (g: Group) => string) => [label, ...groups.map(cell)];
  const measures = columns([
    ['', ...mechanisms],
    row('collected', (g) => amount(g.collected)),
    row('uncovered', (g) => amount(g.uncovered)),
    row('overshoot', (g) => amount(g.overshoot)),
    row('accounts charged', (g) => count(g.accountsCharged)),
    row('accounts taken whole', (g) => count(g.accountsTakenWhole)),
    row('largest haircut', (g) => amount(g.largestHaircut)),
    row('largest share of a capacity', (g) => percentOf(g.largestShareOfCapacity)),
    row("10 largest payers' share", (g) => percentOf(g.top10Share)),
    row("top 1% by capacity's share", (g) => percentOf(g.top1PercentShare)),
    row('Gini coefficient', (g) => fourDigits(g.gini)),
  ]);
  const tenths = columns([
    ['tenth', 'accounts', 'capacity', ...mechanisms],
    ...g0.tenths.map((tenth, k) => [String(k + 1), count(tenth.accounts), percentOf(tenth.capacity), ...groups.map((g) => percentOf(g.tenths[k]!.collected))]),
  ]);
  return [
    ...measures,
    'who pays, by tenth of the accounts that can pay, smallest capacities first (shares of the capacity and of what each collected):',
    ...tenths.map((line) => '  ' + line),
  ];
}

/** The measures side by side, as `compare` prints them: per pool, then overall. */
export function measuresTable(loaded: Loaded, result: ResultSection): string {
  const mechanisms = result.mechanisms.map((m) => m.mechanism);
  const count = (k: number) => k.toLocaleString('en-US');
  const head = (g: Group) => {
    const amount = (text: string) => formatGrouped(BigInt(text.replace('.', '')), g.decimals);
    return `to cover ${amount(g.toCover)} (loss ${amount(g.loss)}, insurance fund ${amount(g.insuranceFund)}); ${count(g.measuredAccounts)} of ${count(g.accounts)} accounts can pay, capacity ${amount(g.totalCapacity)}`;
  };
  const lines = [`compared ${mechanisms.join(', ')} on ${count(result.accounts)} accounts of ${loaded.accounts.file}`];
  if (!loaded.pooled) {
    const groups = result.mechanisms as unknown as Group[];
    lines.push(head(groups[0]!), ...groupTable(mechanisms, groups));
  } else {
    const pooled = result.mechanisms as unknown as { pools: (Group & { pool: string })[]; overall: Group | string }[];
    pooled[0]!.pools.forEach((pool, k) => {
      lines.push('', `pool ${JSON.stringify(pool.pool)}: ${head(pool)}`, ...groupTable(mechanisms, pooled.map((m) => m.pools[k]!)));
    });
    const overall = pooled[0]!.overall;
    lines.push('', typeof overall === 'string' ? `overall: ${overall}` : `overall: ${head(overall)}`);
    if (typeof overall !== 'string') lines.push(...groupTable(mechanisms, pooled.map((m) => m.overall as Group)));
  }
  return lines.join('\n') + '\n';
}

/** Everything a compare report holds. */
export interface CompareReportInput {
  version: string;
  core: CoreInfo;
  loaded: Loaded;
  parameters: CompareParameters;
  compared: Compared;
  output: OutputSummary;
  run?: RunInfo | undefined;
}

/** A compare run's report (JSON text, a final newline): every parameter and every measure. */
export function compareReport(input: CompareReportInput): string {
  const { loaded } = input;
  const inputs: Record<string, InputSummary> = { accounts: loaded.accounts, ...(loaded.poolsInput ? { pools: loaded.poolsInput } : {}) };
  return reportText('compare', input, inputs, {
    parameters: compareParametersSection(input.parameters, loaded.directory.pools, loaded.pooled, loaded.reading),
    result: compareResultSection(loaded, input.compared),
  }, roundedSection(input.parameters, loaded.reading));
}
