// The option names each call takes, listed once per call, and the one check that
// rejects any other key: a misspelled option (`insurance_fund`) must never silently
// fall back to its default. Every string key an object has, own or inherited from its own
// prototypes, is checked (symbols are not options), before any of its values is read.

import { typeError } from './errors.js';

/**
 * The keys each options-taking call knows, by call: the only place they are listed
 * (the test suite checks each list against the call's TypeScript type).
 */
export const OPTION_KEYS = Object.freeze({
  /** `engine.socialize`, `socializeReference`, a sharded engine's `socialize`. */
  socialize: ['loss', 'insuranceFund', 'profits', 'exempt', 'rounding', 'tieSeed', 'weights', 'caps'],
  /** `engine.socializePools`, `socializePoolsReference`, a sharded engine's `socializePools`. */
  socializePools: ['profits', 'pool', 'pools', 'exempt', 'rounding', 'tieSeed', 'weights', 'caps'],
  /** Each entry of `pools`, in every `socializePools`. */
  pool: ['loss', 'insuranceFund'],
  /** `book.socialize`, one engine's book and a sharded book (whose `weights` and `caps` are booleans). */
  bookSocialize: ['loss', 'insuranceFund', 'rounding', 'tieSeed', 'weights', 'caps'],
  /** The `options` of `book.socializePools(pools, options)`, one engine's book and a sharded book. */
  bookPools: ['rounding', 'tieSeed', 'weights', 'caps'],
  /** `engine.indexDelta`, `indexDeltaReference`, a sharded engine's `indexDelta`. */
  indexDelta: ['loss', 'units', 'scale', 'rounding', 'chargeRounding'],
  /** `deleverageReference` (the auto-deleveraging queue). */
  deleverage: ['loss', 'insuranceFund', 'profits', 'scores', 'capacities', 'lots', 'exempt', 'tieSeed'],
  /** `book.deleverage`. */
  bookDeleverage: ['loss', 'insuranceFund', 'tieSeed', 'scores', 'capacities', 'lots'],
  /** `deleveragePoolsReference`. */
  deleveragePools: ['profits', 'pool', 'pools', 'scores', 'capacities', 'lots', 'exempt', 'tieSeed'],
  /** `measureHaircuts` and `engine.measureHaircuts`. */
  measureHaircuts: ['haircuts', 'capacities', 'profits', 'exempt', 'loss', 'insuranceFund', 'pool', 'pools'],
  /** `book.measureHaircuts`. */
  bookMeasureHaircuts: ['loss', 'insuranceFund', 'pools'],
  /** `parseUnits(text, decimals, options)` (socialized-loss/decimal). */
  parseUnits: ['rounding'],
  /** `explainAccount(input, index, options)` (socialized-loss/audit). */
  explainAccount: ['decimals', 'accounts'],
  /** `resultToJSON(result, options)`. */
  resultToJSON: ['decimals'],
  /** `loadEngine(options)`. */
  loadEngine: ['variant'],
  /** `loadShardedEngine(options)`. */
  loadShardedEngine: ['shards', 'transports', 'shared', 'variant', 'timeoutMs'],
  /** A sharded engine's `createBook(n, options)`. */
  shardedBook: ['pools', 'weights', 'caps'],
} as const);

/** A name as the comparison sees it: case-folded, without `_` and `-` (`insurance_fund` is `insurancefund`). */
function folded(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

/**
 * The optimal-string-alignment distance between `a` and `b`: insertions, deletions,
 * substitutions and swaps of two neighbours, each 1 (`tiesede` is 1 from `tieseed`).
 */
function distance(a: string, b: string): number {
  // Three rows of the table: the one before the previous (for swaps), the previous, this one.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      row.push(best);
    }
    before = previous;
    previous = row;
  }
  return previous[b.length]!;
}

/**
 * The known key nearest to `key` by `distance` over folded names, or undefined when
 * none is close: within a third of the longer name (at least 1), the first listed on a tie.
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const name = folded(key);
  let nearest: string | undefined;
  let least = Infinity;
  for (const candidate of known) {
    const other = folded(candidate);
    const d = distance(name, other);
    if (d < least && d <= Math.max(1, Math.ceil(Math.max(name.length, other.length) / 3))) {
      nearest = candidate;
      least = d;
    }
  }
  return nearest;
}

/** A key as a message shows it: as it is when it reads as a name, else quoted (and shortened past 40 characters). */
function shown(key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key) && key.length <= 40) return key;
  return JSON.stringify(key.length > 40 ? key.slice(0, 40) + '…' : key);
}

/**
 * Checks that every string key `value` has is one of `known`: its own keys, enumerable or
 * not, and those it inherits from a prototype of its own (a class's getters, an object made
 * by `Object.create(defaults)`), up to `Object.prototype` and besides a class's
 * `constructor`, since the readers take any of them. The first that is not known is a
 * TypeError (ERR_UNKNOWN_OPTION) naming it, where it is (`where`, e.g. `pools[2]`), and the
 * nearest known key when one is close. Reads no value (a getter does not run); a Proxy's
 * `ownKeys` and `getPrototypeOf` traps do.
 *
 * @example
 * checkKeys({ loss: 5n, insurance_fund: 5n }, OPTION_KEYS.socialize);
 * // TypeError: unknown option insurance_fund; did you mean insuranceFund?
 */
export function checkKeys(value: object, known: readonly string[], where?: string): void {
  for (let level: object | null = value; level !== null && level !== Object.prototype; level = Object.getPrototypeOf(level) as object | null) {
    for (const key of Object.getOwnPropertyNames(level)) {
      if (known.includes(key) || (level !== value && key === 'constructor')) continue;
      const name = where === undefined ? shown(key) : `${where}.${shown(key)}`;
      const nearest = nearestKey(key, known);
      const hint = nearest === undefined ? ` (the options are ${known.join(', ')})` : `; did you mean ${nearest}?`;
      throw typeError('ERR_UNKNOWN_OPTION', `unknown option ${name}${hint}`);
    }
  }
}
