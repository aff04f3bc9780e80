// The page's Compare mechanisms job, run in its Web Worker: the same reading,
// parameters, run and report as `socialized-loss compare` (src/run/compare.ts,
// compare-report.ts), over Files instead of paths, so that the downloads are the
// command's bytes; plus what the page draws: the result section (every measure of
// every mechanism, per pool and overall) and the measures table the command prints.

import type { Engine } from '../engine.js';
import { UsageError } from '../files/errors.js';
import { Sink } from '../files/sink.js';
import type { Platform } from '../host/platform.js';
import { compareLoaded, writeCompared } from '../run/compare.js';
import { compareReport, compareResultSection, measuresTable } from '../run/compare-report.js';
import { loadRun } from '../run/load.js';
import { readCompareParameters, type CompareParameters } from '../run/parameters.js';
import { coreInfo } from '../run/run.js';
import { inLabels, optionsOfForm, sourcesOf, type NamedBlob, type WorkbenchForm } from './jobs.js';

/** The Compare mechanisms controls, as typed ('' where empty or "none"). */
export interface CompareForm {
  /** Comma-separated, as --mechanisms. */
  mechanisms: string;
  capacityColumn: string;
  scoreColumn: string;
  scoreDecimals: string;
  /** '' (the default: profit), 'profit' or 'capacity'. */
  rankBy: string;
  lotColumn: string;
}

/** The download names for an accounts file: `export-compare.csv` and `export-compare-report.json`. */
export function compareNames(accounts: string): { out: string; report: string } {
  const stem = accounts.replace(/\.[^.]*$/, '') || 'accounts';
  return { out: `${stem}-compare.csv`, report: `${stem}-compare-report.json` };
}

/**
 * The forms' values as compare's parameters, by the command line's own rules
 * (readCompareParameters): a UsageError in the page's labels for a bad value or a
 * conflict. The socialize form gives the book's columns, amounts and rule; its Cap
 * column is socialize's own and is not read here.
 */
export function compareParametersOfForm(form: WorkbenchForm, compare: CompareForm, pools: string | null): CompareParameters {
  const options = optionsOfForm({ ...form, capColumn: '' }, pools);
  const set = (option: string, value: string) => {
    if (value.trim() !== '') options.set(option, value.trim());
  };
  set('mechanisms', compare.mechanisms.replace(/\s+/g, ''));
  set('capacity-column', compare.capacityColumn);
  set('score-column', compare.scoreColumn);
  if (compare.scoreColumn.trim() !== '') set('score-decimals', compare.scoreDecimals);
  else set('rank-by', compare.rankBy);
  set('lot-column', compare.lotColumn);
  try {
    return readCompareParameters(options);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(inLabels(error.message));
    throw error;
  }
}

/** What a compare run gives the page. */
export interface CompareResult {
  accounts: number;
  /** The report's result section: every measure of every mechanism (per pool and overall when pooled). */
  result: ReturnType<typeof compareResultSection>;
  /** The measures side by side as the command prints them. */
  table: string;
  /** The compare CSV (the command line's bytes) and the report, with their download names. */
  out: { name: string; parts: Uint8Array[]; bytes: number; sha256: string };
  report: { name: string; text: string };
  timingsMs: { read: number; compute: number; total: number };
}

/**
 * Compares the mechanisms on a chosen accounts file (and pools file), as the command
 * line would with `--out NAME-compare.csv --report NAME-compare-report.json`: the same
 * bytes, the report without what only a command run knows.
 */
export async function runCompare(
  engine: Engine, version: string, files: { accounts: NamedBlob; pools: NamedBlob | null }, form: WorkbenchForm, compare: CompareForm,
  platform: Platform, phase: (name: string) => void = () => {},
): Promise<CompareResult> {
  const started = performance.now();
  const parameters = compareParametersOfForm(form, compare, files.pools?.name ?? null);
  const loaded = await loadRun(sourcesOf(files), parameters, platform);
  const read = performance.now();
  phase('comparing the mechanisms');
  const compared = compareLoaded(engine, loaded, parameters);
  const names = compareNames(files.accounts.name);
  const parts: Uint8Array[] = [];
  const sink = new Sink(platform, (bytes) => void parts.push(bytes));
  await writeCompared(sink, loaded, compared);
  const sha256 = await sink.close();
  const result = compareResultSection(loaded, compared);
  const report = compareReport({
    version, core: await coreInfo(engine, platform), loaded, parameters, compared,
    output: { file: names.out, sha256, bytes: sink.bytes, rows: loaded.table.rows },
  });
  return {
    accounts: loaded.table.rows, result, table: measuresTable(loaded, result),
    out: { name: names.out, parts, bytes: sink.bytes, sha256 },
    report: { name: names.report, text: report },
    timingsMs: { read: read - started, compute: compared.computeMs, total: performance.now() - started },
  };
}
