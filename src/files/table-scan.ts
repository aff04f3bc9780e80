// The core's scanner as an account table drives it: the scan record, the input copied into the
// core once per buffer, the roles of a file's fields, the tallies of what the scanner rounded,
// and verify's check of a haircut file against the table (assembly/files/check.ts).

import { MAX_ACCOUNTS } from '../core.js';
import type { CoreMemory } from '../core/memory.js';
import { MAX_RECORD_BYTES } from './chunks.js';
import { TALLIED, type CoreTally, type CsvShape } from './table-shape.js';

/** Each role's code in the core's layout. */
const ROLE_CODES = {
  id: 'ROLE_ID', profit: 'ROLE_PROFIT', pool: 'ROLE_POOL', exempt: 'ROLE_EXEMPT', weight: 'ROLE_WEIGHT', cap: 'ROLE_CAP', score: 'ROLE_SCORE', lot: 'ROLE_LOT',
  haircut: 'ROLE_HAIRCUT', after: 'ROLE_AFTER',
} as const;

/** Each input-rounding rule's code in the core's layout. */
const INPUT_CODES = { exact: 'INPUT_EXACT', 'half-even': 'INPUT_HALF_EVEN', 'half-up': 'INPUT_HALF_UP', down: 'INPUT_DOWN', up: 'INPUT_UP' } as const;

/** The scanner's record and blocks for one table. */
export class TableScan {
  /** The scan record's address. */
  readonly record: number;
  readonly #core: CoreMemory;
  readonly #table: number;
  #input = 0;
  #inputSize = 0;
  /** The buffer the input block holds a copy of (a scan of it again copies nothing). */
  #copied: Uint8Array | null = null;
  #roles = 0;
  /** The roles the roles block holds (a scan of another file's shape writes it again). */
  #rolesOf: CsvShape['roles'] | null = null;
  /** What the scanner rounded, per amount column and number of fraction digits (assembly/layout.ts's tallies). */
  readonly #tallies: number;
  /** verify's check: its record and scratch columns (haircuts, profits after, lines), or 0 until used. */
  #check = 0;

  /** The scanner of the table record at `table` of `core`. */
  constructor(core: CoreMemory, table: number) {
    this.#core = core;
    this.#table = table;
    const L = core.layout;
    const tallyBytes = L.TALLY_COLUMNS * L.TALLY_PLACES * L.TALLY_ROW_BYTES;
    [this.record, this.#tallies] = core.allocBlocks([L.SCAN_BYTES, tallyBytes]) as [number, number];
    core.zero(this.#tallies, tallyBytes);
  }

  /** The core's memory as u32 words (taken fresh: a growth detaches the last). */
  get #u32(): Uint32Array {
    return new Uint32Array(this.#core.buffer);
  }

  /** The core's memory as i32 words. */
  get #i32(): Int32Array {
    return new Int32Array(this.#core.buffer);
  }

  /** Copies `buffer` into the core (unless it is there) and fills the scan record for `shape`; returns the record's address. */
  prepare(buffer: Uint8Array, shape: CsvShape): number {
    const L = this.#core.layout;
    if (this.#copied !== buffer) {
      if (buffer.length + L.SCAN_INPUT_SLACK > this.#inputSize) {
        if (this.#input) this.#core.freeBlocks([this.#input]);
        this.#input = 0;
        this.#inputSize = Math.max(buffer.length + L.SCAN_INPUT_SLACK, 1 << 16);
        [this.#input] = this.#core.allocBlocks([this.#inputSize]) as [number];
      }
      new Uint8Array(this.#core.buffer).set(buffer, this.#input);
      this.#copied = buffer;
    }
    if (this.#rolesOf !== shape.roles) {
      if (this.#roles) this.#core.freeBlocks([this.#roles]);
      [this.#roles] = this.#core.allocBlocks([shape.roles.length]) as [number];
      new Uint8Array(this.#core.buffer).set(shape.roles.map((role) => (role === null ? L.ROLE_NONE : L[ROLE_CODES[role]])), this.#roles);
      this.#rolesOf = shape.roles;
    }
    const scan = this.record >>> 2, u32 = this.#u32;
    u32[scan + L.SCAN_INPUT / 4] = this.#input;
    u32[scan + L.SCAN_LENGTH / 4] = buffer.length;
    u32[scan + L.SCAN_DELIMITER / 4] = shape.delimiter;
    u32[scan + L.SCAN_SEPARATOR / 4] = shape.separator;
    u32[scan + L.SCAN_FIELDS / 4] = shape.roles.length;
    u32[scan + L.SCAN_ROLES / 4] = this.#roles;
    u32[scan + L.SCAN_DECIMALS / 4] = shape.decimals;
    u32[scan + L.SCAN_WEIGHT_DECIMALS / 4] = shape.weightDecimals;
    u32[scan + L.SCAN_SCORE_DECIMALS / 4] = shape.scoreDecimals;
    u32[scan + L.SCAN_ROW_LIMIT / 4] = MAX_ACCOUNTS;
    u32[scan + L.SCAN_MAX_RECORD / 4] = MAX_RECORD_BYTES;
    u32[scan + L.SCAN_ROUNDING / 4] = L[INPUT_CODES[shape.rounding]];
    u32[scan + L.SCAN_TALLIES / 4] = this.#tallies;
    return this.record;
  }

  /** What the scanner rounded so far, column by column (each taken once: the counts start again from 0). */
  takeTallies(): CoreTally[] {
    const L = this.#core.layout;
    const view = new DataView(this.#core.buffer, this.#tallies, L.TALLY_COLUMNS * L.TALLY_PLACES * L.TALLY_ROW_BYTES);
    const tallies: CoreTally[] = [];
    TALLIED.forEach((column, c) => {
      for (let places = 0; places < L.TALLY_PLACES; places++) {
        const row = (c * L.TALLY_PLACES + places) * L.TALLY_ROW_BYTES;
        const count = Number(view.getBigUint64(row + L.TALLY_COUNT, true));
        if (count === 0) continue;
        const sum = (view.getBigUint64(row + L.TALLY_SUM_HIGH, true) << 64n) | view.getBigUint64(row + L.TALLY_SUM_LOW, true);
        tallies.push({ column, places, count, sum });
      }
    });
    this.#core.zero(this.#tallies, view.byteLength);
    return tallies;
  }

  /**
   * Checks the plain records of a haircut file (`buffer` from `pos`, the first on line `line`)
   * against the table's rows from `row` on, by the core (checkCsv): each must name the next
   * account, with its profit and pool when the file has those roles, amounts at the row's
   * decimals; their haircuts, profits after (when the file has them) and lines go to `out`
   * (as words, row r's at 2r). Returns where the first record it left starts and the row after
   * the last it took; any other record is the wrapper's reader's to report.
   */
  check(buffer: Uint8Array, pos: number, shape: CsvShape, line: number, row: number,
    out: { haircuts: Int32Array; afters: Int32Array | null; lines: Uint32Array }): { end: number; row: number } {
    const L = this.#core.layout, CAPACITY = 1 << 16;
    if (this.#check === 0) [this.#check] = this.#core.allocBlocks([L.CHECK_BYTES + 20 * CAPACITY]) as [number];
    const scan = this.prepare(buffer, shape) >>> 2;
    const check = this.#check >>> 2, u32 = this.#u32, haircuts = this.#check + L.CHECK_BYTES;
    const afters = haircuts + 8 * CAPACITY, lines = afters + 8 * CAPACITY;
    u32[check + L.CHECK_CAPACITY / 4] = CAPACITY;
    u32[check + L.CHECK_HAIRCUTS / 4] = haircuts;
    u32[check + L.CHECK_AFTERS / 4] = afters;
    u32[check + L.CHECK_LINES / 4] = lines;
    u32[check + L.CHECK_ROLES / 4] = shape.roles.reduce((bits, role) => (role === null ? bits : bits | (1 << L[ROLE_CODES[role]])), 0);
    let at = pos;
    for (;;) {
      u32[scan + L.SCAN_POSITION / 4] = at;
      u32[check + L.CHECK_ROW / 4] = row;
      u32[check + L.CHECK_BASE / 4] = row;
      u32[check + L.CHECK_LINE / 4] = line;
      this.#core.exports.checkCsv(this.#table, this.record, this.#check);
      const next = u32[check + L.CHECK_ROW / 4]!;
      out.haircuts.set(this.#i32.subarray(haircuts >>> 2, (haircuts >>> 2) + 2 * (next - row)), 2 * row);
      out.afters?.set(this.#i32.subarray(afters >>> 2, (afters >>> 2) + 2 * (next - row)), 2 * row);
      out.lines.set(u32.subarray(lines >>> 2, (lines >>> 2) + next - row), row);
      line += next - row;
      row = next;
      at = u32[scan + L.SCAN_POSITION / 4]!;
      if (u32[scan + L.SCAN_STATUS / 4] !== L.SCAN_FULL) return { end: at, row };
    }
  }

  /** Frees the input block once reading is done. */
  release(): void {
    if (this.#input) this.#core.freeBlocks([this.#input]);
    this.#input = 0;
    this.#inputSize = 0;
    this.#copied = null;
  }
}
