import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeTouchpoint, type App } from '../src/main.ts';
import { signMetaBody } from '../src/channels/meta/verify-signature.ts';
import { createWorkspace, type CreatedWorkspace } from '../src/modules/workspaces/index.ts';
import { createLogger } from '../src/platform/logger.ts';
import { newStore, type Store } from './harness.ts';

// Two app instances on one PostgreSQL schema stand for two machines behind a load balancer.
describe('several processes on one PostgreSQL database', () => {
  let store: Store;
  let a: App;
  let b: App;
  let ws: CreatedWorkspace;
  const urls: string[] = [];

  beforeAll(async () => {
    store = newStore('postgres');
    a = await composeTouchpoint(store.config, { pgSchema: store.pgSchema, log: createLogger('silent') });
    b = await composeTouchpoint(store.config, { pgSchema: store.pgSchema, log: createLogger('silent') });
    ws = await createWorkspace(a.deps, { name: 'Shared', ownerEmail: 'owner@shared.test', ownerPassword: 'shared shared shared' });
    urls.push(await a.http.listen({ port: 0, host: '127.0.0.1' }), await b.http.listen({ port: 0, host: '127.0.0.1' }));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await store?.drop();
  });

  const post = (url: string, body: unknown) =>
    fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${ws.writeKey}:`).toString('base64')}` },
      body: JSON.stringify(body),
    });

  it('resolves the same people once when both ingest them at the same time', async () => {
    // Each person is first seen anonymously on one machine and signs in on the other.
    const people = Array.from({ length: 40 }, (_, i) => ({ anon: `device-${i}`, user: `person-${i}` }));
    const first = people.map((p, i) => ({ type: 'page', messageId: `first-${i}`, anonymousId: p.anon, name: 'Home' }));
    const linking = people.map((p, i) => ({ type: 'identify', messageId: `link-${i}`, anonymousId: p.anon, userId: p.user, traits: { email: `${p.user}@example.com` } }));
    const statuses = await Promise.all([
      post(urls[0], { batch: first.slice(0, 20) }),
      post(urls[1], { batch: first.slice(20) }),
      post(urls[1], { batch: linking.slice(0, 20) }),
      post(urls[0], { batch: linking.slice(20) }),
      // The same linking calls again through the other machine: duplicates, stored once.
      post(urls[0], { batch: linking.slice(0, 20) }),
      post(urls[1], { batch: linking.slice(20) }),
    ]).then((rs) => rs.map((r) => r.status));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);

    const db = a.deps.db;
    const events = await db.selectFrom('event').select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', ws.workspaceId).executeTakeFirstOrThrow();
    expect(Number(events.n)).toBe(80);
    // Every person ends as exactly one profile holding both of their ids and their email.
    for (const p of people) {
      const ids = await db.selectFrom('identity').select(['kind', 'customer_id']).where('workspace_id', '=', ws.workspaceId).where('value', 'in', [p.anon, p.user, `${p.user}@example.com`]).execute();
      expect(ids).toHaveLength(3);
      expect(new Set(ids.map((i) => i.customer_id)).size).toBe(1);
    }
    const roots = await db.selectFrom('customer').select('id').where('workspace_id', '=', ws.workspaceId).where('merged_into', 'is', null).execute();
    expect(roots).toHaveLength(40);
  });

  const api = (url: string, token: string, method: string, route: string, body?: unknown) =>
    fetch(`${url}/api/v1${route}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  /** How long until `route` on `url` answers `status`: the other process must not wait out its 30 s cache. */
  const msUntil = async (status: number, request: () => Promise<Response>): Promise<number> => {
    const started = Date.now();
    while ((await request()).status !== status) {
      if (Date.now() - started > 5_000) throw new Error(`still not ${status} after 5 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return Date.now() - started;
  };

  it('a key revoked through one process stops working on the other at once', async () => {
    const created = await api(urls[0], ws.apiKey, 'POST', '/keys', { kind: 'api', name: 'leaked' });
    const key = (await created.json()) as { id: string; key: string };
    // The other process has the key cached as good.
    expect((await api(urls[1], key.key, 'GET', '/keys')).status).toBe(200);
    expect((await api(urls[0], ws.apiKey, 'DELETE', `/keys/${key.id}`)).status).toBe(200);
    expect(await msUntil(401, () => api(urls[1], key.key, 'GET', '/keys'))).toBeLessThan(1_000);
  });

  it('signing out through one process ends the session on the other at once', async () => {
    const signedIn = await fetch(`${urls[0]}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'owner@shared.test', password: 'shared shared shared' }) });
    const { token } = (await signedIn.json()) as { token: string };
    expect((await api(urls[1], token, 'GET', '/sessions/current')).status).toBe(200);
    expect((await api(urls[0], token, 'DELETE', '/sessions')).status).toBe(204);
    expect(await msUntil(401, () => api(urls[1], token, 'GET', '/sessions/current'))).toBeLessThan(1_000);
  });

  it('a settings change through one process applies on the other at once', async () => {
    const known = await post(urls[0], { batch: [{ type: 'identify', messageId: 'de-phone', userId: 'berlin-1', traits: { phone: '+49 151 23456789' } }] });
    expect(known.status).toBe(200);
    // A German national number means nothing without a default country…
    const national = () => api(urls[1], ws.apiKey, 'GET', `/customers?identity=${encodeURIComponent('phone:0151 23456789')}`);
    expect((await national()).status).toBe(400);
    // …and the other process learns the workspace's new one at once, not after its cache expires.
    expect((await api(urls[0], ws.apiKey, 'PATCH', '/workspace/settings', { defaultCountry: 'DE' })).status).toBe(200);
    expect(await msUntil(200, national)).toBeLessThan(1_000);
    const found = (await (await national()).json()) as { data: { id: string }[] };
    expect(found.data).toHaveLength(1);
  });

  it('a channel secret rotated through one process checks the other’s next webhook at once', async () => {
    const created = await api(urls[0], ws.apiKey, 'POST', '/channels', { kind: 'whatsapp', name: 'WhatsApp', address: '+447700900321', settings: { phoneNumberId: 'PN-SHARED' }, secrets: { accessToken: 't', appSecret: 'old-app-secret', verifyToken: 'v' } });
    const channel = (await created.json()) as { id: string };
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
    const deliver = (secret: string) => () => fetch(`${urls[1]}/webhooks/meta/${channel.id}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(secret, body) }, body });
    // The other process has the channel remembered with the old secret.
    expect((await deliver('old-app-secret')()).status).toBe(200);
    expect((await api(urls[0], ws.apiKey, 'PATCH', `/channels/${channel.id}`, { secrets: { appSecret: 'new-app-secret' } })).status).toBe(200);
    expect(await msUntil(200, deliver('new-app-secret'))).toBeLessThan(1_000);
    expect((await deliver('old-app-secret')()).status).toBe(401);
  });
});
