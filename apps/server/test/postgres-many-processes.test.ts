import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeTouchpoint, type App } from '../src/main.ts';
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
});
