// The command line's grammar: which options each command takes, parsed into
// strings and flags. A mistake is a UsageError saying what was wrong in one line
// (the caller adds the pointer to --help); values are read by the commands.

import { UsageError, quote } from '../files/errors.js';

/** The commands. */
export type Command = 'socialize' | 'compare' | 'verify' | 'explain' | 'index-delta' | 'demo';

/** The commands, in the order --help lists them. */
export const COMMANDS: readonly Command[] = ['socialize', 'compare', 'verify', 'explain', 'index-delta', 'demo'];

/** An option: whether it takes a value. */
type Kind = 'value' | 'flag';

/** How ACCOUNTS is read: every command that reads it takes these. */
const READING: Record<string, Kind> = { delimiter: 'value', 'decimal-comma': 'flag', 'input-rounding': 'value' };

/** The options that set socialize's parameters, shared by verify and explain. */
const PARAMETERS: Record<string, Kind> = {
  decimals: 'value',
  loss: 'value',
  'insurance-fund': 'value',
  'pool-column': 'value',
  pools: 'value',
  'account-column': 'value',
  'profit-column': 'value',
  'exempt-column': 'value',
  'weight-column': 'value',
  'weight-decimals': 'value',
  'cap-column': 'value',
  rounding: 'value',
  'tie-seed': 'value',
  format: 'value',
  ...READING,
};

/** The options of compare's mechanisms (beside socialize's parameters, less --cap-column). */
const { 'cap-column': _cap, ...COMPARE_PARAMETERS } = {
  ...PARAMETERS, mechanisms: 'value', 'capacity-column': 'value', 'score-column': 'value', 'score-decimals': 'value', 'rank-by': 'value', 'lot-column': 'value',
} as Record<string, Kind>;

/** Every command's options (--help is every command's). */
const OPTIONS: Record<Command, Record<string, Kind>> = {
  socialize: { ...PARAMETERS, out: 'value', report: 'value', quiet: 'flag' },
  compare: { ...COMPARE_PARAMETERS, out: 'value', report: 'value', quiet: 'flag' },
  verify: { ...PARAMETERS, report: 'value', quiet: 'flag' },
  explain: { ...PARAMETERS, ...COMPARE_PARAMETERS, mechanism: 'value', report: 'value', account: 'value', json: 'flag', quiet: 'flag' },
  'index-delta': {
    loss: 'value', scale: 'value', decimals: 'value', 'units-column': 'value', 'units-decimals': 'value', rounding: 'value',
    'charge-rounding': 'value', 'account-column': 'value', format: 'value', out: 'value', report: 'value', quiet: 'flag', ...READING,
  },
  demo: {},
};

/** What was asked: a command with its positionals and options, help, or the version. */
export type Parsed =
  | { kind: 'help'; command: Command | null }
  | { kind: 'version' }
  | { kind: 'run'; command: Command; positionals: string[]; values: Map<string, string>; flags: Set<string> };

/** Parses `argv` (without node and the script). */
export function parseCommandLine(argv: readonly string[]): Parsed {
  const first = argv.find((arg) => !arg.startsWith('-') || arg === '-');
  const command = first !== undefined && (COMMANDS as readonly string[]).includes(first) ? (first as Command) : null;
  if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help', command };
  if (argv.includes('--version') && command === null) return { kind: 'version' };
  if (argv.length === 0) throw new UsageError('no command given; expected one of ' + COMMANDS.join(', '));
  if (command === null) {
    if (first === undefined) throw new UsageError(`${describeOption(argv[0]!)} before any command; expected a command first (${COMMANDS.join(', ')})`);
    throw new UsageError(`unknown command ${quote(first)}; expected one of ${COMMANDS.join(', ')}`);
  }
  const options = OPTIONS[command];
  const positionals: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  let seenCommand = false;
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyPositionals || !arg.startsWith('-') || arg === '-') {
      if (!seenCommand && arg === command) seenCommand = true;
      else if (!seenCommand) throw new UsageError(`${quote(arg)} before the command ${command}`);
      else positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    if (!seenCommand) throw new UsageError(`${describeOption(arg)} before the command; options go after it: socialized-loss ${command} …`);
    if (!arg.startsWith('--')) throw new UsageError(`unknown option ${quote(arg)} for ${command}; options are spelled --name`);
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals < 0 ? undefined : equals);
    const kind = options[name];
    if (kind === undefined) throw new UsageError(`unknown option --${name} for ${command}${suggestion(name, options)}`);
    if (values.has(name) || flags.has(name)) throw new UsageError(`--${name} is given twice; expected it once`);
    if (kind === 'flag') {
      if (equals >= 0) throw new UsageError(`--${name} takes no value, got ${quote(arg.slice(equals + 1))}`);
      flags.add(name);
      continue;
    }
    let value: string | undefined;
    if (equals >= 0) value = arg.slice(equals + 1);
    else {
      value = argv[i + 1];
      // A value may start with "-" (a negative seed, stdin), never with "--" (the next option).
      if (value === undefined || (value.startsWith('--') && value.length > 2)) {
        throw new UsageError(`--${name} needs a value${value === undefined ? '' : `, got the option ${value}`}`);
      }
      i++;
    }
    values.set(name, value);
  }
  return { kind: 'run', command, positionals, values, flags };
}

function describeOption(arg: string): string {
  return `the option ${quote(arg)}`;
}

/** ", did you mean --x?" when one option is a close spelling of `name`. */
function suggestion(name: string, options: Record<string, Kind>): string {
  let best: string | null = null;
  let bestDistance = 3;
  for (const option of Object.keys(options)) {
    const d = distance(name, option);
    if (d < bestDistance) {
      best = option;
      bestDistance = d;
    }
  }
  // A shortened word of an option's name (--cap-column for --capacity-column).
  const words = name.split('-');
  best ??= Object.keys(options).find((option) => {
    const theirs = option.split('-');
    return theirs.length === words.length && theirs.every((word, i) => word.startsWith(words[i]!)) && option !== name;
  }) ?? null;
  if (best !== null) return `; did you mean --${best}?`;
  const elsewhere = COMMANDS.filter((c) => OPTIONS[c][name] !== undefined);
  return elsewhere.length > 0 ? ` (it is an option of ${elsewhere.join(' and ')})` : '';
}

/** Levenshtein distance, for suggestions. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}
