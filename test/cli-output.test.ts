// How outputs land, in process: flushed to disk before the rename and the
// directory after it, and all or nothing (a failing rename puts back every
// output already placed). The failure is made real: a target that becomes a
// directory between the checks and the commit.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const calls: string[] = [];
let failLinks = false;
let failChmod = false;
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    fsyncSync: (fd: number) => {
      calls.push(`fsync ${fd}`);
      return fs.fsyncSync(fd);
    },
    fsync: (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
      calls.push(`fsync ${fd}`);
      return fs.fsync(fd, callback);
    },
    fchmodSync: (fd: number, mode: number) => {
      if (failChmod) throw Object.assign(new Error('EPERM: operation not permitted'), { code: 'EPERM' });
      return fs.fchmodSync(fd, mode);
    },
    linkSync: (from: string, to: string) => {
      if (failLinks) throw Object.assign(new Error('EMLINK: too many links'), { code: 'EMLINK' });
      return fs.linkSync(from, to);
    },
    renameSync: (from: string, to: string) => {
      calls.push(`rename ${to.split('/').pop()}`);
      return fs.renameSync(from, to);
    },
  };
});

const { commitAll, openOutputs } = await import('../src/cli/output.js');
const { EnvironmentError } = await import('../src/files/errors.js');

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
    await commitAll([out!, report!]);
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
    await expect(commitAll([out!, report!])).rejects.toThrow(EnvironmentError);
    expect(readFileSync(join(sub, 'out.csv'), 'utf8')).toBe('OLD\n');
    expect(leftovers(sub)).toEqual([]);
  });

  it('removes a new output again when a later rename fails', async () => {
    const sub = join(dir, 'rollback-new');
    mkdirSync(sub);
    const [out, report] = await openOutputs([['--out', join(sub, 'fresh.csv')], ['--report', join(sub, 'report.json')]], []);
    out!.write(bytes('NEW\n'));
    mkdirSync(join(sub, 'report.json'));
    await expect(commitAll([out!, report!])).rejects.toThrow(/cannot write .*report\.json: is a directory \(EISDIR\)/);
    expect(existsSync(join(sub, 'fresh.csv'))).toBe(false);
    expect(leftovers(sub)).toEqual([]);
  });

  it('replaces nothing when no way back can be kept for an output placed before another', async () => {
    const sub = join(dir, 'no-links');
    mkdirSync(sub);
    writeFileSync(join(sub, 'out.csv'), 'OLD\n');
    writeFileSync(join(sub, 'report.json'), 'OLD REPORT\n');
    const [out, report] = await openOutputs([['--out', join(sub, 'out.csv')], ['--report', join(sub, 'report.json')]], []);
    out!.write(bytes('NEW\n'));
    report!.write(bytes('{}\n'));
    failLinks = true;
    try {
      await expect(commitAll([out!, report!])).rejects.toThrow(/cannot keep the current file to put it back .*\(EMLINK\)\); nothing was replaced/);
    } finally {
      failLinks = false;
    }
    expect(readFileSync(join(sub, 'out.csv'), 'utf8')).toBe('OLD\n');
    expect(readFileSync(join(sub, 'report.json'), 'utf8')).toBe('OLD REPORT\n');
    expect(leftovers(sub)).toEqual([]);
  });

  it('writes a temporary file private (0600) and gives it the final mode only when complete', async () => {
    const sub = join(dir, 'modes');
    mkdirSync(sub);
    writeFileSync(join(sub, 'shared.csv'), 'OLD\n');
    chmodSync(join(sub, 'shared.csv'), 0o664);
    const [out] = await openOutputs([['--out', join(sub, 'shared.csv')]], []);
    const temporary = readdirSync(sub).find((name) => name.endsWith('.tmp'))!;
    expect(statSync(join(sub, temporary)).mode & 0o777).toBe(0o600);
    out!.write(bytes('NEW\n'));
    await commitAll([out!]);
    expect(statSync(join(sub, 'shared.csv')).mode & 0o777).toBe(0o664);
  });

  it('works on a file system that refuses modes (FAT, some network mounts)', async () => {
    const sub = join(dir, 'no-modes');
    mkdirSync(sub);
    failChmod = true;
    try {
      const [out] = await openOutputs([['--out', join(sub, 'o.csv')]], []);
      out!.write(bytes('NEW\n'));
      await commitAll([out!]);
    } finally {
      failChmod = false;
    }
    expect(readFileSync(join(sub, 'o.csv'), 'utf8')).toBe('NEW\n');
  });

  it('says before any work when the first of two outputs could not be put back', async () => {
    const sub = join(dir, 'probe');
    mkdirSync(sub);
    writeFileSync(join(sub, 'out.csv'), 'OLD\n');
    failLinks = true;
    try {
      await expect(openOutputs([['--out', join(sub, 'out.csv')], ['--report', join(sub, 'r.json')]], [])).rejects.toThrow(
        /cannot keep the current file to put it back should the other output fail .*; write the two outputs to other files/);
    } finally {
      failLinks = false;
    }
    expect(readFileSync(join(sub, 'out.csv'), 'utf8')).toBe('OLD\n');
    expect(leftovers(sub)).toEqual([]);
  });

  it('an output removed by someone else after the checks is simply written', async () => {
    const sub = join(dir, 'vanished');
    mkdirSync(sub);
    writeFileSync(join(sub, 'out.csv'), 'OLD\n');
    const [out, report] = await openOutputs([['--out', join(sub, 'out.csv')], ['--report', join(sub, 'r.json')]], []);
    out!.write(bytes('NEW\n'));
    report!.write(bytes('{}\n'));
    rmSync(join(sub, 'out.csv'));
    await commitAll([out!, report!]);
    expect(readFileSync(join(sub, 'out.csv'), 'utf8')).toBe('NEW\n');
    expect(leftovers(sub)).toEqual([]);
  });
});
