// `npm run web`: serves the built workbench page (build/web/, from
// scripts/build-web.mjs) over HTTP, and any folder for the browser tests, with
// the Content-Security-Policy the page runs under: its own scripts and worker,
// 'wasm-unsafe-eval' to compile WebAssembly, and no connection anywhere
// (connect-src 'none': a file the user chooses cannot be uploaded); and
// cross-origin isolated (COOP same-origin, COEP require-corp), so that a sharded
// engine's workers share memory with the page (socialized-loss/parallel).
// The page carries the same policy in a <meta> of its own (web/index.html), so it
// holds wherever the built files are served from; the header adds what a meta
// cannot say (frame-ancestors). Every request gets an answer, never a crash: a URL
// that does not decode is 400, a method other than GET or HEAD 405.
//   node scripts/serve.mjs [port] [root]      (default 8080, build/web)
import { createReadStream, statSync } from 'node:fs';
import { STATUS_CODES, createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.map': 'application/json', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.wasm': 'application/wasm', '.csv': 'text/csv; charset=utf-8',
};

/** The CSP the page runs under: scripts, styles and the worker from this origin, WebAssembly compilation allowed, no connection. */
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; style-src 'self'; img-src 'self' data: blob:; connect-src 'none'; form-action 'none'; base-uri 'none'; object-src 'none'";

/** Headers on every answer, an error's too: no sniffing a type, the page never framed (frame-ancestors: a header only, not a meta). */
const SECURITY = { 'x-content-type-options': 'nosniff', 'content-security-policy': `${CSP}; frame-ancestors 'none'` };

/** The longest request path served (a longer one is 414): no file of the page comes near it. */
const MAX_PATH = 2048;

/**
 * The file for a request's URL under `base`, or the status that refuses it: 400 for a
 * URL that does not decode (`/%E0%A4%A`) or holds a NUL, 414 for one too long, 403 for
 * one that leaves `base`, 404 for one that names nothing (or a directory without index.html).
 */
function fileFor(base, url) {
  if (url.length > MAX_PATH) return 414;
  let path;
  try {
    path = decodeURIComponent(new URL(url, 'http://localhost').pathname);
  } catch {
    return 400;
  }
  if (path.includes('\0')) return 400;
  let file = normalize(join(base, path));
  if (file !== base && !file.startsWith(base + sep)) return 403;
  try {
    if (statSync(file).isDirectory()) file = join(file, 'index.html');
    return statSync(file).isFile() ? file : 404;
  } catch {
    return 404;
  }
}

/** Serves `root` on `port` (0: any free port); resolves to the server once listening. */
export function serve(root = fileURLToPath(new URL('../build/web/', import.meta.url)), port = 8080) {
  const base = resolve(root);
  const server = createServer((request, response) => {
    const refuse = (code, extra = {}) => {
      response.writeHead(code, { ...SECURITY, 'content-type': 'text/plain; charset=utf-8', ...extra }).end(request.method === 'HEAD' ? undefined : `${STATUS_CODES[code]}\n`);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      refuse(405, { allow: 'GET, HEAD' });
      return;
    }
    const file = fileFor(base, request.url ?? '/');
    if (typeof file === 'number') {
      refuse(file);
      return;
    }
    const stream = createReadStream(file);
    // A file that cannot be opened after all (permissions, removed since): an answer, not an uncaught 'error'.
    stream.on('error', () => {
      if (response.headersSent) response.destroy();
      else refuse(404);
    });
    stream.on('open', () => {
      response.writeHead(200, {
        ...SECURITY,
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
        'cache-control': 'no-store',
      });
      if (request.method === 'HEAD') {
        stream.destroy();
        response.end();
      } else {
        stream.pipe(response);
      }
    });
  });
  // A request Node's parser refuses (headers past 16 KiB, a malformed line) gets Node's own 400 or 431.
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const server = await serve(process.argv[3], Number(process.argv[2] ?? 8080));
  console.log(`socialized-loss workbench: http://127.0.0.1:${server.address().port}/`);
}
