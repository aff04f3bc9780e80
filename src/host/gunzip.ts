// The browser's streaming gunzip (Platform.gunzip), by fflate. Not the
// platform's DecompressionStream: Chromium's refuses a concatenation of members
// ("Junk found after end of compressed data"), which `cat a.gz b.gz` makes and
// gzip reads. fflate reads the members but checks neither CRC-32 nor length, so
// this does: each member's output is summed as it comes, and compared with the
// eight bytes that end it (before the next member's header, or the input's last
// eight). Every way a stream can be cut or spoiled fails one of those checks.

import { Gunzip } from 'fflate';
import { GzipError } from './platform.js';

/** Compressed bytes given to the inflater at a time: at most about 32 MiB of output each (DEFLATE's ratio is at most 1032). */
const STEP = 1 << 15;
/** Input bytes kept for a member's trailer, found only once the next member's header is whole: a longer header is refused. */
const KEEP = 1 << 20;

/** CRC-32 (ISO-HDLC, gzip's), a byte at a time over a table. */
const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}

/** A member's output so far: its CRC-32 and its length modulo 2^32, as its trailer states them. */
class MemberSum {
  #crc = -1;
  #length = 0;

  update(bytes: Uint8Array): void {
    let c = this.#crc;
    for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
    this.#crc = c;
    this.#length = (this.#length + bytes.length) >>> 0;
  }

  /** Whether `trailer` (8 bytes: CRC-32, then length, little-endian) states this output. */
  matches(trailer: Uint8Array): boolean {
    const word = (at: number) => (trailer[at]! | (trailer[at + 1]! << 8) | (trailer[at + 2]! << 16) | (trailer[at + 3]! << 24)) >>> 0;
    return trailer.length === 8 && word(0) === (~this.#crc >>> 0) && word(4) === this.#length;
  }
}

/** The last input bytes, kept by reference (sources never reuse a chunk): at least the last KEEP. */
class RecentBytes {
  #views: Uint8Array[] = [];
  #starts: number[] = [];
  /** Bytes pushed so far. */
  total = 0;

  push(view: Uint8Array): void {
    this.#views.push(view);
    this.#starts.push(this.total);
    this.total += view.length;
    while (this.#views.length > 1 && this.total - this.#starts[1]! >= KEEP) {
      this.#views.shift();
      this.#starts.shift();
    }
  }

  /** Bytes [start, end), or what of them is still kept (fewer: the range starts too far back, or before the input). */
  range(start: number, end: number): Uint8Array {
    const out: number[] = [];
    for (let v = 0; v < this.#views.length; v++) {
      const from = this.#starts[v]!;
      const view = this.#views[v]!;
      for (let at = Math.max(start, from); at < Math.min(end, from + view.length); at++) out.push(view[at - from]!);
    }
    return Uint8Array.from(out);
  }
}

/** An error of fflate's as a GzipError (`members`: the members begun so far; `begun`: the first one's header was read). */
function inflaterFault(error: unknown, members: number, begun: boolean): unknown {
  if (error instanceof GzipError || !(error instanceof Error) || typeof (error as { code?: unknown }).code !== 'number') return error;
  if (error.message === 'unexpected EOF') return new GzipError('truncated', 'the compressed data ends early (a truncated file?)');
  if (error.message === 'invalid gzip data' && begun) {
    return new GzipError('trailing', `what follows member ${members} is not a gzip member (trailing data)`);
  }
  return new GzipError('corrupt', `corrupt compressed data (${error.message}, in member ${members})`);
}

/**
 * A gzip stream decompressed as `chunks` arrive (Platform.gunzip for the page):
 * fed to fflate in small steps, each step's output handed on before the next is
 * fed, every member's CRC-32 and length checked.
 */
export async function* fflateGunzip(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let out: Uint8Array[] = [];
  let sum = new MemberSum();
  let members = 1;
  let begun = false;
  const recent = new RecentBytes();
  const ended = (end: number) => {
    if (!sum.matches(recent.range(end - 8, end))) {
      throw new GzipError('corrupt', `member ${members}'s CRC-32 or length does not match its data (a corrupt file?)`);
    }
  };
  // Called after every step once a header has been read (with nothing, at times).
  const inflater = new Gunzip((data) => {
    begun = true;
    if (data.length === 0) return;
    sum.update(data);
    out.push(data);
  });
  // Called once the next member's header is whole: everything before it was the previous member's.
  inflater.onmember = (offset) => {
    ended(offset);
    sum = new MemberSum();
    members++;
  };
  const push = (step: Uint8Array, final: boolean) => {
    try {
      inflater.push(step, final);
    } catch (error) {
      throw inflaterFault(error, members, begun);
    }
  };
  for await (const chunk of chunks) {
    for (let at = 0; at < chunk.length; at += STEP) {
      const step = chunk.subarray(at, at + STEP);
      recent.push(step);
      push(step, false);
      if (out.length > 0) {
        const ready = out;
        out = [];
        yield* ready;
      }
    }
  }
  push(new Uint8Array(0), true);
  yield* out;
  ended(recent.total);
}
