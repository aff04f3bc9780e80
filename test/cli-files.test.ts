// No file is ever lost, whatever the fault: the command run as users run it (the
// built bin in a child process), against same-file outputs, failing outputs,
// devices and symlinks at the out path, signals, inputs that change while read
// and a full disk. Cases that need root (a device node, a tmpfs) are skipped
// with a printed reason elsewhere.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  appendFileSync, chmodSync, closeSync, openSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync,
  statSync, symlinkSync, truncateSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAccountFile } from '../bench/cli-file.js';

/** The command under test (SOCIALIZED_LOSS_BIN runs the suite against another build, e.g. an older one). */
const bin = process.env.SOCIALIZED_LOSS_BIN ?? new URL('../dist/cli/main.js', import.meta.url).pathname;
const root = process.getuid?.() === 0;
const linux = process.platform === 'linux';
/** Whether the command can run as `nobody` (its files readable by others: not so in a 0700 checkout). */
const nobodyCanRun = root && linux &&
  spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(bin)}, require('node:fs').constants.R_OK)`], { uid: 65534 }).status === 0;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'socialized-loss-files-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], options: { input?: string; uid?: number } = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', ...options });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

const read = (name: string) => readFileSync(join(dir, name), 'utf8');
const temporaries = () => readdirSync(dir).filter((name) => name.endsWith('.tmp') || name.endsWith('.old'));
const ACCOUNTS = 'account,profit\na,10\nb,30\n';
const HAIRCUTS = 'account,profit,haircut,profit_after\na,10,1,9\nb,30,3,27\n';
const split = ['--loss', '4', '--decimals', '0', '--quiet'];

/** Starts the command and resolves once it holds `input` open (Linux: /proc), so a change now happens while it reads. */
async function startReading(args: string[], input: string) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: dir });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  const target = join(dir, input);
  for (let tries = 0; tries < 2000; tries++) {
    let open = false;
    try {
      open = readdirSync(`/proc/${child.pid}/fd`).some((fd) => {
        try {
          return readlinkSync(`/proc/${child.pid}/fd/${fd}`) === target;
        } catch {
          return false;
        }
      });
    } catch { /* not started yet */ }
    if (open) break;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return { child, exited, stderr: () => stderr };
}

describe('every output and input is a distinct file (exit 2 before any work)', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['--out and --report the same file', () => ['--out', 'same.csv', '--report', 'same.csv'], /--report same\.csv and --out same\.csv are the same file/],
    ['--out and --report the same new file by two spellings', () => ['--out', 'new.csv', '--report', './new.csv'], /are the same file/],
    ['--out naming the input', () => ['--out', 'in.csv'], /--out in\.csv and the input in\.csv are the same file/],
    ['--report naming the input', () => ['--report', 'in.csv'], /--report in\.csv and the input in\.csv are the same file/],
    ['--out a symlink to the input', () => {
      if (!existsSync(join(dir, 'in-link.csv'))) symlinkSync('in.csv', join(dir, 'in-link.csv'));
      return ['--out', 'in-link.csv'];
    }, /--out in-link\.csv and the input in\.csv are the same file/],
    ['--report a hard link to the input', () => {
      if (!existsSync(join(dir, 'in-hard.csv'))) linkSync(join(dir, 'in.csv'), join(dir, 'in-hard.csv'));
      return ['--report', 'in-hard.csv'];
    }, /--report in-hard\.csv and the input in\.csv are the same file/],
    ['--out a hard link of --report', () => {
      file('r1.json', 'old report\n');
      if (!existsSync(join(dir, 'r1-hard.csv'))) linkSync(join(dir, 'r1.json'), join(dir, 'r1-hard.csv'));
      return ['--out', 'r1-hard.csv', '--report', 'r1.json'];
    }, /are the same file/],
  ];
  it.each(cases)('%s', (_, args, message) => {
    file('in.csv', ACCOUNTS);
    file('same.csv', 'old output\n');
    const r = run(['socialize', 'in.csv', ...split, ...args()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/every output and input must be a distinct file/);
    expect(read('in.csv')).toBe(ACCOUNTS);
    expect(read('same.csv')).toBe('old output\n');
    expect(existsSync(join(dir, 'new.csv'))).toBe(false);
    expect(temporaries()).toEqual([]);
  });

  it('stdin redirected from the file named by --out', () => {
    file('piped.csv', ACCOUNTS);
    const fd = openSync(join(dir, 'piped.csv'), 'r');
    try {
      const r = spawnSync(process.execPath, [bin, 'socialize', '-', ...split, '--out', 'piped.csv'], { cwd: dir, encoding: 'utf8', stdio: [fd, 'pipe', 'pipe'] });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--out piped\.csv and the input <stdin> are the same file/);
    } finally {
      closeSync(fd);
    }
    expect(read('piped.csv')).toBe(ACCOUNTS);
  });
});

describe('an output that cannot be written fails before any work, and nothing is replaced', () => {
  // The input's last row is bad: a message about it would mean the output was checked only after the work.
  const late = 'account,profit\na,10\nb,oops\n';
  const cases: [string, () => string[], RegExp][] = [
    ['--report naming a directory', () => {
      mkdirSync(join(dir, 'a-dir'), { recursive: true });
      return ['--out', 'kept.csv', '--report', 'a-dir'];
    }, /cannot write a-dir: is a directory/],
    ['--report as an empty path', () => ['--out', 'kept.csv', '--report', ''], /--report is an empty file name/],
    ['--out .', () => ['--out', '.'], /cannot write \.: is a directory/],
    ['--out ending in /', () => ['--out', 'somewhere/'], /cannot write somewhere\/: names a directory/],
    ['--out under a file (ENOTDIR)', () => ['--out', 'kept.csv/x.csv'], /cannot write kept\.csv\/x\.csv: a part of the path is not a directory \(ENOTDIR\)/],
    ['--out in a missing directory', () => ['--out', 'no-such-dir/x.csv'], /cannot write no-such-dir\/x\.csv: no such directory/],
    ['--out a dangling symlink', () => {
      if (!existsSync(join(dir, 'dangling.csv'))) symlinkSync('nowhere/at/all.csv', join(dir, 'dangling.csv'));
      return ['--out', 'dangling.csv'];
    }, /cannot write dangling\.csv: is a symbolic link to a file that does not exist/],
  ];
  it.each(cases)('%s', (_, args, message) => {
    file('late.csv', late);
    file('kept.csv', 'OLD\n');
    const r = run(['socialize', 'late.csv', ...split, ...args()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/oops|at .*\.js:\d+/); // checked before the rows, and never a stack trace
    expect(read('kept.csv')).toBe('OLD\n');
    expect(temporaries()).toEqual([]);
  });

  it('a directory or a missing file as input names the path and the reason', () => {
    mkdirSync(join(dir, 'books.csv'), { recursive: true });
    expect(run(['socialize', 'books.csv', ...split]).stderr).toBe('socialized-loss: cannot read books.csv: is a directory; expected an account file\n');
    const missing = run(['socialize', 'missing.csv', ...split]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('socialized-loss: cannot read missing.csv: no such file or directory (ENOENT)\n');
  });

  it.skipIf(!nobodyCanRun)('permission denied is reported as such (run as nobody)', () => {
    file('secret.csv', ACCOUNTS);
    chmodSync(join(dir, 'secret.csv'), 0o000);
    chmodSync(dir, 0o777);
    const r = run(['socialize', 'secret.csv', ...split], { uid: 65534 });
    expect(r.stderr).toBe('socialized-loss: cannot read secret.csv: permission denied (EACCES)\n');
    expect(r.status).toBe(2);
    file('readable.csv', ACCOUNTS);
    mkdirSync(join(dir, 'locked'), { recursive: true });
    chmodSync(join(dir, 'locked'), 0o555);
    const w = run(['socialize', 'readable.csv', ...split, '--out', 'locked/x.csv'], { uid: 65534 });
    expect(w.stderr).toBe('socialized-loss: cannot write locked/x.csv: permission denied (EACCES)\n');
    expect(w.status).toBe(2);
  });
});

describe('what is at the out path', () => {
  it('a replaced file keeps its mode', () => {
    file('in.csv', ACCOUNTS);
    file('moded.csv', 'old\n');
    chmodSync(join(dir, 'moded.csv'), 0o640);
    expect(run(['socialize', 'in.csv', ...split, '--out', 'moded.csv']).status).toBe(0);
    expect(read('moded.csv')).toBe(HAIRCUTS);
    expect(statSync(join(dir, 'moded.csv')).mode & 0o777).toBe(0o640);
  });

  it('a symlink to a regular file stays a symlink; the file it points at is replaced', () => {
    file('in.csv', ACCOUNTS);
    file('real-out.csv', 'old\n');
    symlinkSync('real-out.csv', join(dir, 'out-link.csv'));
    expect(run(['socialize', 'in.csv', ...split, '--out', 'out-link.csv']).status).toBe(0);
    expect(lstatSync(join(dir, 'out-link.csv')).isSymbolicLink()).toBe(true);
    expect(read('real-out.csv')).toBe(HAIRCUTS);
    expect(temporaries()).toEqual([]);
  });

  it.skipIf(!linux)('a symlink to /proc/self/fd/1 is written through to stdout, not replaced', () => {
    file('in.csv', ACCOUNTS);
    symlinkSync('/proc/self/fd/1', join(dir, 'to-stdout'));
    // Through `| cat` the command's stdout is a pipe (spawnSync's own stdout is a socket, which has no path to open).
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" socialize in.csv ${split.join(' ')} --out to-stdout | cat`], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(HAIRCUTS);
    expect(lstatSync(join(dir, 'to-stdout')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'to-stdout'))).toBe('/proc/self/fd/1');
  });

  it.skipIf(!root || !linux)('a device node is written through, never replaced by a regular file', () => {
    file('in.csv', ACCOUNTS);
    // A private node with /dev/null's numbers: the system's own /dev/null is never put at risk by the test.
    expect(spawnSync('mknod', [join(dir, 'null-device'), 'c', '1', '3']).status).toBe(0);
    const r = run(['socialize', 'in.csv', ...split, '--out', 'null-device', '--report', 'device-report.json']);
    expect(r.status).toBe(0);
    expect(statSync(join(dir, 'null-device')).isCharacterDevice()).toBe(true);
    expect(JSON.parse(read('device-report.json')).output.bytes).toBe(HAIRCUTS.length);
    expect(temporaries()).toEqual([]);
  });

  it('a named pipe is written through, and stays a pipe', async () => {
    file('in.csv', ACCOUNTS);
    expect(spawnSync('mkfifo', [join(dir, 'pipe-out')]).status).toBe(0);
    const reader = spawn('cat', [join(dir, 'pipe-out')]);
    const drained = once(reader, 'exit');
    let got = '';
    reader.stdout.on('data', (chunk) => (got += chunk));
    const child = spawn(process.execPath, [bin, 'socialize', 'in.csv', ...split, '--out', 'pipe-out'], { cwd: dir });
    const [code] = (await once(child, 'exit')) as [number];
    await drained;
    expect(code).toBe(0);
    expect(got).toBe(HAIRCUTS);
    expect(statSync(join(dir, 'pipe-out')).isFIFO()).toBe(true);
  });
});

describe('signals and inputs that change while read', () => {
  let big: string;
  beforeAll(async () => {
    big = join(dir, 'big-source.csv');
    await writeAccountFile(big, 1_000_000, 5);
  });

  it('SIGHUP mid-run exits 129 and leaves neither the target changed nor a temporary file', async () => {
    writeFileSync(join(dir, 'hup.csv'), readFileSync(big));
    file('hup-kept.csv', 'old\n');
    const { child, exited } = await startReading(['socialize', 'hup.csv', '--loss', '1000', '--decimals', '6', '--out', 'hup-kept.csv', '--report', 'hup.json', '--quiet'], 'hup.csv');
    child.kill('SIGHUP');
    const [code, signal] = await exited;
    expect(code === 129 || signal === 'SIGHUP').toBe(true);
    expect(read('hup-kept.csv')).toBe('old\n');
    expect(existsSync(join(dir, 'hup.json'))).toBe(false);
    expect(temporaries()).toEqual([]);
  });

  it.skipIf(!linux)('an input truncated while read is an error, not a smaller last amount', async () => {
    writeFileSync(join(dir, 'cut.csv'), readFileSync(big));
    const { exited, stderr } = await startReading(['socialize', 'cut.csv', '--loss', '1000', '--decimals', '6', '--out', 'cut-out.csv', '--quiet'], 'cut.csv');
    truncateSync(join(dir, 'cut.csv'), 1_000_003); // mid-row
    const [code] = await exited;
    expect(code).toBe(2);
    expect(stderr()).toMatch(/^socialized-loss: cannot read cut\.csv: the file changed while it was read \(\d+ bytes at the start, \d+ read, 1000003 now\); nothing was written/);
    expect(existsSync(join(dir, 'cut-out.csv'))).toBe(false);
  });

  it.skipIf(!linux)('an input that grows while read is an error', async () => {
    writeFileSync(join(dir, 'grow.csv'), readFileSync(big));
    const { exited, stderr } = await startReading(['socialize', 'grow.csv', '--loss', '1000', '--decimals', '6', '--out', 'grow-out.csv', '--quiet'], 'grow.csv');
    appendFileSync(join(dir, 'grow.csv'), 'late-row,511411.30\n');
    const [code] = await exited;
    expect(code).toBe(2);
    expect(stderr()).toMatch(/cannot read grow\.csv: the file (grew|changed) while it was read/);
    expect(existsSync(join(dir, 'grow-out.csv'))).toBe(false);
  });
});

describe.skipIf(!root || !linux)('a full disk (a 1 MiB tmpfs)', () => {
  let disk: string;
  beforeAll(() => {
    disk = join(dir, 'small-disk');
    mkdirSync(disk);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk]);
    if (mounted.status !== 0) throw new Error(`cannot mount a tmpfs: ${mounted.stderr}`);
  });
  afterAll(() => {
    spawnSync('umount', [disk]);
  });

  it('ENOSPC is exit 2 with the path and the reason; the old file is kept, no temporary is left', async () => {
    await writeAccountFile(join(dir, 'fill.csv'), 100_000, 3);
    writeFileSync(join(disk, 'out.csv'), 'old\n');
    const r = run(['socialize', 'fill.csv', '--loss', '1000', '--decimals', '6', '--out', join(disk, 'out.csv'), '--report', join(disk, 'r.json'), '--quiet']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`socialized-loss: cannot write ${join(disk, 'out.csv')}: no space left on the device (ENOSPC)\n`);
    expect(readFileSync(join(disk, 'out.csv'), 'utf8')).toBe('old\n');
    expect(readdirSync(disk)).toEqual(['out.csv']);
  });
});

describe('found by a hostile review', () => {
  it('`..` after a symlinked directory is resolved as the kernel does: the input is not replaced', () => {
    mkdirSync(join(dir, 'dd/data'), { recursive: true });
    mkdirSync(join(dir, 'dd/elsewhere/deep'), { recursive: true });
    writeFileSync(join(dir, 'dd/data/accounts.csv'), ACCOUNTS);
    symlinkSync('../elsewhere/deep', join(dir, 'dd/data/link')); // the kernel reads data/link/.. as elsewhere/
    const r = run(['socialize', 'dd/data/accounts.csv', ...split, '--out', 'dd/elsewhere/../data/accounts.csv']);
    expect(r.stderr).toMatch(/are the same file/);
    writeFileSync(join(dir, 'dd/elsewhere/accounts.csv'), 'KERNEL-TARGET\n');
    const moved = run(['socialize', 'dd/data/accounts.csv', ...split, '--out', 'dd/data/link/../accounts.csv']);
    expect(moved.status).toBe(0);
    expect(read('dd/data/accounts.csv')).toBe(ACCOUNTS);
    expect(read('dd/elsewhere/accounts.csv')).toBe(HAIRCUTS); // the file the path names, physically
  });

  it('a signal while the outputs are being written ends the run by that signal, with nothing replaced', async () => {
    writeFileSync(join(dir, 'late-signal.csv'), ACCOUNTS);
    await writeAccountFile(join(dir, 'write-phase.csv'), 1_000_000, 4);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      file('w-out.csv', 'OLD\n');
      file('w-report.json', 'OLD REPORT\n');
      const child = spawn(process.execPath, [bin, 'socialize', 'write-phase.csv', '--loss', '1000', '--decimals', '6', '--out', 'w-out.csv', '--report', 'w-report.json', '--quiet'], { cwd: dir });
      const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
      // Writing has begun once the temporary output has bytes in it.
      for (let tries = 0; tries < 5000; tries++) {
        const temporary = readdirSync(dir).find((name) => name.startsWith('.w-out.csv.') && name.endsWith('.tmp'));
        if (temporary !== undefined && statSync(join(dir, temporary), { throwIfNoEntry: false })?.size) break;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      child.kill(signal);
      const [code, ended] = await exited;
      expect(ended ?? code).toBe(signal);
      expect(read('w-out.csv')).toBe('OLD\n');
      expect(read('w-report.json')).toBe('OLD REPORT\n');
      expect(temporaries()).toEqual([]);
    }
  });

  it.skipIf(!linux)('stdin redirected from a regular file that is truncated while read is an error', async () => {
    writeFileSync(join(dir, 'stdin-cut.csv'), readFileSync(join(dir, 'write-phase.csv')));
    const fd = openSync(join(dir, 'stdin-cut.csv'), 'r');
    const child = spawn(process.execPath, [bin, 'socialize', '-', '--loss', '1000', '--decimals', '6', '--out', 'stdin-cut-out.csv', '--quiet'], { cwd: dir, stdio: [fd, 'pipe', 'pipe'] });
    closeSync(fd);
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const exited = once(child, 'exit') as Promise<[number | null]>;
    // The temporary output exists once the input was opened and checked.
    while (!readdirSync(dir).some((name) => name.startsWith('.stdin-cut-out.csv.'))) await new Promise((resolve) => setTimeout(resolve, 2));
    truncateSync(join(dir, 'stdin-cut.csv'), 1_000_003);
    const [code] = await exited;
    expect(stderr).toMatch(/^socialized-loss: cannot read <stdin>: the file changed while it was read/);
    expect(code).toBe(2);
  });

  it('stdout redirected to a file: `--out /dev/stdout >> log` appends to it, and stdout cannot be the input', () => {
    file('in.csv', ACCOUNTS);
    file('log.txt', 'important log\n');
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" socialize in.csv ${split.join(' ')} --out /dev/stdout >> log.txt`], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(read('log.txt')).toBe(`important log\n${HAIRCUTS}`);
    const self = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" socialize in.csv ${split.join(' ')} >> in.csv`], { cwd: dir, encoding: 'utf8' });
    expect(self.status).toBe(2);
    expect(self.stderr).toMatch(/stdout and the input in\.csv are the same file/);
    expect(read('in.csv')).toBe(ACCOUNTS);
  });

  it.skipIf(!linux)('--report /dev/fd/1 while the haircuts go to stdout (a pipe) is the same file', () => {
    file('in.csv', ACCOUNTS);
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" socialize in.csv ${split.join(' ')} --report /dev/fd/1 | cat`], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toMatch(/--report \/dev\/fd\/1 and stdout are the same file|stdout and --report \/dev\/fd\/1 are the same file/);
    expect(r.stdout).toBe('');
  });

  it('paths in messages are shortened too', () => {
    const r = run(['socialize', `${'p'.repeat(3000)}.csv`, ...split]);
    expect(r.status).toBe(2);
    expect(r.stderr.length).toBeLessThan(300);
  });

  it.skipIf(!root || !linux)('two spellings of one new file through a bind mount are the same file', () => {
    file('in.csv', ACCOUNTS);
    mkdirSync(join(dir, 'bind-a'), { recursive: true });
    mkdirSync(join(dir, 'bind-b'), { recursive: true });
    expect(spawnSync('mount', ['--bind', join(dir, 'bind-a'), join(dir, 'bind-b')]).status).toBe(0);
    try {
      const r = run(['socialize', 'in.csv', ...split, '--out', 'bind-a/x.csv', '--report', 'bind-b/x.csv']);
      expect(r.stderr).toMatch(/--report bind-b\/x\.csv and --out bind-a\/x\.csv are the same file/);
      expect(readdirSync(join(dir, 'bind-a'))).toEqual([]);
    } finally {
      spawnSync('umount', [join(dir, 'bind-b')]);
    }
  });

  it.skipIf(!nobodyCanRun)('a file of another user in a sticky directory is refused before any work, and nothing is left behind', () => {
    chmodSync(dir, 0o777);
    mkdirSync(join(dir, 'sticky'), { recursive: true });
    chmodSync(join(dir, 'sticky'), 0o1777);
    file('sticky/theirs.csv', 'THEIRS\n');
    chmodSync(join(dir, 'sticky/theirs.csv'), 0o666);
    file('in.csv', ACCOUNTS);
    const r = run(['socialize', 'in.csv', ...split, '--out', 'sticky/theirs.csv'], { uid: 65534 });
    expect(r.stderr).toBe('socialized-loss: cannot write sticky/theirs.csv: is owned by another user in a sticky directory (such as /tmp): it cannot be replaced\n');
    expect(r.status).toBe(2);
    expect(readdirSync(join(dir, 'sticky'))).toEqual(['theirs.csv']);
  });

  it('a named pipe with no writer (input) or no reader (output) still ends on SIGTERM', async () => {
    file('in.csv', ACCOUNTS);
    for (const [name, args] of [['in-fifo.csv', (f: string) => ['socialize', f, ...split]], ['out-fifo.csv', (f: string) => ['socialize', 'in.csv', ...split, '--out', f]]] as const) {
      expect(spawnSync('mkfifo', [join(dir, name)]).status).toBe(0);
      const child = spawn(process.execPath, [bin, ...args(name)], { cwd: dir });
      const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
      await new Promise((resolve) => setTimeout(resolve, 400));
      child.kill('SIGTERM');
      const [code, signal] = await exited;
      expect(signal ?? code).toBe('SIGTERM');
    }
  });

  it('exit 2, not 1, for a bad row even when stderr is closed', () => {
    file('bad-row.csv', 'account,profit\na,x\n');
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" socialize bad-row.csv ${split.join(' ')} 2>&-`], { cwd: dir });
    expect(r.status).toBe(2);
  });

  it('a replaced file keeps its set-user-ID and set-group-ID bits', () => {
    file('in.csv', ACCOUNTS);
    file('special.csv', 'old\n');
    chmodSync(join(dir, 'special.csv'), 0o6755);
    expect(run(['socialize', 'in.csv', ...split, '--out', 'special.csv']).status).toBe(0);
    expect(statSync(join(dir, 'special.csv')).mode & 0o7777).toBe(0o6755);
  });

  it('a long output name (250 bytes) can be written: the temporary name stays within 255', () => {
    file('in.csv', ACCOUNTS);
    const long = `${'n'.repeat(246)}.csv`;
    expect(run(['socialize', 'in.csv', ...split, '--out', long]).status).toBe(0);
    expect(read(long)).toBe(HAIRCUTS);
  });

  it('command-line values are shortened in messages', () => {
    const r = run(['demo', ...Array.from({ length: 15 }, () => 'x'.repeat(120_000))]);
    expect(r.status).toBe(2);
    expect(r.stderr.length).toBeLessThan(300);
    expect(run(['x'.repeat(100_000)]).stderr.length).toBeLessThan(300);
  });

  it('stdin that is a directory says so', () => {
    const fd = openSync(dir, 'r');
    try {
      const r = spawnSync(process.execPath, [bin, 'socialize', '-', ...split], { cwd: dir, encoding: 'utf8', stdio: [fd, 'pipe', 'pipe'] });
      expect(r.stderr).toBe('socialized-loss: cannot read <stdin>: is a directory; expected an account file\n');
      expect(r.status).toBe(2);
    } finally {
      closeSync(fd);
    }
  });
});

if (!root || !linux) {
  console.log(`cli-files: ${!linux ? 'not Linux' : 'not root'}: the device-node, permission and full-disk cases did not run (they need root on Linux)`);
} else if (!nobodyCanRun) {
  console.log(`cli-files: the permission cases did not run: ${bin} is not readable by the user nobody (a checkout inside a 0700 directory)`);
}
