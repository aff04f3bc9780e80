// `socialized-loss compare`, `verify` of its output and `explain --mechanism`:
// every mechanism's column against the reference, the measures where SPEC puts
// them, the report read back strictly, and the errors a user meets.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUnits } from '../src/units.js';
import { measureHaircuts } from '../src/measures.js';
import { deleveragePoolsReference, deleverageReference, socializePoolsReference, socializeReference } from '../src/reference.js';
import { runs } from './support.js';

const bin = new URL('../dist/cli/main.js', import.meta.url).pathname;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'socialized-loss-compare-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}
const read = (name: string) => readFileSync(join(dir, name), 'utf8');
const column = (csv: string, name: string) => {
  const [head, ...lines] = csv.trim().split('\n');
  const k = head!.split(',').indexOf(name);
  return lines.map((line) => line.split(',')[k]!);
};
const units = (text: string) => BigInt(text.replace('.', ''));

/** A small book: account,profit,capacity,weight,score,lot,house (2 decimals; weights and scores at 0). */
const BOOK = 'account,profit,capacity,weight,score,lot,house\n' +
  'a,100.00,80.00,5,3,1.00,no\nb,50.00,,1,9,,no\nc,-20.00,10.00,2,7,0.50,no\nd,300.00,300.00,0,1,,yes\ne,40.00,40.00,4,9,0.25,no\nf,0,,1,2,,no\n';

describe('socialized-loss compare', () => {
  it('writes one column per mechanism, each what the reference gives, and the measures to stdout with --out', () => {
    const accounts = file('book.csv', BOOK);
    const r = run(['compare', accounts, '--decimals', '2', '--loss', '120', '--insurance-fund', '10', '--capacity-column', 'capacity', '--exempt-column', 'house',
      '--mechanisms', 'queue,pro-rata,weighted', '--weight-column', 'weight', '--score-column', 'score', '--lot-column', 'lot', '--out', 'out.csv', '--report', 'report.json']);
    expect(r.stderr).toMatch(/^compared in [\d,]+ ms/);
    expect(r.status).toBe(0);
    const csv = read('out.csv');
    expect(csv.split('\n')[0]).toBe('account,profit,capacity,queue,pro_rata,weighted');
    const profits = [10000n, 5000n, -2000n, 30000n, 4000n, 0n];
    const capacities = [8000n, 5000n, 1000n, 30000n, 4000n, 0n];
    const exempt = [false, false, false, true, false, false];
    expect(column(csv, 'capacity').map(units)).toEqual(capacities);
    const queue = deleverageReference({ loss: 12000n, insuranceFund: 1000n, profits, scores: [3n, 9n, 7n, 1n, 9n, 2n], capacities, lots: [100n, 1n, 50n, 1n, 25n, 1n], exempt }).haircuts;
    const proRata = socializeReference({ loss: 12000n, insuranceFund: 1000n, profits, exempt, weights: profits.map((p) => (p > 0n ? p : 0n)), caps: capacities }).haircuts;
    const weighted = socializeReference({ loss: 12000n, insuranceFund: 1000n, profits, exempt, weights: [5n, 1n, 2n, 0n, 4n, 1n], caps: capacities }).haircuts;
    expect(column(csv, 'queue').map(units)).toEqual([...queue]);
    expect(column(csv, 'pro_rata').map(units)).toEqual([...proRata]);
    expect(column(csv, 'weighted').map(units)).toEqual([...weighted]);
    // The measures side by side, on stdout (the CSV went to --out), in the order of --mechanisms.
    expect(r.stdout).toMatch(/^compared queue, pro-rata, weighted on 6 accounts of book\.csv\n/);
    expect(r.stdout).toMatch(/\ncollected +110\.00 +110\.00 +110\.00\n/);
    // The report holds every measure, equal to measureHaircuts' of each column.
    const report = JSON.parse(read('report.json'));
    expect(report.command).toBe('compare');
    expect(report.parameters).toMatchObject({ mechanisms: ['queue', 'pro-rata', 'weighted'], rankBy: 'score column', columns: { capacity: 'capacity', score: 'score', lot: 'lot', weight: 'weight' } });
    const m = measureHaircuts({ haircuts: queue, capacities, exempt, loss: 12000n, insuranceFund: 1000n });
    expect(report.result.mechanisms[0]).toMatchObject({
      mechanism: 'queue', column: 'queue', collected: formatUnits(m.collected, 2), overshoot: formatUnits(m.overshoot!, 2), accountsCharged: m.accountsCharged,
      gini: m.gini, top10Share: m.top10Share, tenths: m.tenths, largestShareOfCapacity: m.largestShareOfCapacity,
    });
    // verify reads the output back with the report and agrees; explain places an account in the queue.
    expect(run(['verify', accounts, 'out.csv', '--report', 'report.json', '--quiet'])).toMatchObject({ status: 0, stdout: 'verified 6 accounts under queue, pro-rata, weighted (both files are the ones the report names)\n' });
    const e = run(['explain', accounts, '--account', 'e', '--mechanism', 'queue', '--report', 'report.json', '--json']);
    expect(e.status).toBe(0);
    expect(JSON.parse(e.stdout)).toMatchObject({ account: 'e', mechanism: 'queue', rank: 2, score: '9', haircut: formatUnits(queue[4]!, 2) });
  });

  it('puts the CSV on stdout and the measures on stderr without --out; --quiet drops the measures', () => {
    const accounts = file('plain.csv', 'account,profit\nx,10\ny,30\nz,-4\n');
    const r = run(['compare', accounts, '--decimals', '0', '--loss', '8']);
    expect(r.status).toBe(0);
    // Pro rata by default is the plain split; the queue ranks by profit by default.
    expect(r.stdout).toBe('account,profit,capacity,pro_rata,queue\nx,10,10,2,0\ny,30,30,6,8\nz,-4,0,0,0\n');
    expect(r.stderr).toMatch(/^compared pro-rata, queue on 3 accounts of plain\.csv\n/);
    expect(r.stderr).toMatch(/\naccounts charged +2 +1\n/);
    const quiet = run(['compare', accounts, '--decimals', '0', '--loss', '8', '--quiet']);
    expect(quiet).toMatchObject({ status: 0, stderr: '', stdout: r.stdout });
    expect(run(['compare', accounts, '--decimals', '0', '--loss', '8', '--rank-by', 'capacity', '--mechanisms', 'queue', '--quiet']).stdout).toBe('account,profit,capacity,queue\nx,10,10,0\ny,30,30,8\nz,-4,0,0\n');
  });

  it('agrees with the reference on random books, pooled or not, and verify agrees with every output', () => {
    const book = fc.integer({ min: 1, max: 12 }).chain((n) => fc.record({
      profits: fc.array(fc.integer({ min: -50, max: 200 }), { minLength: n, maxLength: n }),
      capacities: fc.array(fc.option(fc.integer({ min: 0, max: 150 }), { nil: null }), { minLength: n, maxLength: n }),
      scores: fc.array(fc.integer({ min: -3, max: 3 }), { minLength: n, maxLength: n }),
      pools: fc.array(fc.constantFrom('P', 'Q'), { minLength: n, maxLength: n }),
      loss: fc.integer({ min: 0, max: 500 }),
      pooled: fc.boolean(),
      tieSeed: fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { nil: undefined }),
    }));
    fc.assert(fc.property(book, (b) => {
      const text = 'account,pool,profit,capacity,score\n' + b.profits.map((p, i) => `a${i},${b.pools[i]},${p},${b.capacities[i] ?? ''},${b.scores[i]}`).join('\n') + '\n';
      const accounts = file('random.csv', text);
      const pools = file('pools.csv', `pool,loss\nP,${b.loss}\nQ,${Math.floor(b.loss / 2)}\n`);
      const where = b.pooled ? ['--pool-column', 'pool', '--pools', pools] : ['--loss', String(b.loss)];
      const seed = b.tieSeed === undefined ? [] : ['--tie-seed', String(b.tieSeed)];
      const r = run(['compare', accounts, '--decimals', '0', ...where, ...seed, '--capacity-column', 'capacity', '--score-column', 'score', '--out', 'r.csv', '--report', 'r.json', '--quiet']);
      if (b.pooled && (!b.pools.includes('Q') || !b.pools.includes('P'))) {
        // A listed pool that holds no account is an error of the pools file.
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/^socialized-loss: pools\.csv:\d:1: pool "[PQ]" holds no account of random\.csv/);
        return;
      }
      expect(r.stderr).toBe('');
      const profits = b.profits.map(BigInt);
      const capacities = b.capacities.map((c, i) => (c === null ? (profits[i]! > 0n ? profits[i]! : 0n) : BigInt(c)));
      const common = { profits, ...(b.tieSeed === undefined ? {} : { tieSeed: b.tieSeed }) };
      const queueInput = { ...common, scores: b.scores.map(BigInt), capacities };
      const proRataInput = { ...common, weights: profits.map((p) => (p > 0n ? p : 0n)), caps: capacities };
      let queue: BigInt64Array, proRata: BigInt64Array;
      if (b.pooled) {
        // Pools by first appearance in the pools file: P is 0, Q is 1.
        const pool = Uint32Array.from(b.pools, (p) => (p === 'P' ? 0 : 1));
        const poolList = [{ loss: BigInt(b.loss) }, { loss: BigInt(Math.floor(b.loss / 2)) }];
        queue = deleveragePoolsReference({ ...queueInput, pool, pools: poolList }).haircuts;
        proRata = socializePoolsReference({ ...proRataInput, pool, pools: poolList }).haircuts;
      } else {
        queue = deleverageReference({ ...queueInput, loss: BigInt(b.loss) }).haircuts;
        proRata = socializeReference({ ...proRataInput, loss: BigInt(b.loss) }).haircuts;
      }
      expect(r.status).toBe(0);
      const csv = read('r.csv');
      expect(column(csv, 'queue').map(BigInt)).toEqual([...queue]);
      expect(column(csv, 'pro_rata').map(BigInt)).toEqual([...proRata]);
      expect(run(['verify', accounts, 'r.csv', '--report', 'r.json', '--quiet']).status).toBe(0);
    }), runs(16, 6));
  });

  it('verify finds a changed haircut, a changed measure and a report compare could not have written', () => {
    const accounts = file('v.csv', BOOK);
    const base = ['compare', accounts, '--decimals', '2', '--loss', '100', '--capacity-column', 'capacity', '--out', 'v-out.csv', '--report', 'v.json', '--quiet'];
    expect(run(base).status).toBe(0);
    const csv = read('v-out.csv');
    file('v-bad.csv', csv.replace('\nb,50.00,50.00,', '\nb,50.00,50.00,1'));
    const changed = run(['verify', accounts, 'v-bad.csv', '--report', 'v.json', '--quiet']);
    expect(changed.status).toBe(3);
    expect(changed.stdout).toMatch(/pro_rata haircuts differ from what pro-rata \(largest-remainder\) gives:\n {2}v-bad\.csv:3: account "b": expected /);
    const report = read('v.json');
    const gini = JSON.parse(report).result.mechanisms[1].gini.fraction as string;
    file('v-gini.json', report.replace(`"fraction": "${gini}"`, '"fraction": "1/2"'));
    const measure = run(['verify', accounts, 'v-out.csv', '--report', 'v-gini.json', '--quiet']);
    expect(measure.status).toBe(3);
    expect(measure.stdout).toContain(`result.mechanisms[1].gini.fraction: expected ${gini}, found 1/2`);
    file('v-param.json', report.replace('"rankBy": "profit"', '"rankBy": "equity"'));
    const param = run(['verify', accounts, 'v-out.csv', '--report', 'v-param.json', '--quiet']);
    expect(param.status).toBe(2);
    expect(param.stderr).toMatch(/^socialized-loss: v-param\.json is not a compare report: parameters are not what compare accepts: --rank-by must be profit or capacity/);
  });

  it('says what is wrong in one line, before any work', () => {
    const accounts = file('e.csv', BOOK);
    const cases: [string[], RegExp][] = [
      [['--mechanisms', 'weighted'], /--mechanisms weighted needs --weight-column/],
      [['--mechanisms', 'pro-rata,adl'], /--mechanisms lists "adl"; expected a comma-separated list of pro-rata, weighted, queue/],
      [['--score-column', 'score', '--rank-by', 'profit'], /--rank-by with --score-column/],
      [['--score-decimals', '2'], /--score-decimals needs --score-column/],
      [['--mechanisms', 'pro-rata', '--lot-column', 'lot'], /--lot-column is read by the queue only/],
      [['--cap-column', 'capacity'], /unknown option --cap-column for compare; did you mean --capacity-column\?/],
      [['--out', 'x.parquet'], /--out of compare is CSV/],
    ];
    for (const [extra, message] of cases) {
      const r = run(['compare', accounts, '--decimals', '2', '--loss', '10', ...extra]);
      expect(r.status, extra.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const lots = file('lots.csv', 'account,profit,lot\na,10,1\nb,20,0\n');
    const bad = run(['compare', lots, '--decimals', '0', '--loss', '5', '--lot-column', 'lot']);
    expect(bad).toMatchObject({ status: 2, stderr: 'socialized-loss: lots.csv:3:6: lot "0" is not above 0; expected a lot above 0 (the smallest amount the queue takes; empty: one unit)\n' });
  });
});
