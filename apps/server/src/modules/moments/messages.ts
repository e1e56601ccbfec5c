import { createHash } from 'node:crypto';
import type { Insertable, Selectable } from 'kysely';
import { compiledOnce } from '../../platform/db/compiled-once.ts';
import { AppError } from '../../platform/errors.ts';
import { parseJsonObject } from '../../platform/json.ts';
import type { MessageTable } from '../../platform/db/tables.ts';
import type { Db } from '../../platform/db/database.ts';
import { unindexedText } from '../../platform/db/unindexed.ts';
import { inScope, type ChannelScope } from './channel-scope.ts';
import type { MomentWrite } from './moment-tx.ts';
import type { MomentRow } from './moment-view.ts';
import { maySee, viewerOf } from './visibility.ts';
import type { Role } from '../workspaces/index.ts';

export type Direction = 'in' | 'out' | 'note';

/** A file sent with a message, as the API receives it. */
export type AttachmentInput = { readonly fileName: string; readonly contentType: string; readonly data: Buffer };

export const ATTACHMENT_LIMITS = { perFile: 5 * 1024 * 1024, perMessage: 10 * 1024 * 1024, files: 10 } as const;

export type NewMessage = {
  readonly direction: Direction;
  readonly body: string;
  readonly authorKind: 'customer' | 'agent' | 'system';
  readonly authorId: string | null;
  readonly externalId?: string | null;
  /** The customer's address on the channel: sender of an inbound message, recipient of a reply. */
  readonly address?: string | null;
  /** Channel specifics: email threading headers, a WhatsApp template, a call's recording. */
  readonly meta?: Readonly<Record<string, unknown>>;
  readonly mentions?: readonly string[];
  readonly attachments?: readonly AttachmentInput[];
};

export type AttachmentMeta = { readonly id: string; readonly fileName: string; readonly contentType: string; readonly size: number; readonly sha256: string };

export type MessageView = {
  readonly id: string;
  readonly momentId: string;
  readonly channel: string;
  readonly direction: string;
  readonly authorKind: string;
  readonly authorId: string | null;
  readonly body: string;
  readonly mentions: readonly string[];
  readonly externalId: string | null;
  readonly address: string | null;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly delivery: string;
  readonly deliveryError: string | null;
  readonly deliveryAt: string | null;
  readonly attachments: readonly AttachmentMeta[];
  readonly createdAt: string;
};

/** Refuses attachments over the limits before anything is written. */
export function checkAttachments(attachments: readonly AttachmentInput[] | undefined): void {
  if (!attachments) return;
  if (attachments.length > ATTACHMENT_LIMITS.files) throw new AppError('attachment_too_large', `at most ${ATTACHMENT_LIMITS.files} attachments per message`, 'attachments');
  let total = 0;
  attachments.forEach((a, i) => {
    if (a.data.length > ATTACHMENT_LIMITS.perFile) throw new AppError('attachment_too_large', `attachment ${a.fileName} is over ${ATTACHMENT_LIMITS.perFile} bytes`, `attachments.${i}.data`);
    total += a.data.length;
  });
  if (total > ATTACHMENT_LIMITS.perMessage) throw new AppError('attachment_too_large', `attachments total over ${ATTACHMENT_LIMITS.perMessage} bytes`, 'attachments');
}

/** Mentioned people must be agents of the workspace. */
export async function checkMentions(w: MomentWrite, mentions: readonly string[] | undefined, moment: MomentRow): Promise<void> {
  const ids = [...new Set(mentions ?? [])];
  if (ids.length === 0) return;
  const found = await w.tx.selectFrom('agent').select(['id', 'name', 'role']).where('workspace_id', '=', w.workspaceId).where('id', 'in', ids).execute();
  if (found.length !== ids.length) throw new AppError('invalid_field', 'a mentioned agent is not in this workspace', 'mentions');
  // The mention reaches them live with the moment's latest text: only someone who may open it.
  for (const agent of found) {
    if (!maySee(await viewerOf(w.tx, { workspaceId: w.workspaceId, agentId: agent.id, role: agent.role as Role }), moment)) {
      throw new AppError('invalid_field', `${agent.name} cannot see this moment: hand it off to them or their team, or add them to its team`, 'mentions');
    }
  }
}

/** A provider message already stored on this channel (a duplicate delivery), if any. */
export async function findMessageByExternalId(w: MomentWrite, scope: ChannelScope, externalId: string | null | undefined): Promise<Selectable<MessageTable> | undefined> {
  return externalId ? messageByExternalId(w.tx, w.workspaceId, scope, externalId) : undefined;
}

/** A message stored on a channel under a provider's id (a redelivery, a status report, or what a reaction is to). */
export async function messageByExternalId(db: Db, workspaceId: string, scope: ChannelScope, externalId: string): Promise<Selectable<MessageTable> | undefined> {
  return (await selectByExternalId(db, { workspaceId, channel: scope.channel, channelKey: scope.channelId ?? '', externalId }))[0];
}

// Asked of every inbound message (is it a redelivery?): compiled once.
const selectByExternalId = compiledOnce((db, p: { workspaceId: string; channel: string; channelKey: string; externalId: string }) =>
  db.selectFrom('message').selectAll().where('workspace_id', '=', p.workspaceId).where(inScope('message', { channel: p.channel, channelId: p.channelKey })).where('external_id', '=', p.externalId),
);
const insertMessageRow = compiledOnce((db, row: Insertable<MessageTable>) => db.insertInto('message').values(row));

/** Stores a message and its attachments; returns what the API shows of it. */
export async function insertMessage(w: MomentWrite, momentId: string, on: ChannelScope, m: NewMessage): Promise<MessageView> {
  const id = w.deps.ids.next();
  const row = {
    workspace_id: w.workspaceId,
    id,
    moment_id: momentId,
    channel: on.channel,
    channel_id: on.channelId,
    direction: m.direction,
    author_kind: m.authorKind,
    author_id: m.authorId,
    body: m.body,
    mentions: JSON.stringify([...new Set(m.mentions ?? [])]),
    external_id: m.externalId ?? null,
    address: m.address ?? null,
    meta: JSON.stringify(m.meta ?? {}),
    // Outbound waits for its channel to deliver it; nothing claims "sent" before a provider does.
    delivery: m.direction === 'in' ? 'received' : m.direction === 'out' ? 'queued' : 'internal',
    delivery_error: null,
    delivery_at: w.now,
    created_at: w.now,
  };
  await insertMessageRow(w.tx, row);
  const attachments: AttachmentMeta[] = [];
  for (const a of m.attachments ?? []) {
    const meta = { id: w.deps.ids.next(), fileName: a.fileName, contentType: a.contentType, size: a.data.length, sha256: createHash('sha256').update(a.data).digest('hex') };
    await w.tx
      .insertInto('attachment')
      .values({ workspace_id: w.workspaceId, id: meta.id, moment_id: momentId, message_id: id, file_name: a.fileName, content_type: a.contentType, size: meta.size, sha256: meta.sha256, data: a.data, created_at: w.now })
      .execute();
    attachments.push(meta);
  }
  return toMessageView(row, attachments);
}

/** The attachments of these messages, by message id, as the API shows them. */
export async function attachmentsByMessage(db: Db, workspaceId: string, messageIds: readonly string[]): Promise<Map<string, AttachmentMeta[]>> {
  const byMessage = new Map<string, AttachmentMeta[]>();
  if (messageIds.length === 0) return byMessage;
  const rows = await db
    .selectFrom('attachment')
    .select(['id', 'message_id', 'file_name', 'content_type', 'size', 'sha256'])
    .where('workspace_id', '=', workspaceId)
    .where('message_id', 'in', messageIds)
    .orderBy(unindexedText('id')) // seek the messages, not walk every attachment (unindexed.ts)
    .execute();
  for (const a of rows) {
    const list = byMessage.get(a.message_id) ?? [];
    list.push({ id: a.id, fileName: a.file_name, contentType: a.content_type, size: a.size, sha256: a.sha256 });
    byMessage.set(a.message_id, list);
  }
  return byMessage;
}

/** A message already stored (a redelivery's original), with its attachments. */
export async function storedMessageView(w: MomentWrite, row: Selectable<MessageTable>): Promise<MessageView> {
  return toMessageView(row, (await attachmentsByMessage(w.tx, w.workspaceId, [row.id])).get(row.id) ?? []);
}

export function toMessageView(row: Selectable<MessageTable>, attachments: readonly AttachmentMeta[]): MessageView {
  return {
    id: row.id,
    momentId: row.moment_id,
    channel: row.channel,
    direction: row.direction,
    authorKind: row.author_kind,
    authorId: row.author_id,
    body: row.body,
    mentions: JSON.parse(row.mentions) as string[],
    externalId: row.external_id,
    address: row.address,
    meta: parseJsonObject(row.meta),
    delivery: row.delivery,
    deliveryError: row.delivery_error,
    deliveryAt: row.delivery_at === null ? null : new Date(row.delivery_at).toISOString(),
    attachments,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** The start of a message, for moment lists. */
export const previewOf = (body: string) => (body.length > 140 ? `${body.slice(0, 139)}…` : body);

/** The subject of a moment opened without one: its first message's first line. */
export const subjectFromBody = (body: string) => previewOf(body.split('\n')[0] ?? '').slice(0, 120) || '(no subject)';
