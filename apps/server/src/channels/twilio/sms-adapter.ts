import type { ChannelAdapter } from '../channel-adapter.ts';
import { replyBySms } from './reply-by-sms.ts';

/** Twilio SMS: replies go out through the Messages API from the channel's number. */
export function createSmsAdapter(options: { readonly timeoutMs?: number } = {}): ChannelAdapter {
  return { kind: 'sms', send: (channel, reply, sent) => replyBySms(channel, reply, options, sent) };
}
