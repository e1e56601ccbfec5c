/**
 * What a Meta webhook delivery says, once parsed: the same shapes for WhatsApp, Messenger and
 * Instagram, so one receiver stores them. Provider ids are kept as Meta sent them.
 */
export type MetaEvent = MetaMessage | MetaUnsent | MetaStatus | MetaWatermark | MetaIgnored;

/** A file the customer sent: a WhatsApp media id (fetched through the Graph API) or a Messenger/Instagram CDN URL. */
export type MetaMedia = {
  readonly type: string;
  readonly mediaId: string | null;
  readonly url: string | null;
  readonly mimeType: string | null;
  readonly fileName: string | null;
  readonly sha256: string | null;
};

/** A customer's message (text, media, a reaction, a button press). */
export type MetaMessage = {
  readonly kind: 'message';
  /** The business side it arrived at: WhatsApp phone_number_id, Page id, Instagram account id (null when Meta does not say). */
  readonly account: string | null;
  /** The customer's id: WhatsApp wa_id (digits), Messenger PSID, Instagram IGSID. */
  readonly from: string;
  readonly name: string | null;
  /** The provider's message id (wamid…, m_…); the same one twice is stored once. */
  readonly externalId: string;
  readonly text: string;
  readonly media: readonly MetaMedia[];
  /** A reaction to an earlier message (by its provider id). */
  readonly reaction: { readonly emoji: string; readonly to: string } | null;
  /** Anything else worth keeping on the message (message type, reply-to, location, provider time). */
  readonly meta: Readonly<Record<string, unknown>>;
};

/** The customer took back a message they sent (Instagram and Messenger `is_deleted`), named by its provider id. */
export type MetaUnsent = { readonly kind: 'unsent'; readonly account: string | null; readonly externalId: string };

/** What happened to one of our messages: WhatsApp statuses[], Messenger delivery.mids, Instagram read.mid. */
export type MetaStatus = {
  readonly kind: 'status';
  readonly account: string | null;
  readonly externalId: string;
  readonly state: 'sent' | 'delivered' | 'read' | 'failed';
  readonly error: string | null;
};

/** Messenger's delivery and read receipts by time: every message to the customer up to `watermark` (ms). */
export type MetaWatermark = {
  readonly kind: 'watermark';
  readonly account: string | null;
  readonly customer: string;
  readonly state: 'delivered' | 'read';
  readonly watermark: number;
};

/** Something Touchpoint does not store (echoes of our own sends, removed reactions, other fields), with why. */
export type MetaIgnored = { readonly kind: 'ignored'; readonly reason: string };
