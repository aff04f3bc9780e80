// The JavaScript examples of the README and docs/ (test/docs.ts) run as written, and every value they claim
// in a trailing comment (`expr // 80n`, `expr // BigInt64Array [1n, 2n]`) is true.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { documentation } from './docs.js';

const root = new URL('../', import.meta.url);

/** Turns `expr // claim` lines into assertions; other lines pass through. */
function withAssertions(code: string): { source: string; claims: number } {
  let claims = 0;
  const lines = code.split('\n').map((line) => {
    const match = /^(\S[^/]*?)\s+\/\/ (BigInt64Array \[[^\]]*\]|-?[\d_]+n|-?\d+(?:\.\d+)?)(?:\s|$)/.exec(line);
    if (!match || /^(const|let|import|await)\b/.test(match[1]!) || match[1]!.endsWith(';')) return line;
    claims++;
    const [, expr, claim] = match;
    return claim!.startsWith('BigInt64Array')
      ? `assert.deepStrictEqual([...${expr}], ${claim!.slice('BigInt64Array '.length)});`
      : `assert.strictEqual(${expr}, ${claim});`;
  });
  return { source: lines.join('\n'), claims };
}

describe('README', () => {
  it('runs its JavaScript examples and their claimed values hold', () => {
    const readme = documentation();
    const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const imports = blocks.join('\n').split('\n').filter((l) => l.startsWith('import '));
    const body = blocks.join('\n').split('\n').filter((l) => !l.startsWith('import ')).join('\n');
    const { source, claims } = withAssertions(body);
    expect(claims).toBeGreaterThanOrEqual(10);
    // Inside the package, so that 'socialized-loss' resolves to this build.
    const dir = mkdtempSync(new URL('build/readme-', root).pathname);
    try {
      const file = `${dir}/examples.mjs`;
      writeFileSync(file, [`import assert from 'node:assert';`, ...imports, source, `console.log('ok');`].join('\n'));
      expect(execFileSync(process.execPath, [file], { cwd: root, encoding: 'utf8' }).trim()).toBe('ok');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
