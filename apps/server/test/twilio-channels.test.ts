import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { twilioSignature } from '../src/channels/twilio/twilio-signature.ts';
import { createWorkspace } from '../src/modules/workspaces/index.ts';
import { fixedClock } from '../src/platform/clock.ts';
import { ENGINES, startServer, type Running } from './harness.ts';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'twilio-auth-token-0123456789';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

type TwilioRequest = { readonly path: string; readonly auth: string | undefined; readonly form: Record<string, string> };
type Answer = { readonly status: number; readonly body?: unknown };

/**
 * A stand-in for Twilio: the Messages API (POST /2010-04-01/Accounts/{sid}/Messages.json →
 * 201 {"sid":"SM…"}, or whatever a test queues) and media URLs that need the account's Basic auth.
 */
async function startFakeTwilio() {
  const requests: TwilioRequest[] = [];
  const answers: Answer[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const auth = req.headers.authorization;
      if (req.method === 'GET' && req.url?.startsWith('/media/')) {
        if (auth !== `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`) return void res.writeHead(401).end();
        if (req.url === '/media/ME0001') return void res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
        return void res.writeHead(500).end();
      }
      requests.push({ path: req.url ?? '', auth, form: Object.fromEntries(new URLSearchParams(raw)) });
      const answer = answers.shift() ?? { status: 201, body: { sid: `SM${String(++n).padStart(32, '0')}`, status: 'queued' } };
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answers,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe.each(ENGINES)('Twilio SMS and Voice on %s', (engine) => {
  let s: Running;
  let twilio: Awaited<ReturnType<typeof startFakeTwilio>>;
  const clock = fixedClock(Date.now());
  let sms: { id: string };
  let voice: { id: string };

  beforeAll(async () => {
    s = await startServer(engine, { clock });
    twilio = await startFakeTwilio();
    sms = await connect(s, { kind: 'sms', name: 'SMS US', address: '+15005550006', settings: { accountSid: ACCOUNT, apiBaseUrl: twilio.url, publicUrl: s.url }, secrets: { authToken: TOKEN } });
    voice = await connect(s, { kind: 'voice', name: 'Support line', address: '+15005550007', settings: { accountSid: ACCOUNT, apiBaseUrl: twilio.url, publicUrl: s.url }, secrets: { authToken: TOKEN } });
  });
  afterAll(async () => {
    await s?.stop();
    await twilio?.close();
  });

  /** Posts a form as Twilio would: signed with the token over the full URL and the params. */
  const post = async (path: string, params: Record<string, string>, options: { token?: string; signedUrl?: string; signature?: string | null; sent?: Record<string, string> } = {}) => {
    const url = s.url + path;
    const signature = options.signature !== undefined ? options.signature : twilioSignature(options.token ?? TOKEN, options.signedUrl ?? url, params);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'x-twilio-signature': signature }) },
      body: new URLSearchParams(options.sent ?? params).toString(),
    });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };
  const inbound = (from: string, sid: string, body: string, extra: Record<string, string> = {}) => ({ AccountSid: ACCOUNT, MessageSid: sid, SmsSid: sid, From: from, To: '+15005550006', Body: body, NumMedia: '0', SmsStatus: 'received', ApiVersion: '2010-04-01', ...extra });
  const momentWith = async (text: string, key?: string) => (await s.api('GET', `/api/v1/moments?q=${encodeURIComponent(text)}&status=open,pending,snoozed,resolved,closed`, undefined, key)).body.data as any[];
  const thread = async (momentId: string) => (await s.api('GET', `/api/v1/moments/${momentId}/messages`)).body.data as any[];
  const reply = async (moment: { id: string; ownerId: string }, body: string) => {
    const res = await s.api('POST', `/api/v1/moments/${moment.id}/messages`, { direction: 'out', body, agentId: moment.ownerId });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.message as { id: string };
  };
  const messageById = async (momentId: string, id: string) => (await thread(momentId)).find((m) => m.id === id);
  const later = (minutes: number) => clock.set(clock.now() + minutes * 60_000);

  it('shows the URLs to paste into the number’s Messaging and Voice settings', async () => {
    const shown = (await s.api('GET', `/api/v1/channels/${voice.id}`)).body.webhooks;
    expect(shown).toMatchObject({ incoming: `${s.url}/webhooks/twilio/${voice.id}/voice`, status: `${s.url}/webhooks/twilio/${voice.id}/status` });
    expect((await s.api('GET', `/api/v1/channels/${sms.id}`)).body.webhooks).toEqual({ incoming: `${s.url}/webhooks/twilio/${sms.id}/sms`, status: `${s.url}/webhooks/twilio/${sms.id}/status` });
  });

  it('an inbound SMS with media opens a moment; media is downloaded with the account’s credentials; a failed download keeps its URL', async () => {
    const params = inbound('+14155550101', 'SM' + 'a'.repeat(32), 'My parcel arrived broken', {
      NumMedia: '2', MediaUrl0: `${twilio.url}/media/ME0001`, MediaContentType0: 'image/png', MediaUrl1: `${twilio.url}/media/ME0002`, MediaContentType1: 'image/jpeg',
    });
    const res = await post(`/webhooks/twilio/${sms.id}/sms`, params);
    expect(res).toEqual({ status: 200, type: expect.stringContaining('text/xml'), text: '<?xml version="1.0" encoding="UTF-8"?><Response/>' });
    const [moment] = await momentWith('parcel arrived broken');
    expect(moment).toMatchObject({ channel: 'sms', status: 'open' });
    const [message] = await thread(moment.id);
    expect(message).toMatchObject({ direction: 'in', body: 'My parcel arrived broken', externalId: 'SM' + 'a'.repeat(32), address: '+14155550101' });
    expect(message.attachments).toEqual([expect.objectContaining({ fileName: 'ME0001.png', contentType: 'image/png', size: PNG.length })]);
    expect(message.meta.media).toEqual([
      { url: `${twilio.url}/media/ME0001`, contentType: 'image/png', stored: true },
      { url: `${twilio.url}/media/ME0002`, contentType: 'image/jpeg', stored: false, error: 'download answered 500' },
    ]);
    const file = await fetch(`${s.url}/api/v1/attachments/${message.attachments[0].id}`, { headers: { authorization: `Bearer ${s.workspace.apiKey}` } });
    expect(Buffer.from(await file.arrayBuffer())).toEqual(PNG);
    // The customer is their phone number.
    const customer = (await s.api('GET', `/api/v1/customers/${moment.customerId}`)).body;
    expect(JSON.stringify(customer)).toContain('+14155550101');
  });

  it('an SMS with no text shows as empty, or as the file it carried, never as nothing', async () => {
    expect((await post(`/webhooks/twilio/${sms.id}/sms`, inbound('+14155550177', 'SM' + '7'.repeat(32), ''))).status).toBe(200);
    const customer = (await s.api('GET', `/api/v1/customers?identity=${encodeURIComponent('phone:+14155550177')}`)).body.data[0];
    const [moment] = (await s.api('GET', `/api/v1/moments?customer=${customer.id}`)).body.data;
    expect(moment.preview).toBe('(empty message)');
    expect((await thread(moment.id))[0].body).toBe('(empty message)');
    const photo = inbound('+14155550177', 'SM' + '9'.repeat(32), '', { NumMedia: '1', MediaUrl0: `${twilio.url}/media/ME0001`, MediaContentType0: 'image/png' });
    expect((await post(`/webhooks/twilio/${sms.id}/sms`, photo)).status).toBe(200);
    expect((await thread(moment.id)).map((m) => m.body)).toEqual(['(empty message)', '(ME0001.png)']);
  });

  it('checks the next callback with a new auth token as soon as the admin saves it, refusing the old one', async () => {
    const rotate = (authToken: string) => s.api('PATCH', `/api/v1/channels/${sms.id}`, { secrets: { authToken } });
    const status = { AccountSid: ACCOUNT, MessageSid: 'SM' + 'f'.repeat(32), MessageStatus: 'delivered' };
    expect((await post(`/webhooks/twilio/${sms.id}/status`, status)).status).toBe(200);
    try {
      expect((await rotate('rotated-twilio-token')).status).toBe(200);
      expect((await post(`/webhooks/twilio/${sms.id}/status`, status, { token: 'rotated-twilio-token' })).status).toBe(200);
      expect((await post(`/webhooks/twilio/${sms.id}/status`, status)).status).toBe(403);
    } finally {
      expect((await rotate(TOKEN)).status).toBe(200);
    }
  });

  it('answers signed callbacks with odd or missing fields with a 2xx or a 4xx, never a server error', async () => {
    // Ids and numbers of their own: the tests below use theirs on the same server.
    const odd: Record<string, string>[] = [
      {},
      { AccountSid: ACCOUNT },
      inbound('', 'SMODD1', 'no sender'),
      inbound('not a number', 'SMODD2', 'odd sender'),
      inbound('+14155550191', '', 'no sid'),
      inbound('+14155550192', 'SMODD3', 'odd media', { NumMedia: 'many', MediaUrl0: 'not a url', MediaContentType0: '' }),
      inbound('+14155550193', 'SMODD4', 'media count past the urls', { NumMedia: '99' }),
      inbound('+14155550194', 'x'.repeat(5_000), 'long sid'),
      { MessageSid: 'SM-unknown', MessageStatus: 'delivered' },
      { MessageSid: 'SM-unknown', MessageStatus: 'exploded', ErrorCode: 'abc' },
      { CallSid: 'CAODD1', CallStatus: 'completed', CallDuration: 'long', From: '+14155550195' },
      { CallSid: 'CAODD1', RecordingUrl: 'not a url', RecordingDuration: '-5', RecordingSid: 'RE1' },
      { CallSid: 'CA-unknown', TranscriptionText: 'x'.repeat(10_000), TranscriptionStatus: 'completed' },
    ];
    for (const params of odd) {
      for (const path of [`/webhooks/twilio/${sms.id}/sms`, `/webhooks/twilio/${sms.id}/status`, `/webhooks/twilio/${voice.id}/voice`, `/webhooks/twilio/${voice.id}/recording`, `/webhooks/twilio/${voice.id}/transcription`, `/webhooks/twilio/${voice.id}/status`]) {
        const res = await post(path, params);
        expect(res.status, `${path} ${JSON.stringify(params).slice(0, 200)} → ${res.text.slice(0, 200)}`).toBeLessThan(500);
      }
    }
  });

  it('the same MessageSid twice is stored once; a second SMS continues the moment', async () => {
    const first = inbound('+14155550102', 'SM' + 'b'.repeat(32), 'Where is order 1234?');
    expect((await post(`/webhooks/twilio/${sms.id}/sms`, first)).status).toBe(200);
    expect((await post(`/webhooks/twilio/${sms.id}/sms`, first)).status).toBe(200);
    expect((await post(`/webhooks/twilio/${sms.id}/sms`, inbound('+14155550102', 'SM' + 'c'.repeat(32), 'Any news?'))).status).toBe(200);
    const found = await momentWith('order 1234');
    expect(found).toHaveLength(1);
    expect((await thread(found[0].id)).map((m) => m.body)).toEqual(['Where is order 1234?', 'Any news?']);
  });

  it('refuses a bad signature with 403 and stores nothing; an unknown channel is 404', async () => {
    const params = inbound('+14155550103', 'SM' + 'd'.repeat(32), 'Forged message');
    const path = `/webhooks/twilio/${sms.id}/sms`;
    const refused = [
      await post(path, params, { token: 'not-the-token' }),
      await post(path, params, { sent: { ...params, Body: 'Altered message' } }),
      await post(path, params, { sent: { ...params, Extra: 'added' } }),
      await post(path, params, { signature: null }),
      await post(path, params, { signedUrl: `${s.url}/webhooks/twilio/${voice.id}/sms` }),
    ];
    for (const res of refused) {
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text).error).toMatchObject({ code: 'forbidden' });
    }
    expect(await momentWith('Forged message')).toEqual([]);
    expect(await momentWith('Altered message')).toEqual([]);
    expect((await post(`/webhooks/twilio/${voice.id}/sms`, params)).status).toBe(404);
    expect((await post('/webhooks/twilio/no-such-channel/sms', params)).status).toBe(404);
    const json = await fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
    expect(json.status).toBe(400);
    const xml = await fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<x/>' });
    expect(xml.status).toBe(400);
    expect(((await xml.json()) as any).error.field).toBe('content-type');
  });

  it('behind a proxy the public URL is what Twilio signed', async () => {
    const proxied = await connect(s, { kind: 'sms', name: 'Proxied', address: '+15005550008', settings: { accountSid: ACCOUNT, publicUrl: 'https://touchpoint.example.com/' }, secrets: { authToken: TOKEN } });
    const path = `/webhooks/twilio/${proxied.id}/sms`;
    // The URL shown to paste into Twilio's console is the one its signature is checked against.
    expect((proxied as any).webhooks).toEqual({ incoming: `https://touchpoint.example.com${path}`, status: `https://touchpoint.example.com/webhooks/twilio/${proxied.id}/status` });
    const params = inbound('+14155550104', 'SM' + 'e'.repeat(32), 'Through the proxy');
    expect((await post(path, params)).status).toBe(403);
    expect((await post(path, params, { signedUrl: `https://touchpoint.example.com${path}` })).status).toBe(200);
    expect(await momentWith('Through the proxy')).toHaveLength(1);
  });

  it('a reply goes out through the Messages API; status callbacks move it to delivered, or failed with Twilio’s code', async () => {
    await post(`/webhooks/twilio/${sms.id}/sms`, inbound('+14155550105', 'SM' + 'f'.repeat(32), 'Can I change my address?'));
    const [moment] = await momentWith('change my address');
    const out = await reply(moment, 'Yes, send us the new one');
    await s.tp.worker.drain();
    const sent = twilio.requests.at(-1)!;
    expect(sent.path).toBe(`/2010-04-01/Accounts/${ACCOUNT}/Messages.json`);
    expect(sent.auth).toBe(`Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`);
    expect(sent.form).toEqual({ To: '+14155550105', From: '+15005550006', Body: 'Yes, send us the new one', StatusCallback: `${s.url}/webhooks/twilio/${sms.id}/status?message=${out.id}` });
    const sid = (await messageById(moment.id, out.id)).externalId;
    expect(await messageById(moment.id, out.id)).toMatchObject({ delivery: 'sent', externalId: expect.stringMatching(/^SM/) });

    const status = (MessageStatus: string, extra: Record<string, string> = {}) => ({ AccountSid: ACCOUNT, MessageSid: sid, SmsSid: sid, MessageStatus, SmsStatus: MessageStatus, To: '+14155550105', From: '+15005550006', ApiVersion: '2010-04-01', ...extra });
    const callback = sent.form.StatusCallback!.slice(s.url.length);
    for (const state of ['sent', 'delivered', 'sent']) expect((await post(callback, status(state))).status).toBe(200);
    expect(await messageById(moment.id, out.id)).toMatchObject({ delivery: 'delivered', deliveryError: null });

    // A report without our id (configured elsewhere) finds the message by its MessageSid.
    const second = await reply(moment, 'Done');
    await s.tp.worker.drain();
    const sid2 = (await messageById(moment.id, second.id)).externalId;
    expect((await post(`/webhooks/twilio/${sms.id}/status`, { ...status('undelivered', { ErrorCode: '30003' }), MessageSid: sid2, SmsSid: sid2 })).status).toBe(200);
    expect(await messageById(moment.id, second.id)).toMatchObject({ delivery: 'failed', deliveryError: 'Twilio error 30003' });
    // Forged reports change nothing.
    expect((await post(callback, status('failed'), { token: 'wrong' })).status).toBe(403);
    expect(await messageById(moment.id, out.id)).toMatchObject({ delivery: 'delivered' });

    // Over Twilio's 1,600 characters: several messages, cut between words, the first one tracked.
    const requestsBefore = twilio.requests.length;
    const long = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    const third = await reply(moment, long);
    await s.tp.worker.drain();
    const parts = twilio.requests.slice(requestsBefore).map((r) => r.form);
    expect(parts).toHaveLength(2);
    expect(parts.every((p) => p.Body!.length <= 1_600)).toBe(true);
    expect(parts.map((p) => p.Body).join(' ')).toBe(long);
    expect(parts[0]!.StatusCallback).toContain(`message=${third.id}`);
    expect(parts[1]!.StatusCallback).toBeUndefined();
    expect(await messageById(moment.id, third.id)).toMatchObject({ delivery: 'sent' });
  });

  it('an outage is retried with backoff, then sent; an invalid number fails with Twilio’s message; refused credentials fail after the retries', async () => {
    await post(`/webhooks/twilio/${sms.id}/sms`, inbound('+14155550106', 'SM' + '1'.repeat(32), 'Is the shop open on Sunday?'));
    const [moment] = await momentWith('open on Sunday');

    twilio.answers.push({ status: 503 });
    const out = await reply(moment, 'Yes, 10 to 4');
    await s.tp.worker.drain();
    expect(await messageById(moment.id, out.id)).toMatchObject({ delivery: 'queued', deliveryError: expect.stringContaining('attempt 1 failed: Twilio answered 503') });
    later(15);
    await s.tp.worker.drain();
    expect(await messageById(moment.id, out.id)).toMatchObject({ delivery: 'sent', externalId: expect.stringMatching(/^SM/) });

    twilio.answers.push({ status: 400, body: { code: 21211, message: "The 'To' number +14155550106 is not a valid phone number.", more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 } });
    const invalid = await reply(moment, 'And on Monday');
    await s.tp.worker.drain();
    expect(await messageById(moment.id, invalid.id)).toMatchObject({ delivery: 'failed', deliveryError: "Twilio error 21211: The 'To' number +14155550106 is not a valid phone number. (HTTP 400)" });
    // One invalid number is that reply's trouble: the channel still shows the last send went through.
    expect((await s.api('GET', `/api/v1/channels/${sms.id}`)).body.health).toMatchObject({ state: 'ok' });

    const refused = await reply(moment, 'See you');
    for (let attempt = 0; attempt < 9; attempt++) {
      twilio.answers.push({ status: 401, body: { code: 20003, message: 'Authenticate', status: 401 } });
      await s.tp.worker.drain();
      later(15);
    }
    expect(await messageById(moment.id, refused.id)).toMatchObject({ delivery: 'failed', deliveryError: expect.stringContaining('expired or been rotated') });
    expect((await s.api('GET', `/api/v1/channels/${sms.id}`)).body.health).toMatchObject({ state: 'failing', error: expect.stringContaining('Twilio error 20003') });
  });

  it('a long reply whose later part meets an outage is retried from that part, never re-sending the first; failed only once retries run out', async () => {
    await post(`/webhooks/twilio/${sms.id}/sms`, inbound('+14155550120', 'SM' + '2'.repeat(32), 'Tell me everything about returns'));
    const [moment] = await momentWith('everything about returns');
    const long = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    const requestsBefore = twilio.requests.length;
    const bodies = () => twilio.requests.slice(requestsBefore).map((r) => r.form.Body!);

    // Part 1 accepted, part 2 refused for a while, then accepted.
    twilio.answers.push({ status: 201, body: { sid: 'SM' + 'p'.repeat(32), status: 'queued' } }, { status: 503 }, { status: 503 });
    const out = await reply(moment, long);
    await s.tp.worker.drain();
    expect(await messageById(moment.id, out.id)).toMatchObject({ delivery: 'queued', deliveryError: 'attempt 1 failed: only 1 of 2 parts were sent: Twilio answered 503 Service Unavailable (HTTP 503)' });
    later(15);
    await s.tp.worker.drain();
    later(15);
    await s.tp.worker.drain();
    expect(await messageById(moment.id, out.id)).toMatchObject({ delivery: 'sent', externalId: 'SM' + 'p'.repeat(32), meta: { sentParts: ['SM' + 'p'.repeat(32), expect.stringMatching(/^SM/)] } });
    const [first, second] = [...new Set(bodies())];
    expect(bodies()).toEqual([first, second, second, second]);
    expect(`${first} ${second}`).toBe(long);

    // An outage that outlasts the retries: failed, saying what the customer got; part 1 went once.
    const before = twilio.requests.length;
    const doomed = await reply(moment, long);
    twilio.answers.push({ status: 201, body: { sid: 'SM' + 'q'.repeat(32), status: 'queued' } });
    for (let attempt = 0; attempt < 9; attempt++) {
      twilio.answers.push({ status: 503 });
      await s.tp.worker.drain();
      later(15);
    }
    expect(await messageById(moment.id, doomed.id)).toMatchObject({ delivery: 'failed', deliveryError: 'only 1 of 2 parts were sent: Twilio answered 503 Service Unavailable (HTTP 503)' });
    expect(twilio.requests.slice(before).map((r) => r.form.Body)).toEqual([first, ...Array(9).fill(second)]);
  });

  it('a reply Twilio accepts under an id another message already has stays sent, once, without the id; the clash is logged', async () => {
    await post(`/webhooks/twilio/${sms.id}/sms`, inbound('+14155550121', 'SM' + '4'.repeat(32), 'Do you ship to Canada?'));
    const [moment] = await momentWith('ship to Canada');
    const first = await reply(moment, 'Yes we do');
    twilio.answers.push({ status: 201, body: { sid: 'SM' + 'r'.repeat(32), status: 'queued' } });
    await s.tp.worker.drain();
    expect(await messageById(moment.id, first.id)).toMatchObject({ delivery: 'sent', externalId: 'SM' + 'r'.repeat(32) });

    const warn = vi.spyOn(s.tp.deps.log, 'warn');
    try {
      const before = twilio.requests.length;
      // Twilio hands out the same sid again (and once more, should anything send it twice).
      twilio.answers.push({ status: 201, body: { sid: 'SM' + 'r'.repeat(32), status: 'queued' } }, { status: 201, body: { sid: 'SM' + 'r'.repeat(32), status: 'queued' } });
      const second = await reply(moment, 'Shipping takes 5 days');
      await s.tp.worker.drain();
      later(15);
      await s.tp.worker.drain();
      expect(twilio.requests.length - before).toBe(1);
      expect(await messageById(moment.id, second.id)).toMatchObject({ delivery: 'sent', externalId: null, deliveryError: null });
      expect(await messageById(moment.id, first.id)).toMatchObject({ delivery: 'sent', externalId: 'SM' + 'r'.repeat(32) });
      expect(warn).toHaveBeenCalledWith({ channelId: sms.id, messageId: second.id, providerMessageId: 'SM' + 'r'.repeat(32) }, expect.stringContaining('already has'));
      twilio.answers.length = 0;
    } finally {
      warn.mockRestore();
    }
  });

  it('a call becomes a voice moment: recording, transcript (a customer verbatim) and call record land on it', async () => {
    const callSid = 'CA' + '2'.repeat(32);
    const call = { AccountSid: ACCOUNT, CallSid: callSid, From: '+14155550107', To: '+15005550007', CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' };
    const answered = await post(`/webhooks/twilio/${voice.id}/voice`, call);
    expect(answered.status).toBe(200);
    expect(answered.type).toContain('text/xml');
    expect(answered.text).toMatch(/<Say>.+<\/Say><Record /);
    const attribute = (name: string) => new RegExp(` ${name}="([^"]+)"`).exec(answered.text)?.[1]?.replace(/&amp;/g, '&');
    const recordingUrl = attribute('recordingStatusCallback')!;
    const transcriptionUrl = attribute('transcribeCallback')!;
    expect(attribute('transcribe')).toBe('true');
    expect(attribute('action')).toBe(`${s.url}/webhooks/twilio/${voice.id}/recording?caller=%2B14155550107`);
    expect(recordingUrl).toBe(`${s.url}/webhooks/twilio/${voice.id}/recording?caller=%2B14155550107`);
    expect(transcriptionUrl).toBe(`${s.url}/webhooks/twilio/${voice.id}/transcription?caller=%2B14155550107`);

    const recording = `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Recordings/RE${'3'.repeat(32)}`;
    // The Record action (the caller hung up after the beep): the call ends.
    const action = await post(recordingUrl.slice(s.url.length), { ...call, CallStatus: 'in-progress', RecordingUrl: recording, RecordingDuration: '14', Digits: 'hangup' });
    expect(action.text).toContain('<Hangup/>');
    // The call's status callback, then the recording and transcription reports (no From in those).
    expect((await post(`/webhooks/twilio/${voice.id}/status`, { ...call, CallStatus: 'completed', CallDuration: '31' })).status).toBe(200);
    const recorded = { AccountSid: ACCOUNT, CallSid: callSid, RecordingSid: `RE${'3'.repeat(32)}`, RecordingUrl: recording, RecordingStatus: 'completed', RecordingDuration: '14', RecordingChannels: '1', RecordingSource: 'RecordVerb' };
    expect((await post(recordingUrl.slice(s.url.length), recorded)).status).toBe(200);
    const transcript = 'Hi, this is Dana, my router keeps dropping the connection every evening.';
    const transcribed = { AccountSid: ACCOUNT, CallSid: callSid, RecordingSid: recorded.RecordingSid, RecordingUrl: recording, TranscriptionSid: `TR${'4'.repeat(32)}`, TranscriptionText: transcript, TranscriptionStatus: 'completed', TranscriptionType: 'fast', TranscriptionUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Transcriptions/TR${'4'.repeat(32)}`, url: recordingUrl };
    expect((await post(transcriptionUrl.slice(s.url.length), transcribed)).status).toBe(200);
    // Twilio retrying a report stores nothing twice.
    expect((await post(transcriptionUrl.slice(s.url.length), transcribed)).status).toBe(200);

    const moments = await momentWith('router keeps dropping');
    expect(moments).toHaveLength(1);
    expect(moments[0]).toMatchObject({ channel: 'voice', externalId: callSid });
    const messages = await thread(moments[0].id);
    expect(messages.map((m) => m.body)).toEqual(['Incoming call from +14155550107', `Voicemail recorded (14 s): ${recording}`, 'Call ended after 31 s', transcript]);
    for (const m of messages) expect(m).toMatchObject({ direction: 'in', address: '+14155550107', meta: expect.objectContaining({ callSid }) });
    expect(messages[1].meta.call).toMatchObject({ caller: '+14155550107', duration: 14, recordingUrl: recording });
    expect(messages[2].meta.call).toMatchObject({ caller: '+14155550107', duration: 31, status: 'completed' });
    expect(messages[3].meta).toMatchObject({ verbatim: true, call: { caller: '+14155550107', recordingUrl: recording, transcript } });
  });

  it('a reply to a customer who texted from an alphanumeric sender id is refused when written (no number to text back)', async () => {
    const delivered = await post(`/webhooks/twilio/${sms.id}/sms`, inbound('ACMEBANK', 'SM' + 'ab'.repeat(16), 'Your login code is here'));
    expect(delivered.status, delivered.text).toBe(200);
    const moment = ((await s.api('GET', '/api/v1/moments?channel=sms&sort=created&limit=100')).body.data as any[]).find((m) => m.preview === 'Your login code is here');
    const refused = await s.api('POST', `/api/v1/moments/${moment.id}/messages`, { direction: 'out', body: 'Thanks!', agentId: moment.ownerId });
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'no_reply_address', message: expect.stringContaining('ACMEBANK') } } });
  });

  it('a written reply on a voice moment is refused when written unless SMS replies are on; then it is texted from the same number', async () => {
    const callSid = 'CA' + '5'.repeat(32);
    await post(`/webhooks/twilio/${voice.id}/voice`, { AccountSid: ACCOUNT, CallSid: callSid, From: '+14155550108', To: '+15005550007', CallStatus: 'ringing', Direction: 'inbound' });
    const [moment] = await momentWith('Incoming call from +14155550108');
    const before = (await thread(moment.id)).length;
    const refused = await s.api('POST', `/api/v1/moments/${moment.id}/messages`, { direction: 'out', body: 'We called you back', agentId: moment.ownerId });
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'no_reply_address', message: expect.stringContaining('answered by calling back') } } });
    expect(await thread(moment.id)).toHaveLength(before);

    await s.api('PATCH', `/api/v1/channels/${voice.id}`, { settings: { accountSid: ACCOUNT, apiBaseUrl: twilio.url, publicUrl: s.url, smsReplies: true } });
    const texted = await reply(moment, 'Sorry we missed you, how can we help?');
    await s.tp.worker.drain();
    expect(twilio.requests.at(-1)!.form).toMatchObject({ To: '+14155550108', From: '+15005550007', StatusCallback: `${s.url}/webhooks/twilio/${voice.id}/status?message=${texted.id}` });
    const sent = await messageById(moment.id, texted.id);
    expect(sent).toMatchObject({ delivery: 'sent' });
    expect((await post(`/webhooks/twilio/${voice.id}/status?message=${texted.id}`, { AccountSid: ACCOUNT, MessageSid: sent.externalId, MessageStatus: 'delivered' })).status).toBe(200);
    expect(await messageById(moment.id, texted.id)).toMatchObject({ delivery: 'delivered' });
  });

  it('a hidden caller id never fuses callers into one profile', async () => {
    for (const sid of ['CA' + '6'.repeat(32), 'CA' + '7'.repeat(32)]) {
      expect((await post(`/webhooks/twilio/${voice.id}/voice`, { AccountSid: ACCOUNT, CallSid: sid, From: 'anonymous', To: '+15005550007', CallStatus: 'ringing' })).status).toBe(200);
    }
    const hidden = await momentWith('Incoming call from anonymous');
    expect(hidden).toHaveLength(2);
    expect(hidden[0].customerId).not.toBe(hidden[1].customerId);
  });

  it('a reply to a caller who withheld their number is refused (409) when it would be texted, saying why; nothing is sent', async () => {
    const withheld = ['anonymous', 'Anonymous', '+266696687', '+86282452253', 'client:kiosk'];
    const moments = [];
    for (const [i, from] of withheld.entries()) {
      const callSid = `CA${'h'.repeat(31)}${i}`;
      expect((await post(`/webhooks/twilio/${voice.id}/voice`, { AccountSid: ACCOUNT, CallSid: callSid, From: from, To: '+15005550007', CallStatus: 'ringing' })).status).toBe(200);
      const [moment] = (await momentWith(`Incoming call from ${from}`)).filter((m) => m.externalId === callSid);
      moments.push(moment);
    }
    await s.api('PATCH', `/api/v1/channels/${voice.id}`, { settings: { accountSid: ACCOUNT, apiBaseUrl: twilio.url, publicUrl: s.url, smsReplies: true } });
    const before = twilio.requests.length;
    for (const [i, moment] of moments.entries()) {
      const refused = await s.api('POST', `/api/v1/moments/${moment.id}/messages`, { direction: 'out', body: 'We got your voicemail', agentId: moment.ownerId });
      expect(refused.status, withheld[i]).toBe(409);
      expect(refused.body.error).toEqual({ code: 'no_reply_address', message: `the caller withheld their number (caller id: ${withheld[i]}), so there is no number to text this reply to` });
      expect((await thread(moment.id)).map((m) => m.direction)).toEqual(['in']);
    }
    await s.tp.worker.drain();
    expect(twilio.requests.length).toBe(before);
    // A note is still fine.
    expect((await s.api('POST', `/api/v1/moments/${moments[0].id}/messages`, { direction: 'note', body: 'No number: wait for them to call again', agentId: moments[0].ownerId })).status).toBe(201);
  });

  it('a channel of another workspace is its own: its traffic never shows here, and this channel’s token does not sign for it', async () => {
    const other = await createWorkspace(s.tp.deps, { name: 'Other', ownerEmail: 'o@twilio-other.test', ownerPassword: 'another long password' });
    const theirs = (await s.api('POST', '/api/v1/channels', { kind: 'sms', name: 'Theirs', address: '+15005550099', settings: { accountSid: ACCOUNT }, secrets: { authToken: 'their-token' } }, other.apiKey)).body;
    const params = inbound('+14155550109', 'SM' + '8'.repeat(32), 'Private to the other workspace');
    expect((await post(`/webhooks/twilio/${theirs.id}/sms`, params)).status).toBe(403);
    expect((await post(`/webhooks/twilio/${theirs.id}/sms`, params, { token: 'their-token' })).status).toBe(200);
    expect(await momentWith('Private to the other')).toEqual([]);
    expect(await momentWith('Private to the other', other.apiKey)).toHaveLength(1);
  });
});

async function connect(s: Running, body: Record<string, unknown>): Promise<{ id: string }> {
  const res = await s.api('POST', '/api/v1/channels', body);
  if (res.status !== 201) throw new Error(`channel not created: ${JSON.stringify(res.body)}`);
  return res.body as { id: string };
}
