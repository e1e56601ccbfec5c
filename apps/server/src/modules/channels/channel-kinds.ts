import { randomBytes } from 'node:crypto';

/** Every kind of channel Touchpoint connects, and what each needs configured. */
export const CHANNEL_KINDS = ['email', 'chat', 'whatsapp', 'messenger', 'instagram', 'sms', 'voice', 'api'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const isChannelKind = (value: string): value is ChannelKind => (CHANNEL_KINDS as readonly string[]).includes(value);

/**
 * Settings and secrets a kind cannot work without; the API refuses a channel missing one,
 * naming it. Secrets are write-only: the API says which are set, never their values.
 */
export const CHANNEL_REQUIREMENTS: Readonly<Record<ChannelKind, { readonly settings: readonly string[]; readonly secrets: readonly string[]; readonly address: boolean }>> = {
  // address: the inbox address mail is sent to; settings.smtp: the outbound relay { host, port, secure, user }
  // with secrets.smtpPassword; secrets.replyTokenSecret is made with the channel (MADE_SECRETS).
  email: { settings: [], secrets: [], address: true },
  // settings.allowedOrigins: sites that may embed the widget; secrets.identitySecret signs user ids.
  // Optional settings (channels/chat/chat-settings.ts): title, greeting, askEmail, businessHoursId,
  // followUpChannelId (an email channel for offline follow-up), visitorMessagesPerMinute.
  chat: { settings: ['allowedOrigins'], secrets: ['identitySecret'], address: false },
  whatsapp: { settings: ['phoneNumberId'], secrets: ['accessToken', 'appSecret', 'verifyToken'], address: true },
  messenger: { settings: ['pageId'], secrets: ['accessToken', 'appSecret', 'verifyToken'], address: true },
  instagram: { settings: ['accountId'], secrets: ['accessToken', 'appSecret', 'verifyToken'], address: true },
  sms: { settings: ['accountSid'], secrets: ['authToken'], address: true },
  voice: { settings: ['accountSid'], secrets: ['authToken'], address: true },
  // settings.outboundUrl: where replies are posted (signed with secrets.signingSecret, Standard Webhooks).
  api: { settings: ['outboundUrl'], secrets: ['signingSecret'], address: false },
};

/**
 * Secrets Touchpoint makes itself when a channel of the kind is created: an email channel's
 * replyTokenSecret signs the `reply+<token>@` addresses of its replies, so the very first reply
 * (a chat's offline follow-up, say) already carries one. Channels made before have theirs made
 * on their first inbound mail (channels/email/find-recipient.ts).
 */
export const MADE_SECRETS: Readonly<Partial<Record<ChannelKind, Readonly<Record<string, () => string>>>>> = {
  email: { replyTokenSecret: () => randomBytes(32).toString('base64url') },
};
