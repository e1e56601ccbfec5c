import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activity } from '../src/modules/moments/activity.ts';
import type { MomentRow } from '../src/modules/moments/moment-view.ts';
import { loadSlaPolicy, slaColumns, startClock, sweepSla, type SlaClock } from '../src/modules/moments/sla/index.ts';
import { createWorkspace, type CreatedWorkspace } from '../src/modules/workspaces/index.ts';
import { fixedClock } from '../src/platform/clock.ts';
import { ENGINES, startServer, type Running } from './harness.ts';
import { addAgent } from './moments-fixtures.ts';

const MIN = 60_000;
const PASSWORD = 'a long enough password';
const lisbonWeek = { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '13:00'], ['14:00', '17:00']] };

describe.each(ENGINES)('SLA on %s', (engine) => {
  let s: Running;
  const t0 = Date.parse('2026-06-01T09:00:00Z');
  const clock = fixedClock(t0);
  let agentToken: string;
  let analystToken: string;
  let other: CreatedWorkspace;

  const signIn = (role: string) => addAgent(s, { role, online: false });

  beforeAll(async () => {
    s = await startServer(engine, { clock });
    agentToken = (await signIn('agent')).token;
    analystToken = (await signIn('analyst')).token;
    other = await createWorkspace(s.tp.deps, { name: 'Other', ownerEmail: 'owner@other.test', ownerPassword: PASSWORD });
  });
  afterAll(async () => s?.stop());

  describe('business hours', () => {
    it('are created, read, changed and deleted, normalised', async () => {
      const created = await s.api('POST', '/api/v1/business-hours', { name: 'Lisbon', timeZone: 'europe/lisbon', weekly: lisbonWeek, holidays: ['2026-12-25', '2026-06-10'] });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'Lisbon', timeZone: 'Europe/Lisbon', weekly: lisbonWeek, holidays: ['2026-06-10', '2026-12-25'], createdAt: new Date(t0).toISOString() });
      const id = created.body.id;
      expect((await s.api('GET', `/api/v1/business-hours/${id}`)).body).toEqual(created.body);
      expect((await s.api('GET', '/api/v1/business-hours')).body.data.map((h: { id: string }) => h.id)).toContain(id);
      const patched = await s.api('PATCH', `/api/v1/business-hours/${id}`, { holidays: [] });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ name: 'Lisbon', holidays: [], weekly: lisbonWeek });
      expect((await s.api('DELETE', `/api/v1/business-hours/${id}`)).status).toBe(204);
      expect((await s.api('GET', `/api/v1/business-hours/${id}`)).body.error.code).toBe('resource_not_found');
    });

    it('refuses bad input, naming the field', async () => {
      const bad = async (body: unknown, field: string) => {
        const res = await s.api('POST', '/api/v1/business-hours', body);
        expect(res.status, JSON.stringify(res.body)).toBe(400);
        expect(res.body.error.code).toMatch(/invalid_field|missing_field/);
        expect(res.body.error.field).toBe(field);
      };
      const base = { name: 'X', timeZone: 'UTC', weekly: { mon: [['09:00', '17:00']] } };
      await bad({ ...base, timeZone: 'Mars/Olympus' }, 'timeZone');
      await bad({ ...base, weekly: { mon: [['09:00', '25:00']] } }, 'weekly.mon.0.1');
      await bad({ ...base, weekly: { mon: [['17:00', '09:00']] } }, 'weekly.mon.0');
      await bad({ ...base, weekly: { monday: [['09:00', '17:00']] } }, 'weekly.monday');
      await bad({ ...base, weekly: {} }, 'weekly');
      await bad({ ...base, holidays: ['2026-02-30'] }, 'holidays.0');
      await bad({ timeZone: 'UTC', weekly: base.weekly }, 'name');
      const id = (await s.api('POST', '/api/v1/business-hours', base)).body.id;
      const patch = await s.api('PATCH', `/api/v1/business-hours/${id}`, { weekly: { sat: [['10:00', '9:00']] } });
      expect(patch.status).toBe(400);
      expect(patch.body.error.field).toBe('weekly.sat.0.1');
    });
  });

  describe('policies', () => {
    it('default what is left out and round-trip every field', async () => {
      const minimal = await s.api('POST', '/api/v1/sla-policies', { name: 'Everything', resolutionMinutes: 480 });
      expect(minimal.status).toBe(201);
      expect(minimal.body).toEqual({
        id: minimal.body.id,
        name: 'Everything',
        priority: null,
        channel: null,
        businessUnitId: null,
        firstResponseMinutes: null,
        nextResponseMinutes: null,
        resolutionMinutes: 480,
        businessHoursId: null,
        warnBeforeMinutes: 15,
        breachActions: [],
        createdAt: new Date(t0).toISOString(),
      });
      const hours = (await s.api('POST', '/api/v1/business-hours', { name: 'Office', timeZone: 'Europe/Lisbon', weekly: lisbonWeek })).body;
      const unit = (await s.api('POST', '/api/v1/business-units', { key: 'shop', name: 'Shop' })).body;
      const full = {
        name: 'Urgent chat',
        priority: 'urgent',
        channel: 'chat',
        businessUnitId: unit.id,
        firstResponseMinutes: 5,
        nextResponseMinutes: 10,
        resolutionMinutes: 240,
        businessHoursId: hours.id,
        warnBeforeMinutes: 2,
        breachActions: ['notify_lead', 'raise_priority'],
      };
      const created = await s.api('POST', '/api/v1/sla-policies', full);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject(full);
      const id = created.body.id;
      const patched = await s.api('PATCH', `/api/v1/sla-policies/${id}`, { businessHoursId: null, resolutionMinutes: null, name: 'Urgent chat, 24/7' });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ ...full, businessHoursId: null, resolutionMinutes: null, name: 'Urgent chat, 24/7' });
      expect((await s.api('GET', `/api/v1/sla-policies/${id}`)).body).toEqual(patched.body);
      expect((await s.api('GET', '/api/v1/sla-policies')).body.data.map((p: { id: string }) => p.id)).toEqual([minimal.body.id, id]);
      expect((await s.api('DELETE', `/api/v1/sla-policies/${id}`)).status).toBe(204);
      expect((await s.api('GET', `/api/v1/sla-policies/${id}`)).status).toBe(404);
      expect((await s.api('PATCH', `/api/v1/sla-policies/${id}`, { name: 'gone' })).status).toBe(404);
      const audit = await s.tp.deps.db.selectFrom('audit').select('action').where('workspace_id', '=', s.workspace.workspaceId).where('target', '=', id).orderBy('created_at').execute();
      expect(audit.map((a) => a.action).sort()).toEqual(['sla_policy.created', 'sla_policy.deleted', 'sla_policy.updated']);
    });

    it('refuses bad values and unknown references, naming the field', async () => {
      const bad = async (body: unknown, field: string) => {
        const res = await s.api('POST', '/api/v1/sla-policies', body);
        expect(res.status, JSON.stringify(res.body)).toBe(400);
        expect(res.body.error.field).toBe(field);
      };
      const x = { name: 'x', resolutionMinutes: 60 };
      await bad({ name: 'x', firstResponseMinutes: 0 }, 'firstResponseMinutes');
      await bad({ ...x, resolutionMinutes: 1.5 }, 'resolutionMinutes');
      await bad({ ...x, priority: 'critical' }, 'priority');
      await bad({ ...x, channel: '' }, 'channel');
      // Moments name channels in lower case: "Chat" would time none of them.
      await bad({ ...x, channel: 'Chat', firstResponseMinutes: 5 }, 'channel');
      await bad({ ...x, breachActions: ['escalate'] }, 'breachActions.0');
      await bad({ ...x, warnBeforeMinutes: -1 }, 'warnBeforeMinutes');
      await bad({ ...x, businessUnitId: 'nope' }, 'businessUnitId');
      await bad({ ...x, businessHoursId: 'nope' }, 'businessHoursId');
      await bad({ ...x, colour: 'red' }, 'colour');
    });

    it('refuse a policy with no deadline, naming the field, on create and on change', async () => {
      const before = (await s.api('GET', '/api/v1/sla-policies')).body.data.length;
      for (const body of [{ name: 'Nothing due' }, { name: 'Nothing due', priority: 'urgent', firstResponseMinutes: null, nextResponseMinutes: null, resolutionMinutes: null, warnBeforeMinutes: 5 }]) {
        const res = await s.api('POST', '/api/v1/sla-policies', body);
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'invalid_field', field: 'firstResponseMinutes' });
        expect(res.body.error.message).toContain('at least one deadline');
      }
      expect((await s.api('GET', '/api/v1/sla-policies')).body.data).toHaveLength(before);
      const one = (await s.api('POST', '/api/v1/sla-policies', { name: 'Reply only', nextResponseMinutes: 30 })).body;
      const cleared = await s.api('PATCH', `/api/v1/sla-policies/${one.id}`, { nextResponseMinutes: null });
      expect([cleared.status, cleared.body.error?.field]).toEqual([400, 'firstResponseMinutes']);
      expect((await s.api('GET', `/api/v1/sla-policies/${one.id}`)).body.nextResponseMinutes).toBe(30);
      // Swapping one deadline for another is fine.
      expect((await s.api('PATCH', `/api/v1/sla-policies/${one.id}`, { nextResponseMinutes: null, resolutionMinutes: 600 })).body).toMatchObject({ nextResponseMinutes: null, resolutionMinutes: 600 });
      await s.api('DELETE', `/api/v1/sla-policies/${one.id}`);
    });

    it('keep business hours in use from being deleted', async () => {
      const hours = (await s.api('POST', '/api/v1/business-hours', { name: 'Used', timeZone: 'UTC', weekly: { mon: [['09:00', '17:00']] } })).body;
      const policy = (await s.api('POST', '/api/v1/sla-policies', { name: 'Uses them', resolutionMinutes: 480, businessHoursId: hours.id })).body;
      const refused = await s.api('DELETE', `/api/v1/business-hours/${hours.id}`);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('conflict');
      await s.api('DELETE', `/api/v1/sla-policies/${policy.id}`);
      // A chat channel that opens by them keeps them too: its widget would stay open around the clock.
      const chat = (await s.api('POST', '/api/v1/channels', { kind: 'chat', name: 'Opens by them', settings: { allowedOrigins: [], businessHoursId: hours.id }, secrets: { identitySecret: 'site-identity-secret-0123456789' } })).body;
      const stillUsed = await s.api('DELETE', `/api/v1/business-hours/${hours.id}`);
      expect([stillUsed.status, stillUsed.body.error.code]).toEqual([409, 'conflict']);
      expect(stillUsed.body.error.message).toContain('Opens by them');
      expect((await s.api('PATCH', `/api/v1/channels/${chat.id}`, { settings: { allowedOrigins: [] } })).status).toBe(200);
      expect((await s.api('DELETE', `/api/v1/business-hours/${hours.id}`)).status).toBe(204);
    });
  });

  it('lets everyone read but only owners and admins write', async () => {
    const hours = (await s.api('POST', '/api/v1/business-hours', { name: 'Read me', timeZone: 'UTC', weekly: { mon: [['09:00', '17:00']] } })).body;
    for (const token of [agentToken, analystToken]) {
      expect((await s.api('GET', '/api/v1/sla-policies', undefined, token)).status).toBe(200);
      expect((await s.api('GET', `/api/v1/business-hours/${hours.id}`, undefined, token)).body.name).toBe('Read me');
      expect((await s.api('POST', '/api/v1/sla-policies', { name: 'mine', resolutionMinutes: 480 }, token)).status).toBe(403);
      expect((await s.api('PATCH', `/api/v1/business-hours/${hours.id}`, { name: 'mine' }, token)).status).toBe(403);
      expect((await s.api('DELETE', `/api/v1/business-hours/${hours.id}`, undefined, token)).status).toBe(403);
    }
  });

  it('documents its routes in the OpenAPI description', async () => {
    const docs = await s.api('GET', '/api/docs');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/api/v1/business-hours', '/api/v1/business-hours/{id}', '/api/v1/sla-policies', '/api/v1/sla-policies/{id}']));
  });

  it('keeps workspaces apart', async () => {
    const hours = (await s.api('POST', '/api/v1/business-hours', { name: 'Mine', timeZone: 'UTC', weekly: { mon: [['09:00', '17:00']] } })).body;
    const policy = (await s.api('POST', '/api/v1/sla-policies', { name: 'Mine', resolutionMinutes: 480, businessHoursId: hours.id })).body;
    const key = other.apiKey;
    expect((await s.api('GET', `/api/v1/business-hours/${hours.id}`, undefined, key)).status).toBe(404);
    expect((await s.api('GET', `/api/v1/sla-policies/${policy.id}`, undefined, key)).status).toBe(404);
    expect((await s.api('DELETE', `/api/v1/sla-policies/${policy.id}`, undefined, key)).status).toBe(404);
    expect((await s.api('GET', '/api/v1/sla-policies', undefined, key)).body.data).toEqual([]);
    const borrowing = await s.api('POST', '/api/v1/sla-policies', { name: 'Theirs', resolutionMinutes: 480, businessHoursId: hours.id }, key);
    expect(borrowing.status).toBe(400);
    expect(borrowing.body.error.field).toBe('businessHoursId');
  });

  describe('the sweep', () => {
    let ownerId: string;
    let leadId: string;
    let teamId: string;
    const published: Activity[] = [];
    const reassigned: MomentRow[] = [];
    const sweep = () =>
      sweepSla(s.tp.deps, {
        publish: (activities) => void published.push(...activities),
        reassign: async (_tx, moment) => {
          reassigned.push(moment);
          return [];
        },
        dueSoonMs: async () => 30 * MIN,
      });

    const insertMoment = async (workspaceId: string, id: string, sla: SlaClock, fields: Partial<MomentRow> = {}) => {
      const now = clock.now();
      const owner = fields.owner_id ?? ownerId;
      const team = fields.team_id === undefined ? teamId : fields.team_id;
      await s.tp.deps.db
        .insertInto('moment')
        .values({
          workspace_id: workspaceId,
          id,
          customer_id: `customer-${id}`,
          channel: 'chat',
          external_id: null,
          subject: 'Where is my order?',
          preview: 'It has been a week',
          status: 'open',
          priority: 'normal',
          language: null,
          business_unit_id: null,
          team_id: team,
          owner_id: owner,
          queued_at: null,
          handoff: null,
          ...slaColumns(sla),
          awaiting_reply_since: now,
          snoozed_until: null,
          resolved_at: null,
          closed_at: null,
          merged_into: null,
          message_count: 1,
          last_message_at: now,
          created_at: now,
          updated_at: now,
          ...fields,
        })
        .execute();
      await s.tp.deps.db
        .insertInto('ownership_change')
        .values({ workspace_id: workspaceId, id: s.tp.deps.ids.next(), moment_id: id, owner_id: owner, team_id: team, reason: 'rule', actor: 'system', note: null, started_at: now, ended_at: null })
        .execute();
    };
    const momentRow = (id: string) => s.tp.deps.db.selectFrom('moment').selectAll().where('workspace_id', '=', s.workspace.workspaceId).where('id', '=', id).executeTakeFirstOrThrow();
    const activitiesOf = (id: string) =>
      s.tp.deps.db.selectFrom('moment_activity').selectAll().where('workspace_id', '=', s.workspace.workspaceId).where('moment_id', '=', id).orderBy('seq').execute();

    beforeAll(async () => {
      clock.set(t0);
      ownerId = (await signIn('agent')).id;
      leadId = (await signIn('agent')).id;
      teamId = (await s.api('POST', '/api/v1/teams', { key: 'care', name: 'Care', agentIds: [ownerId, leadId] })).body.id;
      await s.tp.deps.db.updateTable('team').set({ lead_id: leadId }).where('workspace_id', '=', s.workspace.workspaceId).where('id', '=', teamId).execute();
    });

    it('warns once, then records each breach once with the policy actions', async () => {
      const ws = s.workspace.workspaceId;
      const created = await s.api('POST', '/api/v1/sla-policies', {
        name: 'Chat',
        channel: 'chat',
        firstResponseMinutes: 60,
        resolutionMinutes: 240,
        warnBeforeMinutes: 15,
        breachActions: ['raise_priority', 'notify_lead', 'reassign'],
      });
      const sla = await loadSlaPolicy(s.tp.deps.db, ws, created.body.id);
      await insertMoment(ws, 'm-sla', startClock(sla!.policy, sla!.hours, t0));
      // Waiting on the customer: its clock would be paused, but even a stale deadline is not swept.
      await insertMoment(ws, 'm-pending', { ...startClock(sla!.policy, null, t0), sla_due_at: t0 }, { status: 'pending' });
      // A moment of another workspace whose policy was deleted: recorded, no actions.
      const otherOwner = other.ownerId;
      await insertMoment(other.workspaceId, 'm-other', startClock({ id: 'deleted', firstResponseMinutes: 30, nextResponseMinutes: null, resolutionMinutes: null }, null, t0), { owner_id: otherOwner, team_id: null });

      expect(await sweep()).toEqual({ warned: 0, breached: 0 });

      clock.set(t0 + 46 * MIN);
      expect(await sweep()).toEqual({ warned: 1, breached: 1 });
      expect(await sweep()).toEqual({ warned: 0, breached: 0 });
      let row = await momentRow('m-sla');
      expect(row.sla_warned_at).toBe(t0 + 60 * MIN);
      expect(row.sla_breached_at).toBeNull();
      const warning = published.find((a) => a.momentId === 'm-sla' && a.type === 'sla.warning')!;
      expect(warning.payload).toMatchObject({ deadline: 'first_response', dueAt: new Date(t0 + 60 * MIN).toISOString(), moment: { id: 'm-sla', sla: { state: 'due_soon' } } });
      expect(warning.audience).toEqual({ teams: [teamId], agents: [ownerId] });

      clock.set(t0 + 61 * MIN);
      expect(await sweep()).toEqual({ warned: 0, breached: 1 });
      expect(await sweep()).toEqual({ warned: 0, breached: 0 });
      row = await momentRow('m-sla');
      expect(row).toMatchObject({ priority: 'high', sla_breached_at: t0 + 61 * MIN, sla_due_at: t0 + 240 * MIN, updated_at: t0 + 61 * MIN });
      expect(reassigned.map((m) => [m.id, m.priority])).toEqual([['m-sla', 'high']]);
      const outbox = await s.tp.deps.db.selectFrom('outbox').selectAll().where('workspace_id', '=', ws).where('topic', '=', 'moment.sla_breached').execute();
      expect(outbox).toHaveLength(1);
      expect(JSON.parse(outbox[0].payload)).toMatchObject({ momentId: 'm-sla', teamId, leadId, ownerId, deadline: 'first_response' });
      const breach = published.find((a) => a.momentId === 'm-sla' && a.type === 'sla.breached')!;
      expect(breach.payload).toMatchObject({ deadline: 'first_response', deadlines: ['first_response'], moment: { priority: 'high', sla: { state: 'breached' } } });
      expect(breach.audience).toEqual({ teams: [teamId], agents: [ownerId, leadId] });
      const update = published.find((a) => a.momentId === 'm-sla' && a.type === 'moment.updated')!;
      expect(update.payload).toMatchObject({ changed: ['priority'], previousPriority: 'normal', moment: { priority: 'high' } });

      // The resolution deadline: warned, then breached; the first breach time stays.
      clock.set(t0 + 230 * MIN);
      expect(await sweep()).toEqual({ warned: 1, breached: 0 });
      clock.set(t0 + 241 * MIN);
      expect(await sweep()).toEqual({ warned: 0, breached: 1 });
      expect(await sweep()).toEqual({ warned: 0, breached: 0 });
      row = await momentRow('m-sla');
      expect(row).toMatchObject({ priority: 'urgent', sla_breached_at: t0 + 61 * MIN, sla_due_at: null });
      expect(reassigned).toHaveLength(2);

      const stored = await activitiesOf('m-sla');
      expect(stored.map((a) => a.type)).toEqual(['sla.warning', 'sla.breached', 'moment.updated', 'sla.warning', 'sla.breached', 'moment.updated']);
      expect(stored.map((a) => JSON.parse(a.payload).deadline).filter(Boolean)).toEqual(['first_response', 'first_response', 'resolution', 'resolution']);
      const seqs = stored.map((a) => a.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      expect(published.filter((a) => a.momentId === 'm-sla').map((a) => a.seq)).toEqual(seqs);

      expect((await momentRow('m-pending')).sla_breached_at).toBeNull();
      const otherRow = await s.tp.deps.db.selectFrom('moment').selectAll().where('workspace_id', '=', other.workspaceId).where('id', '=', 'm-other').executeTakeFirstOrThrow();
      expect(otherRow).toMatchObject({ priority: 'normal', sla_breached_at: t0 + 46 * MIN, sla_due_at: null });
      expect(reassigned.some((m) => m.id === 'm-other')).toBe(false);
      const otherActivities = published.filter((a) => a.momentId === 'm-other');
      expect(otherActivities.map((a) => [a.workspaceId, a.type])).toEqual([[other.workspaceId, 'sla.breached']]);
    });

    it('warns as far ahead as the longest lead a policy gives (the sweep reads no further)', async () => {
      const ws = s.workspace.workspaceId;
      clock.set(t0);
      const created = await s.api('POST', '/api/v1/sla-policies', { name: 'Enterprise', channel: 'enterprise', resolutionMinutes: 5 * 24 * 60, warnBeforeMinutes: 3 * 24 * 60 });
      const sla = await loadSlaPolicy(s.tp.deps.db, ws, created.body.id);
      await insertMoment(ws, 'm-lead', startClock(sla!.policy, null, t0));
      expect((await sweep()).warned).toBe(0);
      // Due in five days, warned three days ahead: at day two, not before.
      clock.set(t0 + 2 * 24 * 60 * MIN - MIN);
      expect((await sweep()).warned).toBe(0);
      clock.set(t0 + 2 * 24 * 60 * MIN);
      expect((await sweep()).warned).toBe(1);
      expect((await momentRow('m-lead')).sla_warned_at).toBe(t0 + 5 * 24 * 60 * MIN);
      // A shorter lead now: the moment's next warning would come later, and nothing is read early.
      expect((await s.api('PATCH', `/api/v1/sla-policies/${created.body.id}`, { warnBeforeMinutes: 60 })).status).toBe(200);
      expect(await sweep()).toEqual({ warned: 0, breached: 0 });
    });
  });
});
