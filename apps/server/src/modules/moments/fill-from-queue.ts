import { loadCandidates, isAvailable, skillsOf } from './agent-load.ts';
import type { MomentWrite } from './moment-tx.ts';
import { changeOwner } from './ownership.ts';

const LOOK_AHEAD = 100;

/**
 * An agent came online or freed capacity: they take the oldest moments waiting in their teams'
 * lines, first in first out, while they have room on each moment's channel. A moment on a
 * channel where they are full is left for someone else; the ones behind it may still fit.
 */
export async function fillFromQueue(w: MomentWrite, agentId: string, reason: 'capacity' | 'came_online', actor: string): Promise<number> {
  const teams = w.tx.selectFrom('team_member').select('team_id').where('workspace_id', '=', w.workspaceId).where('agent_id', '=', agentId);
  const waiting = await w.tx
    .selectFrom('moment')
    .selectAll()
    .where('workspace_id', '=', w.workspaceId)
    .where('team_id', 'in', teams)
    .where('queued_at', 'is not', null)
    .orderBy('queued_at')
    .orderBy('id')
    .limit(LOOK_AHEAD)
    .execute();
  let taken = 0;
  const full = new Set<string>();
  for (const moment of waiting) {
    if (full.has(moment.channel)) continue;
    const [me] = await loadCandidates(w.tx, w.workspaceId, moment.channel, w.settings.moments.defaultCapacity, { agentId });
    if (!me || me.presence !== 'online') return taken;
    if (!isAvailable(me)) {
      full.add(moment.channel);
      continue;
    }
    // A moment that asks for skills this agent lacks waits for someone who has them.
    if (!skillsOf(moment).every((s) => me.skills.has(s))) continue;
    await changeOwner(w, moment, { ownerId: agentId, teamId: moment.team_id, reason, queued: false }, actor);
    taken += 1;
  }
  return taken;
}
