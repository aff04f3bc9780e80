// JSON Lines account files: one object per line, {"account": "...", "profit": "..."}.
// The profit is a decimal string in the same grammar as CSV, or an integer JSON
// number; a fractional JSON number is refused (a float may already have lost
// digits), with a hint to quote it. Blank lines are skipped.

import { DecimalError, parseUnitsInto } from './decimal.js';
import { InputError } from './errors.js';
import type { AccountTable } from './table.js';

const encoder = new TextEncoder();

/** Reads JSON Lines from `chunks` into `table`; `file` names the input in errors. */
export async function readJsonLines(
  chunks: AsyncIterable<Uint8Array>, file: string, decimals: number, table: AccountTable, expectedBytes = 0,
): Promise<void> {
  const decoder = new TextDecoder();
  const words = new Int32Array(2);
  let pending = '';
  let line = 0;
  const take = (text: string) => {
    line++;
    if (text.trim() === '') return;
    readLine(text.endsWith('\r') ? text.slice(0, -1) : text, file, line, decimals, table, words);
  };
  let first = true;
  for await (const chunk of chunks) {
    const text = pending + decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    pending = lines.pop()!;
    for (const one of lines) take(one);
    if (first && expectedBytes > 0 && table.rows > 0) table.expect(Math.ceil((expectedBytes * table.rows) / chunk.length));
    first = false;
  }
  pending += decoder.decode();
  if (pending !== '') take(pending);
}

function readLine(text: string, file: string, line: number, decimals: number, table: AccountTable, words: Int32Array): void {
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, line, 1, `not valid JSON (${(error as Error).message}); expected an object like {"account": "a1", "profit": "12.50"}`);
  }
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    throw new InputError(file, line, 1, 'expected a JSON object with "account" and "profit"');
  }
  // The members' own text, as JSON.parse read them (the last of repeated keys wins):
  // a number is taken from its digits, never from its float value.
  const members = topLevelMembers(text);
  const account = members.get('account');
  const profit = members.get('profit');
  const accountValue: unknown = account === undefined ? undefined : JSON.parse(account.token);
  if (typeof accountValue !== 'string' || accountValue === '') {
    throw new InputError(file, line, account?.column ?? 1, `account must be a non-empty string, got ${account === undefined ? 'nothing' : account.token}`);
  }
  if (profit === undefined) throw new InputError(file, line, 1, 'profit is missing; expected a decimal string or an integer');
  let digits: string;
  if (profit.token.startsWith('"')) {
    digits = JSON.parse(profit.token) as string;
  } else if (/^-?\d+$/.test(profit.token)) {
    digits = profit.token;
  } else if (/^-?\d+\.\d+$/.test(profit.token)) {
    throw new InputError(file, line, profit.column, `profit ${profit.token} is a fractional JSON number; quote it ("${profit.token}") so that no digit is lost`);
  } else if (/^-?\d+(\.\d+)?[eE]/.test(profit.token)) {
    throw new InputError(file, line, profit.column, `profit ${profit.token} has an exponent; write it as a decimal string, e.g. "12.50"`);
  } else {
    throw new InputError(file, line, profit.column, `profit must be a decimal string or an integer, got ${profit.token}`);
  }
  const bytes = encoder.encode(digits);
  try {
    parseUnitsInto(bytes, 0, bytes.length, decimals, words, 0);
  } catch (error) {
    if (!(error instanceof DecimalError)) throw error;
    throw new InputError(file, line, profit.column, `profit ${error.message}`);
  }
  const id = encoder.encode(accountValue);
  const earlier = table.add(id, 0, id.length, false, words[0]!, words[1]!, line);
  if (earlier >= 0) {
    throw new InputError(file, line, account!.column, `account ${JSON.stringify(accountValue)} repeats line ${table.lineOf(earlier)}; identifiers must be unique`);
  }
}

/** A member of the line's top-level object: its value's JSON text and its key's 1-based column. */
interface Member {
  token: string;
  column: number;
}

/**
 * The top-level members of a JSON object text already validated by JSON.parse,
 * by decoded key (a later repeat replaces an earlier one, as in JSON.parse).
 */
function topLevelMembers(text: string): Map<string, Member> {
  const members = new Map<string, Member>();
  let i = skipSpace(text, text.indexOf('{') + 1);
  while (i < text.length && text[i] !== '}') {
    const keyStart = i;
    i = stringEnd(text, i);
    const key = JSON.parse(text.slice(keyStart, i)) as string;
    i = skipSpace(text, skipSpace(text, i) + 1); // past ':'
    const valueStart = i;
    i = valueEnd(text, i);
    members.set(key, { token: text.slice(valueStart, i).trim(), column: keyStart + 1 });
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
