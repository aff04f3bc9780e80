// The command-line sessions of the README and docs/ (test/docs.ts) run as written: every ```console block is
// replayed in a fresh directory holding examples/, each `$ command` through a
// shell with `socialized-loss` on the PATH, and what it prints (stdout, then
// stderr) must be the lines shown under it. Timings (`in 63 ms`) may differ.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentation } from './docs.js';

const root = new URL('../', import.meta.url);
const bin = new URL('../dist/cli/main.js', import.meta.url).pathname;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'socialized-loss-readme-'));
  cpSync(new URL('examples', root).pathname, join(dir, 'examples'), { recursive: true, filter: (path) => !path.includes('vite') });
  mkdirSync(join(dir, '.bin'));
  writeFileSync(join(dir, '.bin', 'socialized-loss'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} "$@"\n`);
  chmodSync(join(dir, '.bin', 'socialized-loss'), 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each session: its commands with the output shown under each. */
function sessions(): { command: string; output: string }[][] {
  const readme = documentation();
  return [...readme.matchAll(/```console\n([\s\S]*?)```/g)].map((block) => {
    const steps: { command: string; output: string }[] = [];
    for (const line of block[1]!.split('\n')) {
      if (line.startsWith('$ ')) steps.push({ command: line.slice(2), output: '' });
      else if (steps.length > 0) steps.at(-1)!.output += line + '\n';
    }
    return steps;
  });
}

const timing = (text: string) => text.replace(/\b\d+ ms\b/g, 'N ms').trimEnd();

describe.skipIf(process.platform === 'win32')('the README\'s command-line sessions', () => {
  const all = sessions();
  it('has sessions for every command', () => {
    const commands = all.flat().map((step) => step.command).join('\n');
    for (const command of ['socialize', 'compare', 'verify', 'explain', 'index-delta']) expect(commands).toContain(`socialized-loss ${command} `);
  });
  it.each(all.map((steps, i) => [i + 1, steps] as const))('session %i prints what the README shows', (_, steps) => {
    for (const { command, output } of steps) {
      const result = spawnSync('sh', ['-c', command], {
        cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${join(dir, '.bin')}${delimiter}${process.env.PATH}` },
      });
      expect(timing(result.stdout + result.stderr), command).toBe(timing(output));
    }
  });
});
