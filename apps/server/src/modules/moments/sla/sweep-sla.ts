import { sql } from 'kysely';
import { MAX_WARN_BEFORE_MINUTES } from '@touchpoint/contracts';
import type { Tx } from '../../../platform/db/database.ts';
import { lockWorkspace } from '../../../platform/db/lock-workspace.ts';
import type { Deps } from '../../../platform/deps.ts';
import { writeOutbox } from '../../../platform/outbox.ts';
import { recordActivities, type Activity, type Audience, type NewActivity, type Publish } from '../activity.ts';
import { MOMENT_EVENTS } from '../moments.events.ts';
import { toMomentView, type MomentRow } from '../moment-view.ts';
import { loadSlaPolicy } from './load-sla.ts';
import { dueDeadline, markWarned, recordBreach, slaColumns } from './sla-clock.ts';
import { PRIORITIES, type Priority } from './sla-policy.ts';
import { repickPolicy } from './repick-policy.ts';

export type SweepSlaOptions = {
  readonly publish: Publish;
  /** The breach action `reassign`: gives the moment to someone else in `tx`, returns what to announce. */
  readonly reassign: (tx: Tx, moment: MomentRow, now: number) => Promise<NewActivity[]>;
  /** The workspace's "due soon" window, for the moment views activities carry (default 30 minutes). */
  readonly dueSoonMs?: (workspaceId: string) => Promise<number>;
};

const MINUTE = 60_000;
const DEFAULT_DUE_SOON_MS = 30 * MINUTE;
// Pending moments' clocks are paused; a snoozed moment's passed deadline is caught when it wakes.
const SWEPT_STATUS = 'open';
// One sweep handles this many moments, earliest deadline first; the worker sweeps again soon.
const BATCH = 500;

/**
 * Warns of deadlines about to pass and records those that passed, with the policy's breach
 * actions. Each moment is settled in its own transaction under the workspace lock, re-read
 * there, so a sweep racing a reply (or another process's sweep) acts at most once per deadline.
 */
export async function sweepSla(deps: Deps, opts: SweepSlaOptions): Promise<{ warned: number; breached: number }> {
  const now = deps.clock.now();
  // Only a deadline within the longest warning some policy gives can need a warning now. The
  // largest lead allowed (a week) made every sweep read each open moment due in the coming week
  // (29,000 rows of a 200,000-moment inbox: 30–150 ms of the event loop every 30 s).
  const longest = await deps.db.selectFrom('sla_policy').select((eb) => eb.fn.max('warn_before_minutes').as('minutes')).executeTakeFirst();
  const lead = Math.min(Number(longest?.minutes ?? 0), MAX_WARN_BEFORE_MINUTES) * MINUTE;
  const due = await deps.db
    .selectFrom('moment as m')
    .leftJoin('sla_policy as p', (join) => join.onRef('p.workspace_id', '=', 'm.workspace_id').onRef('p.id', '=', 'm.sla_policy_id'))
    .select(['m.workspace_id', 'm.id'])
    // The range on sla_due_at uses the moment_sla_due index; the rest filters that range.
    .where('m.sla_due_at', 'is not', null)
    .where('m.sla_due_at', '<=', now + lead)
    .where('m.status', '=', SWEPT_STATUS)
    .where((eb) =>
      eb.or([
        eb('m.sla_due_at', '<=', now),
        eb.and([
          eb(sql<number>`${sql.ref('m.sla_due_at')} - coalesce(${sql.ref('p.warn_before_minutes')}, 0) * ${MINUTE}`, '<=', now),
          eb.or([eb('m.sla_warned_at', 'is', null), eb('m.sla_warned_at', '!=', eb.ref('m.sla_due_at'))]),
        ]),
      ]),
    )
    .orderBy('m.sla_due_at')
    .limit(BATCH)
    .execute();

  const windows = new Map<string, number>();
  const counts = { warned: 0, breached: 0 };
  for (const { workspace_id: workspaceId, id } of due) {
    if (!windows.has(workspaceId)) windows.set(workspaceId, opts.dueSoonMs ? await opts.dueSoonMs(workspaceId) : DEFAULT_DUE_SOON_MS);
    try {
      const settled = await settleMoment(deps, opts, { workspaceId, id, now, dueSoonMs: windows.get(workspaceId)! });
      if (settled === null) continue;
      counts[settled.outcome] += 1;
      if (settled.activities.length > 0) opts.publish(settled.activities);
    } catch (err) {
      // One moment failing (a reassign error) must not hold up every other deadline.
      deps.log.error({ err, workspaceId, momentId: id }, 'SLA sweep failed for a moment');
    }
  }
  return counts;
}

type Settled = { readonly outcome: 'warned' | 'breached'; readonly activities: readonly Activity[] };

async function settleMoment(deps: Deps, opts: SweepSlaOptions, at: { readonly workspaceId: string; readonly id: string; readonly now: number; readonly dueSoonMs: number }): Promise<Settled | null> {
  const { workspaceId, now } = at;
  return deps.db.transaction().execute(async (tx) => {
    await lockWorkspace(tx, deps.engine, workspaceId);
    const row = await tx.selectFrom('moment').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', at.id).executeTakeFirst();
    if (!row || row.status !== SWEPT_STATUS || row.sla_due_at === null) return null;
    const policy = (await loadSlaPolicy(tx, workspaceId, row.sla_policy_id))?.policy ?? null;
    const view = (m: MomentRow) => toMomentView(m, now, at.dueSoonMs);
    const audience: Audience = { teams: row.team_id === null ? [] : [row.team_id], agents: [row.owner_id] };

    if (row.sla_due_at > now) {
      const warnMs = (policy?.warnBeforeMinutes ?? 0) * MINUTE;
      if (row.sla_warned_at === row.sla_due_at || now < row.sla_due_at - warnMs) return null;
      const warned: MomentRow = { ...row, ...markWarned(row) };
      await tx.updateTable('moment').set({ sla_warned_at: warned.sla_warned_at }).where('workspace_id', '=', workspaceId).where('id', '=', row.id).execute();
      const payload = { moment: await view(warned), deadline: dueDeadline(row), dueAt: new Date(row.sla_due_at).toISOString() };
      const activities = await recordActivities(tx, workspaceId, now, [{ momentId: row.id, type: 'sla.warning', actor: 'system', audience, payload }]);
      return { outcome: 'warned', activities };
    }

    const { clock, deadlines } = recordBreach(row, now);
    if (deadlines.length === 0) {
      await tx.updateTable('moment').set({ sla_due_at: clock.sla_due_at }).where('workspace_id', '=', workspaceId).where('id', '=', row.id).execute();
      return null;
    }
    const actions = policy?.breachActions ?? [];
    const priority = actions.includes('raise_priority') ? raised(row.priority) : null;
    let breached: MomentRow = { ...row, ...clock, priority: priority ?? row.priority, updated_at: now };
    // A raised priority may have a stricter policy: it times what is still running from now on.
    const repicked = priority === null ? null : await repickPolicy(tx, workspaceId, breached);
    if (repicked) breached = { ...breached, ...repicked.clock };
    const sla = repicked?.change ?? null;
    await tx
      .updateTable('moment')
      .set({ ...slaColumns(breached), priority: breached.priority, updated_at: now })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', row.id)
      .execute();
    const leadId = actions.includes('notify_lead') ? await leadOf(tx, workspaceId, row.team_id) : null;
    const moment = await view(breached);
    const items: NewActivity[] = [
      {
        momentId: row.id,
        type: 'sla.breached',
        actor: 'system',
        audience: leadId === null || leadId === row.owner_id ? audience : { ...audience, agents: [row.owner_id, leadId] },
        payload: { moment, deadline: deadlines[0], deadlines, breachedAt: new Date(now).toISOString(), actions },
      },
    ];
    if (priority !== null) {
      items.push({ momentId: row.id, type: 'moment.updated', actor: 'system', audience, payload: { moment, changed: ['priority'], previousPriority: row.priority, why: 'SLA breached', ...(sla ? { sla } : {}) } });
    }
    if (leadId !== null) {
      await writeOutbox(tx, deps, [
        { workspaceId, topic: MOMENT_EVENTS.slaBreached, payload: { momentId: row.id, teamId: row.team_id, leadId, ownerId: row.owner_id, deadline: deadlines[0], deadlines, breachedAt: now } },
      ]);
    }
    if (actions.includes('reassign')) items.push(...(await opts.reassign(tx, breached, now)));
    return { outcome: 'breached', activities: await recordActivities(tx, workspaceId, now, items) };
  });
}

/** One step up (low → normal → high → urgent); null when already urgent. */
function raised(priority: string): Priority | null {
  const at = PRIORITIES.indexOf(priority as Priority);
  return at >= 0 && at < PRIORITIES.length - 1 ? PRIORITIES[at + 1] : null;
}

async function leadOf(tx: Tx, workspaceId: string, teamId: string | null): Promise<string | null> {
  if (teamId === null) return null;
  const team = await tx.selectFrom('team').select('lead_id').where('workspace_id', '=', workspaceId).where('id', '=', teamId).executeTakeFirst();
  return team?.lead_id ?? null;
}
