import type { ChannelRecord } from '../../modules/channels/index.ts';
import type { ProviderFetch } from '../../platform/guarded-fetch.ts';
import { ATTACHMENT_LIMITS } from '../../modules/moments/index.ts';
import type { MetaMedia } from './meta-events.ts';
import { downloadFile, fetchWhatsAppMedia } from './graph-client.ts';

export type FetchedMedia = {
  readonly attachments: { readonly fileName: string; readonly contentType: string; readonly data: Buffer }[];
  /** Every file as Meta described it, with `error` when it could not be stored (so the agent knows it exists). */
  readonly described: Record<string, unknown>[];
};

/** How long one file may take: a host that does not answer must not hold the webhook's answer for long. */
const FILE_TIMEOUT_MS = 5_000;
/**
 * How long the files of one delivery may take together. Meta retries a webhook it waited too
 * long for (and gives up on one that keeps timing out), so the answer must come well within that.
 */
const DELIVERY_MEDIA_MS = 10_000;

/** When a delivery's downloads must stop (ms since the epoch), and how long each file may take. */
export type MediaTime = { readonly until: number; readonly perFileMs: number };

/** The time a delivery received now has for its files. */
export const mediaTimeFromNow = (): MediaTime => ({ until: Date.now() + DELIVERY_MEDIA_MS, perFileMs: FILE_TIMEOUT_MS });

/**
 * Downloads the files of a customer's message so they outlive Meta's short-lived URLs: WhatsApp
 * media through the Graph API, Messenger/Instagram attachments from their CDN URL, each within
 * its time and the delivery's. A file that cannot be fetched (too large, gone, Meta down or too
 * slow) does not hold up the message: its metadata is kept on it with the reason, for the agent.
 */
export async function fetchMedia(http: ProviderFetch, channel: ChannelRecord, media: readonly MetaMedia[], time: MediaTime = mediaTimeFromNow()): Promise<FetchedMedia> {
  const attachments: FetchedMedia['attachments'] = [];
  const described: Record<string, unknown>[] = [];
  let budget = ATTACHMENT_LIMITS.perMessage;
  for (const [index, item] of media.entries()) {
    const info = Object.fromEntries(Object.entries(item).filter(([, v]) => v !== null));
    const limit = Math.min(ATTACHMENT_LIMITS.perFile, budget);
    try {
      if (attachments.length >= ATTACHMENT_LIMITS.files) throw new Error(`over ${ATTACHMENT_LIMITS.files} files in one message`);
      const left = time.until - Date.now();
      if (left <= 0) throw new Error('the files before it took all the time a delivery has for its files (Meta needs its answer within seconds)');
      const timeoutMs = Math.min(time.perFileMs, left);
      const file = item.mediaId ? await fetchWhatsAppMedia(http, channel, item.mediaId, limit, timeoutMs) : await downloadFile(http, item.url ?? '', limit, undefined, timeoutMs);
      const contentType = item.mimeType ?? file.contentType ?? 'application/octet-stream';
      attachments.push({ fileName: fileNameOf(item, contentType, index), contentType, data: file.data });
      budget -= file.data.length;
      described.push({ ...info, stored: true, size: file.data.length });
    } catch (error) {
      described.push({ ...info, stored: false, error: `not stored: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return { attachments, described };
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/gif': 'gif', 'video/mp4': 'mp4', 'video/3gpp': '3gp',
  'audio/ogg': 'ogg', 'audio/mpeg': 'mp3', 'audio/mp4': 'm4a', 'audio/aac': 'aac', 'audio/amr': 'amr', 'application/pdf': 'pdf',
};

/** The customer's own file name when Meta gives one (documents), else the CDN path's, else `image-<id>.jpg`. */
function fileNameOf(item: MetaMedia, contentType: string, index: number): string {
  if (item.fileName) return item.fileName;
  const fromUrl = item.url ? safeBasename(item.url) : null;
  if (fromUrl) return fromUrl;
  const extension = EXTENSIONS[contentType.split(';')[0]!.trim().toLowerCase()] ?? 'bin';
  return `${item.type}-${item.mediaId ?? index + 1}.${extension}`;
}

function safeBasename(url: string): string | null {
  try {
    const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
    return /^[\w.-]{1,120}\.[a-z0-9]{2,5}$/i.test(name) ? name : null;
  } catch {
    return null;
  }
}
