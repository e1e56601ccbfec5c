import type { MetaEvent, MetaMedia } from './meta-events.ts';
import { isFields, listAt, numberAt, objectAt, textAt, type Fields } from './payload-fields.ts';

/** Attachment types that are files the customer sent; shares, templates and links stay as metadata. */
const FILE_TYPES: ReadonlySet<string> = new Set(['image', 'video', 'audio', 'file']);

/**
 * The events of a Messenger (`object: page`) or Instagram (`object: instagram`) delivery:
 * entry[].messaging[], each one of message, reaction, postback, delivery or read. Our own
 * messages come back as echoes (is_echo) and are skipped; so is `standby` traffic, which
 * another app owns under Meta's hand-over protocol.
 */
export function parseMessaging(payload: unknown): MetaEvent[] {
  const events: MetaEvent[] = [];
  for (const entry of listAt(payload, 'entry')) {
    const account = textAt(entry, 'id');
    for (const item of listAt(entry, 'messaging')) events.push(...(isFields(item) ? messagingEvents(account, item) : [{ kind: 'ignored' as const, reason: 'a messaging event that is not an object' }]));
    if (listAt(entry, 'standby').length > 0) events.push({ kind: 'ignored', reason: 'standby events belong to the app that owns the thread' });
    if (listAt(entry, 'changes').length > 0) events.push({ kind: 'ignored', reason: 'feed changes (comments, mentions) are not messages' });
  }
  return events;
}

function messagingEvents(account: string | null, e: Fields): MetaEvent[] {
  if ('delivery' in e || 'read' in e) return receipts(account, e);
  return [messagingEvent(account, e)];
}

function messagingEvent(account: string | null, e: Fields): MetaEvent {
  const from = textAt(objectAt(e, 'sender'), 'id');
  if (!from) return { kind: 'ignored', reason: 'an event without a sender' };
  const sentAt = numberAt(e, 'timestamp');
  const base = { kind: 'message' as const, account, from, name: null, media: [] as MetaMedia[], reaction: null };
  const at = sentAt !== null ? { sentAt } : {};

  if ('message' in e) {
    const m = objectAt(e, 'message');
    if (m.is_echo === true) return { kind: 'ignored', reason: 'an echo of a message the page sent' };
    const mid = textAt(m, 'mid');
    if (!mid) return { kind: 'ignored', reason: 'a message without mid' };
    if (m.is_deleted === true) return { kind: 'unsent', account, externalId: mid };
    const media = listAt(m, 'attachments').map(mediaOf);
    const replyTo = textAt(objectAt(m, 'reply_to'), 'mid');
    const text = textAt(m, 'text') ?? (m.is_unsupported === true ? '(unsupported message)' : media.length > 0 ? media.map((a) => `(${a.type})`).join(' ') : '');
    return { ...base, externalId: mid, text, media: media.filter((a) => a.url !== null && FILE_TYPES.has(a.type)), meta: { type: media.length > 0 ? 'attachments' : 'text', ...at, ...(replyTo ? { replyTo } : {}), ...(media.length > 0 ? { attachments: media } : {}) } };
  }
  if ('reaction' in e) {
    const r = objectAt(e, 'reaction');
    const to = textAt(r, 'mid');
    if (textAt(r, 'action') === 'unreact' || !to) return { kind: 'ignored', reason: 'a reaction was removed' };
    const emoji = textAt(r, 'emoji') ?? textAt(r, 'reaction') ?? '?';
    // Reactions carry no id of their own: the reacted message, the person and the time name one.
    return { ...base, externalId: `reaction:${to}:${from}:${sentAt ?? 0}`, text: '', reaction: { emoji, to }, meta: { type: 'reaction', ...at } };
  }
  if ('postback' in e) {
    const p = objectAt(e, 'postback');
    const title = textAt(p, 'title') ?? textAt(p, 'payload') ?? '(button)';
    return { ...base, externalId: textAt(p, 'mid') ?? `postback:${from}:${sentAt ?? 0}`, text: title, meta: { type: 'postback', payload: textAt(p, 'payload'), ...at } };
  }
  return { kind: 'ignored', reason: `messaging event ${Object.keys(e).filter((k) => !['sender', 'recipient', 'timestamp'].includes(k)).join(', ') || '(empty)'} is not stored` };
}

function mediaOf(attachment: unknown): MetaMedia {
  const type = textAt(attachment, 'type') ?? 'file';
  const url = textAt(objectAt(attachment, 'payload'), 'url');
  return { type, mediaId: null, url, mimeType: null, fileName: null, sha256: null };
}

/**
 * Messenger receipts name messages by ids (delivery.mids) when they can, else by a watermark
 * time; Instagram's read receipts name one message (read.mid).
 */
function receipts(account: string | null, e: Fields): MetaEvent[] {
  const customer = textAt(objectAt(e, 'sender'), 'id');
  const state = 'delivery' in e ? 'delivered' : 'read';
  const r = objectAt(e, state === 'delivered' ? 'delivery' : 'read');
  const mids = [...listAt(r, 'mids'), r.mid].filter((m): m is string => typeof m === 'string' && m !== '');
  if (mids.length > 0) return mids.map((externalId) => ({ kind: 'status', account, externalId, state, error: null }));
  const watermark = numberAt(r, 'watermark');
  if (watermark !== null && customer) return [{ kind: 'watermark', account, customer, state, watermark }];
  return [{ kind: 'ignored', reason: `a ${state} receipt without message ids or watermark` }];
}
