import type { FastifyInstance } from 'fastify';

/**
 * Writes the error reply into every operation's OpenAPI description: each answers its 4xx and
 * 5xx as `{ error: { code, message, field? } }` (error-handler.ts). Documentation only: replies
 * are serialised as built (sent-as-built.ts), never through these schemas.
 */
export function documentErrors(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    if (!route.schema || route.schema.hide) return;
    const error = { $ref: 'ErrorBody#', description: 'the error, naming the field when one is at fault' };
    route.schema.response = { ...(route.schema.response as Record<string, unknown> | undefined), '4xx': error, '5xx': error };
  });
}
