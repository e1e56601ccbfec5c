import type { ChannelRecord } from '../../modules/channels/index.ts';
import type { OutboundReply } from '../../modules/moments/index.ts';
import { DeliveryError } from '../channel-adapter.ts';
import { callGraph } from './graph-client.ts';
import type { ProviderFetch } from '../../platform/guarded-fetch.ts';
import { isFields, listAt, textAt } from './payload-fields.ts';
import { sendInParts } from './send-parts.ts';
import { splitText } from '../split-text.ts';
import { alreadySent, NO_PARTS_SENT, type PartsSent } from '../send-each-part.ts';

/** WhatsApp's cap on a text message body. */
const MAX_TEXT = 4096;

/**
 * Sends a reply through the WhatsApp Cloud API: POST /{phone-number-id}/messages with the
 * channel's token. A template reply (meta.template) goes as the template; otherwise the text,
 * then each file (uploaded first to /{phone-number-id}/media). The first message's wamid is the
 * reply's provider id, which status webhooks refer to.
 */
export async function sendWhatsApp(http: ProviderFetch, channel: ChannelRecord, reply: OutboundReply, sent: PartsSent = NO_PARTS_SENT): Promise<{ readonly providerMessageId: string | null }> {
  const phoneNumberId = textAt(channel.settings, 'phoneNumberId');
  if (!phoneNumberId) throw new DeliveryError(`channel ${channel.name} has no settings.phoneNumberId`, false);
  // Meta takes the customer's wa_id without the plus.
  const to = reply.to?.replace(/^\+/, '');
  if (!to) throw new DeliveryError('the customer has no WhatsApp number on this moment', false, 'message');
  const envelope = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
  const template = templateOf(reply.meta.template);
  let parts: Record<string, unknown>[];
  if (template) {
    if (reply.attachments.length > 0) throw new DeliveryError("a template reply cannot carry files (a template's header holds its media)", false);
    parts = [{ ...envelope, type: 'template', template }];
  } else {
    const texts = splitText(reply.body, MAX_TEXT).map((body) => ({ ...envelope, type: 'text', text: { body, preview_url: false } }));
    // Uploads come first: nothing reaches the customer unless every file could be. A file an
    // earlier attempt delivered is not uploaded again (its part is skipped).
    const files = [];
    for (const [i, file] of reply.attachments.entries()) files.push(alreadySent(sent, texts.length + i) ? {} : { ...envelope, ...(await uploadMedia(http, channel, phoneNumberId, file)) });
    parts = [...texts, ...files];
  }
  return sendInParts(http, channel, `${encodeURIComponent(phoneNumberId)}/messages`, parts, (answer) => textAt(listAt(answer, 'messages')[0], 'id'), sent);
}

/** A template as the Cloud API takes it: { name, language: { code }, components? }. */
function templateOf(value: unknown): Record<string, unknown> | null {
  if (!isFields(value)) return null;
  const name = textAt(value, 'name');
  if (!name) return null;
  // Given as the code alone or as the Cloud API's own object; sent as the object, nothing else in it.
  const given = isFields(value.language) ? value.language : { code: value.language };
  const code = textAt(given, 'code') ?? 'en_US';
  const policy = textAt(given, 'policy');
  const language = { ...(policy ? { policy } : {}), code };
  return { name, language, ...(Array.isArray(value.components) ? { components: value.components } : {}) };
}

type File = OutboundReply['attachments'][number];

/** Uploads a file and returns the message part that sends it: { type, [type]: { id, filename? } }. */
async function uploadMedia(http: ProviderFetch, channel: ChannelRecord, phoneNumberId: string, file: File): Promise<Record<string, unknown>> {
  const form = new FormData();
  form.append('messaging_product', 'whatsapp');
  form.append('type', file.contentType);
  form.append('file', new Blob([new Uint8Array(file.data)], { type: file.contentType }), file.fileName);
  const answer = await callGraph(http, channel, 'POST', `${encodeURIComponent(phoneNumberId)}/media`, form);
  const id = textAt(answer, 'id');
  if (!id) throw new DeliveryError(`the Graph API took ${file.fileName} without giving a media id`, true);
  const type = mediaTypeOf(file.contentType);
  return { type, [type]: { id, ...(type === 'document' ? { filename: file.fileName } : {}) } };
}

/** The message type WhatsApp shows a file as; what it cannot play or show inline goes as a document. */
export function mediaTypeOf(contentType: string): 'image' | 'video' | 'audio' | 'document' {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'image/jpeg' || type === 'image/png') return 'image';
  if (type === 'video/mp4' || type === 'video/3gpp') return 'video';
  if (['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'].includes(type)) return 'audio';
  return 'document';
}
