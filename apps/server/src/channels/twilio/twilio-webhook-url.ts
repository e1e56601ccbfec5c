import type { ChannelRecord } from '../../modules/channels/index.ts';

/** What of the request the URL is rebuilt from (Fastify's request has these). */
export type RequestUrlParts = { readonly protocol: string; readonly host: string; readonly originalUrl: string };

/** The channel's public base URL (`settings.publicUrl`, e.g. https://touchpoint.example.com), without a trailing slash. */
export function publicBaseUrl(channel: ChannelRecord): string | null {
  const base = channel.settings.publicUrl;
  return typeof base === 'string' && /^https?:\/\//i.test(base) ? base.replace(/\/+$/, '') : null;
}

/**
 * The URL Twilio called, which is what it signed. Behind a proxy or tunnel the request seen
 * here differs from it (http vs https, an inner host), so `settings.publicUrl` wins when set;
 * otherwise the URL is rebuilt from the request's protocol, Host header and path with query.
 */
export function twilioWebhookUrl(channel: ChannelRecord, request: RequestUrlParts): string {
  return `${publicBaseUrl(channel) ?? `${request.protocol}://${request.host}`}${request.originalUrl}`;
}
