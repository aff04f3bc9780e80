// The script of one shard's worker (workers.ts starts it): serves the shard protocol
// over the worker's port, a Node worker thread's parentPort or a Web Worker's scope.

import { serveShard } from './shard.js';

/** The parts of Node's `parentPort` used here (Deno's has no `close`). */
interface NodePort {
  postMessage(message: unknown): void;
  on(event: 'message', handler: (message: unknown) => void): void;
  close?(): void;
}

/** The parts of a Web Worker's global scope used here. */
interface WorkerScope {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', handler: (event: { data: unknown }) => void): void;
  close(): void;
}

/** Serves the shard in a Web Worker's scope. */
function serveWeb(): void {
  const scope = globalThis as unknown as WorkerScope;
  serveShard({ send: (m) => scope.postMessage(m), listen: (h) => scope.addEventListener('message', (e) => h(e.data)), stop: () => scope.close() });
}

if (typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string') {
  void import('node:worker_threads').then((threads) => {
    const port = (threads as unknown as { parentPort: NodePort | null }).parentPort;
    if (port === null) throw new Error('socialized-loss/parallel: worker.js runs as a worker thread, started by loadShardedEngine');
    serveShard({ send: (m) => port.postMessage(m), listen: (h) => port.on('message', h), stop: () => port.close?.() });
  });
} else {
  serveWeb();
}
