// A quick split of where the kernel's time goes at one size (not part of the suite's table).
// Usage: node build/ts/bench/phases.js [accounts] [profile]
import { loadEngine } from '../src/index.js';
import { CASE_PROFILES } from './profiles.js';
import { medianMs, budgetFor } from './measure.js';

const n = Number(process.argv[2] ?? 10_000_000);
const profile = CASE_PROFILES.find((p) => p.name === (process.argv[3] ?? 'uniform'))!;
const { profits, loss, insuranceFund } = profile.build(n);
const engine = await loadEngine();
using book = engine.createBook(n);
book.profits.set(profits);
const target = new BigInt64Array(n);
const copy = await medianMs('copy', () => target.set(profits), budgetFor(20));
const full = await medianMs('book.socialize', () => book.socialize({ loss, insuranceFund }), budgetFor(50));
const zeroLoss = await medianMs('book.socialize, loss 0 (sum pass only)', () => book.socialize({ loss: 0n }), budgetFor(20));
console.log(`${n} accounts, ${profile.name}: copy ${copy.toFixed(2)} ms, sum pass ${zeroLoss.toFixed(2)} ms, full ${full.toFixed(2)} ms = ${(full / copy).toFixed(2)}× copy`);
