// A Parquet file's footer, checked before anything else reads it. The footer
// is a thrift FileMetaData that says what the rest of the file is; a hostile
// or damaged one must be refused here, with one line naming the file, not
// handed to hyparquet (which trusts it: a nesting 10,000 deep overflows its
// stack, a DECIMAL's statistic of a megabyte takes minutes to convert).
//
// Two passes. First the raw thrift (parquet-thrift.ts, with limits): the
// schema is walked without recursion (names, children counts, depth, types),
// and every fact the footer states twice must agree: a DECIMAL's converted
// type and logical type, their scales and precisions, precision against the
// physical type and `type_length`, a column's statistics against its width.
// Then hyparquet's parse of the same bytes, and the row groups: the file's
// `num_rows` is the sum of its row groups', each row group has one column chunk
// per leaf of the schema, of the leaf's type, and a flat column's chunk holds
// one value per row. The pages themselves are checked as they are read
// (parquet-pages.ts).

import { parquetMetadata } from 'hyparquet';
import type { FileMetaData } from 'hyparquet';
import { InputError, quote } from '../errors.js';
import { integerOf, structOf, ThriftError, ThriftReader, type ThriftStruct, type ThriftValue } from './thrift.js';

/** A Parquet file's bytes, read by ranges (a file over 4 GiB is no one typed array). */
export interface ParquetBytes {
  /** The file's size in bytes. */
  readonly byteLength: number;
  /** Bytes [start, end) as a Uint8Array of their own or a view that stays valid. */
  slice(start: number, end: number): Uint8Array;
}

/** The longest footer read: 64 MiB (a footer is usually a few kilobytes; thousands of columns and row groups stay far below). */
export const MAX_FOOTER_BYTES = 64 << 20;
/** How deep groups may nest in a schema (a column the command reads is at depth 1). */
export const MAX_SCHEMA_DEPTH = 64;
/** The most rows a row group may claim: the engine's capacity (10^8 accounts), which no input can usefully pass. */
export const MAX_GROUP_ROWS = 100_000_000;
/** DECIMAL's widest: 38 digits, 16 bytes. */
const MAX_PRECISION = 38;
const MAX_DECIMAL_BYTES = 16;

/** Physical types by their thrift number. */
const TYPES = ['BOOLEAN', 'INT32', 'INT64', 'INT96', 'FLOAT', 'DOUBLE', 'BYTE_ARRAY', 'FIXED_LEN_BYTE_ARRAY'];
/** Converted types by their thrift number. */
const CONVERTED = ['UTF8', 'MAP', 'MAP_KEY_VALUE', 'LIST', 'ENUM', 'DECIMAL', 'DATE', 'TIME_MILLIS', 'TIME_MICROS', 'TIMESTAMP_MILLIS',
  'TIMESTAMP_MICROS', 'UINT_8', 'UINT_16', 'UINT_32', 'UINT_64', 'INT_8', 'INT_16', 'INT_32', 'INT_64', 'JSON', 'BSON', 'INTERVAL'];
/** Logical types (a union, by field id) and the converted types that may stand beside them. */
const LOGICAL: Record<number, [name: string, converted: readonly string[] | null]> = {
  1: ['STRING', ['UTF8']], 2: ['MAP', ['MAP', 'MAP_KEY_VALUE']], 3: ['LIST', ['LIST']], 4: ['ENUM', ['ENUM']], 5: ['DECIMAL', ['DECIMAL']],
  6: ['DATE', ['DATE']], 7: ['TIME', null], 8: ['TIMESTAMP', null], 10: ['INTEGER', null], 11: ['UNKNOWN', null], 12: ['JSON', ['JSON']],
  13: ['BSON', ['BSON']], 14: ['UUID', null], 15: ['FLOAT16', null],
};

/** A leaf of the schema: a column chunk in every row group. */
export interface Leaf {
  /** Its names from the root's child down. */
  path: string[];
  /** Its physical type. */
  type: string;
  /** Whether it or a group above it is REPEATED (then it holds values, not rows). */
  repeated: boolean;
  /** FIXED_LEN_BYTE_ARRAY's width (0 otherwise). */
  typeLength: number;
}

/** What the footer says, checked. */
export interface Footer {
  /** hyparquet's reading of it. */
  metadata: FileMetaData;
  /** The schema's leaves in column order. */
  leaves: Leaf[];
  /** Where the footer starts: every page lies before it. */
  dataEnd: number;
}

/**
 * Reads and checks `bytes`' footer (see the module's header); an InputError
 * naming `file` for anything that is not a readable Parquet footer or that
 * contradicts itself.
 */
export function readFooter(bytes: ParquetBytes, file: string, expected: string): Footer {
  const notParquet = (why: string): never => {
    throw new InputError(file, 1, 1, `not a Parquet file (${why}); expected a Parquet file with columns ${expected}`);
  };
  const size = bytes.byteLength;
  if (size < 12) notParquet(`${size} bytes, too short`);
  const tail = bytes.slice(size - 8, size);
  if (String.fromCharCode(...tail.subarray(4)) !== 'PAR1') notParquet('it does not end with PAR1');
  const length = (tail[0]! | (tail[1]! << 8) | (tail[2]! << 16) | (tail[3]! << 24)) >>> 0;
  if (length > size - 12) notParquet(`its footer claims ${length} bytes of the ${size}`);
  const fail = (what: string): never => {
    throw new InputError(file, 0, 0, what);
  };
  if (length > MAX_FOOTER_BYTES) fail(`the footer has ${length} bytes; at most ${MAX_FOOTER_BYTES / 2 ** 20} MiB are read`);
  const footer = bytes.slice(size - 8 - length, size);
  let raw: ThriftStruct;
  try {
    raw = new ThriftReader(footer.subarray(0, length)).struct();
  } catch (error) {
    if (error instanceof ThriftError) return fail(`the footer cannot be read: ${error.message}`);
    throw error;
  }
  const leaves = checkSchema(raw, fail);
  checkStatistics(raw, leaves, fail);
  let metadata: FileMetaData;
  try {
    // Binary statistics stay bytes (a 600 MB one is never a string); geo metadata is not parsed.
    metadata = parquetMetadata(footer, { parsers: { stringFromBytes: (value: Uint8Array) => value as unknown as string }, geoparquet: false });
  } catch (error) {
    return fail(`the footer cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  checkRowGroups(metadata, leaves, fail);
  return { metadata, leaves, dataEnd: size - 8 - length };
}

/** The name of a raw schema element, or null. */
function nameOf(element: ThriftStruct): string | null {
  const name = element[4];
  return name instanceof Uint8Array ? new TextDecoder().decode(name) : null;
}

/** Walks the raw schema (no recursion) and checks each element; returns the leaves. */
function checkSchema(raw: ThriftStruct, fail: (what: string) => never): Leaf[] {
  const list = raw[2];
  if (!Array.isArray(list) || list.length === 0) fail('the footer has no schema');
  const elements = list as ThriftValue[];
  const leaves: Leaf[] = [];
  // Per open group: its children still to come; the names and repetition down to it.
  const left: number[] = [];
  const path: string[] = [];
  const repeated: boolean[] = [];
  for (let i = 0; i < elements.length; i++) {
    const element = structOf(elements[i]);
    if (element === undefined) return fail(`schema element ${i + 1} is not a structure`);
    const name = nameOf(element);
    if (name === null) return fail(`schema element ${i + 1} has no name`);
    const children = element[5] === undefined ? 0 : integerOf(element[5]);
    if (children === undefined || children < 0) return fail(`schema element ${i + 1} (${quote(name)}) has ${String(element[5])} children`);
    if (i > 0) {
      while (left.length > 0 && left[left.length - 1] === 0) {
        left.pop();
        path.pop();
        repeated.pop();
      }
      if (left.length === 0) return fail(`the schema has ${elements.length} elements, but its root and groups name only ${i}`);
      left[left.length - 1]!--;
    }
    const isRepeated = element[3] === 2 || (repeated[repeated.length - 1] ?? false);
    if (i === 0 && children === 0 && elements.length > 1) return fail('the schema\'s root has no children');
    if (children > 0 || i === 0) {
      if (left.length >= MAX_SCHEMA_DEPTH) return fail(`the schema nests more than ${MAX_SCHEMA_DEPTH} groups deep`);
      if (children > elements.length - i - 1) return fail(`schema element ${i + 1} (${quote(name)}) claims ${children} children; ${elements.length - i - 1} elements follow`);
      left.push(children);
      if (i > 0) {
        path.push(name);
        repeated.push(isRepeated);
      }
      continue;
    }
    const type = TYPES[element[1] as number];
    if (type === undefined) return fail(`column ${quote([...path, name].join('.'))} has no physical type (${String(element[1])})`);
    checkLeaf(element, [...path, name].join('.'), type, fail);
    leaves.push({ path: [...path, name], type, repeated: isRepeated, typeLength: type === 'FIXED_LEN_BYTE_ARRAY' ? integerOf(element[2])! : 0 });
  }
  if (left.some((n) => n > 0)) fail(`the schema's groups claim ${left.reduce((a, b) => a + b, 0)} more children than its ${elements.length} elements`);
  return leaves;
}

/** The largest precision `bytes` two's-complement bytes hold: ⌊log10(2^(8·bytes−1) − 1)⌋. */
function digitsOf(bytes: number): number {
  return (2n ** BigInt(8 * bytes - 1) - 1n).toString().length - 1;
}

/** Checks one leaf's annotations against each other and against its physical type. */
function checkLeaf(element: ThriftStruct, name: string, type: string, fail: (what: string) => never): void {
  const column = `column ${quote(name)}`;
  const converted = element[6] === undefined ? undefined : CONVERTED[element[6] as number] ?? `converted type ${String(element[6])}`;
  const union = structOf(element[10]);
  const logicalField = union === undefined ? undefined : Object.keys(union).map(Number)[0];
  const logical = logicalField === undefined ? undefined : LOGICAL[logicalField];
  if (converted !== undefined && logical !== undefined && logical[1] !== null && !logical[1].includes(converted)) {
    fail(`${column}: its converted type ${converted} and logical type ${logical[0]} disagree`);
  }
  if (logical?.[0] === 'INTEGER' && converted !== undefined) {
    const integer = structOf(union![10]) ?? {};
    const expected = `${integer[2] === true ? '' : 'U'}INT_${String(integer[1])}`;
    if (converted !== expected) fail(`${column}: its converted type ${converted} and logical type INTEGER(${String(integer[1])}, ${integer[2] === true ? 'signed' : 'unsigned'}) disagree`);
  }
  const typeLength = integerOf(element[2]);
  if (type === 'FIXED_LEN_BYTE_ARRAY' && (typeLength === undefined || typeLength < 1)) fail(`${column} is FIXED_LEN_BYTE_ARRAY of length ${String(element[2])}`);
  const decimal = logical?.[0] === 'DECIMAL' ? structOf(union![5]) ?? {} : undefined;
  if (converted !== 'DECIMAL' && decimal === undefined) return;
  // Both places, where both state them, must agree: DuckDB reads the logical type, others the converted one.
  const scales = [integerOf(element[7]), decimal && integerOf(decimal[1])];
  const precisions = [integerOf(element[8]), decimal && integerOf(decimal[2])];
  if (converted === 'DECIMAL' && decimal !== undefined) {
    if (scales[0] !== scales[1] && !(scales[0] === undefined && scales[1] === 0)) fail(`${column}: DECIMAL scale ${String(scales[0])} (converted type) and ${String(scales[1])} (logical type) disagree`);
    if (precisions[0] !== undefined && precisions[0] !== precisions[1]) fail(`${column}: DECIMAL precision ${precisions[0]} (converted type) and ${String(precisions[1])} (logical type) disagree`);
  }
  const scale = scales[1] ?? scales[0] ?? 0;
  const precision = precisions[1] ?? precisions[0];
  if (precision === undefined || precision < 1 || precision > MAX_PRECISION) fail(`${column}: DECIMAL precision ${String(precision)}; expected 1 to ${MAX_PRECISION}`);
  if (scale < 0 || scale > precision!) fail(`${column}: DECIMAL(${precision}, ${scale}) has a scale outside 0 to its precision`);
  const limit = type === 'INT32' ? 9 : type === 'INT64' ? 18 : type === 'BYTE_ARRAY' ? MAX_PRECISION : type === 'FIXED_LEN_BYTE_ARRAY' ? undefined : -1;
  if (limit === -1) fail(`${column} is DECIMAL on ${type}; expected INT32, INT64, FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY`);
  if (type === 'FIXED_LEN_BYTE_ARRAY') {
    if (typeLength! > MAX_DECIMAL_BYTES) fail(`${column}: DECIMAL of ${typeLength} bytes; at most ${MAX_DECIMAL_BYTES} (precision 38)`);
    if (precision! > digitsOf(typeLength!)) fail(`${column}: DECIMAL precision ${precision} does not fit its ${typeLength} bytes (at most ${digitsOf(typeLength!)} digits)`);
  } else if (precision! > limit!) {
    fail(`${column}: DECIMAL precision ${precision} does not fit ${type} (at most ${limit} digits)`);
  }
}

/**
 * A FIXED_LEN_BYTE_ARRAY column's statistics are values of its width: a longer one
 * contradicts the schema, and converting it would be the bomb (hyparquet reads a
 * DECIMAL statistic's bytes into a bigint one by one, in quadratic time). Checked
 * on the raw footer, before hyparquet converts anything.
 */
function checkStatistics(raw: ThriftStruct, leaves: readonly Leaf[], fail: (what: string) => never): void {
  const groups = Array.isArray(raw[4]) ? raw[4] : [];
  groups.forEach((group, g) => {
    const chunks = structOf(group)?.[1];
    if (!Array.isArray(chunks)) return;
    chunks.forEach((chunk, c) => {
      const leaf = leaves[c];
      const stats = structOf(structOf(structOf(chunk)?.[3])?.[12]);
      if (leaf?.type !== 'FIXED_LEN_BYTE_ARRAY' || stats === undefined) return;
      for (const field of [1, 2, 5, 6]) {
        const value = stats[field];
        if (value instanceof Uint8Array && value.length > leaf.typeLength) {
          fail(`row group ${g + 1}, column ${quote(leaf.path.join('.'))}: a statistic of ${value.length} bytes in a column of ${leaf.typeLength}`);
        }
      }
    });
  });
}

/** Checks the row groups against the schema and the file's row count. */
function checkRowGroups(metadata: FileMetaData, leaves: readonly Leaf[], fail: (what: string) => never): void {
  const total = integerOf(metadata.num_rows as ThriftValue);
  if (total === undefined || total < 0) fail(`the footer says ${String(metadata.num_rows)} rows`);
  let sum = 0;
  metadata.row_groups.forEach((group, g) => {
    const rows = integerOf(group.num_rows as ThriftValue);
    const where = `row group ${g + 1}`;
    if (rows === undefined || rows < 0) fail(`${where} says ${String(group.num_rows)} rows`);
    if (rows! > MAX_GROUP_ROWS) fail(`${where} says ${rows} rows; at most ${MAX_GROUP_ROWS.toLocaleString('en-US')} (the engine's capacity)`);
    sum += rows!;
    if (group.columns.length !== leaves.length) fail(`${where} has ${group.columns.length} column chunks; the schema has ${leaves.length} columns`);
    group.columns.forEach((chunk, c) => {
      const leaf = leaves[c]!;
      const name = quote(leaf.path.join('.'));
      const meta = chunk.meta_data;
      if (meta === undefined) return fail(`${where}, column ${name}: no column metadata`);
      if (meta.path_in_schema.join('.') !== leaf.path.join('.')) fail(`${where}: column chunk ${c + 1} is ${quote(meta.path_in_schema.join('.'))}, the schema's column ${c + 1} is ${name}`);
      if (meta.type !== leaf.type) fail(`${where}, column ${name}: the chunk is ${String(meta.type)}, the schema says ${leaf.type}`);
      const values = integerOf(meta.num_values as ThriftValue);
      if (values === undefined || values < 0) fail(`${where}, column ${name}: ${String(meta.num_values)} values`);
      if (!leaf.repeated && values !== rows) fail(`${where} says ${rows} rows, its column ${name} holds ${values} values`);
    });
  });
  if (sum !== total) fail(`the footer says ${total} rows, its row groups hold ${sum}`);
}
