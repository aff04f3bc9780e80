// The documentation whose examples the tests replay: the README's front page, then the
// reference in docs/, in reading order (later examples may use what earlier ones made).
import { readFileSync } from 'node:fs';

/** The files, repository-relative, in the order their examples run. */
export const DOCUMENTS = [
  'README.md', 'docs/library.md', 'docs/sharded.md', 'docs/command-line.md', 'docs/page.md', 'docs/how-it-works.md', 'docs/performance.md',
] as const;

/** Every document's text, joined in order. */
export function documentation(): string {
  return DOCUMENTS.map((path) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')).join('\n');
}
