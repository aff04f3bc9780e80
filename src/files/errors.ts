// Errors the command reports with exit status 2: bad arguments, bad rows and
// failures of the environment (a full disk, a missing directory). Anything else
// is an internal error (exit status 1).

// Quoting values for messages: one implementation (src/audit/quote.ts, with the auditor, which keeps to its own folder) for the command, the page and the library.
import { shorten } from '../audit/quote.js';

export { MAX_QUOTED, quote, shorten } from '../audit/quote.js';

/** A malformed row or value: printed as `file:line:column: message` (`file: message` for the file as a whole). */
export class InputError extends Error {
  override name = 'InputError';
  /** @param file the input's name as given; line and column are 1-based, or 0 for what concerns the whole file (a Parquet footer). */
  constructor(readonly file: string, readonly line: number, readonly column: number, message: string) {
    super(line === 0 ? `${file}: ${message}` : `${file}:${line}:${column}: ${message}`);
  }
}

export { DecimalError } from '../amount.js';

/** A bad command line: printed with a pointer to --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What a failing system call means, for a person: `ENOSPC` → "no space left on the device". */
const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for the file system',
  EIO: 'input/output error',
  EBUSY: 'the path is busy (a mount point or a directory in use)',
  EEXIST: 'already exists',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EXDEV: 'not on the same file system',
  EINVAL: 'invalid argument',
  ENXIO: 'no such device or address (a socket, or a pipe with no reader)',
  EAGAIN: 'resource temporarily unavailable',
  EPIPE: 'broken pipe (the reader closed it)',
  EBADF: 'not an open file descriptor (a closed or write-only stream)',
  EMLINK: 'too many links to the file',
};

/** The reason of a Node system error as a short phrase, with its code: "no space left on the device (ENOSPC)". */
export function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string') return `${REASONS[code] ?? 'system error'} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

/** Whether `error` is a failure of a system call (it has an `E…` code). */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

/**
 * A file or directory the command cannot use as asked (missing, a directory,
 * permission denied, a full disk): printed as `cannot <action> <path>: <reason>`.
 */
export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
  /** @param action what was being done ("read", "write"); `reason` a phrase, or a system error to describe. */
  constructor(readonly action: string, readonly path: string, reason: unknown) {
    super(`cannot ${action} ${path === '' ? "''" : shorten(path)}: ${typeof reason === 'string' ? reason : reasonOf(reason)}`, { cause: reason });
  }
}
