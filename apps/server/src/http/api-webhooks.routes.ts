import type { FastifyInstance } from 'fastify';
import { findChannelById } from '../modules/channels/index.ts';
import { AppError } from '../platform/errors.ts';
import { verifyStandardWebhook } from '../platform/standard-webhooks.ts';
import { parseApiMessage } from '../channels/api/api-message.ts';
import { receiveApiMessage } from '../channels/api/receive-api-message.ts';
import type { HttpContext } from './context.ts';

// Attachments travel as base64 inside the JSON: 10 MB of files is about 13.4 MB of text.
const BODY_LIMIT = 16 * 1024 * 1024;

/**
 * The generic API channel's inbound webhook (prefix /webhooks/api): any system posts a
 * customer's message, signed the Standard Webhooks way with the channel's signing secret.
 * The signature is checked over the raw body before it is parsed; unknown channel → 404,
 * bad or stale signature → 403 and nothing stored.
 */
export async function apiWebhooksRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  // Keep the bytes: the signature covers the body exactly as sent, not re-serialised JSON.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post<{ Params: { channelId: string } }>('/:channelId', { bodyLimit: BODY_LIMIT, schema: { hide: true } }, async (request) => {
    const channel = await findChannelById(ctx.deps, request.params.channelId, ['api']);
    if (!channel) throw new AppError('resource_not_found', `no api channel ${request.params.channelId}`, 'channelId');
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.from(typeof request.body === 'string' ? request.body : '');
    const verdict = verifyStandardWebhook(channel.secrets.signingSecret ?? '', request.headers, raw, ctx.deps.clock.now());
    if (!verdict.ok) throw new AppError('forbidden', `signature refused: ${verdict.reason}`, 'webhook-signature');
    const result = await receiveApiMessage(ctx.moments, channel, parseApiMessage(raw), verdict.id);
    return { momentId: result.moment.id, messageId: result.message.id, outcome: result.outcome };
  });
}
