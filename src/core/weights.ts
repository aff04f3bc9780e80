// The split by weight driven through its records: sumWeights, the waterfall over Σ caps,
// capAccounts, shareWeights; and the error for a negative weight or cap the sums found.
// Invariant: a negative weight or cap is refused after the sums and before any haircut
// is written, so a rejected call leaves the haircuts as they were.

import { guard } from '../errors.js';
import type { SocializeSummary } from '../types.js';
import { negativeColumn, type Params } from '../validate.js';
import { waterfall } from '../waterfall.js';
import type { Columns, CoreMemory } from './memory.js';
import { summarize } from './summary.js';

/**
 * Runs the split by weight on a book (its weights and mask columns exist): sumWeights,
 * the waterfall, capAccounts, shareWeights. Caps are the caps column when `capsGiven`,
 * else the profits (max(profit, 0)). A negative weight or cap is a RangeError naming
 * it, before any haircut is written.
 */
export function socializeWeighted(
  core: CoreMemory, columns: Columns, n: number, params: Params, exemptions: boolean, capsGiven: boolean,
): SocializeSummary {
  const L = core.layout;
  return guard('socialize by weight', () => core.withBlocks([L.BOOK_BYTES, L.SPLIT_BYTES], ([book, split]) => {
    const kernels = core.exports, fields = core.fields(split!);
    core.writeBook(book!, columns, n, exemptions, true, capsGiven);
    core.zero(split!, L.SPLIT_BYTES);
    kernels.sumWeights(book!, split!);
    checkSigns(core, columns, n, capsGiven, fields.i32(L.SPLIT_NEGATIVE_WEIGHT), fields.i32(L.SPLIT_NEGATIVE_CAP));
    const totalWeight = fields.u128(L.SPLIT_WEIGHT), totalCap = fields.u128(L.SPLIT_TOTAL);
    const plan = waterfall(params.loss, params.insuranceFund, totalCap);
    fields.setU64(L.SPLIT_SOCIALIZED, plan.socialized);
    core.writeOptions(fields, params, core.splitOptions);
    kernels.capAccounts(book!, split!);
    kernels.shareWeights(book!, split!);
    const summary = summarize(plan, totalCap, fields.u32(L.SPLIT_ELIGIBLE), fields.u64(L.SPLIT_WRITTEN), params.rounding);
    return { ...summary, totalWeight, cappedAccounts: fields.u32(L.SPLIT_CAPPED) };
  }));
}

/** Throws the RangeError for the first negative weight, else cap, that the core's sums found (−1: none). */
export function checkSigns(core: CoreMemory, columns: Columns, n: number, capsGiven: boolean, weight: number, cap: number): void {
  if (weight < 0 && cap < 0) return;
  throw negativeColumn(core.int64View(columns.weights, n), capsGiven ? core.int64View(columns.caps, n) : undefined, weight, cap);
}
