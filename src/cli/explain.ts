// `socialized-loss explain ACCOUNTS --account ID`: one account's whole
// derivation, by the auditor's arithmetic (src/audit), as text or JSON; with
// `--mechanism`, under one of compare's mechanisms (the queue: its place in it).

import { auditBookOf, capacitiesOfTable, explainRow, mechanismBooksOf } from '../run/audit-book.js';
import { explainQueue, type QueueBook } from '../audit/queue.js';
import { formatGrouped, formatUnits } from '../files/decimal.js';
import { quote, UsageError } from '../files/errors.js';
import { openSources, readSmallFile, resolveParameters, type ParametersOrReport } from './input.js';
import { loadRun, type Loaded } from '../run/load.js';
import { nodePlatform } from '../host/node.js';
import { openOutputs } from './output.js';
import type { RunContext } from './socialize.js';
import { isCompareReport, readCompareReport } from '../run/compare-read.js';
import { MAX_REPORT_BYTES } from '../run/report-read.js';
import type { CompareParameters, Mechanism, Parameters } from '../run/parameters.js';

/** explain's inputs: `mechanism` (with compare's parameters or a compare report) explains under that mechanism. */
export type ExplainOptions = { accounts: string; account: string; json: boolean; mechanism?: Mechanism | undefined } & (ParametersOrReport | { parameters: CompareParameters });

/** Runs explain: the derivation on stdout. */
export async function explain(options: ExplainOptions, context: RunContext): Promise<void> {
  if (options.account === '') throw new UsageError('--account is empty; expected an account identifier');
  const read = 'report' in options ? await readSmallFile(options.report, 'the report', MAX_REPORT_BYTES) : undefined;
  let parameters: Parameters | CompareParameters;
  let accountsSha256: string | null = null;
  if (read !== undefined && isCompareReport(read.text)) {
    const report = readCompareReport(read.text, read.source.name);
    if (options.mechanism === undefined) throw new UsageError(`${read.source.name} is a compare report; give --mechanism (one of ${report.parameters.mechanisms.join(', ')})`);
    parameters = report.parameters;
    accountsSha256 = report.accountsSha256;
  } else {
    if (read !== undefined && options.mechanism !== undefined) throw new UsageError(`--mechanism explains a compare run; ${read.source.name} is a socialize report`);
    const resolved = await resolveParameters(options as ParametersOrReport, read);
    parameters = resolved.parameters;
    accountsSha256 = resolved.report?.accountsSha256 ?? null;
  }
  const mechanism = options.mechanism;
  if (mechanism !== undefined && !(parameters as CompareParameters).mechanisms.includes(mechanism)) {
    throw new UsageError(`--mechanism ${mechanism} is not among the report's mechanisms (${(parameters as CompareParameters).mechanisms.join(', ')})`);
  }
  const sources = await openSources(options.accounts, parameters);
  await openOutputs([], [sources.accounts, ...(sources.pools ? [sources.pools] : []), ...(read ? [read.source] : [])]);
  const loaded = await loadRun(sources, parameters, nodePlatform(context.quiet));
  const { table } = loaded;
  const row = table.findId(new TextEncoder().encode(options.account));
  if (row < 0) throw new UsageError(`--account ${quote(options.account)} is not in ${loaded.accounts.file} (${table.rows.toLocaleString('en-US')} accounts; identifiers match byte for byte)`);
  if (accountsSha256 !== null && accountsSha256 !== loaded.accounts.sha256) {
    process.stderr.write(`socialized-loss: warning: ${loaded.accounts.file} (SHA-256 ${loaded.accounts.sha256}) is not the file the report read (${accountsSha256}); explained by the report's parameters\n`);
  }
  let text: string, json: unknown;
  if (mechanism === undefined) {
    ({ text, json } = explainRow(loaded, parameters, auditBookOf(loaded, parameters), row, options.account));
  } else {
    const compare = parameters as CompareParameters;
    const books = mechanismBooksOf(loaded, compare, capacitiesOfTable(loaded, compare, table.column('profits')));
    if (mechanism === 'queue') ({ text, json } = explainInQueue(loaded, compare, books.queue, row, options.account));
    else {
      const book = mechanism === 'weighted' ? books.weighted! : books.proRata;
      const weighted = { ...parameters, weightDecimals: mechanism === 'weighted' ? parameters.weightDecimals : parameters.decimals, columns: { ...parameters.columns, weight: mechanism === 'weighted' ? parameters.columns.weight : 'max(profit, 0)', cap: compare.columns.capacity } };
      const plain = mechanism === 'pro-rata' && compare.columns.capacity === undefined;
      ({ text, json } = explainRow(loaded, plain ? parameters : weighted, book, row, options.account));
      json = { mechanism, ...(json as object) };
      text = `under ${mechanism}${plain ? '' : `, capped by ${compare.columns.capacity === undefined ? 'max(profit, 0)' : `the capacity column ${quote(compare.columns.capacity)}`}`}:\n${text}`;
    }
  }
  const out = options.json ? JSON.stringify(json, null, 2) : text;
  process.stdout.write(out.endsWith('\n') ? out : out + '\n');
}

/** One account's place in the queue, as text and JSON. */
function explainInQueue(loaded: Loaded, parameters: CompareParameters, book: QueueBook, row: number, account: string) {
  const place = explainQueue(book, row);
  const pool = loaded.directory.pools[loaded.table.poolOf(row)]!;
  const amount = (units: bigint) => formatGrouped(units, pool.decimals);
  const exact = (units: bigint) => formatUnits(units, pool.decimals);
  const scoreDecimals = parameters.columns.score !== undefined ? parameters.scoreDecimals : pool.decimals;
  const rankedBy = parameters.columns.score !== undefined ? `the score column ${quote(parameters.columns.score)}` : `its ${parameters.rankBy}`;
  const ties = parameters.tieSeed === undefined ? 'equal scores by lower index' : `equal scores by ascending splitmix64(${parameters.tieSeed} XOR index), then lower index`;
  const where = loaded.pooled ? ` in pool ${quote(pool.name)}` : '';
  const lines = [`account ${quote(account)}${where}, under the queue (ranked by ${rankedBy}, larger first; ${ties})`];
  lines.push(`  score ${formatUnits(place.score, scoreDecimals)}, capacity ${amount(place.capacity)}${book.lots ? `, lot ${amount(place.lot)}` : ''}`);
  if (place.reason !== 'in the queue') lines.push(`  not in the queue: ${place.why}`, `  haircut ${amount(0n)}`);
  else {
    lines.push(`  rank ${place.rank.toLocaleString('en-US')} of the ${place.queueLength.toLocaleString('en-US')} accounts that may pay${where}`);
    lines.push(`  to cover ${amount(place.toCover)}; still needed when its turn came: ${amount(place.needBefore)}`);
    lines.push(`  haircut ${amount(place.paid)}: ${place.why}`);
  }
  const json = {
    account, ...(loaded.pooled ? { pool: pool.name } : {}), mechanism: 'queue', inQueue: place.reason === 'in the queue', reason: place.reason,
    score: formatUnits(place.score, scoreDecimals), capacity: exact(place.capacity), lot: exact(place.lot),
    rank: place.rank, queueLength: place.queueLength, toCover: exact(place.toCover), needBefore: exact(place.needBefore), haircut: exact(place.paid), why: place.why,
  };
  return { text: lines.join('\n'), json };
}
