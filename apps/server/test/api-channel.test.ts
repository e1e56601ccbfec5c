import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiAdapter } from '../src/channels/api/api-adapter.ts';
import { providerFetch } from '../src/platform/guarded-fetch.ts';
import { disableGoneChannel } from '../src/channels/api/disable-gone-channel.ts';
import { deliverReply } from '../src/channels/deliver-reply.ts';
import { MOMENT_EVENTS, type MomentsCtx } from '../src/modules/moments/index.ts';
import { createWorkspace } from '../src/modules/workspaces/index.ts';
import { fixedClock } from '../src/platform/clock.ts';
import { signStandardWebhook, standardWebhookHeaders, verifyStandardWebhook } from '../src/platform/standard-webhooks.ts';
import { ENGINES, startServer, type Running } from './harness.ts';

const SECRET = `whsec_${Buffer.from('the CRM and Touchpoint share this').toString('base64')}`;

type Delivery = { readonly headers: http.IncomingHttpHeaders; readonly body: string; readonly verified: boolean };

/** The other system: receives our replies on its webhook and checks our signature as any Standard Webhooks library would. */
async function startReceiver() {
  const deliveries: Delivery[] = [];
  const answers: number[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const verified = verifyStandardWebhook(SECRET, req.headers as Record<string, string>, body, Date.now()).ok;
      deliveries.push({ headers: req.headers, body, verified });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/touchpoint/events`,
    deliveries,
    answers,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe.each(ENGINES)('API channel (Standard Webhooks) on %s', (engine) => {
  let s: Running;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const clock = fixedClock(Date.now());
  let channel: { id: string };

  beforeAll(async () => {
    s = await startServer(engine, { clock });
    receiver = await startReceiver();
    const res = await s.api('POST', '/api/v1/channels', { kind: 'api', name: 'CRM', settings: { outboundUrl: receiver.url }, secrets: { signingSecret: SECRET } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    channel = res.body;
    expect(res.body.webhooks).toEqual({ inbound: `${s.url}/webhooks/api/${channel.id}` });
  });
  afterAll(async () => {
    await s?.stop();
    await receiver?.close();
  });

  let n = 0;
  /** Posts a message as the other system would: signed over the exact body. */
  const send = async (payload: unknown, options: { channelId?: string; headers?: Record<string, string | undefined>; secret?: string; body?: string; at?: number } = {}) => {
    const body = JSON.stringify(payload);
    const signed = standardWebhookHeaders(options.secret ?? SECRET, `msg_${++n}`, options.at ?? clock.now(), body);
    const headers = Object.fromEntries(Object.entries({ 'content-type': 'application/json', ...signed, ...options.headers }).filter((e): e is [string, string] => e[1] !== undefined));
    const res = await fetch(`${s.url}/webhooks/api/${options.channelId ?? channel.id}`, { method: 'POST', headers, body: options.body ?? body });
    return { status: res.status, body: (await res.json()) as any, headers: signed };
  };
  const message = (id: string, body: string, extra: Record<string, unknown> = {}) => ({ from: { identity: 'external_id:crm:42', name: 'Dana Reyes' }, message: { id, body }, ...extra });
  const thread = async (momentId: string) => (await s.api('GET', `/api/v1/moments/${momentId}/messages`)).body.data as any[];
  const momentsWith = async (text: string, key?: string) => (await s.api('GET', `/api/v1/moments?q=${encodeURIComponent(text)}`, undefined, key)).body.data as any[];
  const reply = async (momentId: string, body: string) => {
    const moment = (await s.api('GET', `/api/v1/moments/${momentId}`)).body;
    const res = await s.api('POST', `/api/v1/moments/${momentId}/messages`, { direction: 'out', body, agentId: moment.ownerId, attachments: [{ fileName: 'label.txt', contentType: 'text/plain', data: Buffer.from('RMA-77').toString('base64') }] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.message as { id: string };
  };
  const later = (minutes: number) => clock.set(clock.now() + minutes * 60_000);

  it('a signed message opens a moment; the same message id again is stored once; the conversation continues', async () => {
    const file = { fileName: 'photo.png', contentType: 'image/png', data: Buffer.from('not really a png').toString('base64') };
    const first = await send(message('crm-1', 'The blender I bought stopped working', { conversationId: 'ticket-9', subject: 'Broken blender', message: { id: 'crm-1', body: 'The blender I bought stopped working', attachments: [file] } }));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toEqual({ momentId: expect.any(String), messageId: expect.any(String), outcome: 'opened' });
    const again = await send(message('crm-1', 'The blender I bought stopped working', { conversationId: 'ticket-9' }));
    expect(again.body).toEqual({ momentId: first.body.momentId, messageId: first.body.messageId, outcome: 'duplicate' });
    const next = await send(message('crm-2', 'It makes a grinding noise', { conversationId: 'ticket-9' }));
    expect(next.body).toMatchObject({ momentId: first.body.momentId, outcome: 'continued' });

    const moment = (await s.api('GET', `/api/v1/moments/${first.body.momentId}`)).body;
    expect(moment).toMatchObject({ channel: 'api', subject: 'Broken blender', externalId: 'ticket-9' });
    const messages = await thread(moment.id);
    expect(messages.map((m) => m.body)).toEqual(['The blender I bought stopped working', 'It makes a grinding noise']);
    expect(messages[0]).toMatchObject({ externalId: 'crm-1', address: 'external_id:crm:42', meta: { webhookId: first.headers['webhook-id'], conversationId: 'ticket-9' } });
    expect(messages[0].attachments).toEqual([expect.objectContaining({ fileName: 'photo.png', contentType: 'image/png', size: 16 })]);
  });

  it('accepts several signatures of which one is valid', async () => {
    const payload = message('crm-3', 'Rotating keys works');
    const body = JSON.stringify(payload);
    const ts = Math.floor(clock.now() / 1000);
    const old = signStandardWebhook(`whsec_${Buffer.from('the old secret').toString('base64')}`, 'msg_rotate', ts, body);
    const valid = signStandardWebhook(SECRET, 'msg_rotate', ts, body);
    const res = await send(payload, { headers: { 'webhook-id': 'msg_rotate', 'webhook-timestamp': String(ts), 'webhook-signature': `${old} ${valid}` } });
    expect(res.status).toBe(200);
  });

  it('checks the next message with a new signing secret as soon as the admin saves it, refusing the old one', async () => {
    const rotated = `whsec_${Buffer.from('a freshly rotated signing secret').toString('base64')}`;
    const rotate = (signingSecret: string) => s.api('PATCH', `/api/v1/channels/${channel.id}`, { secrets: { signingSecret } });
    try {
      expect((await rotate(rotated)).status).toBe(200);
      expect((await send(message('crm-rotated-1', 'Signed with the new secret'), { secret: rotated })).status).toBe(200);
      expect(await send(message('crm-rotated-2', 'Signed with the old secret'))).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    } finally {
      expect((await rotate(SECRET)).status).toBe(200);
    }
  });

  it('refuses unsigned, stale, future, truncated, tampered and wrongly keyed deliveries with 403, storing nothing', async () => {
    const payload = message('crm-forged', 'Forged delivery');
    const signed = standardWebhookHeaders(SECRET, 'msg_x', clock.now(), JSON.stringify(payload));
    const cases = [
      await send(payload, { headers: { 'webhook-signature': undefined } }),
      await send(payload, { headers: { 'webhook-id': undefined } }),
      await send(payload, { headers: { 'webhook-timestamp': undefined } }),
      await send(payload, { headers: { 'webhook-timestamp': 'yesterday' } }),
      await send(payload, { at: clock.now() - 6 * 60_000 }),
      await send(payload, { at: clock.now() + 6 * 60_000 }),
      await send(payload, { headers: { ...signed, 'webhook-signature': signed['webhook-signature'].slice(0, 20) } }),
      await send(payload, { headers: { ...signed, 'webhook-signature': 'v1,' } }),
      await send(payload, { body: JSON.stringify(message('crm-forged', 'Forged delivery, altered')) }),
      await send(payload, { secret: `whsec_${Buffer.from('a guess').toString('base64')}` }),
    ];
    for (const res of cases) {
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'forbidden', field: 'webhook-signature' });
    }
    expect(await momentsWith('Forged delivery')).toEqual([]);
    expect((await send(payload, { channelId: 'no-such-channel' })).status).toBe(404);
    // A NUL in the path is refused naming it, on PostgreSQL too (which cannot even compare it).
    const nul = await send(payload, { channelId: 'a%00b' });
    expect(nul.status).toBe(400);
    expect(nul.body.error).toMatchObject({ code: 'invalid_field', field: 'channelId' });
  });

  it('a signed but malformed message is refused naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ from: { identity: 'external_id:crm:42' }, message: { body: 'no id' } }, 'message.id'],
      [{ from: {}, message: { id: 'x', body: 'no sender' } }, 'from.identity'],
      [message('crm-4', 'bad file', { message: { id: 'crm-4', body: 'bad file', attachments: [{ fileName: 'a', contentType: 'text/plain', data: '!!not base64!!' }] } }), 'message.attachments[0].data'],
      [message('crm-5', 'nul \u0000 inside'), 'message.body'],
      [{ from: { identity: 'nonsense' }, message: { id: 'crm-6', body: 'who?' } }, 'from.identity'],
    ];
    for (const [payload, field] of cases) {
      const res = await send(payload);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.field).toBe(field);
    }
    expect((await send(cases[0]![0])).body.error).toMatchObject({ code: 'missing_field', message: 'message.id is required' });
    const res = await send({}, { body: 'not json at all' });
    expect(res.status).toBe(403); // signed over other bytes
  });

  it('replies go to the receiver signed (same webhook-id on a retry, new signature); an outage is retried', async () => {
    const opened = await send(message('crm-10', 'Please call me about my warranty'));
    receiver.answers.push(503);
    const out = await reply(opened.body.momentId, 'Your warranty covers it; a label is attached');
    await s.tp.worker.drain();
    expect((await thread(opened.body.momentId)).find((m) => m.id === out.id)).toMatchObject({ delivery: 'queued', deliveryError: expect.stringContaining('receiver answered 503') });
    later(15);
    await s.tp.worker.drain();
    expect((await thread(opened.body.momentId)).find((m) => m.id === out.id)).toMatchObject({ delivery: 'sent', deliveryError: null });

    const [failed, delivered] = receiver.deliveries.slice(-2);
    for (const d of [failed!, delivered!]) expect(d.verified).toBe(true);
    expect(failed!.headers['webhook-id']).toBe(out.id);
    expect(delivered!.headers['webhook-id']).toBe(out.id);
    expect(delivered!.headers['webhook-signature']).not.toBe(failed!.headers['webhook-signature']);
    expect(JSON.parse(delivered!.body)).toEqual({
      type: 'message.created',
      timestamp: expect.any(String),
      data: {
        momentId: opened.body.momentId,
        messageId: out.id,
        to: 'external_id:crm:42',
        subject: expect.any(String),
        body: 'Your warranty covers it; a label is attached',
        authorName: expect.any(String),
        attachments: [{ fileName: 'label.txt', contentType: 'text/plain', data: Buffer.from('RMA-77').toString('base64') }],
      },
    });
  });

  it('a receiver refusing (4xx) or redirecting fails the reply at once, with its answer', async () => {
    const opened = await send(message('crm-11', 'Is my order shipped?'));
    receiver.answers.push(422, 302);
    const refused = await reply(opened.body.momentId, 'Yes, yesterday');
    await s.tp.worker.drain();
    const redirected = await reply(opened.body.momentId, 'Tracking number follows');
    await s.tp.worker.drain();
    const messages = await thread(opened.body.momentId);
    expect(messages.find((m) => m.id === refused.id)).toMatchObject({ delivery: 'failed', deliveryError: 'the receiver answered 422' });
    expect(messages.find((m) => m.id === redirected.id)).toMatchObject({ delivery: 'failed', deliveryError: expect.stringContaining('redirects are not followed') });
  });

  it('410 Gone disables the channel and fails the reply; the channel shows failing', async () => {
    const other = await s.api('POST', '/api/v1/channels', { kind: 'api', name: 'Old CRM', settings: { outboundUrl: receiver.url }, secrets: { signingSecret: SECRET } });
    const opened = await send({ ...message('crm-12', 'Old system message'), from: { identity: 'external_id:oldcrm:7' } }, { channelId: other.body.id });
    receiver.answers.push(410);
    const out = await reply(opened.body.momentId, 'Answering into the void');
    // The delivery listener with the 410 hook wired as main.ts is asked to wire it.
    const ctx: MomentsCtx = { deps: s.tp.deps, settings: s.tp.settings, publish: s.tp.stream.publish };
    const listener = deliverReply(ctx, { api: createApiAdapter({ onGone: disableGoneChannel(s.tp.deps), http: providerFetch(s.tp.deps.privateHosts!) }) });
    await listener({ id: 'manual', workspaceId: s.workspace.workspaceId, topic: MOMENT_EVENTS.replyQueued, payload: { messageId: out.id }, attempts: 0 });
    expect((await thread(opened.body.momentId)).find((m) => m.id === out.id)).toMatchObject({ delivery: 'failed', deliveryError: expect.stringContaining('410 Gone') });
    expect((await s.api('GET', `/api/v1/channels/${other.body.id}`)).body).toMatchObject({ enabled: false, health: { state: 'failing', error: expect.stringContaining('410') } });
    // Disabled: its webhook no longer takes messages, and further replies fail without a request.
    expect((await send(message('crm-13', 'Still there?'), { channelId: other.body.id })).status).toBe(404);
  });

  it('two channels each have their own message and conversation ids: message "1" of one is not a repeat of the other’s', async () => {
    const shop = (await s.api('POST', '/api/v1/channels', { kind: 'api', name: 'Shop system', settings: { outboundUrl: receiver.url }, secrets: { signingSecret: SECRET } })).body;
    const crmMessage = { from: { identity: 'external_id:crm:77', name: 'Lee Park' }, message: { id: '1', body: 'CRM ticket one' }, conversationId: 'T-1' };
    const fromCrm = await send(crmMessage);
    const fromShop = await send({ from: { identity: 'external_id:shop:7', name: 'Sam Ortiz' }, message: { id: '1', body: 'Shop order one' }, conversationId: 'T-1' }, { channelId: shop.id });
    expect(fromCrm.body).toMatchObject({ outcome: 'opened' });
    expect(fromShop.body).toMatchObject({ outcome: 'opened' });
    expect(fromShop.body.momentId).not.toBe(fromCrm.body.momentId);
    expect((await thread(fromShop.body.momentId)).map((m) => [m.body, m.externalId])).toEqual([['Shop order one', '1']]);

    // Each system's redelivery and next message find its own moment.
    expect((await send({ from: { identity: 'external_id:shop:7' }, message: { id: '1', body: 'Shop order one' }, conversationId: 'T-1' }, { channelId: shop.id })).body).toEqual({ ...fromShop.body, outcome: 'duplicate' });
    expect((await send(crmMessage)).body).toEqual({ ...fromCrm.body, outcome: 'duplicate' });
    expect((await send({ from: { identity: 'external_id:shop:7' }, message: { id: '2', body: 'Where is it?' }, conversationId: 'T-1' }, { channelId: shop.id })).body).toMatchObject({ momentId: fromShop.body.momentId, outcome: 'continued' });

    // The shop's reply goes to the shop's customer, about the shop's moment.
    const out = await reply(fromShop.body.momentId, 'It ships today');
    await s.tp.worker.drain();
    const sent = receiver.deliveries.find((d) => d.headers['webhook-id'] === out.id);
    expect(JSON.parse(sent!.body).data).toMatchObject({ momentId: fromShop.body.momentId, to: 'external_id:shop:7', body: 'It ships today' });
  });

  it('another workspace’s channel is its own', async () => {
    const b = await createWorkspace(s.tp.deps, { name: 'B', ownerEmail: 'b@api-other.test', ownerPassword: 'another long password' });
    const secretB = `whsec_${Buffer.from('workspace B secret').toString('base64')}`;
    const theirs = (await s.api('POST', '/api/v1/channels', { kind: 'api', name: 'B CRM', settings: { outboundUrl: receiver.url }, secrets: { signingSecret: secretB } }, b.apiKey)).body;
    expect((await send(message('b-1', 'Only for workspace B'), { channelId: theirs.id })).status).toBe(403);
    expect((await send(message('b-1', 'Only for workspace B'), { channelId: theirs.id, secret: secretB })).status).toBe(200);
    expect(await momentsWith('Only for workspace B')).toEqual([]);
    expect(await momentsWith('Only for workspace B', b.apiKey)).toHaveLength(1);
  });
});
