import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findChannelById } from '../modules/channels/index.ts';
import { AppError } from '../platform/errors.ts';
import { chatSettingsOf } from '../channels/chat/chat-settings.ts';
import type { VisitorSocket } from '../channels/chat/visitor-hub.ts';
import { widgetAssets, type Asset } from '../channels/chat/widget-assets.ts';
import type { HttpContext } from './context.ts';
import { acceptsGzip } from './accepts-gzip.ts';

type SocketQuery = { channel?: string; visitor?: string; userId?: string; userHash?: string; email?: string; name?: string; after?: string };

/** A visitor's frame may carry a file (5 MB, base64): the largest frame any socket accepts. */
export const MAX_WEBSOCKET_FRAME = 7 * 1024 * 1024 + 64 * 1024;
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

/**
 * The chat widget: GET /widget.js (the loader a site embeds), GET /widget/frame.html and
 * /widget/frame.js (the app in the iframe), and GET /widget/socket (the visitors' WebSocket).
 * The widget is bundled from apps/widget on first request and kept in memory with an ETag.
 * The frame page is sent with `Content-Security-Policy: frame-ancestors <allowed origins>`,
 * so only the channel's sites can embed it.
 */
export async function widgetRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  const hub = ctx.visitors;

  app.get('/widget.js', { schema: { tags: ['widget'], summary: 'The chat widget loader: <script src=".../widget.js" data-channel="<id>" async>' } }, async (request, reply) => {
    const assets = await widgetAssets();
    reply.header('cross-origin-resource-policy', 'cross-origin');
    return serve(request, reply, assets.loader, 'public, max-age=300');
  });

  app.get<{ Querystring: { v?: string } }>('/widget/frame.js', { schema: { hide: true } }, async (request, reply) => {
    const assets = await widgetAssets();
    return serve(request, reply, assets.frameScript, request.query.v === assets.version ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
  });

  app.get<{ Querystring: { channel?: string } }>('/widget/frame.html', { schema: { tags: ['widget'], summary: 'The chat app the loader opens in an iframe' } }, async (request, reply) => {
    const channel = request.query.channel ? await findChannelById(ctx.deps, request.query.channel, ['chat']) : null;
    if (!channel) throw new AppError('resource_not_found', 'no enabled chat channel with that id', 'channel');
    const assets = await widgetAssets();
    const origins = chatSettingsOf(channel).allowedOrigins;
    const host = request.headers.host && HOST.test(request.headers.host) ? request.headers.host : null;
    reply.header(
      'content-security-policy',
      [
        `frame-ancestors ${origins.length > 0 ? origins.join(' ') : "'none'"}`,
        "default-src 'none'",
        "script-src 'self'",
        `style-src '${assets.styleHash}'`,
        "img-src 'self' blob: data:",
        `connect-src 'self'${host ? ` ws://${host} wss://${host}` : ''}`,
        "base-uri 'none'",
        "form-action 'none'",
      ].join('; '),
    );
    reply.header('x-content-type-options', 'nosniff');
    // Allowed origins can change at any time: always revalidate (the ETag makes that cheap).
    return serve(request, reply, assets.framePage(origins), 'no-cache');
  });

  app.route<{ Querystring: SocketQuery }>({
    method: 'GET',
    url: '/widget/socket',
    schema: { tags: ['widget'], summary: "The visitors' chat socket: open as a WebSocket (frames in apps/widget/src/protocol.ts)" },
    handler: async () => {
      throw new AppError('invalid_field', 'open this URL as a WebSocket', 'upgrade');
    },
    // Refusals (unknown channel, bad identity, origin) close the socket with a 44xx code and a
    // reason: a browser cannot read an HTTP status from a refused upgrade.
    wsHandler: (socket: VisitorSocket, request) => {
      const q = request.query;
      const after = q.after !== undefined && /^\d{1,15}$/.test(q.after) ? Number(q.after) : null;
      hub.accept(socket, {
        channelId: q.channel ?? '',
        visitor: q.visitor ?? '',
        userId: q.userId ? q.userId : null,
        userHash: q.userHash ?? null,
        email: q.email ?? null,
        name: q.name ?? null,
        after,
        origin: typeof request.headers.origin === 'string' ? request.headers.origin : null,
        host: request.headers.host ?? null,
      });
    },
  });
}

/** Answers 304 to a matching If-None-Match; gzip when the client takes it. */
function serve(request: FastifyRequest, reply: FastifyReply, asset: Asset, cacheControl: string): Buffer | FastifyReply {
  reply.header('etag', asset.etag).header('cache-control', cacheControl).header('vary', 'accept-encoding');
  if (request.headers['if-none-match'] === asset.etag) return reply.status(304).send();
  reply.type(asset.contentType);
  if (acceptsGzip(request.headers['accept-encoding'])) {
    reply.header('content-encoding', 'gzip');
    return asset.gzip;
  }
  return asset.body;
}
