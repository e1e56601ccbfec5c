import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeTouchpoint, type App } from '../src/main.ts';
import { createWorkspace, signIn, type CreatedWorkspace } from '../src/modules/workspaces/index.ts';
import { createLogger } from '../src/platform/logger.ts';
import { newStore, type Store } from './harness.ts';

describe('logs', () => {
  const lines: string[] = [];
  let tp: App;
  let store: Store;
  let ws: CreatedWorkspace;
  let url: string;

  beforeAll(async () => {
    store = newStore('sqlite');
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    // Every query counts as slow here, so the slow query log runs for every one of them.
    tp = await composeTouchpoint({ ...store.config, slowQueryMs: 0 }, { log: createLogger('trace', sink) });
    ws = await createWorkspace(tp.deps, { name: 'Logged', ownerEmail: 'owner@logged.test', ownerPassword: 'a long password 123' });
    url = await tp.http.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await tp.close();
    await store.drop();
  });

  it('never contain keys, session tokens or passwords, even at trace level', async () => {
    const basic = `Basic ${Buffer.from(`${ws.writeKey}:`).toString('base64')}`;
    await fetch(`${url}/v1/track`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'u', event: 'E', writeKey: ws.writeKey }) });
    await fetch(`${url}/v1/track`, { method: 'POST', headers: { authorization: basic }, body: '{broken' });
    await fetch(`${url}/api/v1/customers?q=x`, { headers: { authorization: `Bearer ${ws.apiKey}` } });
    await fetch(`${url}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'owner@logged.test', password: 'wrong password 999' }) });
    const session = await signIn(tp.deps, { email: 'owner@logged.test', password: 'a long password 123' });
    tp.deps.log.info({ token: session.token, apiKey: ws.apiKey, password: 'a long password 123' }, 'a careless log line');
    const all = lines.join('');
    expect(all.length).toBeGreaterThan(0);
    for (const secret of [ws.apiKey, ws.writeKey, session.token, 'a long password 123', 'wrong password 999', basic.slice(6)]) {
      expect(all).not.toContain(secret);
    }
  });

  it('log slow queries with their SQL and time, never their parameters', async () => {
    const email = 'slow.query.person@example.com';
    const api = { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' };
    const opened = await fetch(`${url}/api/v1/moments`, { method: 'POST', headers: api, body: JSON.stringify({ identity: `email:${email}`, channel: 'email', message: { body: 'private words' } }) });
    expect(opened.status).toBe(201);
    const slow = lines.map((line) => JSON.parse(line) as { msg: string; sql?: string; ms?: number }).filter((entry) => entry.msg === 'slow query');
    expect(slow.some((entry) => /^insert into "moment"/.test(entry.sql ?? '') && typeof entry.ms === 'number')).toBe(true);
    const logged = JSON.stringify(slow);
    for (const value of [email, 'private words', ws.apiKey]) expect(logged).not.toContain(value);
  });
});
