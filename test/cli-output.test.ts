// How outputs land, in process: flushed to disk before the rename and the
// directory after it, and all or nothing (a failing rename puts back every
// output already placed). The failure is made real: a target that becomes a
// directory between the checks and the commit.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const calls: string[] = [];
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    fsyncSync: (fd: number) => {
      calls.push(`fsync ${fd}`);
      return fs.fsyncSync(fd);
    },
    renameSync: (from: string, to: string) => {
      calls.push(`rename ${to.split('/').pop()}`);
      return fs.renameSync(from, to);
    },
  };
});

const { commitAll, openOutputs } = await import('../src/cli/output.js');
const { EnvironmentError } = await import('../src/cli/errors.js');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'socialized-loss-output-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (text: string) => new TextEncoder().encode(text);
const leftovers = (path: string) => readdirSync(path).filter((name) => name.startsWith('.'));

describe('commitAll', () => {
  it('flushes every output before any rename, and the directory after', async () => {
    const sub = join(dir, 'order');
    mkdirSync(sub);
    const [out, report] = await openOutputs([['--out', join(sub, 'a.csv')], ['--report', join(sub, 'b.json')]], []);
    out!.write(bytes('rows\n'));
    report!.write(bytes('{}\n'));
    calls.length = 0;
    commitAll([out!, report!]);
    const renames = calls.flatMap((call, k) => (call.startsWith('rename') ? [k] : []));
    expect(calls.filter((call) => call.startsWith('rename'))).toEqual(['rename a.csv', 'rename b.json']);
    // Two file flushes before the first rename, a directory flush after the last.
    expect(calls.slice(0, renames[0]).filter((call) => call.startsWith('fsync'))).toHaveLength(2);
    expect(calls.slice(renames[1]! + 1).filter((call) => call.startsWith('fsync')).length).toBeGreaterThanOrEqual(1);
    expect(readFileSync(join(sub, 'a.csv'), 'utf8')).toBe('rows\n');
    expect(leftovers(sub)).toEqual([]);
  });

  it('puts back the outputs already placed when a later rename fails', async () => {
    const sub = join(dir, 'rollback');
    mkdirSync(sub);
    writeFileSync(join(sub, 'out.csv'), 'OLD\n');
    const [out, report] = await openOutputs([['--out', join(sub, 'out.csv')], ['--report', join(sub, 'report.json')]], []);
    out!.write(bytes('NEW\n'));
    report!.write(bytes('{}\n'));
    mkdirSync(join(sub, 'report.json')); // the report's rename now fails (EISDIR)
    expect(() => commitAll([out!, report!])).toThrow(EnvironmentError);
    expect(readFileSync(join(sub, 'out.csv'), 'utf8')).toBe('OLD\n');
    expect(leftovers(sub)).toEqual([]);
  });

  it('removes a new output again when a later rename fails', async () => {
    const sub = join(dir, 'rollback-new');
    mkdirSync(sub);
    const [out, report] = await openOutputs([['--out', join(sub, 'fresh.csv')], ['--report', join(sub, 'report.json')]], []);
    out!.write(bytes('NEW\n'));
    mkdirSync(join(sub, 'report.json'));
    expect(() => commitAll([out!, report!])).toThrow(/cannot write .*report\.json: is a directory \(EISDIR\)/);
    expect(existsSync(join(sub, 'fresh.csv'))).toBe(false);
    expect(leftovers(sub)).toEqual([]);
  });
});
