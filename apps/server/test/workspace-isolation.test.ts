import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, type CreatedWorkspace } from '../src/modules/workspaces/index.ts';
import { ENGINES, startServer, type Running } from './harness.ts';
import { resolve, sampleBody, type OpenApi } from './openapi-sample.ts';

/** Two tenants on one server: every way B might reach A's data is tried, and refused. */
describe.each(ENGINES)('workspace isolation on %s', (engine) => {
  let running: Running;
  let a: CreatedWorkspace;
  let b: CreatedWorkspace;
  // A's two profiles (Ann, and Bo who is not merged with her) and B's own profile.
  let annId: string;
  let boId: string;
  let bOwnId: string;

  const asA = (method: string, route: string, body?: unknown) => running.api(method, route, body, a.apiKey);
  const asB = (method: string, route: string, body?: unknown) => running.api(method, route, body, b.apiKey);
  const idOf = async (api: typeof asA, identity: string): Promise<string | null> => {
    const reply = await api('GET', `/api/v1/customers?identity=${encodeURIComponent(identity)}`);
    expect(reply.status).toBe(200);
    return reply.body.data[0]?.id ?? null;
  };

  beforeAll(async () => {
    running = await startServer(engine);
    a = running.workspace;
    b = await createWorkspace(running.tp.deps, { name: 'Beta', ownerEmail: 'owner@beta.test', ownerPassword: 'another horse battery' });
    const ok = [
      await running.track('/v1/identify', { userId: 'ann', messageId: 'shared-msg', traits: { name: 'Ann Lee', email: 'ann@example.com', plan: 'pro' } }, a.writeKey),
      await running.track('/v1/track', { userId: 'ann', event: 'Order Completed', properties: { revenue: 10 } }, a.writeKey),
      await running.track('/v1/identify', { userId: 'bo', traits: { name: 'Bo Diaz', email: 'bo@example.com' } }, a.writeKey),
      await running.track('/v1/identify', { userId: 'b-own', traits: { name: 'Cy Beta' } }, b.writeKey),
    ];
    expect(ok.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    annId = (await idOf(asA, 'user_id:ann')) as string;
    boId = (await idOf(asA, 'user_id:bo')) as string;
    bOwnId = (await idOf(asB, 'user_id:b-own')) as string;
    expect([annId, boId, bOwnId].every(Boolean)).toBe(true);
  });
  afterAll(async () => {
    await running?.stop();
  });

  function expectNotFound(reply: { status: number; body: any }): void {
    expect(reply.status, JSON.stringify(reply.body)).toBe(404);
    expect(reply.body.error.code).toBe('customer_not_found');
  }

  it("B's API key cannot read A's customers by id, identity, timeline or search", async () => {
    expectNotFound(await asB('GET', `/api/v1/customers/${annId}`));
    expectNotFound(await asB('GET', `/api/v1/customers/${annId}/timeline`));
    expect(await idOf(asB, 'user_id:ann')).toBeNull();
    expect(await idOf(asB, 'email:ann@example.com')).toBeNull();

    const searches = ['/api/v1/customers', '/api/v1/customers?q=ann', '/api/v1/customers?q=Ann%20Lee', '/api/v1/customers?q=ann%40example.com', '/api/v1/customers?trait.plan=pro', '/api/v1/customers?stage=lead', '/api/v1/customers?stage=customer'];
    for (const route of searches) {
      const reply = await asB('GET', route);
      expect(reply.status, route).toBe(200);
      const ids = reply.body.data.map((c: any) => c.id);
      expect(ids, route).not.toContain(annId);
      expect(ids, route).not.toContain(boId);
    }
    expect((await asB('GET', '/api/v1/customers')).body.data.map((c: any) => c.id)).toEqual([bOwnId]);
    // And the other way round.
    expectNotFound(await asA('GET', `/api/v1/customers/${bOwnId}`));
    const aIds = (await asA('GET', '/api/v1/customers')).body.data.map((c: any) => c.id);
    expect(aIds).toEqual(expect.arrayContaining([annId, boId]));
    expect(aIds).not.toContain(bOwnId);
  });

  it("B's API key cannot merge, unmerge or restage A's customers", async () => {
    expectNotFound(await asB('POST', '/api/v1/customers/merge', { ids: [annId, boId], reason: 'takeover' }));
    expectNotFound(await asB('POST', '/api/v1/customers/merge', { ids: [bOwnId, annId], reason: 'takeover' }));
    expectNotFound(await asB('POST', '/api/v1/customers/merge', { ids: [annId, bOwnId], reason: 'takeover', force: true }));
    expectNotFound(await asB('POST', `/api/v1/customers/${annId}/unmerge`, {}));
    expectNotFound(await asB('PUT', `/api/v1/customers/${annId}/stage`, { stage: 'churned', reason: 'takeover' }));
    expectNotFound(await asB('PUT', `/api/v1/customers/${annId}/stage`, { stage: null }));

    // A's profiles are untouched: still two, no merges, no override.
    const ann = (await asA('GET', `/api/v1/customers/${annId}`)).body;
    expect(ann.merges).toEqual([]);
    expect(ann.stageOverride).toBeNull();
    expect(ann.counts.events).toBe(2);
    expect((await asA('GET', `/api/v1/customers/${boId}`)).body.id).toBe(boId);
    const own = (await asB('GET', `/api/v1/customers/${bOwnId}`)).body;
    expect(own.merges).toEqual([]);
    expect(own.counts.events).toBe(1);
  });

  it("B cannot undo A's merge by naming its mergeId", async () => {
    // Two anonymous visitors (two user ids would need force to merge).
    for (const anonymousId of ['anon-cy', 'anon-dee']) expect((await running.track('/v1/page', { anonymousId, name: 'Home' }, a.writeKey)).status).toBe(200);
    const [cy, dee] = [await idOf(asA, 'anonymous_id:anon-cy'), await idOf(asA, 'anonymous_id:anon-dee')];
    const merged = await asA('POST', '/api/v1/customers/merge', { ids: [cy, dee], reason: 'same person' });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    const mergeId: string = (await asA('GET', `/api/v1/customers/${cy}`)).body.merges[0].id;

    const own = await asB('POST', `/api/v1/customers/${bOwnId}/unmerge`, { mergeId });
    expect(own.status).toBe(404);
    expect(own.body.error.code).toBe('merge_not_found');
    expectNotFound(await asB('POST', `/api/v1/customers/${cy}/unmerge`, { mergeId }));
    const after = (await asA('GET', `/api/v1/customers/${cy}`)).body;
    expect(after.merges.map((m: any) => [m.id, m.undoneAt])).toEqual([[mergeId, null]]);
    expect(await idOf(asA, 'anonymous_id:anon-dee')).toBe(after.id);
  });

  it("a write key writes only into its own workspace, and messageIds are per workspace", async () => {
    expect((await running.track('/v1/track', { userId: 'ann', event: 'B Was Here', messageId: 'shared-msg' }, b.writeKey)).status).toBe(200);
    expect((await running.track('/v1/batch', { batch: [{ type: 'identify', userId: 'ann', traits: { plan: 'stolen' } }] }, b.writeKey)).status).toBe(200);

    // In A nothing changed: same events, same traits.
    const ann = (await asA('GET', `/api/v1/customers/${annId}`)).body;
    expect(ann.counts.events).toBe(2);
    expect(ann.traits.plan).toBe('pro');
    const aTimeline = (await asA('GET', `/api/v1/customers/${annId}/timeline`)).body.data;
    expect(aTimeline.map((e: any) => e.name)).not.toContain('B Was Here');

    // In B, a separate "ann" with B's events, including the messageId A used first.
    const bAnn = await idOf(asB, 'user_id:ann');
    expect(bAnn).not.toBeNull();
    expect(bAnn).not.toBe(annId);
    const bTimeline = (await asB('GET', `/api/v1/customers/${bAnn}/timeline`)).body.data;
    expect(bTimeline.map((e: any) => `${e.type}|${e.name}|${e.messageId === 'shared-msg'}`).sort()).toEqual(['identify|null|false', 'track|B Was Here|true']);
    expect((await asB('GET', `/api/v1/customers/${bAnn}`)).body.traits).toEqual({ plan: 'stolen' });
  });

  it('an API key is no write key, and a write key is no Bearer token', async () => {
    const viaApiKey = await running.track('/v1/track', { userId: 'ann', event: 'Wrong Key' }, a.apiKey);
    expect(viaApiKey.status).toBe(401);
    expect(viaApiKey.body.error).toMatchObject({ code: 'unauthorized', field: 'writeKey' });
    for (const route of ['/api/v1/customers', `/api/v1/customers/${annId}`, '/api/v1/workspace', '/api/v1/keys']) {
      const reply = await running.api('GET', route, undefined, a.writeKey);
      expect(reply.status, route).toBe(401);
      expect(reply.body.error.code).toBe('unauthorized');
    }
    expect((await running.api('POST', '/api/v1/customers/merge', { ids: [annId, boId], reason: 'x' }, a.writeKey)).status).toBe(401);
    expect((await running.api('GET', '/api/v1/customers', undefined, 'tp_api_made_up')).status).toBe(401);
    const anonymous = await fetch(`${running.url}/api/v1/customers`);
    expect(anonymous.status).toBe(401);
    expect((await asA('GET', `/api/v1/customers/${annId}/timeline`)).body.data.map((e: any) => e.name)).not.toContain('Wrong Key');
  });

  it("workspace settings, keys and agents are each tenant's own", async () => {
    expect((await asB('GET', '/api/v1/workspace')).body).toMatchObject({ id: b.workspaceId, name: 'Beta' });
    expect((await asA('GET', '/api/v1/workspace')).body).toMatchObject({ id: a.workspaceId, name: 'Acme' });
    const bAgents = (await asB('GET', '/api/v1/agents')).body.data.map((x: any) => x.email);
    expect(bAgents).toEqual(['owner@beta.test']);
    const bKeys = (await asB('GET', '/api/v1/keys')).body.data;
    expect(bKeys).toHaveLength(2);
    const aKeys = (await asA('GET', '/api/v1/keys')).body.data;
    expect(bKeys.map((k: any) => k.id).some((id: string) => aKeys.map((k: any) => k.id).includes(id))).toBe(false);
  });

  it("no documented operation lets B's key reach A's resources, by path or by an id in the body", async () => {
    // One of everything in A, each with an id B might try.
    const made = async (route: string, body: unknown) => {
      const res = await asA('POST', route, body);
      expect(res.status, `${route}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
      return res.body;
    };
    const agent = await made('/api/v1/agents', { email: 'sweep@acme.test', name: 'Sweep', role: 'agent', password: 'sweep sweep sweep', capacity: { '*': 10 } });
    const bu = await made('/api/v1/business-units', { key: 'sweep-bu', name: 'Sweep unit' });
    const team = await made('/api/v1/teams', { key: 'sweep', name: 'Sweep team', agentIds: [agent.id], fallbackOwnerId: agent.id });
    const rule = await made('/api/v1/assignment-rules', { name: 'Sweep rule', conditions: { channels: ['sweep'] }, teamId: team.id });
    const hours = await made('/api/v1/business-hours', { name: 'Sweep hours', timeZone: 'UTC', weekly: { mon: [['09:00', '17:00']] } });
    const policy = await made('/api/v1/sla-policies', { name: 'Sweep SLA', channel: 'sweep', firstResponseMinutes: 30, businessHoursId: hours.id });
    const channel = await made('/api/v1/channels', { kind: 'api', name: 'Sweep API', settings: { outboundUrl: 'http://127.0.0.1:9/none' }, secrets: { signingSecret: 'whsec_c3dlZXAgc3dlZXAgc3dlZXAgc3dlZXA=' } });
    const key = await made('/api/v1/keys', { kind: 'api' });
    const opened = await made('/api/v1/moments', { customerId: annId, channel: 'sweep', message: { body: 'A only', attachments: [{ fileName: 'a.txt', contentType: 'text/plain', data: Buffer.from('A only').toString('base64') }] } });
    const other = await made('/api/v1/moments', { customerId: boId, channel: 'sweep-2', message: { body: 'A again' } });
    const attachmentId = opened.message.attachments[0].id as string;
    const aIds = [annId, boId, agent.id, a.ownerId, bu.id, team.id, rule.id, hours.id, policy.id, channel.id, key.id, opened.moment.id, other.moment.id, opened.message.id, attachmentId];
    expect(aIds.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);

    // What A can see of all that, before and after.
    const snapshot = async () =>
      Promise.all(
        ['/api/v1/agents', '/api/v1/teams', '/api/v1/assignment-rules', '/api/v1/business-hours', '/api/v1/sla-policies', '/api/v1/business-units', '/api/v1/channels', '/api/v1/keys', `/api/v1/customers/${annId}`, `/api/v1/customers/${boId}`,
          `/api/v1/moments/${opened.moment.id}`, `/api/v1/moments/${opened.moment.id}/messages`, `/api/v1/moments/${opened.moment.id}/ownership`, `/api/v1/moments/${other.moment.id}`, '/api/v1/workspace'].map(async (route) => ({ route, body: (await asA('GET', route)).body })),
      );
    const before = await snapshot();

    // B's own moment and agent, for operations whose path must be B's while the body names A's.
    const bAgent = (await asB('POST', '/api/v1/agents', { email: 'b-sweep@beta.test', name: 'B Sweep', role: 'agent', password: 'b sweep b sweep' })).body;
    const bMoment = (await asB('POST', '/api/v1/moments', { customerId: bOwnId, channel: 'sweep', message: { body: 'B only' } })).body.moment;
    expect(typeof bAgent.id === 'string' && typeof bMoment.id === 'string').toBe(true);

    const spec = (await asA('GET', '/api/docs')).body as OpenApi;
    const failures: string[] = [];
    let calls = 0;
    const tryAs = async (method: string, route: string, body: unknown, aId: string) => {
      const res = await asB(method, route, body);
      calls++;
      const text = JSON.stringify(res.body) ?? '';
      if (res.status >= 500) failures.push(`${method} ${route} ${JSON.stringify(body)} → ${res.status} ${text.slice(0, 200)}`);
      else if (res.status < 300 && text.includes(aId)) failures.push(`${method} ${route} ${JSON.stringify(body)} → ${res.status} showing A's ${aId}: ${text.slice(0, 200)}`);
    };
    for (const [path, operations] of Object.entries(spec.paths)) {
      if (!path.startsWith('/api/v1/')) continue;
      for (const [method, operation] of Object.entries(operations)) {
        const schema = resolve(spec, operation.requestBody?.content?.['application/json']?.schema);
        for (const aId of aIds) {
          const body = schema ? sampleBody(spec, schema, aId) : undefined;
          if (path.includes('{')) {
            // A's id in the path (the body naming A's too).
            await tryAs(method.toUpperCase(), path.replace(/\{[^}]+\}/g, aId), body, aId);
            // B's own resource in the path, A's id in the body.
            const own = path.startsWith('/api/v1/agents/') ? bAgent.id : bMoment.id;
            if (body !== undefined) await tryAs(method.toUpperCase(), path.replace(/\{[^}]+\}/g, own), body, aId);
          } else if (method !== 'get' && body !== undefined) await tryAs(method.toUpperCase(), path, body, aId);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(500);
    expect(await snapshot()).toEqual(before);
  });

  it('an analyst signs in and can read, but every write is 403', async () => {
    const created = await asA('POST', '/api/v1/agents', { email: 'ana@acme.test', name: 'Ana Lyst', role: 'analyst', password: 'read only please' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const session = await running.api('POST', '/api/v1/sessions', { email: 'ana@acme.test', password: 'read only please' }, 'none');
    expect(session.status, JSON.stringify(session.body)).toBe(201);
    const token: string = session.body.token;
    expect(token).toMatch(/^tp_sess_/);
    const asAnalyst = (method: string, route: string, body?: unknown) => running.api(method, route, body, token);

    expect((await asAnalyst('GET', `/api/v1/customers/${annId}`)).body.id).toBe(annId);
    expect((await asAnalyst('GET', `/api/v1/customers/${annId}/timeline`)).status).toBe(200);
    expect((await asAnalyst('GET', '/api/v1/customers?q=ann')).body.data.map((c: any) => c.id)).toContain(annId);
    expect((await asAnalyst('GET', '/api/v1/workspace')).status).toBe(200);
    // The analyst is A's: B's customers stay out of reach.
    expectNotFound(await asAnalyst('GET', `/api/v1/customers/${bOwnId}`));

    const writes: [string, string, unknown][] = [
      ['POST', '/api/v1/customers/merge', { ids: [annId, boId], reason: 'analyst' }],
      ['POST', `/api/v1/customers/${annId}/unmerge`, {}],
      ['PUT', `/api/v1/customers/${annId}/stage`, { stage: 'advocate', reason: 'analyst' }],
      ['PATCH', '/api/v1/workspace/settings', { defaultCountry: 'US' }],
      ['POST', '/api/v1/keys', { kind: 'api' }],
      ['POST', '/api/v1/agents', { email: 'sneaky@acme.test', name: 'Sneaky', role: 'owner', password: 'owner at last' }],
      ['POST', '/api/v1/teams', { key: 'sales', name: 'Sales' }],
      ['POST', '/api/v1/business-units', { key: 'bu2', name: 'Second' }],
    ];
    for (const [method, route, body] of writes) {
      const reply = await asAnalyst(method, route, body);
      expect(reply.status, `${method} ${route}: ${JSON.stringify(reply.body)}`).toBe(403);
      expect(reply.body.error.code).toBe('forbidden');
    }
    // And every other documented write, with bodies that pass its schema and ids that exist.
    const spec = (await asA('GET', '/api/docs')).body as OpenApi;
    const moment = (await asA('POST', '/api/v1/moments', { customerId: annId, channel: 'analyst', message: { body: 'read me' } })).body.moment;
    const anyWrite: string[] = [];
    let tried = 0;
    for (const [path, operations] of Object.entries(spec.paths)) {
      if (!path.startsWith('/api/v1/') || path.startsWith('/api/v1/sessions')) continue;
      for (const [method, operation] of Object.entries(operations)) {
        if (method === 'get') continue;
        const schema = resolve(spec, operation.requestBody?.content?.['application/json']?.schema);
        for (const id of [moment.id, annId, created.body.id as string]) {
          const route = path.replace(/\{[^}]+\}/g, id);
          const reply = await asAnalyst(method.toUpperCase(), route, schema ? sampleBody(spec, schema, id) : undefined);
          tried++;
          if (reply.status !== 403) anyWrite.push(`${method.toUpperCase()} ${route} → ${reply.status} ${JSON.stringify(reply.body).slice(0, 160)}`);
        }
      }
    }
    expect(anyWrite).toEqual([]);
    expect(tried).toBeGreaterThan(100);

    const ann = (await asA('GET', `/api/v1/customers/${annId}`)).body;
    expect(ann.merges).toEqual([]);
    expect(ann.stageOverride).toBeNull();
    expect((await asA('GET', '/api/v1/agents')).body.data.map((x: any) => x.email)).not.toContain('sneaky@acme.test');
    expect((await running.api('POST', '/api/v1/sessions', { email: 'ana@acme.test', password: 'wrong password' }, 'none')).status).toBe(401);
  });
});
