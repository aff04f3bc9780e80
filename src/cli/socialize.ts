// `socialized-loss socialize`: account file in, haircuts CSV and audit report out.

import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import { loadEngine } from '../engine.js';
import { formatUnits, wordsValue, writeUnits } from './decimal.js';
import { readCsv } from './csv.js';
import { InputError, UsageError } from './errors.js';
import { readJsonLines } from './jsonl.js';
import { InputSource } from './input.js';
import { commitAll, openOutputs, Sink } from './output.js';
import { Progress } from './progress.js';
import { AccountTable, RowLimitError } from './table.js';

/** What `socialize` was asked to do. */
export interface SocializeOptions {
  accounts: string;
  loss: bigint;
  insuranceFund: bigint;
  decimals: number;
  out?: string | undefined;
  report?: string | undefined;
  quiet: boolean;
  version: string;
}

const COMMA = 0x2c, QUOTE = 0x22, LF = 0x0a, CR = 0x0d;

/** Runs the command; throws InputError / UsageError / EnvironmentError for exit status 2. */
export async function socialize(options: SocializeOptions): Promise<void> {
  const started = performance.now();
  const { accounts, decimals } = options;
  // Everything that can be checked is checked before any work: the input opens,
  // the outputs can be written, and no two of them are the same file.
  const source = await InputSource.open(accounts);
  const format = accounts === '-' ? 'csv' : formatOf(accounts);
  const [outFile, reportFile] = await openOutputs([['--out', options.out], ['--report', options.report]], [source]);
  const name = source.name;
  const size = source.size;

  // Read, hashing the input as it streams.
  const inputHash = createHash('sha256');
  const progress = new Progress(options.quiet ? 0 : size);
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source.chunks()) {
      inputHash.update(chunk);
      progress.update(source.bytesRead);
      yield chunk;
    }
  }
  const table = new AccountTable();
  try {
    await (format === 'csv' ? readCsv : readJsonLines)(hashed(), name, decimals, table, size);
    source.checkUnchanged(true);
  } catch (error) {
    // A row cut by a file changing under the reader is reported as the change, not as the row.
    if (error instanceof InputError) source.checkUnchanged(false);
    if (error instanceof RowLimitError) throw new InputError(name, error.line, 1, error.message);
    throw error;
  } finally {
    progress.done();
    source.close();
  }
  const inputBytes = source.bytesRead;
  table.sealed();
  const read = performance.now();

  // Compute in a zero-copy book.
  const engine = await loadEngine();
  const n = table.rows;
  const book = engine.createBook(n);
  table.copyProfits(new Int32Array(book.profits.buffer, book.profits.byteOffset, 2 * n));
  const summary = book.socialize({ loss: options.loss, insuranceFund: options.insuranceFund });
  const computed = performance.now();

  // Write the haircuts, then the report; each lands only when complete.
  const sink = new Sink(outFile ?? null);
  const charged = await writeRows(sink, table, new Int32Array(book.haircuts.buffer, book.haircuts.byteOffset, 2 * n), decimals);
  const outputSha256 = await sink.close();
  book.free();
  const written = performance.now();

  if (reportFile) {
    const amount = (units: bigint) => formatUnits(units, decimals);
    const body = {
      tool: 'socialized-loss',
      version: options.version,
      input: { file: name, format, sha256: inputHash.digest('hex'), bytes: inputBytes, accounts: n },
      parameters: {
        loss: amount(options.loss), insuranceFund: amount(options.insuranceFund), decimals, rounding: 'largest-remainder',
        tieBreak: 'lower index first', engine: engine.variant,
      },
      result: {
        insuranceUsed: amount(summary.insuranceUsed),
        socialized: amount(summary.socialized),
        uncovered: amount(summary.uncovered),
        totalProfit: amount(summary.totalProfit),
        profitableAccounts: summary.profitableAccounts,
        accountsCharged: charged,
        haircutRate: summary.haircutRate,
      },
      output: { file: options.out ?? '<stdout>', sha256: outputSha256, bytes: sink.bytes, rows: n },
      timingsMs: {
        read: round(read - started), compute: round(computed - read), write: round(written - computed), total: round(written - started),
      },
      maxResidentBytes: process.resourceUsage().maxRSS * 1024,
    };
    await reportFile.write(new TextEncoder().encode(JSON.stringify(body, null, 2) + '\n'));
  }
  // Only now, with every output complete, does any of them replace a file.
  await commitAll([outFile ?? null, reportFile ?? null]);

  if (!options.quiet) {
    const amount = (units: bigint) => formatUnits(units, decimals);
    process.stderr.write([
      `socialized ${n.toLocaleString('en-US')} accounts from ${name}`,
      `  insurance used  ${amount(summary.insuranceUsed)}`,
      `  socialized      ${amount(summary.socialized)}`,
      `  uncovered       ${amount(summary.uncovered)}`,
      `  haircut rate    ${(summary.haircutRate * 100).toFixed(6)} % of ${amount(summary.totalProfit)} total profit`,
      `  accounts charged ${charged.toLocaleString('en-US')} of ${summary.profitableAccounts.toLocaleString('en-US')} profitable`,
      `  time            ${round(written - started)} ms (read ${round(read - started)}, compute ${round(computed - read)}, write ${round(written - computed)})`,
      '',
    ].join('\n'));
  }
}

/**
 * `account,profit,haircut,profit_after` rows in input order, amounts with
 * exactly `decimals` decimals. Returns how many accounts pay a haircut.
 */
async function writeRows(sink: Sink, table: AccountTable, haircuts: Int32Array, decimals: number): Promise<number> {
  await sink.text('account,profit,haircut,profit_after\n');
  let charged = 0;
  for (let row = 0; row < table.rows; row++) {
    const id = table.idOf(row);
    const room = 2 * id.length + 3 * 24 + 8;
    // Awaiting only when the buffer is full: a promise per row would cost more than the row.
    if (!sink.fits(room)) await sink.flush();
    // A row larger than the whole buffer (a huge identifier) is built on its own.
    const alone = room > sink.capacity ? new Uint8Array(room) : null;
    const out = alone ?? sink.buffer;
    let at = alone ? 0 : sink.used;
    at = writeField(out, at, id);
    const { words, offset } = table.profitWords(row);
    const profit = wordsValue(words[offset]!, words[offset + 1]!);
    const haircut = wordsValue(haircuts[2 * row]!, haircuts[2 * row + 1]!);
    if (haircut !== 0) charged++;
    const after = typeof profit === 'number' && typeof haircut === 'number' ? profit - haircut : BigInt(profit) - BigInt(haircut);
    out[at++] = COMMA;
    at = writeUnits(out, at, profit, decimals);
    out[at++] = COMMA;
    at = writeUnits(out, at, haircut, decimals);
    out[at++] = COMMA;
    at = writeUnits(out, at, after, decimals);
    out[at++] = LF;
    if (alone) await sink.write(alone.subarray(0, at));
    else sink.advance(at);
  }
  return charged;
}

/** An identifier as a CSV field: quoted (quotes doubled) only when it holds a comma, quote or line break. */
function writeField(out: Uint8Array, at: number, id: Uint8Array): number {
  let plain = true;
  for (let i = 0; i < id.length; i++) {
    const b = id[i]!;
    if (b === COMMA || b === QUOTE || b === LF || b === CR) {
      plain = false;
      break;
    }
  }
  if (plain) {
    out.set(id, at);
    return at + id.length;
  }
  out[at++] = QUOTE;
  for (let i = 0; i < id.length; i++) {
    if (id[i] === QUOTE) out[at++] = QUOTE;
    out[at++] = id[i]!;
  }
  out[at++] = QUOTE;
  return at;
}

function formatOf(file: string): 'csv' | 'jsonl' {
  const extension = extname(file).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  throw new UsageError(`cannot tell the format of ${file}: expected a .csv, .jsonl or .ndjson file, or - for CSV on stdin`);
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
