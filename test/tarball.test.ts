// The packed tarball is what users install, so it is what these tests check:
// installed into a throw-away project, it imports (ESM) and requires (CJS),
// runs in a worker thread, under Bun and under Deno with the same results (the
// sharded engine too, its workers loaded from the installed package), and
// its declarations type-check for a strict consumer with no @types/node and no
// esnext lib, under NodeNext, bundler and node10 resolution; publint and
// @arethetypeswrong/cli find nothing wrong with it.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPackedPackage, root, type Consumer } from './consumer.js';
import { DOCUMENTS } from './docs.js';

let consumer: Consumer;
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

/** One program, run by every runtime: it prints the results (and an error's code) as one JSON line. */
const PROGRAM = `
const input = { loss: 1_000n, insuranceFund: 250n, profits: [900n, 100n, -50n] };
const engine = await loadEngine();
const r = engine.socialize(input);
const book = engine.createBook(3);
book.profits.set([500n, -20n, 300n]);
const summary = book.socialize({ loss: 80n, insuranceFund: undefined });
const fromBook = [...book.haircuts].map(String);
book.free();
let code = null;
try { engine.socialize({ loss: -1n, profits: [] }); } catch (error) { code = error.code; }
const reference = socializeReference(input);
let precision = null;
try { parseUnits('1.005', 2); } catch (error) { precision = error.code; }
const certificate = certify(input, r.haircuts);
const tampered = certify(input, [674n, 76n, 0n]);
const result = {
  haircuts: [...r.haircuts].map(String), socialized: String(r.socialized), fromBook, bookSocialized: String(summary.socialized),
  agrees: reference.haircuts.every((h, i) => h === r.haircuts[i]), code, codes: Object.keys(ERROR_CODES).length > 10,
  parsed: String(parseUnits('96.43109799999999', 6, { rounding: 'half-even' })), formatted: formatUnits(-50n, 2), precision,
  certified: certificate.ok, tampered: tampered.mismatches, explained: explainAccount(input, 0, { decimals: 2, accounts: ['a', 'b', 'c'] }).haircut,
  json: JSON.stringify(resultToJSON(r, { decimals: 2 }).haircuts),
};
`;
const EXPECTED = {
  haircuts: ['675', '75', '0'], socialized: '750', fromBook: ['50', '0', '30'], bookSocialized: '80', agrees: true, code: 'ERR_OUT_OF_RANGE', codes: true,
  parsed: '96431098', formatted: '-0.50', precision: 'ERR_PRECISION', certified: true, tampered: 2, explained: '6.75', json: '["6.75","0.75","0.00"]',
};
/** The entries' imports, as ESM. */
const IMPORTS = `import { loadEngine, ERROR_CODES, resultToJSON } from 'socialized-loss';
import { socializeReference } from 'socialized-loss/reference';
import { parseUnits, formatUnits } from 'socialized-loss/decimal';
import { certify, explainAccount } from 'socialized-loss/audit';`;
const ESM = `${IMPORTS}\n${PROGRAM}\nconsole.log(JSON.stringify(result));\n`;

/** The sharded engine from the installed package: in place and copying, against one engine. */
const PARALLEL = `import { loadEngine } from 'socialized-loss';
import { loadShardedEngine } from 'socialized-loss/parallel';
const engine = await loadEngine();
const profits = BigInt64Array.from({ length: 100_001 }, (_, i) => BigInt((i * 7919) % 10_007) - 1_000n);
const params = { loss: 12_345_678n, tieSeed: 3n };
const expected = engine.socialize({ ...params, profits });
const sharded = await loadShardedEngine({ shards: 2 });
const book = await sharded.createBook(profits.length);
for (const shard of book.shards) shard.profits.set(profits.subarray(shard.start, shard.end));
const summary = await book.socialize(params);
const inPlace = book.shards.every((shard) => shard.haircuts.every((h, i) => h === expected.haircuts[shard.start + i]));
const copied = await sharded.socialize({ ...params, profits });
console.log(JSON.stringify({
  shared: sharded.shared, inPlace, socialized: String(summary.socialized), copied: copied.haircuts.every((h, i) => h === expected.haircuts[i]),
}));
await sharded.close();
`;
const PARALLEL_EXPECTED = { shared: true, inPlace: true, socialized: '12345678', copied: true };

/** A strict TypeScript consumer: the API as documented, `insuranceFund: undefined` included. */
const TYPESCRIPT = `
import { loadEngine, ERROR_CODES, isSocializedLossError, type Book, type ErrorCode, type SocializeResult } from 'socialized-loss';
import { socializeReference, socializePoolsReference } from 'socialized-loss/reference';
import { loadShardedEngine, serveShard, type ShardedBook, type ShardTransport } from 'socialized-loss/parallel';
import { parseUnits, formatUnits, type DecimalRounding } from 'socialized-loss/decimal';
import { certify, explainAccount, type Certificate } from 'socialized-loss/audit';
import { resultToJSON, type JsonResult } from 'socialized-loss';

export function embedded(rounding: DecimalRounding): string {
  const loss = parseUnits('12.5', 2, { rounding });
  const input = { loss, profits: [parseUnits('100', 2), parseUnits('-5.25', 2)], insuranceFund: undefined };
  const certificate: Certificate = certify(input, [loss, 0n]);
  const json: JsonResult<SocializeResult> = resultToJSON(socializeReference(input), { decimals: 2 });
  const explained = explainAccount(input, 0, { decimals: 2, accounts: ['a', 'b'] });
  return [formatUnits(loss, 2), certificate.ok, json.haircuts[0], explained.haircut].join(' ');
}

export async function sharded(transports?: ShardTransport[]): Promise<bigint> {
  const engine = await loadShardedEngine({ shards: 2, transports, shared: undefined });
  const book: ShardedBook = await engine.createBook(4, { pools: true, weights: undefined });
  book.shards[0]!.profits.set([1n, 2n]);
  const [pool] = await book.socializePools([{ loss: 2n }], { tieSeed: 1n, weights: undefined });
  await book.free();
  await engine.close();
  serveShard({ send: () => {}, listen: () => {} });
  return pool!.socialized;
}

export async function run(): Promise<string> {
  const engine = await loadEngine({ variant: undefined });
  const result: SocializeResult = engine.socialize({ loss: 1_000n, insuranceFund: undefined, profits: [900n, 100n, -50n], tieSeed: undefined });
  const book: Book = engine.createBook(3);
  book.profits.set([1n, 2n, 3n]);
  const summary = book.socialize({ loss: 3n, rounding: 'down', weights: undefined });
  const pools = socializePoolsReference({ profits: [1n, 2n], pool: new Uint32Array([0, 1]), pools: [{ loss: 1n }, { loss: 1n, insuranceFund: undefined }] });
  book.free();
  let code: ErrorCode | undefined;
  try {
    socializeReference({ loss: -1n, profits: [] });
  } catch (error) {
    if (isSocializedLossError(error)) code = error.code;
  }
  return [result.socialized, summary.socialized, pools.pools.length, code, Object.keys(ERROR_CODES)[0]].join(' ');
}
`;

function tsconfig(name: string, compilerOptions: Record<string, unknown>, files: string[]): string {
  writeFileSync(join(consumer.dir, name), JSON.stringify({
    compilerOptions: {
      strict: true, exactOptionalPropertyTypes: true, skipLibCheck: false, noEmit: true, target: 'ES2022', lib: ['ES2022'], types: [],
      ...compilerOptions,
    },
    files,
  }, null, 2));
  return name;
}

function tsc(project: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: consumer.dir, encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

beforeAll(() => {
  consumer = installPackedPackage();
  writeFileSync(join(consumer.dir, 'esm.mjs'), ESM);
  writeFileSync(join(consumer.dir, 'cjs.cjs'), [
    `const { loadEngine, ERROR_CODES, resultToJSON } = require('socialized-loss');`,
    `const { socializeReference } = require('socialized-loss/reference');`,
    `const { parseUnits, formatUnits } = require('socialized-loss/decimal');`,
    `const { certify, explainAccount } = require('socialized-loss/audit');`,
    `(async () => {${PROGRAM}\nconsole.log(JSON.stringify(result));\n})();`,
  ].join('\n'));
  writeFileSync(join(consumer.dir, 'worker.mjs'), [
    `import { Worker, isMainThread, parentPort } from 'node:worker_threads';`,
    IMPORTS,
    `if (isMainThread) {`,
    `  const worker = new Worker(new URL(import.meta.url));`,
    `  worker.once('message', (result) => { console.log(JSON.stringify(result)); worker.terminate(); });`,
    `} else {`,
    PROGRAM,
    `  parentPort.postMessage(result);`,
    `}`,
  ].join('\n'));
  writeFileSync(join(consumer.dir, 'consumer.ts'), TYPESCRIPT);
  writeFileSync(join(consumer.dir, 'parallel.mjs'), PARALLEL);
  writeFileSync(join(consumer.dir, 'consumer-using.ts'), [
    `import { loadEngine } from 'socialized-loss';`,
    `export async function run(): Promise<bigint> {`,
    `  const engine = await loadEngine();`,
    `  using book = engine.createBook(2);`,
    `  book.profits.set([3n, 1n]);`,
    `  return book.socialize({ loss: 2n }).socialized;`,
    `}`,
  ].join('\n'));
  writeFileSync(join(consumer.dir, 'consumer.cts'), `import { socializeReference } from 'socialized-loss/reference';\nimport type { Engine } from 'socialized-loss';\nexport const f = (e: Engine) => [e.capacity, socializeReference({ loss: 1n, profits: [1n] }).socialized];\n`);
}, 120_000);

afterAll(() => consumer?.dispose());

describe('the packed tarball', () => {
  it('is publishable and carries what a user needs, and nothing dead', () => {
    const files = consumer.pack.files.map((file) => file.path).sort();
    expect(files).toEqual(expect.arrayContaining([
      'LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/reference.js', 'dist/reference.d.ts',
      'dist/cli/main.js', 'dist/parallel/index.js', 'dist/parallel/index.d.ts', 'dist/parallel/worker.js', 'dist/wasm/shared.js',
      'dist/vendor/assemblyscript-loader.js', 'dist/vendor/assemblyscript-loader.LICENSE', 'dist/vendor/assemblyscript-loader.NOTICE',
    ]));
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    // The command's folders have no declarations: they are not the library's API.
    expect(files.filter((file) => /^dist\/(cli|files|run|host|workbench)\//.test(file) && file.endsWith('.d.ts'))).toEqual([]);
    // The README's links into docs/ hold in node_modules too: its reference pages ship, nothing else of docs/.
    expect(files.filter((file) => file.startsWith('docs/'))).toEqual(DOCUMENTS.filter((path) => path.startsWith('docs/')).sort());
    expect(files.filter((file) => !file.startsWith('dist/') && !file.startsWith('docs/') && !['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json'].includes(file))).toEqual([]);
    const installed = join(consumer.dir, 'node_modules/socialized-loss');
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(pkg.private).toBeUndefined();
    expect(pkg.license).toBe('MIT');
    expect(pkg.sideEffects).toBe(false);
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(readFileSync(join(installed, 'dist/vendor/assemblyscript-loader.LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
    // The core's bytes are declared as a string, not repeated as a literal type.
    expect(readFileSync(join(installed, 'dist/wasm/simd.d.ts'), 'utf8').length).toBeLessThan(400);
    console.log(`tarball: ${consumer.pack.size} bytes packed, ${consumer.pack.unpackedSize} unpacked, ${files.length} files`);
  });

  it('imports as ESM', () => {
    expect(JSON.parse(execFileSync(process.execPath, ['esm.mjs'], { cwd: consumer.dir, encoding: 'utf8' }))).toEqual(EXPECTED);
  });

  it('loads with require()', () => {
    expect(JSON.parse(execFileSync(process.execPath, ['cjs.cjs'], { cwd: consumer.dir, encoding: 'utf8' }))).toEqual(EXPECTED);
  });

  it('installs the command', () => {
    const out = execFileSync(join(consumer.dir, 'node_modules/.bin/socialized-loss'), [
      'socialize', join(root, 'examples/accounts.csv'), '--loss', '2500', '--insurance-fund', '1000.25', '--decimals', '2', '--quiet',
    ], { cwd: consumer.dir, encoding: 'utf8' });
    expect(out.split('\n')[1]).toBe('alice,1250.50,290.74,959.76');
  });

  it('gives the same result in a worker thread', () => {
    expect(JSON.parse(execFileSync(process.execPath, ['worker.mjs'], { cwd: consumer.dir, encoding: 'utf8' }))).toEqual(EXPECTED);
  });

  it('runs the sharded engine (socialized-loss/parallel: its workers from the installed package)', () => {
    expect(JSON.parse(execFileSync(process.execPath, ['parallel.mjs'], { cwd: consumer.dir, encoding: 'utf8' }))).toEqual(PARALLEL_EXPECTED);
  });

  it('runs the sharded engine under Bun and Deno', () => {
    expect(JSON.parse(execFileSync(bin('bun'), ['parallel.mjs'], { cwd: consumer.dir, encoding: 'utf8' }))).toEqual(PARALLEL_EXPECTED);
    const out = execFileSync(bin('deno'), ['run', '--quiet', '--no-prompt', '--allow-read', '--allow-env', 'parallel.mjs'], {
      cwd: consumer.dir, encoding: 'utf8', env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    });
    expect(JSON.parse(out)).toEqual(PARALLEL_EXPECTED);
  });

  it('gives the same result under Bun', () => {
    expect(JSON.parse(execFileSync(bin('bun'), ['esm.mjs'], { cwd: consumer.dir, encoding: 'utf8' }))).toEqual(EXPECTED);
  });

  it('gives the same result under Deno', () => {
    const out = execFileSync(bin('deno'), ['run', '--quiet', '--no-prompt', '--allow-read', '--allow-env', 'esm.mjs'], {
      cwd: consumer.dir, encoding: 'utf8', env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    });
    expect(JSON.parse(out)).toEqual(EXPECTED);
  });

  const resolutions: [string, Record<string, unknown>, string][] = [
    ['NodeNext', { module: 'NodeNext', moduleResolution: 'NodeNext' }, 'consumer.ts'],
    ['bundler', { module: 'ESNext', moduleResolution: 'bundler' }, 'consumer.ts'],
    ['bundler with the DOM lib', { module: 'ESNext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM'] }, 'consumer.ts'],
    ['node10 (CommonJS)', { module: 'CommonJS', moduleResolution: 'node10' }, 'consumer.cts'],
    // Where the lib declares Symbol.dispose too, the package's declaration merges with it, and `using` works.
    ['bundler with ESNext.Disposable and `using`', { module: 'ESNext', moduleResolution: 'bundler', lib: ['ES2022', 'ESNext.Disposable'] }, 'consumer-using.ts'],
  ];
  it.each(resolutions)('type-checks for a strict consumer under %s resolution (lib ES2022, no @types/node, skipLibCheck false)', (name, options, file) => {
    const { status, output } = tsc(tsconfig(`tsconfig.${name.replace(/\W+/g, '-')}.json`, options, [file]));
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  it('is clean for publint', () => {
    const r = spawnSync(bin('publint'), ['run', '--strict', join(consumer.dir, 'node_modules/socialized-loss')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).not.toMatch(/Errors:|Warnings:|Suggestions:/);
    expect(r.status).toBe(0);
  });

  it('is clean for @arethetypeswrong/cli (ESM-only by design: see the README)', () => {
    const r = spawnSync(bin('attw'), [consumer.tarball, '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'ascii'], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/No problems found/);
    expect(r.status).toBe(0);
  });
});
