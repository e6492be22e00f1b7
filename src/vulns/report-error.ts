/** A scan report that InfraPrime cannot read; `path` is a JSON pointer to the offending value. */
export class ReportError extends Error {
  constructor(
    message: string,
    readonly path = '',
  ) {
    super(path ? `${message} at ${path}` : message);
    this.name = 'ReportError';
  }
}
