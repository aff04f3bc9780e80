// The workbench page's jobs, run in its Web Worker (web/worker.js): the same
// reading, parameters, run and report as `socialized-loss socialize`
// (load.ts, parameters.ts, run.ts, report.ts), over Files instead of paths,
// plus what the page shows: per-pool totals, who pays by decile of profit, the
// largest haircuts with their exact quotas, the auditor's check, and one
// account's explanation. Nothing here touches the DOM or Node.

import { certify, quotaDecimal, quotasOf, type AuditBook } from '../audit/index.js';
import type { Engine } from '../engine.js';
import { generateProfits, type Profile } from '../scenario.js';
import type { Rounding, SocializeSummary } from '../types.js';
import { auditBookOf, explainRow, type AccountExplanation } from '../run/audit-book.js';
import { writeUnits } from '../files/decimal.js';
import { InputError, quote, UsageError } from '../files/errors.js';
import { loadRun, type Loaded, type Sources } from '../run/load.js';
import { readParameters, readReading, type Parameters } from '../run/parameters.js';
import type { Platform } from '../host/platform.js';
import { BlobSource } from '../host/browser.js';
import { headerOfInput } from '../files/read.js';
import { delimiterName } from '../files/fields.js';
import { rateOf, type Rate } from '../fraction.js';
import type { PoolOutcome } from '../run/report.js';
import { coreInfo, reportOfRun, socializeLoaded } from '../run/run.js';
import { Sink } from '../files/sink.js';
import { END_OF_ROW, SEPARATOR, writeTable } from '../files/write.js';

/** The page's controls, as typed ('' where a control is empty or "none"). */
export interface WorkbenchForm {
  decimals: string;
  loss: string;
  insuranceFund: string;
  accountColumn: string;
  profitColumn: string;
  poolColumn: string;
  exemptColumn: string;
  weightColumn: string;
  weightDecimals: string;
  capColumn: string;
  rounding: string;
  tieSeed: string;
  /** '' (detected), ',', ';', 'tab' or '|'. */
  delimiter: string;
  /** 'true' when checked, else ''. */
  decimalComma: string;
  /** '' or 'exact', 'half-even', 'half-up', 'down', 'up'. */
  inputRounding: string;
}

/** A file the user chose: its bytes and its name. */
export interface NamedBlob {
  blob: Blob;
  name: string;
}

/** Each command-line option the form sets, by the label of its control (what the page's messages say instead). */
export const LABELS: Readonly<Record<string, string>> = {
  decimals: 'Decimals', loss: 'Loss', 'insurance-fund': 'Insurance fund', 'pool-column': 'Pool column', pools: 'Pools file',
  'account-column': 'Account column', 'profit-column': 'Profit column', 'exempt-column': 'Exempt column',
  'weight-column': 'Weight column', 'weight-decimals': 'Weight decimals', 'cap-column': 'Cap column', rounding: 'Rounding',
  'tie-seed': 'Tie seed', mechanisms: 'Mechanisms', 'capacity-column': 'Capacity column', 'score-column': 'Score column',
  'score-decimals': 'Score decimals', 'rank-by': 'Rank by', 'lot-column': 'Lot column',
  delimiter: 'Delimiter', 'decimal-comma': 'Decimal comma', 'input-rounding': 'Input rounding',
};

/** A command-line message in the page's words: each `--option` named by its control's label. */
export function inLabels(message: string): string {
  return message.replace(/--([a-z-]+)/g, (flag, name: string) => LABELS[name] ?? flag);
}

/**
 * The form's values as socialize's parameters, by the command line's own rules
 * (readParameters): a UsageError, in the page's labels, for a bad or missing value
 * or a conflict. `pools`: the name of the chosen pools file, or null.
 */
export function parametersOfForm(form: WorkbenchForm, pools: string | null): Parameters {
  try {
    return readParameters(optionsOfForm(form, pools));
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(inLabels(error.message));
    throw error;
  }
}

/** The form's values as the command line's options (by name without `--`): what a run of socialize or compare is given. */
export function optionsOfForm(form: WorkbenchForm, pools: string | null): Map<string, string> {
  const options = new Map<string, string>();
  const set = (option: string, value: string) => {
    if (value.trim() !== '') options.set(option, value.trim());
  };
  set('decimals', form.decimals);
  set('account-column', form.accountColumn);
  set('profit-column', form.profitColumn);
  set('pool-column', form.poolColumn);
  if (pools !== null) options.set('pools', pools);
  // A pooled run takes each pool's loss and fund from the pools file: the form's (disabled) values are not asked.
  if (form.poolColumn.trim() === '') {
    set('loss', form.loss);
    set('insurance-fund', form.insuranceFund);
  }
  set('exempt-column', form.exemptColumn);
  set('weight-column', form.weightColumn);
  if (form.weightColumn.trim() !== '') set('weight-decimals', form.weightDecimals);
  if (form.weightColumn.trim() !== '') set('cap-column', form.capColumn);
  set('rounding', form.rounding);
  set('tie-seed', form.tieSeed);
  set('delimiter', form.delimiter ?? '');
  if (form.decimalComma === 'true') options.set('decimal-comma', '');
  set('input-rounding', form.inputRounding ?? '');
  return options;
}

/**
 * The columns a chosen file has (its header), for the column controls, and the CSV
 * delimiter its header splits on (by the form's Delimiter and Decimal comma; null: not CSV).
 */
export async function columnsOfFile(file: NamedBlob, platform: Platform, form?: Pick<WorkbenchForm, 'delimiter' | 'decimalComma'>): Promise<{ columns: string[]; delimiter: string | null }> {
  const csv = form === undefined ? undefined : { delimiter: readReading(optionsOfForm({ ...EMPTY_FORM, ...form }, null)).delimiter, decimalComma: form.decimalComma === 'true' };
  const { columns, delimiter } = await headerOfInput(new BlobSource(file.blob, file.name), undefined, platform, csv);
  return { columns, delimiter: delimiter === null ? null : delimiterName(delimiter) };
}

/** Every control empty. */
const EMPTY_FORM: WorkbenchForm = {
  decimals: '', loss: '', insuranceFund: '', accountColumn: '', profitColumn: '', poolColumn: '', exemptColumn: '', weightColumn: '',
  weightDecimals: '', capColumn: '', rounding: '', tieSeed: '', delimiter: '', decimalComma: '', inputRounding: '',
};

/** One pool's result, as the page shows it (amounts as exact decimals). */
export interface PoolView {
  /** '' without a pool column. */
  name: string;
  listed: boolean;
  decimals: number;
  accounts: number;
  charged: number;
  summary: SocializeSummary;
  loss: bigint;
  insuranceFund: bigint;
  rate: Rate;
  /** Who pays: accounts eligible by profit in ten groups of rising profit. */
  deciles: Decile[];
  /** The accounts paying the largest haircuts, largest first (ties: lower index first). */
  largest: LargeHaircut[];
}

/** A tenth of a pool's eligible accounts by profit, and what it pays. */
export interface Decile {
  /** Accounts in it (equal profits stay together, so tenths may differ in size). */
  accounts: number;
  /** The smallest and largest profit in it. */
  low: bigint;
  high: bigint;
  /** Σ profits and Σ haircuts of its accounts. */
  profit: bigint;
  paid: bigint;
}

/** One of the largest haircuts. */
export interface LargeHaircut {
  row: number;
  account: string;
  profit: bigint;
  haircut: bigint;
  /** The exact quota as an amount (QUOTA_DIGITS past the pool's decimals, … when it goes on), and in units as a reduced fraction. */
  quota: string;
  fraction: string;
}

/** What a run gives the page. */
export interface WorkbenchResult {
  accounts: number;
  pooled: boolean;
  weighted: boolean;
  rounding: Rounding;
  pools: PoolView[];
  /** The haircuts CSV (the command line's bytes) and the report, with their download names. */
  haircuts: { name: string; parts: Uint8Array[]; bytes: number; sha256: string };
  report: { name: string; text: string };
  /** Whether the auditor's independent arithmetic (src/audit) agrees with every haircut. */
  certified: boolean;
  timingsMs: { read: number; compute: number; write: number; audit: number; total: number };
  core: string;
  /** The accounts file's format, as decided. */
  format: string;
}

/** How many of the largest haircuts each pool shows. */
const LARGEST = 15;
/** Digits of a largest haircut's quota shown past its pool's decimals. */
const QUOTA_DIGITS = 6;

/** What a run keeps for Explain account. */
export interface Session {
  loaded: Loaded;
  parameters: Parameters;
  book: AuditBook;
}

/** The chosen files as a run's sources. */
export function sourcesOf(files: { accounts: NamedBlob; pools: NamedBlob | null }): Sources {
  return {
    accounts: new BlobSource(files.accounts.blob, files.accounts.name),
    pools: files.pools === null ? null : new BlobSource(files.pools.blob, files.pools.name),
  };
}

/** The download names for an accounts file: `export-haircuts.csv` and `export-report.json`. */
export function downloadNames(accounts: string): { haircuts: string; report: string } {
  const stem = accounts.replace(/\.[^.]*$/, '') || 'accounts';
  return { haircuts: `${stem}-haircuts.csv`, report: `${stem}-report.json` };
}

/**
 * Socializes a chosen accounts file (and pools file) by the form, as the command
 * line would with `--out NAME-haircuts.csv --report NAME-report.json`: the same
 * bytes, the report without what only a command run knows (timings, time,
 * command line). `phase` is told each step past reading (whose progress is the
 * platform's meter). Throws InputError (with file:line:column) or UsageError.
 */
export async function runWorkbench(
  engine: Engine, version: string, files: { accounts: NamedBlob; pools: NamedBlob | null }, form: WorkbenchForm, platform: Platform,
  phase: (name: string) => void = () => {},
): Promise<{ result: WorkbenchResult; session: Session }> {
  const started = performance.now();
  // readParameters refuses a pool column without a pools file, and a pools file without a pool column.
  const parameters = parametersOfForm(form, files.pools?.name ?? null);
  const loaded = await loadRun(sourcesOf(files), parameters, platform);
  const read = performance.now();
  phase('socializing');
  const names = downloadNames(files.accounts.name);
  const parts: Uint8Array[] = [];
  const run = await socializeLoaded(engine, loaded, parameters, new Sink(platform, (bytes) => void parts.push(bytes)), { keep: true });
  const haircuts = run.haircuts!;
  const report = reportOfRun(version, await coreInfo(engine, platform), loaded, parameters, run, names.haircuts);
  phase('checking every haircut with the auditor\'s arithmetic');
  const audited = performance.now();
  const book = auditBookOf(loaded, parameters);
  const certified = certify(book, haircuts, 1).ok;
  const auditMs = performance.now() - audited;
  const views = poolViews(loaded, book, haircuts, run.outcomes);
  return {
    result: {
      accounts: loaded.table.rows, pooled: loaded.pooled, weighted: parameters.columns.weight !== undefined, rounding: parameters.rounding,
      pools: views,
      haircuts: { name: names.haircuts, parts, bytes: run.bytes, sha256: run.sha256 },
      report: { name: names.report, text: report },
      certified,
      timingsMs: { read: read - started, compute: run.computeMs, write: run.writeMs, audit: auditMs, total: performance.now() - started },
      core: engine.variant,
      format: loaded.accounts.format,
    },
    session: { loaded, parameters, book },
  };
}

/** Each pool's totals, deciles and largest haircuts. */
function poolViews(loaded: Loaded, book: AuditBook, haircuts: BigInt64Array, outcomes: PoolOutcome[]): PoolView[] {
  const { table, directory } = loaded;
  const n = table.rows;
  const profits = book.profits;
  const exempt = book.exempt;
  // Eligible by profit: positive and not exempt (under weights too: who pays, by how much they made).
  const members: number[][] = directory.pools.map(() => []);
  const top: number[][] = directory.pools.map(() => []);
  for (let i = 0; i < n; i++) {
    const pool = table.poolOf(i);
    if (profits[i]! > 0n && (exempt === undefined || exempt[i] === 0)) members[pool]!.push(i);
    if (haircuts[i] !== 0n) insertLargest(top[pool]!, haircuts, i);
  }
  const all = top.flat();
  const quotas = all.length === 0 ? [] : quotasOf(book, all);
  const quotaOf = new Map(all.map((row, j) => [row, quotas[j]!]));
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  return outcomes.map((outcome, p) => {
    const { pool, summary } = outcome;
    return {
      name: pool.name, listed: pool.line > 0, decimals: pool.decimals, accounts: outcome.accounts, charged: outcome.charged, summary,
      loss: pool.loss, insuranceFund: pool.insuranceFund,
      rate: rateOf(summary.socialized, summary.totalProfit),
      deciles: decilesOf(members[p]!, profits, haircuts),
      largest: top[p]!.map((row) => {
        const q = quotaOf.get(row)!;
        return {
          row, account: decoder.decode(table.idOf(row)), profit: profits[row]!, haircut: haircuts[row]!,
          quota: quotaDecimal(q.numerator, q.denominator * 10n ** BigInt(pool.decimals), pool.decimals + QUOTA_DIGITS),
          fraction: `${q.reducedNumerator}/${q.reducedDenominator}`,
        };
      }),
    } satisfies PoolView;
  });
}

/** Keeps `top` the LARGEST rows with the largest haircuts, largest first, lower row first among equals. */
function insertLargest(top: number[], haircuts: BigInt64Array, row: number): void {
  const h = haircuts[row]!;
  if (top.length === LARGEST && h <= haircuts[top[top.length - 1]!]!) return;
  let at = top.length;
  while (at > 0 && haircuts[top[at - 1]!]! < h) at--;
  top.splice(at, 0, row);
  if (top.length > LARGEST) top.pop();
}

/** The accounts `rows` in ten groups by rising profit (equal profits in one group), with Σ profit and Σ haircut of each. */
function decilesOf(rows: number[], profits: BigInt64Array, haircuts: BigInt64Array): Decile[] {
  const m = rows.length;
  if (m === 0) return [];
  const sorted = BigInt64Array.from(rows, (i) => profits[i]!).sort();
  // Group j holds the profits from the j-th tenth's first value up to the next tenth's.
  const starts: bigint[] = [];
  for (let j = 1; j < 10; j++) starts.push(sorted[Math.floor((j * m) / 10)]!);
  const deciles: Decile[] = Array.from({ length: 10 }, () => ({ accounts: 0, low: 0n, high: 0n, profit: 0n, paid: 0n }));
  for (const i of rows) {
    const profit = profits[i]!;
    let j = 0;
    while (j < 9 && profit >= starts[j]!) j++;
    const d = deciles[j]!;
    if (d.accounts === 0 || profit < d.low) d.low = profit;
    if (d.accounts === 0 || profit > d.high) d.high = profit;
    d.accounts++;
    d.profit += profit;
    d.paid += haircuts[i]!;
  }
  return deciles;
}

/** Explains one account of the last run by identifier (as `explain --json` and its text): a UsageError when it is not in the file. */
export function explainInSession(session: Session, account: string): AccountExplanation {
  const { loaded, parameters, book } = session;
  if (account === '') throw new UsageError('Explain account is empty; enter an account identifier');
  const row = loaded.table.findId(new TextEncoder().encode(account));
  if (row < 0) throw new UsageError(`account ${quote(account)} is not in ${loaded.accounts.file} (${loaded.table.rows.toLocaleString('en-US')} accounts; identifiers match byte for byte)`);
  return explainRow(loaded, parameters, book, row, account);
}

/** A generated book (the demo's scenarios) as an accounts CSV of `account,profit` at 6 decimals, with its name. */
export async function generatedBook(accounts: number, profile: Profile, seed: number, platform: Platform): Promise<{ name: string; parts: Uint8Array[] }> {
  if (!Number.isInteger(accounts) || accounts < 1 || accounts > 10_000_000) throw new UsageError(`Accounts must be a whole number from 1 to 10,000,000, got ${accounts}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) throw new UsageError(`Seed must be a whole number from 0 to 4294967295, got ${seed}`);
  const profits = generateProfits(accounts, profile, seed);
  const parts: Uint8Array[] = [];
  const sink = new Sink(platform, (bytes) => void parts.push(bytes));
  const width = String(accounts).length;
  const ids = new TextEncoder();
  await sink.text('account,profit\n');
  await writeTable(sink, accounts, () => width + 2 + 48 + 2, (out, at, row) => {
    at += ids.encodeInto(`a${String(row + 1).padStart(width, '0')}`, out.subarray(at)).written;
    out[at++] = SEPARATOR;
    at = writeUnits(out, at, profits[row]!, 6);
    out[at++] = END_OF_ROW;
    return at;
  });
  await sink.close();
  return { name: `generated-${profile}-${seed}-${accounts}.csv`, parts };
}

/** An error as the page shows it: one line, with `file:line:column` for a bad row, options named by their labels. */
export function messageOf(error: unknown): string {
  if (error instanceof InputError || error instanceof UsageError) return inLabels(error.message);
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
