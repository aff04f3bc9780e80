// `socialized-loss socialize`: an account file in (with pools, exemptions,
// weights and caps when asked for), the haircuts CSV and the audit report out.
// The run itself (run.ts) is shared with the workbench page; this is its Node side.

import { formatGrouped } from '../files/decimal.js';
import { quote, UsageError } from '../files/errors.js';
import { openSources } from './input.js';
import { loadRun, type Loaded } from '../run/load.js';
import { nodePlatform } from '../host/node.js';
import { commitAll, openOutputs, outputSink } from './output.js';
import type { Parameters } from '../run/parameters.js';
import { formatOfName } from '../files/read.js';
import { roundedSection, type PoolOutcome, type RunInfo } from '../run/report.js';
import { coreInfo, reportOfRun, socializeLoaded, type HaircutsWriter } from '../run/run.js';

/** What every command is run with, besides its own options. */
export interface RunContext {
  /** The package's version. */
  version: string;
  /** The arguments as given (without node and the script), for the report. */
  argv: readonly string[];
  /** No progress and no summary on stderr. */
  quiet: boolean;
}

/** socialize's own options. */
export interface SocializeOptions {
  accounts: string;
  parameters: Parameters;
  out?: string | undefined;
  report?: string | undefined;
}

/** Runs the command; throws InputError / UsageError / EnvironmentError for exit status 2. */
export async function socialize(options: SocializeOptions, context: RunContext): Promise<void> {
  const started = performance.now();
  const { parameters } = options;
  const platform = nodePlatform(context.quiet);
  // Everything that can be checked is checked before any work: the inputs open,
  // the outputs can be written, and no two of them are the same file.
  const sources = await openSources(options.accounts, parameters);
  const [outFile, reportFile] = await openOutputs([['--out', options.out], ['--report', options.report]], [sources.accounts, ...(sources.pools ? [sources.pools] : [])]);
  const loaded = await loadRun(sources, parameters, platform);
  const read = performance.now();

  // Compute, then write the haircuts, then the report; each lands only when complete.
  // The engine shares the table's core: its book reuses the memory reading freed.
  const engine = loaded.table.engine();
  const parquet = options.out !== undefined && formatOfName(options.out) === 'parquet';
  const run = await socializeLoaded(engine, loaded, parameters, outputSink(outFile ?? null, platform, loaded.accounts.bytes), parquet ? { write: writeParquet } : {});
  const written = performance.now();
  if (reportFile) {
    const info = runInfoOf(context, started, read, run.computeMs, written);
    const text = reportOfRun(context.version, await coreInfo(engine, platform), loaded, parameters, run, options.out ?? '<stdout>', info);
    await reportFile.write(new TextEncoder().encode(text));
  }
  // Only now, with every output complete, does any of them replace a file.
  await commitAll([outFile ?? null, reportFile ?? null]);
  if (!context.quiet) process.stderr.write(summaryText(loaded, run.outcomes, written - started) + roundingText(loaded, parameters));
}

/** A run's timings for its report: read (from `started` to `read`), compute, write (to `written`) and total. */
function timings(started: number, read: number, computeMs: number, written: number): Record<string, number> {
  return { read: round(read - started), compute: round(computeMs), write: round(written - read - computeMs), total: round(performance.now() - started) };
}

/** What only a command run knows, for its report: Node's version, the command line, the time, the timings (as `timings`) and the memory. */
export function runInfoOf(context: RunContext, started: number, read: number, computeMs: number, written: number): RunInfo {
  return {
    node: process.version,
    commandLine: ['socialized-loss', ...context.argv],
    writtenAt: new Date().toISOString(),
    timingsMs: timings(started, read, computeMs, written),
    maxResidentBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/** What the input rounding changed, for the summary on stderr ('' under exact): how many values per column, and by how much. */
export function roundingText(loaded: Loaded, parameters: Parameters): string {
  if (parameters.reading.inputRounding === 'exact') return '';
  const rounded = roundedSection(parameters, loaded.reading) ?? {};
  const parts = Object.entries(rounded).map(([role, { values, adjustment }]) => `${role} ${values.toLocaleString('en-US')} (Σ |adjustment| ${adjustment})`);
  return `  input rounding ${parameters.reading.inputRounding}: values rounded: ${parts.join(', ')}\n`;
}

/** The summary on stderr: per pool when pooled. */
function summaryText(loaded: Loaded, outcomes: PoolOutcome[], ms: number): string {
  const count = (k: number) => k.toLocaleString('en-US');
  const lines = [`socialized ${count(loaded.table.rows)} accounts from ${loaded.accounts.file} in ${Math.round(ms)} ms`];
  for (const { pool, summary: s, charged } of outcomes) {
    const amount = (units: bigint) => formatGrouped(units, pool.decimals);
    const head = loaded.pooled ? `  ${pool.name}${pool.line > 0 ? '' : ' (not in the pools file: loss 0)'}: ` : '  ';
    lines.push(`${head}loss ${amount(pool.loss)}, fund used ${amount(s.insuranceUsed)}, socialized ${amount(s.socialized)}, uncovered ${amount(s.uncovered)}` +
      `${s.roundingDust > 0n ? ` (rounding dust ${amount(s.roundingDust)})` : ''}${s.surplus > 0n ? `, surplus ${amount(s.surplus)}` : ''}; ` +
      `${count(charged)} of ${count(s.profitableAccounts)} eligible accounts charged`);
  }
  return lines.join('\n') + '\n';
}

/** The haircuts as a Parquet file (the CSV's columns, amounts as DECIMAL at the pool's scale), through the sink. */
const writeParquet: HaircutsWriter = async (sink, loaded, view) => {
  const { writeParquetHaircuts } = await import('../files/parquet/write.js');
  const { table, directory } = loaded;
  const chunks = writeParquetHaircuts({
    rows: table.rows,
    idOf: (row) => table.idOf(row),
    pooled: loaded.pooled,
    poolOf: (row) => table.poolOf(row),
    poolNames: directory.pools.map((_, i) => directory.nameOf(i)),
    decimals: directory.pools.map((pool) => pool.decimals),
    profit: table.column('profits'),
    haircut: view.slice(),
  });
  for await (const chunk of chunks) await sink.write(chunk);
};

/** Milliseconds to one decimal. */
export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Checks a command's positionals: exactly `names` (e.g. ACCOUNTS HAIRCUTS). */
export function positionalsOf(command: string, positionals: readonly string[], names: readonly string[]): string[] {
  if (positionals.length !== names.length) {
    const given = positionals.length === 0 ? 'none' : quote(positionals.join(' '));
    throw new UsageError(`${command} takes ${names.join(' ')} (${names.length === 1 ? 'a file, or - for stdin' : 'files; one of them may be - for stdin'}), got ${given}`);
  }
  return [...positionals];
}
