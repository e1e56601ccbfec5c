import type { ChannelKind, ChannelRecord } from '../modules/channels/index.ts';

/** The channel's public base URL (`settings.publicUrl`, e.g. https://touchpoint.example.com), without a trailing slash. */
export function publicBaseUrl(channel: Pick<ChannelRecord, 'settings'>): string | null {
  const base = channel.settings.publicUrl;
  return typeof base === 'string' && /^https?:\/\//i.test(base) ? base.replace(/\/+$/, '') : null;
}

/**
 * The paths a provider's console needs for a channel (prefix them with the server's public
 * URL): shown on the channel so an admin can paste them into Meta's or Twilio's settings.
 * Twilio signs the URL it calls, so the one shown must be the one checked: `publicUrl` first.
 */
export function webhookPaths(kind: ChannelKind, channelId: string): Readonly<Record<string, string>> {
  switch (kind) {
    case 'whatsapp':
    case 'messenger':
    case 'instagram':
      return { callback: `/webhooks/meta/${channelId}` };
    case 'sms':
      return { incoming: `/webhooks/twilio/${channelId}/sms`, status: `/webhooks/twilio/${channelId}/status` };
    case 'voice':
      // recording and transcription are given to Twilio by the call's own answer; listed for reference.
      return {
        incoming: `/webhooks/twilio/${channelId}/voice`,
        status: `/webhooks/twilio/${channelId}/status`,
        recording: `/webhooks/twilio/${channelId}/recording`,
        transcription: `/webhooks/twilio/${channelId}/transcription`,
      };
    case 'api':
      return { inbound: `/webhooks/api/${channelId}` };
    case 'chat':
      return { loader: `/widget.js?channel=${channelId}` };
    case 'email':
      return {};
  }
}
