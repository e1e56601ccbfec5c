import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignalFrame } from '@touchpoint/contracts';
import { Value } from '@sinclair/typebox/value';
import { ChatClient, originAllowed, type ChatEvent, type ServerFrame, type SocketLike } from '@touchpoint/widget/protocol';
import { createChatAdapter } from '../src/channels/chat/chat-adapter.ts';
import { userHashOf } from '../src/channels/chat/verify-user-hash.ts';
import type { ChannelAdapter } from '../src/channels/channel-adapter.ts';
import { loadChannel } from '../src/modules/channels/index.ts';
import { loadOutbound, type OutboundReply } from '../src/modules/moments/index.ts';
import { chromium, type Frame, type Page } from 'playwright-core';
import { ENGINES, startServer, type Running } from './harness.ts';
import { addAgent, addTeam, type Person } from './moments-fixtures.ts';

// The web chat end to end: a Node visitor speaking the frame's own protocol module (ChatClient
// from apps/widget) over `ws`, an agent on the REST API and the live stream.

type Ws = SocketLike & { on(event: string, listener: (...args: never[]) => void): void; terminate(): void };
const { WebSocket } = createRequire(import.meta.url)('ws') as { WebSocket: new (url: string, options?: { headers?: Record<string, string> }) => Ws };

const SECRET = 'site-identity-secret-0123456789';
const CHROMIUM = '/usr/bin/chromium';
const SITE = 'https://shop.example.com';

const inBrowser = it.skipIf(!fs.existsSync(CHROMIUM));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(test: () => boolean | Promise<boolean>, what: string, ms = 8_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A visitor: the widget's ChatClient over `ws`, recording every frame the server sent. */
type Visitor = { readonly chat: ChatClient; readonly events: ChatEvent[]; readonly frames: ServerFrame[]; readonly sockets: Ws[]; readonly id: string };

function visitor(s: Running, channelId: string, options: { id?: string; userId?: string; userHash?: string; email?: string; name?: string; origin?: string; start?: boolean } = {}): Visitor {
  const id = options.id ?? `anon-${randomUUID()}`;
  const events: ChatEvent[] = [];
  const frames: ServerFrame[] = [];
  const sockets: Ws[] = [];
  const chat = new ChatClient({
    url: s.url.replace('http', 'ws'),
    channelId,
    visitorId: id,
    userId: options.userId,
    userHash: options.userHash,
    email: options.email,
    name: options.name,
    retryMs: () => 50,
    connect: (url) => {
      const ws = new WebSocket(url, { headers: { origin: options.origin ?? s.url } });
      ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as ServerFrame));
      sockets.push(ws);
      return ws;
    },
  });
  chat.on((e) => events.push(e));
  if (options.start !== false) chat.start();
  return { chat, events, frames, sockets, id };
}

const ready = (v: Visitor) => until(() => v.chat.ready, 'the visitor to be ready');
const refusal = (v: Visitor) => until(() => v.events.some((e) => e.type === 'refused'), 'a refusal').then(() => v.events.find((e) => e.type === 'refused') as Extract<ChatEvent, { type: 'refused' }>);

describe.each(ENGINES)('web chat on %s', (engine) => {
  let s: Running;
  let agent: Person;
  let channelId: string;

  beforeAll(async () => {
    s = await startServer(engine);
    agent = await addAgent(s, { name: 'Ana', capacity: { chat: 100 } });
    const team = await addTeam(s, [agent]);
    expect((await s.api('PATCH', '/api/v1/workspace/settings', { moments: { defaultTeamId: team } })).status).toBe(200);
    const created = await s.api('POST', '/api/v1/channels', { kind: 'chat', name: 'Shop chat', settings: { allowedOrigins: [SITE, 'https://*.example.org'], title: 'Shop help' }, secrets: { identitySecret: SECRET } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    channelId = created.body.id;
  });
  afterAll(() => s?.stop());
  // What the widget's own page does (its form, its buttons) is the same on either engine: once is enough.
  const widgetInBrowser = it.skipIf(!fs.existsSync(CHROMIUM) || engine === 'postgres');

  const reply = async (momentId: string, body: string, extra: Record<string, unknown> = {}) => {
    const res = await s.api('POST', `/api/v1/moments/${momentId}/messages`, { direction: 'out', body, ...extra }, agent.token);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    await s.tp.worker.drain();
    return res.body.message.id as string;
  };
  const thread = async (momentId: string) => (await s.api('GET', `/api/v1/moments/${momentId}/messages?limit=200`)).body.data as { id: string; direction: string; body: string; delivery: string; externalId: string | null; attachments: { id: string; fileName: string; size: number }[] }[];
  const lookup = async (identity: string) => (await s.api('GET', `/api/v1/customers?identity=${encodeURIComponent(identity)}`)).body.data[0] as { id: string; traits: Record<string, unknown> } | undefined;
  const acked = (v: Visitor, clientId: string) => until(() => v.events.some((e) => e.type === 'ack' && e.clientId === clientId), `the ack of ${clientId}`).then(() => (v.events.find((e) => e.type === 'ack' && e.clientId === clientId) as Extract<ChatEvent, { type: 'ack' }>).messageId);

  /**
   * A shop on its own origin embedding the widget of a new chat channel, in Chromium, the chat
   * open: `head` runs on the page before the widget tag. The journey gets the page and the frame.
   */
  const inShop = async (settings: Record<string, unknown>, head: string, journey: (page: Page, frame: Frame) => Promise<void>) => {
    let channel = '';
    const shop = http.createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><title>Shop</title><h1>Shop</h1><script>${head}</script><script src="${s.url}/widget.js" data-channel="${channel}" async></script>`);
    });
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    const port = (shop.address() as { port: number }).port;
    const created = await s.api('POST', '/api/v1/channels', { kind: 'chat', name: 'Shop chat', settings: { allowedOrigins: [`http://127.0.0.1:${port}`], ...settings }, secrets: { identitySecret: SECRET } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    channel = created.body.id;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(() => 'TouchpointChat' in window);
      await page.evaluate(() => (window as unknown as { TouchpointChat: { open: () => void } }).TouchpointChat.open());
      await until(() => page.frames().some((f) => f.url().includes('/widget/frame.html')), 'the frame');
      await journey(page, page.frames().find((f) => f.url().includes('/widget/frame.html'))!);
    } finally {
      await browser.close();
      shop.close();
    }
  };

  it('opens a moment owned by an agent, shows the reply, and records delivered then read', async () => {
    const v = visitor(s, channelId);
    await ready(v);
    const welcome = v.events.find((e) => e.type === 'welcome') as Extract<ChatEvent, { type: 'welcome' }>;
    expect(welcome.welcome).toMatchObject({ online: true, title: 'Shop help', verified: false, emailKnown: false });
    const clientId = v.chat.send('Hello, where is my order?');
    const messageId = await acked(v, clientId);
    const own = v.chat.messages.find((m) => m.id === messageId);
    await until(() => v.chat.messages.some((m) => m.id === messageId), 'the visitor to see their own message');
    expect(own ?? v.chat.messages.find((m) => m.id === messageId)).toMatchObject({ direction: 'in', clientId, body: 'Hello, where is my order?' });
    const momentId = v.chat.messages[0].momentId;
    const moment = (await s.api('GET', `/api/v1/moments/${momentId}`)).body;
    expect(moment).toMatchObject({ channel: 'chat', ownerId: agent.id, status: 'open' });
    expect((await thread(momentId))[0]).toMatchObject({ direction: 'in', externalId: `chat:${clientId}` });

    const replyId = await reply(momentId, 'It ships today.');
    await until(() => v.chat.messages.some((m) => m.id === replyId), 'the reply');
    expect(v.chat.messages.find((m) => m.id === replyId)).toMatchObject({ direction: 'out', body: 'It ships today.', authorName: 'Ana' });
    await until(async () => (await thread(momentId)).find((m) => m.id === replyId)?.delivery === 'delivered', 'delivered');
    v.chat.markRead();
    await until(async () => (await thread(momentId)).find((m) => m.id === replyId)?.delivery === 'read', 'read');
    expect(v.chat.messages.filter((m) => m.id === replyId)).toHaveLength(1);
    v.chat.stop();
  });

  it('keeps a fast burst of messages in the order typed, beyond the rate limit, in the store and in the widget', async () => {
    // 120 a minute (the default): a burst of 20, then 2 a second.
    const v = visitor(s, channelId);
    await ready(v);
    const bodies = Array.from({ length: 30 }, (_, i) => `m${i + 1}`);
    for (const body of bodies) {
      v.chat.send(body);
      await sleep(20);
    }
    await until(() => v.chat.pending.length === 0, 'every message acknowledged', 20_000);
    await until(() => v.chat.messages.length === 30, 'every message in the widget');
    expect(v.chat.messages.map((m) => m.body)).toEqual(bodies);
    expect((await thread(v.chat.messages[0].momentId)).map((m) => m.body)).toEqual(bodies);
    expect(v.frames.some((f) => f.type === 'error' && f.code === 'rate_limited' && (f.retryAfterMs ?? 0) > 0)).toBe(true);
    v.chat.stop();
  }, 30_000);

  it('counts for the unread badge, after a reload, only the replies the visitor has not read', async () => {
    const v = visitor(s, channelId);
    await ready(v);
    await acked(v, v.chat.send('Any news?'));
    await until(() => v.chat.messages.length === 1, 'the message');
    const momentId = v.chat.messages[0].momentId;
    const first = await reply(momentId, 'Looking');
    const second = await reply(momentId, 'Found it');
    await until(() => v.chat.messages.length === 3, 'both replies');
    v.chat.markRead();
    await until(async () => (await thread(momentId)).filter((m) => m.direction === 'out').every((m) => m.delivery === 'read'), 'both replies read');
    v.chat.stop();
    // A page load with the widget closed: the history holds two read replies, then a new one comes.
    const reload = visitor(s, channelId, { id: v.id });
    await ready(reload);
    await until(() => reload.chat.messages.length === 3, 'the history');
    expect(reload.chat.messages.filter((m) => m.direction === 'out').map((m) => [m.id, m.read])).toEqual([[first, true], [second, true]]);
    expect(reload.chat.unread).toBe(0);
    await reply(momentId, 'Shipped');
    await until(() => reload.chat.messages.length === 4, 'the new reply');
    expect(reload.chat.unread).toBe(1);
    reload.chat.stop();
  });

  it('stores a resent client id once and acknowledges it with the same message id', async () => {
    const v = visitor(s, channelId);
    await ready(v);
    const clientId = randomUUID();
    const frame = JSON.stringify({ type: 'message', clientId, body: 'Sent twice' });
    v.sockets[0].send(frame);
    v.sockets[0].send(frame);
    await until(() => v.frames.filter((f) => f.type === 'ack').length === 2, 'two acks');
    const acks = v.frames.filter((f): f is Extract<ServerFrame, { type: 'ack' }> => f.type === 'ack');
    expect(acks[0].messageId).toBe(acks[1].messageId);
    // And once more on a new connection, as after a lost acknowledgement.
    v.chat.stop();
    const again = visitor(s, channelId, { id: v.id });
    await ready(again);
    again.sockets[0].send(frame);
    await until(() => again.frames.some((f) => f.type === 'ack'), 'the ack on the new socket');
    expect((again.frames.find((f) => f.type === 'ack') as Extract<ServerFrame, { type: 'ack' }>).messageId).toBe(acks[0].messageId);
    expect((await thread(acks[0].momentId)).filter((m) => m.body === 'Sent twice')).toHaveLength(1);
    // Someone else's client id is not theirs to resend.
    const stranger = visitor(s, channelId);
    await ready(stranger);
    stranger.sockets[0].send(frame);
    await until(() => stranger.frames.some((f) => f.type === 'error'), 'a refusal of the stolen client id');
    expect(stranger.frames.find((f) => f.type === 'error')).toMatchObject({ code: 'conflict', clientId });
    again.chat.stop();
    stranger.chat.stop();
  });

  it('refuses text neither engine can store (NUL, lone surrogates) in any frame, storing nothing', async () => {
    const v = visitor(s, channelId);
    await ready(v);
    const sends = [
      { type: 'message', clientId: randomUUID(), body: 'half a pair \ud800' },
      { type: 'message', clientId: randomUUID(), body: 'a file', attachments: [{ fileName: 'a\u0000.txt', contentType: 'text/plain', data: 'aGk=' }] },
    ];
    v.sockets[0].send(`{"type":"identify","email":"nul-name@example.com","name":"A\\u0000B"}`);
    for (const frame of sends) v.sockets[0].send(JSON.stringify(frame));
    await until(() => v.frames.filter((f) => f.type === 'error').length === 3, 'three refusals');
    expect(v.frames.filter((f) => f.type === 'error').map((f) => [(f as { code: string }).code, (f as { message: string }).message.split(':')[0]])).toEqual([
      ['invalid_field', 'name'],
      ['invalid_field', 'body'],
      ['invalid_field', 'attachments[0].fileName'],
    ]);
    expect(v.frames.some((f) => f.type === 'ack' || f.type === 'identified')).toBe(false);
    expect(await lookup('email:nul-name@example.com')).toBeUndefined();
    // Trait search still works for the whole workspace (PostgreSQL's jsonb would fail on a stored NUL).
    expect((await s.api('GET', '/api/v1/customers?trait.name=Ann')).status).toBe(200);
    v.chat.stop();
  });

  it('resumes from its cursor after a disconnect: nothing lost, nothing sent twice', async () => {
    const v = visitor(s, channelId);
    await ready(v);
    const first = await acked(v, v.chat.send('First'));
    await until(() => v.chat.messages.some((m) => m.id === first), 'the first message');
    const momentId = v.chat.messages[0].momentId;
    await reply(momentId, 'Reply 1');
    await until(() => v.chat.messages.length === 2, 'reply 1');
    const cursor = v.chat.cursor!;
    // The connection drops; meanwhile the agent answers twice and another tab writes.
    v.chat.stop();
    const framesBefore = v.frames.length;
    await reply(momentId, 'Reply 2 (while away)');
    const tab = visitor(s, channelId, { id: v.id });
    await ready(tab);
    await acked(tab, tab.chat.send('From my other tab'));
    await reply(momentId, 'Reply 3 (while away)');
    // Sent while offline: goes out on reconnect.
    const offline = v.chat.send('Written while offline');
    v.chat.start();
    await acked(v, offline);
    await until(() => v.chat.messages.length === 6, 'all six messages', 10_000);
    expect(v.chat.messages.map((m) => m.body)).toEqual(['First', 'Reply 1', 'Reply 2 (while away)', 'From my other tab', 'Reply 3 (while away)', 'Written while offline']);
    const replayed = v.frames.slice(framesBefore).filter((f): f is Extract<ServerFrame, { type: 'message' }> => f.type === 'message' && f.seq !== null);
    expect(replayed.every((f) => f.seq! > cursor)).toBe(true);
    // With a cursor, the server sends each message at most once by seq (live pushes carry no seq).
    const seqIds = replayed.map((f) => f.message.id);
    expect(new Set(seqIds).size).toBe(seqIds.length);
    expect(seqIds).not.toContain(first);
    // The other tab saw the agent's third reply live.
    await until(() => tab.chat.messages.some((m) => m.body === 'Reply 3 (while away)'), 'the other tab to see reply 3');
    v.chat.stop();
    tab.chat.stop();
  });

  it('joins a verified visitor to their user id and their browsing; refuses a bad or missing hash', async () => {
    const anonymousId = `ajs-${randomUUID()}`;
    const userId = `user-${randomUUID().slice(0, 8)}`;
    // They browsed before signing in (analytics.js with the same anonymousId).
    expect((await s.track('/v1/page', { anonymousId, name: 'Pricing', messageId: randomUUID() })).status).toBe(200);
    const v = visitor(s, channelId, { id: anonymousId, userId, userHash: userHashOf(SECRET, userId) });
    await ready(v);
    expect((v.events.find((e) => e.type === 'welcome') as Extract<ChatEvent, { type: 'welcome' }>).welcome.verified).toBe(true);
    const messageId = await acked(v, v.chat.send('I am signed in'));
    await until(() => v.chat.messages.some((m) => m.id === messageId), 'the message');
    const moment = (await s.api('GET', `/api/v1/moments/${v.chat.messages[0].momentId}`)).body;
    const byUser = await lookup(`user_id:${userId}`);
    const byAnonymous = await lookup(`anonymous_id:${anonymousId}`);
    expect(byUser?.id).toBeDefined();
    expect(byAnonymous?.id).toBe(byUser?.id);
    expect((await s.api('GET', `/api/v1/customers/${moment.customerId}`)).body.id).toBe(byUser?.id);
    // A later page view with the same anonymousId lands on the chat's customer too.
    expect((await s.track('/v1/page', { anonymousId, name: 'Orders', messageId: randomUUID() })).status).toBe(200);
    expect((await lookup(`anonymous_id:${anonymousId}`))?.id).toBe(byUser?.id);
    v.chat.stop();

    const forged = visitor(s, channelId, { userId, userHash: userHashOf('wrong-secret', userId) });
    expect(await refusal(forged)).toMatchObject({ code: 4401 });
    expect((await refusal(forged)).reason).toMatch(/identity verification failed/);
    const unsigned = visitor(s, channelId, { userId });
    expect(await refusal(unsigned)).toMatchObject({ code: 4401 });
    // Refused for good: no reconnect loop.
    await sleep(200);
    expect(unsigned.sockets).toHaveLength(1);
  });

  it('chats under the analytics id the page has, whatever its characters, on the profile of its page views', async () => {
    for (const id of [`auth0|${randomUUID().slice(0, 12)}`, `ajs:${randomUUID().slice(0, 8)}`]) {
      expect((await s.track('/v1/page', { anonymousId: id, name: 'Pricing', messageId: randomUUID() })).status).toBe(200);
      const v = visitor(s, channelId, { id });
      await ready(v);
      const messageId = await acked(v, v.chat.send(`Hello as ${id}`));
      await until(() => v.chat.messages.some((m) => m.id === messageId), 'the message in the widget');
      const moment = (await s.api('GET', `/api/v1/moments/${v.chat.messages[0].momentId}`)).body;
      expect(moment.customerId).toBe((await lookup(`anonymous_id:${id}`))?.id);
      v.chat.stop();
    }
  });

  it("puts a signed-in visitor's email and name on their profile, and does not ask them for an email", async () => {
    const asking = await s.api('POST', '/api/v1/channels', { kind: 'chat', name: 'Asks for email', settings: { allowedOrigins: [SITE], askEmail: true }, secrets: { identitySecret: SECRET } });
    const userId = `user-${randomUUID().slice(0, 8)}`;
    const email = `ann.${randomUUID().slice(0, 8)}@example.com`;
    const v = visitor(s, asking.body.id, { userId, userHash: userHashOf(SECRET, userId), email: email.toUpperCase(), name: 'Ann Lee' });
    await ready(v);
    // The widget hides the pre-chat email form when the profile has an email.
    expect((v.events.find((e) => e.type === 'welcome') as Extract<ChatEvent, { type: 'welcome' }>).welcome).toMatchObject({ askEmail: true, verified: true, emailKnown: true });
    const profile = await lookup(`user_id:${userId}`);
    expect(profile?.traits).toMatchObject({ email, name: 'Ann Lee' });
    expect((await lookup(`email:${email}`))?.id).toBe(profile?.id);
    v.chat.stop();
    // Without a valid hash nothing the page claims is recorded.
    const forgedEmail = `forged.${randomUUID().slice(0, 8)}@example.com`;
    expect(await refusal(visitor(s, asking.body.id, { userId, userHash: userHashOf('wrong', userId), email: forgedEmail }))).toMatchObject({ code: 4401 });
    expect(await lookup(`email:${forgedEmail}`)).toBeUndefined();
  });

  it("a signed-in visitor's page cannot join them to another customer by naming that customer's email (only userId is signed)", async () => {
    const victim = `victim.${randomUUID().slice(0, 8)}@example.com`;
    await s.track('/v1/identify', { messageId: randomUUID(), anonymousId: `victim-${randomUUID()}`, traits: { email: victim, name: 'Vic Tim' } });
    const before = await lookup(`email:${victim}`);
    expect(before).toBeDefined();
    const userId = `user-${randomUUID().slice(0, 8)}`;
    const v = visitor(s, channelId, { userId, userHash: userHashOf(SECRET, userId), email: victim });
    await ready(v);
    const mine = await lookup(`user_id:${userId}`);
    expect(mine?.id).not.toBe(before!.id);
    expect(mine?.traits).toMatchObject({ unverifiedEmail: victim });
    expect((await lookup(`email:${victim}`))?.id).toBe(before!.id);
    v.chat.stop();
  });

  it('refuses, on an askEmail channel, a message from a raw socket that gave no email, storing nothing; takes it once an email is known', async () => {
    const asking = (await s.api('POST', '/api/v1/channels', { kind: 'chat', name: 'Email first', settings: { allowedOrigins: [SITE], askEmail: true }, secrets: { identitySecret: SECRET } })).body.id as string;
    /** A client of its own: `ws` and JSON frames, no widget. */
    const raw = async (channel: string, query: Record<string, string> = {}) => {
      const frames: Record<string, unknown>[] = [];
      const params = new URLSearchParams({ channel, visitor: `raw-${randomUUID()}`, ...query });
      const ws = new WebSocket(`${s.url.replace('http', 'ws')}/widget/socket?${params}`, { headers: { origin: SITE } });
      ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
      await until(() => frames.some((f) => f.type === 'ready'), 'ready');
      const write = async (body: string) => {
        const clientId = randomUUID();
        ws.send(JSON.stringify({ type: 'message', clientId, body }));
        await until(() => frames.some((f) => f.clientId === clientId), `an answer to ${body}`);
        return frames.find((f) => f.clientId === clientId)!;
      };
      return { ws, frames, write, visitor: params.get('visitor')! };
    };
    const stored = async (body: string) => (await s.tp.deps.db.selectFrom('message').select('id').where('body', '=', body).execute()).length;

    const anon = await raw(asking);
    expect(anon.frames.find((f) => f.type === 'welcome')).toMatchObject({ askEmail: true, emailKnown: false });
    const sneaky = `no email given ${randomUUID()}`;
    const refused = await anon.write(sneaky);
    expect(refused).toMatchObject({ type: 'error', code: 'missing_field', field: 'email' });
    expect(refused.message).toContain('email');
    expect(await stored(sneaky)).toBe(0);
    expect(await lookup(`anonymous_id:${anon.visitor}`)).toBeUndefined();
    // An email that is not one does not open the way.
    anon.ws.send(JSON.stringify({ type: 'identify', email: 'not an email' }));
    expect((await anon.write(sneaky)).code).toBe('missing_field');
    // With the email given, the same visitor writes.
    const anonEmail = `raw.${randomUUID().slice(0, 8)}@example.com`;
    anon.ws.send(JSON.stringify({ type: 'identify', email: anonEmail }));
    await until(() => anon.frames.some((f) => f.type === 'identified'), 'identified');
    const after = `with my email ${randomUUID()}`;
    expect(await anon.write(after)).toMatchObject({ type: 'ack' });
    expect(await stored(after)).toBe(1);
    anon.ws.terminate();
    // Back later: the profile has the email, so nothing is asked again.
    const back = await raw(asking, { visitor: anon.visitor });
    expect(back.frames.find((f) => f.type === 'welcome')).toMatchObject({ emailKnown: true });
    expect(await back.write(`back again ${randomUUID()}`)).toMatchObject({ type: 'ack' });
    back.ws.terminate();
    // Someone typing that email elsewhere gave one too (kept unlinked as theirs), now and when back.
    const typist = await raw(asking);
    typist.ws.send(JSON.stringify({ type: 'identify', email: anonEmail }));
    await until(() => typist.frames.some((f) => f.type === 'identified'), 'identified');
    expect(await typist.write(`typed a taken email ${randomUUID()}`)).toMatchObject({ type: 'ack' });
    typist.ws.terminate();
    const typistBack = await raw(asking, { visitor: typist.visitor });
    expect(typistBack.frames.find((f) => f.type === 'welcome')).toMatchObject({ emailKnown: true });
    expect(await typistBack.write(`typist back ${randomUUID()}`)).toMatchObject({ type: 'ack' });
    typistBack.ws.terminate();

    // A signed-in visitor whose site signs an email in writes at once; one without an email is asked.
    const userId = `user-${randomUUID().slice(0, 8)}`;
    const signed = await raw(asking, { userId, userHash: userHashOf(SECRET, userId), email: `signed.${randomUUID().slice(0, 8)}@example.com` });
    expect(await signed.write(`signed in ${randomUUID()}`)).toMatchObject({ type: 'ack' });
    signed.ws.terminate();
    const bareId = `user-${randomUUID().slice(0, 8)}`;
    const bare = await raw(asking, { userId: bareId, userHash: userHashOf(SECRET, bareId) });
    const unsigned = `signed in without an email ${randomUUID()}`;
    expect(await bare.write(unsigned)).toMatchObject({ type: 'error', code: 'missing_field', field: 'email' });
    expect(await stored(unsigned)).toBe(0);
    bare.ws.terminate();

    // A channel that does not ask takes a raw message as it is.
    const plain = await raw(channelId);
    expect(await plain.write(`no email needed ${randomUUID()}`)).toMatchObject({ type: 'ack' });
    plain.ws.terminate();
  });

  it('never lets an unverified visitor into someone else\'s conversation: not by typing their email, not by their old anonymous id', async () => {
    // Vera chats and gives her email; someone else types the same email in another browser.
    const vera = visitor(s, channelId);
    await ready(vera);
    const email = `vera.${randomUUID().slice(0, 8)}@example.com`;
    vera.chat.identify(email);
    await until(() => vera.events.some((e) => e.type === 'identified'), 'identified');
    await acked(vera, vera.chat.send('My account number question'));
    const veraMoment = vera.chat.messages[0].momentId;
    const claimer = visitor(s, channelId);
    await ready(claimer);
    claimer.chat.identify(email);
    await until(() => claimer.events.some((e) => e.type === 'identified'), 'identified');
    await acked(claimer, claimer.chat.send('Hi, it is me, Vera'));
    await until(() => claimer.chat.messages.length === 1, "the claimer's own message");
    expect(claimer.chat.messages[0].momentId).not.toBe(veraMoment);
    const secret = await reply(veraMoment, 'Vera, your account number is 998877');
    await until(() => vera.chat.messages.some((m) => m.id === secret), 'the reply reaching Vera');
    await sleep(100);
    expect(claimer.chat.messages.map((m) => m.body)).toEqual(['Hi, it is me, Vera']);

    // On a shared computer: chatting anonymously, then signed in (verified), then signed out.
    const device = `ajs-${randomUUID()}`;
    const userId = `user-${randomUUID().slice(0, 8)}`;
    const before = visitor(s, channelId, { id: device });
    await ready(before);
    await acked(before, before.chat.send('A question before signing in'));
    const shared = before.chat.messages[0].momentId;
    before.chat.stop();
    const signedIn = visitor(s, channelId, { id: device, userId, userHash: userHashOf(SECRET, userId) });
    await ready(signedIn);
    await acked(signedIn, signedIn.chat.send('Now signed in: my address is 1 Main St'));
    await until(() => signedIn.chat.messages.length === 2, 'both messages on the signed-in visitor');
    expect(signedIn.chat.messages.map((m) => m.momentId)).toEqual([shared, shared]);
    signedIn.chat.stop();
    const next = visitor(s, channelId, { id: device });
    await ready(next);
    expect(next.chat.messages).toEqual([]);
    await acked(next, next.chat.send('Someone else at this computer'));
    await until(() => next.chat.messages.length === 1, 'their own message');
    expect(next.chat.messages[0].momentId).not.toBe(shared);
    const private_ = await reply(shared, 'Your parcel goes to 1 Main St');
    await sleep(150);
    expect(next.chat.messages.map((m) => m.id)).not.toContain(private_);
    for (const v of [vera, claimer, next]) v.chat.stop();
  });

  it('refuses unknown channels and foreign origins; the frame page may only be embedded by allowed sites', async () => {
    expect(await refusal(visitor(s, 'no-such-channel'))).toMatchObject({ code: 4404 });
    expect(await refusal(visitor(s, channelId, { origin: 'https://evil.example.net' }))).toMatchObject({ code: 4403 });
    const fromSite = visitor(s, channelId, { origin: SITE });
    await ready(fromSite);
    fromSite.chat.stop();
    expect(await refusal(visitor(s, channelId, { id: 'has a space' }))).toMatchObject({ code: 4400 });
    // Too short to be anyone's secret: the loader keeps the widget on its own id instead.
    expect(await refusal(visitor(s, channelId, { id: 'a-42' }))).toMatchObject({ code: 4400 });
    expect(await refusal(visitor(s, channelId, { id: 'x'.repeat(129) }))).toMatchObject({ code: 4400 });

    const page = await fetch(`${s.url}/widget/frame.html?channel=${channelId}`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`frame-ancestors ${SITE} https://*.example.org;`);
    expect(csp).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain(`data-origins="${SITE} https://*.example.org"`);
    expect((await fetch(`${s.url}/widget/frame.html?channel=nope`)).status).toBe(404);
    // The frame's own check (the same function the bundle runs on every postMessage).
    expect(originAllowed(SITE, [SITE])).toBe(true);
    expect(originAllowed('https://shop.example.com.evil.net', [SITE])).toBe(false);
    expect(originAllowed('https://a.example.org', ['https://*.example.org'])).toBe(true);
    expect(originAllowed('https://example.org', ['https://*.example.org'])).toBe(false);
    expect(originAllowed('http://a.example.org', ['https://*.example.org'])).toBe(false);
    const script = await (await fetch(`${s.url}/widget/frame.js`)).text();
    expect(script).toContain('tp:init');
    // A site that is not an origin (it would be written into the header) is refused, naming the setting.
    const injected = await s.api('POST', '/api/v1/channels', { kind: 'chat', name: 'Nowhere', settings: { allowedOrigins: ['not an origin; script-src *'] }, secrets: { identitySecret: SECRET } });
    expect([injected.status, injected.body.error?.field]).toEqual([400, 'settings.allowedOrigins']);
    // A channel without allowed origins cannot be embedded anywhere.
    const closed = await s.api('POST', '/api/v1/channels', { kind: 'chat', name: 'Nowhere', settings: { allowedOrigins: [] }, secrets: { identitySecret: SECRET } });
    const nowhere = await fetch(`${s.url}/widget/frame.html?channel=${closed.body.id}`);
    expect(nowhere.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('serves a small widget: loader under 15 KB and everything under 60 KB gzipped, with ETags', async () => {
    const gzipped = (path: string) =>
      new Promise<{ bytes: number; etag: string; type: string }>((resolve, reject) => {
        http.get(`${s.url}${path}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.headers['content-encoding']).toBe('gzip');
          let bytes = 0;
          res.on('data', (chunk: Buffer) => (bytes += chunk.length));
          res.on('end', () => resolve({ bytes, etag: String(res.headers.etag), type: String(res.headers['content-type']) }));
        }).on('error', reject);
      });
    const loader = await gzipped('/widget.js');
    const html = await gzipped(`/widget/frame.html?channel=${channelId}`);
    const version = /frame\.js\?v=([\w-]+)/.exec(await (await fetch(`${s.url}/widget/frame.html?channel=${channelId}`)).text())![1];
    const script = await gzipped(`/widget/frame.js?v=${version}`);
    expect(loader.type).toContain('javascript');
    expect(loader.bytes).toBeLessThan(15 * 1024);
    expect(loader.bytes + html.bytes + script.bytes).toBeLessThan(60 * 1024);
    const cached = await fetch(`${s.url}/widget.js`, { headers: { 'if-none-match': loader.etag } });
    expect(cached.status).toBe(304);
    const immutable = await fetch(`${s.url}/widget/frame.js?v=${version}`);
    expect(immutable.headers.get('cache-control')).toContain('immutable');
    console.log(`widget sizes (gzip): loader ${loader.bytes} B, frame page ${html.bytes} B, frame script ${script.bytes} B, total ${loader.bytes + html.bytes + script.bytes} B`);
  });

  it('carries typing both ways, and files both ways', async () => {
    const v = visitor(s, channelId);
    await ready(v);
    const id = await acked(v, v.chat.send('Typing test'));
    await until(() => v.chat.messages.some((m) => m.id === id), 'the message');
    const momentId = v.chat.messages[0].momentId;
    // The agent's live stream shows the visitor typing.
    const agentFrames: { type: string; signal?: string; momentId?: string; typing?: boolean; from?: { kind: string } }[] = [];
    const stream = new WebSocket(`${s.url.replace('http', 'ws')}/api/v1/stream?token=${agent.token}`);
    stream.on('message', (data: Buffer) => agentFrames.push(JSON.parse(data.toString())));
    await until(() => agentFrames.some((f) => f.type === 'ready'), 'the agent stream');
    v.chat.setTyping(true);
    await until(() => agentFrames.some((f) => f.type === 'signal' && f.signal === 'typing' && f.momentId === momentId && f.typing === true && f.from?.kind === 'customer'), 'the visitor typing on the agent stream');
    // As the stream's contract describes it: the agent app reads it by that.
    for (const frame of agentFrames.filter((f) => f.type === 'signal')) expect(Value.Check(SignalFrame, frame), JSON.stringify(frame)).toBe(true);
    // And the visitor sees the agent typing.
    expect((await s.api('POST', `/api/v1/moments/${momentId}/typing`, { typing: true }, agent.token)).status).toBe(204);
    await until(() => v.events.some((e) => e.type === 'typing' && e.typing && e.name === 'Ana'), 'the agent typing in the widget');
    expect((await s.api('POST', `/api/v1/moments/no-such-moment/typing`, { typing: true }, agent.token)).status).toBe(404);
    stream.terminate();

    // A visitor's file is stored on the message; an agent's file reaches the visitor.
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const fileId = v.chat.send('', [{ fileName: 'receipt.png', contentType: 'image/png', data: png.toString('base64') }]);
    await acked(v, fileId);
    await until(async () => (await thread(momentId)).some((m) => m.attachments[0]?.fileName === 'receipt.png'), 'the stored file');
    const pdf = Buffer.from('%PDF-1.4 invoice');
    const replyId = await reply(momentId, 'Here is your invoice', { attachments: [{ fileName: 'invoice.pdf', contentType: 'application/pdf', data: pdf.toString('base64') }] });
    await until(() => v.chat.messages.some((m) => m.id === replyId), 'the reply with a file');
    const meta = v.chat.messages.find((m) => m.id === replyId)!.attachments[0];
    expect(meta).toMatchObject({ fileName: 'invoice.pdf', contentType: 'application/pdf', size: pdf.length });
    const file = await v.chat.fetchFile(meta.id);
    expect(Buffer.from(file.data, 'base64').equals(pdf)).toBe(true);
    // Files of other conversations are not reachable.
    const other = visitor(s, channelId);
    await ready(other);
    await expect(other.chat.fetchFile(meta.id)).rejects.toThrow(/no file/);
    // Too large: refused for good, nothing stored.
    const big = Buffer.alloc(5 * 1024 * 1024 + 1).toString('base64');
    const bigId = v.chat.send('too big', [{ fileName: 'big.bin', contentType: 'application/octet-stream', data: big }]);
    await until(() => v.events.some((e) => e.type === 'failed' && e.clientId === bigId), 'the refusal of a large file');
    expect((await thread(momentId)).some((m) => m.body === 'too big')).toBe(false);
    v.chat.stop();
    other.chat.stop();
  });

  it('captures the pre-chat email on the profile, and shows offline mode outside business hours', async () => {
    const v = visitor(s, channelId);
    await ready(v);
    v.chat.identify('Visitor.One@Example.com', 'Vi');
    await until(() => v.events.some((e) => e.type === 'identified'), 'identified');
    await until(async () => (await lookup(`anonymous_id:${v.id}`))?.id !== undefined, 'the profile');
    expect((await lookup('email:visitor.one@example.com'))?.id).toBe((await lookup(`anonymous_id:${v.id}`))?.id);
    v.chat.stop();
    const again = visitor(s, channelId, { id: v.id });
    await ready(again);
    expect((again.events.find((e) => e.type === 'welcome') as Extract<ChatEvent, { type: 'welcome' }>).welcome.emailKnown).toBe(true);
    again.chat.stop();

    const today = new Date().toISOString().slice(0, 10);
    const hours = await s.api('POST', '/api/v1/business-hours', { name: 'Closed today', timeZone: 'UTC', weekly: { mon: [['00:00', '24:00']], tue: [['00:00', '24:00']], wed: [['00:00', '24:00']], thu: [['00:00', '24:00']], fri: [['00:00', '24:00']], sat: [['00:00', '24:00']], sun: [['00:00', '24:00']] }, holidays: [today] });
    expect(hours.status, JSON.stringify(hours.body)).toBe(201);
    const away = await s.api('POST', '/api/v1/channels', { kind: 'chat', name: 'After hours', settings: { allowedOrigins: [SITE], businessHoursId: hours.body.id }, secrets: { identitySecret: SECRET } });
    const off = visitor(s, away.body.id);
    await ready(off);
    expect((off.events.find((e) => e.type === 'welcome') as Extract<ChatEvent, { type: 'welcome' }>).welcome).toMatchObject({ online: false, askEmail: false });
    off.chat.stop();
  });

  it('keeps an email left while the connection is down and records it once reconnected', async () => {
    const v = visitor(s, channelId);
    await ready(v);
    v.chat.stop();
    const email = `offline.${randomUUID().slice(0, 8)}@example.com`;
    v.chat.identify(email, 'Olive');
    v.chat.start();
    await until(() => v.events.some((e) => e.type === 'identified'), 'the email confirmed');
    expect((await lookup(`email:${email}`))?.id).toBe((await lookup(`anonymous_id:${v.id}`))?.id);
    expect((await lookup(`email:${email}`))?.traits).toMatchObject({ email, name: 'Olive' });
    v.chat.stop();
  });

  it('keeps a visitor live on the survivor when an agent merges their chat into another', async () => {
    // The same person on a laptop and a phone: two visitors, two chats, then one email links them.
    const laptop = visitor(s, channelId);
    const phone = visitor(s, channelId);
    await Promise.all([ready(laptop), ready(phone)]);
    await acked(laptop, laptop.chat.send('From my laptop: my order is late'));
    await acked(phone, phone.chat.send('From my phone: about my order'));
    const survivorId = laptop.chat.messages[0].momentId;
    const duplicateId = phone.chat.messages[0].momentId;
    expect(duplicateId).not.toBe(survivorId);
    const email = `merged.${randomUUID()}@example.com`;
    laptop.chat.identify(email);
    phone.chat.identify(email);
    await until(async () => (await lookup(`anonymous_id:${laptop.id}`))?.id === (await lookup(`anonymous_id:${phone.id}`))?.id, 'one profile for both devices');

    const merged = await s.api('POST', `/api/v1/moments/${survivorId}/merge`, { duplicateId }, agent.token);
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    const replyId = await reply(survivorId, 'Both messages seen: it ships today.');
    await until(() => laptop.chat.messages.some((m) => m.id === replyId), 'the reply on the laptop');
    await until(() => phone.chat.messages.some((m) => m.id === replyId), 'the reply on the phone, live');
    // The phone's next message continues the survivor, and the laptop sees it too.
    const next = await acked(phone, phone.chat.send('Great, thanks'));
    expect((await thread(survivorId)).map((m) => m.id)).toContain(next);
    await until(() => laptop.chat.messages.some((m) => m.id === next), "the phone's message on the laptop");
    expect(phone.chat.messages.filter((m) => m.id === replyId)).toHaveLength(1);
    laptop.chat.stop();
    phone.chat.stop();
  });

  it('follows a reply up by email when the visitor is gone; a disabled channel fails the reply', async () => {
    const emailed: OutboundReply[] = [];
    const fakeEmail: ChannelAdapter = { kind: 'email', send: async (_channel, r) => (emailed.push(r), { providerMessageId: 'smtp-1' }) };
    const inbox = await s.api('POST', '/api/v1/channels', { kind: 'email', name: 'Support inbox', address: 'help@shop.example.com' });
    expect(inbox.status, JSON.stringify(inbox.body)).toBe(201);
    const chatWithFollowUp = await s.api('POST', '/api/v1/channels', { kind: 'chat', name: 'Chat with follow-up', settings: { allowedOrigins: [SITE], followUpChannelId: inbox.body.id }, secrets: { identitySecret: SECRET } });
    const v = visitor(s, chatWithFollowUp.body.id);
    await ready(v);
    v.chat.identify('gone@example.com');
    await until(() => v.events.some((e) => e.type === 'identified'), 'identified');
    const id = await acked(v, v.chat.send('Please email me the answer'));
    await until(() => v.chat.messages.some((m) => m.id === id), 'the message');
    const momentId = v.chat.messages[0].momentId;
    const adapter = createChatAdapter(() => s.tp.visitors, () => ({ email: fakeEmail }));
    const channel = (await loadChannel(s.tp.deps, s.workspace.workspaceId, chatWithFollowUp.body.id))!;
    const draft = async (body: string) => {
      const res = await s.api('POST', `/api/v1/moments/${momentId}/messages`, { direction: 'out', body }, agent.token);
      return (await loadOutbound(s.tp.deps.db, s.workspace.workspaceId, res.body.message.id))!;
    };
    // Connected: shown in the widget, no email.
    const live = await draft('Answer while you are here');
    expect(await adapter.send(channel, live)).toEqual({ providerMessageId: live.messageId });
    await until(() => v.chat.messages.some((m) => m.id === live.messageId), 'the live reply');
    expect(emailed).toHaveLength(0);
    v.chat.stop();
    await until(() => v.sockets.every((w) => w.readyState === 3), 'the socket to close');
    await sleep(50);
    const later = await draft('Answer after you left');
    await adapter.send(channel, later);
    expect(emailed).toHaveLength(1);
    expect(emailed[0]).toMatchObject({ to: 'gone@example.com', channel: 'email', channelId: inbox.body.id, body: 'Answer after you left' });

    // Disabled channel: the reply fails with the reason, never a fake "sent".
    expect((await s.api('PATCH', `/api/v1/channels/${chatWithFollowUp.body.id}`, { enabled: false })).status).toBe(200);
    const res = await s.api('POST', `/api/v1/moments/${momentId}/messages`, { direction: 'out', body: 'Into the void' }, agent.token);
    await s.tp.worker.drain();
    const failed = (await thread(momentId)).find((m) => m.id === res.body.message.id)!;
    expect(failed.delivery).toBe('failed');
    expect(JSON.stringify(await s.api('GET', `/api/v1/moments/${momentId}/messages?limit=200`))).toContain('disabled');
  });

  it("keeps a customer's email replies theirs when a stranger types their email and then another into a chat", async () => {
    const emailed: OutboundReply[] = [];
    const fakeEmail: ChannelAdapter = { kind: 'email', send: async (_channel, r) => (emailed.push(r), { providerMessageId: 'smtp-2' }) };
    const inbox = await s.api('POST', '/api/v1/channels', { kind: 'email', name: 'Follow-ups', address: 'follow@shop.example.com' });
    const chat = await s.api('POST', '/api/v1/channels', { kind: 'chat', name: 'Chat, followed up', settings: { allowedOrigins: [SITE], followUpChannelId: inbox.body.id }, secrets: { identitySecret: SECRET } });
    const adapter = createChatAdapter(() => s.tp.visitors, () => ({ email: fakeEmail }));
    const channel = (await loadChannel(s.tp.deps, s.workspace.workspaceId, chat.body.id))!;
    const gone = async (v: Visitor) => {
      v.chat.stop();
      await until(() => v.sockets.every((w) => w.readyState === 3), 'the socket to close');
      await sleep(50);
    };
    const answer = async (momentId: string, body: string) => {
      const res = await s.api('POST', `/api/v1/moments/${momentId}/messages`, { direction: 'out', body }, agent.token);
      await adapter.send(channel, (await loadOutbound(s.tp.deps.db, s.workspace.workspaceId, res.body.message.id))!);
    };
    const vic = visitor(s, chat.body.id);
    await ready(vic);
    const victim = `vic.${randomUUID().slice(0, 8)}@example.com`;
    vic.chat.identify(victim);
    await until(() => vic.events.some((e) => e.type === 'identified'), 'identified');
    await acked(vic, vic.chat.send('Where is my refund?'));
    const vicMoment = vic.chat.messages[0].momentId;
    await gone(vic);

    const stranger = visitor(s, chat.body.id);
    await ready(stranger);
    stranger.chat.identify(victim);
    await until(() => stranger.events.some((e) => e.type === 'identified'), 'identified');
    stranger.chat.identify('attacker@evil.test');
    await until(() => stranger.events.filter((e) => e.type === 'identified').length === 2, 'identified twice');
    await acked(stranger, stranger.chat.send('Hello, it is me'));
    const strangerMoment = stranger.chat.messages[0].momentId;
    await gone(stranger);

    await answer(vicMoment, 'Your refund went out today');
    await answer(strangerMoment, 'How can we help?');
    expect(emailed.map((r) => [r.to, r.body])).toEqual([
      [victim, 'Your refund went out today'],
      // The stranger's own chat follows up to the address they typed last.
      ['attacker@evil.test', 'How can we help?'],
    ]);
    const profile = await lookup(`email:${victim}`);
    expect(profile?.id).toBe((await s.api('GET', `/api/v1/moments/${vicMoment}`)).body.customerId);
    expect(await lookup('email:attacker@evil.test')).toMatchObject({ traits: { unverifiedEmail: victim } });
  });

  widgetInBrowser('asks for the email an askEmail channel wants before a file too, in a real browser', async () => {
    await inShop({ askEmail: true }, '', async (_page, frame) => {
      await frame.waitForSelector('form.email:not([hidden])');
      const file = { name: 'receipt.png', mimeType: 'image/png', buffer: Buffer.from('89504e470d0a1a0a', 'hex') };
      await frame.fill('textarea', 'See attached');
      await frame.setInputFiles('input[type=file]', file);
      await frame.waitForSelector('.notice:not([hidden])');
      expect(await frame.textContent('.notice')).toBe('Please leave your email first.');
      await sleep(300);
      expect(await frame.$$('.log li.in')).toHaveLength(0);
      // With the email given, the same file goes.
      await frame.fill('[name=email]', `file.${randomUUID().slice(0, 8)}@example.com`);
      await frame.click('form.email button');
      await frame.waitForSelector('form.email', { state: 'hidden' });
      await frame.setInputFiles('input[type=file]', file);
      await frame.waitForSelector('.log li.in:not(.pending)');
      expect(await frame.textContent('.log li.in')).toContain('See attached');
    });
  });

  widgetInBrowser('lets a visitor write after a refused sign-in once the page identifies them with a valid hash, in a real browser', async () => {
    const userId = `user-${randomUUID().slice(0, 8)}`;
    await inShop({}, `window.Touchpoint = ${JSON.stringify({ userId, userHash: userHashOf('wrong-secret', userId) })}`, async (page, frame) => {
      await frame.waitForSelector('textarea:disabled');
      expect(await frame.textContent('.notice')).toMatch(/identity verification failed/);
      await page.evaluate((identity) => (window as unknown as { TouchpointChat: { identify: (i: unknown) => void } }).TouchpointChat.identify(identity), { userId, userHash: userHashOf(SECRET, userId) });
      await frame.waitForFunction(() => document.querySelector('.status')?.textContent === 'Online');
      expect(await frame.isEnabled('textarea')).toBe(true);
      expect(await frame.isHidden('.notice')).toBe(true);
      await frame.fill('textarea', 'Signed in properly now');
      await frame.press('textarea', 'Enter');
      await frame.waitForSelector('.log li.in:not(.pending)');
      await until(async () => (await lookup(`user_id:${userId}`)) !== undefined, 'the signed-in profile');
    });
  });

  widgetInBrowser('attaches a file from the keyboard alone, in a real browser', async () => {
    await inShop({}, '', async (page, frame) => {
      await frame.waitForSelector('.online');
      await frame.focus('textarea');
      await page.keyboard.press('Shift+Tab');
      expect(await frame.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent)).toBe('Attach a file');
      expect(await frame.getByRole('button', { name: 'Attach a file' }).count()).toBe(1);
      // Enter opens the file picker: a click on the file input, whose native dialog the test
      // holds back to pick the file itself.
      await frame.evaluate(() =>
        document.querySelector('input[type=file]')!.addEventListener('click', (event) => {
          event.preventDefault();
          document.body.dataset.picker = 'opened';
        }),
      );
      await page.keyboard.press('Enter');
      await frame.waitForSelector('body[data-picker=opened]', { state: 'attached' });
      await frame.setInputFiles('input[type=file]', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('from the keyboard') });
      await frame.waitForSelector('.log li.in:not(.pending) .file');
      expect(await frame.textContent('.log li.in .file')).toContain('notes.txt');
    });
  });

  inBrowser('works in a real browser: the loader embeds the frame on an allowed site, and no other site can', () =>
    // A shop on another origin embeds the widget; analytics.js already gave the visitor an id.
    inShop({ title: 'Shop help' }, "localStorage.setItem('ajs_anonymous_id', JSON.stringify('ajs-browser-visitor'))", async (page, frame) => {
      await frame.waitForSelector('.online');
      expect(await frame.textContent('.title')).toBe('Shop help');
      await frame.fill('textarea', 'Hello from a real browser');
      await frame.press('textarea', 'Enter');
      await frame.waitForSelector('.log li.in:not(.pending)');
      // The loader handed over analytics.js' anonymous id: the chat joined that profile.
      await until(async () => (await lookup('anonymous_id:ajs-browser-visitor')) !== undefined, 'the visitor profile');
      const moments = (await s.api('GET', `/api/v1/moments?channel=chat&limit=100`)).body.data as { id: string; customerId: string; subject: string }[];
      const moment = moments.find((m) => m.subject.startsWith('Hello from a real browser'))!;
      expect((await s.api('GET', `/api/v1/customers/${moment.customerId}`)).body.id).toBe((await lookup('anonymous_id:ajs-browser-visitor'))!.id);
      await reply(moment.id, 'Hello, human');
      await frame.waitForSelector('.log li.out');
      expect(await frame.textContent('.log li.out')).toContain('Hello, human');

      // The same page from another origin (localhost is not 127.0.0.1): the frame is refused.
      const evil = await page.context().browser()!.newPage();
      const blocked: string[] = [];
      evil.on('console', (m) => blocked.push(m.text()));
      await evil.goto(`http://localhost:${new URL(page.url()).port}/`);
      await evil.waitForFunction(() => 'TouchpointChat' in window);
      await sleep(500);
      const loaded = await Promise.all(evil.frames().filter((f) => f !== evil.mainFrame()).map((f) => f.$('.tp').then((e) => e !== null).catch(() => false)));
      expect(loaded.some(Boolean)).toBe(false);
      expect(blocked.join('\n')).toMatch(/frame-ancestors/);
    }));
});
