// `socialized-loss verify ACCOUNTS HAIRCUTS`: every haircut checked against
// the rule with the auditor's arithmetic (src/audit), never the engine's
// selection kernel. Exit 0 when all agree; exit 3 with the first ten that do not.

import { certify } from '../audit/index.js';
import { formatUnits } from './decimal.js';
import { quote } from './errors.js';
import { auditBookOf } from './audit-book.js';
import { InputSource, openSources, resolveParameters, type ParametersOrReport } from './input.js';
import { decimalsOfRow, loadRun } from './load.js';
import { nodePlatform } from './node-platform.js';
import { openOutputs } from './output.js';
import { readInto } from './read.js';
import { HaircutRows } from './rows.js';
import type { RunContext } from './socialize.js';

/** Thrown after verify has printed what differs: exit status 3. */
export class VerificationFailed extends Error {
  override name = 'VerificationFailed';
}

/** verify's inputs. */
export type VerifyOptions = { accounts: string; haircuts: string } & ParametersOrReport;

/** How many differences verify prints. */
const SHOWN = 10;

/** Runs verify; prints its verdict on stdout; throws VerificationFailed (exit 3) when anything differs. */
export async function verify(options: VerifyOptions, context: RunContext): Promise<void> {
  const started = performance.now();
  const { parameters, report } = resolveParameters(options);
  const sources = await openSources(options.accounts, parameters);
  let haircutSource: InputSource;
  try {
    haircutSource = await InputSource.open(options.haircuts);
  } catch (error) {
    sources.accounts.close();
    sources.pools?.close();
    throw error;
  }
  // No outputs, but the inputs must be distinct files.
  await openOutputs([], [sources.accounts, ...(sources.pools ? [sources.pools] : []), haircutSource]);
  const platform = nodePlatform(context.quiet);
  const loaded = await loadRun(sources, parameters, platform);
  const decimalsOf = decimalsOfRow(loaded);
  const rows = new HaircutRows(haircutSource.name, loaded.table, loaded.accounts.file, decimalsOf);
  const haircutsInput = await readInto(haircutSource, undefined, rows, platform);
  const certificate = certify(auditBookOf(loaded, parameters), rows.haircuts, SHOWN);

  const problems: string[] = [];
  if (report !== null) {
    if (report.accountsSha256 !== loaded.accounts.sha256) {
      problems.push(`${loaded.accounts.file} has SHA-256 ${loaded.accounts.sha256}; the report read ${report.accountsSha256}: not the accounts the report describes`);
    }
    if (report.outputSha256 !== haircutsInput.sha256) {
      problems.push(`${haircutsInput.file} has SHA-256 ${haircutsInput.sha256}; the report wrote ${report.outputSha256}: not the haircuts the report describes`);
    }
  }
  const n = loaded.table.rows;
  const count = (k: number) => k.toLocaleString('en-US');
  const ms = Math.round(performance.now() - started);
  if (certificate.ok && problems.length === 0) {
    process.stdout.write(`verified ${count(n)} accounts${report !== null ? ' (both files are the ones the report names)' : ''}\n`);
    if (!context.quiet) process.stderr.write(`checked ${count(n)} haircuts of ${haircutsInput.file} against ${loaded.accounts.file} by ${parameters.rounding} in ${ms} ms\n`);
    return;
  }
  const lines = [...problems];
  if (!certificate.ok) {
    lines.push(`${count(certificate.mismatches)} of ${count(n)} haircuts differ from what ${parameters.rounding} gives${certificate.mismatches > SHOWN ? `; the first ${SHOWN}` : ''}:`);
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    for (const { index, expected, found } of certificate.differences) {
      const places = decimalsOf(index);
      lines.push(`  ${haircutsInput.file}:${rows.lines[index]}: account ${quote(decoder.decode(loaded.table.idOf(index)))}: expected ${formatUnits(expected, places)}, found ${formatUnits(found, places)}`);
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
  throw new VerificationFailed(lines[0]);
}
