// JSON Lines account files: one object per line, {"account": "...", "profit": "..."}.
// The profit is a decimal string in the same grammar as CSV, or an integer JSON
// number; a fractional JSON number is refused (a float may already have lost
// digits), with a hint to quote it. Lines end in LF or CRLF; blank lines are
// skipped; a file with no object at all is an error. Lines must be valid UTF-8
// and identifiers valid Unicode (no lone surrogate), so that an identifier's
// bytes in the output are exactly its bytes in the input. Columns count bytes.

import { DecimalError, parseUnitsInto } from './decimal.js';
import { InputError, quote, shorten } from './errors.js';
import { joinChunks, MAX_RECORD_BYTES, withoutByteOrderMark } from './chunks.js';
import type { AccountTable } from './table.js';

const encoder = new TextEncoder();
const LF = 0x0a, CR = 0x0d;

/** Reads JSON Lines from `chunks` into `table`; `file` names the input in errors. Linear: each byte is looked at once to find the lines. */
export async function readJsonLines(
  chunks: AsyncIterable<Uint8Array>, file: string, decimals: number, table: AccountTable, expectedBytes = 0,
): Promise<void> {
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const words = new Int32Array(2);
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
    readLine(text, file, line, decimals, table, words);
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
    if (!sized && table.rows > 0 && expectedBytes > 0) {
      table.expect(Math.ceil((expectedBytes * table.rows) / chunk.length));
      sized = true;
    }
  }
  if (waiting > 0) take(joinChunks(parts));
  if (objects === 0) {
    throw new InputError(file, 1, 1, 'empty file; expected one JSON object per line, like {"account": "a1", "profit": "12.50"}');
  }
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

function readLine(text: string, file: string, line: number, decimals: number, table: AccountTable, words: Int32Array): void {
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, line, 1, `not valid JSON (${shorten((error as Error).message)}); expected an object like {"account": "a1", "profit": "12.50"}`);
  }
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    throw new InputError(file, line, 1, 'expected a JSON object with "account" and "profit"');
  }
  // The members' own text: a number is taken from its digits, never from its float value.
  const column = (member: Member | undefined) => (member === undefined ? 1 : byteColumn(text, member.column - 1));
  const members = topLevelMembers(text, (key, first, again) => {
    throw new InputError(file, line, column(again), `key ${quote(key)} repeats the key at column ${column(first)} (keys match case-insensitively); expected each of "account" and "profit" once`);
  });
  const account = members.get('account');
  const profit = members.get('profit');
  const accountValue: unknown = account === undefined ? undefined : JSON.parse(account.token);
  if (typeof accountValue !== 'string' || accountValue === '') {
    throw new InputError(file, line, column(account), `account must be a non-empty string, got ${account === undefined ? 'nothing' : shorten(account.token)}`);
  }
  if (LONE_SURROGATE.test(accountValue)) {
    throw new InputError(file, line, column(account), 'account holds a lone surrogate escape (\\uD800 to \\uDFFF without its pair), which no UTF-8 identifier can hold');
  }
  if (profit === undefined) throw new InputError(file, line, 1, 'profit is missing; expected a decimal string or an integer');
  let digits: string;
  if (profit.token.startsWith('"')) {
    digits = JSON.parse(profit.token) as string;
  } else if (/^-?\d+$/.test(profit.token)) {
    digits = profit.token;
  } else if (/^-?\d+\.\d+$/.test(profit.token)) {
    throw new InputError(file, line, column(profit), `profit ${shorten(profit.token)} is a fractional JSON number; quote it ("${shorten(profit.token)}") so that no digit is lost`);
  } else if (/^-?\d+(\.\d+)?[eE]/.test(profit.token)) {
    throw new InputError(file, line, column(profit), `profit ${shorten(profit.token)} has an exponent; write it as a decimal string, e.g. "12.50"`);
  } else {
    throw new InputError(file, line, column(profit), `profit must be a decimal string or an integer, got ${shorten(profit.token)}`);
  }
  const bytes = encoder.encode(digits);
  try {
    parseUnitsInto(bytes, 0, bytes.length, decimals, words, 0);
  } catch (error) {
    if (!(error instanceof DecimalError)) throw error;
    throw new InputError(file, line, column(profit), `profit ${error.message}`);
  }
  const id = encoder.encode(accountValue);
  const earlier = table.add(id, 0, id.length, false, words[0]!, words[1]!, line);
  if (earlier >= 0) {
    throw new InputError(file, line, column(account), `account ${quote(accountValue)} repeats line ${table.lineOf(earlier)}; identifiers must be unique`);
  }
}

/** A member of the line's top-level object: its value's JSON text and its key's 1-based column. */
interface Member {
  token: string;
  column: number;
}

/**
 * The top-level members of a JSON object text already validated by JSON.parse,
 * by decoded key in lower case (`Account` is `account`); a key met twice calls
 * `repeated` (which throws), so that no value is silently dropped.
 */
function topLevelMembers(text: string, repeated: (key: string, first: Member, again: Member) => never): Map<string, Member> {
  const members = new Map<string, Member>();
  let i = skipSpace(text, text.indexOf('{') + 1);
  while (i < text.length && text[i] !== '}') {
    const keyStart = i;
    i = stringEnd(text, i);
    const key = JSON.parse(text.slice(keyStart, i)) as string;
    i = skipSpace(text, skipSpace(text, i) + 1); // past ':'
    const valueStart = i;
    i = valueEnd(text, i);
    const member = { token: text.slice(valueStart, i).trim(), column: keyStart + 1 };
    const name = key.toLowerCase();
    const first = members.get(name);
    if (first !== undefined && (name === 'account' || name === 'profit')) repeated(key, first, member);
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
