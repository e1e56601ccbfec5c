import { lookup } from 'node:dns/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { standardWebhookHeaders } from '../src/platform/standard-webhooks.ts';
import { ENGINES, startServer, type Running } from './harness.ts';

const SECRET = 'whsec_' + Buffer.from('a signing secret of thirty-two!!').toString('base64');

/** A workspace admin must not point the server at the machine's own services (SSRF). */
describe.each(ENGINES)('channels never call this machine or a private network unless the operator allows it, on %s', (engine) => {
  let s: Running;
  let internal: http.Server;
  let internalUrl = '';
  const asked: string[] = [];
  beforeAll(async () => {
    // An internal service that would answer with something secret.
    internal = http.createServer((req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"internal admin token missing"}');
    });
    await new Promise<void>((resolve) => internal.listen(0, '0.0.0.0', resolve));
    internalUrl = `:${(internal.address() as AddressInfo).port}/admin`;
    s = await startServer(engine, { allowPrivateHosts: '' });
  });
  afterAll(async () => {
    await s?.stop();
    await new Promise((resolve) => internal.close(resolve));
  });
  const create = (body: Record<string, unknown>) => s.api('POST', '/api/v1/channels', body);

  it('refuses a channel whose settings name a loopback, private or link-local host, naming the setting', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'api', name: 'Loopback', settings: { outboundUrl: `http://127.0.0.1${internalUrl}` }, secrets: { signingSecret: SECRET } }, 'settings.outboundUrl'],
      [{ kind: 'api', name: 'Metadata', settings: { outboundUrl: 'http://169.254.169.254/latest/meta-data' }, secrets: { signingSecret: SECRET } }, 'settings.outboundUrl'],
      [{ kind: 'api', name: 'Office', settings: { outboundUrl: 'https://10.1.2.3/hook' }, secrets: { signingSecret: SECRET } }, 'settings.outboundUrl'],
      [{ kind: 'email', name: 'Relay', address: 'help@acme.test', settings: { smtp: { host: 'localhost', port: 25 } } }, 'settings.smtp.host'],
      [{ kind: 'whatsapp', name: 'Graph', address: '+447700900123', settings: { phoneNumberId: 'PN1', apiBaseUrl: 'http://[::1]:8080' }, secrets: { accessToken: 't', appSecret: 'a', verifyToken: 'v' } }, 'settings.apiBaseUrl'],
    ];
    for (const [body, field] of cases) {
      const res = await create(body);
      expect([res.status, res.body.error?.field], JSON.stringify(res.body)).toEqual([400, field]);
      expect(res.body.error.message).toContain('TOUCHPOINT_ALLOW_PRIVATE_HOSTS');
    }
    expect((await s.api('GET', '/api/v1/channels')).body.data).toEqual([]);
  });

  it('refuses to deliver to a name that resolves to a private address, without calling it', async (context) => {
    const name = os.hostname();
    const resolved = await lookup(name).catch(() => null);
    if (!resolved || !/^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|::1$)/.test(resolved.address)) return context.skip();
    const channel = await create({ kind: 'api', name: 'By name', settings: { outboundUrl: `http://${name}${internalUrl}` }, secrets: { signingSecret: SECRET } });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    const body = JSON.stringify({ from: { identity: 'external_id:crm:7' }, message: { id: 'crm-7', body: 'Hello' } });
    const delivered = await fetch(`${s.url}/webhooks/api/${channel.body.id}`, { method: 'POST', headers: { 'content-type': 'application/json', ...standardWebhookHeaders(SECRET, 'msg_1', Date.now(), body) }, body });
    const { momentId } = (await delivered.json()) as { momentId: string };
    const moment = (await s.api('GET', `/api/v1/moments/${momentId}`)).body;
    const sent = await s.api('POST', `/api/v1/moments/${momentId}/messages`, { direction: 'out', body: 'Hi!', agentId: moment.ownerId });
    expect(sent.status).toBe(201);
    await s.tp.worker.drain();
    const reply = (await s.api('GET', `/api/v1/moments/${momentId}/messages`)).body.data.at(-1);
    expect(reply).toMatchObject({ delivery: 'failed', deliveryError: expect.stringContaining('resolves to a private address') });
    expect(reply.deliveryError).not.toContain('internal admin token');
    expect(asked).toEqual([]);
  });

  it('refuses a provider base URL whose name resolves to a private address, when called, for good and without calling it', async (context) => {
    const name = os.hostname();
    const resolved = await lookup(name).catch(() => null);
    if (!resolved || !/^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|::1$)/.test(resolved.address)) return context.skip();
    const port = internalUrl.split('/')[0];
    const channel = await create({ kind: 'whatsapp', name: 'Graph by name', address: '+447700900124', settings: { phoneNumberId: 'PN9', apiBaseUrl: `http://${name}${port}` }, secrets: { accessToken: 't', appSecret: 'a', verifyToken: 'v' } });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    const payload = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: 'PN9' }, contacts: [{ profile: { name: 'Ann' }, wa_id: '447700900999' }], messages: [{ from: '447700900999', id: 'wamid.SSRF', timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'Hi' } }] } }] }] });
    const { signMetaBody } = await import('../src/channels/meta/verify-signature.ts');
    const delivered = await fetch(`${s.url}/webhooks/meta/${channel.body.id}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody('a', payload) }, body: payload });
    expect(delivered.status).toBe(200);
    const [moment] = (await s.api('GET', '/api/v1/moments?channel=whatsapp')).body.data;
    expect((await s.api('POST', `/api/v1/moments/${moment.id}/messages`, { direction: 'out', body: 'Hello Ann', agentId: moment.ownerId })).status).toBe(201);
    await s.tp.worker.drain();
    const reply = (await s.api('GET', `/api/v1/moments/${moment.id}/messages`)).body.data.at(-1);
    expect(reply).toMatchObject({ delivery: 'failed', deliveryError: expect.stringContaining(`${name} resolves to a private address`) });
    expect(asked).toEqual([]);
  });
});
