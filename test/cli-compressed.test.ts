// Compressed and UTF-16 account files, read transparently: the same book as
// plain CSV, gzip (one member, several, through a pipe in pieces) and UTF-16
// (little- and big-endian, inside gzip too) gives the same haircuts, byte for
// byte; a malformed stream is exit status 2 and one line naming the file; a
// bomb stops at the record cap without holding what it inflates to; the report
// hashes the file as on disk. Then the streaming transforms themselves:
// streamed equals one-shot, however the bytes are split.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf16ToUtf8, type Utf16 } from '../src/files/decode.js';
import type { RowConsumer } from '../src/files/fields.js';
import { readInto } from '../src/files/read.js';
import { BlobSource, browserPlatform } from '../src/host/browser.js';
import { fflateGunzip } from '../src/host/gunzip.js';
import { nodeGunzip, nodePlatform } from '../src/host/node.js';
import { GzipError } from '../src/host/platform.js';
import { runs, chunked } from './support.js';

const bin = process.env.SOCIALIZED_LOSS_BIN ?? new URL('../dist/cli/main.js', import.meta.url).pathname;
const encoder = new TextEncoder();
let dir: string;

/** A book of 30,000 accounts, some named in other scripts and beyond the BMP (a surrogate pair in UTF-16), one quoted. */
function book(): string {
  const lines = ['account,profit'];
  for (let i = 0; i < 30_000; i++) {
    const name = i % 1000 === 7 ? `zoë-東京-🦀${i}` : i === 12 ? '"desk, 𝔘"' : `u${i}`;
    lines.push(`${name},${(i * 7919) % 100_000}.${String(i % 100).padStart(2, '0')}`);
  }
  return lines.join('\n') + '\n';
}

/** `text` in UTF-16 with its byte-order mark, as Excel's "Unicode text" writes it. */
function utf16(text: string, encoding: Utf16): Buffer {
  const body = Buffer.from(text, 'utf16le');
  return encoding === 'utf-16le' ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : Buffer.concat([Buffer.from([0xfe, 0xff]), body.swap16()]);
}

/** `bytes` as gzip members cut at `cuts` (byte offsets: through a character or a code unit as it falls), as `cat a.gz b.gz` makes. */
function members(bytes: Uint8Array, cuts: number[]): Buffer {
  const bounds = [0, ...cuts, bytes.length];
  return Buffer.concat(bounds.slice(1).map((end, k) => zlib.gzipSync(bytes.subarray(bounds[k]!, end), { level: k % 2 === 0 ? 6 : 1 })));
}

const SPLIT = ['socialize', '--decimals', '2', '--loss', '1234567.89', '--insurance-fund', '1000', '--quiet'];

function run(args: string[], input?: Buffer) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: dir, input, maxBuffer: 1 << 28 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString('utf8') };
}

/** Runs the command with `input` fed to its stdin through a pipe in `pieces` (byte counts, the rest last), a pause between each. */
async function piped(args: string[], input: Buffer, pieces: number[]) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: dir });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  let at = 0;
  for (const size of [...pieces, input.length]) {
    child.stdin.write(input.subarray(at, Math.min(input.length, at + size)));
    at = Math.min(input.length, at + size);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  child.stdin.end();
  const [status] = await exited;
  return { status, stdout: Buffer.concat(out), stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'socialized-loss-compressed-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('compressed and UTF-16 account files, by the command', () => {
  const text = book();
  const plain = Buffer.from(text);
  let expected: Buffer;

  beforeAll(() => {
    writeFileSync(join(dir, 'book.csv'), plain);
    const result = run([SPLIT[0]!, 'book.csv', ...SPLIT.slice(1)]);
    expect(result.stderr).toBe('');
    expected = result.stdout;
    expect(expected.length).toBeGreaterThan(plain.length);
  });

  const forms: [string, () => Buffer][] = [
    ['gzip, one member (.csv.gz)', () => zlib.gzipSync(plain)],
    ['gzip, four members cut through a line and a character (.csv.gz)', () => members(plain, [1, plain.indexOf('🦀') + 2, 200_001])],
    ['gzip by its first bytes alone (.gz: the format by the content)', () => zlib.gzipSync(plain, { level: 9 })],
    ['UTF-16 little-endian (.csv)', () => utf16(text, 'utf-16le')],
    ['UTF-16 big-endian (.csv)', () => utf16(text, 'utf-16be')],
    ['UTF-16 little-endian inside gzip (.csv.gz)', () => zlib.gzipSync(utf16(text, 'utf-16le'))],
    ['UTF-16 big-endian inside gzip, members cut through a code unit and a surrogate pair (.gz)', () => {
      const bytes = utf16(text, 'utf-16be');
      const crab = 2 + 2 * text.indexOf('🦀');
      return members(bytes, [1, 3, crab + 1, crab + 2, crab + 3, 99_999]);
    }],
  ];
  for (const [k, [name, make]] of forms.entries()) {
    it(`${name}: the same haircuts, byte for byte`, () => {
      const file = `form-${k}${name.includes('(.gz') ? '.gz' : name.includes('.csv.gz') ? '.csv.gz' : '.csv'}`;
      writeFileSync(join(dir, file), make());
      const result = run([SPLIT[0]!, file, ...SPLIT.slice(1)]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout.equals(expected)).toBe(true);
    });
  }

  it('through a pipe in pieces (the magic bytes and the byte-order mark split): gzip, and UTF-16 inside gzip', async () => {
    for (const input of [members(plain, [70_000]), zlib.gzipSync(utf16(text, 'utf-16be'))]) {
      const result = await piped([SPLIT[0]!, '-', ...SPLIT.slice(1)], input, [1, 1, 3, 7, 64, 1000, 4096]);
      expect(result.stderr).toBe('');
      expect(result.stdout.equals(expected)).toBe(true);
    }
  });

  it('the report hashes the file as on disk: the compressed bytes', () => {
    const gz = zlib.gzipSync(plain);
    writeFileSync(join(dir, 'hashed.csv.gz'), gz);
    const result = run([SPLIT[0]!, 'hashed.csv.gz', ...SPLIT.slice(1), '--report', 'hashed.json']);
    expect(result.status).toBe(0);
    const accounts = JSON.parse(readFileSync(join(dir, 'hashed.json'), 'utf8')).inputs.accounts;
    expect(accounts.sha256).toBe(createHash('sha256').update(gz).digest('hex'));
    expect(accounts.bytes).toBe(gz.length);
    expect(accounts.format).toBe('csv');
  });

  it('line and column numbers refer to the decoded text: a bad amount in UTF-16 inside gzip is where it is in UTF-8', () => {
    const bad = 'account,profit\nzoë,1\n🦀zoë,1.2.3\n';
    writeFileSync(join(dir, 'bad.csv'), bad);
    writeFileSync(join(dir, 'bad.gz'), zlib.gzipSync(utf16(bad, 'utf-16be')));
    const utf8 = run([SPLIT[0]!, 'bad.csv', ...SPLIT.slice(1)]);
    const decoded = run([SPLIT[0]!, 'bad.gz', ...SPLIT.slice(1)]);
    expect(utf8.stderr).toMatch(/^socialized-loss: bad\.csv:3:10: /);
    expect(decoded.stderr).toBe(utf8.stderr.replace('bad.csv', 'bad.gz'));
  });

  const gz = zlib.gzipSync(Buffer.from('account,profit\na,1\nb,2\n'));
  const crcFlipped = Buffer.from(gz);
  crcFlipped[crcFlipped.length - 8]! ^= 0x01;
  const dataFlipped = Buffer.from(zlib.gzipSync(Buffer.from('account,profit\na,1\nb,2\n'), { level: 0 }));
  dataFlipped[dataFlipped.length - 12]! ^= 0x01; // a byte of the stored data: it inflates, to other text
  const BAD: [string, string, Buffer, RegExp][] = [
    ['a truncated gzip file', 'cut.csv.gz', gz.subarray(0, gz.length - 12), /^cut\.csv\.gz: not a valid gzip file: the compressed data ends early \(a truncated file\?\)$/],
    ['a gzip file cut inside its trailer', 'trailer.gz', gz.subarray(0, gz.length - 3), /^trailer\.gz: not a valid gzip file: the compressed data ends early/],
    ['a flipped bit in the CRC-32', 'crc.csv.gz', crcFlipped, /^crc\.csv\.gz: not a valid gzip file: a member's CRC-32 or length does not match its data/],
    ['a flipped bit in stored data', 'data.csv.gz', dataFlipped, /^data\.csv\.gz: not a valid gzip file: a member's CRC-32 or length does not match its data/],
    ['trailing garbage', 'junk.csv.gz', Buffer.concat([gz, Buffer.from('junk\n')]), /^junk\.csv\.gz: not a valid gzip file: what follows a member is not a gzip member \(trailing data\)$/],
    ['trailing zero bytes', 'zeros.csv.gz', Buffer.concat([gz, Buffer.alloc(512)]), /^zeros\.csv\.gz: not a valid gzip file: 512 bytes after the end of the compressed data are not a gzip member \(trailing data\)$/],
    ['a .gz name on plain text', 'plain.csv.gz', Buffer.from('account,profit\na,1\n'), /^plain\.csv\.gz: named \.gz but not gzip-compressed \(its first bytes are not 1f 8b\)/],
    ['a compressed Parquet file', 'book.parquet.gz', gz, /^book\.parquet\.gz: a gzip-compressed Parquet file; decompress it first/],
    ['an odd number of UTF-16 bytes', 'odd.csv', Buffer.concat([utf16('account,profit\na,1\n', 'utf-16le'), Buffer.from('x')]), /^odd\.csv: not valid UTF-16 \(little-endian, as its byte-order mark says\): an odd number of bytes \(the last, at byte 40, is half a code unit\)$/],
    ['a lone surrogate', 'lone.csv', Buffer.concat([utf16('account,profit\na', 'utf-16be'), Buffer.from([0xdc, 0x00]), utf16(',1\n', 'utf-16be').subarray(2)]), /^lone\.csv: not valid UTF-16 \(big-endian, as its byte-order mark says\): a lone surrogate \(0xDC00\) at byte 34; /],
  ];
  for (const [name, file, bytes, message] of BAD) {
    it(`${name}: exit status 2 and one line naming the file`, () => {
      writeFileSync(join(dir, file), bytes);
      const result = run([SPLIT[0]!, file, ...SPLIT.slice(1)]);
      expect(result.status).toBe(2);
      expect(result.stdout.length).toBe(0);
      expect(result.stderr.split('\n')).toHaveLength(2); // one line and its line break
      expect(result.stderr.replace(/^socialized-loss: /, '').trimEnd()).toMatch(message);
    });
  }

  it('a gzip bomb (256 MiB of one line) stops at the record cap, quickly and without holding what it inflates to', async () => {
    const gzip = zlib.createGzip({ level: 9 });
    const parts: Buffer[] = [];
    gzip.on('data', (chunk: Buffer) => parts.push(chunk));
    gzip.write('account,profit\n');
    const block = Buffer.alloc(1 << 20, 0x61);
    for (let i = 0; i < 256; i++) gzip.write(block);
    gzip.end();
    await once(gzip, 'end');
    writeFileSync(join(dir, 'bomb.csv.gz'), Buffer.concat(parts));
    // The child writes its peak resident size on exit (kilobytes).
    writeFileSync(join(dir, 'peak.cjs'), "process.on('exit', () => require('node:fs').writeFileSync('peak.txt', String(process.resourceUsage().maxRSS)));\n");
    const started = performance.now();
    const result = spawnSync(process.execPath, ['--require', './peak.cjs', bin, SPLIT[0]!, 'bomb.csv.gz', ...SPLIT.slice(1)], { cwd: dir, encoding: 'utf8' });
    const seconds = (performance.now() - started) / 1000;
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('socialized-loss: bomb.csv.gz:2:1: record longer than 16 MiB (the longest a record may be)\n');
    expect(seconds).toBeLessThan(20);
    expect(Number(readFileSync(join(dir, 'peak.txt'), 'utf8')) * 1024).toBeLessThan(220 * 2 ** 20);
  }, 60_000);
});

/** What a transform makes of a stream: its bytes whole, or the error thrown. */
async function drain(stream: AsyncIterable<Uint8Array>): Promise<Buffer | Error> {
  const parts: Uint8Array[] = [];
  try {
    for await (const part of stream) parts.push(part);
  } catch (error) {
    return error as Error;
  }
  return Buffer.concat(parts);
}

/** A gzip member of `text` whose header also names a file of `name` bytes (FNAME), as gzip writes it: fields the readers must step over. */
function named(text: Uint8Array, level: number, name: number): Buffer {
  const member = zlib.gzipSync(text, { level });
  if (name === 0) return member;
  member[3]! |= 0x08;
  return Buffer.concat([member.subarray(0, 10), Buffer.alloc(name, 0x6e), Buffer.from([0]), member.subarray(10)]);
}

const GUNZIPS = [['node:zlib (the command)', nodeGunzip], ['fflate (the page)', fflateGunzip]] as const;
/** Where a stream is cut into chunks: a few bytes in (the magic bytes split, as a pipe may), or anywhere (a fraction of its length). */
const cuts = fc.array(fc.oneof(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 10 });

/** `bytes` cut at `at` (see `cuts`), each chunk a fresh copy. */
async function* cutAt(bytes: Uint8Array, at: number[]): AsyncGenerator<Uint8Array> {
  const ends = [...new Set(at.map((x) => (x < 1 ? Math.floor(x * bytes.length) : x)).filter((x) => x > 0 && x < bytes.length))].sort((a, b) => a - b);
  let from = 0;
  for (const end of [...ends, bytes.length]) {
    yield bytes.slice(from, end);
    from = end;
  }
}
/** `length` bytes of noise from `seed` (xorshift32): they do not compress. */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
/** Members' texts: small, or noise past the page's 32 KiB steps. */
const texts = fc.array(fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 3000 }), weight: 4 },
  { arbitrary: fc.tuple(fc.integer({ min: 30_000, max: 90_000 }), fc.integer()).map(([length, seed]) => noise(length, seed)), weight: 1 },
), { minLength: 1, maxLength: 4 });
const level = fc.integer({ min: 0, max: 9 });
const nameLength = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40_000 }));

describe('the streaming transforms: streamed equals one-shot', () => {
  for (const [name, gunzip] of GUNZIPS) {
    it(`${name}: any members, any split, give zlib.gunzipSync's bytes`, async () => {
      await fc.assert(fc.asyncProperty(texts, level, cuts, nameLength, async (parts, compression, split, fileName) => {
        const whole = Buffer.concat(parts.map((part, k) => named(part, compression, k === 1 ? fileName : 0)));
        const out = await drain(gunzip(cutAt(whole, split)));
        expect(out instanceof Buffer && out.equals(zlib.gunzipSync(whole))).toBe(true);
      }), runs(200));
    });

    it(`${name}: a cut anywhere but between members, or trailing bytes, is a GzipError`, async () => {
      await fc.assert(fc.asyncProperty(texts, level, cuts, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 9 }), async (parts, compression, split, seed, tail) => {
        const gz = parts.map((part) => zlib.gzipSync(part, { level: compression }));
        const whole = Buffer.concat(gz);
        const ends = gz.map((_, k) => gz.slice(0, k + 1).reduce((sum, member) => sum + member.length, 0));
        const cut = 1 + (seed % (whole.length - 1));
        // The page's gunzip checks a member's end by its trailer (CRC-32 and length, the last 8 bytes): an empty
        // last member's trailer is eight zero bytes, so zero bytes more after it, or its trailer cut short after
        // a zero byte of its compressed data, read as the same trailer. Nothing is lost or changed (that member's
        // text is empty either way), so those cases alone are let through.
        const emptyLast = name.startsWith('fflate') && parts.at(-1)!.length === 0;
        if (!ends.includes(cut)) {
          const cutShort = await drain(gunzip(cutAt(whole.subarray(0, cut), split)));
          // The member the cut falls in: an empty one cut in its trailer reads as whole.
          const k = ends.findIndex((end) => cut < end);
          const blind = name.startsWith('fflate') && parts[k]!.length === 0 && cut > ends[k]! - 8;
          if (blind && cutShort instanceof Buffer) expect(cutShort.equals(Buffer.concat(parts.slice(0, k + 1)))).toBe(true);
          else expect(cutShort).toBeInstanceOf(GzipError);
        }
        const blindSpot = emptyLast && tail.every((b) => b === 0);
        const trailing = await drain(gunzip(cutAt(Buffer.concat([whole, tail]), split)));
        if (blindSpot) expect(trailing instanceof Buffer ? trailing.equals(Buffer.concat(parts)) : trailing instanceof GzipError).toBe(true);
        else expect(trailing).toBeInstanceOf(GzipError);
      }), runs(200));
    });

    it(`${name}: a flipped bit is a GzipError, or changes nothing (a header field no one reads)`, async () => {
      await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 3000 }), level, cuts, fc.nat(), fc.integer({ min: 0, max: 7 }), async (text, compression, split, seed, bit) => {
        const flipped = Buffer.from(zlib.gzipSync(text, { level: compression }));
        flipped[seed % flipped.length]! ^= 1 << bit;
        const out = await drain(gunzip(cutAt(flipped, split)));
        if (out instanceof Error) expect(out).toBeInstanceOf(GzipError);
        else expect(out.equals(text)).toBe(true);
      }), runs(300));
    });
  }

  const unicode = fc.string({ unit: 'binary', maxLength: 400 });
  const utf16Sizes = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 });
  for (const encoding of ['utf-16le', 'utf-16be'] as const) {
    it(`${encoding}: any text, any split, gives its UTF-8 encoding`, async () => {
      await fc.assert(fc.asyncProperty(unicode, utf16Sizes, async (text, split) => {
        expect(await drain(utf16ToUtf8(chunked(utf16(text, encoding), split), encoding, 'f'))).toEqual(Buffer.from(encoder.encode(text)));
      }), runs(300));
    });

    it(`${encoding}: any bytes, any split: what TextDecoder makes of them at once, or the same error wherever it is split`, async () => {
      await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), utf16Sizes, async (body, split) => {
        const bytes = Buffer.concat([Buffer.from(encoding === 'utf-16le' ? [0xff, 0xfe] : [0xfe, 0xff]), body]);
        const streamed = await drain(utf16ToUtf8(chunked(bytes, split), encoding, 'f'));
        const once = await drain(utf16ToUtf8(chunked(bytes, [bytes.length]), encoding, 'f'));
        expect(streamed).toEqual(once);
        let decoded: string | null = null;
        try {
          decoded = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes.subarray(2));
        } catch { /* not UTF-16: an error, below */ }
        if (decoded === null || body.length % 2 === 1) expect((once as Error).message).toMatch(/^f: not valid UTF-16 \((little|big)-endian, as its byte-order mark says\): (an odd number of bytes|a lone surrogate)/);
        else expect(once).toEqual(Buffer.from(encoder.encode(decoded)));
      }), runs(500));
    });
  }
});

/** A consumer that keeps each row's account and profit as text. */
function keeper(): RowConsumer & { rows: string[] } {
  const rows: string[] = [];
  return {
    rows,
    columns: [{ name: 'account', kind: 'id', required: true, option: null }, { name: 'profit', kind: 'amount', required: true, option: null }],
    row: (fields) => void rows.push(`${fields.text(0)}=${fields.text(1)}`),
  };
}

describe('readInto, the command\'s and the page\'s way in', () => {
  const text = book();
  const cases: [string, Uint8Array, { compression?: 'gzip'; encoding?: Utf16 }][] = [
    ['in.csv', Buffer.from(text), {}],
    ['in.csv.gz', members(Buffer.from(text), [5, 100_000]), { compression: 'gzip' }],
    ['in.txt', utf16(text, 'utf-16le'), { encoding: 'utf-16le' }],
    ['in', zlib.gzipSync(utf16(text, 'utf-16be')), { compression: 'gzip', encoding: 'utf-16be' }],
  ];

  it('every form gives the same rows on both platforms, says what it found, and hashes the bytes as given', async () => {
    let first: string[] | null = null;
    for (const [name, bytes, found] of cases) {
      for (const platform of [browserPlatform(), nodePlatform(true)]) {
        const consumer = keeper();
        const summary = await readInto(new BlobSource(new Blob([bytes as Uint8Array<ArrayBuffer>]), name), undefined, consumer, platform);
        first ??= consumer.rows;
        expect(consumer.rows).toEqual(first);
        expect(summary).toEqual({
          file: name, format: 'csv', formatFrom: name.endsWith('.csv') || name.endsWith('.csv.gz') ? 'extension' : 'content',
          bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), rows: 30_000, ...found,
        });
      }
    }
    expect(first).toHaveLength(30_000);
  });

  it('a bomb read by the page stops at the record cap too', async () => {
    const bomb = zlib.gzipSync(Buffer.concat([Buffer.from('account,profit\n'), Buffer.alloc(64 << 20, 0x61)]), { level: 9 });
    for (const platform of [browserPlatform(), nodePlatform(true)]) {
      await expect(readInto(new BlobSource(new Blob([bomb]), 'bomb.gz'), undefined, keeper(), platform)).rejects.toThrow(/^bomb\.gz:2:1: record longer than 16 MiB/);
    }
  });
});
