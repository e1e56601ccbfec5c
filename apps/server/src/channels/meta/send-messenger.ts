import type { ChannelRecord } from '../../modules/channels/index.ts';
import type { OutboundReply } from '../../modules/moments/index.ts';
import { DeliveryError } from '../channel-adapter.ts';
import { callGraph } from './graph-client.ts';
import type { ProviderFetch } from '../../platform/guarded-fetch.ts';
import { MESSAGING_WINDOW_MS } from './messaging-window.ts';
import { textAt } from './payload-fields.ts';
import { sendInParts } from './send-parts.ts';
import { splitText } from '../split-text.ts';
import { alreadySent, NO_PARTS_SENT, type PartsSent } from '../send-each-part.ts';

/** Caps on one text message: Messenger 2,000 characters, Instagram 1,000. */
const MAX_TEXT = { messenger: 2000, instagram: 1000 } as const;

/**
 * Sends a reply through the Send API (POST /me/messages with the Page token) to the customer's
 * page- or Instagram-scoped id. Within 24 hours of their last message it is a RESPONSE; later
 * it goes with the HUMAN_AGENT tag (allowed for 7 days to apps Meta granted it; otherwise Meta
 * refuses and the reply fails with Meta's reason). Messenger files are uploaded first to
 * /me/message_attachments; Instagram's API takes files only by public URL, so a reply with
 * files fails plainly rather than arriving without them.
 */
export async function sendMessenger(http: ProviderFetch, kind: 'messenger' | 'instagram', channel: ChannelRecord, reply: OutboundReply, now: number, sent: PartsSent = NO_PARTS_SENT): Promise<{ readonly providerMessageId: string | null }> {
  const to = reply.to;
  if (!to) throw new DeliveryError(`the customer has no ${kind} id on this moment`, false, 'message');
  if (kind === 'instagram' && reply.attachments.length > 0) throw new DeliveryError('Instagram replies cannot carry files through the API; share a link to the file instead', false);
  const inWindow = reply.lastInboundAt !== null && now - reply.lastInboundAt <= MESSAGING_WINDOW_MS;
  const envelope = { recipient: { id: to }, ...(inWindow ? { messaging_type: 'RESPONSE' } : { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }) };
  const texts = splitText(reply.body, MAX_TEXT[kind]).map((text) => ({ ...envelope, message: { text } }));
  // A file an earlier attempt delivered is not uploaded again (its part is skipped).
  const files = [];
  for (const [i, file] of reply.attachments.entries()) files.push(alreadySent(sent, texts.length + i) ? {} : { ...envelope, message: { attachment: await uploadAttachment(http, channel, file) } });
  return sendInParts(http, channel, 'me/messages', [...texts, ...files], (answer) => textAt(answer, 'message_id'), sent);
}

type File = OutboundReply['attachments'][number];

/** Uploads a file for one use and returns the attachment that sends it: { type, payload: { attachment_id } }. */
async function uploadAttachment(http: ProviderFetch, channel: ChannelRecord, file: File): Promise<Record<string, unknown>> {
  const type = attachmentTypeOf(file.contentType);
  const form = new FormData();
  form.append('message', JSON.stringify({ attachment: { type, payload: { is_reusable: false } } }));
  form.append('filedata', new Blob([new Uint8Array(file.data)], { type: file.contentType }), file.fileName);
  const answer = await callGraph(http, channel, 'POST', 'me/message_attachments', form);
  const id = textAt(answer, 'attachment_id');
  if (!id) throw new DeliveryError(`the Graph API took ${file.fileName} without giving an attachment id`, true);
  return { type, payload: { attachment_id: id } };
}

function attachmentTypeOf(contentType: string): 'image' | 'video' | 'audio' | 'file' {
  const top = contentType.split('/')[0]!.toLowerCase();
  return top === 'image' || top === 'video' || top === 'audio' ? top : 'file';
}
