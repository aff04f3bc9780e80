// Runs after tsc: copies @assemblyscript/loader (one self-contained ES module)
// into dist/vendor/ and points dist/core/load.js (the one module that imports it)
// at it, so that the package has no bare import on its browser path. Browsers then load dist/index.js unbundled,
// in pages and in module workers (which have no import maps), and bundlers see
// plain relative imports. The loader's version is the one package-lock.json pins.
// Its license (Apache-2.0) and notice ship beside it: the loader's npm package
// carries neither, so they come from the AssemblyScript project's own package
// (the compiler, same repository, same license).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url);
// The package's ESM entry ("import" condition), as Node resolves it from here.
const entry = fileURLToPath(import.meta.resolve('@assemblyscript/loader'));
const { version, license } = JSON.parse(readFileSync(join(dirname(entry), 'package.json'), 'utf8'));
const source = readFileSync(entry, 'utf8');
mkdirSync(new URL('dist/vendor/', root), { recursive: true });
writeFileSync(
  new URL('dist/vendor/assemblyscript-loader.js', root),
  `// @assemblyscript/loader ${version} (${license}), copied unchanged by scripts/vendor-loader.mjs.\n${source}`,
);
const compiler = join(dirname(fileURLToPath(import.meta.resolve('assemblyscript/asc'))), '..');
for (const [from, to] of [['LICENSE', 'assemblyscript-loader.LICENSE'], ['NOTICE', 'assemblyscript-loader.NOTICE']]) {
  writeFileSync(new URL(`dist/vendor/${to}`, root), readFileSync(join(compiler, from)));
}
const corePath = new URL('dist/core/load.js', root);
const core = readFileSync(corePath, 'utf8');
const rewritten = core.replace(/from '@assemblyscript\/loader'/, "from '../vendor/assemblyscript-loader.js'");
if (rewritten === core) throw new Error('dist/core/load.js no longer imports @assemblyscript/loader: update scripts/vendor-loader.mjs');
writeFileSync(corePath, rewritten);
