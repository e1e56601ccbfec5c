import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/platform/clock.ts';
import { momentJobs } from '../src/modules/moments/sweep-jobs.ts';
import { createWorkspace } from '../src/modules/workspaces/index.ts';
import { ENGINES, startServer, type Running } from './harness.ts';
import { addAgent, addTeam, ledger, open } from './moments-fixtures.ts';

const MINUTE = 60_000;

/** SLA promises kept through a moment's life, through the API and the worker's sweeps. */
describe.each(ENGINES)('moment SLAs on %s', (engine) => {
  let s: Running;
  const clock = fixedClock(Date.parse('2026-06-01T09:00:00Z'));
  const runJobs = async () => {
    for (const job of momentJobs({ deps: s.tp.deps, settings: s.tp.settings, publish: s.tp.stream.publish })) await job.run();
  };
  beforeAll(async () => {
    s = await startServer(engine, { clock });
  });
  afterAll(async () => s?.stop());

  it('sets deadlines on open, meets the first response, pauses while waiting on the customer, resumes with the time left', async () => {
    const ana = await addAgent(s);
    const team = await addTeam(s, [ana]);
    await s.api('POST', '/api/v1/assignment-rules', { name: 'sla-a', conditions: { channels: ['sla-a'] }, teamId: team });
    const policy = await s.api('POST', '/api/v1/sla-policies', { name: 'chat', channel: 'sla-a', firstResponseMinutes: 30, nextResponseMinutes: 20, resolutionMinutes: 240 });
    expect(policy.status).toBe(201);
    const m = (await open(s, { identity: 'email:sla1@example.com', channel: 'sla-a' })).body.moment;
    // Thirty minutes is within the workspace's due-soon window (30 minutes by default).
    expect(m.sla).toMatchObject({ policyId: policy.body.id, state: 'due_soon', firstResponseDue: new Date(clock.now() + 30 * MINUTE).toISOString(), resolutionDue: new Date(clock.now() + 240 * MINUTE).toISOString() });
    clock.set(clock.now() + 10 * MINUTE);
    const replied = (await s.api('POST', `/api/v1/moments/${m.id}/messages`, { direction: 'out', body: 'Looking now' }, ana.token)).body.moment;
    expect(replied.firstResponseAt).toBe(new Date(clock.now()).toISOString());
    expect(replied.sla.dueAt).toBe(m.sla.resolutionDue);
    // Waiting on the customer for an hour does not eat the resolution time.
    await s.api('PATCH', `/api/v1/moments/${m.id}`, { status: 'pending' }, ana.token);
    clock.set(clock.now() + 60 * MINUTE);
    expect((await s.api('GET', `/api/v1/moments/${m.id}`)).body.sla.state).toBe('paused');
    const back = (await s.api('POST', `/api/v1/moments/${m.id}/messages`, { direction: 'in', body: 'Here is the photo' })).body.moment;
    expect(back.status).toBe('open');
    expect(back.sla.resolutionDue).toBe(new Date(Date.parse(m.sla.resolutionDue) + 60 * MINUTE).toISOString());
    expect(back.sla.nextResponseDue).toBe(new Date(clock.now() + 20 * MINUTE).toISOString());
  });

  it('a new priority brings its own policy: running deadlines set again from the same starts, met ones kept, recorded and shown', async () => {
    const ana = await addAgent(s);
    const team = await addTeam(s, [ana]);
    const channel = 'sla-priority';
    await s.api('POST', '/api/v1/assignment-rules', { name: channel, conditions: { channels: [channel] }, teamId: team });
    const policy = async (body: Record<string, unknown>) => (await s.api('POST', '/api/v1/sla-policies', { channel, ...body })).body.id as string;
    const normal = await policy({ name: 'normal', priority: 'normal', firstResponseMinutes: 60, nextResponseMinutes: 30, resolutionMinutes: 480 });
    const urgent = await policy({ name: 'urgent', priority: 'urgent', firstResponseMinutes: 15, nextResponseMinutes: 10, resolutionMinutes: 120 });
    const low = await policy({ name: 'low', priority: 'low', resolutionMinutes: 24 * 60 });
    const at = (ms: number) => new Date(ms).toISOString();
    const updates = async (id: string) => (await s.tp.deps.db.selectFrom('moment_activity').select('payload').where('moment_id', '=', id).where('type', '=', 'moment.updated').orderBy('seq').execute()).map((r) => JSON.parse(r.payload));

    // Unanswered for 20 minutes, then made urgent: its 15-minute first response has passed.
    const openedAt = clock.now();
    const m = (await open(s, { identity: 'email:sla-priority@example.com', channel, priority: 'normal' })).body.moment;
    expect(m.sla).toMatchObject({ policyId: normal, firstResponseDue: at(openedAt + 60 * MINUTE), resolutionDue: at(openedAt + 480 * MINUTE) });
    clock.set(openedAt + 20 * MINUTE);
    const raised = await s.api('PATCH', `/api/v1/moments/${m.id}`, { priority: 'urgent' }, ana.token);
    expect(raised.status).toBe(200);
    expect(raised.body.sla).toMatchObject({ policyId: urgent, state: 'breached', firstResponseDue: at(openedAt + 15 * MINUTE), resolutionDue: at(openedAt + 120 * MINUTE), dueAt: at(openedAt + 15 * MINUTE) });
    expect((await s.api('GET', `/api/v1/moments?channel=${channel}&sla=breached`)).body.data.map((x: { id: string }) => x.id)).toContain(m.id);
    // The change is on the record, and the stream's moment shows the new clock.
    const [update] = await updates(m.id);
    expect(update).toMatchObject({ changed: ['priority'], sla: { previousPolicyId: normal, policyId: urgent }, moment: { priority: 'urgent', sla: { policyId: urgent, state: 'breached' } } });
    // The sweep records the breach the new terms make, once.
    await runJobs();
    const breaches = await s.tp.deps.db.selectFrom('moment_activity').select('payload').where('moment_id', '=', m.id).where('type', '=', 'sla.breached').execute();
    expect(breaches.map((b) => JSON.parse(b.payload).deadlines)).toEqual([['first_response']]);

    // Answered, then an hour waiting on the customer, who writes back: lowered to low, the
    // first response stays met, and the resolution counts 24 hours from the opening plus that hour.
    clock.set(openedAt + 30 * MINUTE);
    await s.api('POST', `/api/v1/moments/${m.id}/messages`, { direction: 'out', body: 'On it' }, ana.token);
    await s.api('PATCH', `/api/v1/moments/${m.id}`, { status: 'pending' }, ana.token);
    clock.set(openedAt + 90 * MINUTE);
    const back = (await s.api('POST', `/api/v1/moments/${m.id}/messages`, { direction: 'in', body: 'Here it is' })).body.moment;
    expect(back.sla).toMatchObject({ resolutionDue: at(openedAt + 180 * MINUTE), nextResponseDue: at(openedAt + 100 * MINUTE) });
    clock.set(openedAt + 95 * MINUTE);
    const lowered = (await s.api('PATCH', `/api/v1/moments/${m.id}`, { priority: 'low' }, ana.token)).body;
    expect(lowered.firstResponseAt).toBe(at(openedAt + 30 * MINUTE));
    expect(lowered.sla).toMatchObject({ policyId: low, firstResponseDue: at(openedAt + 15 * MINUTE), nextResponseDue: null, resolutionDue: at(openedAt + (24 * 60 + 60) * MINUTE) });
    // Back to normal: the customer's waiting message counts from when it came (10 minutes ago).
    const again = (await s.api('PATCH', `/api/v1/moments/${m.id}`, { priority: 'normal' }, ana.token)).body;
    expect(again.sla).toMatchObject({ policyId: normal, nextResponseDue: at(openedAt + 120 * MINUTE), resolutionDue: at(openedAt + 540 * MINUTE) });

    // A priority no policy covers: nothing is timed any more, the breach stays on record.
    const high = (await s.api('PATCH', `/api/v1/moments/${m.id}`, { priority: 'high' }, ana.token)).body;
    expect(high.sla).toMatchObject({ policyId: null, state: 'breached', firstResponseDue: null, resolutionDue: null, dueAt: null });
    expect((await updates(m.id)).at(-1)).toMatchObject({ sla: { previousPolicyId: normal, policyId: null } });

    // Escalating with a raised priority picks again too; a resolved moment keeps its clock.
    const lead = await addAgent(s);
    const led = await addTeam(s, [ana], { leadId: lead.id });
    await s.api('POST', '/api/v1/assignment-rules', { name: `${channel}-led`, conditions: { channels: [`${channel}-led`] }, teamId: led });
    const urgentLed = (await s.api('POST', '/api/v1/sla-policies', { name: 'urgent led', channel: `${channel}-led`, priority: 'urgent', resolutionMinutes: 60 })).body.id;
    const e = (await open(s, { identity: 'email:sla-priority-2@example.com', channel: `${channel}-led`, priority: 'high' })).body.moment;
    expect(e.sla.policyId).toBeNull();
    const escalated = (await s.api('POST', `/api/v1/moments/${e.id}/escalate`, { reason: 'VIP', raisePriority: true }, ana.token)).body;
    expect(escalated).toMatchObject({ priority: 'urgent', ownerId: lead.id, sla: { policyId: urgentLed, resolutionDue: at(clock.now() + 60 * MINUTE) } });
    await s.api('PATCH', `/api/v1/moments/${e.id}`, { status: 'resolved' }, lead.token);
    const resolved = (await s.api('PATCH', `/api/v1/moments/${e.id}`, { priority: 'low' }, lead.token)).body;
    expect(resolved.sla).toMatchObject({ policyId: urgentLed, state: 'met' });
  });

  it('a priority raised by a breach brings the policy for it', async () => {
    const ana = await addAgent(s);
    const team = await addTeam(s, [ana]);
    const channel = 'sla-raised';
    await s.api('POST', '/api/v1/assignment-rules', { name: channel, conditions: { channels: [channel] }, teamId: team });
    await s.api('POST', '/api/v1/sla-policies', { name: 'normal', channel, priority: 'normal', firstResponseMinutes: 15, resolutionMinutes: 480, breachActions: ['raise_priority'] });
    const high = (await s.api('POST', '/api/v1/sla-policies', { name: 'high', channel, priority: 'high', firstResponseMinutes: 10, resolutionMinutes: 60 })).body.id;
    const openedAt = clock.now();
    const m = (await open(s, { identity: 'email:sla-raised@example.com', channel, priority: 'normal' })).body.moment;
    clock.set(openedAt + 16 * MINUTE);
    await runJobs();
    const after = (await s.api('GET', `/api/v1/moments/${m.id}`)).body;
    expect(after).toMatchObject({ priority: 'high', sla: { policyId: high, state: 'breached', firstResponseDue: new Date(openedAt + 15 * MINUTE).toISOString(), resolutionDue: new Date(openedAt + 60 * MINUTE).toISOString() } });
    const raised = await s.tp.deps.db.selectFrom('moment_activity').select('payload').where('moment_id', '=', m.id).where('type', '=', 'moment.updated').execute();
    expect(raised.map((r) => JSON.parse(r.payload))).toEqual([expect.objectContaining({ changed: ['priority'], why: 'SLA breached', sla: { previousPolicyId: m.sla.policyId, policyId: high } })]);
  });

  it('a policy taken away times no new moment, and the moments it timed keep its terms', async () => {
    const ana = await addAgent(s);
    const team = await addTeam(s, [ana]);
    await s.api('POST', '/api/v1/assignment-rules', { name: 'sla-gone', conditions: { channels: ['sla-gone'] }, teamId: team });
    const policy = (await s.api('POST', '/api/v1/sla-policies', { name: 'going', channel: 'sla-gone', firstResponseMinutes: 60, resolutionMinutes: 600 })).body;
    const m = (await open(s, { identity: 'email:sla-gone@example.com', channel: 'sla-gone' })).body.moment;
    expect((await s.api('DELETE', `/api/v1/sla-policies/${policy.id}`)).status).toBe(204);
    expect((await s.api('GET', '/api/v1/sla-policies')).body.data.map((p: { id: string }) => p.id)).not.toContain(policy.id);
    // Resolved without an answer, then reopened: still owed its first response, by the policy's clock.
    await s.api('PATCH', `/api/v1/moments/${m.id}`, { status: 'resolved' }, ana.token);
    const reopened = (await s.api('PATCH', `/api/v1/moments/${m.id}`, { status: 'open' }, ana.token)).body;
    expect(reopened.sla).toMatchObject({ policyId: policy.id, firstResponseDue: expect.any(String) });
    expect(reopened.sla.state).not.toBe('met');
    const fresh = (await open(s, { identity: 'email:sla-gone-2@example.com', channel: 'sla-gone' })).body.moment;
    expect(fresh.sla.policyId).toBeNull();
  });

  it('business hours taken away with their policy still count for the moments it times', async () => {
    const ana = await addAgent(s);
    const team = await addTeam(s, [ana]);
    await s.api('POST', '/api/v1/assignment-rules', { name: 'sla-hours', conditions: { channels: ['sla-hours'] }, teamId: team });
    const weekdays = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '17:00']]]));
    const hours = (await s.api('POST', '/api/v1/business-hours', { name: 'Office', timeZone: 'UTC', weekly: weekdays })).body;
    const policy = (await s.api('POST', '/api/v1/sla-policies', { name: 'office', channel: 'sla-hours', resolutionMinutes: 600, businessHoursId: hours.id })).body;
    const m = (await open(s, { identity: 'email:sla-hours@example.com', channel: 'sla-hours' })).body.moment;
    expect((await s.api('DELETE', `/api/v1/sla-policies/${policy.id}`)).status).toBe(204);
    expect((await s.api('DELETE', `/api/v1/business-hours/${hours.id}`)).status).toBe(204);
    expect((await s.api('GET', `/api/v1/business-hours/${hours.id}`)).status).toBe(404);
    expect((await s.api('GET', '/api/v1/business-hours')).body.data.map((h: { id: string }) => h.id)).not.toContain(hours.id);
    const borrowing = await s.api('POST', '/api/v1/sla-policies', { name: 'x', resolutionMinutes: 60, businessHoursId: hours.id });
    expect([borrowing.status, borrowing.body.error.field]).toEqual([400, 'businessHoursId']);
    // Resolved and reopened: a fresh resolution deadline of ten business hours, which span a night, not ten hours of clock.
    await s.api('PATCH', `/api/v1/moments/${m.id}`, { status: 'resolved' }, ana.token);
    const reopened = (await s.api('PATCH', `/api/v1/moments/${m.id}`, { status: 'open' }, ana.token)).body;
    expect(reopened.sla.policyId).toBe(policy.id);
    expect(Date.parse(reopened.sla.resolutionDue) - clock.now()).toBeGreaterThan(14 * 60 * MINUTE);
  });

  it('warns before a deadline, then on breach re-routes, raises the priority and tells the lead', async () => {
    const lead = await addAgent(s);
    const a = await addAgent(s);
    const b = await addAgent(s);
    const team = await addTeam(s, [a, b], { leadId: lead.id, strategy: 'round_robin' });
    await s.api('POST', '/api/v1/assignment-rules', { name: 'sla-b', conditions: { channels: ['sla-b'] }, teamId: team });
    await s.api('POST', '/api/v1/sla-policies', { name: 'fast', channel: 'sla-b', firstResponseMinutes: 15, warnBeforeMinutes: 5, breachActions: ['reassign', 'raise_priority', 'notify_lead'] });
    const m = (await open(s, { identity: 'email:sla2@example.com', channel: 'sla-b' })).body.moment;
    const first = m.ownerId;
    clock.set(clock.now() + 11 * MINUTE);
    await runJobs();
    const warned = await s.tp.deps.db.selectFrom('moment_activity').select('type').where('moment_id', '=', m.id).execute();
    expect(warned.map((r) => r.type)).toContain('sla.warning');
    clock.set(clock.now() + 5 * MINUTE);
    await runJobs();
    const after = (await s.api('GET', `/api/v1/moments/${m.id}`)).body;
    expect(after.sla.state).toBe('breached');
    expect(after.priority).toBe('high');
    expect(after.ownerId).not.toBe(first);
    expect((await ledger(s, m.id)).at(-1)).toMatchObject({ reason: 'sla_breach' });
    const told = await s.tp.deps.db.selectFrom('outbox').select('payload').where('topic', '=', 'moment.sla_breached').execute();
    expect(told.some((r) => r.payload.includes(m.id) && r.payload.includes(lead.id))).toBe(true);
    // A second sweep changes nothing.
    await runJobs();
    expect((await ledger(s, m.id)).length).toBe(2);
  });

  it('wakes snoozed moments and closes resolved ones after the reopen window', async () => {
    const ana = await addAgent(s);
    const team = await addTeam(s, [ana]);
    await s.api('POST', '/api/v1/assignment-rules', { name: 'sla-c', conditions: { channels: ['sla-c'] }, teamId: team });
    const m = (await open(s, { identity: 'email:sla3@example.com', channel: 'sla-c' })).body.moment;
    await s.api('PATCH', `/api/v1/moments/${m.id}`, { status: 'snoozed', snoozedUntil: new Date(clock.now() + 30 * MINUTE).toISOString() }, ana.token);
    clock.set(clock.now() + 31 * MINUTE);
    await runJobs();
    expect((await s.api('GET', `/api/v1/moments/${m.id}`)).body.status).toBe('open');
    await s.api('PATCH', `/api/v1/moments/${m.id}`, { status: 'resolved' }, ana.token);
    clock.set(clock.now() + 73 * 60 * MINUTE);
    await runJobs();
    expect((await s.api('GET', `/api/v1/moments/${m.id}`)).body.status).toBe('closed');
  });

  it('closes each workspace’s resolved moments by its own window, however many another keeps', async () => {
    // Acme keeps the 72-hour window and more resolved moments than one sweep takes (200), all
    // resolved before the other workspace's, whose window is one hour.
    const resolve = async (key: string, id: string) => expect((await s.api('PATCH', `/api/v1/moments/${id}`, { status: 'resolved' }, key)).status).toBe(200);
    const acme: string[] = [];
    for (let i = 0; i < 201; i++) acme.push((await open(s, { identity: `email:window-${i}@example.com`, channel: 'window' })).body.moment.id);
    for (const id of acme) await resolve(s.workspace.apiKey, id);
    const other = await createWorkspace(s.tp.deps, { name: 'Short window', ownerEmail: `owner.window.${engine}@example.com`, ownerPassword: 'a long enough password' });
    expect((await s.api('PATCH', '/api/v1/workspace/settings', { moments: { reopenWindowHours: 1 } }, other.apiKey)).status).toBe(200);
    const theirs = (await s.api('POST', '/api/v1/moments', { identity: 'email:short@example.com', channel: 'window', message: { body: 'hi' } }, other.apiKey)).body.moment;
    await resolve(other.apiKey, theirs.id);

    clock.set(clock.now() + 2 * 60 * MINUTE);
    await runJobs();
    expect((await s.api('GET', `/api/v1/moments/${theirs.id}`, undefined, other.apiKey)).body.status).toBe('closed');
    expect((await s.api('GET', `/api/v1/moments/${acme[0]}`)).body.status).toBe('resolved');
  });
});
