// `socialized-loss socialize`: an account file in (with pools, exemptions,
// weights and caps when asked for), the haircuts CSV and the audit report out.

import { createHash } from 'node:crypto';
import type { Book } from '../book.js';
import { loadEngine, type Engine } from '../engine.js';
import type { SocializeSummary } from '../types.js';
import { wasmBase64 as scalarBase64 } from '../wasm/scalar.js';
import { wasmBase64 as simdBase64 } from '../wasm/simd.js';
import { formatGrouped, wordsValue, writeUnits } from './decimal.js';
import { quote, UsageError } from './errors.js';
import { loadRun, openSources, type Loaded } from './load.js';
import { commitAll, openOutputs, Sink } from './output.js';
import type { Parameters } from './parameters.js';
import { formatOfName } from './read.js';
import { socializeReport, type CoreInfo, type PoolOutcome, type RunInfo } from './report.js';
import { AMOUNT_BYTES, END_OF_ROW, fieldRoom, SEPARATOR, writeField, writeTable } from './write.js';

/** What every command is run with, besides its own options. */
export interface RunContext {
  /** The package's version. */
  version: string;
  /** The arguments as given (without node and the script), for the report. */
  argv: readonly string[];
  /** No progress and no summary on stderr. */
  quiet: boolean;
}

/** socialize's own options. */
export interface SocializeOptions {
  accounts: string;
  parameters: Parameters;
  out?: string | undefined;
  report?: string | undefined;
}

/** The build and SHA-256 of the WebAssembly core an engine runs. */
export function coreInfo(engine: Engine): CoreInfo {
  const base64 = engine.variant === 'scalar' || engine.variant === 'debug-scalar' ? scalarBase64 : simdBase64;
  return { build: engine.variant, sha256: createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex') };
}

/** A book holding the loaded accounts' columns, ready to socialize. */
export function fillBook(engine: Engine, loaded: Loaded, parameters: Parameters): Book {
  const { table } = loaded;
  const n = table.rows;
  const book = engine.createBook(n);
  const words = (view: BigInt64Array) => new Int32Array(view.buffer, view.byteOffset, 2 * n);
  // Each optional column's getter may grow the memory: every view is taken just before it is filled.
  if (loaded.pooled) table.copyPool(book.pool);
  if (parameters.columns.weight !== undefined) table.copyWords('weights', words(book.weights));
  if (parameters.columns.cap !== undefined) table.copyWords('caps', words(book.caps));
  if (parameters.columns.exempt !== undefined) {
    const flags = new Uint8Array(n);
    if (table.copyExempt(flags)) book.exempt.set(flags);
  }
  table.copyWords('profits', words(book.profits));
  return book;
}

/** Socializes a filled book by the parameters: one summary per pool of the directory. */
export function runBook(book: Book, loaded: Loaded, parameters: Parameters): SocializeSummary[] {
  const { rounding, tieSeed } = parameters;
  const weighting = parameters.columns.weight === undefined ? {} : { weights: book.weights, ...(parameters.columns.cap === undefined ? {} : { caps: book.caps }) };
  if (!loaded.pooled) {
    const pool = loaded.directory.pools[0]!;
    return [book.socialize({ loss: pool.loss, insuranceFund: pool.insuranceFund, rounding, tieSeed, ...weighting })];
  }
  const pools = loaded.directory.pools.map((pool) => ({ loss: pool.loss, insuranceFund: pool.insuranceFund }));
  return book.socializePools(pools, { rounding, tieSeed, ...weighting });
}

/** Runs the command; throws InputError / UsageError / EnvironmentError for exit status 2. */
export async function socialize(options: SocializeOptions, context: RunContext): Promise<void> {
  const started = performance.now();
  const { parameters } = options;
  // Everything that can be checked is checked before any work: the inputs open,
  // the outputs can be written, and no two of them are the same file.
  const sources = await openSources(options.accounts, parameters);
  const [outFile, reportFile] = await openOutputs([['--out', options.out], ['--report', options.report]], [sources.accounts, ...(sources.pools ? [sources.pools] : [])]);
  const loaded = await loadRun(sources, parameters, context.quiet);
  const read = performance.now();

  const engine = await loadEngine();
  const n = loaded.table.rows;
  const book = fillBook(engine, loaded, parameters);
  const summaries = runBook(book, loaded, parameters);
  const computed = performance.now();

  // Write the haircuts, then the report; each lands only when complete.
  const sink = new Sink(outFile ?? null);
  const haircuts = book.haircuts;
  const words = new Int32Array(haircuts.buffer, haircuts.byteOffset, 2 * n);
  if (options.out !== undefined && formatOfName(options.out) === 'parquet') await writeParquet(sink, loaded, haircuts.slice());
  else await writeHaircuts(sink, loaded, words);
  const charged = chargedPerPool(loaded, words);
  const outputSha256 = await sink.close();
  book.free();
  const written = performance.now();

  const outcomes: PoolOutcome[] = loaded.directory.pools.map((pool, i) => ({
    pool, summary: summaries[i]!, accounts: loaded.pooled ? loaded.directory.counts[i]! : n, charged: charged[i]!,
  }));
  if (reportFile) {
    const run: RunInfo = {
      node: process.version,
      commandLine: ['socialized-loss', ...context.argv],
      writtenAt: new Date().toISOString(),
      timingsMs: { read: round(read - started), compute: round(computed - read), write: round(written - computed), total: round(performance.now() - started) },
      maxResidentBytes: process.resourceUsage().maxRSS * 1024,
    };
    const text = socializeReport({
      version: context.version, core: coreInfo(engine), accounts: loaded.accounts, poolsInput: loaded.poolsInput, parameters,
      pooled: loaded.pooled, outcomes, output: { file: options.out ?? '<stdout>', sha256: outputSha256, bytes: sink.bytes, rows: n }, run,
    });
    await reportFile.write(new TextEncoder().encode(text));
  }
  // Only now, with every output complete, does any of them replace a file.
  await commitAll([outFile ?? null, reportFile ?? null]);
  if (!context.quiet) process.stderr.write(summaryText(loaded, outcomes, written - started));
}

/** The summary on stderr: per pool when pooled. */
function summaryText(loaded: Loaded, outcomes: PoolOutcome[], ms: number): string {
  const count = (k: number) => k.toLocaleString('en-US');
  const lines = [`socialized ${count(loaded.table.rows)} accounts from ${loaded.accounts.file} in ${Math.round(ms)} ms`];
  for (const { pool, summary: s, charged } of outcomes) {
    const amount = (units: bigint) => formatGrouped(units, pool.decimals);
    const head = loaded.pooled ? `  ${pool.name}${pool.line > 0 ? '' : ' (not in the pools file: loss 0)'}: ` : '  ';
    lines.push(`${head}loss ${amount(pool.loss)}, fund used ${amount(s.insuranceUsed)}, socialized ${amount(s.socialized)}, uncovered ${amount(s.uncovered)}` +
      `${s.roundingDust > 0n ? ` (rounding dust ${amount(s.roundingDust)})` : ''}${s.surplus > 0n ? `, surplus ${amount(s.surplus)}` : ''}; ` +
      `${count(charged)} of ${count(s.profitableAccounts)} eligible accounts charged`);
  }
  return lines.join('\n') + '\n';
}

/**
 * `account[,pool],profit,haircut,profit_after` rows in input order, amounts with
 * exactly their pool's decimals.
 */
async function writeHaircuts(sink: Sink, loaded: Loaded, haircuts: Int32Array): Promise<void> {
  const { table, directory, pooled } = loaded;
  const names = directory.pools.map((_, i) => directory.nameOf(i));
  const decimals = directory.pools.map((pool) => pool.decimals);
  await sink.text(pooled ? 'account,pool,profit,haircut,profit_after\n' : 'account,profit,haircut,profit_after\n');
  await writeTable(sink, table.rows,
    (row) => 2 * table.idLength(row) + 2 + (pooled ? fieldRoom(names[table.poolOf(row)]!) : 0) + 3 * AMOUNT_BYTES + 6,
    (out, at, row) => {
      const pool = table.poolOf(row);
      const places = decimals[pool]!;
      at = table.writeId(out, at, row);
      if (pooled) {
        out[at++] = SEPARATOR;
        at = writeField(out, at, names[pool]!);
      }
      const { words, offset } = table.profitWords(row);
      const profit = wordsValue(words[offset]!, words[offset + 1]!);
      const haircut = wordsValue(haircuts[2 * row]!, haircuts[2 * row + 1]!);
      const after = typeof profit === 'number' && typeof haircut === 'number' ? profit - haircut : BigInt(profit) - BigInt(haircut);
      out[at++] = SEPARATOR;
      at = writeUnits(out, at, profit, places);
      out[at++] = SEPARATOR;
      at = writeUnits(out, at, haircut, places);
      out[at++] = SEPARATOR;
      at = writeUnits(out, at, after, places);
      out[at++] = END_OF_ROW;
      return at;
    });
}

/** How many accounts of each pool pay a non-zero haircut. */
function chargedPerPool(loaded: Loaded, haircuts: Int32Array): number[] {
  const charged = loaded.directory.pools.map(() => 0);
  for (let row = 0; row < loaded.table.rows; row++) {
    if (haircuts[2 * row] !== 0 || haircuts[2 * row + 1] !== 0) charged[loaded.table.poolOf(row)]!++;
  }
  return charged;
}

/** The haircuts as a Parquet file (the CSV's columns, amounts as DECIMAL at the pool's scale), through the sink. */
async function writeParquet(sink: Sink, loaded: Loaded, haircuts: BigInt64Array): Promise<void> {
  const { writeParquetHaircuts } = await import('./parquet-write.js');
  const { table, directory } = loaded;
  const chunks = writeParquetHaircuts({
    rows: table.rows,
    idOf: (row) => table.idOf(row),
    pooled: loaded.pooled,
    poolOf: (row) => table.poolOf(row),
    poolNames: directory.pools.map((_, i) => directory.nameOf(i)),
    decimals: directory.pools.map((pool) => pool.decimals),
    profit: table.column('profits'),
    haircut: haircuts,
  });
  for await (const chunk of chunks) await sink.write(chunk);
}

/** Milliseconds to one decimal. */
export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Checks a command's positionals: exactly `names` (e.g. ACCOUNTS HAIRCUTS). */
export function positionalsOf(command: string, positionals: readonly string[], names: readonly string[]): string[] {
  if (positionals.length !== names.length) {
    const given = positionals.length === 0 ? 'none' : quote(positionals.join(' '));
    throw new UsageError(`${command} takes ${names.join(' ')} (${names.length === 1 ? 'a file, or - for stdin' : 'files; one of them may be - for stdin'}), got ${given}`);
  }
  return [...positionals];
}
