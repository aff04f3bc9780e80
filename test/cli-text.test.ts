// What a person reads: identifiers in explain's text (the command's and the page's) are
// quoted and escaped as verify and the errors quote them, so an identifier can neither
// forge a line nor drive the terminal; a header without the expected columns names the
// columns the file has, the options that pick them and the separator it seems to use;
// a message about an amount's fraction digits names the option that sets them.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserPlatform } from '../src/host/browser.js';
import { quote } from '../src/files/errors.js';
import { explainInSession, runWorkbench } from '../src/workbench/jobs.js';
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

  it('the page puts text from files on screen as text: no HTML is ever built from strings', () => {
    const web = new URL('../web/', import.meta.url);
    for (const name of readdirSync(web).filter((n) => n.endsWith('.js') || n.endsWith('.html'))) {
      expect(readFileSync(new URL(name, web), 'utf8'), name).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|srcdoc/);
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
    expect(commands).toEqual(['socialize', 'compare', 'verify', 'explain', 'index-delta', 'demo']);
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

describe('a header without the expected columns says what the file has', () => {
  it('CSV: the columns it has, the options that pick others', () => {
    file('renamed.csv', 'Acct,PnL,note\na,1,x\n');
    const r = run(['socialize', 'renamed.csv', '--decimals', '0', '--loss', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('socialized-loss: renamed.csv:1:1: the header lacks account and profit; expected a header naming the columns account and profit; '
      + 'the header has the columns "Acct", "PnL", "note"; --account-column and --profit-column pick other columns\n');
  });

  it('CSV: many columns are shortened to the first 8; an option already given is named once', () => {
    file('wide.csv', 'c1,c2,c3,c4,c5,c6,c7,c8,c9,c10,account\n1,2,3,4,5,6,7,8,9,10,a\n');
    const r = run(['socialize', 'wide.csv', '--decimals', '0', '--loss', '1', '--profit-column', 'pnl']);
    expect(r.stderr.split('\n')[0]).toBe('socialized-loss: wide.csv:1:1: the header lacks pnl (--profit-column); expected a header naming the columns account and pnl; '
      + 'the header has the columns "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", … (3 more)');
    const units = run(['index-delta', 'wide.csv', '--decimals', '0', '--loss', '1', '--scale', '1']);
    expect(units.stderr).toContain('the header lacks units; ');
    expect(units.stderr).toContain('; --units-column picks another column');
  });

  it("CSV: a header that splits on ';', a tab or '|' is read so; given --delimiter ',', the message says what it seems", () => {
    for (const [separator, named] of [[';', "';'"], ['\t', 'a tab'], ['|', "'|'"]] as const) {
      file('sep.csv', `account${separator}profit\na${separator}1\n`);
      const r = run(['socialize', 'sep.csv', '--decimals', '0', '--loss', '1', '--quiet']);
      expect(r).toMatchObject({ status: 0, stdout: 'account,profit,haircut,profit_after\na,1,1,0\n' });
      const comma = run(['socialize', 'sep.csv', '--decimals', '0', '--loss', '1', '--delimiter', ',']);
      expect(comma.status).toBe(2);
      expect(comma.stderr).toContain(`; the header has the column ${quote(`account${separator}profit`)}; the header seems separated by ${named}, not by ',' (--delimiter)`);
    }
    // A comma-separated header that merely holds a ';' in a name says nothing of separators.
    file('semi.csv', 'id;x,profit\na,1\n');
    expect(run(['socialize', 'semi.csv', '--decimals', '0', '--loss', '1']).stderr).not.toContain('seems separated');
  });

  it('JSON Lines: the keys of the object, the option that picks another', () => {
    file('renamed.jsonl', '{"acct":"a","pnl":"1"}\n');
    const r = run(['socialize', 'renamed.jsonl', '--decimals', '0', '--loss', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('socialized-loss: renamed.jsonl:1:1: account is missing; expected a non-empty string or a number; the object has the keys "acct", "pnl"; --account-column picks another key');
    file('noprofit.jsonl', '{"account":"a","\\u001b[2J":"1"}\n');
    expect(run(['socialize', 'noprofit.jsonl', '--decimals', '0', '--loss', '1']).stderr.split('\n')[0])
      .toBe('socialized-loss: noprofit.jsonl:1:1: profit is missing; expected a decimal string or a number; the object has the keys "account", "\\u001b[2J"; --profit-column picks another key');
  });

  it('a file with fixed column names (the haircuts of verify) names its columns, and no option', () => {
    file('book.csv', 'account,profit\na,10\n');
    file('cuts.csv', 'account,cut\na,1\n');
    const r = run(['verify', 'book.csv', 'cuts.csv', '--decimals', '0', '--loss', '1']);
    expect(r.stderr.split('\n')[0]).toBe('socialized-loss: cuts.csv:1:1: the header lacks haircut; expected a header naming the columns account and haircut; the header has the columns "account", "cut"');
  });
});
