// verify trusts nothing it is shown: every total of a report's result against
// its own recomputation, every column of HAIRCUTS it knows, a report the command
// could not have written refused (the reader checked against the writer's output
// in every mode), and a report read as inputs are (capped, interruptible).
// The command runs as users run it (the built bin in a child process).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReport, type Json, type JsonObject } from '../src/run/report-read.js';

/** The command under test (SOCIALIZED_LOSS_BIN runs the suite against another build, e.g. an older one). */
const bin = process.env.SOCIALIZED_LOSS_BIN ?? new URL('../dist/cli/main.js', import.meta.url).pathname;
let dir: string;

function run(args: string[], timeout = 60_000) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout, killSignal: 'SIGKILL' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
const read = (name: string) => readFileSync(join(dir, name), 'utf8');

// Three pools (JPY is not in the pools files: loss 0), weights, caps and an exempt account.
const ACCOUNTS = `account,profit,cur,w,cap,ex
a,100.00,USD,3.0,40.00,no
b,50.00,USD,1.5,,no
c,-5.00,EUR,2.0,,no
d,30.00,EUR,1.0,10.00,no
e,70.01,USD,1.0,,yes
f,33.33,EUR,0.5,,no
g,12.00,JPY,1.0,,no
h,0.07,USD,0.1,,no
`;

/** Each mode the report has a different shape in, by the options that make it. */
const MODES: Record<string, string[]> = {
  plain: ['--decimals', '2', '--loss', '60', '--insurance-fund', '10', '--tie-seed', '42'],
  weighted: ['--decimals', '2', '--loss', '60', '--weight-column', 'w', '--weight-decimals', '1', '--cap-column', 'cap', '--exempt-column', 'ex', '--rounding', 'down'],
  pooled: ['--decimals', '2', '--pool-column', 'cur', '--pools', 'pools.csv', '--rounding', 'up'],
  scales: ['--decimals', '2', '--pool-column', 'cur', '--pools', 'pools4.csv', '--weight-column', 'w', '--weight-decimals', '1', '--tie-seed', '-5'],
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'socialized-loss-trust-'));
  write('accounts.csv', ACCOUNTS);
  write('pools.csv', 'pool,loss,insurance_fund\nUSD,60,10\nEUR,7.01,0\n');
  write('pools4.csv', 'pool,loss,insurance_fund,decimals\nUSD,60,10,\nEUR,7.0101,0,4\n');
  for (const [mode, options] of Object.entries(MODES)) {
    const r = run(['socialize', 'accounts.csv', ...options, '--out', `${mode}.csv`, '--report', `${mode}.json`, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // What follows tampers with these: as written, each verifies.
    expect(run(['verify', 'accounts.csv', `${mode}.csv`, '--report', `${mode}.json`])).toMatchObject({ status: 0, stdout: 'verified 8 accounts (both files are the ones the report names)\n' });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every leaf of a JSON value with its path as verify names it (`result.pools[1].socialized`). */
function leavesOf(value: Json, path: string): [string, Json][] {
  if (Array.isArray(value)) return value.flatMap((entry, i) => leavesOf(entry, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, entry]) => leavesOf(entry, `${path}.${key}`));
  return [[path, value]];
}

/** Every object of a JSON value with its path. */
function objectsOf(value: Json, path: string): [string, JsonObject][] {
  if (Array.isArray(value)) return value.flatMap((entry, i) => objectsOf(entry, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') return [[path, value], ...Object.entries(value).flatMap(([key, entry]) => objectsOf(entry, `${path}.${key}`))];
  return [];
}

/** A copy of `report` with the value at `path` (as leavesOf names it, from "report") replaced, or deleted (`undefined`). */
function edited(report: JsonObject, path: string, value: Json | undefined): JsonObject {
  const copy = structuredClone(report);
  const steps = path.replace(/^report\.?/, '').match(/[^.[\]]+/g)!;
  let at: Json = copy;
  for (const step of steps.slice(0, -1)) at = (at as Record<string, Json>)[step]!;
  const last = steps.at(-1)!;
  if (value === undefined) delete (at as Record<string, Json>)[last];
  else (at as Record<string, Json>)[last] = value;
  return copy;
}

/** The same kind of value, changed: one unit more, the next count, the other truth, another name. */
function changed(value: Json): Json {
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'string') {
    const fraction = /^(\d+)\/(\d+)$/.exec(value);
    if (fraction) return `${BigInt(fraction[1]!) + 1n}/${fraction[2]}`;
    if (/^\d+(\.\d+)?$/.test(value)) {
      const places = value.includes('.') ? value.length - value.indexOf('.') - 1 : 0;
      const digits = (BigInt(value.replace('.', '')) + 1n).toString().padStart(places + 1, '0');
      return places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
    }
    return `${value}x`;
  }
  throw new Error(`no change for ${JSON.stringify(value)}`);
}

/** A value as verify shows it. */
const shown = (value: Json) => (typeof value === 'string' && !/^[-\d./]+$/.test(value) ? JSON.stringify(value) : String(value));

describe('verify compares every total of the report with its own recomputation', () => {
  for (const mode of ['weighted', 'pooled', 'scales']) {
    it(`each result field changed (${mode}): exit 3 naming the field, expected and found; decimals changed: exit 2`, () => {
      const report = JSON.parse(read(`${mode}.json`)) as JsonObject;
      // Every field; of the third pool-shaped mode, the pool at its own decimals and the overall counts.
      const leaves = leavesOf(report.result!, 'result').filter(([path]) => mode !== 'scales' || /^result\.(pools\[1\]|overall)\./.test(path));
      expect(leaves.length).toBeGreaterThanOrEqual(16);
      for (const [path, value] of leaves) {
        const other = changed(value);
        write('tampered.json', JSON.stringify(edited(report, `report.${path}`, other), null, 2));
        const v = run(['verify', 'accounts.csv', `${mode}.csv`, '--report', 'tampered.json']);
        if (/\.(decimals|amounts)$/.test(path)) {
          // The amounts are then not at the decimals (or the overall section is neither form): not a report socialize writes.
          expect(v.status, path).toBe(2);
          expect(v.stderr, path).toMatch(/^socialized-loss: tampered\.json is not a socialize report: result\S* [^\n]*\n$/);
          continue;
        }
        expect(v.status, path).toBe(3);
        expect(v.stdout, path).toContain(`\n  ${path}: expected ${shown(value)}, found ${shown(other)}\n`);
      }
    }, 120_000);
  }
});

describe('a report is read for what it says, not for its layout', () => {
  it('re-indented, compact or with CRLF line ends it verifies; a total changed in any layout is exit 3', () => {
    const report = JSON.parse(read('pooled.json')) as JsonObject;
    for (const [name, text] of [['compact', JSON.stringify(report)], ['tabs', JSON.stringify(report, null, '\t')], ['crlf', read('pooled.json').replace(/\n/g, '\r\n')]] as const) {
      write('relaid.json', text);
      const v = run(['verify', 'accounts.csv', 'pooled.csv', '--report', 'relaid.json']);
      expect(v.status, name).toBe(0);
    }
    const overall = (report.result as { overall: JsonObject }).overall;
    const was = overall.socialized as string;
    overall.socialized = changed(was);
    write('relaid.json', JSON.stringify(report));
    const v = run(['verify', 'accounts.csv', 'pooled.csv', '--report', 'relaid.json']);
    expect(v.status).toBe(3);
    expect(v.stdout).toContain(`result.overall.socialized: expected ${shown(was)}`);
  });
});

describe('verify compares the report\'s sizes and rows with the files it reads', () => {
  it.each(['inputs.accounts.bytes', 'inputs.accounts.rows', 'inputs.pools.rows', 'output.bytes', 'output.rows'])('%s changed: exit 3 naming it', (path) => {
    const report = JSON.parse(read('pooled.json')) as JsonObject;
    const value = leavesOf(report, 'report').find(([at]) => at === `report.${path}`)![1];
    write('tampered.json', JSON.stringify(edited(report, `report.${path}`, changed(value)), null, 2));
    const v = run(['verify', 'accounts.csv', 'pooled.csv', '--report', 'tampered.json']);
    expect(v.status).toBe(3);
    expect(v.stdout).toBe(`1 of the report's ${5 + leavesOf(report.result!, 'result').length} sizes, counts and totals differ from what accounts.csv and pooled.csv give:\n  ${path}: expected ${value}, found ${changed(value)}\n`);
  });
});

describe('a report socialize could not have written is refused: exit 2, one line naming the file and the field', () => {
  const cases: [string, (r: JsonObject) => void, RegExp][] = [
    ['a pool listed twice', (r) => (r.parameters as { pools: Json[] }).pools.push(structuredClone((r.parameters as { pools: Json[] }).pools[0]!)), /parameters\.pools\[3\]\.pool "USD" is listed twice/],
    ['a pool twice in the result', (r) => ((r.result as { pools: { pool: string }[] }).pools[1]!.pool = 'USD'), /result\.pools\[1\]\.pool "USD" is listed twice/],
    ['a tie seed past 2^64 − 1', (r) => ((r.parameters as JsonObject).tieSeed = '18446744073709551616'), /parameters\.tieSeed "18446744073709551616" is not what --tie-seed accepts/],
    ['a tie seed below −2^63', (r) => ((r.parameters as JsonObject).tieSeed = '-9223372036854775809'), /parameters\.tieSeed/],
    ['a tie seed that is no integer', (r) => ((r.parameters as JsonObject).tieSeed = '1e3'), /parameters\.tieSeed "1e3"/],
    ['an unknown rounding', (r) => ((r.parameters as JsonObject).rounding = 'half-even'), /parameters\.rounding "half-even" is not/],
    ['decimals past 18', (r) => ((r.parameters as JsonObject).decimals = 19), /parameters\.decimals is the number 19/],
    ['a count as a string', (r) => ((r.result as { overall: JsonObject }).overall.accounts = '8'), /result\.overall\.accounts is the string "8"/],
    ['an amount as a number', (r) => ((r.result as { pools: JsonObject[] }).pools[0]!.socialized = 50), /result\.pools\[0\]\.socialized is the number 50/],
    ['an extra key in the result', (r) => ((r.result as { overall: JsonObject }).overall.bonus = '1.00'), /result\.overall\.bonus is not a field/],
    ['an extra key in the output', (r) => ((r.output as JsonObject).note = 'x'), /output\.note is not a field/],
    ['a missing total', (r) => delete (r.result as { pools: JsonObject[] }).pools[2]!.uncovered, /result\.pools\[2\] lacks "uncovered"/],
    ['a key given twice (JSON.parse keeps the last)', (r) => ((r.result as { overall: JsonObject }).overall.socialized = 'TWICE'), /line \d+ gives the key "socialized" twice in one object/],
    ['an amount not in the writer\'s form', (r) => ((r.result as { pools: JsonObject[] }).pools[0]!.socialized = '50'), /result\.pools\[0\]\.socialized "50" is not a non-negative amount with exactly 2 fraction digits/],
  ];
  it.each(cases)('%s', (_, edit, message) => {
    const report = JSON.parse(read('pooled.json')) as JsonObject;
    edit(report);
    if (message.source.includes('tieSeed')) {
      // A seed is only taken under largest remainder: the pooled report's is made so first.
      (report.parameters as JsonObject).rounding = 'largest-remainder';
      (report.parameters as JsonObject).tieBreak = 'ascending splitmix64(tieSeed XOR index), then lower index';
    }
    // A key given twice: the first says 999.00, the last (which JSON.parse keeps) what the writer wrote.
    const original = (JSON.parse(read('pooled.json')) as { result: { overall: JsonObject } }).result.overall.socialized as string;
    write('bad.json', JSON.stringify(report, null, 2).replace('"socialized": "TWICE"', `"socialized": "999.00",\n      "socialized": "${original}"`));
    const v = run(['verify', 'accounts.csv', 'pooled.csv', '--report', 'bad.json']);
    expect(v.status).toBe(2);
    expect(v.stdout).toBe('');
    expect(v.stderr).toMatch(new RegExp(`^socialized-loss: bad\\.json is not a socialize report: ${message.source}[^\\n]*\\n$`));
  });

  it('an index-delta report is not taken for a socialize one', () => {
    write('units.csv', 'account,units\na,3\nb,-1\n');
    expect(run(['index-delta', 'units.csv', '--loss', '1', '--scale', '1000', '--decimals', '2', '--out', 'charges.csv', '--report', 'delta.json', '--quiet']).status).toBe(0);
    const v = run(['verify', 'units.csv', 'charges.csv', '--report', 'delta.json']);
    expect(v.status).toBe(2);
    expect(v.stderr).toBe('socialized-loss: delta.json is not a socialize report: command is "index-delta"; verify and explain take a report of socialize or compare\n');
  });

  it('the reader takes what the writer writes in every mode (a page\'s report has no run information) and refuses any field missing, retyped or added', () => {
    for (const mode of Object.keys(MODES)) {
      const text = read(`${mode}.json`);
      const report = JSON.parse(text) as JsonObject;
      expect(() => readReport(text, `${mode}.json`)).not.toThrow();
      const page = structuredClone(report);
      for (const key of ['node', 'commandLine', 'writtenAt', 'timingsMs', 'maxResidentBytes']) delete page[key];
      expect(() => readReport(JSON.stringify(page, null, 2), 'page.json')).not.toThrow();
      const refused = (variant: JsonObject, what: string) => expect(() => readReport(JSON.stringify(variant), 'r.json'), `${mode}: ${what}`).toThrow(/^r\.json is not a socialize report: /);
      for (const [path, value] of leavesOf(report, 'report')) {
        refused(edited(report, path, undefined), `${path} missing`);
        const retyped: Json = typeof value === 'string' ? 7 : typeof value === 'number' ? String(value) : typeof value === 'boolean' ? 0 : true;
        refused(edited(report, path, retyped), `${path} as ${JSON.stringify(retyped)}`);
      }
      for (const [path] of objectsOf(report, 'report')) {
        const variant = structuredClone(report);
        const target = path === 'report' ? variant : (path.replace(/^report\./, '').match(/[^.[\]]+/g)!.reduce<Json>((at, step) => (at as Record<string, Json>)[step]!, variant) as JsonObject);
        target.extra = null;
        refused(variant, `an extra key in ${path}`);
      }
    }
  });
});

describe('HAIRCUTS: every column verify knows is checked, with or without --report', () => {
  const tamper = (mode: string, line: number, column: number, value: string) => {
    const lines = read(`${mode}.csv`).split('\n');
    const cells = lines[line - 1]!.split(',');
    const before = cells[column]!;
    cells[column] = value;
    lines[line - 1] = cells.join(',');
    write('tampered.csv', lines.join('\n'));
    return before;
  };
  const cases: [string, string, number, number, string][] = [
    // mode, column name, line, column index, new value
    ['plain', 'profit', 3, 1, '51.00'],
    ['plain', 'profit_after', 2, 3, '1.00'],
    ['pooled', 'profit', 5, 2, '30.01'],
    ['pooled', 'profit_after', 6, 4, '0.00'],
    ['pooled', 'pool', 4, 1, 'USD'],
  ];
  it.each(cases)('%s: %s changed at line %i: exit 3 naming the line, the column, expected and found', (mode, name, line, column, value) => {
    const before = tamper(mode, line, column, value);
    const account = read(`${mode}.csv`).split('\n')[line - 1]!.split(',')[0]!;
    const shownBefore = name === 'pool' ? `"${before}"` : before, shownAfter = name === 'pool' ? `"${value}"` : value;
    const expected = `  tampered.csv:${line}: account "${account}": ${name} expected ${shownBefore}, found ${shownAfter}\n`;
    const alone = run(['verify', 'accounts.csv', 'tampered.csv', ...MODES[mode]!]);
    expect(alone.status).toBe(3);
    expect(alone.stdout).toMatch(/^1 profit, profit_after or pool values of tampered\.csv differ from what accounts\.csv and the rule give:\n/);
    expect(alone.stdout).toContain(expected);
    const withReport = run(['verify', 'accounts.csv', 'tampered.csv', '--report', `${mode}.json`]);
    expect(withReport.status).toBe(3);
    expect(withReport.stdout).toMatch(/^tampered\.csv has SHA-256 [0-9a-f]{64}; the report wrote/);
    expect(withReport.stdout).toContain(expected);
  });

  it('a haircut changed with its profit_after (consistent): only the haircut; a profit_after alone: that column', () => {
    tamper('plain', 2, 2, '40.00');
    const lines = read('tampered.csv').split('\n');
    const a = lines[1]!.split(',');
    a[3] = '60.00';
    lines[1] = a.join(',');
    const b = lines[2]!.split(',');
    const after = b[3]!;
    b[3] = '0.01';
    lines[2] = b.join(',');
    write('tampered.csv', lines.join('\n'));
    const v = run(['verify', 'accounts.csv', 'tampered.csv', ...MODES.plain!]);
    expect(v.status).toBe(3);
    expect(v.stdout).toMatch(new RegExp(`^1 of 8 haircuts differ from what largest-remainder gives:\n  tampered\\.csv:2: account "a": expected [\\d.]+, found 40\\.00\n` +
      `1 profit, profit_after or pool values of tampered\\.csv differ from what accounts\\.csv and the rule give:\n  tampered\\.csv:3: account "b": profit_after expected ${after}, found 0\\.01\n$`));
  });
});

describe('a report is read as inputs are: at most 64 MiB, never a device read to its end, a signal ends the wait', () => {
  it('/dev/zero as the report: exit 2 at once', () => {
    if (!existsSync('/dev/zero')) return;
    const started = Date.now();
    const v = run(['verify', 'accounts.csv', 'plain.csv', '--report', '/dev/zero'], 20_000);
    expect(v.status).toBe(2);
    expect(v.stderr).toBe('socialized-loss: cannot read the report /dev/zero: is larger than the 64 MiB a report can be\n');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('a report larger than 64 MiB: exit 2 before it is read', () => {
    write('huge.json', '');
    truncateSync(join(dir, 'huge.json'), 64 * 2 ** 20 + 1);
    const v = run(['verify', 'accounts.csv', 'plain.csv', '--report', 'huge.json']);
    expect(v.status).toBe(2);
    expect(v.stderr).toBe('socialized-loss: cannot read the report huge.json: is larger than the 64 MiB a report can be\n');
  });

  it('a named pipe with no writer as the report still ends on SIGTERM', async () => {
    if (process.platform === 'win32') return;
    expect(spawnSync('mkfifo', [join(dir, 'report-fifo')]).status).toBe(0);
    const child = spawn(process.execPath, [bin, 'verify', 'accounts.csv', 'plain.csv', '--report', 'report-fifo'], { cwd: dir });
    const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
    try {
      await new Promise((resolve) => setTimeout(resolve, 400));
      child.kill('SIGTERM');
      const [code, signal] = await exited;
      expect(signal ?? code).toBe('SIGTERM');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 20_000);
});
