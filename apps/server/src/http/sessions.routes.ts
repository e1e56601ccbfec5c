import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { CurrentSession, NoContent, SignInBody, SignInReply } from '@touchpoint/contracts';
import { endSession, getWorkspace, signIn } from '../modules/workspaces/index.ts';
import { authenticate, cookieOf, csrfTokenFor, SESSION_COOKIE, setSessionCookies } from './api-auth.ts';
import type { HttpContext } from './context.ts';
import { AppError } from '../platform/errors.ts';
import { createRateLimiter } from '../platform/rate-limiter.ts';

// Per email: slow enough to make guessing one password hopeless. Per address: higher, since
// an office behind one NAT shares it.
const FAILURES_PER_EMAIL = { max: 10, windowMs: 5 * 60_000 } as const;
const FAILURES_PER_ADDRESS = { max: 50, windowMs: 5 * 60_000 } as const;

/**
 * Sessions for people: sign in with email and password (a Bearer token for scripts, and the
 * HttpOnly session cookie plus its CSRF cookie for the web app), who am I, sign out. Switching
 * workspace is signing in again (with that workspace's password) and `workspaceId`.
 */
export async function sessionsRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  const { deps } = ctx;
  // Password guessing: failed sign-ins per email and per client address, in this process. A
  // success does not clear the email's count: one email may be an agent in several
  // workspaces, and signing in to one must not give guesses at the other back.
  const perEmail = createRateLimiter(deps.clock, FAILURES_PER_EMAIL);
  const perAddress = createRateLimiter(deps.clock, FAILURES_PER_ADDRESS);

  app.post<{ Body: Static<typeof SignInBody> }>(
    '/sessions',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in; use the token as Authorization: Bearer (browsers also get the session cookie)',
        description:
          'One email may be an agent in several workspaces, each with its own password. The password is checked against each of them; ' +
          'the session opens in `workspaceId` if given (401 unless the password verifies there), else in the first (oldest) that verifies. ' +
          '`workspaces` lists every workspace where this password verifies: switching to another is signing in again with its `workspaceId`. ' +
          'A new sign-in ends no other session: the previous one stays valid until it expires or is signed out.',
        body: SignInBody,
        response: { 201: SignInReply },
      },
    },
    async (request, reply) => {
      const email = request.body.email.trim().toLowerCase();
      if (!perEmail.allows(email) || !perAddress.allows(request.ip)) throw new AppError('too_many_attempts', 'too many failed sign-ins; try again in a few minutes', 'email');
      const session = await signIn(deps, request.body).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'unauthorized') {
          perEmail.record(email);
          perAddress.record(request.ip);
        }
        throw error;
      });
      // The browser's cookie now names the new session: end the one it replaces, which this
      // browser could otherwise never sign out of (switching workspace signs in again).
      const replaced = cookieOf(request, SESSION_COOKIE);
      if (replaced) {
        await endSession(deps.db, replaced);
        await ctx.auth.forget();
      }
      setSessionCookies(request, reply, session);
      reply.status(201);
      return { ...session, csrfToken: csrfTokenFor(session.token), expiresAt: new Date(session.expiresAt).toISOString() };
    },
  );

  app.get('/sessions/current', { schema: { tags: ['auth'], summary: 'Who is signed in: the agent, their role and workspace', response: { 200: CurrentSession } } }, async (request) => {
    const principal = await authenticate(request, ctx);
    const [workspace, agent] = await Promise.all([
      getWorkspace(deps.db, principal.workspaceId),
      principal.agentId === null
        ? undefined
        : deps.db.selectFrom('agent').select(['id', 'name', 'email', 'role', 'presence']).where('workspace_id', '=', principal.workspaceId).where('id', '=', principal.agentId).executeTakeFirst(),
    ]);
    return { workspace: { id: principal.workspaceId, name: workspace?.name ?? '' }, role: principal.role, via: principal.via, agent: agent ?? null };
  });

  app.delete('/sessions', { schema: { tags: ['auth'], summary: 'Sign out: ends the session of the token or cookie that calls', response: { 204: NoContent } } }, async (request, reply) => {
    const principal = await authenticate(request, ctx);
    const token = sessionTokenOf(request);
    if (token) {
      await endSession(deps.db, token, principal.workspaceId);
      // Sessions are cached for 30 s like keys: every process drops them, so sign-out takes effect at once.
      await ctx.auth.forget();
    }
    setSessionCookies(request, reply, null);
    return reply.status(204).send();
  });
}

/** The session token a request authenticated with: a Bearer session token, else the cookie. */
function sessionTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    const token = header.slice(7).trim();
    return token.startsWith('tp_sess_') ? token : undefined;
  }
  return cookieOf(request, SESSION_COOKIE);
}
