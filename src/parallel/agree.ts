// Checks of shard replies that the coordinator makes between phases: where every shard
// must answer the same, and counts that must add up or stay within a shard's accounts.
// A reply that fails is that shard's fault (Link.fault: ERR_SHARD_FAILED, the engine closed).

import type { CallShard } from './call.js';

/**
 * Checks that every shard replied what shard 0 did where all must agree (the same
 * computation from the same request): else the first that differs broke the protocol.
 */
export function agree<T>(shards: readonly CallShard[], replies: readonly T[], op: string, field: string, of: (reply: T) => unknown): void {
  const first = JSON.stringify(of(replies[0]!), (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  for (let j = 1; j < replies.length; j++) {
    const got = JSON.stringify(of(replies[j]!), (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    if (got !== first) throw shards[j]!.link.fault(`replied to ${op} with ${field} ${got}, but shard 0 with ${first}`);
  }
}

/** Checks one shard's counts against what it holds: at most its accounts, and a list's counts adding up to the list. */
export function checkCount(shard: CallShard, op: string, what: string, count: number, most: number): void {
  if (count !== most && what.startsWith('=')) throw shard.link.fault(`replied to ${op} with ${what.slice(1)} ${count}, but its counts say ${most}`);
  if (count > most) throw shard.link.fault(`replied to ${op} with ${what} ${count}, more than its ${most}`);
}
