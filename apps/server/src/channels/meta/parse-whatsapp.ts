import type { MetaEvent, MetaMedia } from './meta-events.ts';
import { listAt, numberAt, objectAt, textAt, type Fields } from './payload-fields.ts';

const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
const STATES = ['sent', 'delivered', 'read', 'failed'] as const;

/**
 * The events of a WhatsApp Cloud API delivery (`object: whatsapp_business_account`):
 * entry[].changes[].value with messages[] (customers writing) and statuses[] (our messages'
 * progress). Every message of a delivery is its own event; unknown fields are ignored.
 */
export function parseWhatsApp(payload: unknown): MetaEvent[] {
  const events: MetaEvent[] = [];
  for (const entry of listAt(payload, 'entry')) {
    for (const change of listAt(entry, 'changes')) {
      const field = textAt(change, 'field');
      const value = objectAt(change, 'value');
      if (field !== null && field !== 'messages') {
        events.push({ kind: 'ignored', reason: `field ${field} is not about messages` });
        continue;
      }
      const account = textAt(objectAt(value, 'metadata'), 'phone_number_id');
      const names = new Map(listAt(value, 'contacts').map((c) => [textAt(c, 'wa_id'), textAt(objectAt(c, 'profile'), 'name')] as const));
      for (const message of listAt(value, 'messages')) events.push(messageEvent(account, message as Fields, names));
      for (const status of listAt(value, 'statuses')) events.push(statusEvent(account, status as Fields));
    }
  }
  return events;
}

function messageEvent(account: string | null, m: Fields, names: ReadonlyMap<string | null, string | null>): MetaEvent {
  const from = textAt(m, 'from');
  const id = textAt(m, 'id');
  const type = textAt(m, 'type') ?? 'unknown';
  if (!from || !id) return { kind: 'ignored', reason: `a ${type} message without from or id` };
  // A customer who changed number: WhatsApp tells the business; it is not something they wrote.
  if (type === 'system') return { kind: 'ignored', reason: `system message ${textAt(objectAt(m, 'system'), 'type') ?? ''}`.trim() };
  const sentAt = numberAt(m, 'timestamp');
  const replyTo = textAt(objectAt(m, 'context'), 'id');
  const meta: Record<string, unknown> = { type, ...(sentAt !== null ? { sentAt: sentAt * 1000 } : {}), ...(replyTo ? { replyTo } : {}) };
  const base = { kind: 'message' as const, account, from, name: names.get(from) ?? null, externalId: id, media: [] as MetaMedia[], reaction: null };

  if (type === 'reaction') {
    const reaction = objectAt(m, 'reaction');
    const emoji = textAt(reaction, 'emoji');
    const to = textAt(reaction, 'message_id');
    // An empty emoji is the customer taking a reaction back: nothing new to read.
    if (!emoji || !to) return { kind: 'ignored', reason: 'a reaction was removed' };
    return { ...base, text: '', reaction: { emoji, to }, meta };
  }
  if ((MEDIA_TYPES as readonly string[]).includes(type)) {
    const media = objectAt(m, type);
    const caption = textAt(media, 'caption');
    const fileName = textAt(media, 'filename');
    const item: MetaMedia = { type, mediaId: textAt(media, 'id'), url: null, mimeType: textAt(media, 'mime_type'), fileName, sha256: textAt(media, 'sha256') };
    return { ...base, text: caption ?? (fileName ? `(${type}: ${fileName})` : `(${type})`), media: [item], meta };
  }
  return { ...base, text: textOf(type, m), meta: { ...meta, ...extrasOf(type, m) } };
}

/** What a non-media message says, as text an agent can read. */
function textOf(type: string, m: Fields): string {
  switch (type) {
    case 'text':
      return textAt(objectAt(m, 'text'), 'body') ?? '';
    case 'button':
      return textAt(objectAt(m, 'button'), 'text') ?? '(button)';
    case 'interactive': {
      const interactive = objectAt(m, 'interactive');
      const reply = { ...objectAt(interactive, 'button_reply'), ...objectAt(interactive, 'list_reply') };
      return textAt(reply, 'title') ?? '(interactive reply)';
    }
    case 'location': {
      const l = objectAt(m, 'location');
      const place = [textAt(l, 'name'), textAt(l, 'address')].filter(Boolean).join(', ');
      return `(location${place ? `: ${place}` : ''} ${numberAt(l, 'latitude') ?? '?'}, ${numberAt(l, 'longitude') ?? '?'})`;
    }
    case 'contacts': {
      const people = listAt(m, 'contacts').map((c) => textAt(objectAt(c, 'name'), 'formatted_name') ?? '?');
      return `(shared contact${people.length > 1 ? 's' : ''}: ${people.join(', ')})`;
    }
    default: {
      const error = listAt(m, 'errors')[0];
      return `(unsupported WhatsApp message: ${textAt(error, 'title') ?? type})`;
    }
  }
}

function extrasOf(type: string, m: Fields): Record<string, unknown> {
  if (type === 'location') return { location: objectAt(m, 'location') };
  if (type === 'contacts') return { contacts: listAt(m, 'contacts') };
  if (type === 'interactive' || type === 'button') return { [type]: objectAt(m, type) };
  return {};
}

function statusEvent(account: string | null, s: Fields): MetaEvent {
  const id = textAt(s, 'id');
  const state = textAt(s, 'status');
  if (!id || !(STATES as readonly (string | null)[]).includes(state)) return { kind: 'ignored', reason: `status ${state ?? '(none)'} is not tracked` };
  const errors = listAt(s, 'errors');
  const error = errors.length === 0 ? null : errors.map(describeError).join('; ');
  return { kind: 'status', account, externalId: id, state: state as (typeof STATES)[number], error: state === 'failed' ? (error ?? 'WhatsApp reported the message failed') : null };
}

/** `131047 Re-engagement message: Message failed to send because more than 24 hours have passed…` */
function describeError(e: unknown): string {
  const code = textAt(e, 'code');
  const title = textAt(e, 'title') ?? textAt(e, 'message') ?? 'error';
  const details = textAt(objectAt(e, 'error_data'), 'details');
  return [code, title].filter(Boolean).join(' ') + (details && details !== title ? `: ${details}` : '');
}
