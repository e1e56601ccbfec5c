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
    expect((await s.api('POST', '/api/v1/sla-policies', { name: 'x', businessHoursId: hours.id })).status).toBe(400);
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
