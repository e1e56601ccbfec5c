import type { ProviderFetch } from '../../platform/guarded-fetch.ts';
import type { ChannelAdapter } from '../channel-adapter.ts';
import { replyBySms } from './reply-by-sms.ts';

/** Twilio SMS: replies go out through the Messages API from the channel's number. */
export function createSmsAdapter(http: ProviderFetch, options: { readonly timeoutMs?: number } = {}): ChannelAdapter {
  return { kind: 'sms', send: (channel, reply, sent) => replyBySms(http, channel, reply, options, sent) };
}
