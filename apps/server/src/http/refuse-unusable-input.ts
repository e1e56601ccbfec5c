import type { FastifyInstance } from 'fastify';
import { AppError } from '../platform/errors.ts';
import { refuseUnusableJson } from '../platform/json-limits.ts';
import { findUnstorableText, UNSTORABLE_TEXT } from '../platform/storable-text.ts';

/**
 * Refuses request bodies nested past MAX_JSON_DEPTH (checked first: the checks below and the
 * schema's validator recurse) or holding a number past a double's range, and bodies and query
 * strings that neither engine could store or compare (NUL, lone surrogates), and numbers in
 * query strings past any range (`limit=Infinity`).
 */
export function refuseUnusableInput(app: FastifyInstance): void {
  // The REST API takes JSON only: a text/plain body would reach the schema as a string and be
  // told "body must be object"; without its parser Fastify answers 415 "send application/json".
  app.removeContentTypeParser('text/plain');
  // An empty body sent as JSON (curl -X DELETE -H 'content-type: application/json') is no body,
  // not malformed JSON: the route's schema says whether it needed one.
  // (Hooks with `done`, not async: every API request runs them, and a promise each costs a turn.)
  app.addHook('onRequest', (request, _reply, done) => {
    const length = request.headers['content-length'];
    if (length === '0' || (length === undefined && request.headers['transfer-encoding'] === undefined)) delete request.headers['content-type'];
    done();
  });
  app.addHook('preValidation', async (request) => {
    refuseUnusableJson(request.body);
    const inQuery = findUnstorableText(request.query, '');
    if (inQuery !== null) throw new AppError('invalid_field', `${inQuery} ${UNSTORABLE_TEXT}`, inQuery);
    const inBody = findUnstorableText(request.body, '');
    if (inBody !== null) throw new AppError('invalid_field', `${inBody || 'body'} ${UNSTORABLE_TEXT}`, inBody || 'body');
  });
  // After validation: Ajv turns `limit=Infinity` (or 1e999) into Infinity and lets it through
  // `maximum`, so a number parameter the schema took may still be one no query can use.
  app.addHook('preHandler', (request, _reply, done) => {
    for (const [key, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
      if ([value].flat().some((v) => typeof v === 'number' && !Number.isFinite(v))) return done(new AppError('invalid_field', `${key} must be a finite number`, key));
    }
    done();
  });
}

/**
 * Refuses path parameters that neither engine could compare (`/customers/a%00b`: PostgreSQL
 * fails on the NUL before any lookup). Registered on the root, so webhooks' ids are checked too.
 */
export function refuseUnusableParams(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const field = findUnstorableText(request.params, '');
    done(field === null ? undefined : new AppError('invalid_field', `${field} ${UNSTORABLE_TEXT}`, field));
  });
}
