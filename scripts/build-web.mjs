// `npm run build:web`: bundles the workbench page (web/) with Vite into
// build/web/, a static folder: the page, its worker and their modules, the
// WebAssembly core inside them. Needs `npm run build` first (the page imports
// dist/). `npm run web` builds it and serves it.
//   node scripts/build-web.mjs [outDir]
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('../web/', import.meta.url));

/** Builds the page into `outDir` (default build/web); resolves when written. */
export async function buildWeb(outDir = fileURLToPath(new URL('../build/web/', import.meta.url))) {
  await build({
    root,
    base: './',
    configFile: false,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096, modulePreload: { polyfill: false } },
    worker: { format: 'es' },
  });
  return outDir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outDir = await buildWeb(process.argv[2]);
  console.log(`workbench page built into ${outDir}`);
}
