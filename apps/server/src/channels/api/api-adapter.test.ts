import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelRecord } from '../../modules/channels/index.ts';
import type { OutboundReply } from '../../modules/moments/index.ts';
import { verifyStandardWebhook } from '../../platform/standard-webhooks.ts';
import { DeliveryError } from '../channel-adapter.ts';
import { createApiAdapter } from './api-adapter.ts';
import { guardedFetch } from '../../platform/guarded-fetch.ts';
import { privateHostsAllowed } from '../../platform/private-hosts.ts';

/** The receivers these tests stand up are on this machine. */
const LOCAL = guardedFetch(privateHostsAllowed('127.0.0.1'));

const SECRET = `whsec_${Buffer.from('a signing secret for tests').toString('base64')}`;

describe('API channel adapter against a receiver', () => {
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const answers: { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }[] = [];
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        const answer = answers.shift() ?? { status: 204 };
        setTimeout(() => res.writeHead(answer.status, answer.headers).end(answer.body ?? ''), answer.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/touchpoint`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const channel = (): ChannelRecord => ({
    workspaceId: 'w', id: 'c', kind: 'api', name: 'CRM', businessUnitId: null, address: null,
    settings: { outboundUrl: url }, secrets: { signingSecret: SECRET }, costPerContact: 0, currency: 'USD', enabled: true,
  });
  const reply: OutboundReply = {
    workspaceId: 'w', messageId: 'msg-1', momentId: 'mom-1', channelId: 'c', channel: 'api', body: 'Your refund is on its way', subject: 'Refund', delivery: 'queued',
    to: 'external_id:crm:42', thread: [], attachments: [{ fileName: 'receipt.txt', contentType: 'text/plain', data: Buffer.from('paid') }], meta: {}, lastInboundAt: null, authorName: 'Ana',
  };
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    return error as DeliveryError;
  };

  it('posts a signed message.created the receiver can verify; the id stays, the signature changes per attempt', async () => {
    let clock = 1_800_000_000_000;
    const adapter = createApiAdapter({ now: () => clock, http: LOCAL });
    expect(await adapter.send(channel(), reply)).toEqual({ providerMessageId: null });
    clock += 60_000;
    await adapter.send(channel(), reply);
    const [first, second] = received.slice(-2);
    for (const [delivery, at] of [[first!, 1_800_000_000_000], [second!, 1_800_000_060_000]] as const) {
      expect(verifyStandardWebhook(SECRET, delivery.headers as Record<string, string>, delivery.body, at)).toMatchObject({ ok: true, id: 'msg-1' });
      expect(delivery.headers['content-type']).toBe('application/json');
    }
    expect(first!.headers['webhook-id']).toBe(second!.headers['webhook-id']);
    expect(first!.headers['webhook-signature']).not.toBe(second!.headers['webhook-signature']);
    expect(JSON.parse(first!.body)).toEqual({
      type: 'message.created',
      timestamp: new Date(1_800_000_000_000).toISOString(),
      data: { momentId: 'mom-1', messageId: 'msg-1', to: 'external_id:crm:42', subject: 'Refund', body: 'Your refund is on its way', authorName: 'Ana', attachments: [{ fileName: 'receipt.txt', contentType: 'text/plain', data: Buffer.from('paid').toString('base64') }] },
    });
  });

  it('a redirect and other 4xx are final; 408, 429, 5xx and timeouts are retried', async () => {
    const adapter = createApiAdapter({ timeoutMs: 100, http: LOCAL });
    answers.push({ status: 301, headers: { location: 'https://elsewhere.example/hooks' } });
    expect(await failure(adapter.send(channel(), reply))).toMatchObject({ retryable: false, message: expect.stringContaining('redirect to https://elsewhere.example/hooks') });
    answers.push({ status: 400, body: 'unknown customer' });
    expect(await failure(adapter.send(channel(), reply))).toMatchObject({ retryable: false, message: 'the receiver answered 400: unknown customer' });
    for (const status of [408, 429, 500, 503]) {
      answers.push({ status });
      expect((await failure(adapter.send(channel(), reply))).retryable).toBe(true);
    }
    answers.push({ status: 200, delayMs: 400 });
    expect(await failure(adapter.send(channel(), reply))).toMatchObject({ retryable: true, message: 'the receiver did not answer within 0.1 s' });
  });

  it('410 Gone disables the channel and fails the reply', async () => {
    const gone: string[] = [];
    const adapter = createApiAdapter({ onGone: async (c, reason) => void gone.push(`${c.id}: ${reason}`), http: LOCAL });
    answers.push({ status: 410 });
    expect(await failure(adapter.send(channel(), reply))).toMatchObject({ retryable: false, message: 'the receiver answered 410 Gone: the channel was disabled' });
    expect(gone).toEqual(['c: the receiver answered 410 Gone: the channel was disabled']);
    answers.push({ status: 410 });
    const failing = createApiAdapter({ onGone: async () => Promise.reject(new Error('database away')), http: LOCAL });
    expect(await failure(failing.send(channel(), reply))).toMatchObject({ retryable: false, message: 'the receiver answered 410 Gone; the channel could not be disabled: database away' });
    answers.push({ status: 410 });
    expect(await failure(createApiAdapter({ http: LOCAL }).send(channel(), reply))).toMatchObject({ retryable: false, message: expect.stringContaining('gone for good') });
  });

  it('refuses a channel without a usable URL or secret, without trying', async () => {
    const adapter = createApiAdapter({ http: LOCAL });
    expect(await failure(adapter.send({ ...channel(), settings: { outboundUrl: 'ftp://x' } }, reply))).toMatchObject({ retryable: false });
    expect(await failure(adapter.send({ ...channel(), secrets: { signingSecret: 'whsec_' } }, reply))).toMatchObject({ retryable: false, message: expect.stringContaining('whsec_') });
  });
});
