// SHA-256 on the second core: the command line hashes a large input or output (what the
// report records) in a worker thread, so that the reading and formatting go on meanwhile.
// Pieces are copied into batches of 4 MiB sent to the worker (the caller reuses its bytes); at most LIMIT bytes wait
// there at once (the sender waits on a shared counter beyond that, so memory stays bounded
// whatever the speeds). The digest is node:crypto's, as in the thread itself.

import { Worker } from 'node:worker_threads';
import type { Hasher } from './platform.js';

/** The most bytes sent and not yet hashed. */
const LIMIT = 16 << 20;

/** The worker: one hash per id, updated by pieces, its digest sent back on a message without bytes. */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const waiting = new Int32Array(workerData);
const hashes = new Map();
parentPort.on('message', (m) => {
  let hash = hashes.get(m.id);
  if (hash === undefined) hashes.set(m.id, (hash = createHash('sha256')));
  if (m.bytes !== undefined) {
    hash.update(m.bytes);
    Atomics.sub(waiting, 0, m.bytes.length);
    Atomics.notify(waiting, 0);
  } else {
    hashes.delete(m.id);
    parentPort.postMessage({ id: m.id, digest: hash.digest('hex') });
  }
});
`;

/** The worker and what it shares: bytes sent and not yet hashed, the digests awaited, why it failed. */
interface Thread {
  worker: Worker;
  waiting: Int32Array;
  digests: Map<number, { resolve: (hex: string) => void; reject: (error: Error) => void }>;
  failure: Error | null;
}

let current: Thread | null = null;
let next = 0;

/** The worker, started on first use (again after a failure); it keeps the process alive only while a digest is awaited. */
function thread(): Thread {
  if (current !== null && current.failure === null) return current;
  const shared = new SharedArrayBuffer(4);
  const worker = new Worker(SOURCE, { eval: true, workerData: shared });
  const state: Thread = { worker, waiting: new Int32Array(shared), digests: new Map(), failure: null };
  worker.on('message', ({ id, digest }: { id: number; digest: string }) => {
    const pending = state.digests.get(id);
    state.digests.delete(id);
    if (state.digests.size === 0) worker.unref();
    pending?.resolve(digest);
  });
  const fail = (error: Error) => {
    state.failure ??= error;
    for (const pending of state.digests.values()) pending.reject(state.failure);
    state.digests.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the hashing thread ended (exit code ${code})`)));
  // Unreferenced once its listeners are on (adding one references it again): only an awaited digest keeps the process.
  worker.unref();
  current = state;
  return state;
}

/** Bytes gathered before a piece goes to the worker (fewer, larger messages). */
const BATCH = 4 << 20;

/** A SHA-256 computed in the worker thread. */
export function threadHasher(): Hasher {
  const id = next++;
  const state = thread();
  // The bytes gathered for the next message: a copy of their own (the caller reuses theirs).
  let batch = new Uint8Array(BATCH);
  let used = 0;
  const send = () => {
    if (used === 0) return;
    // Beyond LIMIT bytes in flight, wait for the worker to catch up (it notifies as it hashes).
    for (let now = Atomics.load(state.waiting, 0); now > LIMIT && state.failure === null; now = Atomics.load(state.waiting, 0)) {
      Atomics.wait(state.waiting, 0, now, 100);
    }
    if (state.failure !== null) return; // the digest says why
    const piece = used === batch.length ? batch : batch.slice(0, used);
    Atomics.add(state.waiting, 0, piece.length);
    state.worker.postMessage({ id, bytes: piece }, [piece.buffer]);
    if (piece === batch) batch = new Uint8Array(BATCH);
    used = 0;
  };
  return {
    update(bytes: Uint8Array): void {
      for (let at = 0; at < bytes.length;) {
        const take = Math.min(bytes.length - at, batch.length - used);
        batch.set(bytes.subarray(at, at + take), used);
        used += take;
        at += take;
        if (used === batch.length) send();
      }
    },
    digest(): Promise<string> {
      send();
      if (state.failure !== null) return Promise.reject(state.failure);
      return new Promise((resolve, reject) => {
        state.digests.set(id, { resolve, reject });
        state.worker.ref();
        state.worker.postMessage({ id });
      });
    },
  };
}
