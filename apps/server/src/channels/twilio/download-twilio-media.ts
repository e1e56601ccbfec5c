import type { ChannelRecord } from '../../modules/channels/index.ts';
import type { ProviderFetch } from '../../platform/guarded-fetch.ts';
import { ATTACHMENT_LIMITS } from '../../modules/moments/index.ts';
import { param, type TwilioParams } from './twilio-form.ts';
import { basicAuth } from './twilio-api.ts';
import { readAtMost } from '../provider-http.ts';

/** A file stored with the message. */
export type DownloadedMedia = { readonly fileName: string; readonly contentType: string; readonly data: Buffer };

/** What the message's meta keeps of each media item: always the URL, and why it was not stored when it was not. */
export type MediaNote = { readonly url: string; readonly contentType: string | null; readonly stored: boolean; readonly error?: string };

const MEDIA_TIMEOUT_MS = 10_000;

/**
 * Downloads an MMS's media (MediaUrl0…, NumMedia) with the account's credentials, within the
 * attachment limits. A download that fails is not fatal: the message is stored with the media
 * URLs in its meta, so nothing the customer sent is lost.
 */
export async function downloadTwilioMedia(http: ProviderFetch, channel: ChannelRecord, params: TwilioParams): Promise<{ readonly files: DownloadedMedia[]; readonly notes: MediaNote[] }> {
  const count = Math.min(Number(param(params, 'NumMedia') ?? 0) || 0, ATTACHMENT_LIMITS.files);
  const items = Array.from({ length: count }, (_, i) => ({ url: param(params, `MediaUrl${i}`), contentType: param(params, `MediaContentType${i}`) ?? null })).filter(
    (m): m is { url: string; contentType: string | null } => !!m.url,
  );
  const results = await Promise.all(items.map((m) => fetchMedia(http, channel, m.url)));
  const files: DownloadedMedia[] = [];
  const notes: MediaNote[] = [];
  let total = 0;
  results.forEach((result, i) => {
    const { url, contentType } = items[i]!;
    if (!result.ok) return void notes.push({ url, contentType, stored: false, error: result.error });
    if (total + result.data.length > ATTACHMENT_LIMITS.perMessage) return void notes.push({ url, contentType, stored: false, error: 'over the size limit of one message' });
    total += result.data.length;
    const type = contentType ?? result.contentType;
    files.push({ fileName: fileNameOf(url, type), contentType: type, data: result.data });
    notes.push({ url, contentType: type, stored: true });
  });
  return { files, notes };
}

type Fetched = { readonly ok: true; readonly data: Buffer; readonly contentType: string } | { readonly ok: false; readonly error: string };

async function fetchMedia(http: ProviderFetch, channel: ChannelRecord, url: string): Promise<Fetched> {
  try {
    // Twilio answers with a redirect to the file's storage; fetch follows it (and drops the credentials on the way).
    const res = await http(url, { headers: { authorization: basicAuth(channel) }, signal: AbortSignal.timeout(MEDIA_TIMEOUT_MS) });
    if (!res.ok) return { ok: false, error: `download answered ${res.status}` };
    const data = await readAtMost(res, ATTACHMENT_LIMITS.perFile);
    if (!data) return { ok: false, error: 'over the size limit of one file' };
    return { ok: true, data, contentType: res.headers.get('content-type')?.split(';')[0]?.trim() || 'application/octet-stream' };
  } catch (error) {
    return { ok: false, error: `download failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Twilio names no file: the media sid (last path segment) with an extension from the type. */
function fileNameOf(url: string, contentType: string): string {
  const sid = url.split('?')[0]!.split('/').filter(Boolean).at(-1) ?? 'media';
  const subtype = contentType.split('/')[1]?.split(/[;+]/)[0]?.toLowerCase();
  const ext = subtype === 'jpeg' ? 'jpg' : subtype && /^[a-z0-9.-]{1,10}$/.test(subtype) ? subtype : 'bin';
  return `${sid}.${ext}`;
}
