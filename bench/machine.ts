// What the numbers were measured on: printed above every table and saved with --json.

import { cpus, totalmem, platform, arch } from 'node:os';
import { readFileSync } from 'node:fs';

/** The machine, runtime and package versions of a benchmark run. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  node: string;
  v8: string;
  packages: Record<string, string>;
}

function versionOf(name: string): string {
  const url = new URL(`../../../node_modules/${name}/package.json`, import.meta.url);
  try {
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Describes this machine. */
export function machine(): Machine {
  const [first] = cpus();
  return {
    cpu: first?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${platform()} ${arch()}`,
    node: process.version,
    v8: process.versions.v8,
    packages: Object.fromEntries(['assemblyscript', 'tinybench', 'fast-check'].map((name) => [name, versionOf(name)])),
  };
}

/** One line for the top of a report. */
export function describeMachine(m: Machine): string {
  const packages = Object.entries(m.packages).map(([name, version]) => `${name} ${version}`).join(', ');
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}; Node ${m.node} (V8 ${m.v8}); ${packages}`;
}
