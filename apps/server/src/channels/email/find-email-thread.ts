import type { Db } from '../../platform/db/database.ts';
import type { ChannelRecord } from '../../modules/channels/index.ts';
import { findCustomerIdByIdentity } from '../../modules/profiles/index.ts';
import { customerOfMoment, inboundSenders, momentsOfMessages, recentMomentsOf } from '../../modules/moments/index.ts';
import { normalizeSubject } from './normalize-subject.ts';

/** The moment an inbound mail continues, how it was found, and whether its author is the moment's customer or someone they copied in. */
export type EmailThread = { readonly momentId: string; readonly via: 'headers' | 'token' | 'subject'; readonly author: 'customer' | 'participant' };

export type ThreadQuestion = {
  /** The author's address (From), lower-case. */
  readonly sender: string;
  readonly subject: string;
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
  /** The moment a verified reply token in the recipient address names. */
  readonly tokenMomentId: string | null;
  /** Subject matching is for people's mail; robots' mail threads by headers and token only. */
  readonly bySubject: boolean;
};

// How many of the sender's recent moments a subject is compared with.
const SUBJECT_CANDIDATES = 50;

/**
 * Finds the moment on this channel an inbound mail belongs to, in order: a Message-ID it
 * answers (In-Reply-To, then References newest first); the moment its reply token names
 * (Outlook drops the headers, but answers our Reply-To; a chat this channel followed up by
 * email too); a moment of the same sender with
 * the same subject once "Re:"/"AW:"… are stripped. A header or token match counts only when
 * the author is the moment's customer or someone the customer copied in (To/Cc of one of the
 * customer's mails on it): three people answering one newsletter open three moments, never
 * one; a colleague the customer cc'd joins the customer's moment. Null: a new conversation.
 */
export async function findEmailThread(db: Db, channel: ChannelRecord, q: ThreadQuestion): Promise<EmailThread | null> {
  const senderRoot = await findCustomerIdByIdentity(db, channel.workspaceId, 'email', q.sender);
  const authorOf = (momentId: string, anyChannel = false) => authorIn(db, channel, momentId, q.sender, senderRoot, anyChannel);

  const ids = [...new Set([q.inReplyTo, ...[...q.references].reverse()].filter((id): id is string => !!id))];
  if (ids.length > 0) {
    const byId = await momentsOfMessages(db, channel, ids.slice(0, 100));
    for (const id of ids) {
      const momentId = byId.get(id);
      const author = momentId ? await authorOf(momentId) : null;
      if (momentId && author) return { momentId, via: 'headers', author };
    }
  }
  if (q.tokenMomentId) {
    // The token was signed by this channel, for a moment of its own or a chat it followed up by email.
    const author = await authorOf(q.tokenMomentId, true);
    if (author) return { momentId: q.tokenMomentId, via: 'token', author };
  }
  if (!q.bySubject || senderRoot === null) return null;
  const subject = normalizeSubject(q.subject);
  if (!subject) return null;
  const candidates = await recentMomentsOf(db, { workspaceId: channel.workspaceId, channelId: channel.id, customerRoot: senderRoot, limit: SUBJECT_CANDIDATES });
  const match = candidates.find((m) => normalizeSubject(m.subject) === subject);
  return match ? { momentId: match.id, via: 'subject', author: 'customer' } : null;
}

/** Whether the sender is the moment's customer, someone the customer copied in, or neither (null). */
async function authorIn(db: Db, channel: ChannelRecord, momentId: string, sender: string, senderRoot: string | null, anyChannel: boolean): Promise<EmailThread['author'] | null> {
  const customerRoot = await customerOfMoment(db, channel, momentId, { anyChannel });
  if (customerRoot === null) return null;
  if (senderRoot !== null && customerRoot === senderRoot) return 'customer';
  const copied = (await inboundSenders(db, channel.workspaceId, momentId)).some(
    (m) => m.address === sender || [m.meta.to, m.meta.cc].some((list) => Array.isArray(list) && list.includes(sender)),
  );
  return copied ? 'participant' : null;
}
