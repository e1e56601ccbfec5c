import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../src/modules/workspaces/index.ts';
import { ENGINES, startServer, type Running } from './harness.ts';

// Twelve admins press "create" at once with the same key, email or inbound address, or three
// change different settings at once. On PostgreSQL their transactions really run side by side:
// exactly one create wins, the others are told which field clashed, nothing is stored twice,
// and no change is lost.
describe.each(ENGINES)('settings created at the same moment on %s', (engine) => {
  let s: Running;
  beforeAll(async () => {
    s = await startServer(engine);
  });
  afterAll(() => s?.stop());

  const burst = async (route: string, body: unknown, key?: string) => {
    const replies = await Promise.all(Array.from({ length: 12 }, () => s.api('POST', route, body, key)));
    return { created: replies.filter((r) => r.status === 201).length, refused: replies.filter((r) => r.status === 409).map((r) => r.body.error), others: replies.filter((r) => r.status !== 201 && r.status !== 409).map((r) => `${r.status} ${JSON.stringify(r.body)}`) };
  };

  it('stores one team, unit and agent per key or email, and refuses the rest naming the field', async () => {
    for (const [route, body, field] of [
      ['/api/v1/teams', { key: 'same-team', name: 'Same' }, 'key'],
      ['/api/v1/business-units', { key: 'same-unit', name: 'Same' }, 'key'],
      ['/api/v1/agents', { email: 'same@acme.test', name: 'Same', role: 'agent', password: 'same same same' }, 'email'],
    ] as const) {
      const outcome = await burst(route, body);
      expect(outcome.others, route).toEqual([]);
      expect(outcome.created, route).toBe(1);
      expect(outcome.refused.every((e: { code: string; field?: string }) => e.code === 'conflict' && e.field === field), route).toBe(true);
    }
    const teams = (await s.api('GET', '/api/v1/teams')).body.data.filter((t: { key: string }) => t.key === 'same-team');
    expect(teams).toHaveLength(1);
  });

  it('keeps every section two admins change at once', async () => {
    for (let i = 0; i < 5; i++) {
      const replies = await Promise.all([
        s.api('PATCH', '/api/v1/workspace/settings', { moments: { reopenWindowHours: 10 + i } }),
        s.api('PATCH', '/api/v1/workspace/settings', { lifecycle: { repeatAfterOrders: 2 + i } }),
        s.api('PATCH', '/api/v1/workspace/settings', { identity: { maxIdentitiesPerProfile: 100 + i } }),
      ]);
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
      const settings = (await s.api('GET', '/api/v1/workspace')).body.settings;
      expect([settings.moments.reopenWindowHours, settings.lifecycle.repeatAfterOrders, settings.identity.maxIdentitiesPerProfile]).toEqual([10 + i, 2 + i, 100 + i]);
    }
  });

  it('keeps the identity limits a change does not name, and refuses kinds and settings that do not exist', async () => {
    expect((await s.api('PATCH', '/api/v1/workspace/settings', { identity: { limits: { email: 2 } } })).status).toBe(200);
    expect((await s.api('PATCH', '/api/v1/workspace/settings', { identity: { limits: { phone: 3 } } })).status).toBe(200);
    const { limits } = (await s.api('GET', '/api/v1/workspace')).body.settings.identity;
    expect(limits).toMatchObject({ email: 2, phone: 3, user_id: 1 });
    for (const [patch, field] of [
      [{ identity: { limits: { bogus: 3 } } }, 'identity.limits.bogus'],
      [{ identity: { priority: ['bogus', 'email'] } }, 'identity.priority.0'],
      [{ identity: { priority: ['email', 'email'] } }, 'identity.priority'],
      [{ identity: { priority: [] } }, 'identity.priority'],
      [{ identity: { foo: 1 } }, 'identity.foo'],
      [{ lifecycle: { foo: 1 } }, 'lifecycle.foo'],
      [{ lifecycle: { orderEvents: [''] } }, 'lifecycle.orderEvents.0'],
      [{ lifecycle: { repeatAfterOrders: 99999999999 } }, 'lifecycle.repeatAfterOrders'],
    ] as const) {
      const reply = await s.api('PATCH', '/api/v1/workspace/settings', patch);
      expect([reply.status, reply.body.error?.code, reply.body.error?.field], JSON.stringify(patch)).toEqual([400, 'invalid_field', field]);
    }
    expect((await s.api('GET', '/api/v1/workspace')).body.settings.identity.limits).toEqual(limits);
  });

  it("keeps both of two admins' changes to one channel", async () => {
    const id = (await s.api('POST', '/api/v1/channels', { kind: 'email', name: 'Both', address: 'both@help.example.com' })).body.id;
    for (let i = 0; i < 5; i++) {
      await Promise.all([s.api('PATCH', `/api/v1/channels/${id}`, { name: `Both ${i}` }), s.api('PATCH', `/api/v1/channels/${id}`, { costPerContact: i + 1 })]);
      expect((await s.api('GET', `/api/v1/channels/${id}`)).body).toMatchObject({ name: `Both ${i}`, costPerContact: i + 1 });
    }
  });

  it('lets one channel of all workspaces claim an inbound address', async () => {
    const other = await createWorkspace(s.tp.deps, { name: 'Other', ownerEmail: 'owner@other.test', ownerPassword: 'other other other' });
    const body = { kind: 'email', name: 'Support', address: 'race@help.example.com' };
    const [ours, theirs] = await Promise.all([burst('/api/v1/channels', body), burst('/api/v1/channels', body, other.apiKey)]);
    expect([...ours.others, ...theirs.others]).toEqual([]);
    expect(ours.created + theirs.created).toBe(1);
    expect([...ours.refused, ...theirs.refused].every((e: { code: string; field?: string }) => e.code === 'conflict' && e.field === 'address')).toBe(true);
  });
});
