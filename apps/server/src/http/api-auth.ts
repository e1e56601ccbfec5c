import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal, Role } from '../modules/workspaces/index.ts';
import { AppError } from '../platform/errors.ts';
import type { HttpContext } from './context.ts';

/**
 * Requires `Authorization: Bearer <api key or session token>` on every route of the plugin
 * it is installed in. Analysts may read; writes need one of the roles a route names.
 */
export function requireBearer(app: FastifyInstance, ctx: HttpContext): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (!header?.startsWith('Bearer ')) throw new AppError('unauthorized', 'send Authorization: Bearer <api key>', 'authorization');
    const principal = await ctx.auth.bearer(header.slice(7).trim());
    if (!principal) throw new AppError('unauthorized', 'unknown, expired or revoked key', 'authorization');
    if (request.method !== 'GET' && principal.role === 'analyst') throw new AppError('forbidden', 'analysts have read-only access');
    request.principal = principal;
  });
}

/** The caller, after requireBearer ran; optionally limited to some roles. */
export function principalOf(request: FastifyRequest, roles?: readonly Role[]): Principal {
  const p = request.principal;
  if (!p) throw new AppError('unauthorized', 'not signed in');
  if (roles && !roles.includes(p.role)) throw new AppError('forbidden', `needs role ${roles.join(' or ')}`);
  return p;
}
