#!/usr/bin/env node
// The `socialized-loss` command. Exit status: 0 done, 2 bad arguments or
// rows (the message names file, line and column), 3 verify found differences,
// 1 internal error.

import { readFileSync } from 'node:fs';
import { parseCommandLine, type Command } from './args.js';
import { runDemo } from './demo.js';
import { MAX_DECIMALS } from '../files/decimal.js';
import { EnvironmentError, InputError, isSystemError, reasonOf, UsageError } from '../files/errors.js';
import { explain } from './explain.js';
import { indexDelta } from './index-delta.js';
import { abandonAll } from './output.js';
import { MAX_RECORD_BYTES } from '../files/chunks.js';
import { COMPARE_OPTIONS, MECHANISMS, PARAMETER_OPTIONS, readChoice, readCompareParameters, readParameters } from '../run/parameters.js';
import { positionalsOf, socialize, type RunContext } from './socialize.js';
import { verify, VerificationFailed } from './verify.js';
import { compare } from './compare.js';

const PARAMETERS_HELP = `  --decimals N             fraction digits of every amount, 0 to ${MAX_DECIMALS} (a pool may set its own)
  --loss AMOUNT            the deficit to cover              | or, per pool:
  --insurance-fund AMOUNT  what the fund pays first (def. 0)  | --pool-column NAME --pools FILE
  --account-column NAME    identifiers (default account); unique, kept byte for byte
  --profit-column NAME     profits (default profit)
  --exempt-column NAME     1/true/yes: exempt (house, fee, market-maker accounts); 0/false/no/empty: not
  --weight-column NAME     split by these non-negative weights instead of by profit
  --weight-decimals N      fraction digits of the weights (default 0)
  --cap-column NAME        with --weight-column: the most each account pays (default its profit)
  --rounding POLICY        largest-remainder (default: exact total), down (floors), up (ceilings)
  --tie-seed INTEGER       equal remainders by splitmix64(seed XOR index) instead of the lower index
  --format csv|jsonl|parquet  of ACCOUNTS (default: its extension, else its content)
  --delimiter , | ; | tab | '|'  of a CSV ACCOUNTS (default: the one that splits its header into the columns; .tsv: tab)
  --decimal-comma          amounts in ACCOUNTS use "," as the decimal separator (1250,50); a "." is an error
  --input-rounding RULE    exact (default: more fraction digits than --decimals is an error), or half-even, half-up,
                           down, up: ACCOUNTS' amounts with more digits or an exponent (1e-05) rounded exactly, counted in the report`;

/** Each command's usage, options and example: `--help` prints them all, `CMD --help` one. */
const COMMAND_HELP: Record<Command, string> = {
  socialize: `socialized-loss socialize ACCOUNTS --decimals N (--loss AMOUNT [--insurance-fund AMOUNT] | --pool-column NAME --pools FILE)
                  [columns, rounding, tie seed: see below] [--out FILE] [--report FILE] [--quiet]
  Splits the loss over the profitable accounts, pro rata, exact to the unit. Writes
  account[,pool],profit,haircut,profit_after per account (to --out, else stdout) and a JSON report.
${PARAMETERS_HELP}
  --out FILE               the haircuts CSV (default stdout); a .parquet name writes Parquet (amounts as DECIMAL)
  --report FILE            the audit report: inputs' and output's SHA-256, every parameter, every total
  --quiet                  no progress and no summary on stderr
  The pools file is CSV: pool,loss[,insurance_fund][,decimals], one row per pool.
  Example: socialized-loss socialize examples/accounts.csv --decimals 6 --loss 25000 --insurance-fund 5000 --out haircuts.csv --report report.json`,
  compare: `socialized-loss compare ACCOUNTS --decimals N (--loss AMOUNT [--insurance-fund AMOUNT] | --pool-column NAME --pools FILE)
                  [--mechanisms pro-rata,weighted,queue] [--capacity-column NAME]
                  [--score-column NAME [--score-decimals K] | --rank-by profit|capacity] [--lot-column NAME]
                  [columns, rounding, tie seed: as socialize] [--out FILE] [--report FILE] [--quiet]
  The mechanisms side by side on one book: pro-rata (by profit, capped by capacity), weighted (by
  --weight-column, capped by capacity) and queue (auto-deleveraging: by descending score, each pays
  its capacity until the loss is covered). Writes account[,pool],profit,capacity and one haircut
  column per mechanism (pro_rata, weighted, queue) to --out, else stdout; the measures side by side
  (collected, uncovered, overshoot, who pays, concentration, Gini, by tenth) to stdout with --out,
  else stderr; --report: every parameter and measure.
  --mechanisms LIST        comma-separated, in the columns' order (default pro-rata,queue)
  --capacity-column NAME   the most any mechanism takes from an account (default, or empty: max(profit, 0))
  --score-column NAME      the queue's ranking, larger first (a venue's ADL score); signed
  --score-decimals K       fraction digits of the scores (default 0)
  --rank-by profit|capacity  the queue's ranking without a score column (default profit)
  --lot-column NAME        the queue takes whole lots of this amount (default, or empty: one unit)
  --tie-seed INTEGER       also orders the queue's equal scores (ascending splitmix64(seed XOR index))
  Example: socialized-loss compare examples/october-2025/accounts.csv --decimals 2 --loss 15079669.61 --capacity-column capacity --out compare.csv`,
  verify: `socialized-loss verify ACCOUNTS HAIRCUTS (--report FILE | the parameters of socialize) [--quiet]
  Recomputes every haircut with arithmetic apart from the engine's and compares: exit 0 and
  "verified N accounts", or exit 3 with how many differ and the first ten. HAIRCUTS' profit,
  profit_after and pool columns, when present, are checked too. With --report, the parameters
  come from the report (at most 64 MiB; one socialize could have written, else exit 2), and
  every number it states is checked: ACCOUNTS' and HAIRCUTS' SHA-256, sizes and rows, and every
  total per pool and overall (exit 3 naming the field, expected and found).
  HAIRCUTS is a file socialize wrote, or any table with account and haircut (same accounts, same order).
  Example: socialized-loss verify examples/accounts.csv haircuts.csv --report report.json`,
  explain: `socialized-loss explain ACCOUNTS --account ID [--json] [--mechanism pro-rata|weighted|queue]
                  (--report FILE | the parameters of socialize, or of compare with --mechanism) [--quiet]
  One account's whole derivation: pool, eligibility, the pool's totals, the exact quota, floor and
  remainder, its rank among the remainders, the boundary, the extra unit, the haircut; --json: as JSON.
  --mechanism: under one of compare's mechanisms (a compare report, or compare's options); for the
  queue, the account's place in it: its score and rank, the need when its turn came, what it paid and why.
  Example: socialized-loss explain examples/accounts.csv --account alice --report report.json
  Example: socialized-loss explain examples/accounts.csv --account erin --mechanism queue --decimals 6 --loss 900`,
  'index-delta': `socialized-loss index-delta ACCOUNTS --loss AMOUNT --scale INTEGER --decimals N [--units-column NAME]
                  [--units-decimals N] [--rounding up|down] [--charge-rounding up|down] [--account-column NAME]
                  [--format csv|jsonl|parquet] [reading options] [--out FILE] [--report FILE] [--quiet]
  A per-unit index delta (lazy socialization): delta = ceil (or floor) of loss × scale / Σ|units|,
  each account charged ceil (or floor) of |units| × delta / scale. Writes account,units,charge.
  --units-column NAME      position sizes (default units), at --units-decimals (default 0) digits
  --delimiter, --decimal-comma, --input-rounding  how ACCOUNTS is read, as for socialize
  Example: socialized-loss index-delta examples/positions.csv --loss 1000 --scale 1000000000 --decimals 6 --units-decimals 3`,
  demo: `socialized-loss demo
  The built-in scenario (what npm start runs): a generated book through the engine and the reference.
  Example: socialized-loss demo`,
};

const HELP = `socialized-loss: exact pro-rata socialization of losses (largest remainder, fixed point)

Commands:
${Object.values(COMMAND_HELP).map((text) => '  ' + text.replaceAll('\n', '\n  ')).join('\n\n')}

  socialized-loss --help | COMMAND --help | --version

Input     ACCOUNTS and HAIRCUTS: CSV (RFC 4180, a header row; names match case-insensitively, other
          columns ignored), JSON Lines (one object per line) or Parquet (INT64 or DECIMAL amounts, string
          identifiers), a file or - for stdin. The format is --format, else the extension (.csv, .jsonl,
          .ndjson, .parquet), else the content (PAR1 first is Parquet; a first { is JSON Lines).
          AMOUNT: an optional -, digits, optionally . and at most N fraction digits; never rounded.
          A record (CSV) or a line (JSON Lines) is at most ${MAX_RECORD_BYTES / 2 ** 20} MiB; an empty file is an error.
          A regular file that changes while it is read is an error (run again once it is complete).
Files     every input, --out and --report must be distinct files (also through symlinks and hard links).
          Outputs are written beside their target, flushed to disk and renamed into place only when
          every output is complete: after an error or a signal (INT, TERM, HUP) no partial file exists
          and existing files are untouched. A device or a pipe at an output path is written through.

Exit status: 0 done; 2 bad arguments, rows (file:line:column: message) or files (the path and the
reason: missing, a directory, permission denied, disk full); 3 verify found haircuts that differ;
1 internal error; 128 + n on signal n.`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<void> {
  const parsed = parseCommandLine(argv);
  if (parsed.kind === 'help') {
    process.stdout.write((parsed.command === null ? HELP : 'Usage: ' + COMMAND_HELP[parsed.command]) + '\n');
    return;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(version() + '\n');
    return;
  }
  const { command, positionals, values, flags } = parsed;
  // A reading flag goes with the values the parameters are read from.
  if (flags.has('decimal-comma')) values.set('decimal-comma', '');
  const context: RunContext = { version: version(), argv, quiet: flags.has('quiet') };
  switch (command) {
    case 'demo':
      positionalsOf('demo', positionals, []);
      if (!(await runDemo())) process.exitCode = 1;
      return;
    case 'socialize': {
      const [accounts] = positionalsOf('socialize', positionals, ['ACCOUNTS']);
      await socialize({ accounts: accounts!, parameters: readParameters(values), out: values.get('out'), report: values.get('report') }, context);
      return;
    }
    case 'compare': {
      const [accounts] = positionalsOf('compare', positionals, ['ACCOUNTS']);
      await compare({ accounts: accounts!, parameters: readCompareParameters(values), out: values.get('out'), report: values.get('report') }, context);
      return;
    }
    case 'verify': {
      const [accounts, haircuts] = positionalsOf('verify', positionals, ['ACCOUNTS', 'HAIRCUTS']);
      await verify({ accounts: accounts!, haircuts: haircuts!, ...parametersOrReport(values) }, context);
      return;
    }
    case 'explain': {
      const [accounts] = positionalsOf('explain', positionals, ['ACCOUNTS']);
      const account = values.get('account');
      if (account === undefined) throw new UsageError('explain needs --account ID: the identifier of the account to explain');
      const mechanism = values.has('mechanism') ? readChoice(values.get('mechanism'), '--mechanism', MECHANISMS, 'queue') : undefined;
      const own = COMPARE_OPTIONS.filter((name) => values.has(name));
      if (mechanism === undefined && own.length > 0) throw new UsageError(`--${own[0]} is read under a compare mechanism; give --mechanism too`);
      if (mechanism !== undefined && !values.has('report')) {
        // compare's parameters: the mechanism explained is among the mechanisms (by default, the only one).
        const given = new Map(values);
        given.delete('mechanism');
        if (!given.has('mechanisms')) given.set('mechanisms', mechanism);
        given.delete('account');
        await explain({ accounts: accounts!, account, json: flags.has('json'), mechanism, parameters: readCompareParameters(given) }, context);
        return;
      }
      await explain({ accounts: accounts!, account, json: flags.has('json'), mechanism, ...parametersOrReport(values) }, context);
      return;
    }
    case 'index-delta': {
      const [accounts] = positionalsOf('index-delta', positionals, ['ACCOUNTS']);
      await indexDelta(accounts!, values, context);
      return;
    }
  }
}

/** verify's and explain's parameters: from --report (and nothing else), or from the options. */
function parametersOrReport(values: ReadonlyMap<string, string>): { report: string } | { parameters: ReturnType<typeof readParameters> } {
  const report = values.get('report');
  if (report === undefined) return { parameters: readParameters(values) };
  const given = [...PARAMETER_OPTIONS, ...COMPARE_OPTIONS].filter((name) => values.has(name));
  if (given.length > 0) throw new UsageError(`--report gives every parameter; drop --${given.join(', --')} (or drop --report)`);
  return { report };
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
  if (error instanceof VerificationFailed) {
    process.exitCode = 3;
  } else if (error instanceof InputError || error instanceof EnvironmentError) {
    process.stderr.write(`socialized-loss: ${error.message}\n`);
    process.exitCode = 2;
  } else if (error instanceof UsageError) {
    // One line, as every error: what is wrong, then where the usage is.
    process.stderr.write(`socialized-loss: ${error.message} (see 'socialized-loss --help')\n`);
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
