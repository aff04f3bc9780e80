// The index delta driven through its record: sumUnits (Σ|units|), then indexCharges (δ and
// each position's charge), for a whole book or for one shard of it.
// Invariant: the core computes δ, every charge and Σ charges; the wrapper only refuses
// units that sum to zero and names the first charge past 2^63 − 1 (its value recomputed
// here for the message alone).

import { guard } from '../errors.js';
import type { IndexDeltaResult } from '../types.js';
import { chargeTooLarge, zeroUnits, type IndexInput } from '../validate.js';
import type { CoreMemory } from './memory.js';

/** One shard's phase of an index delta: Σ|units| here, and after indexCharges δ, Σ charges here and the first bad charge. */
export interface IndexShardResult {
  /** Σ|units|: this shard's (sumUnits), or the whole book's given to indexCharges. */
  total: bigint;
  /** δ, the per-unit delta (0 after sumUnits). */
  delta: bigint;
  /** Σ charges here (0 after sumUnits). */
  collected: bigint;
  /** The first account whose charge passes 2^63 − 1, or −1. */
  bad: number;
  /** That account's charge (0 when none). */
  charge: bigint;
}

/**
 * The per-unit index delta over `n` positions at `units` (i64), charges into
 * `out` (i64): sumUnits, then indexCharges. RangeError when the units sum to zero
 * or a charge passes 2^63 − 1.
 */
export function indexDelta(core: CoreMemory, units: number, out: number, n: number, input: IndexInput): Omit<IndexDeltaResult, 'charges'> {
  const { total: totalUnits } = indexShard(core, units, out, n, input);
  if (totalUnits === 0n) throw zeroUnits();
  const { delta, collected, bad, charge } = indexShard(core, units, out, n, input, totalUnits);
  if (bad >= 0) throw chargeTooLarge(bad, charge);
  return { delta, collected, drift: collected - input.loss, totalUnits };
}

/**
 * One shard's phase of an index delta over `n` positions at `units` (i64), charges into
 * `out` (i64): without `total`, sumUnits (Σ|units| here); with the whole book's Σ|units|,
 * indexCharges: δ, Σ charges here, and the first account (−1: none) whose charge passes
 * 2^63 − 1, with that charge.
 */
export function indexShard(
  core: CoreMemory, units: number, out: number, n: number, input: Omit<IndexInput, 'units'>, total?: bigint,
): IndexShardResult {
  const L = core.layout;
  return guard('indexDelta', () => core.withBlocks([L.INDEX_BYTES], ([index]) => {
    const kernels = core.exports, fields = core.fields(index!);
    core.zero(index!, L.INDEX_BYTES);
    fields.setU32(L.INDEX_UNITS, units);
    fields.setU32(L.INDEX_CHARGES, out);
    fields.setU32(L.INDEX_COUNT, n);
    fields.setU64(L.INDEX_LOSS, input.loss);
    fields.setU64(L.INDEX_SCALE, input.scale);
    fields.setU32(L.INDEX_DELTA_UP, input.rounding === 'up' ? 1 : 0);
    fields.setU32(L.INDEX_CHARGE_UP, input.chargeRounding === 'up' ? 1 : 0);
    if (total === undefined) {
      kernels.sumUnits(index!);
      return { total: fields.u128(L.INDEX_TOTAL), delta: 0n, collected: 0n, bad: -1, charge: 0n };
    }
    fields.setU64(L.INDEX_TOTAL, total);
    fields.setU64(L.INDEX_TOTAL + 8, total >> 64n);
    kernels.indexCharges(index!);
    const delta = fields.u128(L.INDEX_DELTA), bad = fields.i32(L.INDEX_BAD);
    let charge = 0n;
    if (bad >= 0) {
      // The charge it would have had, for the message only.
      const size = core.int64View(units, n)[bad]!;
      const product = (size < 0n ? -size : size) * delta;
      charge = input.chargeRounding === 'up' ? (product + input.scale - 1n) / input.scale : product / input.scale;
    }
    return { total, delta, collected: fields.u128(L.INDEX_COLLECTED), bad, charge };
  }));
}
