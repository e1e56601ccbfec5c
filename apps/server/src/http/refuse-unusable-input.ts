import type { FastifyInstance } from 'fastify';
import { AppError } from '../platform/errors.ts';
import { refuseUnusableJson } from '../platform/json-limits.ts';
import { findUnstorableText, UNSTORABLE_TEXT } from '../platform/storable-text.ts';

/**
 * Refuses request bodies nested past MAX_JSON_DEPTH (checked first: the checks below and the
 * schema's validator recurse) or holding a number past a double's range, and bodies and query
 * strings that neither engine could store or compare (NUL, lone surrogates).
 */
export function refuseUnusableInput(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    refuseUnusableJson(request.body);
    const inQuery = findUnstorableText(request.query, '');
    if (inQuery !== null) throw new AppError('invalid_field', `${inQuery} ${UNSTORABLE_TEXT}`, inQuery);
    const inBody = findUnstorableText(request.body, '');
    if (inBody !== null) throw new AppError('invalid_field', `${inBody || 'body'} ${UNSTORABLE_TEXT}`, inBody || 'body');
  });
}
