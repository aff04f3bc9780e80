// The house as the README draws it: each folder of src/ imports only from the folders
// below it, no two modules import each other (directly or around a circle), and no
// source file under src/ or assembly/ is longer than 450 lines.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url).pathname;

/** Every .ts file under `dir` (repository-relative), skipping the generated core bytes. */
function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .filter((file) => !file.startsWith(join('src', 'wasm')))
    .sort();
}

/** The folder a module belongs to: `library` for src/*.ts, src/core/ and the library's own folders. */
function layerOf(file: string): string {
  const parts = file.split('/');
  if (parts.length === 2) return 'library';
  return parts[1]!;
}

/** What each folder may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  library: ['core', 'audit', 'wasm'],
  core: ['library', 'wasm'],
  audit: [],
  parallel: ['library', 'core', 'audit'],
  host: [],
  files: ['host', 'library', 'core', 'audit'],
  run: ['files', 'host', 'library', 'core', 'audit'],
  cli: ['run', 'files', 'host', 'library', 'core', 'audit'],
  workbench: ['run', 'files', 'host', 'library', 'core', 'audit'],
};

/** The repository-relative .ts files `file` imports (static and dynamic, relative specifiers). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)]
    .map((m) => normalize(join(dirname(file), m[1]!)).replace(/\.js$/, '.ts'));
}

describe('the layout', () => {
  const files = sources('src');

  it('each folder of src/ imports only from the folders below it', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      expect(ALLOWED[from], `${file} is in a folder the layout does not name`).toBeDefined();
      for (const target of importsOf(file)) {
        const to = target.startsWith('src/wasm/') ? 'wasm' : layerOf(target);
        if (to !== from && !ALLOWED[from]!.includes(to)) wrong.push(`${file} imports ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('no module imports itself around a circle', () => {
    const graph = new Map(files.map((file) => [file, importsOf(file).filter((target) => files.includes(target))]));
    const state = new Map<string, 'open' | 'done'>();
    const circles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        circles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file)!) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(circles).toEqual([]);
  });

  it('no source file under src/ or assembly/ is longer than 450 lines', () => {
    const long = [...files, ...sources('assembly')]
      .map((file) => [file, readFileSync(join(root, file), 'utf8').split('\n').length - 1] as const)
      .filter(([, lines]) => lines > 450);
    expect(long).toEqual([]);
  });
});
