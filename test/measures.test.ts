// measureHaircuts against its definitions, computed here the plain way (the Gini
// coefficient by its double sum, the largest share by comparing every pair of ratios,
// the top payers and tenths by sorting), on random haircut vectors of every mechanism
// and on a venue's own; its errors; pools and the overall figures.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { measureHaircuts, type HaircutMeasures } from '../src/index.js';
import { deleverageReference, socializeReference } from '../src/reference.js';
import { mostlySmall } from './arbitraries.js';
import { runs } from './support.js';

/** a/b reduced, as the measures write it (0/1 for b = 0). */
function reduced(a: bigint, b: bigint): string {
  if (b === 0n) return '0/1';
  let [x, y] = [a < 0n ? -a : a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  const d = x === 0n ? 1n : x;
  return `${a / d}/${b / d}`;
}

/** The measures of `members`, each by its definition. */
function byDefinition(members: number[], h: bigint[], c: bigint[]): Omit<HaircutMeasures, 'uncovered' | 'overshoot'> {
  const n = members.length;
  const collected = members.reduce((s, i) => s + h[i]!, 0n);
  const totalCapacity = members.reduce((s, i) => s + c[i]!, 0n);
  let doubleSum = 0n;
  for (const i of members) for (const j of members) doubleSum += h[i]! > h[j]! ? h[i]! - h[j]! : h[j]! - h[i]!;
  let best: [bigint, bigint] = [0n, 1n];
  for (const i of members) if (h[i]! * best[1] > best[0] * c[i]!) best = [h[i]!, c[i]!];
  const top10 = [...members].map((i) => h[i]!).sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)).slice(0, 10).reduce((s, v) => s + v, 0n);
  const byCapacity = [...members].sort((a, b) => (c[a]! !== c[b]! ? (c[a]! < c[b]! ? -1 : 1) : a - b));
  const top1 = [...members].sort((a, b) => (c[a]! !== c[b]! ? (c[a]! > c[b]! ? -1 : 1) : a - b)).slice(0, Math.ceil(n / 100));
  const rate = (a: bigint, b: bigint) => expect.objectContaining({ fraction: reduced(a, b) });
  return {
    accounts: n, totalCapacity, collected,
    accountsCharged: members.filter((i) => h[i]! > 0n).length,
    accountsTakenWhole: members.filter((i) => h[i] === c[i]).length,
    largestHaircut: members.reduce((m, i) => (h[i]! > m ? h[i]! : m), 0n),
    largestShareOfCapacity: rate(best[0], best[1]),
    top10Share: rate(top10, collected),
    top1PercentShare: rate(top1.reduce((s, i) => s + h[i]!, 0n), collected),
    gini: rate(doubleSum, 2n * BigInt(n) * collected),
    tenths: Array.from({ length: 10 }, (_, k) => {
      const part = byCapacity.slice(Math.floor((k * n) / 10), Math.floor(((k + 1) * n) / 10));
      return { accounts: part.length, collected: rate(part.reduce((s, i) => s + h[i]!, 0n), collected), capacity: rate(part.reduce((s, i) => s + c[i]!, 0n), totalCapacity) };
    }),
  };
}

describe('measureHaircuts', () => {
  it('the queue against pro rata on one small book', () => {
    const capacities = [50n, 40n, 30n];
    const queue = measureHaircuts({ haircuts: [0n, 40n, 30n], capacities, loss: 70n });
    expect(queue).toMatchObject({
      accounts: 3, collected: 70n, uncovered: 0n, overshoot: 0n, accountsCharged: 2, accountsTakenWhole: 2, largestHaircut: 40n,
      largestShareOfCapacity: { fraction: '1/1', decimal: '1.000000000000' }, gini: { fraction: '8/21', decimal: '0.380952380952' },
    });
    const proRata = measureHaircuts({ haircuts: socializeReference({ loss: 70n, profits: capacities }).haircuts, capacities, loss: 70n });
    expect(proRata).toMatchObject({ accountsTakenWhole: 0, largestShareOfCapacity: { fraction: '3/5' } });
    // Under pro rata every tenth pays its share of capacity, within rounding; under the queue it does not.
    expect(proRata.gini.fraction).not.toBe(queue.gini.fraction);
  });

  it('agrees with each definition on random books, for the queue, pro rata and arbitrary vectors', () => {
    const input = fc.integer({ min: 0, max: 60 }).chain((n) => fc.record({
      capacities: fc.array(mostlySmall(0n, 40n, 0n), { minLength: n, maxLength: n }),
      exempt: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      scores: fc.array(fc.bigInt({ min: -5n, max: 5n }), { minLength: n, maxLength: n }),
      fractions: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }),
      loss: fc.bigInt({ min: 0n, max: 300n }),
    }));
    fc.assert(fc.property(input, fc.constantFrom('queue', 'pro-rata', 'any'), ({ capacities, exempt, scores, fractions, loss }, mechanism) => {
      const n = capacities.length;
      const profits = capacities.map((c, i) => (i % 3 === 0 ? -c : c));
      const haircuts = mechanism === 'queue'
        ? Array.from(deleverageReference({ loss, profits, scores, capacities, exempt }).haircuts)
        : mechanism === 'pro-rata'
          ? Array.from(socializeReference({ loss, profits, weights: profits.map((p) => (p > 0n ? p : 0n)), caps: capacities, exempt }).haircuts)
          : capacities.map((c, i) => (exempt[i] ? 0n : (c * BigInt(fractions[i]!)) / 4n));
      const result = measureHaircuts({ haircuts, capacities, exempt, loss });
      const members = Array.from({ length: n }, (_, i) => i).filter((i) => !exempt[i] && capacities[i]! > 0n);
      expect(result).toMatchObject(byDefinition(members, haircuts, capacities));
      const collected = haircuts.reduce((s, h) => s + h, 0n);
      expect(result.uncovered! - result.overshoot!).toBe(loss - collected);
    }), runs(300));
  });

  it('pools: per pool, and overall with uncovered and overshoot summed, never netted', () => {
    const result = measureHaircuts({
      haircuts: [10n, 0n, 7n, 3n], capacities: [10n, 5n, 7n, 3n], pool: Uint32Array.from([0, 0, 1, 1]), pools: [{ loss: 15n }, { loss: 8n, insuranceFund: 1n }],
    });
    expect(result.pools!.map((p) => [p.collected, p.uncovered, p.overshoot])).toEqual([[10n, 5n, 0n], [10n, 0n, 3n]]);
    expect([result.collected, result.uncovered, result.overshoot]).toEqual([20n, 5n, 3n]);
    expect(result.accounts).toBe(4);
  });

  it('without a loss, the figures that need it are absent; capacities default to the positive profits', () => {
    const result = measureHaircuts({ haircuts: [1n, 0n], profits: [4n, -2n] });
    expect(result).not.toHaveProperty('uncovered');
    expect(result).toMatchObject({ accounts: 1, totalCapacity: 4n, largestShareOfCapacity: { fraction: '1/4', decimal: '0.250000000000' } });
  });

  it('nothing collected: every share 0/1', () => {
    const result = measureHaircuts({ haircuts: [], capacities: [] });
    expect(result).toMatchObject({ accounts: 0, collected: 0n, gini: { fraction: '0/1' }, top10Share: { fraction: '0/1' }, largestHaircut: 0n });
  });

  it.each([
    ['a negative haircut', { haircuts: [-1n, 0n], capacities: [5n, 5n] }, /^haircuts\[0\] must not be negative, got -1$/],
    ['a haircut above its capacity', { haircuts: [0n, 6n], capacities: [5n, 5n] }, /^haircuts\[1\] is 6, above its capacity 5$/],
    ['a haircut of an exempt account', { haircuts: [1n, 0n], capacities: [5n, 5n], exempt: [true, false] }, /^haircuts\[0\] is 1, but the account is exempt/],
    ['a haircut of an account without capacity', { haircuts: [0n, 0n, 1n], capacities: [5n, 5n, 0n] }, /^haircuts\[2\] is 1, above its capacity 0$/],
  ])('%s', (_, input, message) => {
    expect(() => measureHaircuts(input)).toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: expect.stringMatching(message) }));
  });

  it('refuses an unknown key, pools without pool, and a fund without a loss', () => {
    expect(() => measureHaircuts({ haircuts: [], capacities: [], capacity: [] } as never)).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_OPTION', message: expect.stringMatching(/did you mean capacities\?/) }));
    expect(() => measureHaircuts({ haircuts: [], capacities: [], pools: [] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
    expect(() => measureHaircuts({ haircuts: [], capacities: [], insuranceFund: 1n })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
    expect(() => measureHaircuts({ haircuts: [1n] })).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_TYPE' }));
  });
});
