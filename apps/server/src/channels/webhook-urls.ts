import type { ChannelKind } from '../modules/channels/index.ts';

/**
 * The paths a provider's console needs for a channel (prefix them with the server's public
 * URL): shown on the channel so an admin can paste them into Meta's or Twilio's settings.
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
