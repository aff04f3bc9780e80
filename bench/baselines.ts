// The regression gate's baselines, one per host kind.
//
// How fast code runs relative to a memory copy is a property of the code; how fast
// the plain-bigint reference runs relative to the engine is also a property of the
// CPU (the same commit measured 92.5× on an AMD EPYC host and 72.9× on an Intel Xeon
// host). So `bench/baseline.json` keeps one entry per host kind (CPU model and Node's
// major version), and the gate compares with the entry of this host kind, or, when
// there is none, with the nearest one, which it names. Figures whose two sides are the
// same code path on the same data (engine ÷ copy, pools ÷ plain, weights ÷ plain) gate
// against any entry; the cross-code figure (reference ÷ engine) gates only against an
// entry of this very host kind, and is reported without gating against another.

import type { Machine } from './machine.js';

/** The figures of one profile: lower is better for the first, higher for the second. */
export interface Figures {
  /** Engine book path ÷ copy floor (or, for the relative rows, variant ÷ plain). */
  engineOverCopy: number;
  /** Reference ÷ engine book path (1 for the relative rows). */
  referenceOverEngine: number;
}

/** One host kind's baseline. */
export interface HostBaseline {
  /** The host kind: `hostKind(machine)`. */
  kind: string;
  machine: Machine;
  /** The core build measured (`simd`, `scalar`). */
  variant: string;
  /** When it was measured (ISO 8601, UTC). */
  date: string;
  copyAccounts: number;
  referenceAccounts: number;
  figures: Record<string, Figures>;
}

/** The file: every host kind's baseline. */
export interface Baselines {
  hosts: HostBaseline[];
}

/** The CPU model and Node's major version: what a cross-code ratio depends on. */
export function hostKind(machine: Pick<Machine, 'cpu' | 'node'>): string {
  const cpu = machine.cpu.replace(/\s+/g, ' ').trim();
  const major = /^v?(\d+)/.exec(machine.node)?.[1] ?? machine.node;
  return `${cpu} · Node ${major}`;
}

/** The CPU's maker, from its model string: the nearest kinds share it. */
function vendor(cpu: string): string {
  const model = cpu.toLowerCase();
  for (const name of ['amd', 'intel', 'apple', 'arm', 'graviton', 'ampere']) if (model.includes(name)) return name;
  return model;
}

function nodeMajor(node: string): number {
  return Number(/^v?(\d+)/.exec(node)?.[1] ?? 0);
}

/** The baseline to compare with, and whether it is this host kind's own. */
export interface Chosen {
  baseline: HostBaseline;
  exact: boolean;
}

/**
 * The entry of this host kind when there is one; otherwise the nearest: the same CPU
 * maker first, then the closest Node major version, then the newest.
 */
export function chooseBaseline(baselines: Baselines, machine: Pick<Machine, 'cpu' | 'node'>): Chosen | undefined {
  const kind = hostKind(machine);
  const exact = baselines.hosts.find((host) => host.kind === kind);
  if (exact) return { baseline: exact, exact: true };
  const maker = vendor(machine.cpu);
  const major = nodeMajor(machine.node);
  const ranked = [...baselines.hosts].sort((a, b) =>
    Number(vendor(b.machine.cpu) === maker) - Number(vendor(a.machine.cpu) === maker)
    || Math.abs(nodeMajor(a.machine.node) - major) - Math.abs(nodeMajor(b.machine.node) - major)
    || b.date.localeCompare(a.date));
  const nearest = ranked[0];
  return nearest ? { baseline: nearest, exact: false } : undefined;
}

/** Puts `entry` in place of its host kind's old entry (or adds it), keeping the others. */
export function withBaseline(baselines: Baselines, entry: HostBaseline): Baselines {
  return { hosts: [...baselines.hosts.filter((host) => host.kind !== entry.kind), entry].sort((a, b) => a.kind.localeCompare(b.kind)) };
}

/** Reads the file; the single-host shape of earlier versions becomes one entry. */
export function parseBaselines(text: string): Baselines {
  const data = JSON.parse(text) as Partial<Baselines> & Partial<Omit<HostBaseline, 'kind'>>;
  if (Array.isArray(data.hosts)) return { hosts: data.hosts };
  if (data.machine && data.figures) {
    const { machine, variant = 'simd', date = '', copyAccounts = 0, referenceAccounts = 0, figures } = data;
    return { hosts: [{ kind: hostKind(machine), machine, variant, date, copyAccounts, referenceAccounts, figures }] };
  }
  throw new TypeError('a baseline file holds { hosts: [...] }');
}

/** One row of the comparison. */
export interface Row {
  profile: string;
  figure: string;
  was: number;
  is: number;
  /** Time now ÷ time then: above 1 is slower. */
  slowdown: number;
  /** Whether this row can fail the gate against the chosen baseline. */
  gates: boolean;
  failed: boolean;
}

/** Rows whose figure is one ratio against the engine's own plain path, and what it is. */
export const RELATIVE: Record<string, string> = {
  '1,000 pools': '1,000 pools ÷ one pool', 'by weight': 'by weight, 10% capped ÷ plain', whales: 'by weight, whales capped ÷ plain',
};

/** The better of two measurements of one profile's figures: the lower engine ÷ copy, the higher reference ÷ engine. */
export function bestOf(a: Figures, b: Figures): Figures {
  return { engineOverCopy: Math.min(a.engineOverCopy, b.engineOverCopy), referenceOverEngine: Math.max(a.referenceOverEngine, b.referenceOverEngine) };
}

/** Compares the figures measured now with a chosen baseline under a tolerance (0.25 = 25%). */
export function compare(now: Record<string, Figures>, chosen: Chosen, tolerance: number): { rows: Row[]; missing: string[] } {
  const rows: Row[] = [];
  const missing: string[] = [];
  for (const [profile, figures] of Object.entries(now)) {
    const before = chosen.baseline.figures[profile];
    if (!before) {
      missing.push(profile);
      continue;
    }
    // A slowdown of the engine raises engine ÷ copy and lowers reference ÷ engine.
    const relative = RELATIVE[profile];
    const slowdown = figures.engineOverCopy / before.engineOverCopy;
    rows.push({
      profile, figure: relative ?? 'engine ÷ copy', was: before.engineOverCopy, is: figures.engineOverCopy,
      slowdown, gates: true, failed: slowdown > 1 + tolerance,
    });
    if (!relative) {
      const crossSlowdown = before.referenceOverEngine / figures.referenceOverEngine;
      rows.push({
        profile, figure: 'reference ÷ engine', was: before.referenceOverEngine, is: figures.referenceOverEngine,
        slowdown: crossSlowdown, gates: chosen.exact, failed: chosen.exact && crossSlowdown > 1 + tolerance,
      });
    }
  }
  return { rows, missing };
}
