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
  const { account, profit } = row as { account?: unknown; profit?: unknown };
  if (typeof account !== 'string' || account === '') {
    throw new InputError(file, line, columnOf(text, 'account'), `account must be a non-empty string, got ${account === undefined ? 'nothing' : JSON.stringify(account)}`);
  }
  let digits: string;
  if (typeof profit === 'string') {
    digits = profit;
  } else if (typeof profit === 'number') {
    // The number's own text, not its float value: integers of any size stay exact.
    const literal = /"profit"\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text)?.[1] ?? String(profit);
    if (!/^-?\d+$/.test(literal)) {
      throw new InputError(file, line, columnOf(text, 'profit'), `profit ${literal} is a fractional JSON number; quote it ("${literal}") so that no digit is lost`);
    }
    digits = literal;
  } else {
    throw new InputError(file, line, columnOf(text, 'profit'), `profit must be a decimal string or an integer, got ${profit === undefined ? 'nothing' : JSON.stringify(profit)}`);
  }
  const bytes = encoder.encode(digits);
  try {
    parseUnitsInto(bytes, 0, bytes.length, decimals, words, 0);
  } catch (error) {
    if (!(error instanceof DecimalError)) throw error;
    throw new InputError(file, line, columnOf(text, 'profit'), `profit ${error.message}`);
  }
  const id = encoder.encode(account);
  const earlier = table.add(id, 0, id.length, false, words[0]!, words[1]!, line);
  if (earlier >= 0) {
    throw new InputError(file, line, columnOf(text, 'account'), `account ${JSON.stringify(account)} repeats line ${table.lineOf(earlier)}; identifiers must be unique`);
  }
}

/** The 1-based column where `"key"` appears in the line (1 if it does not). */
function columnOf(text: string, key: string): number {
  return text.indexOf(`"${key}"`) + 1 || 1;
}
