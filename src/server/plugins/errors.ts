import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  ApiError,
  ERROR_CATALOGUE,
  type ErrorCode,
  type FieldError,
  problemType,
} from '../errors.js';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation-failed',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid-json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid-json',
  FST_ERR_VALIDATION: 'validation-failed',
};

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  '57P01',
  '57P03',
  '08006',
  '08001',
]);

export function sendProblem(reply: FastifyReply, error: ApiError): FastifyReply {
  const { request } = reply;
  const entry = ERROR_CATALOGUE[error.code];
  if (error.extra.retryAfterSeconds !== undefined) {
    reply.header('retry-after', String(Math.max(1, Math.ceil(error.extra.retryAfterSeconds))));
  }
  return reply
    .code(entry.status)
    .type('application/problem+json')
    .send({
      type: problemType(error.code),
      title: entry.title,
      status: entry.status,
      code: error.code,
      ...(error.detail ? { detail: error.detail } : {}),
      instance: request.url.split('?')[0],
      requestId: String(request.id),
      ...(error.extra.errors ? { errors: error.extra.errors } : {}),
    });
}

function validationErrors(error: FastifyError): FieldError[] {
  const context = error.validationContext ?? 'body';
  return (error.validation ?? []).slice(0, 20).map((item) => ({
    path: `${context}${item.instancePath || ''}`,
    message: item.message ?? 'is invalid',
  }));
}

/**
 * Reports whether ioredis 5 failed a command for lack of a connection. Those errors carry no
 * code, so they are recognised by class name and by the library's fixed messages.
 */
function isRedisConnectionError(error: Error): boolean {
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    error.message === 'Connection is closed.' ||
    error.message.startsWith("Stream isn't writeable")
  );
}

/**
 * Reports whether PostgreSQL rejected a value (SQLSTATE class 22, data exception), such as a NUL
 * character in text or a date out of range. Such values come from the client, so it is a 400.
 */
function isDataException(error: Error): boolean {
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof severity === 'string' && typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

/**
 * Describes the value PostgreSQL rejected. A NUL character fails with SQLSTATE 22021 in text and
 * 22P05 in jsonb. A lone UTF-16 surrogate, which JSON.stringify writes as an escape such as
 * `\uD800`, fails the jsonb input with 22P02 and a detail that names the surrogate.
 */
function dataExceptionDetail(error: Error): string {
  const { code, detail } = error as { code?: string; detail?: unknown };
  if (code === '22021' || code === '22P05') {
    return 'The request contains a NUL character (\\u0000) in a string, which the database cannot store.';
  }
  if (code === '22P02' && typeof detail === 'string' && /surrogate/i.test(detail)) {
    return 'The request contains a string with an unpaired UTF-16 surrogate (\\uD800 to \\uDFFF), which is not valid Unicode.';
  }
  return 'The request contains a value the database cannot store, such as a date out of range.';
}

/** Maps any thrown error to a catalogue entry; unknown errors become `internal`. */
export function toApiError(error: FastifyError | ApiError | Error): ApiError {
  if (error instanceof ApiError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return new ApiError('validation-failed', 'The request does not match the schema.', {
      errors: validationErrors(fastifyError),
    });
  }
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return new ApiError(mapped);
  if (fastifyError.statusCode === 429) return new ApiError('rate-limited');
  const status = fastifyError.statusCode ?? 500;
  // Other client errors Fastify raises, such as an aborted upload, carry no catalogue code.
  if (status >= 400 && status < 500) return new ApiError('validation-failed');
  if (isDataException(error)) return new ApiError('validation-failed', dataExceptionDetail(error));
  if (fastifyError.code && UNAVAILABLE_CODES.has(fastifyError.code))
    return new ApiError('unavailable');
  if (isRedisConnectionError(error)) return new ApiError('unavailable');
  return new ApiError('internal');
}

async function errorsPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) {
      request.log.error({ err: error, code: apiError.code }, 'request failed');
    } else {
      request.log.info({ code: apiError.code, status: apiError.status }, 'request rejected');
    }
    return sendProblem(reply, apiError);
  });

  app.setNotFoundHandler((request, reply) => {
    return sendProblem(
      reply,
      new ApiError(
        'route-not-found',
        `No route for ${request.method} ${request.url.split('?')[0]}.`,
      ),
    );
  });
}

export default fp(errorsPlugin, { name: 'infraprime-errors' });
