// What the account-file readers do to raw bytes before parsing them: the
// record limit (also a Parquet value's), looking ahead at the first bytes, the
// byte-order mark at the start, joining chunks, and keeping a whole file in
// parts read by ranges (Parquet).

/**
 * The longest record (CSV, with all its fields) or line (JSON Lines) the readers
 * take: 16 MiB. A longer one is an error at its start, most often a quote opened
 * and never closed; it also bounds what one record can cost in memory.
 */
export const MAX_RECORD_BYTES = 16 << 20;

const BOM = [0xef, 0xbb, 0xbf];

/**
 * `chunks` without the UTF-8 byte-order mark at the very start of the input, if
 * there is one (also when it arrives split across the first chunks, as from a
 * pipe); a byte-order mark anywhere else is data.
 */
export async function* withoutByteOrderMark(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const head: number[] = [];
  let decided = false;
  for await (const chunk of chunks) {
    if (decided) {
      yield chunk;
      continue;
    }
    let at = 0;
    while (at < chunk.length && head.length < 3) head.push(chunk[at++]!);
    const prefix = head.every((b, k) => b === BOM[k]);
    if (head.length < 3 && prefix) continue; // too few bytes yet to tell
    decided = true;
    if (!prefix) yield Uint8Array.from(head);
    if (at < chunk.length) yield chunk.subarray(at);
  }
  if (!decided && head.length > 0) yield Uint8Array.from(head);
}

/**
 * A stream's first chunks read ahead and then given back: what decides a format
 * or an encoding is looked at, and `replay()` yields every chunk from the start.
 * Only what was looked at is held.
 */
export class Lookahead {
  readonly #iterator: AsyncIterator<Uint8Array>;
  /** The chunks read ahead so far, in order. */
  readonly held: Uint8Array[] = [];
  #ended = false;

  constructor(chunks: AsyncIterable<Uint8Array>) {
    this.#iterator = chunks[Symbol.asyncIterator]();
  }

  /** Reads one more chunk into `held`: null at the end of the stream. */
  async more(): Promise<Uint8Array | null> {
    if (this.#ended) return null;
    const next = await this.#iterator.next();
    if (next.done) {
      this.#ended = true;
      return null;
    }
    this.held.push(next.value);
    return next.value;
  }

  /** The first `n` bytes (all of them, when the stream is shorter). */
  async head(n: number): Promise<Uint8Array> {
    let total = this.held.reduce((sum, chunk) => sum + chunk.length, 0);
    while (total < n && !this.#ended) total += (await this.more())?.length ?? 0;
    const parts: Uint8Array[] = [];
    for (let c = 0, got = 0; c < this.held.length && got < n; got += this.held[c++]!.length) parts.push(this.held[c]!);
    return joinChunks(parts).subarray(0, n);
  }

  /** Every chunk from the start: those held (let go as they are given), then the rest of the stream (closed early when this one is). */
  async *replay(): AsyncGenerator<Uint8Array> {
    yield* this.held.splice(0);
    try {
      while ((await this.more()) !== null) yield this.held.pop()!;
    } finally {
      if (!this.#ended) await this.#iterator.return?.();
    }
  }
}

/** The chunks as one array (the only one itself, uncopied). */
export function joinChunks(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Bytes held as the parts they came in (never joined: a file over 4 GiB is no
 * one typed array), read by ranges: a view when a range lies in one part, else
 * a copy. Parts must not change once pushed.
 */
export class ByteParts {
  readonly #parts: Uint8Array[] = [];
  /** Where each part starts. */
  readonly #starts: number[] = [];
  /** The bytes pushed so far. */
  byteLength = 0;

  /** Appends `part` (kept, not copied). */
  push(part: Uint8Array): void {
    if (part.length === 0) return;
    this.#parts.push(part);
    this.#starts.push(this.byteLength);
    this.byteLength += part.length;
  }

  /** Bytes [start, end), 0 ≤ start ≤ end ≤ byteLength; a RangeError otherwise. */
  slice(start: number, end: number): Uint8Array {
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && start <= end && end <= this.byteLength)) {
      throw new RangeError(`bytes ${start} to ${end} of ${this.byteLength}`);
    }
    // The last part starting at or before `start` (binary search).
    let lo = 0;
    let hi = this.#parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#starts[mid]! <= start) lo = mid;
      else hi = mid - 1;
    }
    if (start === end) return new Uint8Array(0);
    const first = this.#parts[lo]!;
    const from = start - this.#starts[lo]!;
    if (end - this.#starts[lo]! <= first.length) return first.subarray(from, end - this.#starts[lo]!);
    const out = new Uint8Array(end - start);
    for (let p = lo, at = 0; at < out.length; p++) {
      const part = this.#parts[p]!;
      const begin = p === lo ? from : 0;
      const take = Math.min(part.length - begin, out.length - at);
      out.set(part.subarray(begin, begin + take), at);
      at += take;
    }
    return out;
  }
}
