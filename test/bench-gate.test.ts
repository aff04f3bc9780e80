// The regression gate's choice of baseline and its verdicts (bench/baselines.ts).
import { describe, expect, it } from 'vitest';
import { bestOf, chooseBaseline, compare, hostKind, parseBaselines, withBaseline, type Baselines, type HostBaseline } from '../bench/baselines.js';
import type { Machine } from '../bench/machine.js';

const machineOf = (cpu: string, node = 'v20.20.2'): Machine => ({
  cpu, node, cores: 2, memoryGiB: 24, platform: 'linux x64', v8: '11.3', packages: {},
});
const entry = (cpu: string, figures: HostBaseline['figures'], node = 'v20.20.2'): HostBaseline => ({
  kind: hostKind(machineOf(cpu, node)), machine: machineOf(cpu, node), variant: 'simd', date: '2026-12-01T00:00:00Z',
  copyAccounts: 4_000_000, referenceAccounts: 100_000, figures,
});
// The figures seen on the two host kinds here: the same commit, 92.5× and 72.9× reference ÷ engine.
const amd = entry('AMD EPYC', { 'half-in-loss': { engineOverCopy: 12.44, referenceOverEngine: 92.51 }, whales: { engineOverCopy: 2.63, referenceOverEngine: 1 } });
const intelNow = { 'half-in-loss': { engineOverCopy: 9.3, referenceOverEngine: 72.9 }, whales: { engineOverCopy: 2.5, referenceOverEngine: 1 } };

describe('bench:check baselines', () => {
  it('keys a host kind by CPU model and Node major version', () => {
    expect(hostKind(machineOf('Intel(R) Xeon(R)  Processor', 'v20.20.2'))).toBe('Intel(R) Xeon(R) Processor · Node 20');
  });

  it('takes this host kind’s own baseline, else the nearest (same maker first) and says it is not exact', () => {
    const intel = entry('Intel(R) Xeon(R) Processor', intelNow);
    const file: Baselines = { hosts: [amd, intel, entry('AMD EPYC', intelNow, 'v22.1.0')] };
    expect(chooseBaseline(file, machineOf('Intel(R) Xeon(R) Processor'))).toEqual({ baseline: intel, exact: true });
    expect(chooseBaseline(file, machineOf('AMD EPYC 9B14'))).toEqual({ baseline: amd, exact: false });
    expect(chooseBaseline(file, machineOf('Intel(R) Core(TM) i7'))).toEqual({ baseline: intel, exact: false });
    expect(chooseBaseline({ hosts: [] }, machineOf('AMD EPYC'))).toBeUndefined();
  });

  it('stays quiet on another host kind: the cross-code ratio is shown but does not gate', () => {
    const { rows } = compare(intelNow, { baseline: amd, exact: false }, 0.25);
    const cross = rows.find((row) => row.figure === 'reference ÷ engine')!;
    expect(cross.slowdown).toBeGreaterThan(1.25);
    expect(cross).toMatchObject({ gates: false, failed: false });
    expect(rows.some((row) => row.failed)).toBe(false);
  });

  it('fails on a deliberate slowdown, against its own host kind and against the nearest', () => {
    const slower = { 'half-in-loss': { engineOverCopy: 12.44 * 1.4, referenceOverEngine: 92.51 / 1.4 }, whales: { engineOverCopy: 2.63, referenceOverEngine: 1 } };
    for (const exact of [true, false]) {
      const failed = compare(slower, { baseline: amd, exact }, 0.25).rows.filter((row) => row.failed).map((row) => row.figure);
      expect(failed).toEqual(exact ? ['engine ÷ copy', 'reference ÷ engine'] : ['engine ÷ copy']);
    }
    const { rows } = compare({ whales: { engineOverCopy: 2.63 * 1.3, referenceOverEngine: 1 } }, { baseline: amd, exact: true }, 0.25);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ figure: 'by weight, whales capped ÷ plain', failed: true });
  });

  it('reads the one-host file of earlier versions and replaces only its own kind on update', () => {
    const { kind: _kind, ...old } = amd;
    const read = parseBaselines(JSON.stringify(old));
    expect(read.hosts).toEqual([amd]);
    const intel = entry('Intel(R) Xeon(R) Processor', intelNow);
    const both = withBaseline(read, intel);
    expect(both.hosts.map((host) => host.kind)).toEqual(['AMD EPYC · Node 20', 'Intel(R) Xeon(R) Processor · Node 20']);
    const again = withBaseline(both, { ...intel, date: '2026-12-07T00:00:00Z' });
    expect(again.hosts).toHaveLength(2);
    expect(again.hosts[1]!.date).toBe('2026-12-07T00:00:00Z');
    expect(() => parseBaselines('{"nothing":1}')).toThrow(TypeError);
  });

  it('a figure measured again keeps its better measurement: a burst passes, a slowdown seen every time does not', () => {
    const chosen = { baseline: entry('AMD EPYC', { uniform: { engineOverCopy: 10, referenceOverEngine: 100 } }), exact: true };
    const burst = { uniform: { engineOverCopy: 14, referenceOverEngine: 70 } };
    expect(compare(burst, chosen, 0.25).rows.map((row) => row.failed)).toEqual([true, true]);
    const quiet = { uniform: bestOf(burst.uniform, { engineOverCopy: 10.5, referenceOverEngine: 96 }) };
    expect(quiet.uniform).toEqual({ engineOverCopy: 10.5, referenceOverEngine: 96 });
    expect(compare(quiet, chosen, 0.25).rows.map((row) => row.failed)).toEqual([false, false]);
    const slow = { uniform: bestOf(burst.uniform, { engineOverCopy: 13.5, referenceOverEngine: 72 }) };
    expect(compare(slow, chosen, 0.25).rows.map((row) => row.failed)).toEqual([true, true]);
  });
});
