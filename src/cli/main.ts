#!/usr/bin/env node
// The `socialized-loss` command. Exit status: 0 done, 2 bad arguments or
// rows (the message names file, line and column), 1 internal error.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runDemo } from './demo.js';
import { DecimalError, MAX_DECIMALS, parseUnits } from './decimal.js';
import { EnvironmentError, InputError, isSystemError, quote, reasonOf, shorten, UsageError } from './errors.js';
import { abandonAll } from './output.js';
import { MAX_RECORD_BYTES } from './chunks.js';
import { socialize } from './socialize.js';

const HELP = `socialized-loss: exact pro-rata socialization of losses

Usage:
  socialized-loss socialize ACCOUNTS --loss AMOUNT [--insurance-fund AMOUNT] --decimals N
                  [--out FILE] [--report FILE] [--quiet]
  socialized-loss demo            the built-in scenario (what npm start runs)
  socialized-loss --help | --version

ACCOUNTS   .csv (header naming account and profit, any order, other columns ignored),
           .jsonl / .ndjson ({"account": "...", "profit": "..."} per line), or - for CSV on stdin
AMOUNT     decimal: optional -, digits, optionally . and at most N fraction digits (never rounded);
           --loss and --insurance-fund must not be negative
--decimals N       fraction digits of every amount, 0 to ${MAX_DECIMALS}
--out FILE         haircuts CSV (account,profit,haircut,profit_after); default stdout
--report FILE      audit report (JSON): input and output SHA-256, parameters, every total, timings
--quiet            no summary on stderr

Input     CSV: RFC 4180 with a header row; records end in LF or CRLF (a CR as the file's last byte
          also ends the last record); a CR anywhere else only inside a quoted field. JSON Lines: one
          object per line, valid UTF-8, blank lines skipped. A UTF-8 byte-order mark only at the start.
          A record (CSV) or a line (JSON Lines) is at most ${MAX_RECORD_BYTES / 2 ** 20} MiB; an empty file is an error.
          A regular file that changes while it is read is an error (run again once it is complete).
Files     the input, --out and --report must be distinct files (also through symlinks and hard links).
          Outputs are written beside their target, flushed to disk and renamed into place only when
          every output is complete: after an error or a signal (INT, TERM, HUP) no partial file exists
          and existing files are untouched. A device or a pipe at an output path is written through.

Exit status: 0 done; 2 bad arguments, rows (file:line:column: message) or files (the path and the
reason: missing, a directory, permission denied, disk full); 1 internal error; 128 + n on signal n.`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function amount(text: string | undefined, flag: string, decimals: number): bigint {
  if (text === undefined) throw new UsageError(`${flag} is required`);
  let units: bigint;
  try {
    units = parseUnits(text, decimals);
  } catch (error) {
    if (error instanceof DecimalError) throw new UsageError(`${flag} ${error.message}`);
    throw error;
  }
  if (units < 0n) throw new UsageError(`${flag} must not be negative, got ${shorten(text)}`);
  return units;
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        loss: { type: 'string' },
        'insurance-fund': { type: 'string' },
        decimals: { type: 'string' },
        out: { type: 'string' },
        report: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    // Node's own wording names the option twice; one short line says what is wrong.
    const { code, message } = error as NodeJS.ErrnoException;
    const option = /'([^']*)'/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) throw new UsageError(`unknown option ${quote(option)}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) throw new UsageError(`option ${quote(option)} needs a value`);
    throw new UsageError(shorten(message));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return;
  }
  if (values.version) {
    process.stdout.write(version() + '\n');
    return;
  }
  const [command, ...rest] = positionals;
  if (command === 'demo') {
    if (rest.length > 0) throw new UsageError(`demo takes no arguments, got ${shorten(rest.join(' '))}`);
    if (!(await runDemo())) process.exitCode = 1;
    return;
  }
  if (command !== 'socialize') {
    throw new UsageError(command === undefined ? 'no command given' : `unknown command ${quote(command)}`);
  }
  if (rest.length !== 1) throw new UsageError('socialize takes exactly one ACCOUNTS file (or - for stdin)');
  if (values.decimals === undefined) throw new UsageError('--decimals is required');
  if (!/^\d+$/.test(values.decimals) || Number(values.decimals) > MAX_DECIMALS) {
    throw new UsageError(`--decimals must be a whole number from 0 to ${MAX_DECIMALS}, got ${quote(values.decimals)}`);
  }
  const decimals = Number(values.decimals);
  await socialize({
    accounts: rest[0]!,
    loss: amount(values.loss, '--loss', decimals),
    insuranceFund: values['insurance-fund'] === undefined ? 0n : amount(values['insurance-fund'], '--insurance-fund', decimals),
    decimals,
    out: values.out,
    report: values.report,
    quiet: values.quiet,
    version: version(),
  });
}

// A signal ends the run like an error: temporary files removed, targets untouched.
// Then the signal is raised again with its default action, so that the command ends
// at once (even with a pipe or a device blocked in another thread) and its parent
// sees it ended by that signal (a shell reports 128 + n: 130 for INT, 129 for HUP, 143 for TERM).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    abandonAll();
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
}
process.on('exit', abandonAll);
// A reader that closes the pipe early (`| head`), or a full disk under `> file`, ends the
// run: no report of a partial output. An environment failure: exit status 2.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  abandonAll();
  process.stderr.write(`socialized-loss: cannot write to stdout: ${reasonOf(error)}; nothing was kept\n`);
  process.exit(2);
});
// A closed stderr loses the message, not the exit status.
process.stderr.on('error', () => {});

main(process.argv.slice(2)).catch((error: unknown) => {
  abandonAll();
  if (error instanceof InputError || error instanceof EnvironmentError) {
    process.stderr.write(`socialized-loss: ${error.message}\n`);
    process.exitCode = 2;
  } else if (error instanceof UsageError) {
    process.stderr.write(`socialized-loss: ${error.message}\nTry 'socialized-loss --help'.\n`);
    process.exitCode = 2;
  } else if (isSystemError(error)) {
    // A failing system call not caught at its place still names its path and reason, never a stack.
    process.stderr.write(`socialized-loss: cannot ${error.syscall ?? 'use'} ${error.path ?? 'a file'}: ${reasonOf(error)}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`socialized-loss: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
});
