import type { ChannelRecord } from '../../modules/channels/index.ts';
import { refusedAsPrivate, type ProviderFetch } from '../../platform/guarded-fetch.ts';
import { DeliveryError } from '../channel-adapter.ts';
import { causeOf, readAtMost, timedOut } from '../provider-http.ts';
import { isFields, numberAt, objectAt, textAt, type Fields } from './payload-fields.ts';

// Refusals of one message, not of the channel: a bad parameter, a person not available, undeliverable,
// outside the 24-hour window (WhatsApp 131047), an unsupported type, a template that does not fit.
const RECIPIENT_ERRORS: ReadonlySet<number> = new Set([100, 551, 131026, 131047, 131051, 132000, 132001, 132005, 132007, 132012]);
/** Messenger's "sent outside of the allowed window" (code 10). */
const OUTSIDE_MESSAGING_WINDOW = 2018278;

/** The Graph API version every call names (WhatsApp Cloud API, Messenger and Instagram Send API). */
export const GRAPH_VERSION = 'v19.0';
const DEFAULT_BASE_URL = 'https://graph.facebook.com';
const TIMEOUT_MS = 15_000;

// Graph error codes that mean "later": throttling (4, 17, 32, 613, 80007, WhatsApp 130429/131048/131056)…
const RATE_LIMITED: ReadonlySet<number> = new Set([4, 17, 32, 613, 80007, 130429, 131048, 131056]);
// …and Meta's own trouble (unknown, service, WhatsApp "something went wrong" / unavailable).
const TRANSIENT: ReadonlySet<number> = new Set([1, 2, 131000, 131016, 133004]);

/** Where a channel's Graph calls go: settings.apiBaseUrl (a local stand-in in tests), else Meta's. */
export function graphBaseUrl(channel: ChannelRecord): string {
  const base = channel.settings.apiBaseUrl;
  return (typeof base === 'string' && base !== '' ? base : DEFAULT_BASE_URL).replace(/\/+$/, '');
}

/**
 * One Graph API call with the channel's access token. Resolves with the JSON answer; throws a
 * DeliveryError that says whether to retry (outage, timeout, throttling, a refused token that
 * an admin may renew) or not (Meta refused the request itself), with Meta's message.
 */
export async function callGraph(http: ProviderFetch, channel: ChannelRecord, method: 'GET' | 'POST', path: string, body?: Readonly<Record<string, unknown>> | FormData, timeoutMs = TIMEOUT_MS): Promise<Fields> {
  const token = channel.secrets.accessToken;
  if (!token) throw new DeliveryError(`channel ${channel.name} has no accessToken secret`, false);
  const url = `${graphBaseUrl(channel)}/${GRAPH_VERSION}/${path}`;
  const json = body !== undefined && !(body instanceof FormData);
  let status: number;
  let text: string;
  try {
    const response = await http(url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : json ? JSON.stringify(body) : (body as FormData),
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    // A base URL on a private network is a setting to change: retrying would not mend it.
    throw new DeliveryError(unreachable('the Graph API', error, timeoutMs), !refusedAsPrivate(error));
  }
  const answer = parseAnswer(text);
  if (status >= 200 && status < 300) return answer;
  throw graphError(status, objectAt(answer, 'error'));
}

/** Classifies a Graph error answer (`{ error: { message, type, code, error_subcode, error_data } }`). */
export function graphError(status: number, error: Fields): DeliveryError {
  const code = numberAt(error, 'code');
  const message = textAt(error, 'message') ?? `HTTP ${status}`;
  const details = textAt(objectAt(error, 'error_data'), 'details');
  const said = details && details !== message ? `${message} (${details})` : message;
  const label = `Graph API ${status}${code !== null ? ` error ${code}` : ''}`;
  // An expired or revoked token needs a person to renew it; retrying gives them the backoff's time to.
  if (code === 190 || code === 102 || status === 401) return new DeliveryError(`${label}: the access token was refused (expired or revoked), renew the channel's accessToken: ${said}`, true);
  if (status === 429 || (code !== null && RATE_LIMITED.has(code))) return new DeliveryError(`${label}: rate limited: ${said}`, true);
  if (status >= 500 || (code !== null && TRANSIENT.has(code)) || error.is_transient === true) return new DeliveryError(`${label}: ${said}`, true);
  const aboutMessage = (code !== null && RECIPIENT_ERRORS.has(code)) || numberAt(error, 'error_subcode') === OUTSIDE_MESSAGING_WINDOW;
  return new DeliveryError(`${label}: ${said}`, false, aboutMessage ? 'message' : 'channel');
}

/** A file a customer sent, downloaded. */
export type Downloaded = { readonly data: Buffer; readonly contentType: string | null };

/**
 * A WhatsApp media file: GET /{media-id} gives a short-lived URL, which is then downloaded with
 * the same token. Refuses files over `maxBytes` before or while downloading.
 */
export async function fetchWhatsAppMedia(http: ProviderFetch, channel: ChannelRecord, mediaId: string, maxBytes: number, timeoutMs = TIMEOUT_MS): Promise<Downloaded> {
  // One time limit for both calls: the lookup and the download.
  const until = Date.now() + timeoutMs;
  const info = await callGraph(http, channel, 'GET', encodeURIComponent(mediaId), undefined, timeoutMs);
  const url = textAt(info, 'url');
  if (!url) throw new Error(`the Graph API gave no URL for media ${mediaId}`);
  const size = numberAt(info, 'file_size');
  if (size !== null && size > maxBytes) throw new Error(`media ${mediaId} is ${size} bytes, over the ${maxBytes}-byte limit`);
  const file = await downloadFile(http, url, maxBytes, channel.secrets.accessToken, Math.max(1, until - Date.now()));
  return { data: file.data, contentType: textAt(info, 'mime_type') ?? file.contentType };
}

/** Downloads a file (a Messenger/Instagram CDN URL, or WhatsApp's media URL with the token), at most `maxBytes`. */
export async function downloadFile(http: ProviderFetch, url: string, maxBytes: number, token?: string, timeoutMs = TIMEOUT_MS): Promise<Downloaded> {
  let response: Response;
  try {
    response = await http(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new Error(unreachable('the file', error, timeoutMs));
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`downloading the file answered ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new Error(`the file is ${declared} bytes, over the ${maxBytes}-byte limit`);
  }
  let data: Buffer | null;
  try {
    data = await readAtMost(response, maxBytes);
  } catch (error) {
    throw new Error(unreachable('the file', error, timeoutMs));
  }
  if (!data) throw new Error(`the file is over the ${maxBytes}-byte limit`);
  return { data, contentType: response.headers.get('content-type') };
}

function parseAnswer(text: string): Fields {
  try {
    const value: unknown = JSON.parse(text);
    return isFields(value) ? value : {};
  } catch {
    return {};
  }
}

/** `the Graph API did not answer within 15 s` / `could not reach the Graph API: connect ECONNREFUSED …` */
function unreachable(what: string, error: unknown, timeoutMs: number): string {
  return timedOut(error) ? `${what} did not answer within ${Math.ceil(timeoutMs / 100) / 10} s` : `could not reach ${what}: ${causeOf(error)}`;
}
