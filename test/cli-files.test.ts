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

if (!root || !linux) {
  console.log(`cli-files: ${!linux ? 'not Linux' : 'not root'}: the device-node, permission and full-disk cases did not run (they need root on Linux)`);
} else if (!nobodyCanRun) {
  console.log(`cli-files: the permission cases did not run: ${bin} is not readable by the user nobody (a checkout inside a 0700 directory)`);
}
