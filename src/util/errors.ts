/**
 * Errors that tell the user what was expected, what arrived and how to fix it.
 *
 *   throw new UserError(`cannot read video "${file}": no video stream`, 'pass a file with a video track');
 *
 * A `UserError` is a mistake in the input or the environment: the CLI prints its message and
 * hint without a stack and exits with code 2. Anything else is a bug: printed with its stack.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  readonly exitCode = 2;
  constructor(
    message: string,
    /** How to fix it, one line. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}

/** Format a list of valid values the way every error in Janus does: `a|b|c`. */
export function choices(values: readonly string[]): string {
  return values.join('|');
}

/** Render any thrown value as one line (for logs and error chains). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? String(err);
  return String(err);
}
