import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Value } from '@sinclair/typebox/value';
import { ClientFrame, STREAM_PROTOCOL, StreamClose, StreamQuery } from '@touchpoint/contracts';
import type { HubSocket } from '../modules/moments/index.ts';
import type { Principal } from '../modules/workspaces/index.ts';
import { AppError } from '../platform/errors.ts';
import { sessionCookieForSocket } from './api-auth.ts';
import type { HttpContext } from './context.ts';
import { findTooDeep } from '../platform/json-limits.ts';

/** The socket as this route uses it (@fastify/websocket hands a `ws` WebSocket). */
type StreamSocket = HubSocket & {
  send(data: string): void;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): unknown;
};

const PONG = JSON.stringify({ type: 'pong' });
/** How often an open stream's session is checked for expiry (sign-out and revocation close it at once). */
const RECHECK_MS = 60_000;
const MAX_FRAME = 4096;
const byteLength = (data: Buffer | ArrayBuffer | Buffer[]) => (Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length);
const BAD_FRAME = JSON.stringify({ type: 'error', error: { code: 'invalid_field', message: 'send {"type":"ping"} or {"type":"resume","after":<seq>}' } });

/**
 * GET /api/v1/stream: the live moment stream (WebSocket). It authenticates here rather than in
 * the bearer scope because a browser cannot set headers on a WebSocket: the token may come as
 * `?token=`, `Authorization: Bearer` or the subprotocol pair `touchpoint, <token>`. A refused
 * upgrade is an ordinary 401 JSON reply.
 */
export async function streamRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  app.decorateRequest('principal', null);
  // Each open stream and the token it opened with: a key revoked or a session signed out (here
  // or in another process) closes its streams at once; expiry is caught by the minute's check.
  const open = new Map<StreamSocket, string>();
  const closeIfEnded = (socket: StreamSocket, token: string) =>
    void ctx.auth.bearer(token).then((still) => {
      if (!still) socket.close(StreamClose.unauthorized, 'session ended');
    });
  ctx.auth.onForget(() => {
    for (const [socket, token] of open) closeIfEnded(socket, token);
  });

  app.route<{ Querystring: StreamQuery }>({
    method: 'GET',
    url: '/stream',
    schema: { tags: ['moments'], summary: 'Live moment activity: open as a WebSocket (frames in packages/contracts/src/stream.ts)', querystring: StreamQuery },
    onRequest: async (request) => {
      request.principal = await authenticate(request, ctx);
    },
    handler: async () => {
      throw new AppError('invalid_field', 'open this URL as a WebSocket', 'upgrade');
    },
    wsHandler: (socket: StreamSocket, request) => {
      // Listeners go on before anything awaits, so no early client frame is missed.
      const subscription = ctx.stream.subscribe(socket, request.principal!, request.query.after ?? null);
      const token = tokenOf(request) ?? '';
      open.set(socket, token);
      const recheck = setInterval(() => closeIfEnded(socket, token), RECHECK_MS);
      socket.on('close', () => {
        clearInterval(recheck);
        open.delete(socket);
      });
      socket.on('message', (data, isBinary) => {
        // Agents send only small control frames here (the app-wide limit is for chat files).
        if (byteLength(data) > MAX_FRAME) return socket.close(1009, 'frame too large');
        const frame = isBinary ? null : parseFrame(data);
        if (!frame) socket.send(BAD_FRAME);
        else if (frame.type === 'ping') socket.send(PONG);
        else subscription.resume(frame.after);
      });
    },
  });
}

async function authenticate(request: FastifyRequest<{ Querystring: StreamQuery }>, ctx: HttpContext): Promise<Principal> {
  const token = tokenOf(request);
  if (!token) throw new AppError('unauthorized', `send a token: ?token=, Authorization: Bearer, or the subprotocols "${STREAM_PROTOCOL}, <token>"`, 'token');
  const principal = await ctx.auth.bearer(token);
  if (!principal) throw new AppError('unauthorized', 'unknown, expired or revoked key', 'token');
  return principal;
}

function tokenOf(request: FastifyRequest<{ Querystring: StreamQuery }>): string | undefined {
  const query = (request.query as Partial<StreamQuery> | undefined)?.token;
  if (query) return query;
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  const protocols = request.headers['sec-websocket-protocol']?.split(',').map((p) => p.trim()) ?? [];
  // Last, the web app's session cookie (only from our own pages: see sessionCookieForSocket).
  return (protocols.includes(STREAM_PROTOCOL) ? protocols.find((p) => p !== STREAM_PROTOCOL && p !== '') : undefined) ?? sessionCookieForSocket(request);
}

function parseFrame(data: Buffer): ClientFrame | null {
  try {
    const value: unknown = JSON.parse(data.toString('utf8'));
    return findTooDeep(value) === null && Value.Check(ClientFrame, value) ? value : null;
  } catch {
    return null;
  }
}
