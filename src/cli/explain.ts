// `socialized-loss explain ACCOUNTS --account ID`: one account's whole
// derivation, by the auditor's arithmetic (src/audit), as text or JSON.

import { auditBookOf, explainRow } from '../run/audit-book.js';
import { quote, UsageError } from '../files/errors.js';
import { openSources, resolveParameters, type ParametersOrReport } from './input.js';
import { loadRun } from '../run/load.js';
import { nodePlatform } from '../host/node.js';
import { openOutputs } from './output.js';
import type { RunContext } from './socialize.js';

/** explain's inputs. */
export type ExplainOptions = { accounts: string; account: string; json: boolean } & ParametersOrReport;

/** Runs explain: the derivation on stdout. */
export async function explain(options: ExplainOptions, context: RunContext): Promise<void> {
  const { parameters, report } = await resolveParameters(options);
  if (options.account === '') throw new UsageError('--account is empty; expected an account identifier');
  const sources = await openSources(options.accounts, parameters);
  await openOutputs([], [sources.accounts, ...(sources.pools ? [sources.pools] : [])]);
  const loaded = await loadRun(sources, parameters, nodePlatform(context.quiet));
  const { table } = loaded;
  const row = table.findId(new TextEncoder().encode(options.account));
  if (row < 0) throw new UsageError(`--account ${quote(options.account)} is not in ${loaded.accounts.file} (${table.rows.toLocaleString('en-US')} accounts; identifiers match byte for byte)`);
  const { text, json } = explainRow(loaded, parameters, auditBookOf(loaded, parameters), row, options.account);
  if (report !== null && report.accountsSha256 !== loaded.accounts.sha256) {
    process.stderr.write(`socialized-loss: warning: ${loaded.accounts.file} (SHA-256 ${loaded.accounts.sha256}) is not the file the report read (${report.accountsSha256}); explained by the report's parameters\n`);
  }
  const out = options.json ? JSON.stringify(json, null, 2) : text;
  process.stdout.write(out.endsWith('\n') ? out : out + '\n');
}
