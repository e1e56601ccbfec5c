import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findChannelById, type ChannelKind, type ChannelRecord } from '../modules/channels/index.ts';
import { AppError } from '../platform/errors.ts';
import { parseTwilioForm, type TwilioParams } from '../channels/twilio/twilio-form.ts';
import { verifyTwilioSignature } from '../channels/twilio/twilio-signature.ts';
import { twilioWebhookUrl } from '../channels/twilio/twilio-webhook-url.ts';
import { receiveSms } from '../channels/twilio/receive-sms.ts';
import { receiveCall } from '../channels/twilio/receive-call.ts';
import { recordCallEvent } from '../channels/twilio/record-call-event.ts';
import { recordTwilioStatus } from '../channels/twilio/record-twilio-status.ts';
import { EMPTY_TWIML, HANGUP_TWIML } from '../channels/twilio/twiml.ts';
import type { HttpContext } from './context.ts';

type Hook = { Params: { channelId: string }; Querystring: { caller?: string; message?: string } };

/**
 * Twilio's webhooks for SMS and Voice channels (prefix /webhooks/twilio). Each request is
 * checked against X-Twilio-Signature over the URL Twilio called and the form body exactly as
 * received, before anything is read from it; unknown channel → 404, bad signature → 403 and
 * nothing stored. Answers are TwiML.
 */
export async function twilioWebhooksRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  // Twilio posts forms; keep the bytes so the signature is checked over what was sent.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.addContentTypeParser('*', (_request, _payload, done) => done(new AppError('invalid_field', 'Twilio posts application/x-www-form-urlencoded', 'content-type')));

  const verified = async (request: FastifyRequest<Hook>, kinds: readonly ChannelKind[]): Promise<{ channel: ChannelRecord; params: TwilioParams; url: string }> => {
    const channel = await findChannelById(ctx.deps, request.params.channelId, kinds);
    if (!channel) throw new AppError('resource_not_found', `no ${kinds.join(' or ')} channel ${request.params.channelId}`, 'channelId');
    const raw = request.body === undefined || request.body === null ? Buffer.alloc(0) : request.body;
    if (!Buffer.isBuffer(raw)) throw new AppError('invalid_field', 'Twilio posts application/x-www-form-urlencoded', 'content-type');
    const params = parseTwilioForm(raw);
    const url = twilioWebhookUrl(channel, { protocol: request.protocol, host: request.host, originalUrl: request.originalUrl });
    const header = request.headers['x-twilio-signature'];
    if (!verifyTwilioSignature(channel.secrets.authToken ?? '', url, params, typeof header === 'string' ? header : undefined)) {
      throw new AppError('forbidden', 'X-Twilio-Signature is missing or does not match this channel’s auth token and URL (set settings.publicUrl when behind a proxy)', 'x-twilio-signature');
    }
    return { channel, params, url };
  };
  const twiml = (reply: FastifyReply, xml: string) => reply.type('text/xml').send(xml);
  const hidden = { schema: { hide: true } };

  app.post<Hook>('/:channelId/sms', hidden, async (request, reply) => {
    const { channel, params } = await verified(request, ['sms']);
    await receiveSms(ctx.moments, channel, params);
    return twiml(reply, EMPTY_TWIML);
  });

  app.post<Hook>('/:channelId/status', hidden, async (request, reply) => {
    const { channel, params } = await verified(request, ['sms', 'voice']);
    // One URL for both reports: a reply's message status, or (voice) the call's status.
    if (params.MessageStatus !== undefined || params.SmsStatus !== undefined) await recordTwilioStatus(ctx.moments, channel, params, request.query.message);
    else if (channel.kind === 'voice') await recordCallEvent(ctx.moments, channel, 'status', params, undefined);
    return twiml(reply, EMPTY_TWIML);
  });

  app.post<Hook>('/:channelId/voice', hidden, async (request, reply) => {
    const { channel, params, url } = await verified(request, ['voice']);
    return twiml(reply, await receiveCall(ctx.moments, channel, params, url));
  });

  app.post<Hook>('/:channelId/recording', hidden, async (request, reply) => {
    const { channel, params } = await verified(request, ['voice']);
    await recordCallEvent(ctx.moments, channel, 'recording', params, request.query.caller);
    // Also the Record verb's action: the voicemail is in, so the call ends.
    return twiml(reply, HANGUP_TWIML);
  });

  app.post<Hook>('/:channelId/transcription', hidden, async (request, reply) => {
    const { channel, params } = await verified(request, ['voice']);
    await recordCallEvent(ctx.moments, channel, 'transcription', params, request.query.caller);
    return twiml(reply, EMPTY_TWIML);
  });
}
