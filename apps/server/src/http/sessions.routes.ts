import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { SignInBody } from '@touchpoint/contracts';
import { signIn } from '../modules/workspaces/index.ts';
import type { HttpContext } from './context.ts';

/** Sign-in for people: email and password in, a session token (Bearer) out. */
export async function sessionsRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  app.post<{ Body: Static<typeof SignInBody> }>(
    '/sessions',
    { schema: { tags: ['auth'], summary: 'Sign in; use the token as Authorization: Bearer', body: SignInBody } },
    async (request, reply) => {
      const session = await signIn(ctx.deps, request.body);
      reply.status(201);
      return { ...session, expiresAt: new Date(session.expiresAt).toISOString() };
    },
  );
}
