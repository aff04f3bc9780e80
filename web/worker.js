// The workbench's Web Worker: reads the chosen files, runs the same code as
// `socialized-loss socialize` (dist/workbench/jobs.js over run/run.ts, run/load.ts,
// report.ts) and answers the page. Nothing leaves the page; the page never blocks.
//
// Requests (each with an `id`, answered by { id, type: 'done', ... } or
// { id, type: 'error', message }, with { id, type: 'progress', phase, done, total } between):
//   { type: 'columns', file, form }             → { columns, delimiter } (the CSV delimiter its header splits on, or null)
//   { type: 'run', accounts, pools, form }      → { result } (the haircuts' parts transferred)
//   { type: 'explain', account }                → { text, json }
//   { type: 'compare', accounts, pools, form, compare } → { result } (the CSV's parts transferred)
//   { type: 'generate', accounts, profile, seed } → { name, parts }
import { browserPlatform } from '../dist/host/browser.js';
import { columnsOfFile, explainInSession, generatedBook, messageOf, runWorkbench } from '../dist/workbench/jobs.js';
import { runCompare } from '../dist/workbench/compare.js';
import { loadEngine } from '../dist/index.js';
import { version } from '../package.json';

let engine = null;
/** The last run's accounts and parameters, for Explain account. */
let session = null;

const named = (file) => (file === null ? null : { blob: file, name: file.name });

async function handle(request, progress) {
  switch (request.type) {
    case 'columns':
      return await columnsOfFile(named(request.file), browserPlatform(), request.form);
    case 'run': {
      session = null;
      const platform = browserPlatform((name, done, total) => progress(`reading ${name}`, done, total));
      progress('loading the engine', 0, 1);
      engine ??= await loadEngine();
      const files = { accounts: named(request.accounts), pools: named(request.pools) };
      const run = await runWorkbench(engine, version, files, request.form, platform, (phase) => progress(phase, 0, 1));
      session = run.session;
      return { result: run.result, transfer: run.result.haircuts.parts.map((part) => part.buffer) };
    }
    case 'compare': {
      const platform = browserPlatform((name, done, total) => progress(`reading ${name}`, done, total));
      progress('loading the engine', 0, 1);
      engine ??= await loadEngine();
      const files = { accounts: named(request.accounts), pools: named(request.pools) };
      const result = await runCompare(engine, version, files, request.form, request.compare, platform, (phase) => progress(phase, 0, 1));
      return { result, transfer: result.out.parts.map((part) => part.buffer) };
    }
    case 'explain':
      if (session === null) throw new Error('run Socialize first: there is no result to explain');
      return explainInSession(session, request.account);
    case 'generate': {
      progress('generating the book', 0, 1);
      const book = await generatedBook(request.accounts, request.profile, request.seed, browserPlatform());
      return { ...book, transfer: book.parts.map((part) => part.buffer) };
    }
    default:
      throw new Error(`unknown request ${JSON.stringify(request.type)}`);
  }
}

onmessage = async ({ data: request }) => {
  const { id } = request;
  let last = 0;
  const progress = (phase, done, total) => {
    // At most one message per 50 ms while reading, and every change of phase.
    const now = performance.now();
    if (done > 0 && done < total && now - last < 50) return;
    last = now;
    postMessage({ id, type: 'progress', phase, done, total });
  };
  try {
    const { transfer = [], ...answer } = await handle(request, progress);
    postMessage({ id, type: 'done', ...answer }, transfer);
  } catch (error) {
    postMessage({ id, type: 'error', message: messageOf(error) });
  }
};
