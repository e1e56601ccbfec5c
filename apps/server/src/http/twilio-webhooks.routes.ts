import type { FastifyInstance } from 'fastify';
import type { HttpContext } from './context.ts';

export async function twilioWebhooksRoutes(_app: FastifyInstance, _ctx: HttpContext): Promise<void> {}
