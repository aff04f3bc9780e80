// The haircuts file's rows (pooled or not) written by the core (assembly/files/format.ts) from an account
// table: the haircuts read in place (a book of the table's engine) or copied into the table's core
// a slab at a time, formatted there, and
// handed to the sink in pieces of 1 MiB, one written while the next is formatted. A row the core stops before (an identifier too
// long for a piece) is written by the caller's own formatter, the same bytes.

import type { CoreMemory } from '../core/memory.js';
import type { Sink } from './sink.js';
import { writeTable } from './write.js';

/** Rows per slab of haircuts copied into the core. */
const SLAB = 1 << 16;
/** The output piece's size. */
const PIECE = 1 << 20;

/** The core's formatter over one table. */
export class TableRows {
  readonly #core: CoreMemory;
  readonly #table: number;
  /** Its record, a slab of haircuts and two output pieces, placed once (so that writing never grows the memory). */
  readonly #record: number;
  readonly #slab: number;
  readonly #pieces: [number, number];
  /** Whether a write is running (one at a time: the blocks are the formatter's own). */
  #busy = false;

  /** The formatter over the table record at `table` of `core`: its blocks placed now. */
  constructor(core: CoreMemory, table: number) {
    this.#core = core;
    this.#table = table;
    const L = core.layout;
    const [record, slab, first, second] = core.allocBlocks([L.ROWS_BYTES, 8 * SLAB, PIECE, PIECE]) as [number, number, number, number];
    this.#record = record;
    this.#slab = slab;
    this.#pieces = [first, second];
  }

  /**
   * Writes rows [0, `rows`) as `account,profit,haircut,profit_after` with `decimals` fraction
   * digits, or when `pooled` as `account,pool,profit,haircut,profit_after` with each pool's
   * (the table's pools must hold every pool of its rows). `haircuts` (row r's at r) is read in
   * place when it lies in this core's memory (a book of the table's engine), else copied in a
   * slab at a time. `room` and `fill` write one row as the JavaScript formatter does, for a row
   * the core leaves.
   */
  async write(
    sink: Sink, haircuts: BigInt64Array, rows: number, decimals: number, pooled: boolean,
    room: (row: number) => number, fill: (out: Uint8Array, at: number, row: number) => number,
  ): Promise<void> {
    if (this.#busy) throw new Error('internal: one write at a time');
    this.#busy = true;
    const core = this.#core, L = core.layout;
    const inPlace = haircuts.buffer === core.buffer;
    const address = haircuts.byteOffset;
    const fields = core.fields(this.#record);
    fields.setU32(L.ROWS_OUT_SIZE, PIECE);
    fields.setU32(L.ROWS_DECIMALS, decimals);
    fields.setU32(L.ROWS_POOLED, pooled ? 1 : 0);
    // Two output pieces: one is written while the next is formatted.
    const [first, second] = this.#pieces;
    let out = first;
    let writing: Promise<void> | null = null;
    try {
      const step = inPlace ? Math.max(rows, 1) : SLAB;
      for (let base = 0; base < rows; base += step) {
        const to = Math.min(rows, base + step);
        if (inPlace) {
          fields.setU32(L.ROWS_HAIRCUTS, address);
          fields.setU32(L.ROWS_BASE, 0);
        } else {
          new Uint8Array(core.buffer).set(new Uint8Array(haircuts.buffer, address + 8 * base, 8 * (to - base)), this.#slab);
          fields.setU32(L.ROWS_HAIRCUTS, this.#slab);
          fields.setU32(L.ROWS_BASE, base);
        }
        fields.setU32(L.ROWS_TO, to);
        let from = base;
        while (from < to) {
          fields.setU32(L.ROWS_FROM, from);
          fields.setU32(L.ROWS_OUT, out);
          core.exports.formatRows(this.#table, this.#record);
          const used = fields.u32(L.ROWS_OUT_USED);
          const next = fields.u32(L.ROWS_FROM);
          await writing;
          writing = null;
          if (used > 0) {
            writing = sink.writeTransient(new Uint8Array(core.buffer, out, used));
            out = out === first ? second : first;
          }
          if (next === from) {
            // A row the core leaves: written as the JavaScript formatter writes it.
            await writing;
            writing = null;
            await writeTable(sink, 1, () => room(from), (bytes, at) => fill(bytes, at, from));
            from++;
          } else {
            from = next;
          }
        }
      }
      await writing;
    } finally {
      // A write still in flight (this one failed) is waited for before its piece is used again.
      await writing?.catch(() => {});
      this.#busy = false;
    }
  }
}
