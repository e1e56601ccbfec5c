import type { ChannelRecord } from '../../modules/channels/index.ts';
import type { MomentsCtx, OpenResult } from '../../modules/moments/index.ts';
import { AppError } from '../../platform/errors.ts';
import { providerFetch } from '../../platform/guarded-fetch.ts';
import { receiveInbound } from '../receive-inbound.ts';
import { callerIdentity } from './caller-identity.ts';
import { downloadTwilioMedia } from './download-twilio-media.ts';
import { param, type TwilioParams } from './twilio-form.ts';

/**
 * An SMS or MMS reached the channel's number (Twilio's incoming message webhook, already
 * verified): the sender's number is the customer, Twilio's MessageSid the message id (a
 * redelivery is stored once), media files become attachments.
 */
export async function receiveSms(ctx: MomentsCtx, channel: ChannelRecord, params: TwilioParams): Promise<OpenResult> {
  const from = param(params, 'From');
  const sid = param(params, 'MessageSid') ?? param(params, 'SmsSid');
  if (!from) throw new AppError('missing_field', 'an incoming message names its sender in From', 'From');
  if (!sid) throw new AppError('missing_field', 'an incoming message has a MessageSid', 'MessageSid');
  const media = await downloadTwilioMedia(providerFetch(ctx.deps.privateHosts), channel, params);
  const twilio = Object.fromEntries(
    (['To', 'NumSegments', 'FromCity', 'FromState', 'FromCountry'] as const).flatMap((name) => {
      const value = param(params, name);
      return value ? [[name.charAt(0).toLowerCase() + name.slice(1), value]] : [];
    }),
  );
  return receiveInbound(ctx, channel, {
    identity: callerIdentity(from, { namespace: 'twilio_sender', id: from }),
    message: {
      body: param(params, 'Body') ?? '',
      externalId: sid,
      address: from,
      meta: { twilio: { messageSid: sid, ...twilio }, ...(media.notes.length > 0 ? { media: media.notes } : {}) },
      attachments: media.files,
    },
  });
}
