// Errors the command reports with exit status 2: bad arguments and bad rows.
// Anything else is an internal error (exit status 1).

/** A malformed row or value: printed as `file:line:column: message`. */
export class InputError extends Error {
  override name = 'InputError';
  /** @param file the input's name as given; line and column are 1-based. */
  constructor(readonly file: string, readonly line: number, readonly column: number, message: string) {
    super(`${file}:${line}:${column}: ${message}`);
  }
}

/** A bad command line: printed with a pointer to --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}
