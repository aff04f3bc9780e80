// `socialized-loss verify ACCOUNTS HAIRCUTS`: every haircut checked against
// the rule with the auditor's arithmetic (src/audit), never the engine's
// selection kernel; HAIRCUTS' profit, profit_after and pool columns against
// ACCOUNTS and the rule; with --report, both files' hashes and every total of
// the report's result. Exit 0 when all agree; exit 3 with what does not.

import { auditHaircuts, certify } from '../audit/index.js';
import { formatUnits } from '../files/decimal.js';
import { quote } from '../files/errors.js';
import { auditBookOf } from '../run/audit-book.js';
import { HaircutRows } from './verify-haircuts.js';
import { readSmallFile, resolveParameters, type ParametersOrReport } from './input.js';
import { decimalsOfRow, loadRun } from '../run/load.js';
import { nodePlatform } from '../host/node.js';
import { openVerifyInputs } from './output.js';
import { readInto } from '../files/read.js';
import type { RunContext } from './socialize.js';
import { checkedFields, fileDifferences, resultDifferences } from './verify-report.js';
import { VerificationFailed } from './verify-failed.js';
import { verifyCompare } from './verify-compare.js';
import { isCompareReport } from '../run/compare-read.js';
import { MAX_REPORT_BYTES } from '../run/report-read.js';

export { VerificationFailed };

/** verify's inputs. */
export type VerifyOptions = { accounts: string; haircuts: string } & ParametersOrReport;

/** How many differences of each kind verify prints. */
const SHOWN = 10;

/** Runs verify; prints its verdict on stdout; throws VerificationFailed (exit 3) when anything differs. */
export async function verify(options: VerifyOptions, context: RunContext): Promise<void> {
  const started = performance.now();
  // A compare report: every mechanism's column of a compare output.
  const read = 'report' in options ? await readSmallFile(options.report, 'the report', MAX_REPORT_BYTES) : undefined;
  if (read !== undefined && isCompareReport(read.text)) return verifyCompare(options, read.text, read.source, context);
  const { parameters, report, source: reportSource } = await resolveParameters(options, read);
  const { sources, checked: haircutSource } = await openVerifyInputs(options.accounts, options.haircuts, parameters, reportSource);
  const platform = nodePlatform(context.quiet);
  const loaded = await loadRun(sources, parameters, platform);
  const decimalsOf = decimalsOfRow(loaded);
  const rows = new HaircutRows(haircutSource.name, loaded, decimalsOf, SHOWN);
  const haircutsInput = await readInto(haircutSource, undefined, rows, platform);
  const book = auditBookOf(loaded, parameters);
  const certificate = certify(book, rows.haircuts, SHOWN);
  // The haircuts the rule gives: the file's when they are right, else computed in full.
  const expected = certificate.ok ? rows.haircuts : auditHaircuts(book).haircuts;
  rows.checkProfitAfter(certificate.ok ? null : expected);

  const n = loaded.table.rows;
  const count = (k: number) => k.toLocaleString('en-US');
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const where = (index: number) => `${haircutsInput.file}:${rows.lines[index]}: account ${quote(decoder.decode(loaded.table.idOf(index)))}`;
  const lines: string[] = [];
  let fields = 0;
  if (report !== null) {
    if (report.accountsSha256 !== loaded.accounts.sha256) {
      lines.push(`${loaded.accounts.file} has SHA-256 ${loaded.accounts.sha256}; the report read ${report.accountsSha256}: not the accounts the report describes`);
    }
    if (report.outputSha256 !== haircutsInput.sha256) {
      lines.push(`${haircutsInput.file} has SHA-256 ${haircutsInput.sha256}; the report wrote ${report.outputSha256}: not the haircuts the report describes`);
    }
    loaded.directory.pools.forEach((pool, k) => {
      if (loaded.pooled && loaded.directory.counts[k] === 0) lines.push(`the report lists pool ${quote(pool.name)}, which holds no account of ${loaded.accounts.file}`);
    });
    const differences = [...fileDifferences(report, loaded, haircutsInput), ...resultDifferences(report.result, loaded, parameters, certificate.pools, expected)];
    fields = checkedFields(report, loaded.pooled);
    if (differences.length > 0) {
      lines.push(`${count(differences.length)} of the report's ${count(fields)} sizes, counts and totals differ from what ${loaded.accounts.file} and ${haircutsInput.file} give${differences.length > SHOWN ? `; the first ${SHOWN}` : ''}:`);
      for (const { field, expected: want, found } of differences.slice(0, SHOWN)) lines.push(`  ${field}: expected ${want}, found ${found}`);
    }
  }
  if (!certificate.ok) {
    lines.push(`${count(certificate.mismatches)} of ${count(n)} haircuts differ from what ${parameters.rounding} gives${certificate.mismatches > SHOWN ? `; the first ${SHOWN}` : ''}:`);
    for (const { index, expected: want, found } of certificate.differences) {
      const places = decimalsOf(index);
      lines.push(`  ${where(index)}: expected ${formatUnits(want, places)}, found ${formatUnits(found, places)}`);
    }
  }
  if (rows.mismatches > 0) {
    lines.push(`${count(rows.mismatches)} profit, profit_after or pool values of ${haircutsInput.file} differ from what ${loaded.accounts.file} and the rule give${rows.mismatches > SHOWN ? `; the first ${SHOWN}` : ''}:`);
    for (const { index, column, expected: want, found } of rows.differences()) lines.push(`  ${where(index)}: ${column} expected ${want}, found ${found}`);
  }
  const ms = Math.round(performance.now() - started);
  if (lines.length === 0) {
    process.stdout.write(`verified ${count(n)} accounts${report !== null ? ' (both files are the ones the report names)' : ''}\n`);
    if (!context.quiet) {
      process.stderr.write(`checked ${count(n)} haircuts of ${haircutsInput.file} against ${loaded.accounts.file} by ${parameters.rounding}${report !== null ? ` and the report's ${count(fields)} sizes, counts and totals` : ''} in ${ms} ms\n`);
    }
    return;
  }
  process.stdout.write(lines.join('\n') + '\n');
  throw new VerificationFailed(lines[0]);
}
