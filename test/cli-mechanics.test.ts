// Every mechanic of the library from the command line, on generated files:
// socialize against the reference (pools with per-pool decimals, exempt,
// weights and caps, each rounding, a tie seed, JSON Lines from stdin), verify
// accepting every output and rejecting tampering, explain agreeing with the
// result for every account, and index-delta. The built bin in a child process.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUnits, parseUnits } from '../src/files/decimal.js';
import { indexDeltaReference, socializePoolsReference } from '../src/reference.js';
import type { Rounding } from '../src/types.js';

const bin = new URL('../dist/cli/main.js', import.meta.url).pathname;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'socialized-loss-mechanics-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: dir, input, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return name;
};
const read = (name: string) => readFileSync(join(dir, name), 'utf8');
const csvRows = (text: string) => text.trim().split('\n').slice(1).map((line) => line.split(','));

/** A small deterministic generator (xorshift32), so that a failure names a seed. */
function random(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
  return { int: (n: number) => next() % n, big: (bits: number) => BigInt(next()) * 2n ** 32n + BigInt(next()) & (2n ** BigInt(bits) - 1n) };
}

const POOLS = [
  { name: 'USDT', decimals: 6 }, { name: 'USDC', decimals: 6 }, { name: 'BTC', decimals: 8 }, { name: 'JPY', decimals: 0 }, { name: 'ETH', decimals: 18 },
];

interface Generated {
  accounts: string[];
  pool: Uint32Array;
  profits: bigint[];
  exempt: boolean[];
  weights: bigint[];
  caps: (bigint | null)[];
  losses: bigint[];
  funds: bigint[];
}

/** A book of `n` accounts over the five pools, with ties (equal profits), exempt accounts, weights and some empty caps. */
function generate(seed: number, n: number): Generated {
  const r = random(seed);
  const g: Generated = { accounts: [], pool: new Uint32Array(n), profits: [], exempt: [], weights: [], caps: [], losses: [], funds: [] };
  for (let i = 0; i < n; i++) {
    g.accounts.push(`acc-${seed}-${i}`);
    g.pool[i] = r.int(POOLS.length);
    const kind = r.int(10);
    const profit = kind === 0 ? -r.big(40) : kind === 1 ? 0n : kind < 4 ? 1000n : r.big(kind === 9 ? 62 : 40);
    g.profits.push(profit);
    g.exempt.push(r.int(8) === 0);
    g.weights.push(r.int(6) === 0 ? 0n : r.big(30));
    g.caps.push(r.int(3) === 0 ? null : r.big(36));
  }
  for (let p = 0; p < POOLS.length; p++) {
    g.losses.push(r.int(4) === 0 ? 2n ** 62n : r.big(44));
    g.funds.push(r.big(40));
  }
  return g;
}

/** The generated book as files: a CSV export (or JSON Lines) and a pools file. */
function files(g: Generated, tag: string, format: 'csv' | 'jsonl' = 'csv'): { accounts: string; pools: string } {
  const amount = (units: bigint, i: number) => formatUnits(units, POOLS[g.pool[i]!]!.decimals);
  const lines = g.accounts.map((account, i) => {
    const row = { Account: account, Currency: POOLS[g.pool[i]!]!.name, Profit: amount(g.profits[i]!, i), House: g.exempt[i] ? 'yes' : 'no', Size: formatUnits(g.weights[i]!, 2), Cap: g.caps[i] === null ? '' : amount(g.caps[i]!, i) };
    // JSON Lines as a program writes it: a boolean flag and null for no cap of its own.
    return format === 'csv' ? Object.values(row).join(',') : JSON.stringify({ ...row, House: g.exempt[i], Cap: g.caps[i] === null ? null : row.Cap });
  });
  const accounts = write(`${tag}.${format}`, (format === 'csv' ? 'Account,Currency,Profit,House,Size,Cap\n' : '') + lines.join('\n') + '\n');
  const pools = write(`${tag}-pools.csv`, 'pool,loss,insurance_fund,decimals\n' +
    POOLS.map((p, k) => `${p.name},${formatUnits(g.losses[k]!, p.decimals)},${formatUnits(g.funds[k]!, p.decimals)},${p.decimals}`).join('\n') + '\n');
  return { accounts, pools };
}

interface Case {
  name: string;
  pooled: boolean;
  exempt: boolean;
  weighted: boolean;
  caps: boolean;
  rounding: Rounding;
  tieSeed?: bigint;
}

const CASES: Case[] = [
  { name: 'plain', pooled: false, exempt: false, weighted: false, caps: false, rounding: 'largest-remainder' },
  { name: 'plain, exempt, rounding down', pooled: false, exempt: true, weighted: false, caps: false, rounding: 'down' },
  { name: 'pooled with per-pool decimals, exempt, a tie seed', pooled: true, exempt: true, weighted: false, caps: false, rounding: 'largest-remainder', tieSeed: -77n },
  { name: 'pooled, weights and caps, rounding up', pooled: true, exempt: true, weighted: true, caps: true, rounding: 'up' },
  { name: 'pooled, weights without caps, a tie seed', pooled: true, exempt: false, weighted: true, caps: false, rounding: 'largest-remainder', tieSeed: 2n ** 64n - 1n },
  { name: 'weights and caps, largest remainder', pooled: true, exempt: true, weighted: true, caps: true, rounding: 'largest-remainder' },
];

/** The options of a case. Without pools every account is read at 6 decimals in one pool (USDT's). */
function options(c: Case, pools: string): string[] {
  return [
    '--decimals', '6', '--account-column', 'account', '--profit-column', 'PROFIT',
    ...(c.pooled ? ['--pool-column', 'currency', '--pools', pools] : ['--loss', '12345.678901', '--insurance-fund', '45.000001']),
    ...(c.exempt ? ['--exempt-column', 'house'] : []),
    ...(c.weighted ? ['--weight-column', 'size', '--weight-decimals', '2'] : []),
    ...(c.caps ? ['--cap-column', 'cap'] : []),
    '--rounding', c.rounding,
    ...(c.tieSeed === undefined ? [] : ['--tie-seed', String(c.tieSeed)]),
  ];
}

/** The reference's haircuts for a case. */
function expected(g: Generated, c: Case): bigint[] {
  const n = g.accounts.length;
  const pool = c.pooled ? g.pool : new Uint32Array(n);
  const pools = c.pooled ? g.losses.map((loss, k) => ({ loss, insuranceFund: g.funds[k]! })) : [{ loss: 12_345_678_901n, insuranceFund: 45_000_001n }];
  const result = socializePoolsReference({
    profits: g.profits, pool, pools, rounding: c.rounding, tieSeed: c.tieSeed,
    exempt: c.exempt ? g.exempt : undefined,
    weights: c.weighted ? g.weights : undefined,
    caps: c.caps ? g.caps.map((cap, i) => cap ?? (g.profits[i]! > 0n ? g.profits[i]! : 0n)) : undefined,
  });
  return [...result.haircuts];
}

/** Same-decimals book for the unpooled cases: every account at 6 decimals. */
function unpooled(g: Generated): Generated {
  return { ...g, pool: new Uint32Array(g.accounts.length) };
}

describe('socialize matches the reference on generated files, and verify accepts it', () => {
  it.each(CASES)('$name', (c) => {
    const g = c.pooled ? generate(7, 400) : unpooled(generate(8, 400));
    const tag = c.name.replace(/[^a-z]+/g, '-');
    const { accounts, pools } = files(g, tag);
    const r = run(['socialize', accounts, ...options(c, pools), '--out', `${tag}-out.csv`, '--report', `${tag}-report.json`, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = csvRows(read(`${tag}-out.csv`));
    const haircutColumn = c.pooled ? 3 : 2;
    expect(out.map((row) => row[0])).toEqual(g.accounts);
    if (c.pooled) expect(out.map((row) => row[1])).toEqual(Array.from(g.pool, (p) => POOLS[p]!.name));
    const decimals = (i: number) => (c.pooled ? POOLS[g.pool[i]!]!.decimals : 6);
    expect(out.map((row, i) => parseUnits(row[haircutColumn]!, decimals(i)))).toEqual(expected(g, c));
    expect(out.every((row, i) => (row[haircutColumn]!.split('.')[1]?.length ?? 0) === decimals(i))).toBe(true);

    const report = JSON.parse(read(`${tag}-report.json`));
    expect(report.parameters).toMatchObject({ rounding: c.rounding, tieSeed: c.tieSeed === undefined ? null : String(c.tieSeed) });
    if (c.pooled) {
      expect(report.result.pools.map((p: { pool: string; decimals: number }) => [p.pool, p.decimals])).toEqual(POOLS.map((p) => [p.name, p.decimals]));
      expect(report.result.overall.amounts).toMatch(/per pool only/);
    }

    // verify, with the report (hashes checked too) and with the same options.
    expect(run(['verify', accounts, `${tag}-out.csv`, '--report', `${tag}-report.json`])).toMatchObject({ status: 0, stdout: `verified 400 accounts (both files are the ones the report names)\n` });
    expect(run(['verify', accounts, `${tag}-out.csv`, ...options(c, pools), '--quiet'])).toMatchObject({ status: 0, stdout: 'verified 400 accounts\n' });
  });

  it('reads JSON Lines from stdin (the format from the content) the same as the CSV', () => {
    const c = CASES[3]!;
    const g = generate(7, 400);
    const csv = files(g, 'same');
    const jsonl = files(g, 'same-j', 'jsonl');
    const fromCsv = run(['socialize', csv.accounts, ...options(c, csv.pools), '--quiet']);
    const fromStdin = run(['socialize', '-', ...options(c, csv.pools), '--quiet'], read(jsonl.accounts));
    expect(fromStdin.stderr).toBe('');
    expect(fromStdin.stdout).toBe(fromCsv.stdout);
    expect(run(['socialize', '-', '--format', 'jsonl', ...options(c, csv.pools), '--quiet'], read(jsonl.accounts)).stdout).toBe(fromCsv.stdout);
  });
});

describe('verify rejects what the rule does not give', () => {
  const c = CASES[2]!;
  let g: Generated;
  let out: string[];
  let names: { accounts: string; pools: string };
  beforeAll(() => {
    g = generate(11, 300);
    names = files(g, 'tamper');
    expect(run(['socialize', names.accounts, ...options(c, names.pools), '--out', 'tamper-out.csv', '--report', 'tamper-report.json', '--quiet']).status).toBe(0);
    out = read('tamper-out.csv').split('\n');
  });

  it('a single unit added at a random row: exit 3 naming the line, the account, expected and found', () => {
    const r = random(5);
    for (let attempt = 0; attempt < 3; attempt++) {
      const line = 1 + r.int(300);
      const row = out[line]!.split(',');
      const places = POOLS[g.pool[line - 1]!]!.decimals;
      const haircut = parseUnits(row[3]!, places);
      row[3] = formatUnits(haircut + 1n, places);
      row[4] = formatUnits(parseUnits(row[2]!, places) - haircut - 1n, places);
      const tampered = [...out];
      tampered[line] = row.join(',');
      write('tampered.csv', tampered.join('\n'));
      const v = run(['verify', names.accounts, 'tampered.csv', ...options(c, names.pools)]);
      expect(v.status).toBe(3);
      expect(v.stdout).toContain(`1 of 300 haircuts differ from what largest-remainder gives:\n  tampered.csv:${line + 1}: account "${row[0]}": expected ${formatUnits(haircut, places)}, found ${formatUnits(haircut + 1n, places)}\n`);
      // With the report, the changed file's hash is named too.
      const withReport = run(['verify', names.accounts, 'tampered.csv', '--report', 'tamper-report.json']);
      expect(withReport.status).toBe(3);
      expect(withReport.stdout).toMatch(/^tampered\.csv has SHA-256 [0-9a-f]{64}; the report wrote [0-9a-f]{64}: not the haircuts the report describes\n1 of 300/);
    }
  });

  it('two haircuts swapped between accounts of one pool: exit 3 with both; two rows swapped: exit 2 naming the first line', () => {
    const rows = out.slice(1, -1).map((line) => line.split(','));
    // Two accounts of one pool with different haircuts.
    let a = -1, b = -1;
    for (let i = 0; i < rows.length && b < 0; i++) {
      for (let j = i + 1; j < rows.length; j++) {
        if (rows[i]![1] === rows[j]![1] && rows[i]![3] !== rows[j]![3]) {
          [a, b] = [i, j];
          break;
        }
      }
    }
    expect(b).toBeGreaterThan(0);
    const swapped = rows.map((row) => [...row]);
    [swapped[a]![3], swapped[b]![3]] = [rows[b]![3]!, rows[a]![3]!];
    write('swapped.csv', [out[0], ...swapped.map((row) => row.join(',')), ''].join('\n'));
    const v = run(['verify', names.accounts, 'swapped.csv', ...options(c, names.pools)]);
    expect(v.status).toBe(3);
    expect(v.stdout).toContain('2 of 300 haircuts differ');
    expect(v.stdout).toContain(`swapped.csv:${a + 2}: account "${rows[a]![0]}": expected ${rows[a]![3]}, found ${rows[b]![3]}`);
    expect(v.stdout).toContain(`swapped.csv:${b + 2}: account "${rows[b]![0]}": expected ${rows[b]![3]}, found ${rows[a]![3]}`);

    const order = [...out];
    [order[5], order[9]] = [out[9]!, out[5]!];
    write('order.csv', order.join('\n'));
    const o = run(['verify', names.accounts, 'order.csv', ...options(c, names.pools)]);
    expect(o.status).toBe(2);
    expect(o.stderr).toBe(`socialized-loss: order.csv:6:1: account "${rows[8]![0]}" where ${names.accounts}:6 has "${rows[4]![0]}"; expected the same accounts in the same order\n`);
  });

  it('many differences: the count and the first ten', () => {
    const rows = out.slice(1, -1).map((line) => line.split(','));
    const zeroed = rows.map((row, i) => (i % 2 === 0 ? [row[0], row[1], row[2], '0', row[2]] : row));
    write('zeroed.csv', [out[0], ...zeroed.map((row) => row.join(',')), ''].join('\n'));
    const v = run(['verify', names.accounts, 'zeroed.csv', ...options(c, names.pools)]);
    expect(v.status).toBe(3);
    const differing = rows.filter((row, i) => i % 2 === 0 && !/^0\.?0*$/.test(row[3]!)).length;
    expect(v.stdout).toContain(`${differing} of 300 haircuts differ from what largest-remainder gives; the first 10:`);
    expect(v.stdout.trim().split('\n')).toHaveLength(11);
  });

  it('quoted identifiers (commas, quotes, line breaks) are matched byte for byte', () => {
    write('quoted.csv', 'account,profit\n"a,b",10\n"say ""hi""",20\n"two\nlines",30\nplain,40\n');
    expect(run(['socialize', 'quoted.csv', '--decimals', '0', '--loss', '7', '--out', 'quoted-out.csv', '--quiet']).status).toBe(0);
    expect(run(['verify', 'quoted.csv', 'quoted-out.csv', '--decimals', '0', '--loss', '7'])).toMatchObject({ status: 0, stdout: 'verified 4 accounts\n' });
    write('quoted-bad.csv', read('quoted-out.csv').replace('"say ""hi"""', '"say ""ho"""'));
    expect(run(['verify', 'quoted.csv', 'quoted-bad.csv', '--decimals', '0', '--loss', '7']).stderr).toBe(
      'socialized-loss: quoted-bad.csv:3:1: account "say \\"ho\\"" where quoted.csv:3 has "say \\"hi\\""; expected the same accounts in the same order\n');
  });

  it('a table with account and haircut only (JSON Lines) is verified too', () => {
    const rows = out.slice(1, -1).map((line) => line.split(','));
    write('plain.jsonl', rows.map((row) => JSON.stringify({ account: row[0], haircut: row[3] })).join('\n') + '\n');
    expect(run(['verify', names.accounts, 'plain.jsonl', ...options(c, names.pools)])).toMatchObject({ status: 0, stdout: 'verified 300 accounts\n' });
  });
});

describe('explain agrees with the result for every account', () => {
  it.each(CASES)('$name', (c) => {
    const g = c.pooled ? generate(21, 12) : unpooled(generate(22, 12));
    const tag = 'explain-' + c.name.replace(/[^a-z]+/g, '-');
    const { accounts, pools } = files(g, tag);
    expect(run(['socialize', accounts, ...options(c, pools), '--out', `${tag}-out.csv`, '--report', `${tag}-report.json`, '--quiet']).status).toBe(0);
    const out = csvRows(read(`${tag}-out.csv`));
    const haircutColumn = c.pooled ? 3 : 2;
    for (let i = 0; i < g.accounts.length; i++) {
      const r = run(['explain', accounts, '--account', g.accounts[i]!, '--json', '--report', `${tag}-report.json`]);
      expect(r.stderr).toBe('');
      const e = JSON.parse(r.stdout);
      expect(e.account).toBe(g.accounts[i]);
      expect(e.haircut).toBe(out[i]![haircutColumn]);
      expect(e.profitAfter).toBe(out[i]![haircutColumn + 1]);
      expect(e.eligible).toBe(!(c.exempt && g.exempt[i]) && (c.weighted ? g.weights[i]! > 0n && (c.caps && g.caps[i] !== null ? g.caps[i]! : g.profits[i]!) > 0n : g.profits[i]! > 0n));
    }
    // The text for a support desk says the same.
    const text = run(['explain', accounts, '--account', g.accounts[0]!, ...options(c, pools)]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(out[0]![haircutColumn]!);
  });

  it('warns when ACCOUNTS is not the file the report read', () => {
    const g = unpooled(generate(4, 5));
    const { accounts, pools } = files(g, 'explain-changed');
    expect(run(['socialize', accounts, ...options(CASES[0]!, pools), '--report', 'changed-report.json', '--quiet']).status).toBe(0);
    write(accounts, read(accounts) + 'late,USDT,1.000000,no,1.00,\n');
    const r = run(['explain', accounts, '--account', g.accounts[0]!, '--report', 'changed-report.json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^socialized-loss: warning: explain-changed\.csv \(SHA-256 [0-9a-f]{64}\) is not the file the report read \([0-9a-f]{64}\); explained by the report's parameters\n$/);
  });

  it('an unknown account is exit 2', () => {
    const g = unpooled(generate(3, 4));
    const { accounts, pools } = files(g, 'explain-unknown');
    const r = run(['explain', accounts, '--account', 'nobody', ...options(CASES[0]!, pools)]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--account "nobody" is not in explain-unknown\.csv \(4 accounts/);
  });
});

describe('index-delta over a units column', () => {
  it('matches indexDeltaReference, each rounding', () => {
    const r = random(9);
    const units = Array.from({ length: 200 }, () => BigInt(r.int(2_000_000)) - 1_000_000n);
    write('positions.csv', 'account,Size\n' + units.map((u, i) => `p${i},${formatUnits(u, 3)}`).join('\n') + '\n');
    for (const rounding of ['up', 'down'] as const) {
      for (const chargeRounding of ['up', 'down'] as const) {
        const x = run(['index-delta', 'positions.csv', '--loss', '1234.5', '--scale', '1000000000', '--decimals', '2', '--units-column', 'size', '--units-decimals', '3',
          '--rounding', rounding, '--charge-rounding', chargeRounding, '--out', 'charges.csv', '--report', 'charges.json', '--quiet']);
        expect(x.stderr).toBe('');
        const reference = indexDeltaReference({ loss: 123_450n, units, scale: 1_000_000_000n, rounding, chargeRounding });
        const rows = csvRows(read('charges.csv'));
        expect(rows.map((row) => row[1])).toEqual(units.map((u) => formatUnits(u, 3)));
        expect(rows.map((row) => parseUnits(row[2]!, 2))).toEqual([...reference.charges]);
        const report = JSON.parse(read('charges.json'));
        expect(report.result).toMatchObject({ delta: String(reference.delta), collected: formatUnits(reference.collected, 2), drift: formatUnits(reference.drift, 2), totalUnits: formatUnits(reference.totalUnits, 3) });
      }
    }
  });

  it('all-zero units are exit 2', () => {
    write('zeros.csv', 'account,units\na,0\nb,0\n');
    const x = run(['index-delta', 'zeros.csv', '--loss', '1', '--scale', '1000', '--decimals', '0']);
    expect(x.status).toBe(2);
    expect(x.stderr).toMatch(/zeros\.csv:2:1: every units is zero/);
  });
});

describe('bad input and bad options: exit 2, one line, nothing written', () => {
  const accounts = 'account,pool,profit,exempt,weight,cap\na,USDT,10,no,1,5\nb,USDC,20,yes,2,\n';
  const cases: [string, Record<string, string>, string[], RegExp][] = [
    ['a pool listed but holding no account', { 'p.csv': 'pool,loss\nUSDT,1\nUSDC,1\nBTC,1\n' }, ['--pool-column', 'pool', '--pools', 'p.csv'], /^socialized-loss: p\.csv:4:1: pool "BTC" holds no account of in\.csv/],
    ['a pool listed twice', { 'p.csv': 'pool,loss\nUSDT,1\nUSDC,1\nUSDT,2\n' }, ['--pool-column', 'pool', '--pools', 'p.csv'], /^socialized-loss: p\.csv:4:1: pool "USDT" is listed twice \(also line 2\)/],
    ['a pools file with no pool', { 'p.csv': 'pool,loss\n' }, ['--pool-column', 'pool', '--pools', 'p.csv'], /^socialized-loss: p\.csv:2:1: lists no pool/],
    ['a pool loss past its decimals', { 'p.csv': 'pool,loss,decimals\nUSDT,1.5,0\n' }, ['--pool-column', 'pool', '--pools', 'p.csv'], /^socialized-loss: p\.csv:2:6: loss "1\.5" has a fraction; decimals 0 of pool "USDT" allows whole units only/],
    ['an exempt value maybe', { 'in.csv': accounts.replace('no,1', 'maybe,1') }, ['--loss', '1', '--exempt-column', 'exempt'], /^socialized-loss: in\.csv:2:11: exempt "maybe" is not a yes or no; expected 1, true, yes, y, 0, false, no, n or empty/],
    ['a cap column without a weight column', {}, ['--loss', '1', '--cap-column', 'cap'], /^socialized-loss: --cap-column needs --weight-column/],
    ['weight decimals exceeded', { 'in.csv': accounts.replace(',1,5', ',1.25,5') }, ['--loss', '1', '--weight-column', 'weight', '--weight-decimals', '1'], /^socialized-loss: in\.csv:2:14: weight "1\.25" has 2 fraction digits; --weight-decimals 1 allows at most 1/],
    ['a negative weight', { 'in.csv': accounts.replace(',1,5', ',-1,5') }, ['--loss', '1', '--weight-column', 'weight'], /in\.csv:2:14: weight "-1" is negative/],
    ['--pools without --pool-column', { 'p.csv': 'pool,loss\nUSDT,1\n' }, ['--pools', 'p.csv'], /^socialized-loss: --pools needs --pool-column/],
    ['--pool-column without --pools', {}, ['--pool-column', 'pool'], /^socialized-loss: --pool-column needs --pools/],
    ['--loss with pools', { 'p.csv': 'pool,loss\nUSDT,1\n' }, ['--pool-column', 'pool', '--pools', 'p.csv', '--loss', '1'], /--loss with --pool-column/],
    ['a missing pool column', { 'p.csv': 'pool,loss\nUSDT,1\n' }, ['--pool-column', 'market', '--pools', 'p.csv'], /in\.csv:1:1: the header lacks market \(--pool-column\)/],
    ['a tie seed under rounding down', {}, ['--loss', '1', '--rounding', 'down', '--tie-seed', '5'], /--tie-seed orders equal remainders under --rounding largest-remainder/],
    ['an unknown rounding', {}, ['--loss', '1', '--rounding', 'nearest'], /--rounding must be largest-remainder, down or up, got "nearest"/],
    ['a tie seed that is no integer', {}, ['--loss', '1', '--tie-seed', '0x10'], /--tie-seed must be a decimal integer, got "0x10"/],
    ['an unknown option, with a suggestion', {}, ['--loss', '1', '--rouding', 'up'], /unknown option --rouding for socialize; did you mean --rounding\? \(see 'socialized-loss --help'\)\n$/],
    ['an option of another command', {}, ['--loss', '1', '--scale', '5'], /unknown option --scale for socialize \(it is an option of index-delta\) \(see 'socialized-loss --help'\)\n$/],
    ['an option without its value', {}, ['--loss'], /--loss needs a value, got the option --out \(see 'socialized-loss --help'\)\n$/],
    ['an option given twice', {}, ['--loss', '1', '--loss', '2'], /--loss is given twice/],
  ];
  it.each(cases)('%s', (_, extra, args, message) => {
    write('in.csv', accounts);
    for (const [name, text] of Object.entries(extra)) write(name, text);
    write('keep.csv', 'kept\n');
    const r = run(['socialize', 'in.csv', '--decimals', '0', ...args, '--out', 'keep.csv', '--report', 'new-report.json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    expect(read('keep.csv')).toBe('kept\n');
    expect(() => read('new-report.json')).toThrow();
  });

  it('HAIRCUTS with other accounts, or fewer rows, names the first line', () => {
    write('in.csv', accounts);
    write('h1.csv', 'account,haircut\na,1\nc,0\n');
    expect(run(['verify', 'in.csv', 'h1.csv', '--decimals', '0', '--loss', '1']).stderr).toBe('socialized-loss: h1.csv:3:1: account "c" where in.csv:3 has "b"; expected the same accounts in the same order\n');
    write('h2.csv', 'account,haircut\na,1\n');
    expect(run(['verify', 'in.csv', 'h2.csv', '--decimals', '0', '--loss', '1']).stderr).toMatch(/^socialized-loss: h2\.csv:3:1: ends after 1 rows; in\.csv has 2 accounts \(next: "b"\)/);
    write('h3.csv', 'account,haircut\na,1\nb,0\nz,0\n');
    expect(run(['verify', 'in.csv', 'h3.csv', '--decimals', '0', '--loss', '1']).stderr).toMatch(/^socialized-loss: h3\.csv:4:1: a row past the 2 accounts of in\.csv/);
    write('h4.csv', 'account,cut\na,1\n');
    expect(run(['verify', 'in.csv', 'h4.csv', '--decimals', '0', '--loss', '1']).stderr).toMatch(/^socialized-loss: h4\.csv:1:1: the header lacks haircut/);
  });

  it('verify and explain refuse parameter options beside --report, and a file that is no report', () => {
    write('in.csv', accounts);
    write('h.csv', 'account,haircut\na,1\nb,0\n');
    expect(run(['verify', 'in.csv', 'h.csv', '--report', 'r.json', '--decimals', '0'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/--report gives every parameter; drop --decimals/) });
    write('r.json', '{"tool": "other"}');
    expect(run(['verify', 'in.csv', 'h.csv', '--report', 'r.json'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/r\.json is not a socialize report/) });
    expect(run(['verify', 'in.csv', 'h.csv', '--report', 'missing.json'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/cannot read the report missing\.json: no such file/) });
    expect(run(['verify', 'in.csv', '--decimals', '0', '--loss', '1'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/verify takes ACCOUNTS HAIRCUTS/) });
    expect(run(['explain', 'in.csv', '--decimals', '0', '--loss', '1'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/explain needs --account ID/) });
  });
});

describe('--help', () => {
  it('shows every command with an example, and each command alone', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    for (const command of ['socialize', 'verify', 'explain', 'index-delta', 'demo']) {
      expect(help.stdout).toMatch(new RegExp(`socialized-loss ${command}\\b`));
      expect(help.stdout).toMatch(new RegExp(`Example: socialized-loss ${command}\\b`));
      const alone = run([command, '--help']);
      expect(alone.stdout).toMatch(new RegExp(`^Usage: socialized-loss ${command}\\b`));
    }
    expect(run([])).toMatchObject({ status: 2, stderr: expect.stringMatching(/no command given.* \(see 'socialized-loss --help'\)\n$/) });
  });
});

describe('Parquet in and out (files written and read by DuckDB)', () => {
  const sql = async (statements: string[]): Promise<unknown[][]> => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    let rows: unknown[][] = [];
    for (const statement of statements) rows = (await connection.runAndReadAll(statement)).getRows() as unknown[][];
    connection.closeSync();
    return rows;
  };

  it('a pooled export as Parquet (DECIMAL(38,8) for every pool) gives what its CSV gives; --out .parquet reads back exactly, and verify takes it', async () => {
    const g = generate(31, 300);
    const { accounts, pools } = files(g, 'pq');
    const c = CASES[3]!;
    const csvOut = run(['socialize', accounts, ...options(c, pools), '--quiet']);
    expect(csvOut.status).toBe(0);
    // DuckDB converts the CSV, every amount as DECIMAL(38,18) (the pools' decimals fit with trailing zeros).
    await sql([`COPY (SELECT Account, Currency, Profit::DECIMAL(38,18) AS Profit, House, Size::DECIMAL(18,2) AS Size, Cap::DECIMAL(38,18) AS Cap
      FROM read_csv('${join(dir, accounts)}', all_varchar=true)) TO '${join(dir, 'pq.parquet')}' (FORMAT PARQUET)`]);
    const fromParquet = run(['socialize', 'pq.parquet', ...options(c, pools), '--quiet']);
    expect(fromParquet.stderr).toBe('');
    expect(fromParquet.stdout).toBe(csvOut.stdout);

    expect(run(['socialize', 'pq.parquet', ...options(c, pools), '--out', 'out.parquet', '--report', 'pq-report.json', '--quiet']).status).toBe(0);
    const back = await sql([`SELECT account, pool, profit::VARCHAR, haircut::VARCHAR, profit_after::VARCHAR, typeof(haircut) FROM '${join(dir, 'out.parquet')}'`]);
    const expectedRows = csvRows(csvOut.stdout);
    expect(back.map((row) => row[5])).toEqual(expectedRows.map(() => 'DECIMAL(38,18)'));
    const places = (i: number) => POOLS[g.pool[i]!]!.decimals;
    expect(back.map((row, i) => [row[0], row[1], ...[2, 3, 4].map((k) => parseUnits(String(row[k]).replace(/0+$/, '').replace(/\.$/, ''), places(i)))]))
      .toEqual(expectedRows.map((row, i) => [row[0], row[1], ...[2, 3, 4].map((k) => parseUnits(row[k]!, places(i)))]));
    const report = JSON.parse(read('pq-report.json'));
    expect(report.inputs.accounts.format).toBe('parquet');
    expect(report.output.sha256).toBe(createHash('sha256').update(readFileSync(join(dir, 'out.parquet'))).digest('hex'));
    expect(run(['verify', 'pq.parquet', 'out.parquet', '--report', 'pq-report.json'])).toMatchObject({ status: 0, stdout: 'verified 300 accounts (both files are the ones the report names)\n' });
    expect(run(['verify', accounts, 'out.parquet', ...options(c, pools)])).toMatchObject({ status: 0, stdout: 'verified 300 accounts\n' });
  });

  it('INT64 profits at 0 decimals, from stdin by its content; one scale out is DECIMAL(18, 0)', async () => {
    await sql([`COPY (SELECT 'a' || i AS account, (i * 1000003 % 7919 - 2000)::BIGINT AS profit FROM range(1000) t(i)) TO '${join(dir, 'int.parquet')}' (FORMAT PARQUET)`]);
    const fromFile = run(['socialize', 'int.parquet', '--decimals', '0', '--loss', '123457', '--quiet']);
    const fromStdin = spawnSync('sh', ['-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} socialize - --decimals 0 --loss 123457 --quiet < int.parquet`], { cwd: dir, encoding: 'utf8' });
    expect(fromFile.status).toBe(0);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
    expect(run(['socialize', 'int.parquet', '--decimals', '0', '--loss', '123457', '--out', 'int-out.parquet', '--quiet']).status).toBe(0);
    const types = await sql([`SELECT DISTINCT typeof(haircut) FROM '${join(dir, 'int-out.parquet')}'`]);
    expect(types).toEqual([['DECIMAL(18,0)']]);
  });

  it('a float column and a null profit are refused, naming the column and the row', async () => {
    await sql([`COPY (SELECT * FROM (VALUES ('a', 1.5::DOUBLE), ('b', 2.0::DOUBLE)) t(account, profit)) TO '${join(dir, 'float.parquet')}' (FORMAT PARQUET)`]);
    expect(run(['socialize', 'float.parquet', '--decimals', '2', '--loss', '1'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/float\.parquet:1:2: column "profit" is DOUBLE: a floating-point column cannot hold exact amounts/) });
    await sql([`COPY (SELECT * FROM (VALUES ('a', 1::DECIMAL(18,2)), ('b', NULL), ('c', 3)) t(account, profit)) TO '${join(dir, 'null.parquet')}' (FORMAT PARQUET)`]);
    const r = run(['socialize', 'null.parquet', '--decimals', '2', '--loss', '1', '--out', 'keep.csv']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/null\.parquet:2:2: .*row 2.*profit.*null|null\.parquet:2:2: .*profit.*null.*row 2/);
  });
});
