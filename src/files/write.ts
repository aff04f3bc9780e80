// Writing CSV rows into a Sink without an object or a string per row: each
// row is built in the sink's buffer (or, when larger than the buffer, on its own).

import type { Sink } from './sink.js';

const COMMA = 0x2c, QUOTE = 0x22, LF = 0x0a, CR = 0x0d;

/** The most bytes one formatted amount takes (a sign, 20 digits, a point, leading zeros at 18 decimals). */
export const AMOUNT_BYTES = 48;

/**
 * Writes `rows` rows: for each, `room(row)` is an upper bound of its bytes and
 * `fill(out, at, row)` writes it at `at` of `out` and returns the position after it.
 */
export async function writeTable(sink: Sink, rows: number, room: (row: number) => number, fill: (out: Uint8Array, at: number, row: number) => number): Promise<void> {
  for (let row = 0; row < rows; row++) {
    const bytes = room(row);
    // Awaiting only when the buffer is full: a promise per row would cost more than the row.
    if (!sink.fits(bytes)) await sink.flush();
    if (bytes > sink.capacity) {
      // A row larger than the whole buffer (a huge identifier) is built on its own.
      const alone = new Uint8Array(bytes);
      await sink.write(alone.subarray(0, fill(alone, 0, row)));
    } else {
      sink.advance(fill(sink.buffer, sink.used, row));
    }
  }
}

/** The most bytes `writeField` writes for `value`. */
export function fieldRoom(value: Uint8Array): number {
  return 2 * value.length + 2;
}

/** A value as a CSV field: quoted (quotes doubled) only when it holds a comma, quote or line break. */
export function writeField(out: Uint8Array, at: number, value: Uint8Array): number {
  let plain = true;
  for (let i = 0; i < value.length; i++) {
    const b = value[i]!;
    if (b === COMMA || b === QUOTE || b === LF || b === CR) {
      plain = false;
      break;
    }
  }
  if (plain) {
    out.set(value, at);
    return at + value.length;
  }
  out[at++] = QUOTE;
  for (let i = 0; i < value.length; i++) {
    if (value[i] === QUOTE) out[at++] = QUOTE;
    out[at++] = value[i]!;
  }
  out[at++] = QUOTE;
  return at;
}

/** The byte values `writeTable`'s fills put between and after fields. */
export const SEPARATOR = COMMA;
export const END_OF_ROW = LF;
