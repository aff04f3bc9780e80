// Shards in workers: a Node worker thread or a Web Worker per shard, each running
// worker.ts, reached through a ShardTransport. Node's worker keeps the process alive
// only while a request is in flight, so a program that forgets `close()` still exits.

import type { ShardTransport } from './link.js';

/** The parts of Node's `worker_threads.Worker` used here (no dependency on @types/node in the declarations). */
interface NodeWorker {
  postMessage(message: unknown): void;
  on(event: 'message', handler: (message: unknown) => void): void;
  on(event: 'error', handler: (error: Error) => void): void;
  on(event: 'exit', handler: (code: number) => void): void;
  terminate(): Promise<number>;
  ref(): void;
  unref(): void;
}

/** Whether this is Node (or a runtime with its worker_threads: Bun, Deno). */
function isNode(): boolean {
  const process = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof process?.versions?.node === 'string';
}

/** Starts one shard in a worker thread (Node) or a module Web Worker (browsers). */
export async function spawnWorker(): Promise<ShardTransport> {
  if (isNode()) {
    const threads = (await import('node:worker_threads')) as unknown as { Worker: new (url: URL) => NodeWorker };
    const worker = new threads.Worker(new URL('./worker.js', import.meta.url));
    worker.unref();
    let closing = false, exited = false;
    worker.on('exit', () => (exited = true));
    return {
      sharesMemory: true,
      send: (message) => worker.postMessage(message),
      listen: (handler) => worker.on('message', handler),
      onFailure: (handler) => {
        worker.on('error', (error) => handler(`its worker failed: ${error.message}`));
        worker.on('exit', (code) => {
          if (!closing) handler(`its worker exited with code ${code}`);
        });
      },
      busy: (inFlight) => (inFlight ? worker.ref() : worker.unref()),
      close: async () => {
        closing = true;
        if (!exited) await worker.terminate();
      },
    };
  }
  if (typeof Worker !== 'function') throw new Error('this runtime has no workers');
  // Written out as bundlers recognize a module worker (Vite, webpack, esbuild plugins): the script beside this module.
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const shared = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  return {
    sharesMemory: shared,
    send: (message) => worker.postMessage(message),
    listen: (handler) => worker.addEventListener('message', (event) => handler(event.data)),
    onFailure: (handler) => {
      worker.addEventListener('error', (event) => handler(`its worker failed: ${event.message || 'error'}`));
      worker.addEventListener('messageerror', () => handler('a message could not be read'));
    },
    close: () => {
      worker.terminate();
    },
  };
}
