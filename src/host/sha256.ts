// SHA-256 (FIPS 180-4) in plain TypeScript, incremental: the page's hash of
// what it reads and writes, where there is no node:crypto and SubtleCrypto
// cannot hash a stream. The command line uses node:crypto; tests check both agree.

import type { Hasher } from './platform.js';

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** An incremental SHA-256 over byte chunks. */
export class Sha256 implements Hasher {
  readonly #state = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  readonly #w = new Int32Array(64);
  /** A partial block carried to the next update. */
  readonly #tail = new Uint8Array(64);
  #tailLength = 0;
  /** Bytes hashed in all (exact up to 2^53). */
  #length = 0;
  #done = false;

  update(bytes: Uint8Array): void {
    if (this.#done) throw new Error('internal: SHA-256 updated after its digest');
    this.#length += bytes.length;
    let at = 0;
    if (this.#tailLength > 0) {
      const take = Math.min(64 - this.#tailLength, bytes.length);
      this.#tail.set(bytes.subarray(0, take), this.#tailLength);
      this.#tailLength += take;
      at = take;
      if (this.#tailLength < 64) return;
      this.#blocks(this.#tail, 0, 64);
      this.#tailLength = 0;
    }
    const whole = at + ((bytes.length - at) & ~63);
    this.#blocks(bytes, at, whole);
    this.#tail.set(bytes.subarray(whole), 0);
    this.#tailLength = bytes.length - whole;
  }

  digest(): string {
    if (this.#done) throw new Error('internal: SHA-256 digested twice');
    const bits = this.#length * 8;
    const pad = new Uint8Array(((this.#tailLength + 8) >> 6) * 64 + 64 - this.#tailLength);
    pad[0] = 0x80;
    const end = pad.length;
    // The length in bits, big-endian, in the last 8 bytes (the high word from a division: bits may pass 2^32).
    const high = Math.floor(bits / 0x1_0000_0000);
    const low = bits >>> 0;
    pad[end - 8] = high >>> 24; pad[end - 7] = high >>> 16; pad[end - 6] = high >>> 8; pad[end - 5] = high;
    pad[end - 4] = low >>> 24; pad[end - 3] = low >>> 16; pad[end - 2] = low >>> 8; pad[end - 1] = low;
    this.update(pad);
    this.#done = true;
    let hex = '';
    for (const word of this.#state) hex += (word >>> 0).toString(16).padStart(8, '0');
    return hex;
  }

  /** Compresses the 64-byte blocks of `bytes[from, to)`. */
  #blocks(bytes: Uint8Array, from: number, to: number): void {
    const w = this.#w;
    const s = this.#state;
    let h0 = s[0]!, h1 = s[1]!, h2 = s[2]!, h3 = s[3]!, h4 = s[4]!, h5 = s[5]!, h6 = s[6]!, h7 = s[7]!;
    for (let p = from; p < to; p += 64) {
      for (let t = 0; t < 16; t++) {
        const i = p + 4 * t;
        w[t] = (bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!;
      }
      for (let t = 16; t < 64; t++) {
        const x = w[t - 15]!, y = w[t - 2]!;
        const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
      }
      let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
      for (let t = 0; t < 64; t++) {
        const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[t]! + w[t]!) | 0;
        const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
    }
    s[0] = h0; s[1] = h1; s[2] = h2; s[3] = h3; s[4] = h4; s[5] = h5; s[6] = h6; s[7] = h7;
  }
}
