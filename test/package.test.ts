// The built package as users get it: the exports map, types, require(), and
// no file-system lookups at load time. Runs against dist/ (npm test builds first).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);

describe('package', () => {
  it('exports the engine and the reference by name', async () => {
    const main = await import('socialized-loss');
    const { socializeReference, indexDeltaReference } = await import('socialized-loss/reference');
    const engine = await main.loadEngine();
    const input = { loss: 1_000n, insuranceFund: 250n, profits: [900n, 100n, -50n] };
    expect(engine.socialize(input)).toEqual(socializeReference(input));
    const weighted = { ...input, weights: [1n, 1n, 1n] };
    expect(engine.socialize(weighted)).toEqual(socializeReference(weighted));
    const delta = { loss: 7n, units: [2n, -5n], scale: 10n ** 9n };
    expect(engine.indexDelta(delta)).toEqual(indexDeltaReference(delta));
  });

  it('ships type declarations for both entry points', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
    for (const entry of ['.', './reference']) {
      const { types, default: js } = pkg.exports[entry];
      expect(existsSync(new URL(types, root))).toBe(true);
      expect(existsSync(new URL(js, root))).toBe(true);
    }
  });

  it('loads with require() (no top-level await) and without reading files', () => {
    const script = `
      const { loadEngine } = require('socialized-loss');
      const { socializeReference } = require('socialized-loss/reference');
      // Modules are loaded; from here on, any file read fails loudly.
      const fs = require('node:fs');
      for (const name of ['readFile', 'readFileSync', 'open', 'openSync']) fs[name] = () => { throw new Error('file read: ' + name); };
      fs.promises.readFile = fs.promises.open = async () => { throw new Error('file read'); };
      loadEngine().then((engine) => {
        const r = engine.socialize({ loss: 10n, profits: [5n, 3n, -2n, 2n] });
        process.stdout.write(JSON.stringify([[...r.haircuts].map(String), String(socializeReference({ loss: 10n, profits: [5n, 3n, -2n, 2n] }).socialized)]));
      });`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([['5', '3', '0', '2'], '10']);
  });
});
