import { AppError } from '../../platform/errors.ts';
import type { ProviderFetch } from '../../platform/guarded-fetch.ts';
import { replyNumberOf } from './caller-number.ts';
import type { ChannelAdapter } from '../channel-adapter.ts';
import { replyBySms } from './reply-by-sms.ts';

/**
 * Twilio SMS: replies go out through the Messages API from the channel's number. A customer
 * who wrote from an alphanumeric sender id (a company's "ACME") has no number to text back:
 * the reply is refused when written (409), rather than failing at Twilio.
 */
export function createSmsAdapter(http: ProviderFetch, options: { readonly timeoutMs?: number } = {}): ChannelAdapter {
  return {
    kind: 'sms',
    send: (channel, reply, sent) => replyBySms(http, channel, reply, options, sent),
    checkReply: async (tx, _channel, moment) => {
      const { from, number } = await replyNumberOf(tx, moment);
      if (number === null) throw new AppError('no_reply_address', `the customer wrote from ${from ?? 'no number'}, which is not a phone number to text this reply to`);
    },
  };
}
