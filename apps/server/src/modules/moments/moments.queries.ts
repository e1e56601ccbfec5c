import type { Db } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { Caller } from './caller.ts';
import { maySee } from './visibility.ts';
import { attachmentsByMessage, toMessageView, type MessageView } from './messages.ts';
import { toMomentView, type MomentRow, type MomentView } from './moment-view.ts';

async function visibleRow(db: Db, caller: Caller, momentId: string): Promise<MomentRow> {
  const row = await db.selectFrom('moment').selectAll().where('workspace_id', '=', caller.workspaceId).where('id', '=', momentId).executeTakeFirst();
  if (!row || !maySee(caller, row)) throw new AppError('moment_not_found', `no moment ${momentId}`, 'id');
  return row;
}

/** One moment as the caller may see it. */
export async function getMoment(db: Db, caller: Caller, momentId: string, now: number, dueSoonMs: number): Promise<MomentView> {
  return toMomentView(await visibleRow(db, caller, momentId), now, dueSoonMs);
}

/** The thread, oldest first, keyset-paged by message id (UUIDv7: creation order). */
export async function listMessages(db: Db, caller: Caller, momentId: string, page: { readonly after?: string; readonly limit: number }): Promise<{ data: MessageView[]; nextCursor: string | null }> {
  await visibleRow(db, caller, momentId);
  let query = db.selectFrom('message').selectAll().where('workspace_id', '=', caller.workspaceId).where('moment_id', '=', momentId);
  if (page.after) query = query.where('id', '>', page.after);
  const rows = await query.orderBy('id').limit(page.limit + 1).execute();
  const pageRows = rows.slice(0, page.limit);
  const byMessage = await attachmentsByMessage(db, caller.workspaceId, pageRows.map((r) => r.id));
  return { data: pageRows.map((r) => toMessageView(r, byMessage.get(r.id) ?? [])), nextCursor: rows.length > page.limit ? pageRows[pageRows.length - 1]!.id : null };
}

export type OwnershipEntry = {
  readonly ownerId: string;
  readonly ownerName: string | null;
  readonly teamId: string | null;
  readonly teamName: string | null;
  readonly reason: string;
  readonly actor: string;
  readonly note: string | null;
  readonly from: string;
  readonly to: string | null;
};

/** Every owner of the moment, from when to when and why, oldest first. */
export async function getOwnership(db: Db, caller: Caller, momentId: string): Promise<OwnershipEntry[]> {
  await visibleRow(db, caller, momentId);
  const rows = await db
    .selectFrom('ownership_change as o')
    .leftJoin('agent as a', (j) => j.onRef('a.workspace_id', '=', 'o.workspace_id').onRef('a.id', '=', 'o.owner_id'))
    .leftJoin('team as t', (j) => j.onRef('t.workspace_id', '=', 'o.workspace_id').onRef('t.id', '=', 'o.team_id'))
    .select(['o.owner_id', 'a.name as owner_name', 'o.team_id', 't.name as team_name', 'o.reason', 'o.actor', 'o.note', 'o.started_at', 'o.ended_at'])
    .where('o.workspace_id', '=', caller.workspaceId)
    .where('o.moment_id', '=', momentId)
    .orderBy('o.started_at')
    .orderBy('o.id')
    .execute();
  return rows.map((r) => ({
    ownerId: r.owner_id, ownerName: r.owner_name, teamId: r.team_id, teamName: r.team_name, reason: r.reason, actor: r.actor, note: r.note,
    from: new Date(r.started_at).toISOString(), to: r.ended_at === null ? null : new Date(r.ended_at).toISOString(),
  }));
}

/** An attachment's bytes, if the caller may see its moment. */
export async function getAttachment(db: Db, caller: Caller, attachmentId: string): Promise<{ fileName: string; contentType: string; data: Buffer }> {
  const row = await db.selectFrom('attachment').select(['moment_id', 'file_name', 'content_type', 'data']).where('workspace_id', '=', caller.workspaceId).where('id', '=', attachmentId).executeTakeFirst();
  if (!row) throw new AppError('resource_not_found', `no attachment ${attachmentId}`, 'id');
  await visibleRow(db, caller, row.moment_id).catch(() => {
    throw new AppError('resource_not_found', `no attachment ${attachmentId}`, 'id');
  });
  return { fileName: row.file_name, contentType: row.content_type, data: Buffer.from(row.data) };
}
