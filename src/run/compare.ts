// A compare run: the mechanisms of `--mechanisms` on one loaded book, each
// mechanism's haircuts and measures, and the CSV with one haircut column per
// mechanism. Shared by the command line (src/cli/compare.ts) and the workbench
// page, so that both write the same bytes for the same input. Nothing of Node.

import type { Engine } from '../engine.js';
import type { DeleverageSummary, SocializeSummary } from '../types.js';
import type { MeasuresResult } from '../measures.js';
import { wordsValue, writeUnits } from '../files/decimal.js';
import type { Loaded } from './load.js';
import { capacitiesOfTable } from './audit-book.js';
import type { CompareParameters, Mechanism } from './parameters.js';
import type { Sink } from '../files/sink.js';
import { AMOUNT_BYTES, END_OF_ROW, SEPARATOR, writeTable } from '../files/write.js';
import { accountFields } from './run.js';

/** Each mechanism's haircut column in the CSV. */
export const MECHANISM_COLUMNS: Record<Mechanism, string> = { 'pro-rata': 'pro_rata', weighted: 'weighted', queue: 'queue' };

/** A mechanism's summary for one pool: the waterfall's totals. */
export type MechanismSummary = Pick<SocializeSummary & DeleverageSummary, 'insuranceUsed' | 'socialized' | 'uncovered' | 'roundingDust' | 'surplus'>;

/** One mechanism's outcome on the book. */
export interface MechanismOutcome {
  mechanism: Mechanism;
  /** One haircut per account, in input order (a copy of its own). */
  haircuts: BigInt64Array;
  /** One summary per pool of the directory. */
  summaries: MechanismSummary[];
  /** Its measures over the measured population, per pool when pooled. */
  measures: MeasuresResult;
}

/** What a compare run computed. */
export interface Compared {
  /** Each account's capacity: its capacity column's value, else max(profit, 0). */
  capacities: BigInt64Array;
  /** One per mechanism, in the order of `--mechanisms`. */
  outcomes: MechanismOutcome[];
  /** Milliseconds computing the haircuts and measuring them. */
  computeMs: number;
}

/** The exempt flags, or undefined when no account is exempt (or there is no exempt column). */
function exemptOf(loaded: Loaded, parameters: CompareParameters): Uint8Array | undefined {
  if (parameters.columns.exempt === undefined) return undefined;
  const flags = new Uint8Array(loaded.table.rows);
  return loaded.table.copyExempt(flags) ? flags : undefined;
}

/**
 * Runs every mechanism of `parameters.mechanisms` on the loaded accounts in
 * `engine` and measures each: `pro-rata` (the plain split, or by max(profit, 0)
 * capped by the capacities when a capacity column is given), `weighted` (the
 * weight column capped by the capacities), `queue` (by the score column, or the
 * profit or capacity by `--rank-by`).
 */
export function compareLoaded(engine: Engine, loaded: Loaded, parameters: CompareParameters): Compared {
  const started = performance.now();
  const { table, directory, pooled } = loaded;
  const n = table.rows;
  const profits = table.column('profits');
  const capacities = capacitiesOfTable(loaded, parameters, profits);
  const exempt = exemptOf(loaded, parameters);
  const pool = pooled ? new Uint32Array(n) : undefined;
  if (pool) table.copyPool(pool);
  const pools = directory.pools.map((p) => ({ loss: p.loss, insuranceFund: p.insuranceFund }));
  const { rounding } = parameters;
  const tieSeed = rounding === 'largest-remainder' ? parameters.tieSeed : undefined;
  const capped = parameters.columns.capacity !== undefined;
  const common = { profits, ...(exempt ? { exempt } : {}) };
  const where = pool ? { pool, pools } : pools[0]!;

  const socialize = (weights: BigInt64Array | undefined): { haircuts: BigInt64Array; summaries: MechanismSummary[] } => {
    const weighting = weights === undefined ? {} : { weights, ...(capped ? { caps: capacities } : {}) };
    const options = { rounding, ...(tieSeed === undefined ? {} : { tieSeed }), ...weighting };
    if (pool) {
      const result = engine.socializePools({ ...common, pool, pools, ...options });
      return { haircuts: result.haircuts, summaries: result.pools };
    }
    const { haircuts, ...summary } = engine.socialize({ ...common, ...pools[0]!, ...options });
    return { haircuts, summaries: [summary] };
  };
  const queue = (): { haircuts: BigInt64Array; summaries: MechanismSummary[] } => {
    const scores = parameters.columns.score !== undefined ? table.column('scores') : parameters.rankBy === 'capacity' ? capacities : profits;
    const input = {
      ...common, scores, capacities, ...(parameters.columns.lot !== undefined ? { lots: table.column('lots') } : {}),
      ...(parameters.tieSeed === undefined ? {} : { tieSeed: parameters.tieSeed }),
    };
    if (pool) {
      const result = engine.deleveragePools({ ...input, pool, pools });
      return { haircuts: result.haircuts, summaries: result.pools };
    }
    const { haircuts, ...summary } = engine.deleverage({ ...input, ...pools[0]! });
    return { haircuts, summaries: [summary] };
  };

  const outcomes = parameters.mechanisms.map((mechanism): MechanismOutcome => {
    const run = mechanism === 'queue' ? queue()
      : mechanism === 'weighted' ? socialize(table.column('weights'))
      : socialize(capped ? profits.map((p) => (p > 0n ? p : 0n)) : undefined);
    const measures = engine.measureHaircuts({ haircuts: run.haircuts, capacities, ...(exempt ? { exempt } : {}), ...where });
    return { mechanism, ...run, measures };
  });
  return { capacities, outcomes, computeMs: performance.now() - started };
}

/**
 * `account[,pool],profit,capacity` then one haircut column per mechanism (in the
 * order of `--mechanisms`), one row per account in input order, amounts with
 * exactly their pool's decimals: the compare CSV.
 */
export async function writeCompared(sink: Sink, loaded: Loaded, compared: Compared): Promise<void> {
  const { table, pooled } = loaded;
  const words = (view: BigInt64Array) => new Int32Array(view.buffer, view.byteOffset, 2 * view.length);
  const capacities = words(compared.capacities);
  const columns = compared.outcomes.map((o) => words(o.haircuts));
  const account = accountFields(loaded);
  const heads = compared.outcomes.map((o) => MECHANISM_COLUMNS[o.mechanism]);
  await sink.text(`account,${pooled ? 'pool,' : ''}profit,capacity${heads.map((h) => ',' + h).join('')}\n`);
  const amounts = 2 + columns.length;
  await writeTable(sink, table.rows,
    (row) => account.room(row) + amounts * (AMOUNT_BYTES + 1) + 2,
    (out, at, row) => {
      const pool = table.poolOf(row);
      const places = account.decimals[pool]!;
      at = account.write(out, at, row, pool);
      const { words: profit, offset } = table.profitWords(row);
      out[at++] = SEPARATOR;
      at = writeUnits(out, at, wordsValue(profit[offset]!, profit[offset + 1]!), places);
      out[at++] = SEPARATOR;
      at = writeUnits(out, at, wordsValue(capacities[2 * row]!, capacities[2 * row + 1]!), places);
      for (const column of columns) {
        out[at++] = SEPARATOR;
        at = writeUnits(out, at, wordsValue(column[2 * row]!, column[2 * row + 1]!), places);
      }
      out[at++] = END_OF_ROW;
      return at;
    });
}
