// The demo's Web Worker: generates the book, runs the engine (and, if asked,
// the reference) and sends back what the page draws. The page never blocks.
import { loadEngine } from '../dist/index.js';
import { socializeReference } from '../dist/reference.js';
import { generateProfits } from '../dist/scenario.js';

let engine;

/** SHA-256 of the haircuts' bytes (little-endian int64): the same checksum Node computes. */
async function checksum(haircuts) {
  const bytes = new Uint8Array(haircuts.buffer, haircuts.byteOffset, haircuts.byteLength).slice();
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Every k-th profitable account as [profit, haircut] (bigints), at most `limit` of them. */
function sample(profits, haircuts, limit) {
  const step = Math.max(1, Math.floor(profits.length / limit));
  const points = [];
  for (let i = 0; i < profits.length && points.length < limit; i += step) {
    if (profits[i] > 0n) points.push([profits[i], haircuts[i]]);
  }
  return points;
}

/** Counts of haircuts per power of ten (bin 0: zero; bin k: [10^(k−1), 10^k)), profitable accounts only. */
function histogram(profits, haircuts) {
  const bins = new Array(20).fill(0);
  for (let i = 0; i < profits.length; i++) {
    if (profits[i] <= 0n) continue;
    const h = haircuts[i];
    bins[h === 0n ? 0 : Math.min(19, h.toString().length)]++;
  }
  return bins;
}

/** The `count` largest haircuts with index, profit and haircut (ties: lower index first). */
function largest(profits, haircuts, count) {
  const top = [];
  for (let i = 0; i < haircuts.length; i++) {
    const h = haircuts[i];
    if (h === 0n || (top.length === count && h <= top[top.length - 1].haircut)) continue;
    // Insert in place (after equal haircuts, which have lower indices): no sort per account.
    let at = top.length;
    while (at > 0 && top[at - 1].haircut < h) at--;
    top.splice(at, 0, { index: i, profit: profits[i], haircut: h });
    if (top.length > count) top.pop();
  }
  return top;
}

onmessage = async ({ data }) => {
  const { accounts, profile, seed, loss, insuranceFund, withReference } = data;
  try {
    postMessage({ type: 'progress', phase: 'loading the engine', done: 0, total: 1 });
    engine ??= await loadEngine();
    const book = engine.createBook(accounts);
    generateProfits(accounts, profile, seed, {
      into: book.profits,
      onProgress: (done) => postMessage({ type: 'progress', phase: 'generating the book', done, total: accounts }),
    });
    postMessage({ type: 'progress', phase: 'socializing', done: 0, total: 1 });
    const started = performance.now();
    const summary = book.socialize({ loss, insuranceFund });
    const engineMs = performance.now() - started;
    const profits = book.profits.slice();
    const haircuts = book.haircuts.slice();
    book.free();
    let referenceMs = null;
    let agrees = null;
    if (withReference) {
      postMessage({ type: 'progress', phase: 'running the reference', done: 0, total: 1 });
      const t = performance.now();
      const reference = socializeReference({ loss, insuranceFund, profits });
      referenceMs = performance.now() - t;
      agrees = reference.socialized === summary.socialized && reference.haircuts.every((h, i) => h === haircuts[i]);
    }
    postMessage({
      type: 'result', variant: engine.variant, summary, engineMs, referenceMs, agrees,
      checksum: await checksum(haircuts), points: sample(profits, haircuts, 3000),
      histogram: histogram(profits, haircuts), largest: largest(profits, haircuts, 15),
    });
  } catch (error) {
    postMessage({ type: 'error', message: String(error && error.message ? error.message : error) });
  }
};
