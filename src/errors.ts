/**
 * Two kinds of failure, printed differently by the CLI (STYLE.md rule 12):
 * user errors (bad config, bad flags, bad input files) print one line and exit 2 or 1;
 * anything else is a bug and prints its stack.
 */

/** A problem in a config or experiment file. `message` is already `file:line:col: path: what (got x)`. */
export class ConfigError extends Error {
  /** Every error found, one line each; `message` joins them. */
  readonly lines: string[];
  constructor(lines: string[] | string) {
    const list = Array.isArray(lines) ? lines : [lines];
    super(list.join('\n'));
    this.name = 'ConfigError';
    this.lines = list;
  }
}

/** A bad command line: unknown flag value, missing argument. Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A run that could not complete for a reason the user can act on (missing file, bad weights). Exit code 1. */
export class RunError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'RunError';
    this.exitCode = exitCode;
  }
}

export function isUserError(e: unknown): e is ConfigError | UsageError | RunError {
  return e instanceof ConfigError || e instanceof UsageError || e instanceof RunError;
}

export function exitCodeFor(e: unknown): number {
  if (e instanceof ConfigError || e instanceof UsageError) return 2;
  if (e instanceof RunError) return e.exitCode;
  return 1;
}
