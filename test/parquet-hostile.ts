// The hostile Parquet files of issue 25, crafted from small valid ones written by
// hyparquet-writer: each with what the reader must say about it. Shared by the
// tests (test/parquet-hostile.test.ts) and the bounds benchmark (bench/hostile.ts).
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import type { ColumnSource, SchemaElement } from 'hyparquet-writer';
import { at, binary, encodeStruct, field, i32, i64, joinParquet, list, rewritePages, splitParquet, sub, type TStruct } from './parquet-craft.js';

/** A small valid file: `account` strings and a `profit` column of the given element and values. */
export function validFile(profit: Omit<SchemaElement, 'name'>, values: ColumnSource['data'], options: { codec?: 'GZIP' | 'BROTLI' | 'UNCOMPRESSED'; ids?: string[] } = {}): Uint8Array {
  const writer = new ByteWriter();
  const ids = options.ids ?? Array.from({ length: values.length }, (_, i) => `a${i}`);
  parquetWrite({
    writer,
    columnData: [{ name: 'account', data: ids }, { name: 'profit', data: values }],
    schema: [
      { name: 'root', num_children: 2 },
      { name: 'account', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'profit', repetition_type: 'REQUIRED', ...profit } as SchemaElement,
    ],
    ...(options.codec === undefined ? {} : {
      codec: options.codec,
      compressors: { GZIP: (b: Uint8Array) => gzipSync(b), BROTLI: (b: Uint8Array) => brotliCompressSync(b) },
    }),
  });
  return writer.getBytes();
}

/** DECIMAL(18, 2) on INT64: 1250.50, -3.00, 0.07. */
export const decimals = (): Uint8Array =>
  validFile({ type: 'INT64', converted_type: 'DECIMAL', scale: 2, precision: 18, logical_type: { type: 'DECIMAL', scale: 2, precision: 18 } }, [125050n, -300n, 7n]);

/** `file` with its footer changed by `change`. */
export function withFooter(file: Uint8Array, change: (footer: TStruct) => void): Uint8Array {
  const parts = splitParquet(file);
  change(parts.footer);
  return joinParquet(parts);
}

/** Schema element `i` of a footer. */
export const element = (footer: TStruct, i: number): TStruct => at(list(footer, 2), i);
/** Column chunk metadata of row group `g`, column `c`. */
export const chunkMeta = (footer: TStruct, g: number, c: number): TStruct => sub(at(list(at(list(footer, 4), g), 1), c), 3);

/** A hostile case: its bytes and what the refusal must say. */
export interface HostileCase {
  name: string;
  /** What it was on main, for the benchmark's table. */
  was: string;
  bytes: () => Uint8Array;
  /** The message after `file: ` (or `file:line:column: `). */
  refusal: RegExp;
}

/** A data page's body replaced by `body` compressed, its header's uncompressed size kept. */
function bombPage(codec: 'GZIP' | 'BROTLI', inflated: number): Uint8Array {
  const zeros = new Uint8Array(inflated);
  const body = codec === 'GZIP' ? gzipSync(zeros, { level: 9 }) : brotliCompressSync(zeros, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } });
  return rewritePages(validFile({ type: 'INT64' }, [1n, 2n, 3n], { codec }), (page) => {
    if (page.column === 1 && [0, 3].includes(Number(field(page.header, 1).value))) page.body = new Uint8Array(body);
  });
}

/** A dictionary-encoded column whose one data page is a run of 2^30 copies of index 0 (its header still says 100 values). */
function longRun(codec: 'UNCOMPRESSED' | 'GZIP'): Uint8Array {
  const raw = Uint8Array.from([1, ...varint(2 ** 31), 0]); // bit width 1; an RLE run (low bit 0) of 2^30; the value 0
  return rewritePages(validFile({ type: 'BYTE_ARRAY', converted_type: 'UTF8' }, new Array<string>(100).fill('xxxxxxxx') as unknown as ColumnSource['data'], { codec }), (page) => {
    if (page.column !== 1 || Number(field(page.header, 1).value) !== 3) return;
    page.body = codec === 'GZIP' ? new Uint8Array(gzipSync(raw)) : raw;
    page.header.set(2, i32(raw.length));
  });
}

/** The cases, one or more per class of issue 25. */
export const HOSTILE: HostileCase[] = [
  {
    name: 'DECIMAL scales disagree (converted 4, logical 2)', was: 'read as 1250.5 (DuckDB: 12.505), exit 0',
    bytes: () => validFile({ type: 'INT64', converted_type: 'DECIMAL', scale: 4, precision: 18, logical_type: { type: 'DECIMAL', scale: 2, precision: 18 } }, [125050n]),
    refusal: /column "profit": DECIMAL scale 4 \(converted type\) and 2 \(logical type\) disagree/,
  },
  {
    name: 'DECIMAL precisions disagree', was: 'read, exit 0',
    bytes: () => validFile({ type: 'INT64', converted_type: 'DECIMAL', scale: 2, precision: 18, logical_type: { type: 'DECIMAL', scale: 2, precision: 10 } }, [1n]),
    refusal: /DECIMAL precision 18 \(converted type\) and 10 \(logical type\) disagree/,
  },
  {
    name: 'converted UTF8, logical INTEGER', was: 'exit 2 (as an INTEGER column)',
    bytes: () => withFooter(decimals(), (f) => element(f, 1).set(10, { type: 12, value: new Map([[10, { type: 12, value: new Map([[1, { type: 3, value: 64 }], [2, { type: 1, value: true }]]) }]]) })),
    refusal: /column "account": its converted type UTF8 and logical type INTEGER\(64, signed\) disagree/,
  },
  {
    name: 'row group claims fewer rows than its values', was: 'an account dropped, exit 0',
    bytes: () => withFooter(decimals(), (f) => {
      f.set(3, i64(2));
      at(list(f, 4), 0).set(3, i64(2));
    }),
    refusal: /row group 1 says 2 rows, its column "account" holds 3 values/,
  },
  {
    name: 'row group claims more rows than its values', was: 'exit 2 at row 4 ("damaged")',
    bytes: () => withFooter(decimals(), (f) => {
      f.set(3, i64(4));
      at(list(f, 4), 0).set(3, i64(4));
    }),
    refusal: /row group 1 says 4 rows, its column "account" holds 3 values/,
  },
  {
    name: 'file rows ≠ Σ row groups', was: 'read, exit 0',
    bytes: () => withFooter(decimals(), (f) => f.set(3, i64(5))),
    refusal: /the footer says 5 rows, its row groups hold 3/,
  },
  {
    name: 'chunk num_values ≠ page values', was: 'exit 2 at row 3 ("damaged")',
    bytes: () => withFooter(rewritePages(decimals(), (page) => {
      const data = page.header.get(5) ?? page.header.get(8); // DATA_PAGE or DATA_PAGE_V2
      if (page.column === 1 && data?.type === 12) data.value.set(1, i32(2));
    }), () => {}),
    refusal: /row group 1, column "profit": its pages hold 2 values, the footer says 3/,
  },
  {
    name: 'type_length 4 for DECIMAL(38)', was: 'read as 0, exit 0',
    bytes: () => withFooter(validFile({ type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, converted_type: 'DECIMAL', scale: 2, precision: 38 }, [1n, 2n]), (f) => element(f, 2).set(2, i32(4))),
    refusal: /DECIMAL precision 38 does not fit its 4 bytes/,
  },
  {
    name: 'DECIMAL scale 2·10^8', was: 'exit 0; 1.7 s, 445 MiB',
    bytes: () => validFile({ type: 'INT64', converted_type: 'DECIMAL', scale: 200_000_000, precision: 18, logical_type: { type: 'DECIMAL', scale: 200_000_000, precision: 18 } }, [1n]),
    refusal: /DECIMAL\(18, 200000000\) has a scale outside 0 to its precision/,
  },
  {
    name: 'DECIMAL scale 2^31−1', was: 'exit 0; 27 s, 2.1 GiB',
    bytes: () => validFile({ type: 'INT64', converted_type: 'DECIMAL', scale: 2 ** 31 - 1, precision: 18 }, [1n]),
    refusal: /DECIMAL\(18, 2147483647\) has a scale outside 0 to its precision/,
  },
  {
    name: 'DECIMAL precision 39', was: 'read, exit 0',
    bytes: () => validFile({ type: 'BYTE_ARRAY', converted_type: 'DECIMAL', scale: 2, precision: 39 }, [1n]),
    refusal: /DECIMAL precision 39; expected 1 to 38/,
  },
  {
    name: 'DECIMAL of 32 bytes', was: 'read, exit 0',
    bytes: () => validFile({ type: 'FIXED_LEN_BYTE_ARRAY', type_length: 32, converted_type: 'DECIMAL', scale: 2, precision: 38 }, [1n]),
    refusal: /DECIMAL of 32 bytes; at most 16/,
  },
  {
    name: 'DECIMAL on BYTE_ARRAY, a 1 MB value', was: 'exit 0; 301 s (quadratic)',
    // Written as plain bytes, then annotated DECIMAL(38, 2) in the footer.
    bytes: () => withFooter(validFile({ type: 'BYTE_ARRAY' }, [new Uint8Array(1 << 20).fill(0x11)] as unknown as ColumnSource['data']), (f) => {
      element(f, 2).set(6, i32(5));
      element(f, 2).set(7, i32(2));
      element(f, 2).set(8, i32(38));
    }),
    refusal: /row 1: a DECIMAL value of 1048576 bytes in column "profit"; at most 16/,
  },
  {
    name: 'GZIP page inflating to 64 MiB, header 24 bytes', was: 'exit 2 after inflating all 64 MiB',
    bytes: () => bombPage('GZIP', 64 << 20),
    refusal: /Cannot create a Buffer larger than 24 bytes|inflates past its 24 bytes/,
  },
  {
    name: 'BROTLI page inflating to 64 MiB, header 24 bytes', was: 'exit 2 after inflating all 64 MiB',
    bytes: () => bombPage('BROTLI', 64 << 20),
    refusal: /Cannot create a Buffer larger than 24 bytes|inflates past/,
  },
  {
    name: 'page claiming 1 GiB uncompressed', was: 'exit 2',
    bytes: () => rewritePages(validFile({ type: 'INT64' }, [1n, 2n, 3n], { codec: 'GZIP' }), (page) => {
      if (page.column === 1) page.header.set(2, i32(1 << 30));
    }),
    refusal: /page 1 is 1073741824 bytes uncompressed; at most 256 MiB are read/,
  },
  {
    name: 'dictionary of 10^9 entries', was: 'exit 2 (a DataView out of bounds)',
    bytes: () => rewritePages(validFile({ type: 'BYTE_ARRAY', converted_type: 'UTF8' }, new Array<string>(100).fill('xxxxxxxx') as unknown as ColumnSource['data']), (page) => {
      const dictionary = page.header.get(7);
      if (dictionary?.type === 12) dictionary.value.set(1, i32(1_000_000_000));
    }),
    refusal: /its dictionary claims 1000000000 entries for 100 values/,
  },
  {
    name: 'RLE run of 2^30 dictionary indexes, uncompressed page', was: 'V8 fatal error (exit 133) after 12–15 s, 2.2–2.7 GiB',
    bytes: () => longRun('UNCOMPRESSED'),
    refusal: /row group 1, column "profit": page 2: its dictionary indexes has a run of 1073741824 values where 100 are left/,
  },
  {
    name: 'RLE run of 2^30 dictionary indexes, GZIP page', was: 'V8 fatal error (exit 133) after 12–15 s, 2.2–2.7 GiB',
    bytes: () => longRun('GZIP'),
    refusal: /page 2: its dictionary indexes has a run of 1073741824 values where 100 are left/,
  },
  {
    name: 'schema element without a name', was: 'TypeError, exit 1',
    bytes: () => withFooter(decimals(), (f) => element(f, 2).delete(4)),
    refusal: /schema element 3 has no name/,
  },
  {
    name: 'children count one too high', was: 'TypeError, exit 1',
    bytes: () => withFooter(decimals(), (f) => element(f, 0).set(5, i32(3))),
    refusal: /claims 3 children; 2 elements follow/,
  },
  {
    name: 'nesting 10,000 deep', was: 'stack overflow, exit 1',
    bytes: () => withFooter(decimals(), (f) => {
      const schema = list(f, 2);
      const groups = Array.from({ length: 10_000 }, (_, i) => ({ type: 12 as const, value: new Map([[3, i32(0)], [4, binary(`g${i}`)], [5, i32(1)]]) }));
      schema.splice(1, 0, ...groups);
      element(f, 0).set(5, i32(1));
      element(f, 10_000).set(5, i32(2)); // the deepest group holds the two columns
    }),
    refusal: /the schema nests more than 64 groups deep/,
  },
  {
    name: 'footer length past the file', was: 'exit 2',
    bytes: () => {
      const file = decimals();
      new DataView(file.buffer, file.byteOffset).setUint32(file.length - 8, 0x7fffffff, true);
      return file;
    },
    refusal: /not a Parquet file \(its footer claims 2147483647 bytes/,
  },
  {
    name: 'a binary in the footer claiming 600 MB', was: 'exit 2',
    bytes: () => {
      const { data, footer } = splitParquet(decimals());
      const meta = encodeStruct(footer);
      // A field 20 (none hyparquet knows) as a binary whose length says 600 MB, where the STOP was.
      const head = meta.subarray(0, meta.length - 1);
      const claim = Uint8Array.from([0x08, 40, ...varint(600_000_000)]);
      return concat(data, head, claim, Uint8Array.from([0x00]), le32(head.length + claim.length + 1), Uint8Array.from([0x50, 0x41, 0x52, 0x31]));
    },
    refusal: /the footer cannot be read: a length of 600000000 past the end/,
  },
];

/** An unsigned LEB128 varint. */
function varint(n: number): number[] {
  const out: number[] = [];
  for (let v = n; ; v = Math.floor(v / 128)) {
    if (v < 128) return [...out, v];
    out.push((v % 128) | 0x80);
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let to = 0;
  for (const part of parts) {
    out.set(part, to);
    to += part.length;
  }
  return out;
}

function le32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

