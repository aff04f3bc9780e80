// `npm run bench:audit`: the auditor's certify on generated books.
//
//   node build/ts/bench/audit.js [--accounts 1e6,1e7] [--runs 3]
//
// For each size: a 'realistic' book socialized by the engine under each case
// (plain largest remainder, seeded, 'down', 'up', weights with caps, 16 pools),
// then certify timed on the engine's haircuts (the passing path, O(n)), and
// once on a copy with one unit moved (the failing path: full recomputation).

import { parseArgs } from 'node:util';
import { certify, type AuditBook } from '../src/audit/index.js';
import { loadEngine } from '../src/index.js';
import { generateProfits } from '../src/scenario.js';
import { describeMachine, machine } from './machine.js';

const { values } = parseArgs({ options: { accounts: { type: 'string', default: '1e6,1e7' }, runs: { type: 'string', default: '3' } } });
const sizes = values.accounts.split(',').map(Number);
const runs = Number(values.runs);
const engine = await loadEngine();
console.log(`certify; ${describeMachine(machine())}\n`);
console.log('| accounts | case | engine s | certify s (best of runs) | failing certify s |');
console.log('| ---: | --- | ---: | ---: | ---: |');

const seconds = (f: () => void): number => {
  const started = performance.now();
  f();
  return (performance.now() - started) / 1000;
};

for (const n of sizes) {
  const profits = generateProfits(n, 'realistic', 1);
  const total = profits.reduce((sum, p) => (p > 0n ? sum + p : sum), 0n);
  const loss = total / 7n > (1n << 63n) - 1n ? (1n << 63n) - 1n : total / 7n;
  const weights = BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 2654435761) % 1000 + 1));
  const caps = BigInt64Array.from(profits, (p, i) => (i % 10 === 0 ? (p > 0n ? p / 50n : 0n) : p > 0n ? p : 0n));
  const pool = Uint32Array.from({ length: n }, (_, i) => (i * 7919) % 16);
  const cases: { name: string; book: AuditBook; run: () => BigInt64Array }[] = [
    { name: 'largest remainder', book: { profits, pools: [{ loss, insuranceFund: 0n }], rounding: 'largest-remainder' },
      run: () => engine.socialize({ profits, loss }).haircuts },
    { name: 'seeded ties', book: { profits, pools: [{ loss, insuranceFund: 0n }], rounding: 'largest-remainder', tieSeed: 42n },
      run: () => engine.socialize({ profits, loss, tieSeed: 42n }).haircuts },
    { name: "'down'", book: { profits, pools: [{ loss, insuranceFund: 0n }], rounding: 'down' },
      run: () => engine.socialize({ profits, loss, rounding: 'down' }).haircuts },
    { name: "'up'", book: { profits, pools: [{ loss, insuranceFund: 0n }], rounding: 'up' },
      run: () => engine.socialize({ profits, loss, rounding: 'up' }).haircuts },
    { name: 'weights, caps', book: { profits, weights, caps, pools: [{ loss, insuranceFund: 0n }], rounding: 'largest-remainder' },
      run: () => engine.socialize({ profits, loss, weights, caps }).haircuts },
    { name: '16 pools', book: { profits, pool, pools: Array.from({ length: 16 }, () => ({ loss: loss / 16n, insuranceFund: 0n })), rounding: 'largest-remainder' },
      run: () => engine.socializePools({ profits, pool, pools: Array.from({ length: 16 }, () => ({ loss: loss / 16n })) }).haircuts },
  ];
  for (const { name, book, run } of cases) {
    let haircuts: BigInt64Array = new BigInt64Array(0);
    const engineTime = seconds(() => { haircuts = run(); });
    let best = Infinity;
    for (let r = 0; r < runs; r++) {
      let ok = false;
      best = Math.min(best, seconds(() => { ok = certify(book, haircuts).ok; }));
      if (!ok) throw new Error(`certify rejected the engine's haircuts (${name}, ${n} accounts)`);
    }
    // One unit moved between two profitable accounts: the failing path.
    const tampered = haircuts.slice();
    const i = profits.findIndex((p) => p > 0n), j = profits.findLastIndex((p) => p > 0n);
    tampered[i]! += 1n;
    tampered[j]! -= 1n;
    let mismatches = 0;
    const failing = seconds(() => { mismatches = certify(book, tampered).mismatches; });
    if (mismatches !== 2) throw new Error(`certify found ${mismatches} mismatches in a tampered result (${name})`);
    console.log(`| ${n.toLocaleString('en-US')} | ${name} | ${engineTime.toFixed(3)} | ${best.toFixed(3)} | ${failing.toFixed(3)} |`);
  }
}
