import type { Tx } from '../platform/db/database.ts';
import type { ChannelKind, ChannelRecord } from '../modules/channels/index.ts';
import type { MomentRow, OutboundReply } from '../modules/moments/index.ts';
import type { PartsSent } from './send-each-part.ts';

/** What a provider said when a send failed: retry later (outage, timeout, rate limit) or give up (bad request). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /**
     * What the failure says is wrong: the channel (credentials, settings, the provider), which
     * its health shows; or this message alone (an invalid number, no address, content the
     * channel cannot carry), which leaves the channel's health as it was.
     */
    readonly about: 'channel' | 'message' = 'channel',
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** A reply about to be written: what a channel may refuse before it is accepted. */
export type ReplyDraft = { readonly body: string; readonly meta: Readonly<Record<string, unknown>> };

/**
 * What the inbox needs from a channel: deliver a reply, and optionally refuse one up front
 * (WhatsApp's 24-hour rule). Inbound traffic reaches moments through receiveInbound instead.
 */
export type ChannelAdapter = {
  readonly kind: ChannelKind;
  /**
   * Sends the reply; resolves with the provider's message id, or throws DeliveryError. A reply
   * sent in several parts skips those `sent` says earlier attempts delivered (send-each-part.ts).
   */
  readonly send: (channel: ChannelRecord, reply: OutboundReply, sent?: PartsSent) => Promise<{ readonly providerMessageId: string | null }>;
  /** Throws an AppError when this reply cannot be sent on the channel now (inside the reply's transaction). */
  readonly checkReply?: (tx: Tx, channel: ChannelRecord, moment: MomentRow, draft: ReplyDraft) => Promise<void>;
};

export type Adapters = Partial<Record<ChannelKind, ChannelAdapter>>;
