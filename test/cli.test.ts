// The command line, run as users run it (the built bin in a child process).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAccountFile } from '../bench/cli-file.js';
import { parseUnits } from '../src/files/decimal.js';
import { loadEngine } from '../src/index.js';
import { socializeReference } from '../src/reference.js';

const bin = new URL('../dist/cli/main.js', import.meta.url).pathname;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'socialized-loss-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: dir, input, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(join(dir, path))).digest('hex');
const rows = (csv: string) => csv.trim().split('\n').slice(1).map((line) => line.split(','));

describe('socialized-loss socialize', () => {
  it('reads CSV with columns in any order, quoted fields and extra columns', () => {
    const input = file('a.csv', 'note,profit,account\n"x, y",100.00,"al""ice"\nz,-5,bob\n,300,carol\n');
    const r = run(['socialize', input, '--loss', '200', '--decimals', '2', '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('account,profit,haircut,profit_after\n"al""ice",100.00,50.00,50.00\nbob,-5.00,0.00,-5.00\ncarol,300.00,150.00,150.00\n');
  });

  it('gives the same result from JSON Lines, with string and integer profits', () => {
    const csv = run(['socialize', file('b.csv', 'account,profit\na,7\nb,3\nc,-2\n'), '--loss', '5', '--decimals', '0', '--quiet']);
    const jsonl = run(['socialize', file('b.jsonl', '{"account":"a","profit":7}\n\n{"account":"b","profit":"3"}\r\n{"profit":-2,"account":"c"}\n'), '--loss', '5', '--decimals', '0', '--quiet']);
    expect(jsonl.status).toBe(0);
    expect(jsonl.stdout).toBe(csv.stdout);
    expect(csv.stdout).toBe('account,profit,haircut,profit_after\na,7,4,3\nb,3,1,2\nc,-2,0,-2\n');
  });

  it('reads CSV from stdin with -', () => {
    const r = run(['socialize', '-', '--loss', '1.5', '--insurance-fund', '0.5', '--decimals', '1', '--quiet'], 'account,profit\nx,2\ny,2\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('account,profit,haircut,profit_after\nx,2.0,0.5,1.5\ny,2.0,0.5,1.5\n');
  });

  it('handles 0 and 18 decimals exactly, up to the 64-bit limit', () => {
    const zero = run(['socialize', file('z.csv', 'account,profit\na,9223372036854775807\nb,1\n'), '--loss', '9223372036854775807', '--decimals', '0', '--quiet']);
    expect(zero.status).toBe(0);
    expect(rows(zero.stdout)).toEqual([['a', '9223372036854775807', '9223372036854775806', '1'], ['b', '1', '1', '0']]);
    const eighteen = run(['socialize', file('e.csv', 'account,profit\na,9.223372036854775807\nb,-0.5\n'), '--loss', '0.000000000000000001', '--decimals', '18', '--quiet']);
    expect(eighteen.status).toBe(0);
    expect(rows(eighteen.stdout)).toEqual([
      ['a', '9.223372036854775807', '0.000000000000000001', '9.223372036854775806'],
      ['b', '-0.500000000000000000', '0.000000000000000000', '-0.500000000000000000'],
    ]);
  });

  it('writes a summary to stderr unless --quiet', () => {
    const r = run(['socialize', file('s.csv', 'account,profit\na,10\n'), '--loss', '4', '--decimals', '0']);
    expect(r.stderr).toMatch(/^socialized 1 accounts from s\.csv in \d+ ms\n  loss 4, fund used 0, socialized 4, uncovered 0; 1 of 1 eligible accounts charged\n$/);
    expect(run(['socialize', 's.csv', '--loss', '4', '--decimals', '0', '--quiet']).stderr).toBe('');
  });

  it('writes --out and a --report whose hashes and totals an auditor can check', () => {
    const input = file('r.csv', 'account,profit\na,12.5\nb,0.25\nc,-1\n');
    const r = run(['socialize', input, '--loss', '5', '--insurance-fund', '1', '--decimals', '2', '--out', 'out.csv', '--report', 'report.json', '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.inputs.accounts).toEqual({ file: 'r.csv', format: 'csv', bytes: readFileSync(join(dir, 'r.csv')).length, sha256: sha256('r.csv'), rows: 3 });
    expect(report.output).toEqual({ file: 'out.csv', sha256: sha256('out.csv'), bytes: readFileSync(join(dir, 'out.csv')).length, rows: 3 });
    expect(report.parameters).toEqual({
      columns: { account: 'account', profit: 'profit', pool: null, exempt: null, weight: null, cap: null },
      decimals: 2, weightDecimals: 0, rounding: 'largest-remainder', tieSeed: null, tieBreak: 'lower index first', loss: '5.00', insuranceFund: '1.00',
      reading: { delimiter: ',', decimalComma: false, inputRounding: 'exact' },
    });
    expect(report.result).toEqual({
      decimals: 2, accounts: 3, loss: '5.00', insuranceFund: '1.00', insuranceUsed: '1.00', socialized: '4.00', uncovered: '0.00', roundingDust: '0.00', surplus: '0.00',
      totalProfit: '12.75', eligibleAccounts: 2, accountsCharged: 2, haircutRate: { fraction: '16/51', decimal: '0.313725490196' },
    });
    expect(report.version).toBe(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
    expect(report).toMatchObject({ tool: 'socialized-loss', command: 'socialize', node: process.version, commandLine: ['socialized-loss', 'socialize', input, '--loss', '5', '--insurance-fund', '1', '--decimals', '2', '--out', 'out.csv', '--report', 'report.json', '--quiet'] });
    expect(report.core.build).toMatch(/^(simd|scalar)$/);
    expect(report.core.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.now() - Date.parse(report.writtenAt)).toBeLessThan(600_000);
    expect(report.writtenAt).toMatch(/Z$/);
    expect(Object.keys(report.timingsMs)).toEqual(['read', 'compute', 'write', 'total']);
    expect(report.maxResidentBytes).toBeGreaterThan(0);
  });

  it('round-trips the profit column and matches the library on a generated file', async () => {
    const path = join(dir, 'gen.csv');
    await writeAccountFile(path, 20_000, 3);
    const r = run(['socialize', 'gen.csv', '--loss', '1234567.891011', '--insurance-fund', '1000', '--decimals', '6', '--out', 'gen-out.csv', '--quiet']);
    expect(r.status).toBe(0);
    const input = rows(readFileSync(path, 'utf8'));
    const output = rows(readFileSync(join(dir, 'gen-out.csv'), 'utf8'));
    expect(output.map((row) => [row[0], row[1]])).toEqual(input.map(([account, profit]) => [account, profit]));
    const profits = input.map(([, profit]) => parseUnits(profit!, 6));
    const expected = socializeReference({ loss: 1_234_567_891_011n, insuranceFund: 1_000_000_000n, profits });
    const engine = await loadEngine();
    expect(engine.socialize({ loss: 1_234_567_891_011n, insuranceFund: 1_000_000_000n, profits }).haircuts).toEqual(expected.haircuts);
    expect(output.map((row) => parseUnits(row[2]!, 6))).toEqual([...expected.haircuts]);
    expect(output.every((row) => parseUnits(row[3]!, 6) === parseUnits(row[1]!, 6) - parseUnits(row[2]!, 6))).toBe(true);
  });
});

describe('bad input exits 2 naming file, line and column', () => {
  const csvCases: [string, string, RegExp][] = [
    ['too many fraction digits', 'account,profit\na,1.234\n', /^socialized-loss: bad\.csv:2:3: profit "1\.234" has 3 fraction digits; --decimals 2 allows at most 2/],
    ['an exponent', 'account,profit\na,1e5\n', /bad\.csv:2:3: profit "1e5" is in exponent notation; read it exactly with --input-rounding half-even/],
    ['a thousands separator', 'account,profit\na,"1,000.00"\n', /bad\.csv:2:3: profit "1,000\.00" is not a decimal number/],
    ['an empty value', 'account,profit\na,\n', /bad\.csv:2:3: profit is empty/],
    ['a plus sign', 'account,profit\na,+5\n', /bad\.csv:2:3: profit "\+5" is not a decimal number/],
    ['a space', 'account,profit\na, 5\n', /bad\.csv:2:3: profit " 5" is not a decimal number/],
    ['a trailing point', 'account,profit\na,5.\n', /bad\.csv:2:3: profit "5\." ends in "\."/],
    ['a leading point', 'account,profit\na,.5\n', /bad\.csv:2:3: profit "\.5" is not a decimal number/],
    ['a value past 2^63 after scaling', 'account,profit\na,92233720368547758.08\n', /bad\.csv:2:3: profit "92233720368547758\.08" is outside the signed 64-bit range/],
    ['a duplicate account', 'account,profit\na,1\nb,2\na,3\n', /bad\.csv:4:1: account "a" repeats line 2/],
    ['an empty account', 'account,profit\n,1\n', /bad\.csv:2:1: account is empty/],
    ['a missing column', 'account,amount\na,1\n', /bad\.csv:1:1: the header lacks profit/],
    ['a short row', 'account,profit\na\n', /bad\.csv:2:1: found 1 field; expected 2 fields/],
    ['an empty line', 'account,profit\na,1\n\nb,2\n', /bad\.csv:3:1: found an empty line/],
    ['an unclosed quote', 'account,profit\n"a,1\n', /bad\.csv:2:1: quoted field never closed/],
    ['a stray quote', 'account,profit\na"b,1\n', /bad\.csv:2:2: quote inside an unquoted field/],
    ['an empty file', '', /bad\.csv:1:1: empty file/],
  ];
  it.each(csvCases)('CSV: %s', (_, text, message) => {
    const r = run(['socialize', file('bad.csv', text), '--loss', '1', '--decimals', '2']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe(''); // nothing is written before the whole input is read
  });

  const jsonCases: [string, string, RegExp][] = [
    ['a JSON number past the decimals', '{"account":"a","profit":12.5}\n', /bad\.jsonl:1:25: profit "12\.5" has a fraction; --decimals 0 allows whole units only/],
    ['an integer past 2^63', '{"account":"a","profit":9223372036854775808}\n', /bad\.jsonl:1:25: profit "9223372036854775808" is outside the signed 64-bit range/],
    ['no JSON number', '{"account":"a","profit":01}\n', /bad\.jsonl:1:25: not valid JSON: 01 is not a JSON number; JSON allows -12, 0\.5/],
    ['not JSON', '{"account":"a",\n', /bad\.jsonl:1:1: not valid JSON/],
    ['a missing account', '{"profit":"1"}\n', /bad\.jsonl:1:1: account is missing; expected a non-empty string/],
    ['a duplicate', '{"account":"a","profit":"1"}\n{"account":"a","profit":"2"}\n', /bad\.jsonl:2:12: account "a" repeats line 1/],
  ];
  it.each(jsonCases)('JSON Lines: %s', (_, text, message) => {
    const r = run(['socialize', file('bad.jsonl', text), '--loss', '1', '--decimals', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  const argumentCases: [string, string[], RegExp][] = [
    ['a negative loss', ['--loss=-1', '--decimals', '2'], /--loss must not be negative/],
    ['a negative fund', ['--loss', '1', '--insurance-fund=-0.01', '--decimals', '2'], /--insurance-fund must not be negative/],
    ['a loss with too many decimals', ['--loss', '1.001', '--decimals', '2'], /--loss "1\.001" has 3 fraction digits/],
    ['decimals past 18', ['--loss', '1', '--decimals', '19'], /--decimals must be a whole number from 0 to 18, got "19"/],
    ['decimals missing', ['--loss', '1'], /--decimals is required/],
    ['loss missing', ['--decimals', '2'], /--loss is required/],
    ['an unknown option', ['--loss', '1', '--decimals', '2', '--fast'], /unknown option --fast for socialize \(see 'socialized-loss --help'\)\n$/],
  ];
  it.each(argumentCases)('arguments: %s', (_, args, message) => {
    const r = run(['socialize', file('ok.csv', 'account,profit\na,1\n'), ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('tells the format of an unknown extension by the content, and refuses a missing file', () => {
    expect(run(['socialize', file('x.txt', 'account,profit\na,1\n'), '--loss', '1', '--decimals', '0', '--quiet']).stdout).toBe('account,profit,haircut,profit_after\na,1,1,0\n');
    expect(run(['socialize', file('y.txt', '\uFEFF \n{"account":"a","profit":1}\n'), '--loss', '1', '--decimals', '0', '--quiet']).stdout).toBe('account,profit,haircut,profit_after\na,1,1,0\n');
    expect(run(['socialize', 'y.txt', '--format', 'csv', '--loss', '1', '--decimals', '0']).stderr).toMatch(/y\.txt:/);
    const missing = run(['socialize', 'nope.csv', '--loss', '1', '--decimals', '0']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read nope\.csv: no such file/);
  });
});

describe('atomic writes', () => {
  it('leaves an existing output and report untouched, and no temporary file, when a row is bad', () => {
    writeFileSync(join(dir, 'keep.csv'), 'old output\n');
    writeFileSync(join(dir, 'keep.json'), '{"old": true}\n');
    const input = file('late.csv', 'account,profit\nfirst,1\nbad,1.2.3\n');
    const before = readdirSync(dir).sort();
    const r = run(['socialize', input, '--loss', '1', '--decimals', '2', '--out', 'keep.csv', '--report', 'keep.json']);
    expect(r.status).toBe(2);
    expect(readFileSync(join(dir, 'keep.csv'), 'utf8')).toBe('old output\n');
    expect(readFileSync(join(dir, 'keep.json'), 'utf8')).toBe('{"old": true}\n');
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('creates no output file when the run fails', () => {
    const r = run(['socialize', file('bad2.csv', 'account,profit\na,x\n'), '--loss', '1', '--decimals', '2', '--out', 'never.csv', '--report', 'never.json']);
    expect(r.status).toBe(2);
    expect(existsSync(join(dir, 'never.csv'))).toBe(false);
    expect(existsSync(join(dir, 'never.json'))).toBe(false);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('edge cases found in review', () => {
  it('writes rows with identifiers larger than the output buffer in full', () => {
    const huge = 'x'.repeat(2 << 20);
    const quotes = '"'.repeat(600_000);
    const input = file('long.csv', `account,profit\n${huge},5\n"${quotes.replaceAll('"', '""')}",1\nb,1\n`);
    const r = run(['socialize', input, '--loss', '7', '--decimals', '0', '--out', 'long-out.csv', '--quiet']);
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'long-out.csv'), 'utf8')).toBe(
      `account,profit,haircut,profit_after\n${huge},5,5,0\n"${quotes.replaceAll('"', '""')}",1,1,0\nb,1,1,0\n`,
    );
  });

  it('takes the JSON Lines profit from the member JSON.parse uses, digit for digit', () => {
    const input = file('members.jsonl', [
      '{"meta":{"profit":5},"account":"a","profit":700}',
      '{"account":"b","PROFIT":2}',
      '{"account":"c","pr\\u006ffit":9007199254740993}',
    ].join('\n'));
    const r = run(['socialize', input, '--loss', '0', '--decimals', '0', '--quiet']);
    expect(r.status).toBe(0);
    expect(rows(r.stdout).map((row) => row[1])).toEqual(['700', '2', '9007199254740993']);
    const exponent = run(['socialize', file('exp.jsonl', '{"account":"a","profit":1e3}\n'), '--loss', '0', '--decimals', '0']);
    expect(exponent.stderr).toMatch(/exp\.jsonl:1:25: profit "1e3" /); // the decimal grammar's word on exponents, as in CSV
  });

  it('accepts a CSV that ends in a lone CR, a BOM before a quoted header, and blank lines at the end', () => {
    const cr = run(['socialize', file('cr.csv', 'account,profit\r\na,100\r\nb,50\r'), '--loss', '3', '--decimals', '0', '--quiet']);
    expect(cr.status).toBe(0);
    expect(rows(cr.stdout)).toEqual([['a', '100', '2', '98'], ['b', '50', '1', '49']]);
    const bom = run(['socialize', file('bom.csv', '\uFEFF"account",profit\na,1\n\n\n'), '--loss', '1', '--decimals', '0', '--quiet']);
    expect(bom.status).toBe(0);
    expect(rows(bom.stdout)).toEqual([['a', '1', '1', '0']]);
  });

  it('counts lines inside quoted fields when naming a bad value', () => {
    const r = run(['socialize', file('ml.csv', 'account,name,profit\na,"x\ny",abc\n'), '--loss', '1', '--decimals', '0']);
    expect(r.stderr).toMatch(/ml\.csv:3:4: profit "abc"/);
    const d = run(['socialize', file('ml2.csv', 'name,account,profit\n"x\ny",a,1\n"p\nq",a,2\n'), '--loss', '1', '--decimals', '0']);
    expect(d.stderr).toMatch(/ml2\.csv:5:4: account "a" repeats line 2/);
  });

  it('keeps --out untouched when --report cannot be written, and names the report', () => {
    writeFileSync(join(dir, 'kept-out.csv'), 'OLD\n');
    const r = run(['socialize', file('fine.csv', 'account,profit\na,1\n'), '--loss', '1', '--decimals', '0', '--out', 'kept-out.csv', '--report', 'no-such-dir/r.json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot write no-such-dir\/r\.json: no such directory/);
    expect(readFileSync(join(dir, 'kept-out.csv'), 'utf8')).toBe('OLD\n');
  });

  it('ends cleanly when stdout closes early', async () => {
    await writeAccountFile(join(dir, 'pipe.csv'), 200_000, 9);
    const child = spawn(process.execPath, [bin, 'socialize', 'pipe.csv', '--loss', '1', '--decimals', '6', '--quiet', '--report', 'pipe.json'], { cwd: dir });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.once('data', () => child.stdout.destroy());
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toMatch(/^socialized-loss: cannot write to stdout: broken pipe \(the reader closed it\) \(EPIPE\); nothing was kept\n$/);
    expect(existsSync(join(dir, 'pipe.json'))).toBe(false);
  });
});

describe('interruption', () => {
  it('SIGINT mid-run exits 130 and leaves neither the target nor a temporary file', async () => {
    await writeAccountFile(join(dir, 'big.csv'), 1_000_000, 5);
    writeFileSync(join(dir, 'kept.csv'), 'old\n');
    const child = spawn(process.execPath, [bin, 'socialize', 'big.csv', '--loss', '1000', '--decimals', '6', '--out', 'kept.csv', '--report', 'big.json', '--quiet'], { cwd: dir });
    setTimeout(() => child.kill('SIGINT'), 150);
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    expect(code === 130 || signal === 'SIGINT').toBe(true);
    expect(readFileSync(join(dir, 'kept.csv'), 'utf8')).toBe('old\n');
    expect(existsSync(join(dir, 'big.json'))).toBe(false);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('socialized-loss --help, --version, demo', () => {
  it('prints help and the version', () => {
    expect(run(['--help']).stdout).toMatch(/socialized-loss socialize ACCOUNTS --decimals N \(--loss AMOUNT/);
    expect(run(['--version']).stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
  });

  it('refuses an unknown command with status 2', () => {
    const r = run(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command "frobnicate"/);
  });
});
