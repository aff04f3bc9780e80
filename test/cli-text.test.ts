// What a person reads: identifiers in explain's text (the command's and the page's) are
// quoted and escaped as verify and the errors quote them, so an identifier can neither
// forge a line nor drive the terminal; a header without the expected columns names the
// columns the file has, the options that pick them and the separator it seems to use;
// a message about an amount's fraction digits names the option that sets them.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserPlatform } from '../src/cli/browser-platform.js';
import { quote } from '../src/cli/errors.js';
import { explainInSession, runWorkbench } from '../src/cli/workbench.js';
import { loadEngine } from '../src/engine.js';
import { form } from './workbench-forms.js';

const bin = new URL('../dist/cli/main.js', import.meta.url).pathname;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'socialized-loss-text-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], cwd = dir) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

/** An identifier that would forge explain's last line, one that clears the terminal, one with a C1 control (CSI), one with a bidirectional override. */
const FORGER = 'evil\nhaircut 0.00; profit after 5000.00';
const CLEARER = '\u001b[2Jclear';
const CSI = '\u009b2J';
const BIDI = 'abc\u202Edcba';
const HOSTILE = `account,profit\n"${FORGER}",100\n"${CLEARER}",50\nbob,30\n${CSI},20\n${BIDI},10\n`;

/** Checks explain's text holds no raw control or invisible character, has one haircut line, and names `id` quoted. */
function expectSafe(text: string, id: string): void {
  expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/);
  const lines = text.trimEnd().split('\n');
  expect(lines.filter((line) => line.startsWith('haircut '))).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^account ${quote(id).replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')} \\(index \\d+\\)$`));
}

describe('explain quotes identifiers', () => {
  it('an identifier with a line break or an escape sequence forges no line and no terminal control (--account matching it)', () => {
    file('hostile.csv', HOSTILE);
    for (const id of [FORGER, CLEARER, CSI, BIDI]) {
      const r = run(['explain', 'hostile.csv', '--account', id, '--decimals', '2', '--loss', '1.01']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expectSafe(r.stdout, id);
      // The JSON keeps the identifier byte for byte.
      const json = run(['explain', 'hostile.csv', '--account', id, '--decimals', '2', '--loss', '1.01', '--json']);
      expect(JSON.parse(json.stdout).account).toBe(id);
    }
    const r = run(['explain', 'hostile.csv', '--account', FORGER, '--decimals', '2', '--loss', '1.01']);
    expect(r.stdout.split('\n')[0]).toBe('account "evil\\nhaircut 0.00; profit after 5000.00" (index 0)');
    // The boundary names other accounts the same way.
    expect(r.stdout).toMatch(/^boundary: the last with an extra unit is "[^"\n]+" \(remainder \d+\/\d+\); the first without is "[^"\n]+" \(remainder/m);
  });

  it('a pool name is quoted too', () => {
    file('pooled.csv', 'account,profit,desk\na,10,"x\ny"\nb,20,"x\ny"\n');
    file('desks.csv', 'pool,loss\n"x\ny",1\n');
    const r = run(['explain', 'pooled.csv', '--account', 'a', '--decimals', '0', '--pool-column', 'desk', '--pools', 'desks.csv']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('account "a" (index 0), pool "x\\ny"');
  });

  it("the page's explanation is the command's text, as safe", async () => {
    const engine = await loadEngine();
    const accounts = { blob: new Blob([HOSTILE]), name: 'hostile.csv' };
    const { session } = await runWorkbench(engine, '0.0.0', { accounts, pools: null }, form({ decimals: '2', loss: '1.01' }), browserPlatform());
    file('hostile.csv', HOSTILE);
    for (const id of [FORGER, CLEARER, CSI, BIDI]) {
      const { text } = explainInSession(session, id);
      expectSafe(text, id);
      expect(text + '\n').toBe(run(['explain', 'hostile.csv', '--account', id, '--decimals', '2', '--loss', '1.01']).stdout);
    }
  });

  it('quote escapes what JSON leaves raw: DEL, C1 controls, invisible and line-separating characters, both halves of one past U+FFFF', () => {
    expect(quote('a\u007fb\u009bc\u2028d\u200be\u{E0001}f')).toBe('"a\\u007Fb\\u009Bc\\u2028d\\u200Be\\uDB40\\uDC01f"');
    expect(quote('plain é 日本')).toBe('"plain é 日本"');
  });
});

describe('a fraction-digit message names the option that sets that column\'s decimals', () => {
  it('units: --units-decimals (index-delta), weights: --weight-decimals, profits and caps: --decimals', () => {
    file('positions.csv', 'account,units,size,profit,cap\na,150.000,1.5,10.005,1.5\n');
    const units = run(['index-delta', 'positions.csv', '--loss', '1', '--scale', '1000', '--decimals', '2', '--quiet']);
    expect(units.status).toBe(2);
    expect(units.stderr).toContain('positions.csv:2:3: units "150.000" has a fraction; --units-decimals 0 allows whole units only');
    expect(units.stderr).not.toMatch(/--decimals \d/);
    const fewer = run(['index-delta', 'positions.csv', '--loss', '1', '--scale', '1000', '--decimals', '2', '--units-decimals', '2', '--quiet']);
    expect(fewer.stderr).toContain('units "150.000" has 3 fraction digits; --units-decimals 2 allows at most 2');
    const weights = run(['socialize', 'positions.csv', '--decimals', '3', '--loss', '1', '--weight-column', 'size', '--quiet']);
    expect(weights.stderr).toContain('size "1.5" has a fraction; --weight-decimals 0 allows whole units only');
    const profits = run(['socialize', 'positions.csv', '--decimals', '2', '--loss', '1', '--quiet']);
    expect(profits.stderr).toContain('profit "10.005" has 3 fraction digits; --decimals 2 allows at most 2');
    const caps = run(['socialize', 'positions.csv', '--decimals', '0', '--loss', '1', '--profit-column', 'units', '--weight-column', 'size', '--weight-decimals', '1', '--cap-column', 'cap', '--quiet']);
    expect(caps.stderr).toContain('units "150.000" has a fraction; --decimals 0 allows whole units only');
  });
});

/** The example command lines of a help text: `Example: socialized-loss …` (or `$ socialized-loss …`). */
function examplesOf(help: string): string[] {
  return [...help.matchAll(/^\s*(?:Example:|\$)\s*(socialized-loss .*?)\s*$/gm)].map((m) => m[1]!);
}

describe('every example of --help runs', () => {
  it('top-level and per-command help: each example exits 0 in a directory holding examples/', () => {
    const cwd = join(dir, 'help');
    mkdirSync(cwd);
    cpSync(new URL('../examples/', import.meta.url).pathname, join(cwd, 'examples'), { recursive: true, filter: (path) => !path.includes('vite') });
    const top = run(['--help'], cwd);
    expect(top.status).toBe(0);
    const commands = [...top.stdout.matchAll(/^ {2}socialized-loss ([a-z][a-z-]*)/gm)].map((m) => m[1]!);
    expect(commands).toEqual(['socialize', 'verify', 'explain', 'index-delta', 'demo']);
    const examples = examplesOf(top.stdout);
    for (const command of commands) {
      const own = run([command, '--help'], cwd);
      expect(own.status).toBe(0);
      const listed = examplesOf(own.stdout);
      // Each command shows at least one example, and the top-level help shows the same ones.
      expect(listed.length, command).toBeGreaterThan(0);
      for (const example of listed) expect(examples).toContain(example);
    }
    // In the help's order: socialize writes the haircuts and the report that verify and explain read.
    for (const example of examples) {
      expect(example).not.toMatch(/["'\\|;&<>$]/);
      const result = run(example.split(/\s+/).slice(1), cwd);
      expect({ example, status: result.status, stderr: result.stderr.split('\n')[0] }).toMatchObject({ example, status: 0 });
    }
  }, 120_000);
});
