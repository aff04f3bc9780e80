// How a value from a file (an identifier, a field) appears in text a person reads: an
// error message, verify's differences, an explanation. One implementation for all of
// them, free of Node, so the library, the command line and the page quote alike.

/** Values longer than this are shortened when a message quotes them. */
export const MAX_QUOTED = 80;

/**
 * `value` for a message: as it is up to 80 characters, else its start and end around the
 * count of characters left out (a 30 MB field never becomes a 30 MB message).
 */
export function shorten(value: string): string {
  if (value.length <= MAX_QUOTED) return value;
  return `${value.slice(0, 48)}…(${value.length - 64} more characters)…${value.slice(-16)}`;
}

/**
 * Characters JSON leaves as they are that a terminal or a page would still act on or
 * hide: DEL and the C1 controls (U+009B opens a terminal escape like ESC [), invisible
 * formatting (a byte-order mark, a zero-width space, a bidirectional override) and the
 * line and paragraph separators.
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** `\uXXXX` for each UTF-16 unit of `c` (both halves of a character past U+FFFF). */
function escapeUnits(c: string): string {
  let out = '';
  for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`;
  return out;
}

/**
 * `value` quoted as a JSON string, shortened past 80 characters: a line break is `\n`,
 * ESC `\u001b`, and every other control or invisible character `\uXXXX`, so that a value
 * can neither forge a line of the text around it nor drive the terminal that shows it.
 */
export function quote(value: string): string {
  return JSON.stringify(shorten(value)).replace(HIDDEN, escapeUnits);
}
