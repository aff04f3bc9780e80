// `npm run web`: serves the built workbench page (build/web/, from
// scripts/build-web.mjs) over HTTP, and any folder for the browser tests, with
// the Content-Security-Policy the page runs under: its own scripts and worker,
// 'wasm-unsafe-eval' to compile WebAssembly, and no connection anywhere
// (connect-src 'none': a file the user chooses cannot be uploaded); and
// cross-origin isolated (COOP same-origin, COEP require-corp), so that a sharded
// engine's workers share memory with the page (socialized-loss/parallel).
//   node scripts/serve.mjs [port] [root]      (default 8080, build/web)
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.map': 'application/json', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.wasm': 'application/wasm', '.csv': 'text/csv; charset=utf-8',
};

/** The CSP the page runs under: scripts, styles and the worker from this origin, WebAssembly compilation allowed, no connection. */
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; style-src 'self'; img-src 'self' data: blob:; connect-src 'none'; form-action 'none'; base-uri 'none'; object-src 'none'";

/** Serves `root` on `port` (0: any free port); resolves to the server once listening. */
export function serve(root = fileURLToPath(new URL('../build/web/', import.meta.url)), port = 8080) {
  const base = resolve(root);
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      response.writeHead(403).end();
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      statSync(file);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const server = await serve(process.argv[3], Number(process.argv[2] ?? 8080));
  console.log(`socialized-loss workbench: http://127.0.0.1:${server.address().port}/`);
}
