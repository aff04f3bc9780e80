// `socialized-loss compare`: the mechanisms side by side on one account file.
// The CSV (one haircut column per mechanism) to --out or stdout, the measures
// side by side to stdout (with --out) or stderr, the report with every
// parameter and measure. The run itself (src/run/compare.ts) is shared with the page.

import { openSources } from './input.js';
import { loadRun } from '../run/load.js';
import { nodePlatform } from '../host/node.js';
import { commitAll, openOutputs, outputSink } from './output.js';
import type { CompareParameters } from '../run/parameters.js';
import { compareLoaded, writeCompared } from '../run/compare.js';
import { compareReport, compareResultSection, measuresTable } from '../run/compare-report.js';
import { coreInfo } from '../run/run.js';
import { UsageError } from '../files/errors.js';
import { formatOfName } from '../files/read.js';
import { roundingText, runInfoOf, type RunContext } from './socialize.js';

/** compare's own options. */
export interface CompareOptions {
  accounts: string;
  parameters: CompareParameters;
  out?: string | undefined;
  report?: string | undefined;
}

/** Runs compare; throws InputError / UsageError / EnvironmentError for exit status 2. */
export async function compare(options: CompareOptions, context: RunContext): Promise<void> {
  const started = performance.now();
  const { parameters } = options;
  if (options.out !== undefined && formatOfName(options.out) === 'parquet') {
    throw new UsageError('--out of compare is CSV (one haircut column per mechanism); name it .csv');
  }
  const platform = nodePlatform(context.quiet);
  const sources = await openSources(options.accounts, parameters);
  const [outFile, reportFile] = await openOutputs([['--out', options.out], ['--report', options.report]], [sources.accounts, ...(sources.pools ? [sources.pools] : [])]);
  const loaded = await loadRun(sources, parameters, platform);
  const read = performance.now();

  const engine = loaded.table.engine();
  const compared = compareLoaded(engine, loaded, parameters);
  const sink = outputSink(outFile ?? null, platform, loaded.accounts.bytes);
  await writeCompared(sink, loaded, compared);
  const sha256 = await sink.close();
  const written = performance.now();
  const result = compareResultSection(loaded, compared);
  if (reportFile) {
    const text = compareReport({
      version: context.version, core: await coreInfo(engine, platform), loaded, parameters, compared,
      output: { file: options.out ?? '<stdout>', sha256, bytes: sink.bytes, rows: loaded.table.rows },
      run: runInfoOf(context, started, read, compared.computeMs, written),
    });
    await reportFile.write(new TextEncoder().encode(text));
  }
  // Only now, with every output complete, does any of them replace a file.
  await commitAll([outFile ?? null, reportFile ?? null]);
  if (context.quiet) return;
  const table = measuresTable(loaded, result);
  // The CSV takes stdout when there is no --out: the measures then go to stderr.
  (options.out === undefined ? process.stderr : process.stdout).write(table);
  // The phases' timings are in the report.
  process.stderr.write(`compared in ${Math.round(performance.now() - started)} ms\n${roundingText(loaded, parameters)}`);
}
