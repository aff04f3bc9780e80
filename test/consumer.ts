// The packed tarball, installed as a user installs it: `npm pack` of this
// repository's build, then `npm install <tarball>` into a throw-away project
// outside the repository (so nothing resolves through this repository's own
// node_modules: no @types/node, no devDependencies).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository's root. */
export const root = new URL('../', import.meta.url).pathname;

/** A throw-away project with the tarball installed. */
export interface Consumer {
  /** The project's directory (remove with `dispose`). */
  dir: string;
  /** The packed tarball's path. */
  tarball: string;
  /** What `npm pack` said of it: sizes and files. */
  pack: { size: number; unpackedSize: number; files: { path: string }[] };
  /** Removes the project and the tarball. */
  dispose(): void;
}

/** Packs the built package (npm test builds first) and installs it into a new project with `packageJson` merged in. */
export function installPackedPackage(packageJson: Record<string, unknown> = {}): Consumer {
  const dir = mkdtempSync(join(tmpdir(), 'socialized-loss-consumer-'));
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' })) as Consumer['pack'][];
  const tarball = join(dir, (pack as unknown as { filename: string }).filename);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', ...packageJson }, null, 2));
  execFileSync('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: dir, encoding: 'utf8' });
  return { dir, tarball, pack: pack!, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
