// `socialized-loss explain ACCOUNTS --account ID`: one account's whole
// derivation, by the auditor's arithmetic (src/audit), as text or JSON.

import { explainAccount, explanationJson, explanationText } from '../audit/index.js';
import { formatUnits } from './decimal.js';
import { quote, UsageError } from './errors.js';
import { loadRun, openSources } from './load.js';
import { openOutputs } from './output.js';
import { auditBookOf, resolveParameters, type ParametersOrReport } from './audit-book.js';
import type { RunContext } from './socialize.js';

/** explain's inputs. */
export type ExplainOptions = { accounts: string; account: string; json: boolean } & ParametersOrReport;

/** Runs explain: the derivation on stdout. */
export async function explain(options: ExplainOptions, context: RunContext): Promise<void> {
  const { parameters, report } = resolveParameters(options);
  if (options.account === '') throw new UsageError('--account is empty; expected an account identifier');
  const sources = await openSources(options.accounts, parameters);
  await openOutputs([], [sources.accounts, ...(sources.pools ? [sources.pools] : [])]);
  const loaded = await loadRun(sources, parameters, context.quiet);
  const { table, directory } = loaded;
  const row = table.findId(new TextEncoder().encode(options.account));
  if (row < 0) throw new UsageError(`--account ${quote(options.account)} is not in ${loaded.accounts.file} (${table.rows.toLocaleString('en-US')} accounts; identifiers match byte for byte)`);
  const explanation = explainAccount(auditBookOf(loaded, parameters), row);
  if (report !== null && report.accountsSha256 !== loaded.accounts.sha256) {
    process.stderr.write(`socialized-loss: warning: ${loaded.accounts.file} (SHA-256 ${loaded.accounts.sha256}) is not the file the report read (${report.accountsSha256}); explained by the report's parameters\n`);
  }
  const pool = directory.pools[table.poolOf(row)]!;
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const names = {
    amount: (units: bigint) => formatUnits(units, pool.decimals),
    decimals: pool.decimals,
    weight: (units: bigint) => formatUnits(units, parameters.weightDecimals),
    account: options.account,
    accountOf: (index: number) => decoder.decode(table.idOf(index)),
    ...(loaded.pooled ? { pool: pool.name } : {}),
  };
  const text = options.json ? JSON.stringify(explanationJson(explanation, names), null, 2) : explanationText(explanation, names);
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}
