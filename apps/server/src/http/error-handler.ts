import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isUniqueViolation } from '../platform/db/unique-violation.ts';
import { AppError, type ErrorCode } from '../platform/errors.ts';

/** SQLSTATE of a statement PostgreSQL cancelled (here: the read pool's statement_timeout). */
const PG_QUERY_CANCELED = '57014';

/** One place decides the HTTP status of every error code; the switch is exhaustive. */
export function statusOf(code: ErrorCode): number {
  switch (code) {
    case 'invalid_json':
    case 'invalid_field':
    case 'missing_field':
    case 'invalid_identity':
      return 400;
    case 'unauthorized':
      return 401;
    case 'forbidden':
      return 403;
    case 'not_found':
    case 'customer_not_found':
    case 'merge_not_found':
    case 'moment_not_found':
    case 'resource_not_found':
      return 404;
    case 'merge_conflict':
    case 'conflict':
    case 'not_owner':
    case 'invalid_transition':
    case 'over_capacity':
    case 'no_handoff':
    case 'handoff_waiting':
    case 'outside_messaging_window':
    case 'no_reply_address':
      return 409;
    case 'event_too_large':
    case 'batch_too_large':
    case 'body_too_large':
    case 'attachment_too_large':
      return 413;
    case 'unsupported_encoding':
      return 415;
    case 'too_many_attempts':
      return 429;
    case 'shutting_down':
    case 'query_timeout':
      return 503;
    case 'internal':
      return 500;
  }
}

/** `/properties/email` or a missing property → `properties.email`. */
function fieldOf(error: FastifyError, context: string | undefined): string | undefined {
  const first = error.validation?.[0];
  if (!first) return undefined;
  const params = first.params as { missingProperty?: string; additionalProperty?: string };
  const path = first.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const leaf = params.missingProperty ?? params.additionalProperty;
  const joined = [path, leaf].filter(Boolean).join('.');
  return joined || (context === 'body' ? 'body' : context);
}

type ValidationError = NonNullable<FastifyError['validation']>[number];

/**
 * A whole number out of its bounds, said with both: Ajv words `limit=0` as "must be >= 1" and
 * `limit=ten` as "must be integer", and neither tells what would do. Read from the route's
 * schema, for a top-level field (a page `limit`) of an integer type with a minimum and maximum.
 */
function rangeOf(request: FastifyRequest, error: FastifyError): string | null {
  const first = error.validation?.[0];
  if (!first || !['type', 'minimum', 'maximum'].includes(first.keyword) || !error.validationContext) return null;
  const name = first.instancePath.replace(/^\//, '');
  const part = (request.routeOptions.schema as Record<string, { properties?: Record<string, { type?: unknown; minimum?: unknown; maximum?: unknown }> }> | undefined)?.[error.validationContext];
  const field = name.includes('/') ? undefined : part?.properties?.[name];
  if (field?.type !== 'integer' || typeof field.minimum !== 'number' || typeof field.maximum !== 'number') return null;
  return `must be a whole number from ${field.minimum} to ${field.maximum}`;
}

/**
 * What is wrong with the field, said of the field itself and naming what it may be: Ajv words a
 * missing or unknown property as a fault of the object around it ("must have required property
 * 'body'") and a value outside a list of literals as "must be equal to constant", once a literal.
 */
function problemOf(errors: readonly ValidationError[]): string {
  const first = errors[0];
  if (!first) return 'is invalid';
  const params = first.params as { allowedValues?: unknown[]; pattern?: string };
  switch (first.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a field this accepts';
    case 'const': {
      // A union of literals fails once a literal, at the same place.
      const allowed = errors.filter((e) => e.keyword === 'const' && e.instancePath === first.instancePath).map((e) => String((e.params as { allowedValue?: unknown }).allowedValue));
      return allowed.length > 1 ? `must be one of ${allowed.join(', ')}` : `must be ${allowed[0]}`;
    }
    case 'enum':
      return `must be one of ${(params.allowedValues ?? []).map(String).join(', ')}`;
    case 'pattern': {
      // `^(a|b)(,(a|b))*$`: a comma list of words.
      const list = /^\^\(([\w|]+)\)\(,\(\1\)\)\*\$$/.exec(params.pattern ?? '');
      if (list) return `must be one or more of ${list[1]!.split('|').join(', ')}, separated by commas`;
      return first.message ?? 'is invalid';
    }
    default:
      return first.message ?? 'is invalid';
  }
}

/**
 * Errors Fastify's router raises before any route runs (a path segment that is not valid
 * percent-encoding, or one over the router's length limit), in the same JSON shape as the rest.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  void reply
    .status(error.statusCode ?? 400)
    .send({ error: { code: tooLong ? 'not_found' : 'invalid_field', message: tooLong ? 'a path segment is too long to name anything here' : 'the path is not valid percent-encoding', field: 'path' } });
}

/**
 * What Node's HTTP parser refuses before any route sees it (a raw non-ASCII byte in the request
 * target, headers past 16 KB): answered in the API's error shape too, then the connection closes.
 */
export function clientErrors(error: Error & { readonly code?: string }, socket: Duplex): void {
  // The peer left (or the socket was handed to a WebSocket): nothing to answer.
  if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  const headers = error.code === 'HPE_HEADER_OVERFLOW';
  const [status, reason] = headers ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
  const body = JSON.stringify({ error: { code: 'invalid_field', message: headers ? 'the request headers are larger than 16 KB' : 'the request is not valid HTTP (a URL must be percent-encoded)', field: headers ? 'headers' : 'path' } });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/**
 * Turns anything thrown into `{ error: { code, message, field? } }` with the right status.
 * Known failures are data (AppError, Fastify's own request errors); anything else is a bug:
 * logged with the request id and answered 500 without internals.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      return reply.status(statusOf(error.code)).send({ error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } });
    }
    if (error.validation) {
      const field = fieldOf(error, error.validationContext);
      return reply.status(400).send({
        error: { code: error.validation[0]?.keyword === 'required' ? 'missing_field' : 'invalid_field', message: `${field ?? 'request'} ${rangeOf(request, error) ?? problemOf(error.validation)}`, ...(field ? { field } : {}) },
      });
    }
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.status(413).send({ error: { code: 'body_too_large', message: 'request body is too large', field: 'body' } });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.status(415).send({ error: { code: 'invalid_field', message: 'send application/json', field: 'content-type' } });
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return reply.status(400).send({ error: { code: 'invalid_json', message: 'body is not valid JSON', field: 'body' } });
    }
    // A unique index refused a row a check had let through: a concurrent request made it first.
    if (isUniqueViolation(error)) {
      request.log.warn({ err: error }, 'unique violation answered as a conflict');
      return reply.status(statusOf('conflict')).send({ error: { code: 'conflict', message: 'that already exists: another request made it first' } });
    }
    // PostgreSQL stopped a read at the read pool's statement_timeout (database.ts).
    if (error.code === PG_QUERY_CANCELED) {
      return reply.status(statusOf('query_timeout')).send({ error: { code: 'query_timeout', message: 'the query ran over the time limit and was stopped; narrow it (a longer search term, a filter) and try again' } });
    }
    if (error instanceof SyntaxError || error.statusCode === 400) {
      return reply.status(400).send({ error: { code: 'invalid_json', message: 'body is not valid JSON', field: 'body' } });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send({ error: { code: 'invalid_field', message: error.message } });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: `internal error (request ${request.id})` } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } }),
  );
}
