import type { ChannelRecord } from '../../modules/channels/index.ts';
import { publicBaseUrl } from '../webhook-urls.ts';

/** What of the request the URL is rebuilt from (Fastify's request has these). */
export type RequestUrlParts = { readonly protocol: string; readonly host: string; readonly originalUrl: string };

/**
 * The URL Twilio called, which is what it signed. Behind a proxy or tunnel the request seen
 * here differs from it (http vs https, an inner host), so `settings.publicUrl` wins when set;
 * otherwise the URL is rebuilt from the request's protocol, Host header and path with query.
 */
export function twilioWebhookUrl(channel: ChannelRecord, request: RequestUrlParts): string {
  return `${publicBaseUrl(channel) ?? `${request.protocol}://${request.host}`}${request.originalUrl}`;
}
