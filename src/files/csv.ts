// A streaming RFC 4180 reader: bytes in, rows out to a RowConsumer, with no
// object or string per row. A header names the columns (matched
// case-insensitively, in any order; others are ignored). Records end in LF or
// CRLF; quoted fields may hold commas, doubled quotes and line breaks. Every
// malformed record is an InputError with its line and column.

import { InputError, quote } from './errors.js';
import { joinChunks, MAX_RECORD_BYTES, withoutByteOrderMark } from './chunks.js';
import { columnList, DELIMITERS, delimiterName, describeColumn, Fields, lackingHint, type RowConsumer } from './fields.js';

const QUOTE = 0x22, LF = 0x0a, CR = 0x0d;
const MAX_FIELDS = 65_536;
/** Decodes UTF-8 as it is: a byte-order mark inside a field stays part of it. */
const AS_IS = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Reads CSV from `chunks` into `consumer`; returns the rows read (the header not
 * counted). `file` names the input in errors.
 * `expect(rows)`, when given, is told once how many rows the whole input likely
 * holds (from the file's size, `expectedBytes`, and the first chunk's rows).
 *
 * Linear in the input whatever its shape: a record longer than what is buffered
 * is parsed again only once twice as many bytes are waiting, so a long record
 * costs a few passes over its bytes, never one per chunk.
 */
export async function readCsv(
  chunks: AsyncIterable<Uint8Array>, file: string, consumer: RowConsumer, expectedBytes = 0, expect?: (rows: number) => void,
): Promise<number> {
  const reader = new CsvRecords(file, consumer);
  let parts: Uint8Array[] = [];
  let waiting = 0; // bytes in parts
  let retryAt = 0; // parse again once this many bytes wait
  let sized = false;
  for await (const chunk of withoutByteOrderMark(chunks)) {
    parts.push(chunk);
    waiting += chunk.length;
    if (waiting < retryAt) continue;
    const buffer = joinChunks(parts);
    const used = reader.records(buffer, false);
    const rest = buffer.subarray(used);
    // A short tail is copied (its chunk can go); a long one is kept as a view.
    parts = rest.length === 0 ? [] : [rest.length < 1 << 16 ? rest.slice() : rest];
    waiting = rest.length;
    retryAt = used === 0 ? 2 * waiting : 0;
    if (!sized && reader.rows > 0 && expectedBytes > 0) {
      expect?.(Math.ceil((expectedBytes * reader.rows) / used));
      sized = true;
    }
  }
  const tail = joinChunks(parts);
  const used = reader.records(tail, true);
  if (used !== tail.length) throw new Error('internal: unparsed CSV tail');
  reader.finish();
  return reader.rows;
}

/** Record-by-record state: the header's column positions, the current line. */
class CsvRecords {
  /** Rows (records after the header) read so far. */
  rows = 0;
  #line = 1;
  /** The first line of a run of blank lines not yet followed by a record, or null. */
  #blankLine: number | null = null;
  /** Per requested column, its field's position in a record (−1: not in the header). */
  readonly #positions: Int32Array;
  readonly #fields: Fields;
  #columns = 0;
  readonly #starts = new Int32Array(MAX_FIELDS);
  readonly #ends = new Int32Array(MAX_FIELDS);
  readonly #quoted = new Uint8Array(MAX_FIELDS);
  readonly #columnAt = new Int32Array(MAX_FIELDS); // 1-based byte column of each field
  readonly #lineAt = new Int32Array(MAX_FIELDS); // line where each field starts

  /** The field delimiter's byte, or 0 until the header has decided it. */
  #delimiter = 0;
  /** Whether the first line was checked for Excel's "sep=…". */
  #separatorChecked = false;

  /**
   * Where the line after an Excel "sep=X" first line at `pos` starts (its X the delimiter,
   * unless one was given or named by the file), −1 when the first line is something else,
   * −2 when it is not complete yet.
   */
  #separatorLine(buffer: Uint8Array, pos: number, last: boolean): number {
    const end = buffer.indexOf(LF, pos);
    if (end < 0 && !last && buffer.length - pos < 8) return -2;
    const line = AS_IS.decode(buffer.subarray(pos, end < 0 ? Math.min(buffer.length, pos + 8) : end)).replace(/\r$/, '');
    const named = /^sep=([,;\t|])$/i.exec(line);
    if (named === null || end < 0) return -1;
    if (this.#delimiter === 0) this.#delimiter = named[1]!.charCodeAt(0);
    return end + 1;
  }
  /** What the blank run at #blankLine is, for its message. */
  #blankKind = 'an empty line';

  constructor(readonly file: string, readonly consumer: RowConsumer) {
    this.#positions = new Int32Array(consumer.columns.length).fill(-1);
    this.#fields = new Fields(consumer.columns.length);
    const given = consumer.csv?.delimiter ?? null;
    if (given !== null) this.#delimiter = given.charCodeAt(0);
    else if (/\.tsv(\.gz)?$/i.test(file)) this.#delimiter = 0x09;
  }

  /**
   * Decides the delimiter from the header line at `pos` (false: the line is not complete
   * yet): the first of , ; tab | that splits it into every column the consumer requires,
   * else the one that splits it into the most fields (a comma when none splits it).
   */
  #detect(buffer: Uint8Array, pos: number, last: boolean): boolean {
    let end = pos;
    let quoted = false;
    while (end < buffer.length && (quoted || buffer[end] !== LF)) {
      if (buffer[end] === QUOTE) quoted = !quoted;
      if (end - pos > MAX_RECORD_BYTES) break;
      end++;
    }
    if (end >= buffer.length && !last && end - pos <= MAX_RECORD_BYTES) return false;
    const line = AS_IS.decode(buffer.subarray(pos, end)).replace(/\r$/, '');

    const required = this.consumer.columns.filter((c) => c.required).map((c) => c.name.toLowerCase());
    const candidates = DELIMITERS.filter((d) => !(d === ',' && this.consumer.csv?.decimalComma));
    const split = (d: string) => splitHeader(line, d).map((name) => name.toLowerCase());
    const fits = required.length === 0 ? undefined : candidates.find((d) => required.every((name) => split(d).includes(name)));
    const most = candidates.reduce((best, d) => (split(d).length > split(best).length ? d : best), candidates[0]!);
    this.#delimiter = (fits ?? most).charCodeAt(0);
    return true;
  }

  /** What a header must name, for messages. */
  #expectedHeader(): string {
    return `a header naming the columns ${columnList(this.consumer.columns)}`;
  }

  /** Parses the complete records in `buffer`; returns how many bytes they used. At the end (`last`), all of it. */
  records(buffer: Uint8Array, last: boolean): number {
    let pos = 0;
    // Whether the consumer's core scanner may take the records at pos (not when it just left one here).
    let scan = this.consumer.scanCsv !== undefined;
    while (pos < buffer.length) {
      if (scan && this.#columns > 0 && this.#blankLine === null) {
        const taken = this.consumer.scanCsv!(buffer, pos, this.#delimiter, this.#columns, this.#positions, this.#line);
        this.rows += taken.rows;
        this.#line += taken.rows;
        pos = taken.end;
        scan = false;
        continue;
      }
      scan = this.consumer.scanCsv !== undefined;
      // A blank line is no record: fine at the end of the file, an error (naming the
      // first) when a record follows. Decided line by line, so chunks cannot change it.
      const b = buffer[pos]!;
      let blankEnd = 0; // where a blank line at pos ends, or 0: none here
      if (b === LF) blankEnd = pos + 1;
      else if (b === CR && buffer[pos + 1] === LF) blankEnd = pos + 2;
      else if (b === CR && pos + 1 >= buffer.length) {
        if (!last) break; // a CR last in the buffer: wait for what follows
        blankEnd = pos + 1;
      }
      if (blankEnd > 0) {
        if (this.#blankLine === null) {
          this.#blankLine = this.#line;
          this.#blankKind = 'an empty line';
        }
        this.#line++;
        pos = blankEnd;
        continue;
      }
      if (this.#line === 1 && this.#columns === 0 && !this.#separatorChecked) {
        // Excel's "sep=;" first line names the delimiter (unless one is given) and is no header.
        const after = this.#separatorLine(buffer, pos, last);
        if (after === -2) break;
        this.#separatorChecked = true;
        if (after >= 0) {
          pos = after;
          this.#line++;
          continue;
        }
      }
      if (this.#delimiter === 0 && !this.#detect(buffer, pos, last)) break;
      const end = this.#record(buffer, pos, last);
      if (end < 0) break;
      pos = end;
    }
    return pos;
  }

  /** Checks what only the end can tell. */
  finish(): void {
    if (this.#columns === 0) throw new InputError(this.file, 1, 1, `empty file; expected ${this.#expectedHeader()}`);
    this.consumer.end?.(this.#blankLine ?? this.#line);
  }

  /** Parses one record at `pos`; returns the position after its line break, or −1 if it is not complete yet. */
  #record(buffer: Uint8Array, pos: number, last: boolean): number {
    const delimiter = this.#delimiter;
    const firstLine = this.#line;
    let lineStart = pos;
    let line = this.#line;
    let fields = 0;
    let i = pos;
    for (;;) {
      if (fields === MAX_FIELDS) throw new InputError(this.file, line, i - lineStart + 1, `more than ${MAX_FIELDS} fields`);
      this.#columnAt[fields] = i - lineStart + 1;
      this.#lineAt[fields] = line;
      if (i < buffer.length && buffer[i] === QUOTE) {
        // Quoted field: up to the closing quote not followed by another.
        const openLine = line, openColumn = i - lineStart + 1;
        i++;
        const start = i;
        for (;;) {
          if (i >= buffer.length) {
            if (i - pos > MAX_RECORD_BYTES) throw this.#tooLong(firstLine, true);
            if (!last) return -1;
            throw new InputError(this.file, openLine, openColumn, 'quoted field never closed; expected a closing "');
          }
          const b = buffer[i]!;
          if (b === QUOTE) {
            if (i + 1 < buffer.length && buffer[i + 1] === QUOTE) {
              i += 2;
              continue;
            }
            if (i + 1 >= buffer.length && !last) return -1;
            break;
          }
          if (b === LF) {
            line++;
            lineStart = i + 1;
          }
          i++;
        }
        if (i - pos > MAX_RECORD_BYTES) throw this.#tooLong(firstLine, true);
        this.#starts[fields] = start;
        this.#ends[fields] = i;
        this.#quoted[fields] = 1;
        i++; // closing quote
        fields++;
        if (i < buffer.length && buffer[i] !== delimiter && buffer[i] !== LF && !(buffer[i] === CR && buffer[i + 1] === LF)) {
          // A CR last in the buffer: a CRLF split across chunks, or (at the end of the file) the last line break.
          if (buffer[i] === CR && i + 1 >= buffer.length) {
            if (!last) return -1;
          } else {
            throw new InputError(this.file, line, i - lineStart + 1, `unexpected character after a closing quote; expected ${quote(delimiterName(String.fromCharCode(delimiter)))} or the end of the line`);
          }
        }
      } else {
        const start = i;
        while (i < buffer.length) {
          const b = buffer[i]!;
          if (b === delimiter || b === LF || b === CR) break;
          if (b === QUOTE) throw new InputError(this.file, line, i - lineStart + 1, 'quote inside an unquoted field; quote the whole field and double the quote');
          i++;
        }
        if (i - pos > MAX_RECORD_BYTES) throw this.#tooLong(firstLine, false);
        if (i >= buffer.length && !last) return -1;
        if (i < buffer.length && buffer[i] === CR && buffer[i + 1] !== LF) {
          // A CR ends a line only before LF, or as the file's last byte; anywhere else it is a stray.
          if (i + 1 >= buffer.length && !last) return -1;
          if (i + 1 < buffer.length) {
            throw new InputError(this.file, line, i - lineStart + 1, 'carriage return (CR) not followed by a line feed in an unquoted field; end lines with LF or CRLF, or quote the field');
          }
        }
        this.#starts[fields] = start;
        this.#ends[fields] = i;
        this.#quoted[fields] = 0;
        fields++;
      }
      // After a field: a delimiter starts the next one; a line break or the end closes the record.
      if (i < buffer.length && buffer[i] === delimiter) {
        i++;
        continue;
      }
      let next = i;
      if (i < buffer.length) next = buffer[i] === CR && buffer[i + 1] === LF ? i + 2 : i + 1;
      this.#line = line + 1;
      this.#row(buffer, fields, firstLine);
      return next;
    }
  }

  /** The error for a record past MAX_RECORD_BYTES starting at `line` (`quoted`: a quoted field was still open). */
  #tooLong(line: number, quoted: boolean): InputError {
    const hint = quoted ? '; is a closing quote missing?' : '';
    return new InputError(this.file, line, 1, `record longer than ${MAX_RECORD_BYTES / 2 ** 20} MiB (the longest a record may be)${hint}`);
  }

  #row(buffer: Uint8Array, fields: number, line: number): void {
    // A record whose fields are all empty (a spreadsheet's ",,,") is a blank line: fine at the end only.
    let blank = this.#columns > 0 && fields > 1;
    for (let f = 0; f < fields && blank; f++) blank = this.#quoted[f] === 0 && this.#starts[f] === this.#ends[f];
    if (blank) {
      if (this.#blankLine === null) {
        this.#blankLine = line;
        this.#blankKind = 'a record whose fields are all empty';
      }
      return;
    }
    if (this.#blankLine !== null) {
      const expected = this.#columns > 0 ? `${this.#columns} fields as in the header` : this.#expectedHeader();
      throw new InputError(this.file, this.#blankLine, 1, `found ${this.#blankKind}; expected ${expected}`);
    }
    if (this.#columns === 0) {
      this.#header(buffer, fields, line);
      return;
    }
    if (fields !== this.#columns) {
      const what = fields === 1 && this.#ends[0] === this.#starts[0] ? 'an empty line' : `${fields} field${fields === 1 ? '' : 's'}`;
      throw new InputError(this.file, line, 1, `found ${what}; expected ${this.#columns} fields as in the header`);
    }
    const out = this.#fields;
    out.buffer = buffer;
    for (let k = 0; k < this.#positions.length; k++) {
      const f = this.#positions[k]!;
      if (f < 0) {
        out.start[k] = -1;
        continue;
      }
      out.start[k] = this.#starts[f]!;
      out.end[k] = this.#ends[f]!;
      out.quoted[k] = this.#quoted[f]!;
      out.line[k] = this.#lineAt[f]!;
      out.column[k] = this.#columnAt[f]!;
    }
    this.rows++;
    this.consumer.row(out, line);
  }

  #header(buffer: Uint8Array, fields: number, line: number): void {
    const requested = this.consumer.columns;
    const names: string[] = [];
    for (let f = 0; f < fields; f++) {
      let name = AS_IS.decode(buffer.subarray(this.#starts[f], this.#ends[f]));
      if (this.#quoted[f]) name = name.replaceAll('""', '"');
      names.push(name);
    }
    this.consumer.delimited?.(String.fromCharCode(this.#delimiter));
    this.consumer.header?.(names);
    for (let f = 0; f < fields; f++) {
      const name = names[f]!.toLowerCase(); // column names match case-insensitively
      for (let k = 0; k < requested.length; k++) {
        if (requested[k]!.name.toLowerCase() !== name) continue;
        if (this.#positions[k]! >= 0) {
          const first = this.#positions[k]!;
          throw new InputError(this.file, this.#lineAt[f]!, this.#columnAt[f]!, `column ${quote(name)} appears twice in the header (also at column ${this.#columnAt[first]}; names match case-insensitively)`);
        }
        this.#positions[k] = f;
      }
    }
    const missing = requested.filter((c, k) => c.required && this.#positions[k]! < 0);
    if (missing.length > 0) {
      const lacks = missing.map(describeColumn).join(' and ');
      throw new InputError(this.file, line, 1, `the header lacks ${lacks}; expected ${this.#expectedHeader()}${lackingHint(missing, names, false, String.fromCharCode(this.#delimiter))}`);
    }
    this.#columns = fields;
  }
}

/** A header line's names split on `delimiter` outside quotes (a quoted name unquoted, `""` read as `"`). */
function splitHeader(line: string, delimiter: string): string[] {
  const names: string[] = [];
  let name = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"') {
      if (quoted && line[i + 1] === '"') {
        name += '"';
        i++;
      } else quoted = !quoted;
    } else if (c === delimiter && !quoted) {
      names.push(name);
      name = '';
    } else name += c;
  }
  names.push(name);
  return names;
}
