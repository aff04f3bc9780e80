// Thrift's compact protocol, read with limits: the footer (FileMetaData) and the
// page headers of a Parquet file are checked with it before hyparquet reads
// them. Every length is checked against the bytes left, structs nest at most
// MAX_THRIFT_DEPTH deep, and no value is decoded (binaries stay views), so a
// hostile footer costs time and memory in proportion to its size and never
// overflows the stack. A struct is an object keyed by field id, as hyparquet's
// own reader gives it (`{ 1: …, 2: … }`).

/** A decoded thrift value: a struct (by field id), a list, an integer, a binary's bytes. */
export type ThriftValue = ThriftStruct | ThriftValue[] | number | bigint | boolean | Uint8Array;

/** A thrift struct: field id to value. */
export interface ThriftStruct {
  [field: number]: ThriftValue | undefined;
}

/** How deep structs and lists may nest: FileMetaData needs 7, a page header 4. */
export const MAX_THRIFT_DEPTH = 24;

/** A thrift struct that cannot be read: the message says what and where. */
export class ThriftError extends Error {
  override name = 'ThriftError';
}

/** Reads compact-protocol values from `bytes`, from `offset` on. */
export class ThriftReader {
  offset: number;

  constructor(readonly bytes: Uint8Array, offset = 0) {
    this.offset = offset;
  }

  /** One struct at the current offset (up to its STOP); a ThriftError for anything malformed. */
  struct(depth = 0): ThriftStruct {
    if (depth >= MAX_THRIFT_DEPTH) throw new ThriftError(`structures nested more than ${MAX_THRIFT_DEPTH} deep`);
    const value: ThriftStruct = {};
    let field = 0;
    for (;;) {
      const byte = this.#byte();
      const type = byte & 0x0f;
      if (type === 0) return value;
      const delta = byte >> 4;
      field = delta !== 0 ? field + delta : this.#zigzag();
      value[field] = this.#element(type, depth);
    }
  }

  #element(type: number, depth: number): ThriftValue {
    switch (type) {
      case 1: return true;
      case 2: return false;
      case 3: {
        const b = this.#byte();
        return b >= 0x80 ? b - 0x100 : b;
      }
      case 4:
      case 5: return this.#zigzag();
      case 6: {
        const z = this.#varBig();
        return (z >> 1n) ^ -(z & 1n);
      }
      case 7:
        this.#need(8);
        this.offset += 8;
        return 0; // a double: no field of the footer or a page header that is read
      case 8: {
        const length = this.#varint();
        this.#need(length);
        const view = this.bytes.subarray(this.offset, this.offset + length);
        this.offset += length;
        return view;
      }
      case 9: {
        if (depth + 1 >= MAX_THRIFT_DEPTH) throw new ThriftError(`structures nested more than ${MAX_THRIFT_DEPTH} deep`);
        const head = this.#byte();
        const elementType = head & 0x0f;
        const size = head >> 4 === 15 ? this.#varint() : head >> 4;
        // Every element takes at least one byte, except booleans' none: a list can claim no more.
        if (elementType !== 1 && elementType !== 2) this.#need(size);
        else if (size > this.bytes.length) throw new ThriftError(`a list of ${size} booleans in ${this.bytes.length} bytes`);
        const list: ThriftValue[] = new Array<ThriftValue>(size);
        for (let i = 0; i < size; i++) list[i] = elementType === 1 || elementType === 2 ? this.#byte() === 1 : this.#element(elementType, depth + 1);
        return list;
      }
      case 12: return this.struct(depth + 1);
      default: throw new ThriftError(`thrift type ${type} at byte ${this.offset}`);
    }
  }

  #need(length: number): void {
    if (length > this.bytes.length - this.offset) throw new ThriftError(`a length of ${length} past the end (${this.bytes.length - this.offset} bytes left)`);
  }

  #byte(): number {
    if (this.offset >= this.bytes.length) throw new ThriftError('the structure ends early');
    return this.bytes[this.offset++]!;
  }

  /** An unsigned varint of at most 32 bits (lengths, sizes, i32 fields). */
  #varint(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.#byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) break;
        return result;
      }
    }
    throw new ThriftError('a 32-bit integer longer than 32 bits');
  }

  #zigzag(): number {
    const z = this.#varint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  #varBig(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.#byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw new ThriftError('a 64-bit integer longer than 64 bits');
  }
}

/** `value` when it is a struct, else undefined. */
export function structOf(value: ThriftValue | undefined): ThriftStruct | undefined {
  return typeof value === 'object' && !(value instanceof Uint8Array) && !Array.isArray(value) ? value : undefined;
}

/** `value` as a safe integer (from an i32 or an i64), else undefined. */
export function integerOf(value: ThriftValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint' && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
  return undefined;
}
