import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { whenDurable } from '../platform/db/commit-durability.ts';
import type { HttpContext } from './context.ts';

/** Health for load balancers and Prometheus metrics; neither needs a key, neither shows data. */
export async function systemRoutes(app: FastifyInstance, ctx: HttpContext, isDraining: () => boolean): Promise<void> {
  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    if (isDraining()) return reply.status(503).send({ status: 'draining' });
    await sql`select 1`.execute(ctx.deps.db);
    try {
      await whenDurable(ctx.deps.db);
    } catch {
      // Once an fsync failed, no write can be acknowledged any more (wal-sync.ts): take this server out of rotation.
      return reply.status(503).send({ status: 'unavailable', reason: 'the disk failed to sync the database; writes are refused until the server is restarted' });
    }
    return { status: 'ok', engine: ctx.deps.engine };
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
