import type { FastifyInstance } from 'fastify';
import { AppError } from '../platform/errors.ts';
import { META_KINDS, parseMetaDelivery, type MetaKind } from '../channels/meta/parse-meta-delivery.ts';
import { receiveMetaDelivery } from '../channels/meta/receive-meta-delivery.ts';
import { verifyMetaSignature } from '../channels/meta/verify-signature.ts';
import { sameBytes } from '../platform/same-bytes.ts';
import type { HttpContext } from './context.ts';
import { parseJsonBody } from '../platform/json-body.ts';

type ChannelParams = { Params: { channelId: string } };

/**
 * Meta's webhooks for WhatsApp, Messenger and Instagram channels, at the URL each channel shows
 * (`/webhooks/meta/<channel id>`): the subscription handshake (GET) and deliveries (POST),
 * verified against the channel's app secret over the raw body before anything is parsed.
 */
export async function metaWebhooksRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  const { deps } = ctx;
  // The signature covers the bytes Meta sent: keep them, whatever the content type says.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const channelOf = async (channelId: string) => {
    const channel = await ctx.channels.find(channelId, META_KINDS);
    if (!channel) throw new AppError('resource_not_found', `no WhatsApp, Messenger or Instagram channel ${channelId}`, 'channelId');
    return channel;
  };

  app.get<ChannelParams & { Querystring: Record<string, string | undefined> }>('/:channelId', { schema: { hide: true } }, async (request, reply) => {
    const channel = await channelOf(request.params.channelId);
    const query = request.query;
    const challenge = query['hub.challenge'];
    const given = query['hub.verify_token'];
    const expected = channel.secrets.verifyToken;
    // A repeated parameter arrives as a list: never a match.
    if (query['hub.mode'] !== 'subscribe' || !challenge || typeof given !== 'string' || !expected || !sameBytes(given, expected)) {
      throw new AppError('forbidden', "hub.verify_token does not match the channel's verifyToken (or hub.mode is not subscribe)", 'hub.verify_token');
    }
    return reply.type('text/plain; charset=utf-8').send(challenge);
  });

  app.post<ChannelParams>('/:channelId', { schema: { hide: true } }, async (request) => {
    const channel = await channelOf(request.params.channelId);
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (!verifyMetaSignature(channel.secrets.appSecret ?? '', raw, request.headers['x-hub-signature-256'])) {
      throw new AppError('unauthorized', "X-Hub-Signature-256 is missing or does not match the body signed with the channel's app secret", 'x-hub-signature-256');
    }
    const payload = parseJsonBody(raw);
    const outcome = await receiveMetaDelivery(ctx.moments, channel, parseMetaDelivery(channel.kind as MetaKind, payload));
    if (outcome.ignored.length > 0) request.log.debug({ channelId: channel.id, ignored: outcome.ignored }, 'meta delivery: events not stored');
    return outcome;
  });
}
