// The plain split driven through its records: sumProfits, the waterfall, splitProfits.
// Invariant: the core writes every haircut and Σ haircuts; the wrapper only runs the
// waterfall between the two phases and reads the split record back into a summary.

import { guard } from '../errors.js';
import type { SocializeSummary } from '../types.js';
import type { Params } from '../validate.js';
import { waterfall } from '../waterfall.js';
import type { Columns, CoreMemory } from './memory.js';
import { summarize } from './summary.js';

/**
 * Runs the plain split on a book: sumProfits, the waterfall, splitProfits. The exempt
 * column is read only when `exemptions` says it may hold some (the core then skips it
 * when no byte of it is set).
 */
export function socializePlain(core: CoreMemory, columns: Columns, n: number, params: Params, exemptions: boolean): SocializeSummary {
  const L = core.layout;
  return guard('socialize', () => core.withBlocks([L.BOOK_BYTES, L.SPLIT_BYTES], ([book, split]) => {
    const kernels = core.exports, fields = core.fields(split!);
    core.writeBook(book!, columns, n, exemptions);
    core.zero(split!, L.SPLIT_BYTES);
    kernels.sumProfits(book!, split!);
    const totalProfit = fields.u128(L.SPLIT_TOTAL);
    const plan = waterfall(params.loss, params.insuranceFund, totalProfit);
    fields.setU64(L.SPLIT_SOCIALIZED, plan.socialized);
    core.writeOptions(fields, params, core.splitOptions);
    kernels.splitProfits(book!, split!);
    return summarize(plan, totalProfit, fields.u32(L.SPLIT_ELIGIBLE), fields.u64(L.SPLIT_WRITTEN), params.rounding);
  }));
}
