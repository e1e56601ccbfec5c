import type { Db } from '../../platform/db/database.ts';
import type { ChannelRecord } from '../../modules/channels/index.ts';
import { findCustomerIdByIdentity } from '../../modules/profiles/index.ts';
import { parseJsonObject } from '../../platform/json.ts';
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
 * (Outlook drops the headers, but answers our Reply-To); a moment of the same sender with
 * the same subject once "Re:"/"AW:"… are stripped. A header or token match counts only when
 * the author is the moment's customer or someone the customer copied in (To/Cc of one of the
 * customer's mails on it): three people answering one newsletter open three moments, never
 * one; a colleague the customer cc'd joins the customer's moment. Null: a new conversation.
 */
export async function findEmailThread(db: Db, channel: ChannelRecord, q: ThreadQuestion): Promise<EmailThread | null> {
  const senderRoot = await findCustomerIdByIdentity(db, channel.workspaceId, 'email', q.sender);
  const authorOf = (momentId: string) => authorIn(db, channel, momentId, q.sender, senderRoot);

  const ids = [...new Set([q.inReplyTo, ...[...q.references].reverse()].filter((id): id is string => !!id))];
  if (ids.length > 0) {
    const rows = await db
      .selectFrom('message')
      .innerJoin('moment', (j) => j.onRef('moment.workspace_id', '=', 'message.workspace_id').onRef('moment.id', '=', 'message.moment_id'))
      .select(['message.external_id', 'message.moment_id'])
      .where('message.workspace_id', '=', channel.workspaceId)
      .where('message.channel', '=', channel.kind)
      .where('message.external_id', 'in', ids.slice(0, 100))
      .where('moment.channel_id', '=', channel.id)
      .execute();
    const byId = new Map(rows.map((r) => [r.external_id, r.moment_id]));
    for (const id of ids) {
      const momentId = byId.get(id);
      const author = momentId ? await authorOf(momentId) : null;
      if (momentId && author) return { momentId, via: 'headers', author };
    }
  }
  if (q.tokenMomentId) {
    const author = await authorOf(q.tokenMomentId);
    if (author) return { momentId: q.tokenMomentId, via: 'token', author };
  }
  if (!q.bySubject || senderRoot === null) return null;
  const subject = normalizeSubject(q.subject);
  if (!subject) return null;
  const group = db.selectFrom('customer').select('id').where('workspace_id', '=', channel.workspaceId).where('root_id', '=', senderRoot);
  const candidates = await db
    .selectFrom('moment')
    .select(['id', 'subject'])
    .where('workspace_id', '=', channel.workspaceId)
    .where('customer_id', 'in', group)
    .where('channel_id', '=', channel.id)
    .where('status', '!=', 'closed')
    .where('merged_into', 'is', null)
    .orderBy('last_message_at', 'desc')
    .limit(SUBJECT_CANDIDATES)
    .execute();
  const match = candidates.find((m) => normalizeSubject(m.subject) === subject);
  return match ? { momentId: match.id, via: 'subject', author: 'customer' } : null;
}

/** Whether the sender is the moment's customer, someone the customer copied in, or neither (null). */
async function authorIn(db: Db, channel: ChannelRecord, momentId: string, sender: string, senderRoot: string | null): Promise<EmailThread['author'] | null> {
  const moment = await db
    .selectFrom('moment')
    .innerJoin('customer', (j) => j.onRef('customer.workspace_id', '=', 'moment.workspace_id').onRef('customer.id', '=', 'moment.customer_id'))
    .select(['customer.root_id'])
    .where('moment.workspace_id', '=', channel.workspaceId)
    .where('moment.id', '=', momentId)
    .where('moment.channel_id', '=', channel.id)
    .executeTakeFirst();
  if (!moment) return null;
  if (senderRoot !== null && moment.root_id === senderRoot) return 'customer';
  const inbound = await db
    .selectFrom('message')
    .select(['address', 'meta'])
    .where('workspace_id', '=', channel.workspaceId)
    .where('moment_id', '=', momentId)
    .where('direction', '=', 'in')
    .orderBy('id')
    .limit(200)
    .execute();
  const copied = inbound.some((m) => {
    const meta = parseJsonObject(m.meta);
    return m.address === sender || [meta.to, meta.cc].some((list) => Array.isArray(list) && list.includes(sender));
  });
  return copied ? 'participant' : null;
}
