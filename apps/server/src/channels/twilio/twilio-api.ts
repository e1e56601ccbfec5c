import type { ChannelRecord } from '../../modules/channels/index.ts';
import { refusedAsPrivate, type ProviderFetch } from '../../platform/guarded-fetch.ts';
import { DeliveryError } from '../channel-adapter.ts';
import { causeOf, timedOut } from '../provider-http.ts';

/** Twilio's REST API; `settings.apiBaseUrl` points a channel elsewhere (a test's stand-in). */
export const TWILIO_API_BASE = 'https://api.twilio.com';

const SEND_TIMEOUT_MS = 15_000;

// Twilio's refusals of one recipient, not of the channel: an invalid or unreachable number, not
// a mobile, unsubscribed (STOP), a body too long.
const RECIPIENT_ERRORS: ReadonlySet<number> = new Set([21211, 21610, 21612, 21614, 21617]);

/** HTTP Basic with the account sid and auth token: how Twilio's API and its media URLs authenticate. */
export function basicAuth(channel: ChannelRecord): string {
  return `Basic ${Buffer.from(`${String(channel.settings.accountSid ?? '')}:${channel.secrets.authToken ?? ''}`).toString('base64')}`;
}

/** An SMS to send: the customer's number, the text, and where Twilio reports its progress (null: nowhere). */
export type SmsToSend = { readonly to: string; readonly body: string; readonly statusCallback: string | null };

/**
 * Sends an SMS with the Messages API (POST /2010-04-01/Accounts/{sid}/Messages.json, form
 * encoded, HTTP Basic) from the channel's number, or its messaging service when
 * `settings.messagingServiceSid` is set. Resolves with Twilio's message sid. Failures are
 * DeliveryErrors: an outage, a timeout, rate limiting and refused credentials (an expired or
 * rotated auth token is fixed by updating it, then the retry goes through) are retried; a
 * request Twilio rejects (an invalid number: error 21211) is final, with Twilio's own words.
 */
export async function sendTwilioSms(http: ProviderFetch, channel: ChannelRecord, sms: SmsToSend, options: { readonly timeoutMs?: number } = {}): Promise<string | null> {
  const base = typeof channel.settings.apiBaseUrl === 'string' ? channel.settings.apiBaseUrl.replace(/\/+$/, '') : TWILIO_API_BASE;
  const account = encodeURIComponent(String(channel.settings.accountSid ?? ''));
  const form = new URLSearchParams({ To: sms.to, Body: sms.body });
  const service = channel.settings.messagingServiceSid;
  if (typeof service === 'string' && service) form.set('MessagingServiceSid', service);
  else form.set('From', channel.address ?? '');
  if (sms.statusCallback) form.set('StatusCallback', sms.statusCallback);
  const timeoutMs = options.timeoutMs ?? SEND_TIMEOUT_MS;

  let res: Response;
  try {
    res = await http(`${base}/2010-04-01/Accounts/${account}/Messages.json`, {
      method: 'POST',
      headers: { authorization: basicAuth(channel), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new DeliveryError(timedOut(error) ? `Twilio did not answer within ${timeoutMs / 1000} s` : `Twilio could not be reached: ${causeOf(error)}`, !refusedAsPrivate(error));
  }
  const answer = await readJson(res);
  if (res.ok) return typeof answer.sid === 'string' ? answer.sid : null;
  const said = typeof answer.code === 'number' || typeof answer.code === 'string' ? `Twilio error ${answer.code}: ${String(answer.message ?? res.statusText)}` : `Twilio answered ${res.status} ${res.statusText}`.trim();
  if (res.status === 401) throw new DeliveryError(`${said} (HTTP 401): the account sid or auth token was refused — it may have expired or been rotated; update secrets.authToken`, true);
  if (res.status === 429 || res.status >= 500) throw new DeliveryError(`${said} (HTTP ${res.status})`, true);
  throw new DeliveryError(`${said} (HTTP ${res.status})`, false, RECIPIENT_ERRORS.has(Number(answer.code)) ? 'message' : 'channel');
}

async function readJson(res: Response): Promise<Record<string, unknown>> {
  try {
    const value: unknown = await res.json();
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
