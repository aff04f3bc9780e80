// `socialized-loss verify ACCOUNTS COMPARE_OUT --report REPORT` for a compare
// report: every mechanism's column checked by the auditor's arithmetic (the
// pro-rata rules by src/audit's certificate, the queue by its own), the profit,
// capacity and pool columns against ACCOUNTS, both files' hashes, sizes and
// rows, and every measure of the report against the measures of the haircuts
// the rules give (plain bigint, apart from the engine's). Exit 3 with what differs.

import { auditHaircuts, certify } from '../audit/index.js';
import { certifyQueue } from '../audit/queue.js';
import { DecimalError, formatUnits, parseUnitsInto } from '../files/decimal.js';
import { InputError, quote } from '../files/errors.js';
import type { ColumnRequest, Fields, RowConsumer } from '../files/fields.js';
import { readInto } from '../files/read.js';
import { nodePlatform } from '../host/node.js';
import { measureHaircuts } from '../measures.js';
import { MECHANISM_COLUMNS, type Compared, type MechanismOutcome } from '../run/compare.js';
import { readCompareReport } from '../run/compare-read.js';
import { compareResultSection } from '../run/compare-report.js';
import { capacitiesOfTable, mechanismBooksOf } from '../run/audit-book.js';
import { decimalsOfRow, loadRun, type Loaded } from '../run/load.js';
import type { CompareParameters, Mechanism } from '../run/parameters.js';
import type { Json } from '../run/report-read.js';
import type { InputSource } from './input.js';
import { openVerifyInputs } from './output.js';
import type { RunContext } from './socialize.js';
import { checkAllAccounts, checkSameAccount, toBigInt } from './verify-haircuts.js';
import { compare as compareJson, leaves, roundedDifferences, type FieldDifference } from './verify-report.js';
import { VerificationFailed } from './verify-failed.js';

/** How many differences of each kind are printed. */
const SHOWN = 10;

/** A compare output read for verify: each mechanism's column, and profit, capacity and pool compared as read. */
class CompareRows implements RowConsumer {
  readonly columns: ColumnRequest[];
  readonly haircuts: BigInt64Array[];
  readonly lines: Uint32Array;
  /** Profit, capacity and pool values that differ: counted, the first `SHOWN` kept. */
  mismatches = 0;
  readonly differences: { index: number; column: string; expected: string; found: string }[] = [];
  #row = 0;
  readonly #scratch = new Int32Array(2);

  constructor(readonly file: string, readonly loaded: Loaded, readonly capacities: BigInt64Array, readonly decimalsOf: (row: number) => number, mechanisms: readonly Mechanism[]) {
    const amount = (name: string): ColumnRequest => ({ name, kind: 'amount', required: true, option: null });
    this.columns = [
      { name: 'account', kind: 'id', required: true, option: null }, amount('profit'), amount('capacity'),
      { name: 'pool', kind: 'text', required: loaded.pooled, option: null },
      ...mechanisms.map((m) => amount(MECHANISM_COLUMNS[m])),
    ];
    this.haircuts = mechanisms.map(() => new BigInt64Array(loaded.table.rows));
    this.lines = new Uint32Array(loaded.table.rows);
  }

  row(f: Fields, line: number): void {
    const row = this.#row;
    checkSameAccount(f, line, row, this.loaded, this.file);
    const places = this.decimalsOf(row);
    const { table } = this.loaded;
    const profit = this.#amount(f, 1, places);
    const { words, offset } = table.profitWords(row);
    const want = toBigInt(words[offset]!, words[offset + 1]!);
    if (profit !== want) this.#differ(row, 'profit', formatUnits(want, places), formatUnits(profit, places));
    const capacity = this.#amount(f, 2, places);
    if (capacity !== this.capacities[row]) this.#differ(row, 'capacity', formatUnits(this.capacities[row]!, places), formatUnits(capacity, places));
    if (this.loaded.pooled) {
      const expected = this.loaded.directory.nameOf(table.poolOf(row));
      const found = f.bytes(3);
      if (found.length !== expected.length || found.some((b, i) => b !== expected[i])) {
        const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
        this.#differ(row, 'pool', quote(decoder.decode(expected)), quote(decoder.decode(found)));
      }
    }
    this.haircuts.forEach((column, m) => {
      column[row] = this.#amount(f, 4 + m, places);
    });
    this.lines[row] = line;
    this.#row = row + 1;
  }

  end(line: number): void {
    checkAllAccounts(line, this.#row, this.loaded, this.file);
  }

  #differ(index: number, column: string, expected: string, found: string): void {
    this.mismatches++;
    if (this.differences.length < SHOWN) this.differences.push({ index, column, expected, found });
  }

  #amount(f: Fields, k: number, places: number): bigint {
    try {
      parseUnitsInto(f.buffer, f.start[k]!, f.end[k]!, places, this.#scratch, 0);
    } catch (error) {
      if (!(error instanceof DecimalError)) throw error;
      throw new InputError(this.file, f.line[k]!, f.column[k]!, `${this.columns[k]!.name} ${error.message}`);
    }
    return toBigInt(this.#scratch[0]!, this.#scratch[1]!);
  }
}

/** Runs verify on a compare output with its report (`text`, read from `reportSource`). */
export async function verifyCompare(
  options: { accounts: string; haircuts: string }, text: string, reportSource: InputSource, context: RunContext,
): Promise<void> {
  const started = performance.now();
  const report = readCompareReport(text, reportSource.name);
  const { parameters } = report;
  const { sources, checked: outSource } = await openVerifyInputs(options.accounts, options.haircuts, parameters, reportSource);
  const platform = nodePlatform(context.quiet);
  const loaded = await loadRun(sources, parameters, platform);
  const profits = loaded.table.column('profits');
  const capacities = capacitiesOfTable(loaded, parameters, profits);
  const decimalsOf = decimalsOfRow(loaded);
  const rows = new CompareRows(outSource.name, loaded, capacities, decimalsOf, parameters.mechanisms);
  const outInput = await readInto(outSource, 'csv', rows, platform);
  const books = mechanismBooksOf(loaded, parameters, capacities);
  const count = (k: number) => k.toLocaleString('en-US');
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const where = (index: number) => `${outInput.file}:${rows.lines[index]}: account ${quote(decoder.decode(loaded.table.idOf(index)))}`;
  const lines: string[] = [];

  const outcomes = parameters.mechanisms.map((mechanism, m): MechanismOutcome => {
    const found = rows.haircuts[m]!;
    let expected: BigInt64Array, mismatches: number, differences: { index: number; expected: bigint; found: bigint }[];
    let dust = loaded.directory.pools.map(() => 0n);
    if (mechanism === 'queue') {
      ({ expected, mismatches, differences } = certifyQueue(books.queue, found, SHOWN));
    } else {
      const book = mechanism === 'weighted' ? books.weighted! : books.proRata;
      const certificate = certify(book, found, SHOWN);
      expected = certificate.ok ? found : auditHaircuts(book).haircuts;
      ({ mismatches, differences } = certificate);
      dust = certificate.pools.map((t) => t.roundingDust);
    }
    if (mismatches > 0) {
      lines.push(`${count(mismatches)} of ${count(loaded.table.rows)} ${MECHANISM_COLUMNS[mechanism]} haircuts differ from what ${mechanism}${mechanism === 'queue' ? '' : ` (${parameters.rounding})`} gives${mismatches > SHOWN ? `; the first ${SHOWN}` : ''}:`);
      for (const d of differences) lines.push(`  ${where(d.index)}: expected ${formatUnits(d.expected, decimalsOf(d.index))}, found ${formatUnits(d.found, decimalsOf(d.index))}`);
    }
    const summaries = loaded.directory.pools.map((pool, k) => ({
      insuranceUsed: pool.insuranceFund < pool.loss ? pool.insuranceFund : pool.loss, socialized: 0n, uncovered: 0n, roundingDust: dust[k]!, surplus: 0n,
    }));
    const measures = measureHaircuts({
      haircuts: expected, capacities, ...(books.queue.exempt ? { exempt: books.queue.exempt } : {}),
      ...(books.queue.pool ? { pool: books.queue.pool, pools: books.queue.pools } : books.queue.pools[0]!),
    });
    return { mechanism, haircuts: expected, summaries, measures };
  });
  if (rows.mismatches > 0) {
    lines.push(`${count(rows.mismatches)} profit, capacity or pool values of ${outInput.file} differ from what ${loaded.accounts.file} gives${rows.mismatches > SHOWN ? `; the first ${SHOWN}` : ''}:`);
    for (const d of rows.differences) lines.push(`  ${where(d.index)}: ${d.column} expected ${d.expected}, found ${d.found}`);
  }
  if (report.accountsSha256 !== loaded.accounts.sha256) {
    lines.push(`${loaded.accounts.file} has SHA-256 ${loaded.accounts.sha256}; the report read ${report.accountsSha256}: not the accounts the report describes`);
  }
  if (report.outputSha256 !== outInput.sha256) {
    lines.push(`${outInput.file} has SHA-256 ${outInput.sha256}; the report wrote ${report.outputSha256}: not the compare output the report describes`);
  }
  const compared: Compared = { capacities, outcomes, computeMs: 0 };
  const differences: FieldDifference[] = [];
  const check = (field: string, expected: number, found: Json | undefined) => {
    if (found !== expected) differences.push({ field, expected: String(expected), found: JSON.stringify(found ?? null) });
  };
  check('inputs.accounts.bytes', loaded.accounts.bytes, (report.inputs.accounts as { bytes?: Json }).bytes);
  check('inputs.accounts.rows', loaded.accounts.rows, (report.inputs.accounts as { rows?: Json }).rows);
  check('output.bytes', outInput.bytes, report.output.bytes);
  check('output.rows', loaded.table.rows, report.output.rows);
  roundedDifferences(parameters, loaded, (report.inputs.accounts as { rounded?: Json }).rounded, differences);
  compareJson(JSON.parse(JSON.stringify(compareResultSection(loaded, compared))) as Json, report.result, 'result', differences);
  const fields = 4 + leaves(report.result);
  if (differences.length > 0) {
    lines.push(`${count(differences.length)} of the report's ${count(fields)} sizes, counts and measures differ from what ${loaded.accounts.file} and ${outInput.file} give${differences.length > SHOWN ? `; the first ${SHOWN}` : ''}:`);
    for (const { field, expected, found } of differences.slice(0, SHOWN)) lines.push(`  ${field}: expected ${expected}, found ${found}`);
  }
  if (lines.length === 0) {
    process.stdout.write(`verified ${count(loaded.table.rows)} accounts under ${parameters.mechanisms.join(', ')} (both files are the ones the report names)\n`);
    if (!context.quiet) {
      process.stderr.write(`checked ${count(loaded.table.rows * parameters.mechanisms.length)} haircuts of ${outInput.file} against ${loaded.accounts.file} and the report's ${count(fields)} sizes, counts and measures in ${Math.round(performance.now() - started)} ms\n`);
    }
    return;
  }
  process.stdout.write(lines.join('\n') + '\n');
  throw new VerificationFailed(lines[0]);
}
