import { AppError } from '../../platform/errors.ts';
import { ACTIVE_STATUSES } from './agent-load.ts';
import { fillFromQueue } from './fill-from-queue.ts';
import { inMomentTx, type MomentWrite, type MomentsCtx } from './moment-tx.ts';
import { rerouteInTeam } from './reroute.ts';
import { unindexedText } from '../../platform/db/unindexed.ts';
import type { Db, Tx } from '../../platform/db/database.ts';

export const PRESENCES = ['online', 'away', 'offline'] as const;
export type Presence = (typeof PRESENCES)[number];

/**
 * Moments handed back per transaction when their owner goes offline. Each takes about 0.5 ms
 * of the server's thread: handing back 216 in one transaction held the event loop 111 ms (and
 * every chat message, socket and request with it) at the end of a shift.
 */
const HAND_BACK_PER_TRANSACTION = 10;

/**
 * Online agents are routed new work and take waiting moments; away agents keep theirs but get
 * nothing new; an agent going offline hands every active moment they own back to its team
 * (another member, or the fallback owner's line), a few moments a transaction: each keeps its
 * owner until the transaction that routes it again, so none is ever without one.
 */
export async function setPresence(ctx: MomentsCtx, input: { readonly workspaceId: string; readonly agentId: string; readonly presence: Presence; readonly actor: string }): Promise<{ readonly presence: Presence; readonly moved: number }> {
  let step = await inMomentTx(ctx, input.workspaceId, async (w) => {
    const agent = await w.tx.selectFrom('agent').select('id').where('workspace_id', '=', w.workspaceId).where('id', '=', input.agentId).executeTakeFirst();
    if (!agent) throw new AppError('resource_not_found', `no agent ${input.agentId}`, 'id');
    await w.tx.updateTable('agent').set({ presence: input.presence, presence_at: w.now }).where('workspace_id', '=', w.workspaceId).where('id', '=', input.agentId).execute();
    if (input.presence === 'online') return { moved: await fillFromQueue(w, input.agentId, 'came_online', input.actor), after: null };
    return input.presence === 'offline' ? handBack(w, input, '') : { moved: 0, after: null };
  });
  const moved = step.moved + (step.after === null ? 0 : await handBackWhileOffline(ctx, input, step.after));
  return { presence: input.presence, moved };
}

/** Hands back the moments the agent owns after `after`, a transaction at a time, for as long as they stay offline. */
async function handBackWhileOffline(ctx: MomentsCtx, input: { readonly workspaceId: string; readonly agentId: string; readonly actor: string }, after: string): Promise<number> {
  let moved = 0;
  for (let next: string | null = after; next !== null; ) {
    const from: string = next;
    const step = await inMomentTx(ctx, input.workspaceId, async (w) => {
      // Back (online or away) meanwhile: what is still theirs stays theirs.
      const agent = await w.tx.selectFrom('agent').select('presence').where('workspace_id', '=', w.workspaceId).where('id', '=', input.agentId).executeTakeFirst();
      return agent?.presence === 'offline' ? handBack(w, input, from) : { moved: 0, after: null };
    });
    moved += step.moved;
    next = step.after;
  }
  return moved;
}

/**
 * Finishes hand-backs a stopped process left half done: the agent is offline (that was
 * committed first) but still owns active moments nobody else can take (the process was killed
 * between transactions). Run by the moments sweep; returns how many moments it handed back.
 */
export async function finishHandBacks(ctx: MomentsCtx): Promise<number> {
  const offline = await ctx.deps.db.selectFrom('agent').select(['workspace_id', 'id']).where('presence', '=', 'offline').execute();
  let moved = 0;
  for (const agent of offline) {
    const stranded = await ownedInTeams(ctx.deps.db, agent.workspace_id, agent.id).select('id').limit(1).executeTakeFirst();
    if (stranded) moved += await handBackWhileOffline(ctx, { workspaceId: agent.workspace_id, agentId: agent.id, actor: 'system' }, '');
  }
  return moved;
}

/** The agent's active moments that their team can route again (not waiting in its queue). */
function ownedInTeams(db: Db | Tx, workspaceId: string, agentId: string) {
  return db
    .selectFrom('moment')
    .where('workspace_id', '=', workspaceId)
    .where('owner_id', '=', agentId)
    .where('status', 'in', ACTIVE_STATUSES)
    .where('queued_at', 'is', null)
    .where('team_id', 'is not', null);
}

/** Routes again the next few active moments the agent owns (ids after `after`); `after` for the next call, null when done. */
async function handBack(w: MomentWrite, input: { readonly agentId: string; readonly actor: string }, after: string): Promise<{ readonly moved: number; readonly after: string | null }> {
  const owned = await ownedInTeams(w.tx, w.workspaceId, input.agentId)
    .selectAll()
    // By moment_by_owner, not a walk of the workspace by id (unindexed.ts).
    .where(unindexedText('id'), '>', after)
    .orderBy(unindexedText('id'))
    .limit(HAND_BACK_PER_TRANSACTION)
    .execute();
  for (const m of owned) await rerouteInTeam(w, m, 'agent_offline', input.actor, 'the owner went offline');
  return { moved: owned.length, after: owned.length === HAND_BACK_PER_TRANSACTION ? owned[owned.length - 1]!.id : null };
}
