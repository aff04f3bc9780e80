// A socialize run from what was read to the haircuts file and the report:
// the one implementation the command line (socialize.ts) and the workbench
// page (web/) share, so that both write the same bytes for the same input.
// It needs nothing of Node: hashing and where bytes go come from the caller.

import type { Book } from '../book.js';
import type { Engine } from '../engine.js';
import type { SocializeSummary } from '../types.js';
import { coreBytes } from '../core.js';
import { wordsValue, writeUnits } from '../files/decimal.js';
import type { Loaded } from './load.js';
import type { Parameters } from './parameters.js';
import { sha256Of, type Platform } from '../host/platform.js';
import { socializeReport, type CoreInfo, type OutputSummary, type PoolOutcome, type RunInfo } from './report.js';
import type { Sink } from '../files/sink.js';
import { AMOUNT_BYTES, END_OF_ROW, fieldRoom, SEPARATOR, writeField, writeTable } from '../files/write.js';

/** The build and SHA-256 of the WebAssembly core an engine runs. */
export async function coreInfo(engine: Engine, platform: Platform): Promise<CoreInfo> {
  return { build: engine.variant, sha256: await sha256Of(platform, await coreBytes(engine.variant)) };
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

/** Writes the haircuts of a run to a sink (the book's view: read, not kept). */
export type HaircutsWriter = (sink: Sink, loaded: Loaded, haircuts: BigInt64Array) => Promise<void>;

/**
 * The fields every per-account CSV of a run begins with (the identifier, then the pool when
 * pooled): the room they take at most, their bytes, and each pool's decimals.
 */
export function accountFields(loaded: Loaded) {
  const { table, directory, pooled } = loaded;
  const names = directory.pools.map((_, i) => directory.nameOf(i));
  return {
    decimals: directory.pools.map((pool) => pool.decimals),
    room: (row: number): number => 2 * table.idLength(row) + 2 + (pooled ? fieldRoom(names[table.poolOf(row)]!) : 0),
    /** Writes row `row`'s fields (`pool`: its pool) at `at` of `out`; returns the position after them. */
    write(out: Uint8Array, at: number, row: number, pool: number): number {
      at = table.writeId(out, at, row);
      if (!pooled) return at;
      out[at++] = SEPARATOR;
      return writeField(out, at, names[pool]!);
    },
  };
}

/**
 * `account[,pool],profit,haircut,profit_after` rows in input order, amounts with
 * exactly their pool's decimals: the haircuts CSV.
 */
export const writeHaircuts: HaircutsWriter = async (sink, loaded, view) => {
  const { table, pooled } = loaded;
  const haircuts = new Int32Array(view.buffer, view.byteOffset, 2 * view.length);
  const account = accountFields(loaded);
  await sink.text(pooled ? 'account,pool,profit,haircut,profit_after\n' : 'account,profit,haircut,profit_after\n');
  const room = (row: number) => account.room(row) + 3 * AMOUNT_BYTES + 6;
  const fill = (out: Uint8Array, at: number, row: number) => {
    const pool = table.poolOf(row);
    const places = account.decimals[pool]!;
    at = account.write(out, at, row, pool);
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
  };
  // The core formats the rows, with every pool's name and decimals (the table knows every pool once read: AccountRows.end).
  await table.rowsWriter().write(sink, view, table.rows, account.decimals[0]!, pooled, room, fill);
};

/** How many accounts of each pool pay a non-zero haircut. */
function chargedPerPool(loaded: Loaded, view: BigInt64Array): number[] {
  const haircuts = new Int32Array(view.buffer, view.byteOffset, 2 * view.length);
  const charged = loaded.directory.pools.map(() => 0);
  const rows = loaded.table.rows;
  if (!loaded.pooled) {
    let count = 0;
    for (let row = 0; row < rows; row++) if ((haircuts[2 * row]! | haircuts[2 * row + 1]!) !== 0) count++;
    charged[0] = count;
    return charged;
  }
  for (let row = 0; row < rows; row++) {
    if ((haircuts[2 * row]! | haircuts[2 * row + 1]!) !== 0) charged[loaded.table.poolOf(row)]!++;
  }
  return charged;
}

/** What a run computed and wrote. */
export interface Socialized {
  /** One per pool of the directory. */
  outcomes: PoolOutcome[];
  /** The SHA-256 and size of what was written. */
  sha256: string;
  bytes: number;
  /** A copy of the haircuts, when asked for (`keep`). */
  haircuts: BigInt64Array | null;
  /** Milliseconds computing and writing. */
  computeMs: number;
  writeMs: number;
}

/**
 * Socializes the loaded accounts by the parameters in a book of `engine`, writes
 * the haircuts through `sink` (closed at the end) by `write`, and frees the book.
 */
export async function socializeLoaded(
  engine: Engine, loaded: Loaded, parameters: Parameters, sink: Sink, options: { write?: HaircutsWriter; keep?: boolean } = {},
): Promise<Socialized> {
  const started = performance.now();
  const book = fillBook(engine, loaded, parameters);
  try {
    const summaries = runBook(book, loaded, parameters);
    const computed = performance.now();
    await (options.write ?? writeHaircuts)(sink, loaded, book.haircuts);
    const charged = chargedPerPool(loaded, book.haircuts);
    const haircuts = options.keep ? book.haircuts.slice() : null;
    const sha256 = await sink.close();
    const n = loaded.table.rows;
    const outcomes = loaded.directory.pools.map((pool, i) => ({
      pool, summary: summaries[i]!, accounts: loaded.pooled ? loaded.directory.counts[i]! : n, charged: charged[i]!,
    }));
    return { outcomes, sha256, bytes: sink.bytes, haircuts, computeMs: computed - started, writeMs: performance.now() - computed };
  } finally {
    book.free();
  }
}

/** A run's report text: `output` names what was written (`<stdout>`, a file, a download); `run` what only a command knows. */
export function reportOfRun(
  version: string, core: CoreInfo, loaded: Loaded, parameters: Parameters, run: Socialized, output: string, info?: RunInfo,
): string {
  const summary: OutputSummary = { file: output, sha256: run.sha256, bytes: run.bytes, rows: loaded.table.rows };
  return socializeReport({
    version, core, accounts: loaded.accounts, poolsInput: loaded.poolsInput, parameters, pooled: loaded.pooled, reading: loaded.reading,
    outcomes: run.outcomes, output: summary, run: info,
  });
}
