// Every layout and code of the boundary between the core and the wrapper, said once.
//
// The core exports each constant below as a WebAssembly global; the wrapper reads
// them from the module (src/core/layout.ts) and never writes one of these numbers
// itself. A record is a block of engine memory the wrapper allocates: it writes a
// phase's inputs at these offsets, calls the phase with the record's address, and
// reads the phase's outputs from it. Offsets are in bytes; fields are little-endian
// u32/i32 (4-byte) or u64 (8-byte), each naturally aligned.

// ---- Codes ----

/** Rounding policies (the `rounding` fields): largest remainder, floors, ceilings. */
export const ROUND_LARGEST_REMAINDER: u32 = 0;
export const ROUND_DOWN: u32 = 1;
export const ROUND_UP: u32 = 2;

/** Weighted mask bytes: shares the rest, ineligible (weight 0, cap 0 or exempt), pays its whole cap. */
export const MASK_SHARES: u8 = 0;
export const MASK_OUT: u8 = 1;
export const MASK_CAPPED: u8 = 2;
/** Transient mask bytes while pools are capped: listed near, listed in the middle (back to MASK_SHARES after). */
export const MASK_NEAR: u8 = 3;
export const MASK_MIDDLE: u8 = 4;

// ---- Columns: bytes per account ----

/** An amount column (profits, haircuts, weights, caps): i64 per account. */
export const AMOUNT_BYTES: u32 = 8;
/**
 * The candidates column: scratch of one list entry per account, remainder (u64) then
 * index (u32). The pools passes keep each account's bucket byte in its last n bytes
 * (from `candidates + BUCKET_BYTES_AT · n`) and list boundary accounts from its start.
 */
export const CANDIDATE_BYTES: u32 = 12;
export const BUCKET_BYTES_AT: u32 = 11;
/** The exempt and mask columns: one byte per account. */
export const FLAG_BYTES: u32 = 1;
/** The pool column: each account's pool index, u32. */
export const POOL_INDEX_BYTES: u32 = 4;

// ---- The book record: where one book's columns are (u32 addresses) and how many accounts ----

/** Σ BOOK_BYTES. Columns 0 are absent: no exempt column, no pools, no weights; caps 0: max(profit, 0). */
export const BOOK_BYTES: u32 = 48;
export const BOOK_PROFITS: u32 = 0;
export const BOOK_HAIRCUTS: u32 = 4;
export const BOOK_CANDIDATES: u32 = 8;
/** The exempt column, or 0. The sums phases set it to 0 when no byte of it is set (the faster loops run then). */
export const BOOK_EXEMPT: u32 = 12;
export const BOOK_POOL: u32 = 16;
export const BOOK_WEIGHTS: u32 = 20;
export const BOOK_CAPS: u32 = 24;
export const BOOK_MASK: u32 = 28;
export const BOOK_COUNT: u32 = 32;

// ---- The split record: one book's socialization, phase by phase ----
// Plain: sumProfits → (wrapper: waterfall, SOCIALIZED) → splitProfits.
// Weighted: sumWeights → (waterfall on TOTAL, SOCIALIZED) → capAccounts → shareWeights.

export const SPLIT_BYTES: u32 = 128;
/** In: S, the units to take (after the waterfall), < 2^63. */
export const SPLIT_SOCIALIZED: u32 = 0;
/** Out of the sums: Σ eligible profits (plain) or Σ eligible caps (weighted), 128-bit, low then high. */
export const SPLIT_TOTAL: u32 = 8;
/** Out of sumWeights: Σ eligible weights, 128-bit. */
export const SPLIT_WEIGHT: u32 = 24;
/** In: the tie seed (u64), read when SPLIT_SEEDED is 1. */
export const SPLIT_SEED: u32 = 40;
/** In: a ROUND_ code. */
export const SPLIT_ROUNDING: u32 = 48;
/** In: 1 to order ties by the seed, 0 by index. */
export const SPLIT_SEEDED: u32 = 52;
/** Out of the sums: eligible accounts (positive profit, or weight and cap > 0; not exempt). */
export const SPLIT_ELIGIBLE: u32 = 56;
/** Out of sumWeights: the first account with a negative weight, and with a negative cap (i32, −1: none). */
export const SPLIT_NEGATIVE_WEIGHT: u32 = 60;
export const SPLIT_NEGATIVE_CAP: u32 = 64;
/** Out of capAccounts: |C|, the accounts that pay their whole cap. */
export const SPLIT_CAPPED: u32 = 68;
/** Out of capAccounts: R = S − Σ_C cap, what the others share, and W = Σ their weights (128-bit). */
export const SPLIT_SHARED: u32 = 72;
export const SPLIT_SHARED_WEIGHT: u32 = 80;
/** Out of capAccounts: R = WHOLE·W + PART, PART < W: each sharing account pays WHOLE·w and its share of PART. */
export const SPLIT_WHOLE: u32 = 96;
export const SPLIT_PART: u32 = 104;
/** Out of splitProfits and shareWeights: Σ haircuts written. */
export const SPLIT_WRITTEN: u32 = 112;

// ---- The pools record: a header, then one row per pool ----
// Plain: sumPools → (waterfall per pool, POOL_SOCIALIZED) → floorPools → poolBoundaries → raisePools → settlePools.
// Weighted: sumWeightedPools → (waterfall on POOL_TOTAL) → capPools → floorPools → poolBoundaries → raisePools
// → settlePools → finishPools. Every phase after the sums reads its scratch from POOLS_SCRATCH.

export const POOLS_HEADER_BYTES: u32 = 64;
/** In: the number of pools. */
export const POOLS_COUNT: u32 = 0;
/** In: a ROUND_ code, and 1 to order ties by POOLS_SEED (u64). */
export const POOLS_ROUNDING: u32 = 4;
export const POOLS_SEEDED: u32 = 8;
export const POOLS_SEED: u32 = 16;
/** In: the scratch block, `poolScratchBytes(pools, n, weighted)` bytes. */
export const POOLS_SCRATCH: u32 = 24;
/** Out of the sums: the first account whose pool index is not below POOLS_COUNT (−1: none), or its weight or cap sign as below. */
export const POOLS_BAD_POOL: u32 = 28;
/** Out of sumWeightedPools: the first negative weight and the first negative cap (−1: none). */
export const POOLS_NEGATIVE_WEIGHT: u32 = 32;
export const POOLS_NEGATIVE_CAP: u32 = 36;
/** Set by the phases for the next ones: 1 when split by weight (the floors run over the weights, the mask as exemptions). */
export const POOLS_WEIGHTED: u32 = 40;
/** Set by floorPools: 1 when remainders were counted (some pool has a boundary to settle). */
export const POOLS_COUNTED: u32 = 44;
/** Set by poolBoundaries: accounts to list in all, and 1 when some pool lists its bucket 0. */
export const POOLS_LISTED: u32 = 48;
export const POOLS_LISTS_ZERO: u32 = 52;
/** Set by raisePools: where its list ends (0: listed straight into groups). */
export const POOLS_LIST_END: u32 = 56;

/** One row per pool after the header. */
export const POOL_ROW_BYTES: u32 = 96;
/** In: the pool's S (after the waterfall). */
export const POOL_SOCIALIZED: u32 = 0;
/** Out of the sums: Σ eligible profits (plain) or caps (weighted), 128-bit. */
export const POOL_TOTAL: u32 = 8;
/** Out of sumWeightedPools: Σ eligible weights, 128-bit. */
export const POOL_WEIGHT: u32 = 24;
/** Out of capPools: R and W (128-bit) as SPLIT_SHARED, SPLIT_SHARED_WEIGHT; WHOLE and PART as theirs. */
export const POOL_SHARED: u32 = 40;
export const POOL_SHARED_WEIGHT: u32 = 48;
export const POOL_WHOLE: u32 = 64;
export const POOL_PART: u32 = 72;
/** Out of settlePools (finishPools when weighted): Σ haircuts of the pool. */
export const POOL_WRITTEN: u32 = 80;
/** Out: eligible accounts of the pool, and |C| (weighted). */
export const POOL_ELIGIBLE: u32 = 88;
export const POOL_CAPPED: u32 = 92;

// ---- The shard protocol: a sharded book's boundary (shard/, src/parallel/) ----

/** Histogram counters per pool and per round (one byte of the order each); a cut of POOL_BUCKETS reaches no bucket. */
export const POOL_BUCKETS: u32 = 256;
/** The digit fields of a pool's order: the exact remainder (up to 128 bits), then the tie key splitmix64(seed ^ global index). */
export const DIGIT_REMAINDER: u32 = 0;
export const DIGIT_TIE: u32 = 1;
/** Keys a shard samples at most for the plain split's band (sampleShard: at `out`, the top key, Σ keys as u128, t, then the keys). */
export const SHARD_SAMPLE: u32 = 16384;

// ---- The index record: a per-unit index delta ----
// sumUnits → (wrapper: Σ|u| = 0 is an error) → charges.

export const INDEX_BYTES: u32 = 96;
/** In: the units column (i64), the charges column (i64) and the count. */
export const INDEX_UNITS: u32 = 0;
export const INDEX_CHARGES: u32 = 4;
export const INDEX_COUNT: u32 = 8;
/** In: 1 rounds δ up (else down), 1 rounds each charge up (else down). */
export const INDEX_DELTA_UP: u32 = 12;
export const INDEX_CHARGE_UP: u32 = 16;
/** Out of charges: the first account whose charge passes 2^63 − 1 (−1: none; nothing after it is written). */
export const INDEX_BAD: u32 = 20;
/** In: the loss and the scale (u64). */
export const INDEX_LOSS: u32 = 24;
export const INDEX_SCALE: u32 = 32;
/** Out of sumUnits: Σ|units|, 128-bit. */
export const INDEX_TOTAL: u32 = 40;
/** Out of charges: δ (128-bit) and Σ charges (128-bit). */
export const INDEX_DELTA: u32 = 56;
export const INDEX_COLLECTED: u32 = 72;

// ---- The queue record: the auto-deleveraging queue (deleverageQueue) ----
// (wrapper: R = loss − min(loss, fund)) → deleverageQueue, one phase.

export const QUEUE_BYTES: u32 = 104;
/**
 * In: the columns (u32 addresses): profits, scores, capacities (0: max(profit, 0)), lots
 * (0: one unit each), exempt (0: none), haircuts (out), list (CANDIDATE_BYTES × n scratch).
 */
export const QUEUE_PROFITS: u32 = 0;
export const QUEUE_SCORES: u32 = 4;
export const QUEUE_CAPACITIES: u32 = 8;
export const QUEUE_LOTS: u32 = 12;
export const QUEUE_EXEMPT: u32 = 16;
export const QUEUE_HAIRCUTS: u32 = 20;
export const QUEUE_LIST: u32 = 24;
/** In: the number of accounts. */
export const QUEUE_COUNT: u32 = 28;
/** In: the tie seed (u64), read when QUEUE_SEEDED is 1 (else equal scores go by index). */
export const QUEUE_SEED: u32 = 32;
/** In: R, what the queue must cover (< 2^63). */
export const QUEUE_NEED: u32 = 40;
/** Out: Σ capacities of the accounts that may pay (not exempt, capacity > 0), 128-bit. */
export const QUEUE_TOTAL: u32 = 48;
/** Out: Σ haircuts (at most R plus one lot, below 2^64). */
export const QUEUE_COLLECTED: u32 = 64;
export const QUEUE_SEEDED: u32 = 72;
/** Out: the accounts that may pay, and those charged. */
export const QUEUE_ELIGIBLE: u32 = 76;
export const QUEUE_CHARGED: u32 = 80;
/** Out: the first account whose lot is not above 0 (i32, −1: none; then nothing is written). */
export const QUEUE_BAD_LOT: u32 = 84;
/**
 * With pools (deleveragePools): in, the pool column (u32 per account), the number of pools,
 * the pools table (QUEUE_ROW_BYTES per pool) and scratch of 4 × (n + pools + 1) bytes.
 */
export const QUEUE_POOL: u32 = 88;
export const QUEUE_POOL_COUNT: u32 = 92;
export const QUEUE_TABLE: u32 = 96;
export const QUEUE_MEMBERS: u32 = 100;
/** A pool's row: in, its R (u64); out, Σ capacities that may pay (128-bit), Σ haircuts (u64), the accounts that may pay and those charged (u32). */
export const QUEUE_ROW_BYTES: u32 = 40;
export const QUEUE_ROW_NEED: u32 = 0;
export const QUEUE_ROW_TOTAL: u32 = 8;
export const QUEUE_ROW_COLLECTED: u32 = 24;
export const QUEUE_ROW_ELIGIBLE: u32 = 32;
export const QUEUE_ROW_CHARGED: u32 = 36;

// ---- The measures record: the measures of a haircut vector (measureHaircuts) ----
// One phase: every group's figures into its row (the overall group, then one per pool).

export const MEASURE_BYTES: u32 = 48;
/**
 * In: the columns (u32 addresses): haircuts, capacities (0: max(profit, 0) of the profits),
 * profits, exempt (0: none), pool (0: no pools).
 */
export const MEASURE_HAIRCUTS: u32 = 0;
export const MEASURE_CAPACITIES: u32 = 4;
export const MEASURE_PROFITS: u32 = 8;
export const MEASURE_EXEMPT: u32 = 12;
export const MEASURE_POOL: u32 = 16;
/** In: the number of pools (with MEASURE_POOL) and of accounts. */
export const MEASURE_POOL_COUNT: u32 = 20;
export const MEASURE_COUNT: u32 = 24;
/**
 * In: scratch: CANDIDATE_BYTES × n (a book's candidates column: the accounts of the capacity
 * keys a tenth's or the top 1 %'s boundary cuts through), and `measureScratchBytes(n, pooled, pools)`
 * bytes (the kernel's tables, the haircuts above 0 and, with pools, the accounts by pool).
 */
export const MEASURE_ENTRIES: u32 = 28;
export const MEASURE_SCRATCH: u32 = 32;
/** In: the rows, MEASURE_ROW_BYTES each: row 0 the whole book, then one per pool. */
export const MEASURE_TABLE: u32 = 36;
/**
 * Out: the first account whose pool index is not below MEASURE_POOL_COUNT, and the first
 * whose haircut is below 0, above its capacity, or above 0 while exempt (i32, −1: none;
 * with either, no row is written).
 */
export const MEASURE_BAD_POOL: u32 = 40;
export const MEASURE_BAD_HAIRCUT: u32 = 44;

/**
 * A group's row, over its measured population (not exempt, capacity above 0): n, the
 * accounts charged (h > 0) and taken whole (h = c); Σ c and Σ h (128-bit); the largest
 * haircut; the (h, c) of the largest h/c (0/1 when none); Σ of the 10 largest haircuts and
 * Σ haircuts of the ⌈n/100⌉ largest capacities (ties: lower index first), 128-bit; the Gini
 * numerator Σₖ (2k − n + 1)·h₍ₖ₎ over the haircuts in rising order (128-bit, ≥ 0); then
 * ten tenths by rising (capacity, index).
 */
export const MEASURE_ROW_BYTES: u32 = 528;
export const MEASURE_ROW_ACCOUNTS: u32 = 0;
export const MEASURE_ROW_CHARGED: u32 = 4;
export const MEASURE_ROW_WHOLE: u32 = 8;
export const MEASURE_ROW_CAPACITY: u32 = 16;
export const MEASURE_ROW_COLLECTED: u32 = 32;
export const MEASURE_ROW_LARGEST: u32 = 48;
export const MEASURE_ROW_BEST_HAIRCUT: u32 = 56;
export const MEASURE_ROW_BEST_CAPACITY: u32 = 64;
export const MEASURE_ROW_TOP10: u32 = 80;
export const MEASURE_ROW_TOP_CAPACITY: u32 = 96;
export const MEASURE_ROW_GINI: u32 = 112;
export const MEASURE_ROW_TENTHS: u32 = 128;
/** Tenth k at MEASURE_ROW_TENTHS + k × MEASURE_TENTH_BYTES: its accounts (ranks ⌊kn/10⌋ … ⌊(k+1)n/10⌋ − 1), Σ h and Σ c (128-bit). */
export const MEASURE_TENTH_BYTES: u32 = 40;
export const MEASURE_TENTH_ACCOUNTS: u32 = 0;
export const MEASURE_TENTH_COLLECTED: u32 = 8;
export const MEASURE_TENTH_CAPACITY: u32 = 24;

// ---- The table record: an account file's columns, as read (files/table.ts) ----
// The wrapper places every block and grows them; a kernel that would need more room stops
// and says so (SCAN_FULL). Identifiers lie end to end in the arena (row r's runs from
// row r − 1's end, or 0, to its own end); the set holds pairs (row + 1, hash), 0 empty.
// The optional columns are 0 when the command reads no such column.

export const TABLE_BYTES: u32 = 96;
/** The arena of identifier bytes, its size, and how much of it is used (u32 each). */
export const TABLE_ARENA: u32 = 0;
export const TABLE_ARENA_SIZE: u32 = 4;
export const TABLE_ARENA_USED: u32 = 8;
/** Per row: where its identifier ends in the arena (u32). */
export const TABLE_ENDS: u32 = 12;
/** Per row: its profit (i64). */
export const TABLE_PROFITS: u32 = 16;
/** How many rows the columns have room for, and how many they hold. */
export const TABLE_CAPACITY: u32 = 20;
export const TABLE_ROWS: u32 = 24;
/** The identifier set: SET_SLOT_BYTES per slot, a power of two slots; at most three quarters full. */
export const TABLE_SET: u32 = 28;
export const TABLE_SET_SLOTS: u32 = 32;
/** Per row, optional: its pool (u32), exempt (u8, 1 exempt), weight, cap (or capacity), score and lot (i64 each). */
export const TABLE_POOL: u32 = 36;
export const TABLE_EXEMPT: u32 = 40;
export const TABLE_WEIGHTS: u32 = 44;
export const TABLE_CAPS: u32 = 48;
export const TABLE_SCORES: u32 = 52;
export const TABLE_LOTS: u32 = 56;
/**
 * The pools known by name: their names end to end (POOL_NAMES, ends per pool in
 * POOL_ENDS), each one's decimals (u32), how many, and a set of (pool + 1, hash) pairs
 * (a power of two slots, at most half full) to find a name.
 */
export const TABLE_POOL_NAMES: u32 = 60;
export const TABLE_POOL_ENDS: u32 = 64;
export const TABLE_POOL_DECIMALS: u32 = 68;
export const TABLE_POOL_COUNT: u32 = 72;
export const TABLE_POOL_SET: u32 = 76;
export const TABLE_POOL_SLOTS: u32 = 80;
/** The bytes past an identifier the arena keeps readable and writable (the hash reads whole words, the scanner copies two). */
export const TABLE_ARENA_SLACK: u32 = 16;
/** One slot of the identifier set: the row + 1 (0: empty), then its identifier's hash (u32 each). */
export const SET_SLOT_BYTES: u32 = 8;

// ---- The scan record: plain CSV records of an account file into a table (files/csv.ts) ----
// The wrapper reads the header and every record the kernel leaves to it: the kernel takes only
// records it can read with no doubt (no quote, no stray CR, the header's field count, a
// non-empty identifier not seen before, a known pool, amounts of plain digits that fit,
// flags it knows) and stops at the first other one, so that the wrapper's reader gives its
// exact row or message.

export const SCAN_BYTES: u32 = 64;
/** The input (u32 address; SCAN_INPUT_SLACK bytes past its end stay readable) and its length. */
export const SCAN_INPUT: u32 = 0;
export const SCAN_LENGTH: u32 = 4;
/** In: where to start; out: where the first record not taken starts. */
export const SCAN_POSITION: u32 = 8;
/** The field delimiter's byte, and the decimal separator's ('.' or ','). */
export const SCAN_DELIMITER: u32 = 12;
export const SCAN_SEPARATOR: u32 = 16;
/** Fields per record (the header's), and what each field is: a ROLE_ byte per field at SCAN_ROLES. */
export const SCAN_FIELDS: u32 = 20;
export const SCAN_ROLES: u32 = 24;
/** The fraction digits of the profits, caps and lots without a pool column (with one: each pool's), of weights, of scores. */
export const SCAN_DECIMALS: u32 = 28;
export const SCAN_WEIGHT_DECIMALS: u32 = 32;
export const SCAN_SCORE_DECIMALS: u32 = 36;
/** The most rows the table may hold, and the longest record the wrapper's reader takes (bytes). */
export const SCAN_ROW_LIMIT: u32 = 40;
export const SCAN_MAX_RECORD: u32 = 44;
/** Out: why the scan stopped (a SCAN_ code). */
export const SCAN_STATUS: u32 = 48;
/** How amounts with more fraction digits than their scale are read (an INPUT_ code), and where their roundings are counted (the tallies). */
export const SCAN_ROUNDING: u32 = 52;
export const SCAN_TALLIES: u32 = 56;
/** The input-rounding rules (`--input-rounding`): exact refuses more digits; the others round the magnitude. */
export const INPUT_EXACT: u32 = 0;
export const INPUT_HALF_EVEN: u32 = 1;
export const INPUT_HALF_UP: u32 = 2;
export const INPUT_DOWN: u32 = 3;
export const INPUT_UP: u32 = 4;
/**
 * The tallies: per amount column (TALLY_ profit, weight, cap, score, lot, in that order),
 * TALLY_PLACES rows, row p for values with p fraction digits: how many were rounded (u64)
 * and Σ |adjustment| in units of 10^−p (u128, low half first). The wrapper adds them to its own.
 */
export const TALLY_PROFIT: u32 = 0;
export const TALLY_WEIGHT: u32 = 1;
export const TALLY_CAP: u32 = 2;
export const TALLY_SCORE: u32 = 3;
export const TALLY_LOT: u32 = 4;
export const TALLY_COLUMNS: u32 = 5;
export const TALLY_PLACES: u32 = 19;
export const TALLY_ROW_BYTES: u32 = 24;
export const TALLY_COUNT: u32 = 0;
export const TALLY_SUM_LOW: u32 = 8;
export const TALLY_SUM_HIGH: u32 = 16;
/** Bytes past the input's length a scan may read (never use). */
export const SCAN_INPUT_SLACK: u32 = 16;
/** The scan stopped at the end of the complete records: more input, or the wrapper for the last one. */
export const SCAN_WAIT: u32 = 0;
/** The scan stopped at a record it leaves to the wrapper's reader. */
export const SCAN_LEAVE: u32 = 1;
/** The scan stopped because the table needs room (arena, columns or set). */
export const SCAN_FULL: u32 = 2;
/** What a field is: nothing the command reads, or the column it fills. */
export const ROLE_NONE: u8 = 0;
export const ROLE_ID: u8 = 1;
export const ROLE_PROFIT: u8 = 2;
export const ROLE_POOL: u8 = 3;
export const ROLE_EXEMPT: u8 = 4;
export const ROLE_WEIGHT: u8 = 5;
export const ROLE_CAP: u8 = 6;
export const ROLE_SCORE: u8 = 7;
export const ROLE_LOT: u8 = 8;
/** In a haircut file read back (checkCsv): the haircut, and the profit after it. */
export const ROLE_HAIRCUT: u8 = 9;
export const ROLE_AFTER: u8 = 10;

// ---- The check record: a haircut file's records checked against the table (files/check.ts) ----
// Record r must name the table's row CHECK_ROW + r, with the same profit and pool when the
// file has those columns; its haircut and profit after go to scratch columns the wrapper
// copies out (row CHECK_BASE at index 0). Any other record is left to the wrapper's reader.

export const CHECK_BYTES: u32 = 32;
/** In: the table row the next record must name; out: the row after the last record taken. */
export const CHECK_ROW: u32 = 0;
/** The row at index 0 of the scratch columns, and how many rows they hold. */
export const CHECK_BASE: u32 = 4;
export const CHECK_CAPACITY: u32 = 8;
/** The scratch columns: haircuts (i64), profits after (i64), lines (u32). */
export const CHECK_HAIRCUTS: u32 = 12;
export const CHECK_AFTERS: u32 = 16;
export const CHECK_LINES: u32 = 20;
/** In: the line of the next record; out: the line after the last record taken. */
export const CHECK_LINE: u32 = 24;
/** Which roles the file's fields have: bit k for ROLE_ k. */
export const CHECK_ROLES: u32 = 28;

// ---- The rows record: the haircuts file's rows formatted from a table (files/format.ts) ----
// `account[,pool],profit,haircut,profit_after` rows, amounts with exactly their decimals (a
// pool's own, with a pool column), an identifier or pool name quoted (quotes doubled) when it
// holds a comma, quote or line break.

export const ROWS_BYTES: u32 = 36;
/** The haircuts (i64) of rows [ROWS_BASE, …): row r's at ROWS_HAIRCUTS + 8 (r − ROWS_BASE). */
export const ROWS_HAIRCUTS: u32 = 0;
export const ROWS_BASE: u32 = 4;
/** In: the first row to write; out: the first row not written. */
export const ROWS_FROM: u32 = 8;
/** The row to stop before. */
export const ROWS_TO: u32 = 12;
/** Where to write, how many bytes there are room for; out: how many were written. */
export const ROWS_OUT: u32 = 16;
export const ROWS_OUT_SIZE: u32 = 20;
export const ROWS_OUT_USED: u32 = 24;
/** The amounts' fraction digits (without a pool column). */
export const ROWS_DECIMALS: u32 = 28;
/** 1: write each row's pool name after its identifier, amounts at the pool's decimals. */
export const ROWS_POOLED: u32 = 32;
/** The most bytes one formatted amount takes: a sign, 19 digits, a point, leading zeros at 18 decimals. */
export const ROWS_AMOUNT_BYTES: u32 = 48;
