// Crafting hostile Parquet files from valid ones, for the tests and the bounds
// benchmark: a thrift compact-protocol decoder and encoder that keep every
// field's type (so a footer or a page header can be decoded, changed and
// written back), and a rebuild of a file's data region with its page headers
// and bodies changed (offsets and sizes in the footer follow).

/** A thrift value with its compact-protocol type. */
export type T =
  | { type: 1; value: boolean }
  | { type: 3 | 4 | 5; value: number }
  | { type: 6; value: bigint }
  | { type: 7 | 8; value: Uint8Array }
  | { type: 9; elem: number; value: T[] }
  | { type: 12; value: TStruct };

/** A struct: field id to typed value. */
export type TStruct = Map<number, T>;

/** Decodes one struct at `at` of `bytes`; returns it and the offset past it. */
export function decodeStruct(bytes: Uint8Array, at = 0): [TStruct, number] {
  let pos = at;
  const byte = () => bytes[pos++]!;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
  };
  const zigzag = (): bigint => {
    const z = varint();
    return (z >> 1n) ^ -(z & 1n);
  };
  const element = (type: number): T => {
    switch (type) {
      case 1: case 2: return { type: 1, value: type === 1 };
      case 3: return { type: 3, value: (byte() << 24) >> 24 };
      case 4: case 5: return { type, value: Number(zigzag()) };
      case 6: return { type: 6, value: zigzag() };
      case 7: pos += 8; return { type: 7, value: bytes.slice(pos - 8, pos) };
      case 8: {
        const length = Number(varint());
        pos += length;
        return { type: 8, value: bytes.slice(pos - length, pos) };
      }
      case 9: {
        const head = byte();
        const elem = head & 0x0f;
        const size = head >> 4 === 15 ? Number(varint()) : head >> 4;
        const value: T[] = [];
        for (let i = 0; i < size; i++) value.push(elem === 1 || elem === 2 ? { type: 1, value: byte() === 1 } : element(elem));
        return { type: 9, elem, value };
      }
      case 12: {
        const [value, end] = decodeStruct(bytes, pos);
        pos = end;
        return { type: 12, value };
      }
      default: throw new Error(`thrift type ${type}`);
    }
  };
  const struct: TStruct = new Map();
  let field = 0;
  for (;;) {
    const head = byte();
    const type = head & 0x0f;
    if (type === 0) return [struct, pos];
    field = head >> 4 ? field + (head >> 4) : Number(zigzag());
    struct.set(field, element(type));
  }
}

/** Encodes a struct in the compact protocol. */
export function encodeStruct(struct: TStruct): Uint8Array {
  const out: number[] = [];
  const varint = (n: bigint) => {
    let v = n;
    do {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      out.push(v > 0n ? b | 0x80 : b);
    } while (v > 0n);
  };
  const zigzag = (n: bigint) => varint(n >= 0n ? n << 1n : ((-n) << 1n) - 1n);
  const body = (t: T) => {
    switch (t.type) {
      case 1: break;
      case 3: out.push(t.value & 0xff); break;
      case 4: case 5: zigzag(BigInt(t.value)); break;
      case 6: zigzag(t.value); break;
      case 7: out.push(...t.value); break;
      case 8: varint(BigInt(t.value.length)); for (const b of t.value) out.push(b); break;
      case 9:
        if (t.value.length < 15) out.push((t.value.length << 4) | t.elem);
        else {
          out.push(0xf0 | t.elem);
          varint(BigInt(t.value.length));
        }
        for (const item of t.value) {
          if (item.type === 1) out.push(item.value ? 1 : 2);
          else body(item);
        }
        break;
      case 12: structBody(t.value); break;
    }
  };
  const structBody = (s: TStruct) => {
    let last = 0;
    for (const id of [...s.keys()].sort((a, b) => a - b)) {
      const t = s.get(id)!;
      const type = t.type === 1 ? (t.value ? 1 : 2) : t.type;
      if (id > last && id - last <= 15) out.push(((id - last) << 4) | type);
      else {
        out.push(type);
        zigzag(BigInt(id));
      }
      last = id;
      body(t);
    }
    out.push(0);
  };
  structBody(struct);
  return Uint8Array.from(out);
}

/** Field `id` of a struct value (a TypeError when absent). */
export function field(struct: TStruct, id: number): T {
  const value = struct.get(id);
  if (value === undefined) throw new TypeError(`no field ${id}`);
  return value;
}

/** The struct in field `id`. */
export function sub(struct: TStruct, id: number): TStruct {
  const value = field(struct, id);
  if (value.type !== 12) throw new TypeError(`field ${id} is not a struct`);
  return value.value;
}

/** The list in field `id`. */
export function list(struct: TStruct, id: number): T[] {
  const value = field(struct, id);
  if (value.type !== 9) throw new TypeError(`field ${id} is not a list`);
  return value.value;
}

/** A struct element of a list. */
export function at(items: T[], index: number): TStruct {
  const item = items[index]!;
  if (item.type !== 12) throw new TypeError(`element ${index} is not a struct`);
  return item.value;
}

/** i32 and i64 values for `set`. */
export const i32 = (value: number): T => ({ type: 5, value });
export const i64 = (value: bigint | number): T => ({ type: 6, value: BigInt(value) });
export const binary = (value: string | Uint8Array): T => ({ type: 8, value: typeof value === 'string' ? new TextEncoder().encode(value) : value });

/** A Parquet file's parts: the data region's bytes (with the leading PAR1) and the decoded footer. */
export interface ParquetParts {
  data: Uint8Array;
  footer: TStruct;
}

/** Splits a Parquet file into its data region and decoded footer. */
export function splitParquet(file: Uint8Array): ParquetParts {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const length = view.getUint32(file.length - 8, true);
  const start = file.length - 8 - length;
  return { data: file.slice(0, start), footer: decodeStruct(file, start)[0] };
}

/** Joins a data region and a footer into a Parquet file. */
export function joinParquet({ data, footer }: ParquetParts): Uint8Array {
  const meta = encodeStruct(footer);
  const out = new Uint8Array(data.length + meta.length + 8);
  out.set(data);
  out.set(meta, data.length);
  new DataView(out.buffer).setUint32(data.length + meta.length, meta.length, true);
  out.set([0x50, 0x41, 0x52, 0x31], data.length + meta.length + 4);
  return out;
}

/** A page as the rebuild sees it: its header and body, and which column chunk it is in. */
export interface Page {
  header: TStruct;
  body: Uint8Array;
  /** Row group and column chunk indexes. */
  group: number;
  column: number;
}

/** The file with every page passed through `change` (which may edit header and body in place); the footer's offsets and sizes follow. */
export function rewritePages(file: Uint8Array, change: (page: Page) => void): Uint8Array {
  const { data, footer } = splitParquet(file);
  const pieces: Uint8Array[] = [data.subarray(0, 4)];
  let offset = 4;
  list(footer, 4).forEach((groupValue, g) => {
    const group = groupValue.type === 12 ? groupValue.value : new Map();
    list(group, 1).forEach((_, c) => {
      const chunk = at(list(group, 1), c);
      // Column and offset indexes would point at moved bytes: dropped.
      for (const id of [4, 5, 6, 7]) chunk.delete(id);
      const meta = sub(chunk, 3);
      const dictionary = meta.get(11);
      const start = Number((dictionary ?? field(meta, 9)).value);
      const end = start + Number(field(meta, 7).value);
      let pos = start;
      const newStart = offset;
      let dataStart = -1;
      let uncompressed = 0;
      while (pos < end) {
        const [header, bodyAt] = decodeStruct(data, pos);
        const size = Number(field(header, 3).value);
        const page: Page = { header, body: data.slice(bodyAt, bodyAt + size), group: g, column: c };
        pos = bodyAt + size;
        change(page);
        page.header.set(3, i32(page.body.length));
        if (Number(field(page.header, 1).value) !== 2 && dataStart < 0) dataStart = offset;
        const encoded = encodeStruct(page.header);
        pieces.push(encoded, page.body);
        offset += encoded.length + page.body.length;
        uncompressed += encoded.length + Number(field(page.header, 2).value);
      }
      if (dictionary !== undefined) meta.set(11, i64(newStart));
      meta.set(9, i64(dataStart < 0 ? newStart : dataStart));
      meta.set(7, i64(offset - newStart));
      meta.set(6, i64(uncompressed));
    });
  });
  const out = new Uint8Array(offset);
  let to = 0;
  for (const piece of pieces) {
    out.set(piece, to);
    to += piece.length;
  }
  return joinParquet({ data: out, footer });
}
