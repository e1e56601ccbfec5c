import type { FastifyInstance } from 'fastify';
import { AppError } from '../platform/errors.ts';
import { findUnstorableText, UNSTORABLE_TEXT } from '../platform/storable-text.ts';

/** Refuses request bodies and query strings that neither engine could store or compare (NUL, lone surrogates). */
export function refuseUnstorableText(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const inQuery = findUnstorableText(request.query, '');
    if (inQuery !== null) throw new AppError('invalid_field', `${inQuery} ${UNSTORABLE_TEXT}`, inQuery);
    const inBody = findUnstorableText(request.body, '');
    if (inBody !== null) throw new AppError('invalid_field', `${inBody || 'body'} ${UNSTORABLE_TEXT}`, inBody || 'body');
  });
}
