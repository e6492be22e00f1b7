import { Type } from 'typebox';

/**
 * The API's error catalogue. Every error response is `application/problem+json` with one of
 * these codes; codes are stable and never reused. The OpenAPI document lists them in the
 * `Problem` schema.
 */
export const ERROR_CATALOGUE = {
  'validation-failed': { status: 400, title: 'The request is invalid.' },
  'invalid-json': { status: 400, title: 'The request body is not valid JSON.' },
  'invalid-cursor': { status: 400, title: 'The pagination cursor is invalid.' },
  unauthenticated: { status: 401, title: 'Authentication is required.' },
  'session-expired': { status: 401, title: 'The session has expired; log in again.' },
  'invalid-credentials': { status: 401, title: 'The email or password is wrong.' },
  'invalid-token': { status: 401, title: 'The API token is invalid, expired or revoked.' },
  forbidden: { status: 403, title: 'Your role or token does not allow this action.' },
  'csrf-failed': { status: 403, title: 'The CSRF token is missing or wrong.' },
  'origin-rejected': { status: 403, title: 'The request origin is not allowed.' },
  'not-found': { status: 404, title: 'The resource does not exist.' },
  'route-not-found': { status: 404, title: 'No API route matches this method and path.' },
  conflict: { status: 409, title: 'The resource already exists.' },
  'payload-too-large': { status: 413, title: 'The request body is too large.' },
  'unsupported-media-type': { status: 415, title: 'The request body must be application/json.' },
  'report-invalid': { status: 422, title: 'The report cannot be read.' },
  'report-too-large': { status: 422, title: 'The report has too many entries.' },
  'image-required': { status: 422, title: 'The report does not name its image.' },
  'last-admin': { status: 422, title: 'The last active administrator cannot be removed.' },
  'rate-limited': { status: 429, title: 'Too many requests; retry later.' },
  'login-backoff': { status: 429, title: 'Too many failed logins; wait before retrying.' },
  'account-locked': { status: 429, title: 'The account is locked after repeated failed logins.' },
  internal: { status: 500, title: 'The server failed to handle the request.' },
  unavailable: { status: 503, title: 'A backing service is unavailable.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

export interface FieldError {
  path: string;
  message: string;
}

/** An error the API reports to the client with a catalogue code. */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly extra: { errors?: FieldError[]; retryAfterSeconds?: number } = {},
  ) {
    super(detail ?? ERROR_CATALOGUE[code].title);
    this.name = 'ApiError';
    this.status = ERROR_CATALOGUE[code].status;
  }
}

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.Enum(Object.keys(ERROR_CATALOGUE) as ErrorCode[]),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', description: 'An RFC 9457 problem document.' },
);

export function problemType(code: ErrorCode): string {
  return `urn:infraprime:problem:${code}`;
}
