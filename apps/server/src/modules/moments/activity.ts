import type { Insertable } from 'kysely';
import { compiledOnce } from '../../platform/db/compiled-once.ts';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { MomentActivityTable } from '../../platform/db/tables.ts';

/** Who, besides owners, admins and analysts (who see everything), may receive an activity. */
export type Audience = { readonly teams: readonly string[]; readonly agents: readonly string[] };

/**
 * Something that happened to a moment, as the live stream carries it. `seq` orders a
 * workspace's activities in commit order and is the stream's resume cursor.
 */
export type Activity = {
  readonly workspaceId: string;
  readonly seq: number;
  readonly momentId: string;
  readonly type: ActivityType;
  readonly actor: string;
  readonly audience: Audience;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
};

export type ActivityType =
  | 'moment.created'
  | 'moment.assigned'
  | 'moment.updated'
  | 'message.added'
  | 'message.updated'
  | 'handoff.requested'
  | 'handoff.accepted'
  | 'handoff.declined'
  | 'sla.warning'
  | 'sla.breached';

/** Hands committed activities to the live stream (in-process); set by main.ts. */
export type Publish = (activities: readonly Activity[]) => void;

export type NewActivity = Omit<Activity, 'workspaceId' | 'seq' | 'createdAt'>;

/**
 * Appends activities to the workspace's log inside the caller's transaction. The caller holds
 * the workspace write lock (SQLite: the one writer; PostgreSQL: lockWorkspace), so reading the
 * last seq and writing the next ones cannot interleave with another writer: seq follows commit order.
 */
export async function recordActivities(tx: Tx, workspaceId: string, now: number, items: readonly NewActivity[]): Promise<Activity[]> {
  if (items.length === 0) return [];
  const [last] = await lastSeq(tx, { workspaceId });
  let seq = last?.seq ?? 0;
  const activities = items.map((item) => ({ ...item, workspaceId, seq: ++seq, createdAt: now }));
  const rows = activities.map((a) => ({ workspace_id: workspaceId, seq: a.seq, moment_id: a.momentId, type: a.type, actor: a.actor, audience: JSON.stringify(a.audience), payload: JSON.stringify(a.payload), created_at: now }));
  // One activity is the usual case (a message, an assignment): its insert is compiled once.
  if (rows.length === 1) await insertActivity(tx, rows[0]!);
  else await tx.insertInto('moment_activity').values(rows).execute();
  return activities;
}

// Both run for every moment write: compiled once.
const lastSeq = compiledOnce((db, p: { workspaceId: string }) => db.selectFrom('moment_activity').select('seq').where('workspace_id', '=', p.workspaceId).orderBy('seq', 'desc').limit(1));
const insertActivity = compiledOnce((db, row: Insertable<MomentActivityTable>) => db.insertInto('moment_activity').values(row));

/** The first seq still kept in the workspace's activity log (null when empty): older ones were pruned. */
export async function oldestActivitySeq(db: Db, workspaceId: string): Promise<number | null> {
  const row = await db.selectFrom('moment_activity').select((eb) => eb.fn.min('seq').as('seq')).where('workspace_id', '=', workspaceId).executeTakeFirst();
  return row?.seq == null ? null : Number(row.seq);
}

/** The last seq of the workspace's activity log (0 when empty): where a live stream starts. */
export async function latestActivitySeq(db: Db, workspaceId: string): Promise<number> {
  const row = await db.selectFrom('moment_activity').select((eb) => eb.fn.max('seq').as('seq')).where('workspace_id', '=', workspaceId).executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/** Whether an agent with these teams may receive an activity (owners, admins, analysts: always). */
export function canReceive(audience: Audience, viewer: { readonly agentId: string | null; readonly seesAll: boolean; readonly teamIds: ReadonlySet<string> }): boolean {
  if (viewer.seesAll) return true;
  if (viewer.agentId !== null && audience.agents.includes(viewer.agentId)) return true;
  return audience.teams.some((t) => viewer.teamIds.has(t));
}
