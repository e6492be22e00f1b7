/** A mistake in the command line or its input that the user can fix; exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly help?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Formats an error for a person: the message and help, or a bug notice with the cause chain. */
export function formatCliError(error: unknown): string {
  if (error instanceof UsageError) {
    return `error: ${error.message}${error.help ? `\nhelp: ${error.help}` : ''}`;
  }
  const lines = ['error: this is a bug in InfraPrime; please report it with the output below.'];
  let cause: unknown = error;
  while (cause) {
    lines.push(cause instanceof Error ? (cause.stack ?? cause.message) : String(cause));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return lines.join('\ncaused by: ');
}
