// JSON Lines: one object per line, {"account": "...", "profit": "..."}, rows
// out to a RowConsumer. Keys match the requested columns case-insensitively.
// A value is a string, or a bare JSON number (`96.431098`, `1e-05`) handed over
// as its text exactly as written, as if it were an unquoted CSV field: the same
// decimal grammar reads it, and no value ever passes through a float (JSON.parse
// only checks the line). An identifier may be a number too: `1001` is the text
// `1001`, and `1001.0` stays `1001.0`. Lines end in LF or CRLF; blank lines are
// skipped; a file with no object at all is an error. Lines must be valid UTF-8
// and identifiers valid Unicode (no lone surrogate), so that an identifier's
// bytes in the output are exactly its bytes in the input. A value's messages
// point at the value; columns count bytes.

import { InputError, quote, shorten } from './errors.js';
import { joinChunks, MAX_RECORD_BYTES, withoutByteOrderMark } from './chunks.js';
import { Fields, lackingHint, type ColumnRequest, type RowConsumer } from './fields.js';

const encoder = new TextEncoder();
const LF = 0x0a, CR = 0x0d;

/**
 * Reads JSON Lines from `chunks` into `consumer`; returns the objects read. `file` names the input in errors;
 * `expect` as for `readCsv`. Linear: each byte is looked at once to find the lines.
 */
export async function readJsonLines(
  chunks: AsyncIterable<Uint8Array>, file: string, consumer: RowConsumer, expectedBytes = 0, expect?: (rows: number) => void,
): Promise<number> {
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const lines = new JsonRows(file, consumer);
  let parts: Uint8Array[] = [];
  let waiting = 0;
  let line = 0;
  let objects = 0;
  const take = (bytes: Uint8Array) => {
    line++;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    // The limit is the line's, as in CSV: a CRLF's CR is not part of it.
    if (end > MAX_RECORD_BYTES) throw tooLong(file, line);
    const text = decodeLine(strict, bytes.subarray(0, end), file, line);
    if (/^[ \t\r\n]*$/.test(text)) return; // JSON's own white space only: a line of U+00A0 or U+FEFF is no blank line
    objects++;
    lines.row(text, line, end === text.length);
  };
  let sized = false;
  for await (const chunk of withoutByteOrderMark(chunks)) {
    let from = 0;
    for (let lf = chunk.indexOf(LF); lf >= 0; lf = chunk.indexOf(LF, from)) {
      const rest = chunk.subarray(from, lf);
      take(parts.length === 0 ? rest : joinChunks([...parts, rest]));
      parts = [];
      waiting = 0;
      from = lf + 1;
    }
    if (from < chunk.length) {
      parts.push(chunk.subarray(from));
      waiting += chunk.length - from;
      if (waiting > MAX_RECORD_BYTES + 1) throw tooLong(file, line + 1); // + 1: a CR that a LF may follow
    }
    if (!sized && objects > 0 && expectedBytes > 0) {
      expect?.(Math.ceil((expectedBytes * objects) / chunk.length));
      sized = true;
    }
  }
  if (waiting > 0) take(joinChunks(parts));
  if (objects === 0) throw new InputError(file, 1, 1, `empty file; expected one JSON object per line, like ${lines.example}`);
  consumer.end?.(line + 1);
  return objects;
}

function tooLong(file: string, line: number): InputError {
  return new InputError(file, line, 1, `line longer than ${MAX_RECORD_BYTES / 2 ** 20} MiB (the longest a line may be); expected one object per line`);
}

/** A line's text; an InputError at the first byte that is not UTF-8. */
function decodeLine(strict: TextDecoder, bytes: Uint8Array, file: string, line: number): string {
  try {
    return strict.decode(bytes);
  } catch {
    throw new InputError(file, line, firstInvalidUtf8(bytes) + 1, 'not valid UTF-8; expected a UTF-8 text file (identifiers are kept byte for byte)');
  }
}

/** The offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    for (let k = 1; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    const second = bytes[i + 1]!;
    // Overlong forms, surrogates and code points past U+10FFFF.
    if ((b === 0xe0 && second < 0xa0) || (b === 0xed && second > 0x9f) || (b === 0xf0 && second < 0x90) || (b === 0xf4 && second > 0x8f)) return i;
    i += length;
  }
  return bytes.length;
}

/** A lone (unpaired) UTF-16 surrogate: a string holding one has no UTF-8 form. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The 1-based byte column of the character at `index` of `text`. */
function byteColumn(text: string, index: number): number {
  return encoder.encode(text.slice(0, index)).length + 1;
}

/** Turns one line's object into the consumer's Fields: each requested member's value as UTF-8 bytes. */
class JsonRows {
  readonly #fields: Fields;
  readonly #names: string[];
  /** An object like the consumer expects, for messages. */
  readonly example: string;
  #scratch = new Uint8Array(256);
  #first = true;

  constructor(readonly file: string, readonly consumer: RowConsumer) {
    this.#fields = new Fields(consumer.columns.length);
    this.#names = consumer.columns.map((c) => c.name.toLowerCase());
    const sample: Record<string, string> = {};
    for (const c of consumer.columns) if (c.required) sample[c.name] = c.kind === 'id' ? 'a1' : c.kind === 'amount' ? '12.50' : 'USDT';
    this.example = JSON.stringify(sample).replaceAll('":"', '": "').replaceAll('","', '", "');
  }

  /** Hands one line's object to the consumer; `ascii`: the text has one byte per character (columns without encoding). */
  row(text: string, line: number, ascii: boolean): void {
    const file = this.file;
    let row: unknown;
    try {
      // Only to check the line: every value handed over is read from the text itself.
      row = JSON.parse(text);
    } catch (error) {
      const bad = notJsonNumber(text);
      if (bad !== null) throw new InputError(file, line, byteColumn(text, bad.at), `not valid JSON: ${shorten(bad.word)} ${NUMBER_GRAMMAR}`);
      throw new InputError(file, line, 1, `not valid JSON (${shorten((error as Error).message)}); expected an object like ${this.example}`);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new InputError(file, line, 1, `expected a JSON object like ${this.example}`);
    }
    if (this.#first) {
      this.#first = false;
      this.consumer.header?.(Object.keys(row));
    }
    // The members' own text: a number is taken from its digits, never from its float value.
    const at = (index: number) => (ascii ? index + 1 : byteColumn(text, index));
    const column = (member: Member | undefined) => (member === undefined ? 1 : at(member.value));
    const members = topLevelMembers(text, this.#names, (key, first, again) => {
      throw new InputError(file, line, at(again.key), `key ${quote(key)} repeats the key at column ${at(first.key)} (keys match case-insensitively); expected each key once`);
    });
    const out = this.#fields;
    let used = 0;
    this.consumer.columns.forEach((request, k) => {
      const member = members.get(this.#names[k]!);
      out.quoted[k] = 0;
      out.line[k] = line;
      out.column[k] = column(member);
      const value = member === undefined ? undefined : valueText(request, member.token, file, line, column(member));
      out.number[k] = member !== undefined && !member.token.startsWith('"') && value !== '' ? 1 : 0;
      if (value === undefined) {
        // The object's keys (on line 1, the first object's), and the option that picks another key.
        if (request.required) throw new InputError(file, line, 1, `${request.name} is missing; expected ${expectedOf(request)}${lackingHint([request], Object.keys(row as object), true)}`);
        out.start[k] = -1;
        return;
      }
      const room = 3 * value.length;
      if (used + room > this.#scratch.length) {
        const grown = new Uint8Array(Math.max(2 * this.#scratch.length, used + room));
        grown.set(this.#scratch.subarray(0, used));
        this.#scratch = grown;
      }
      const { written } = encoder.encodeInto(value, this.#scratch.subarray(used));
      out.start[k] = used;
      out.end[k] = used + written;
      used += written;
    });
    out.buffer = this.#scratch;
    this.consumer.row(out, line);
  }
}

/** What a member of this kind should hold, for messages. */
function expectedOf(request: ColumnRequest): string {
  switch (request.kind) {
    case 'id': return 'a non-empty string or a number';
    case 'amount': return 'a decimal string or a number';
    case 'text': return 'a string or a number';
    case 'flag': return 'true, false, 1, 0, "yes", "no", "y" or "n"';
  }
}

/**
 * A member's value as the text the consumer parses: a string's decoded text, a number's
 * text as written (the line passed JSON.parse, so it is a JSON number), empty for null in
 * a flag or a nullable column; an InputError for a value of the wrong type.
 */
function valueText(request: ColumnRequest, token: string, file: string, line: number, column: number): string {
  const name = request.name;
  if (token.startsWith('"')) {
    const value = JSON.parse(token) as string;
    if (request.kind === 'id' && value === '') throw new InputError(file, line, column, `${name} must be a non-empty string, got ""`);
    if (LONE_SURROGATE.test(value)) {
      throw new InputError(file, line, column, `${name} holds a lone surrogate escape (\\uD800 to \\uDFFF without its pair), which no UTF-8 text can hold`);
    }
    return value;
  }
  if (request.kind === 'flag' && (token === 'true' || token === 'false' || token === '0' || token === '1')) return token;
  // null in a flag (no) or a nullable column reads as an empty value, as an empty CSV field does.
  if ((request.kind === 'flag' || request.nullable === true) && token === 'null') return '';
  // A number: its text as an unquoted CSV field, for the amount grammar (or as the identifier, the pool's name).
  if (request.kind !== 'flag' && (token[0] === '-' || (token[0]! >= '0' && token[0]! <= '9'))) return token;
  throw new InputError(file, line, column, `${name} must be ${expectedOf(request)}, got ${shorten(token)}`);
}

/** What a message says JSON allows of a number. */
const NUMBER_GRAMMAR = 'is not a JSON number; JSON allows -12, 0.5, 1e-05, 1.5E+3: an optional "-", digits without a leading zero, '
  + 'optionally "." and digits, optionally an exponent (no "+", NaN or Infinity)';

/** A JSON number, whole (RFC 8259 §6). */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** A word a number might have been meant to be: `01`, `+1`, `.5`, `1.`, `NaN`, `-Infinity`, `0x1F`. */
const NUMBER_LIKE = /^[-+\d.]|^(?:nan|inf(?:inity)?)$/i;
/** What a word outside strings is made of: literals and numbers, and what is mistaken for them. */
const WORD = /[\w+\-.]/;

/**
 * In a line JSON.parse refused, the first word outside strings that is no JSON literal or
 * number, when it looks like a number (`01`, `+1`, `.5`, `1.`, `NaN`, `Infinity`): its
 * index and text. Null otherwise: then JSON.parse's own message says what is wrong.
 */
function notJsonNumber(text: string): { at: number; word: string } | null {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') {
      i = stringEnd(text, i) - 1;
      continue;
    }
    if (!WORD.test(text[i]!)) continue;
    let end = i + 1;
    while (end < text.length && WORD.test(text[end]!)) end++;
    const word = text.slice(i, end);
    if (word !== 'true' && word !== 'false' && word !== 'null' && !JSON_NUMBER.test(word)) return NUMBER_LIKE.test(word) ? { at: i, word } : null;
    i = end - 1;
  }
  return null;
}

/** A member of the line's top-level object: its value's JSON text, and where its key and its value start (indices in the line's text). */
interface Member {
  token: string;
  key: number;
  value: number;
}

/**
 * The top-level members of a JSON object text already validated by JSON.parse,
 * by decoded key in lower case (`Account` is `account`); one of `wanted` met
 * twice calls `repeated` (which throws), so that no value is silently dropped.
 */
function topLevelMembers(text: string, wanted: readonly string[], repeated: (key: string, first: Member, again: Member) => never): Map<string, Member> {
  const members = new Map<string, Member>();
  let i = skipSpace(text, text.indexOf('{') + 1);
  while (i < text.length && text[i] !== '}') {
    const keyStart = i;
    i = stringEnd(text, i);
    const key = JSON.parse(text.slice(keyStart, i)) as string;
    i = skipSpace(text, skipSpace(text, i) + 1); // past ':'
    const valueStart = i;
    i = valueEnd(text, i);
    const member = { token: text.slice(valueStart, i).trim(), key: keyStart, value: valueStart };
    const name = key.toLowerCase();
    const first = members.get(name);
    if (first !== undefined && wanted.includes(name)) repeated(key, first, member);
    members.set(name, member);
    i = skipSpace(text, i);
    if (text[i] === ',') i = skipSpace(text, i + 1);
  }
  return members;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  return i;
}

/** The index after the string token starting at i (a quote). */
function stringEnd(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return i;
}

/** The index after the value starting at i: a string, a nested object or array, or a literal. */
function valueEnd(text: string, i: number): number {
  if (text[i] === '"') return stringEnd(text, i);
  if (text[i] === '{' || text[i] === '[') {
    let depth = 0;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '"') i = stringEnd(text, i) - 1;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return i;
  }
  while (i < text.length && text[i] !== ',' && text[i] !== '}') i++;
  return i;
}
