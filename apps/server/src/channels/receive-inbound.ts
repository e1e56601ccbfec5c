import { storableCopy } from '../platform/storable-text.ts';
import type { ChannelRecord } from '../modules/channels/index.ts';
import { openMoment, type InboundMessage, type MomentsCtx, type OpenResult } from '../modules/moments/index.ts';

/** A customer's message as a channel adapter parsed it from the provider's payload. */
export type Inbound = {
  /** Who wrote: an identity (`email:ann@example.com`, `phone:+14155550101`, `social:instagram:ann`, `external_id:whatsapp:…`). */
  readonly identity: string;
  readonly name?: string | null;
  readonly message: InboundMessage;
  /** The provider's conversation id, when it has one. */
  readonly conversationId?: string | null;
  readonly subject?: string | null;
  /** A moment the channel already knows this continues (email threading, a reply token). */
  readonly threadMomentId?: string | null;
  /** Without a thread named, a new moment (see OpenMomentInput.threadsItself). */
  readonly threadsItself?: boolean;
  /** The channel lets customers take messages back: one unsent before it came is not stored. */
  readonly unsendable?: boolean;
};

/**
 * Hands an inbound message to the moments module as this channel's: its kind, its business
 * unit, its id on the moment (so replies go back out the same way). The same provider
 * message id twice is stored once.
 */
export function receiveInbound(ctx: MomentsCtx, channel: ChannelRecord, given: Inbound): Promise<OpenResult> {
  // A NUL in a WhatsApp text failed the delivery on PostgreSQL, and with it every retry of the messages beside it.
  const inbound = storableCopy(given);
  return openMoment(ctx, {
    workspaceId: channel.workspaceId,
    actor: `channel:${channel.id}`,
    customer: { identity: inbound.identity, name: inbound.name ?? null },
    channel: channel.kind,
    channelId: channel.id,
    externalId: inbound.conversationId ?? null,
    threadMomentId: inbound.threadMomentId ?? null,
    threadsItself: inbound.threadsItself ?? false,
    unsendable: inbound.unsendable ?? false,
    subject: inbound.subject ?? null,
    businessUnitId: channel.businessUnitId,
    message: { ...inbound.message, body: wordsOf(inbound.message) },
  });
}

/**
 * A message's text, or what stands for it when it has none (an SMS of one photo, an empty
 * WhatsApp text): its files, else "(empty message)". The inbox row and the thread must show
 * that something came; the API itself refuses a message without a word.
 */
function wordsOf(message: InboundMessage): string {
  if (message.body.trim() !== '') return message.body;
  const files = message.attachments ?? [];
  return files.length > 0 ? files.map((f) => `(${f.fileName})`).join(' ') : '(empty message)';
}
