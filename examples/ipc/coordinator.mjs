// Two shards in two child processes, driven over their IPC channels: the path for a
// book that outgrows one machine (put the shards where the memory is, over the
// transport your cluster already has). Prints whether the haircuts are the same bits
// as one engine's. Run: node examples/ipc/coordinator.mjs [accounts]
import { fork } from 'node:child_process';
import { loadEngine } from 'socialized-loss';
import { loadShardedEngine } from 'socialized-loss/parallel';

/** A shard transport over a forked child's IPC channel. */
function childShard() {
  const child = fork(new URL('./shard.mjs', import.meta.url), { serialization: 'advanced' });
  return {
    send: (message) => child.send(message),
    listen: (handler) => child.on('message', handler),
    onFailure: (handler) => {
      child.on('exit', (code, signal) => handler(`its process exited (${signal ?? `code ${code}`})`));
      child.on('error', (error) => handler(error.message));
    },
    close: () => {
      if (child.connected) child.disconnect();
    },
  };
}

const n = Number(process.argv[2] ?? 1_000_000);
const profits = new BigInt64Array(n);
let x = 42n;
for (let i = 0; i < n; i++) {
  x = (x * 6364136223846793005n + 1442695040888963407n) & 0xFFFF_FFFF_FFFF_FFFFn;
  profits[i] = (x >> 33n) % 5_000_000n - 1_000_000n; // one account in five at a loss
}
const input = { loss: 987_654_321_987n, insuranceFund: 1_000_000n, profits, tieSeed: 7n };

// timeoutMs: a child that hangs fails the call (ERR_SHARD_FAILED) instead of holding it forever.
const sharded = await loadShardedEngine({ transports: [childShard(), childShard()], timeoutMs: 60_000 });
try {
  const started = performance.now();
  const result = await sharded.socialize(input);
  const ms = performance.now() - started;
  const engine = await loadEngine();
  const one = engine.socialize(input);
  const same = one.haircuts.every((h, i) => h === result.haircuts[i]) && one.socialized === result.socialized;
  console.log(`${n} accounts over 2 processes: socialized ${result.socialized} of ${result.totalProfit} in ${ms.toFixed(0)} ms`);
  console.log(`same bits as one engine: ${same}`);
  // An index delta over the same column as position sizes: the units go to the children, the charges come back.
  const deltaInput = { loss: 987_654_321n, units: profits, scale: 10n ** 9n };
  const delta = await sharded.indexDelta(deltaInput), oneDelta = engine.indexDelta(deltaInput);
  const sameDelta = delta.delta === oneDelta.delta && delta.collected === oneDelta.collected && oneDelta.charges.every((c, i) => c === delta.charges[i]);
  console.log(`same index delta as one engine: ${sameDelta}`);
  process.exitCode = same && sameDelta ? 0 : 1;
} finally {
  await sharded.close();
}
