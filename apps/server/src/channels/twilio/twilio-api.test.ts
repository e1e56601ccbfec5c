import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelRecord } from '../../modules/channels/index.ts';
import { DeliveryError } from '../channel-adapter.ts';
import { sendTwilioSms } from './twilio-api.ts';
import { guardedFetch } from '../../platform/guarded-fetch.ts';
import { privateHostsAllowed } from '../../platform/private-hosts.ts';

/** The stand-in providers listen on this machine, which channels may call only where allowed. */
const provider = guardedFetch(privateHostsAllowed('127.0.0.1'));

type Seen = { path: string; auth: string | undefined; form: URLSearchParams };

/** A stand-in for Twilio's Messages API that answers what the test queues. */
describe('sendTwilioSms against a Twilio stand-in', () => {
  const seen: Seen[] = [];
  const answers: { status: number; body?: unknown; delayMs?: number }[] = [];
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        seen.push({ path: req.url ?? '', auth: req.headers.authorization, form: new URLSearchParams(raw) });
        const answer = answers.shift() ?? { status: 201, body: { sid: 'SM00000000000000000000000000000001', status: 'queued' } };
        setTimeout(() => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body === undefined ? '' : JSON.stringify(answer.body)), answer.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const channel = (settings: Record<string, unknown> = {}): ChannelRecord => ({
    workspaceId: 'w', id: 'c', kind: 'sms', name: 'SMS', businessUnitId: null, address: '+15005550006',
    settings: { accountSid: 'AC123', apiBaseUrl: base, ...settings }, secrets: { authToken: 'tok' }, costPerContact: 0, currency: 'USD', enabled: true,
  });
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    return error as DeliveryError;
  };

  it('posts the documented form with HTTP Basic and returns the sid', async () => {
    const sid = await sendTwilioSms(provider, channel(), { to: '+14155550100', body: 'Hello there', statusCallback: 'https://tp.example/webhooks/twilio/c/status?message=m1' });
    expect(sid).toBe('SM00000000000000000000000000000001');
    const request = seen.at(-1)!;
    expect(request.path).toBe('/2010-04-01/Accounts/AC123/Messages.json');
    expect(request.auth).toBe(`Basic ${Buffer.from('AC123:tok').toString('base64')}`);
    expect(Object.fromEntries(request.form)).toEqual({ To: '+14155550100', From: '+15005550006', Body: 'Hello there', StatusCallback: 'https://tp.example/webhooks/twilio/c/status?message=m1' });
  });

  it('sends from the messaging service when one is set, and without a status URL when there is none', async () => {
    await sendTwilioSms(provider, channel({ messagingServiceSid: 'MG1' }), { to: '+14155550100', body: 'x', statusCallback: null });
    expect(Object.fromEntries(seen.at(-1)!.form)).toEqual({ To: '+14155550100', Body: 'x', MessagingServiceSid: 'MG1' });
  });

  it('a rejected request is final, in Twilio’s words', async () => {
    answers.push({ status: 400, body: { code: 21211, message: "The 'To' number +1555 is not a valid phone number.", more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 } });
    const error = await failure(sendTwilioSms(provider, channel(), { to: '+1555', body: 'x', statusCallback: null }));
    expect(error.retryable).toBe(false);
    expect(error.message).toBe("Twilio error 21211: The 'To' number +1555 is not a valid phone number. (HTTP 400)");
  });

  it('an outage, rate limiting and refused credentials are retried, with the reason', async () => {
    answers.push({ status: 503 }, { status: 429, body: { code: 20429, message: 'Too Many Requests', status: 429 } }, { status: 401, body: { code: 20003, message: 'Authenticate', status: 401 } });
    const outage = await failure(sendTwilioSms(provider, channel(), { to: '+14155550100', body: 'x', statusCallback: null }));
    expect(outage).toMatchObject({ retryable: true, message: expect.stringContaining('503') });
    expect(await failure(sendTwilioSms(provider, channel(), { to: '+14155550100', body: 'x', statusCallback: null }))).toMatchObject({ retryable: true, message: 'Twilio error 20429: Too Many Requests (HTTP 429)' });
    const refused = await failure(sendTwilioSms(provider, channel(), { to: '+14155550100', body: 'x', statusCallback: null }));
    expect(refused).toMatchObject({ retryable: true, message: expect.stringContaining('expired or been rotated') });
  });

  it('a timeout and an unreachable API are retried', async () => {
    answers.push({ status: 201, body: { sid: 'SMlate' }, delayMs: 500 });
    expect(await failure(sendTwilioSms(provider, channel(), { to: '+14155550100', body: 'x', statusCallback: null }, { timeoutMs: 100 }))).toMatchObject({ retryable: true, message: 'Twilio did not answer within 0.1 s' });
    const closed = await failure(sendTwilioSms(provider, channel({ apiBaseUrl: 'http://127.0.0.1:9' }), { to: '+14155550100', body: 'x', statusCallback: null }));
    expect(closed).toMatchObject({ retryable: true, message: expect.stringContaining('could not be reached') });
  });
});
