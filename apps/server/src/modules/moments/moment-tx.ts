import type { Deps } from '../../platform/deps.ts';
import type { Tx } from '../../platform/db/database.ts';
import { commitInGroup } from '../../platform/db/group-commit.ts';
import { lockWorkspace } from '../../platform/db/lock-workspace.ts';
import type { SettingsCache, WorkspaceSettings } from '../workspaces/index.ts';
import type { MomentRow } from './moment-view.ts';
import type { StreamHub } from './stream-hub.ts';
import { recordActivities, type Activity, type NewActivity, type Publish } from './activity.ts';

/** What every moment use case is handed: the platform, settings, the live stream, and the channels' say. */
export type MomentsCtx = {
  readonly deps: Deps;
  readonly settings: SettingsCache;
  readonly publish: Publish;
  /** Passing frames to the agents who may see a moment (a customer who changed); none in batch loads such as the demo's. */
  readonly signal?: StreamHub['signal'];
  /** Lets the moment's channel refuse a reply up front (WhatsApp's 24-hour rule); runs in the reply's transaction. */
  readonly checkReply?: (tx: Tx, moment: MomentRow, draft: { readonly body: string; readonly meta: Readonly<Record<string, unknown>> }) => Promise<void>;
};

/** One moment write in progress: its transaction, its clock reading, and what it will announce. */
export type MomentWrite = {
  readonly tx: Tx;
  readonly deps: Deps;
  readonly workspaceId: string;
  readonly settings: WorkspaceSettings;
  readonly now: number;
  readonly announce: (activity: NewActivity) => void;
};

/**
 * Runs a moment write: takes the workspace's write lock (routing reads agents' loads, then
 * decides, then writes; two writers must not interleave), logs the activities it announced in
 * the same transaction, commits, and only then publishes them to live sockets.
 * On SQLite, writes that arrive together share one commit (one fsync), each in its own savepoint;
 * the activities go out as soon as the commit is visible, while its sync runs, and the caller
 * gets its result once the commit is on disk.
 */
export async function inMomentTx<T>(ctx: MomentsCtx, workspaceId: string, work: (w: MomentWrite) => Promise<T>): Promise<T> {
  const settings = await ctx.settings.get(workspaceId);
  const unit = async (tx: Tx) => {
    await lockWorkspace(tx, ctx.deps.engine, workspaceId);
    return withinTx(ctx.deps, settings, tx, workspaceId, work);
  };
  const publish = ({ activities }: { activities: Activity[] }) => {
    if (activities.length === 0) return;
    try {
      ctx.publish(activities);
    } catch (error) {
      // The write stands; sockets catch up from their cursor.
      ctx.deps.log.error({ err: error }, 'could not publish moment activities');
    }
  };
  // SQLite's group commit publishes as soon as the commit is visible; PostgreSQL's commit is on disk when it returns.
  if (ctx.deps.engine === 'sqlite') return (await commitInGroup(ctx.deps.db, unit, publish)).result;
  const done = await ctx.deps.db.transaction().execute(unit);
  publish(done);
  return done.result;
}

/**
 * A moment write inside a transaction someone else runs (and has locked the workspace in):
 * its activities are logged there; the caller publishes them once that transaction commits.
 */
export async function withinTx<T>(deps: Deps, settings: WorkspaceSettings, tx: Tx, workspaceId: string, work: (w: MomentWrite) => Promise<T>): Promise<{ result: T; activities: Activity[] }> {
  const pending: NewActivity[] = [];
  const now = deps.clock.now();
  const result = await work({ tx, deps, workspaceId, settings, now, announce: (a) => void pending.push(a) });
  return { result, activities: await recordActivities(tx, workspaceId, now, pending) };
}
