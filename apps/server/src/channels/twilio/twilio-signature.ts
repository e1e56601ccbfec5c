import { createHmac } from 'node:crypto';
import { sameBytes } from '../../platform/same-bytes.ts';
import type { TwilioParams } from './twilio-form.ts';

/**
 * X-Twilio-Signature: base64 HMAC-SHA1 keyed by the auth token over the full URL Twilio called
 * (with its query string) followed by every POST parameter sorted by name, name then value
 * (a repeated name contributes each of its values, sorted).
 */
export function twilioSignature(authToken: string, url: string, params: TwilioParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    for (const v of typeof value === 'string' ? [value] : [...new Set(value)].sort()) data += name + v;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/**
 * Whether the header is Twilio's signature of this request, compared in constant time. Twilio
 * signs some URLs with the default port written out and some without, so both forms count.
 */
export function verifyTwilioSignature(authToken: string, url: string, params: TwilioParams, header: string | undefined): boolean {
  if (!header || !authToken) return false;
  const given = Buffer.from(header);
  let ok = false;
  for (const variant of portVariants(url)) {
    // No early exit: every variant is computed and compared whatever the outcome.
    if (sameBytes(given, twilioSignature(authToken, variant, params))) ok = true;
  }
  return ok;
}

/** The URL as given, without its port, and with its port (the scheme's default when none is written). */
function portVariants(url: string): string[] {
  const match = /^(https?:\/\/)([^/?#:]+)(?::(\d+))?(.*)$/i.exec(url);
  if (!match) return [url];
  const [, scheme, host, port, rest] = match;
  const defaultPort = scheme!.toLowerCase() === 'https://' ? '443' : '80';
  return [...new Set([url, `${scheme}${host}${rest}`, `${scheme}${host}:${port ?? defaultPort}${rest}`])];
}
