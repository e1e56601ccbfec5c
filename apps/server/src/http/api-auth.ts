import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal, Role } from '../modules/workspaces/index.ts';
import { AppError } from '../platform/errors.ts';
import { sameBytes } from '../platform/same-bytes.ts';
import type { HttpContext } from './context.ts';

/** The web app's session: an HttpOnly cookie holding the same token a Bearer header would. */
export const SESSION_COOKIE = 'tp_session';
/** Readable by the page, echoed in `x-csrf-token` on every write the session cookie authenticates. */
export const CSRF_COOKIE = 'tp_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** The roles that may change a workspace's settings (pass to principalOf). */
export const ADMINS: readonly Role[] = ['owner', 'admin'];

/**
 * Requires a caller on every route of the plugin it is installed in: `Authorization: Bearer
 * <api key or session token>`, or the web app's session cookie. Analysts may read; writes
 * need one of the roles a route names.
 */
export function requireBearer(app: FastifyInstance, ctx: HttpContext): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const principal = await authenticate(request, ctx);
    if (request.method !== 'GET' && principal.role === 'analyst') throw new AppError('forbidden', 'analysts have read-only access');
    request.principal = principal;
  });
}

/**
 * Who is calling. A Bearer header wins (a script's key); otherwise the session cookie, and
 * then a write must also carry the CSRF token: another site can make a browser send our
 * cookie, but it cannot read the token to put it in a header (double submit, the token being
 * an HMAC of the session so a planted cookie cannot forge it).
 */
export async function authenticate(request: FastifyRequest, ctx: HttpContext): Promise<Principal> {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    const principal = await ctx.auth.bearer(header.slice(7).trim());
    if (!principal) throw new AppError('unauthorized', 'unknown, expired or revoked key', 'authorization');
    return principal;
  }
  const token = cookieOf(request, SESSION_COOKIE);
  if (!token) throw new AppError('unauthorized', 'send Authorization: Bearer <api key>, or sign in', 'authorization');
  const principal = await ctx.auth.bearer(token);
  if (!principal) throw new AppError('unauthorized', 'your session has ended: sign in again', 'authorization');
  if (!SAFE_METHODS.has(request.method) && !sameSecret(request.headers[CSRF_HEADER], csrfTokenFor(token))) {
    throw new AppError('forbidden', `a write signed in by cookie needs the ${CSRF_HEADER} header (the ${CSRF_COOKIE} cookie's value)`, CSRF_HEADER);
  }
  return principal;
}

/** The caller, after requireBearer ran; optionally limited to some roles. */
export function principalOf(request: FastifyRequest, roles?: readonly Role[]): Principal {
  const p = request.principal;
  if (!p) throw new AppError('unauthorized', 'not signed in');
  if (roles && !roles.includes(p.role)) throw new AppError('forbidden', `needs role ${roles.join(' or ')}`);
  return p;
}

/**
 * The session cookie of a WebSocket upgrade, if it comes from our own pages. Browsers send
 * cookies on cross-site WebSocket handshakes too and no header can carry a CSRF token there,
 * so the Origin must name this host.
 */
export function sessionCookieForSocket(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  if (origin !== undefined && hostOf(origin) !== request.host) return undefined;
  return cookieOf(request, SESSION_COOKIE);
}

/** The CSRF token that goes with a session token. */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('touchpoint csrf').digest('base64url');
}

/** Sets (or, with null, clears) the session and CSRF cookies; Secure when the browser came over HTTPS. */
export function setSessionCookies(request: FastifyRequest, reply: FastifyReply, session: { readonly token: string; readonly expiresAt: number } | null): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  const expires = session ? `; Expires=${new Date(session.expiresAt).toUTCString()}` : '; Max-Age=0';
  reply.header('set-cookie', [
    `${SESSION_COOKIE}=${session?.token ?? ''}; Path=/; HttpOnly; SameSite=Lax${expires}${secure}`,
    `${CSRF_COOKIE}=${session ? csrfTokenFor(session.token) : ''}; Path=/; SameSite=Lax${expires}${secure}`,
  ]);
}

/** One cookie's value from the Cookie header (tokens and HMACs are URL-safe: no decoding). */
export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

function sameSecret(given: string | string[] | undefined, expected: string): boolean {
  return typeof given === 'string' && sameBytes(given, expected);
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}
