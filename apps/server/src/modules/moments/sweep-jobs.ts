import type { Tx } from '../../platform/db/database.ts';
import type { PeriodicJob } from '../../worker/outbox-worker.ts';
import { parseSettings } from '../workspaces/index.ts';
import type { NewActivity } from './activity.ts';
import type { MomentWrite, MomentsCtx } from './moment-tx.ts';
import type { MomentRow } from './moment-view.ts';
import { pruneActivityJob } from './prune-activity.ts';
import { pruneUnsentAheadJob } from './unsent-ahead.ts';
import { rerouteInTeam } from './reroute.ts';
import { sweepSla } from './sla/index.ts';
import { sweepMoments } from './sweep-moments.ts';

/** The clockwork of moments: SLA warnings and breaches, snoozes ending, resolved moments closing, old activity going. */
export function momentJobs(ctx: MomentsCtx): PeriodicJob[] {
  return [
    { name: 'sla-sweep', everyMs: 30_000, run: async () => void (await sweepSla(ctx.deps, { publish: ctx.publish, reassign: (tx, moment, now) => reassignOnBreach(ctx, tx, moment, now), dueSoonMs: async (ws) => (await ctx.settings.get(ws)).moments.dueSoonMinutes * 60_000 })) },
    { name: 'moments-sweep', everyMs: 60_000, run: async () => void (await sweepMoments(ctx)) },
    pruneActivityJob(ctx.deps),
    pruneUnsentAheadJob(ctx.deps),
  ];
}

/**
 * The SLA breach action "reassign": someone else in the team takes the moment, inside the
 * sweep's transaction. Settings are read through that transaction (SQLite has one connection).
 */
async function reassignOnBreach(ctx: MomentsCtx, tx: Tx, moment: MomentRow, now: number): Promise<NewActivity[]> {
  const row = await tx.selectFrom('workspace').select('settings').where('id', '=', moment.workspace_id).executeTakeFirstOrThrow();
  const announced: NewActivity[] = [];
  const w: MomentWrite = { tx, deps: ctx.deps, workspaceId: moment.workspace_id, settings: parseSettings(row.settings), now, announce: (a) => void announced.push(a) };
  if (moment.team_id !== null) await rerouteInTeam(w, moment, 'sla_breach', 'system', 'SLA breached');
  return announced;
}
