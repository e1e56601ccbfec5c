import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { HttpContext } from './context.ts';

/** Health for load balancers and Prometheus metrics; neither needs a key, neither shows data. */
export async function systemRoutes(app: FastifyInstance, ctx: HttpContext, isDraining: () => boolean): Promise<void> {
  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    if (isDraining()) return reply.status(503).send({ status: 'draining' });
    await sql`select 1`.execute(ctx.deps.db);
    return { status: 'ok', engine: ctx.deps.engine };
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
