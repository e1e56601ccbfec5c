import { createRequire } from 'node:module';
import { Value } from '@sinclair/typebox/value';
import { SignalFrame } from '@touchpoint/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, expectOk, startServer, type Running } from './harness.ts';
import { chatVisitor } from './chat-visitor.ts';
import { addAgent, addTeam, open, type Person } from './moments-fixtures.ts';

type Ws = { on(event: 'message', listener: (data: Buffer) => void): void; terminate(): void };
const { WebSocket } = createRequire(import.meta.url)('ws') as { WebSocket: new (url: string) => Ws };
type Frame = { type: string; signal?: string; momentId?: string; customerId?: string };

/** An agent's live stream, recording every frame. */
async function streamOf(s: Running, person: Person): Promise<{ frames: Frame[]; close: () => void }> {
  const frames: Frame[] = [];
  const socket = new WebSocket(`${s.url.replace('http', 'ws')}/api/v1/stream?token=${person.token}`);
  socket.on('message', (data) => frames.push(JSON.parse(data.toString()) as Frame));
  await until(() => frames.some((f) => f.type === 'ready'), 'the stream to be ready');
  return { frames, close: () => socket.terminate() };
}

async function until(test: () => boolean, what: string, ms = 8_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const customerSignals = (frames: readonly Frame[], momentId: string) => frames.filter((f) => f.type === 'signal' && f.signal === 'customer' && f.momentId === momentId);

// The inbox row, the header and the card beside a conversation name the customer as they are:
// whatever changes them tells the agents who may see their active moments.
describe.each(ENGINES)('customer changes on the live stream, on %s', (engine) => {
  let s: Running;
  let ana: Person;
  let zoe: Person;

  beforeAll(async () => {
    s = await startServer(engine);
    ana = await addAgent(s, { name: 'Ana', capacity: { chat: 100 } });
    zoe = await addAgent(s, { name: 'Zoe' });
    const team = await addTeam(s, [ana]);
    await addTeam(s, [zoe]);
    expectOk(await s.api('PATCH', '/api/v1/workspace/settings', { moments: { defaultTeamId: team } }));
  });
  afterAll(() => s?.stop());

  it('a visitor identified through the tracking API: their conversation hears it, named, and only its team', async () => {
    const moment = expectOk(await open(s, { identity: 'anonymous_id:visitor-7' }), 201).moment;
    const [anaSees, zoeSees] = [await streamOf(s, ana), await streamOf(s, zoe)];
    try {
      expectOk(await s.track('/v1/identify', { anonymousId: 'visitor-7', traits: { name: 'Maya Roth', email: 'maya@example.com' } }));
      await until(() => customerSignals(anaSees.frames, moment.id).length > 0, 'the customer signal');
      const [signal] = customerSignals(anaSees.frames, moment.id);
      expect(signal).toEqual({ type: 'signal', signal: 'customer', momentId: moment.id, customerId: moment.customerId });
      expect(Value.Check(SignalFrame, signal)).toBe(true);
      // What the app reads again then names them.
      const page = expectOk(await s.api('GET', '/api/v1/moments?include=customers&status=open'));
      expect(page.customers[moment.customerId]).toMatchObject({ name: 'Maya Roth', email: 'maya@example.com' });
      // A track call changes nothing shown: no signal. Zoe's team never sees this moment.
      const before = anaSees.frames.length;
      expectOk(await s.track('/v1/track', { anonymousId: 'visitor-7', event: 'Product Viewed' }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(customerSignals(anaSees.frames.slice(before), moment.id)).toEqual([]);
      expect(customerSignals(zoeSees.frames, moment.id)).toEqual([]);
    } finally {
      anaSees.close();
      zoeSees.close();
    }
  });

  it('a merge, an unmerge and a stage set by hand each reach the conversations of both profiles', async () => {
    const chat = expectOk(await open(s, { identity: 'anonymous_id:visitor-8' }), 201).moment;
    const mail = expectOk(await open(s, { identity: 'email:lee@example.com', channel: 'email' }), 201).moment;
    const anaSees = await streamOf(s, ana);
    try {
      const signalled = async (what: string, change: () => Promise<unknown>) => {
        const from = anaSees.frames.length;
        await change();
        await s.tp.worker.drain();
        await until(() => customerSignals(anaSees.frames.slice(from), chat.id).length > 0 && customerSignals(anaSees.frames.slice(from), mail.id).length > 0, `signals for both moments after ${what}`);
      };
      await signalled('the merge', async () => expectOk(await s.api('POST', '/api/v1/customers/merge', { ids: [mail.customerId, chat.customerId], reason: 'same person' })));
      // The chat's row names the survivor now.
      const page = expectOk(await s.api('GET', '/api/v1/moments?include=customers&status=open'));
      expect(page.customers[chat.customerId].email).toBe('lee@example.com');
      await signalled('the stage', async () => expectOk(await s.api('PUT', `/api/v1/customers/${mail.customerId}/stage`, { stage: 'advocate', reason: 'wrote a review' })));
      const profile = expectOk(await s.api('GET', `/api/v1/customers/${mail.customerId}`));
      await signalled('the unmerge', async () => expectOk(await s.api('POST', `/api/v1/customers/${profile.id}/unmerge`, { mergeId: profile.merges[0].id, reason: 'not the same person' })));
    } finally {
      anaSees.close();
    }
  });

  it('a channel that names a known sender anew (a new WhatsApp profile name): their conversation hears it', async () => {
    const first = expectOk(await open(s, { identity: 'phone:+447700900123', name: 'Ravi', channel: 'whatsapp' }), 201).moment;
    const anaSees = await streamOf(s, ana);
    try {
      const again = await open(s, { identity: 'phone:+447700900123', name: 'Ravi Kumar', channel: 'whatsapp', message: { body: 'any news?' } });
      expect(again.body.moment.id).toBe(first.id);
      await until(() => customerSignals(anaSees.frames, first.id).length === 1, 'the customer signal');
      const page = expectOk(await s.api('GET', '/api/v1/moments?include=customers&status=open'));
      expect(page.customers[first.customerId].name).toBe('Ravi Kumar');
      // The same name again is no news.
      await open(s, { identity: 'phone:+447700900123', name: 'Ravi Kumar', channel: 'whatsapp', message: { body: 'hello?' } });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(customerSignals(anaSees.frames, first.id)).toHaveLength(1);
    } finally {
      anaSees.close();
    }
  });

  it('a chat visitor who leaves their email: the agent on the chat hears of it', async () => {
    const channel = expectOk(await s.api('POST', '/api/v1/channels', { kind: 'chat', name: 'Site chat', settings: { allowedOrigins: [s.url] }, secrets: { identitySecret: 'site-identity-secret-0123456789' } }), 201);
    const anaSees = await streamOf(s, ana);
    const visitor = chatVisitor(s, channel.id);
    try {
      const clientId = visitor.chat.send('Do you ship to Norway?');
      await visitor.until('the message stored', (e) => e.type === 'ack' && e.clientId === clientId);
      const momentId = visitor.chat.messages[0]!.momentId;
      visitor.chat.identify('nils@example.com', 'Nils Berg');
      await visitor.until('the email taken', (e) => e.type === 'identified');
      await until(() => customerSignals(anaSees.frames, momentId).length > 0, 'the customer signal');
      const page = expectOk(await s.api('GET', '/api/v1/moments?include=customers&status=open'));
      const moment = page.data.find((m: { id: string }) => m.id === momentId);
      expect(page.customers[moment.customerId]).toMatchObject({ name: 'Nils Berg', email: 'nils@example.com' });
    } finally {
      visitor.leave();
      anaSees.close();
    }
  });
});
