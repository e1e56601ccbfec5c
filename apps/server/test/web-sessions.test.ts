import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebAppBuilt } from '@touchpoint/web/build';
import { fixedClock } from '../src/platform/clock.ts';
import { createWorkspace } from '../src/modules/workspaces/index.ts';
import { ENGINES, startServer, type Running } from './harness.ts';

const { WebSocket } = createRequire(import.meta.url)('ws') as {
  WebSocket: new (url: string, protocols?: string[], options?: { headers?: Record<string, string> }) => {
    on(event: string, listener: (...args: never[]) => void): void;
    close(): void;
  };
};

const PASSWORD = 'a long enough password';

/** The web app's sessions: an HttpOnly cookie, a CSRF token on every write it authenticates, sign-out. */
describe.each(ENGINES)('cookie sessions for the web app (%s)', (engine) => {
  let s: Running;
  let agentId: string;

  beforeAll(async () => {
    s = await startServer(engine);
    const agent = await s.api('POST', '/api/v1/agents', { email: 'ana@acme.test', name: 'Ana', role: 'agent', password: PASSWORD });
    agentId = agent.body.id;
  });
  afterAll(() => s?.stop());

  /** Signs in as a browser would: the cookies come back in Set-Cookie. */
  async function browserSignIn(): Promise<{ cookie: string; csrf: string; setCookie: string[]; token: string }> {
    const res = await fetch(`${s.url}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ana@acme.test', password: PASSWORD }) });
    expect(res.status).toBe(201);
    const setCookie = res.headers.getSetCookie();
    const value = (name: string) => setCookie.find((c) => c.startsWith(`${name}=`))!.split(';')[0]!.slice(name.length + 1);
    const body = (await res.json()) as { token: string; csrfToken: string };
    expect(body.csrfToken).toBe(value('tp_csrf'));
    return { cookie: `tp_session=${value('tp_session')}; tp_csrf=${value('tp_csrf')}`, csrf: value('tp_csrf'), setCookie, token: body.token };
  }
  const call = (method: string, route: string, headers: Record<string, string>, body?: unknown) =>
    fetch(s.url + route, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });

  it('sets an HttpOnly, SameSite session cookie and a readable CSRF cookie (not Secure over plain HTTP)', async () => {
    const { setCookie } = await browserSignIn();
    const session = setCookie.find((c) => c.startsWith('tp_session='))!;
    const csrf = setCookie.find((c) => c.startsWith('tp_csrf='))!;
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Lax/);
    expect(session).toMatch(/; Path=\//);
    expect(session).not.toMatch(/Secure/);
    expect(csrf).not.toMatch(/HttpOnly/);
  });

  it('slows password guessing: after ten failures an email must wait, and the right password waits too', async () => {
    const attempt = (password: string) => fetch(`${s.url}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'guess@acme.test', password }) });
    await s.api('POST', '/api/v1/agents', { email: 'guess@acme.test', name: 'Guess', role: 'agent', password: PASSWORD });
    for (let i = 0; i < 10; i++) expect((await attempt(`wrong password ${i}`)).status).toBe(401);
    const blocked = await attempt(PASSWORD);
    expect(blocked.status).toBe(429);
    expect(((await blocked.json()) as any).error).toMatchObject({ code: 'too_many_attempts', field: 'email' });
    // Another person is not held up by it.
    expect((await fetch(`${s.url}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ana@acme.test', password: PASSWORD }) })).status).toBe(201);
  });

  it('signing in to another workspace under the same email gives no guesses back', async () => {
    const attempt = (password: string) => fetch(`${s.url}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'twin@acme.test', password }) });
    await s.api('POST', '/api/v1/agents', { email: 'twin@acme.test', name: 'Twin', role: 'agent', password: PASSWORD });
    const other = await createWorkspace(s.tp.deps, { name: 'Look-alike', ownerEmail: `owner-${engine}@lookalike.test`, ownerPassword: 'another long password' });
    const known = 'the attacker knows this one';
    expect((await s.api('POST', '/api/v1/agents', { email: 'twin@acme.test', name: 'Twin', role: 'analyst', password: known }, other.apiKey)).status).toBe(201);
    const answers: number[] = [];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 6; i++) answers.push((await attempt(`guess ${round}-${i}`)).status);
      answers.push((await attempt(known)).status);
    }
    expect(answers.filter((status) => status === 401)).toHaveLength(10);
    expect(answers.slice(-1)).toEqual([429]);
  });

  it('signing in again from a browser ends the session its cookie named', async () => {
    const first = await browserSignIn();
    const again = await fetch(`${s.url}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: first.cookie }, body: JSON.stringify({ email: 'ana@acme.test', password: PASSWORD }) });
    expect(again.status).toBe(201);
    expect((await call('GET', '/api/v1/sessions/current', { cookie: first.cookie })).status).toBe(401);
    expect((await call('GET', '/api/v1/sessions/current', { authorization: `Bearer ${first.token}` })).status).toBe(401);
  });

  it('reads with the cookie alone, and says who is signed in', async () => {
    const { cookie } = await browserSignIn();
    const me = await call('GET', '/api/v1/sessions/current', { cookie });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ role: 'agent', workspace: { name: 'Acme' }, agent: { id: agentId, name: 'Ana', presence: 'offline' } });
    expect((await call('GET', '/api/v1/moments/counts', { cookie })).status).toBe(200);
    expect((await call('GET', '/api/v1/sessions/current', {})).status).toBe(401);
  });

  it('refuses a write by cookie without the CSRF token, or with a wrong one', async () => {
    const { cookie, csrf } = await browserSignIn();
    const route = `/api/v1/agents/${agentId}/presence`;
    const missing = await call('PUT', route, { cookie }, { presence: 'online' });
    expect(missing.status).toBe(403);
    expect(await missing.json()).toMatchObject({ error: { code: 'forbidden', field: 'x-csrf-token' } });
    expect((await call('PUT', route, { cookie, 'x-csrf-token': `${csrf.slice(0, -2)}xx` }, { presence: 'online' })).status).toBe(403);
    // A CSRF cookie planted by someone else does not help: the token must be the one of this session.
    const other = await browserSignIn();
    expect((await call('PUT', route, { cookie, 'x-csrf-token': other.csrf }, { presence: 'online' })).status).toBe(403);
    const ok = await call('PUT', route, { cookie, 'x-csrf-token': csrf }, { presence: 'online' });
    expect(ok.status).toBe(200);
  });

  it('needs no CSRF token with a Bearer header (scripts), as before', async () => {
    const { token } = await browserSignIn();
    expect((await call('PUT', `/api/v1/agents/${agentId}/presence`, { authorization: `Bearer ${token}` }, { presence: 'away' })).status).toBe(200);
  });

  it('opens the live stream with the cookie from our own pages only', async () => {
    const { cookie } = await browserSignIn();
    const host = new URL(s.url).host;
    const open = (origin: string) =>
      new Promise<number>((resolve, reject) => {
        const client = new WebSocket(`${s.url.replace('http', 'ws')}/api/v1/stream`, undefined, { headers: { cookie, origin } });
        client.on('open', () => {
          client.close();
          resolve(101);
        });
        client.on('unexpected-response', (_req: never, res: IncomingMessage) => resolve(res.statusCode ?? 0));
        client.on('error', () => undefined);
        setTimeout(() => reject(new Error('no answer')), 5000);
      });
    expect(await open(`http://${host}`)).toBe(101);
    expect(await open('https://evil.example')).toBe(401);
  });

  it('signs out: the session ends at once and the cookies are cleared', async () => {
    const { cookie, csrf, token } = await browserSignIn();
    expect((await call('DELETE', '/api/v1/sessions', { cookie })).status).toBe(403);
    const out = await call('DELETE', '/api/v1/sessions', { cookie, 'x-csrf-token': csrf });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().every((c) => /Max-Age=0/.test(c))).toBe(true);
    expect((await call('GET', '/api/v1/sessions/current', { cookie })).status).toBe(401);
    expect((await call('GET', '/api/v1/moments/counts', { authorization: `Bearer ${token}` })).status).toBe(401);
  });
});

/** The built web app at `/`: index.html for app paths, long-cached hashed assets, JSON 404s for the APIs. */
describe('the web app served at / (sqlite)', () => {
  let s: Running;
  beforeAll(async () => {
    await ensureWebAppBuilt();
    s = await startServer('sqlite');
  }, 120_000);
  afterAll(() => s?.stop());

  it('answers every app path with index.html, never cached, behind a strict CSP', async () => {
    for (const path of ['/', '/inbox', '/inbox/01abc?view=teams', '/settings']) {
      const res = await fetch(s.url + path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(await res.text()).toMatch(/<div id="root">/);
    }
  });

  it('serves hashed assets gzipped and cached for a year; a missing one is a 404, not the page', async () => {
    const html = await (await fetch(s.url + '/')).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const res = await fetch(s.url + script, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    const again = await fetch(s.url + script, { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect((await fetch(s.url + '/assets/index-gone.js')).status).toBe(404);
    expect((await fetch(s.url + '/assets/%2e%2e/%2e%2e/package.json')).status).toBe(404);
    expect((await fetch(s.url + '/.build-stamp.json')).status).toBe(404);
  });

  it('keeps unknown API paths JSON 404s', async () => {
    for (const path of ['/api/v1/nothing-here', '/v1/nothing', '/webhooks/nothing']) {
      const res = await fetch(s.url + path);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });
});

describe.each(ENGINES)('behind a TLS proxy Touchpoint is told to trust (%s)', (engine) => {
  let s: Running;
  beforeAll(async () => {
    s = await startServer(engine, { trustProxy: 'loopback' });
    await s.api('POST', '/api/v1/agents', { email: 'pia@acme.test', name: 'Pia', role: 'agent', password: PASSWORD });
  });
  afterAll(() => s?.stop());
  const signIn = (email: string, password: string, from: string) =>
    fetch(`${s.url}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https', 'x-forwarded-for': from }, body: JSON.stringify({ email, password }) });

  it('marks the cookies Secure when the browser came over https, and counts failed sign-ins per client, not per proxy', async () => {
    const signedIn = await signIn('pia@acme.test', PASSWORD, '198.51.100.7');
    expect(signedIn.status).toBe(201);
    expect(signedIn.headers.getSetCookie().every((c) => c.endsWith('; Secure'))).toBe(true);
    // Fifty failures from one client lock that client out, not everyone behind the same proxy.
    for (let i = 0; i < 50; i++) expect((await signIn(`nobody-${i}@acme.test`, 'wrong password', '203.0.113.5')).status).toBe(401);
    expect((await signIn('pia@acme.test', PASSWORD, '203.0.113.5')).status).toBe(429);
    expect((await signIn('pia@acme.test', PASSWORD, '198.51.100.7')).status).toBe(201);
  });
});

describe.each(ENGINES)('session expiry (%s)', (engine) => {
  const clock = fixedClock(Date.parse('2026-06-01T09:00:00Z'));
  let s: Running;
  beforeAll(async () => {
    s = await startServer(engine, { clock });
    await s.api('POST', '/api/v1/agents', { email: 'eve@acme.test', name: 'Eve', role: 'agent', password: PASSWORD });
  });
  afterAll(() => s?.stop());

  it('ends a session at its expiry even when it was checked seconds before', async () => {
    const signedIn = await fetch(`${s.url}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'eve@acme.test', password: PASSWORD }) });
    const { token, expiresAt } = (await signedIn.json()) as { token: string; expiresAt: string };
    const current = () => fetch(`${s.url}/api/v1/sessions/current`, { headers: { authorization: `Bearer ${token}` } });
    // Checked (and remembered) ten seconds before it ends…
    clock.set(Date.parse(expiresAt) - 10_000);
    expect((await current()).status).toBe(200);
    // …it is refused the moment it ends, not when the remembered answer would have gone stale.
    clock.set(Date.parse(expiresAt) + 1);
    expect((await current()).status).toBe(401);
  });
});
