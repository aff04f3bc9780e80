// What the command's rows mean: an account file's columns (account, profit,
// and the pool, exempt, weight and cap columns when asked for) into an
// AccountTable; a pools file into a PoolDirectory (a haircut file: haircut-rows.ts).
// Every bad value is an InputError at its
// file:line:column saying what was expected.

import { DecimalError, MAX_DECIMALS, parseUnits, parseUnitsInto } from './decimal.js';
import { Tally, type AmountReading, type InputRounding } from '../amount.js';
import { InputError, quote, shorten } from './errors.js';
import type { ColumnRequest, Fields, RowConsumer, ScanResult } from './fields.js';
import { AccountTable, RowLimitError, type CoreTally, type CsvShape, type Role } from './table.js';

/** Decodes UTF-8 as it is: a byte-order mark inside a field stays part of it. */
const AS_IS = new TextDecoder('utf-8', { ignoreBOM: true });

/** One pool: its name, its parameters and where they came from. */
export interface Pool {
  /** The name as in the pool column (byte for byte, as UTF-8). */
  name: string;
  loss: bigint;
  insuranceFund: bigint;
  /** Fraction digits of its amounts (its own, or `--decimals`). */
  decimals: number;
  /** The pools file line listing it, or 0: not listed (loss 0). */
  line: number;
}

/**
 * The pools of a run, by index: those of the pools file first, in its order, then
 * pools met in the account file but not listed (loss 0, `--decimals`), in the
 * order met. Without a pool column there is one pool, index 0.
 */
export class PoolDirectory {
  readonly pools: Pool[] = [];
  /** Pool indices by FNV-1a hash of the name's bytes (a chain per hash: names are compared byte for byte). */
  readonly #byHash = new Map<number, number[]>();
  readonly #names: Uint8Array[] = [];
  /** Accounts per pool, counted as the account file is read. */
  counts: number[] = [];

  /** @param decimals `--decimals`, for pools that do not set their own. */
  constructor(readonly decimals: number) {}

  /** Adds a pool; returns its index, or the index of the pool already named so (nothing added then). */
  add(pool: Pool): number {
    const bytes = new TextEncoder().encode(pool.name);
    const known = this.find(bytes);
    if (known >= 0) return known;
    const index = this.pools.length;
    this.pools.push(pool);
    this.#names.push(bytes);
    this.counts.push(0);
    const h = hashOf(bytes);
    const chain = this.#byHash.get(h);
    if (chain) chain.push(index);
    else this.#byHash.set(h, [index]);
    return index;
  }

  /** Pool `index`'s name as bytes. */
  nameOf(index: number): Uint8Array {
    return this.#names[index]!;
  }

  /** The index of the pool named `bytes`, or −1. */
  find(bytes: Uint8Array): number {
    const chain = this.#byHash.get(hashOf(bytes));
    if (chain === undefined) return -1;
    for (let c = 0; c < chain.length; c++) {
      const name = this.#names[chain[c]!]!;
      if (name.length !== bytes.length) continue;
      let i = 0;
      while (i < name.length && name[i] === bytes[i]) i++;
      if (i === name.length) return chain[c]!;
    }
    return -1;
  }

  /** The index of the pool named `bytes`, added (not listed: loss 0) when new. */
  intern(bytes: Uint8Array): number {
    const known = this.find(bytes);
    if (known >= 0) return known;
    return this.add({ name: AS_IS.decode(bytes), loss: 0n, insuranceFund: 0n, decimals: this.decimals, line: 0 });
  }
}

function hashOf(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** Which columns an account file is read with: names as given on the command line. */
export interface AccountColumns {
  account: string;
  /** The profit column, or for index deltas the units column. */
  profit: string;
  pool?: string | undefined;
  exempt?: string | undefined;
  weight?: string | undefined;
  cap?: string | undefined;
  /** compare's capacities (`--capacity-column`): held where caps are; an empty cell is max(profit, 0). */
  capacity?: string | undefined;
  /** compare's queue scores (`--score-column`): signed, at the score decimals. */
  score?: string | undefined;
  /** compare's lots (`--lot-column`): above 0, at the account's decimals; an empty cell is one unit. */
  lot?: string | undefined;
}

/** How an account file is read (`--delimiter`, `--decimal-comma`, `--input-rounding`). */
export interface ReadingOptions {
  /** The CSV delimiter given, or null: detected from the header. */
  delimiter: string | null;
  decimalComma: boolean;
  inputRounding: InputRounding;
}

/** Today's reading: the delimiter detected, a decimal point, amounts exact. */
export const PLAIN_READING: ReadingOptions = { delimiter: null, decimalComma: false, inputRounding: 'exact' };

/** The messages' name for what sets a pool's decimals. */
function ruleOf(pool: Pool | undefined, decimals: number): string {
  return pool !== undefined && pool.line > 0 && pool.decimals !== decimals ? `decimals ${pool.decimals} of pool ${quote(pool.name)}` : `--decimals ${decimals}`;
}

/**
 * An account file's rows into a table: identifiers unique, profits (and caps) at
 * their pool's decimals, weights at `weightDecimals`, exempt values yes or no.
 */
export class AccountRows implements RowConsumer {
  readonly columns: ColumnRequest[];
  readonly table: AccountTable;
  readonly #words = new Int32Array(2);
  readonly #k: { pool: number; exempt: number; weight: number; cap: number; score: number; lot: number };
  readonly #rules: string[] = [];
  /** The option that sets the profit column's decimals, for its messages (index deltas' units: `--units-decimals`). */
  readonly #profitRule: string;
  /** Per requested column k, how its amounts are read (with its own tally). */
  readonly #readings: AmountReading[];
  /** CSV: the delimiter given (or null: detected) and the decimal separator. */
  readonly csv: { delimiter: string | null; decimalComma: boolean };
  /** CSV: the delimiter used, once the header is read (null for JSON Lines and Parquet). */
  delimiter: string | null = null;
  /** Per amount column read, by what it is (profit or units, weight, cap or capacity, score, lot): what the input rounding changed. */
  readonly tallies = new Map<string, Tally>();
  /** The same tallies by the core's name of the column (its TALLY_ order: profit, weight, cap, score, lot). */
  readonly #tallyOf: Partial<Record<CoreTally['column'], Tally>> = {};

  /**
   * @param names the columns to read; `units` reads the profit column as units (index deltas: any sign, `--units-decimals`).
   * @param pools where pool names become indices (and decimals), or null without a pool column.
   * @param scoreDecimals the fraction digits of the score column (compare).
   */
  constructor(
    readonly file: string, readonly names: AccountColumns, readonly decimals: number, readonly pools: PoolDirectory | null,
    readonly weightDecimals = 0, readonly units = false, readonly scoreDecimals = 0, readonly reading: ReadingOptions = PLAIN_READING,
  ) {
    this.csv = { delimiter: reading.delimiter, decimalComma: reading.decimalComma };
    this.#profitRule = `${units ? '--units-decimals' : '--decimals'} ${decimals}`;
    const columns: ColumnRequest[] = [
      { name: names.account, kind: 'id', required: true, option: names.account === 'account' ? null : '--account-column', picker: '--account-column' },
      {
        name: names.profit, kind: 'amount', required: true,
        option: optionOf(names.profit, units ? 'units' : 'profit', units ? '--units-column' : '--profit-column'), picker: units ? '--units-column' : '--profit-column',
      },
    ];
    const optional = (name: string | undefined, kind: ColumnRequest['kind'], option: string, nullable = false): number => {
      if (name === undefined) return -1;
      columns.push({ name, kind, required: true, option, nullable });
      return columns.length - 1;
    };
    this.#k = {
      pool: optional(names.pool, 'text', '--pool-column'),
      exempt: optional(names.exempt, 'flag', '--exempt-column'),
      weight: optional(names.weight, 'amount', '--weight-column'),
      // An empty (or null) cap or capacity is the account's profit (0 when not positive).
      cap: names.capacity !== undefined ? optional(names.capacity, 'amount', '--capacity-column', true) : optional(names.cap, 'amount', '--cap-column', true),
      score: optional(names.score, 'amount', '--score-column'),
      // An empty (or null) lot is one unit.
      lot: optional(names.lot, 'amount', '--lot-column', true),
    };
    this.columns = columns;
    // Each amount column's reading and tally, by what the column is (two roles may read one column).
    const roles = new Map<number, string>([[1, units ? 'units' : 'profit'], [this.#k.weight, 'weight'],
      [this.#k.cap, names.capacity !== undefined ? 'capacity' : 'cap'], [this.#k.score, 'score'], [this.#k.lot, 'lot']]);
    const kinds = new Map<number, CoreTally['column']>([[1, 'profit'], [this.#k.weight, 'weight'], [this.#k.cap, 'cap'], [this.#k.score, 'score'], [this.#k.lot, 'lot']]);
    this.#readings = columns.map((column, k) => {
      const role = roles.get(k);
      if (column.kind !== 'amount' || role === undefined) return { decimalComma: reading.decimalComma, rounding: 'exact' };
      const tally = new Tally();
      this.tallies.set(role, tally);
      this.#tallyOf[kinds.get(k)!] = tally;
      return { decimalComma: reading.decimalComma, rounding: reading.inputRounding, tally };
    });
    this.table = new AccountTable({
      pool: names.pool !== undefined, exempt: names.exempt !== undefined, weights: names.weight !== undefined,
      caps: names.cap !== undefined || names.capacity !== undefined, scores: names.score !== undefined, lots: names.lot !== undefined,
    });
    this.scanCsv = this.#scanner(reading);
  }

  delimited(delimiter: string): void {
    this.delimiter = delimiter;
  }

  /** CSV: plain records taken by the core's scanner. */
  readonly scanCsv: NonNullable<RowConsumer['scanCsv']>;

  /**
   * The core's scanner over this table: each requested column's field given its role, the
   * pools of the directory known to the table first. A file that reads one field as two
   * columns is left to the reader whole.
   */
  #scanner(reading: ReadingOptions): NonNullable<RowConsumer['scanCsv']> {
    const taken: ScanResult = { rows: 0, end: 0 };
    const k = this.#k;
    const roleOf: (Role | null)[] = this.columns.map(() => null);
    roleOf[0] = 'id';
    roleOf[1] = 'profit';
    for (const [role, at] of [['pool', k.pool], ['exempt', k.exempt], ['weight', k.weight], ['cap', k.cap], ['score', k.score], ['lot', k.lot]] as const) {
      if (at >= 0) roleOf[at] = role;
    }
    let shape: CsvShape | null | undefined;
    return (buffer, pos, delimiter, fields, positions, line) => {
      if (shape === undefined) {
        const roles: (Role | null)[] = new Array<Role | null>(fields).fill(null);
        let shared = false;
        positions.forEach((field, column) => {
          shared ||= roles[field] !== null;
          roles[field] = roleOf[column]!;
        });
        shape = shared ? null : {
          delimiter, separator: reading.decimalComma ? 0x2c : 0x2e, roles, rounding: reading.inputRounding,
          decimals: this.decimals, weightDecimals: this.weightDecimals, scoreDecimals: this.scoreDecimals,
        };
      }
      if (shape === null) {
        taken.rows = 0;
        taken.end = pos;
        return taken;
      }
      this.table.pools?.addFrom(this.pools!);
      const before = this.table.rows;
      taken.end = this.table.scanCsv(buffer, pos, shape, line);
      taken.rows = this.table.rows - before;
      return taken;
    };
  }

  /** Counts each pool's accounts, and adds what the core's scanner rounded to the tallies, once every row is read. */
  end(): void {
    if (this.pools !== null) {
      this.pools.counts = this.table.poolCounts(this.pools.pools.length);
      this.table.pools?.addFrom(this.pools); // every pool known by name now, before any writing
    }
    for (const { column, places, count, sum } of this.table.takeTallies()) this.#tallyOf[column]!.addAll(count, sum, places);
  }

  row(f: Fields, line: number): void {
    const k = this.#k;
    if (f.empty(0)) throw new InputError(this.file, f.line[0]!, f.column[0]!, `${this.columns[0]!.name} is empty; expected a non-empty identifier`);
    let decimals = this.decimals;
    let pool = 0;
    let rule: string | undefined;
    if (k.pool >= 0) {
      if (f.empty(k.pool)) throw new InputError(this.file, f.line[k.pool]!, f.column[k.pool]!, `${this.columns[k.pool]!.name} is empty; expected the account's pool (a currency, a market)`);
      pool = this.pools!.intern(f.bytes(k.pool));
      const entry = this.pools!.pools[pool]!;
      decimals = entry.decimals;
      // The messages' rule per pool, made once (a string per row would cost more than the row).
      rule = this.#rules[pool] ??= ruleOf(entry, this.decimals);
    }
    const words = this.#words;
    this.#amount(f, 1, decimals, rule ?? this.#profitRule, false);
    const low = words[0]!, high = words[1]!;
    let exempt = false;
    if (k.exempt >= 0) exempt = this.#flag(f, k.exempt);
    let weight: [number, number] | null = null;
    if (k.weight >= 0) {
      this.#amount(f, k.weight, this.weightDecimals, `--weight-decimals ${this.weightDecimals}`, true);
      weight = [words[0]!, words[1]!];
    }
    // An empty cap is no cap of its own: the most the account can pay, its profit (0 when not positive).
    const capFromProfit = k.cap >= 0 && f.empty(k.cap);
    if (k.cap >= 0 && !capFromProfit) this.#amount(f, k.cap, decimals, rule, true);
    const cap: [number, number] = capFromProfit ? (high < 0 ? [0, 0] : [low, high]) : [words[0]!, words[1]!];
    let score: [number, number] | null = null;
    if (k.score >= 0) {
      this.#amount(f, k.score, this.scoreDecimals, `--score-decimals ${this.scoreDecimals}`, false);
      score = [words[0]!, words[1]!];
    }
    let lot: [number, number] = [1, 0];
    if (k.lot >= 0 && !f.empty(k.lot)) {
      this.#amount(f, k.lot, decimals, rule, false);
      if (words[1]! < 0 || (words[0] === 0 && words[1] === 0)) {
        throw new InputError(this.file, f.line[k.lot]!, f.column[k.lot]!, `${this.columns[k.lot]!.name} ${quote(f.text(k.lot))} is not above 0${this.reading.inputRounding === 'exact' ? '' : ` at ${decimals} decimals (after --input-rounding ${this.reading.inputRounding})`}; expected a lot above 0 (the smallest amount the queue takes; empty: one unit)`);
      }
      lot = [words[0]!, words[1]!];
    }
    let earlier: number;
    try {
      earlier = this.table.add(f.buffer, f.start[0]!, f.end[0]!, f.quoted[0] === 1, low, high, line);
    } catch (error) {
      if (error instanceof RowLimitError) throw new InputError(this.file, error.line, 1, error.message);
      throw error;
    }
    if (earlier >= 0) {
      throw new InputError(this.file, f.line[0]!, f.column[0]!, `${this.columns[0]!.name} ${quote(AS_IS.decode(this.table.idOf(earlier)))} repeats line ${this.table.lineOf(earlier)}; identifiers must be unique`);
    }
    if (k.pool >= 0) this.table.setPool(pool);
    if (exempt) this.table.setExempt();
    if (weight) this.table.setWords('weights', weight[0], weight[1]);
    if (k.cap >= 0) this.table.setWords('caps', cap[0], cap[1]);
    if (score) this.table.setWords('scores', score[0], score[1]);
    if (k.lot >= 0) this.table.setWords('lots', lot[0], lot[1]);
  }

  /** Parses column k at `decimals` into the scratch words; `nonNegative` refuses a minus sign's values. */
  #amount(f: Fields, k: number, decimals: number, rule: string | undefined, nonNegative: boolean): void {
    const name = this.columns[k]!.name;
    try {
      // A bare JSON number is JSON's text: its separator is "." under --decimal-comma too.
      const reading = f.number[k] === 1 && this.csv.decimalComma ? { ...this.#readings[k]!, decimalComma: false } : this.#readings[k];
      parseUnitsInto(f.buffer, f.start[k]!, f.end[k]!, decimals, this.#words, 0, rule, reading);
    } catch (error) {
      if (!(error instanceof DecimalError)) throw error;
      throw new InputError(this.file, f.line[k]!, f.column[k]!, `${name} ${error.message}`);
    }
    if (nonNegative && this.#words[1]! < 0) {
      throw new InputError(this.file, f.line[k]!, f.column[k]!, `${name} ${quote(f.text(k))} is negative; expected a non-negative amount`);
    }
  }

  /** Column k as yes (1, true, yes) or no (0, false, no, empty), case-insensitively. */
  #flag(f: Fields, k: number): boolean {
    if (f.empty(k)) return false;
    // By bytes, case-insensitively: no string per row.
    const yes = flagOf(f.buffer, f.start[k]!, f.end[k]!, f.quoted[k] === 1);
    if (yes !== null) return yes;
    throw new InputError(this.file, f.line[k]!, f.column[k]!, `${this.columns[k]!.name} ${quote(shorten(f.text(k)))} is not a yes or no; expected 1, true, yes, y, 0, false, no, n or empty`);
  }

}

const FLAGS: [string, boolean][] = [['1', true], ['true', true], ['yes', true], ['y', true], ['0', false], ['false', false], ['no', false], ['n', false]];

/** The yes-or-no value of bytes [start, end) (ASCII letters in any case), or null for anything else. */
function flagOf(bytes: Uint8Array, start: number, end: number, quoted: boolean): boolean | null {
  if (quoted && bytes.subarray(start, end).includes(0x22)) return null; // a quote is never part of a flag
  for (const [word, value] of FLAGS) {
    if (end - start !== word.length) continue;
    let same = true;
    for (let i = 0; i < word.length && same; i++) {
      const b = bytes[start + i]!;
      same = (b >= 0x41 && b <= 0x5a ? b | 0x20 : b) === word.charCodeAt(i);
    }
    if (same) return value;
  }
  return null;
}

function optionOf(name: string, standard: string, option: string): string | null {
  return name === standard ? null : option;
}

/**
 * A pools file (CSV: pool,loss and optional insurance_fund and decimals) into a
 * directory: each pool once, with its loss and fund at its own decimals.
 */
export class PoolRows implements RowConsumer {
  readonly columns: ColumnRequest[] = [
    { name: 'pool', kind: 'text', required: true, option: null },
    { name: 'loss', kind: 'amount', required: true, option: null },
    { name: 'insurance_fund', kind: 'amount', required: false, option: null },
    { name: 'decimals', kind: 'text', required: false, option: null },
  ];

  constructor(readonly file: string, readonly directory: PoolDirectory) {}

  row(f: Fields, line: number): void {
    if (f.empty(0)) throw new InputError(this.file, f.line[0]!, f.column[0]!, 'pool is empty; expected the pool\'s name as in the account file\'s pool column');
    let decimals = this.directory.decimals;
    if (!f.empty(3)) {
      const text = f.text(3);
      if (!/^\d+$/.test(text) || Number(text) > MAX_DECIMALS) {
        throw new InputError(this.file, f.line[3]!, f.column[3]!, `decimals ${quote(text)} is not a whole number from 0 to ${MAX_DECIMALS}`);
      }
      decimals = Number(text);
    }
    const name = AS_IS.decode(f.bytes(0));
    const amount = (k: number): bigint => {
      if (f.empty(k) && k === 2) return 0n;
      let units: bigint;
      try {
        units = parseUnits(f.text(k), decimals, f.empty(3) ? `--decimals ${decimals}` : `decimals ${decimals} of pool ${quote(name)}`);
      } catch (error) {
        if (!(error instanceof DecimalError)) throw error;
        throw new InputError(this.file, f.line[k]!, f.column[k]!, `${this.columns[k]!.name} ${error.message}`);
      }
      if (units < 0n) throw new InputError(this.file, f.line[k]!, f.column[k]!, `${this.columns[k]!.name} ${quote(f.text(k))} is negative; expected a non-negative amount`);
      return units;
    };
    const pool: Pool = { name, loss: amount(1), insuranceFund: amount(2), decimals, line };
    const index = this.directory.add(pool);
    if (this.directory.pools[index] !== pool) {
      throw new InputError(this.file, f.line[0]!, f.column[0]!, `pool ${quote(name)} is listed twice (also line ${this.directory.pools[index]!.line}); expected each pool once`);
    }
  }

  end(line: number): void {
    if (this.directory.pools.length === 0) throw new InputError(this.file, line, 1, 'lists no pool; expected a row per pool: pool,loss[,insurance_fund][,decimals]');
  }
}
