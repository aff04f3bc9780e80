// The WebAssembly core of socialized-loss: kernels only, no policy, no validation.
//
// The boundary with the TypeScript wrapper (src/core/), the one place it is defined:
// - Memory: columns and records live in this module's linear memory above
//   `heapBase()`; the wrapper places them and grows the memory (src/heap.ts), the core
//   never allocates. A growth detaches the JS ArrayBuffer: the wrapper re-makes its views.
// - Layout: every record, field offset, column size and code is a constant of
//   layout.ts, exported as a global that the wrapper reads (src/core/layout.ts). A book
//   record says where a book's columns are; a split, pools, index, queue or measures record carries one
//   call's parameters in and its results out.
// - Phases: each export below is one step of a split, called with the address of a
//   book record and of the call's record, and communicating with the next step only
//   through that record (no getters, no state kept between calls):
//     plain:         sumProfits → (waterfall) → splitProfits
//     by weight:     sumWeights → (waterfall) → capAccounts → shareWeights
//     pools:         sumPools → (waterfall per pool) → floorPools → poolBoundaries → raisePools → settlePools
//     pools by weight: sumWeightedPools → (waterfall per pool) → capPools → floorPools → poolBoundaries
//                    → raisePools → settlePools → finishPools
//     a shard (shard/, src/parallel/protocol.ts), the coordinator deciding between phases
//     from every shard's sums and counts:
//       plain:       sumProfits → (waterfall) → sampleShard → (band) → floorShard → digit rounds
//       pools:       sumPools → (waterfall per pool) → floorPools → shardHistograms → (cuts)
//                    → raiseShard → digit rounds
//       pools by weight: sumWeightedPools (sumWeightedOne without pools) → (waterfall per pool)
//                    → the capped sets: capShard rounds, or with one pool sampleWeights → (band)
//                    → capBand → capListed rounds → levelShard → floorPools → … as pools → finishShard
//       digit rounds: spanDigits (per field) → countDigits / keepDigit … → giveFirst or settleDigit
//     index delta:   sumUnits → indexCharges
//     the ADL queue: (R = loss − min(loss, fund)) → deleverageQueue; per pool (R per pool) → deleveragePools
//     the measures of a haircut vector: measureHaircuts, one phase (every group's figures; the
//                    wrapper turns them into fractions and, with a loss, R into uncovered and overshoot)
//     an account file (files/, src/files/table.ts): scanCsv takes plain CSV records into a table
//                    (tableInsert adds one the wrapper read, tableRehash grows its set; poolInsert and
//                    poolRehash keep the pools it knows by name), checkCsv checks a haircut file's
//                    records against it (verify), formatRows
//                    writes the haircuts file's rows from it
//   The waterfall (loss, fund, total → S) is the wrapper's: policy, three comparisons.
// - The generated src/wasm/exports.ts types these exports from the compiled module.

export * from './layout';
export { sumProfits } from './sum';
export { splitProfits } from './allocate';
export { sumWeights, sumWeightedPools, sumWeightedOne } from './weights/sums';
export { capAccounts } from './weights/search';
export { capPools } from './weights/pools';
export { shareWeights, finishPools, finishShard } from './weights/finish';
export { sumPools } from './pools/sums';
export { floorPools } from './pools/floors';
export { poolBoundaries, raisePools } from './pools/boundary';
export { settlePools } from './pools/settle';
export { sampleShard, floorShard } from './shard/plain';
export { shardHistograms, raiseShard } from './shard/pools';
export { capShard, sampleWeights, capBand, capListed, levelShard } from './shard/weights';
export { spanDigits, countDigits, keepDigit, settleDigit, giveFirst } from './shard/digits';
export { poolScratchBytes } from './pools/table';
export { sumUnits, indexCharges } from './index-delta';
export { deleverageQueue, deleveragePools } from './queue';
export { measureHaircuts, measureScratchBytes } from './measures/measure';
export { tableInsert, tableRehash, poolInsert, poolRehash } from './files/table';
export { scanCsv } from './files/csv';
export { formatRows } from './files/format';
export { checkCsv } from './files/check';
export * from './probes';

/** The first byte after the core's static data (the histogram and the sample): columns go above it. */
export function heapBase(): usize {
  return __heap_base;
}
