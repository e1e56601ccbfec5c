import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMetaBody } from '../src/channels/meta/verify-signature.ts';
import { fixedClock } from '../src/platform/clock.ts';
import { indexInboxText } from '../src/modules/moments/inbox-text.ts';
import { createWorkspace, type CreatedWorkspace } from '../src/modules/workspaces/index.ts';
import { ENGINES, startServer, type Running } from './harness.ts';
import { addAgent, addTeam, type Person } from './moments-fixtures.ts';

const HOUR = 3_600_000;
const IMAGE = Buffer.from('89504e470d0a1a0a-not-really-a-png', 'utf8');

type Seen = { readonly method: string; readonly path: string; readonly authorization: string; readonly contentType: string; readonly body: string };
type Answer = { readonly status: number; readonly body: unknown };

/**
 * A stand-in for the Graph API, speaking its documented formats: WhatsApp sends
 * (POST /v19.0/{phone-number-id}/messages → { messages: [{ id }] }), media lookups
 * (GET /v19.0/{media-id} → { url, mime_type, … }) and downloads (token required), media
 * uploads, the Messenger/Instagram Send API (POST /v19.0/me/messages → { recipient_id,
 * message_id }), and a CDN. Answers can be scripted per path to play outages and refusals.
 */
class FakeGraph {
  readonly seen: Seen[] = [];
  private readonly scripted = new Map<string, Answer[]>();
  private readonly always = new Map<string, Answer>();
  private server!: http.Server;
  url = '';
  private n = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.answer(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** The next answers on a path, then back to normal. */
  script(path: string, ...answers: Answer[]): void {
    this.scripted.set(path, [...(this.scripted.get(path) ?? []), ...answers]);
  }

  /** Every answer on a path from now on. */
  fixed(path: string, answer: Answer): void {
    this.always.set(path, answer);
  }

  sent(path: string): Seen[] {
    return this.seen.filter((s) => s.method === 'POST' && s.path === path);
  }

  private answer(req: http.IncomingMessage, raw: Buffer, res: http.ServerResponse): unknown {
    const path = (req.url ?? '').split('?')[0]!;
    this.seen.push({ method: req.method ?? '', path, authorization: req.headers.authorization ?? '', contentType: req.headers['content-type'] ?? '', body: raw.toString('utf8') });
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const planned = this.scripted.get(path)?.shift() ?? this.always.get(path);
    if (planned) return json(planned.status, planned.body);
    if (req.method === 'GET' && path === '/v19.0/MEDIA-IMG') return json(200, { messaging_product: 'whatsapp', url: `${this.url}/lookaside/MEDIA-IMG?ext=1`, mime_type: 'image/jpeg', sha256: 'x', file_size: String(IMAGE.length), id: 'MEDIA-IMG' });
    if (req.method === 'GET' && path === '/lookaside/MEDIA-IMG') {
      // WhatsApp's media URLs need the access token.
      if (req.headers.authorization !== 'Bearer EAAG-token') return json(401, { error: { message: 'no token', code: 190 } });
      return res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': IMAGE.length }).end(IMAGE);
    }
    if (req.method === 'GET' && path === '/cdn/photo.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(IMAGE);
    // A CDN that never answers.
    if (req.method === 'GET' && path === '/cdn/hang.png') return;
    if (req.method === 'POST' && /^\/v19\.0\/[^/]+\/media$/.test(path)) return json(200, { id: `UPLOADED-${++this.n}` });
    if (req.method === 'POST' && path === '/v19.0/me/message_attachments') return json(200, { attachment_id: `ATT-${++this.n}` });
    if (req.method === 'POST' && path === '/v19.0/me/messages') return json(200, { recipient_id: 'x', message_id: `m_OUT${++this.n}` });
    if (req.method === 'POST' && /^\/v19\.0\/[^/]+\/messages$/.test(path)) return json(200, { messaging_product: 'whatsapp', contacts: [{ input: 'x', wa_id: 'x' }], messages: [{ id: `wamid.OUT${++this.n}` }] });
    return json(404, { error: { message: `Unsupported request ${req.method} ${path}`, type: 'GraphMethodException', code: 100 } });
  }
}

/** A WhatsApp Cloud API delivery with these messages and statuses, as Meta sends it. */
const whatsappDelivery = (value: { messages?: unknown[]; statuses?: unknown[]; contacts?: unknown[] }, phoneNumberId = 'PN1') => ({
  object: 'whatsapp_business_account',
  entry: [{ id: 'WABA1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '447700900123', phone_number_id: phoneNumberId }, ...value } }] }],
});
/** WhatsApp's time of sending, in seconds: now unless given (a late redelivery's is older). */
const sentSeconds = (at = Date.now()) => String(Math.floor(at / 1000));
const text = (from: string, id: string, body: string, sentAt?: number) => ({ from, id, timestamp: sentSeconds(sentAt), type: 'text', text: { body } });

describe.each(ENGINES)('Meta channels (WhatsApp, Messenger, Instagram) on %s', (engine) => {
  let s: Running;
  const graph = new FakeGraph();
  const clock = fixedClock(Date.now());
  let agent: Person;
  const channel: Record<string, string> = {};
  const secrets = { accessToken: 'EAAG-token', appSecret: 'app-secret', verifyToken: 'verify-me' };

  beforeAll(async () => {
    await graph.start();
    s = await startServer(engine, { clock });
    agent = await addAgent(s, { capacity: { '*': 1000 } });
    const team = await addTeam(s, [agent]);
    await s.api('POST', '/api/v1/assignment-rules', { name: 'Meta', conditions: { channels: ['whatsapp', 'messenger', 'instagram'] }, teamId: team });
    const connect = async (key: string, body: Record<string, unknown>) => {
      const res = await s.api('POST', '/api/v1/channels', { secrets, ...body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      channel[key] = res.body.id;
    };
    await connect('whatsapp', { kind: 'whatsapp', name: 'WhatsApp', address: '+447700900123', settings: { phoneNumberId: 'PN1', apiBaseUrl: graph.url } });
    await connect('expired', { kind: 'whatsapp', name: 'WhatsApp old token', address: '+447700900999', settings: { phoneNumberId: 'PN-EXPIRED', apiBaseUrl: graph.url } });
    await connect('messenger', { kind: 'messenger', name: 'Messenger', address: 'acme-page', settings: { pageId: 'PAGE1', apiBaseUrl: graph.url } });
    await connect('instagram', { kind: 'instagram', name: 'Instagram', address: '@acme', settings: { accountId: 'IG1', apiBaseUrl: graph.url } });
  });
  afterAll(async () => {
    await s?.stop();
    await graph.stop();
  });

  /** POSTs a delivery to a channel's callback URL, signed like Meta signs it (or as told). */
  const deliver = async (channelId: string, payload: unknown, options: { readonly secret?: string; readonly signature?: string | null; readonly raw?: string } = {}) => {
    const body = options.raw ?? JSON.stringify(payload);
    const signature = options.signature === undefined ? signMetaBody(options.secret ?? secrets.appSecret, body) : options.signature;
    const res = await fetch(`${s.url}/webhooks/meta/${channelId}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { 'x-hub-signature-256': signature } : {}) }, body });
    return { status: res.status, body: (await res.json()) as any };
  };
  const messageByExternalId = (externalId: string) => s.tp.deps.db.selectFrom('message').selectAll().where('external_id', '=', externalId).executeTakeFirst();
  const thread = async (momentId: string) => (await s.api('GET', `/api/v1/moments/${momentId}/messages`)).body.data as any[];
  const momentOf = async (externalId: string) => {
    const row = await messageByExternalId(externalId);
    expect(row, `message ${externalId} stored`).toBeDefined();
    return (await s.api('GET', `/api/v1/moments/${row!.moment_id}`)).body;
  };
  const reply = (momentId: string, body: Record<string, unknown>) => s.api('POST', `/api/v1/moments/${momentId}/messages`, { direction: 'out', ...body }, agent.token);
  const messageCount = async () => Number((await s.tp.deps.db.selectFrom('message').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('answers Meta’s subscription handshake only with the channel’s verify token', async () => {
    const get = (id: string, query: string) => fetch(`${s.url}/webhooks/meta/${id}?${query}`);
    const ok = await get(channel.whatsapp!, 'hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe('1158201444');
    expect((await get(channel.whatsapp!, 'hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1')).status).toBe(403);
    expect((await get(channel.whatsapp!, 'hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1')).status).toBe(403);
    expect((await get(channel.whatsapp!, 'hub.mode=subscribe&hub.challenge=1')).status).toBe(403);
    const unknown = await get('no-such-channel', 'hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).error.code).toBe('resource_not_found');
  });

  it('refuses deliveries whose X-Hub-Signature-256 is missing, wrong or over another body; stores nothing', async () => {
    const payload = whatsappDelivery({ messages: [text('447700900001', 'wamid.FORGED', 'let me in')] });
    const before = await messageCount();
    const cases = [
      await deliver(channel.whatsapp!, payload, { signature: null }),
      await deliver(channel.whatsapp!, payload, { secret: 'not-the-app-secret' }),
      await deliver(channel.whatsapp!, payload, { signature: signMetaBody(secrets.appSecret, JSON.stringify(payload)).slice(0, -4) }),
      await deliver(channel.whatsapp!, payload, { raw: JSON.stringify(payload).replace('let me in', 'let me In'), signature: signMetaBody(secrets.appSecret, JSON.stringify(payload)) }),
    ];
    for (const res of cases) expect(res).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect(await messageCount()).toBe(before);
    expect((await deliver('no-such-channel', payload)).status).toBe(404);
    expect((await deliver(channel.whatsapp!, null, { raw: '{"object":' })).body.error.code).toBe('invalid_json');
    // Signed over the exact bytes, not re-serialised JSON: spacing Meta chose is kept.
    const spaced = `{ "object": "whatsapp_business_account", "entry": [] }`;
    expect(await deliver(channel.whatsapp!, null, { raw: spaced })).toMatchObject({ status: 200, body: { stored: 0 } });
  });

  it('checks the next delivery with a new app secret as soon as the admin saves it, refusing the old one', async () => {
    const rotate = (appSecret: string) => s.api('PATCH', `/api/v1/channels/${channel.whatsapp}`, { secrets: { appSecret } });
    const empty = { object: 'whatsapp_business_account', entry: [] };
    // Looked up (and remembered) with the old secret first.
    expect((await deliver(channel.whatsapp!, empty)).status).toBe(200);
    try {
      expect((await rotate('rotated-app-secret')).status).toBe(200);
      expect((await deliver(channel.whatsapp!, empty, { secret: 'rotated-app-secret' })).status).toBe(200);
      expect(await deliver(channel.whatsapp!, empty)).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    } finally {
      expect((await rotate(secrets.appSecret)).status).toBe(200);
    }
    expect((await deliver(channel.whatsapp!, empty)).status).toBe(200);
    expect((await deliver(channel.whatsapp!, empty, { secret: 'rotated-app-secret' })).status).toBe(401);
  });

  it('answers signed deliveries of any odd shape with a 2xx or a 4xx naming the problem, never a server error', async () => {
    const odd: unknown[] = [
      null, [], 42, 'text', {}, { object: 'whatsapp_business_account', entry: 'x' }, { entry: [null, 1, 'x', []] },
      { object: 'page', entry: [{ messaging: 'x' }] }, { object: 'instagram', entry: [{ messaging: [null, { sender: 5 }] }] },
      whatsappDelivery({ messages: 'x' as never }), whatsappDelivery({ messages: [null, 1, [], {}] }), whatsappDelivery({ contacts: 'x' as never, messages: [{ id: 7, from: [], type: 'text', text: 'x' }] }),
      whatsappDelivery({ messages: [{ id: 'wamid.ODD1', from: '447700900077', type: 'text', text: { body: 12 } }] }),
      whatsappDelivery({ messages: [{ id: 'wamid.ODD2', from: 'not a phone', type: 'text', text: { body: 'hi' } }] }),
      whatsappDelivery({ messages: [{ id: 'wamid.ODD3', from: '447700900078', type: 'image', image: 'x' }] }),
      whatsappDelivery({ messages: [{ id: 'wamid.ODD4', from: '447700900079', type: 'reaction', reaction: { message_id: 5, emoji: [] } }] }),
      whatsappDelivery({ statuses: [null, { id: 5, status: 'read', timestamp: 'soon' }, { id: 'wamid.NOT-OURS', status: 'failed', errors: 'x' }] }),
      whatsappDelivery({ messages: [{ id: 'x'.repeat(5_000), from: '447700900080', type: 'text', text: { body: 'long id' }, timestamp: '99999999999999999999' }] }),
    ];
    for (const payload of odd) {
      for (const id of [channel.whatsapp!, channel.messenger!, channel.instagram!]) {
        const res = await deliver(id, payload);
        expect(res.status, `${JSON.stringify(payload)} → ${JSON.stringify(res.body)}`).toBeLessThan(500);
        if (res.status >= 400) expect(typeof res.body.error?.code).toBe('string');
      }
    }
  });

  it('stores a text message as a moment assigned to an online agent, with the sender’s profile name', async () => {
    const res = await deliver(channel.whatsapp!, whatsappDelivery({ contacts: [{ profile: { name: 'Ann Lee' }, wa_id: '447700900001' }], messages: [text('447700900001', 'wamid.IN1', 'Where is my parcel?')] }));
    expect(res).toMatchObject({ status: 200, body: { stored: 1, duplicates: 0 } });
    const moment = await momentOf('wamid.IN1');
    expect(moment).toMatchObject({ channel: 'whatsapp', ownerId: agent.id, status: 'open', subject: 'Where is my parcel?' });
    expect((await thread(moment.id))[0]).toMatchObject({ direction: 'in', body: 'Where is my parcel?', address: '+447700900001', externalId: 'wamid.IN1' });
    const customer = (await s.api('GET', `/api/v1/customers?identity=${encodeURIComponent('phone:+447700900001')}`)).body.data[0];
    expect(customer).toMatchObject({ id: moment.customerId, traits: { name: 'Ann Lee' } });
  });

  it('stores each message of a delivery once, however often Meta delivers it', async () => {
    const payload = whatsappDelivery({ messages: [text('447700900002', 'wamid.D1', 'Hello'), text('447700900002', 'wamid.D2', 'Anyone there?')] });
    expect((await deliver(channel.whatsapp!, payload)).body).toMatchObject({ stored: 2, duplicates: 0 });
    expect((await deliver(channel.whatsapp!, payload)).body).toMatchObject({ stored: 0, duplicates: 2 });
    const moment = await momentOf('wamid.D1');
    expect((await thread(moment.id)).map((m) => m.body)).toEqual(['Hello', 'Anyone there?']);
  });

  it('fetches media through the Graph API and keeps it; a file it cannot fetch stays described with the reason', async () => {
    const res = await deliver(
      channel.whatsapp!,
      whatsappDelivery({
        messages: [
          { from: '447700900003', id: 'wamid.IMG', timestamp: sentSeconds(), type: 'image', image: { caption: 'Broken on arrival', mime_type: 'image/jpeg', sha256: 'x', id: 'MEDIA-IMG' } },
          { from: '447700900003', id: 'wamid.GONE', timestamp: sentSeconds(), type: 'document', document: { filename: 'receipt.pdf', mime_type: 'application/pdf', sha256: 'y', id: 'MEDIA-GONE' } },
        ],
      }),
    );
    expect(res.body).toMatchObject({ stored: 2 });
    const [image, gone] = await thread((await momentOf('wamid.IMG')).id);
    expect(image).toMatchObject({ body: 'Broken on arrival', attachments: [{ fileName: 'image-MEDIA-IMG.jpg', contentType: 'image/jpeg', size: IMAGE.length }] });
    const file = await fetch(`${s.url}/api/v1/attachments/${image.attachments[0].id}`, { headers: { authorization: `Bearer ${s.workspace.apiKey}` } });
    expect(Buffer.from(await file.arrayBuffer())).toEqual(IMAGE);
    expect(gone).toMatchObject({ body: '(document: receipt.pdf)', attachments: [], meta: { media: [{ mediaId: 'MEDIA-GONE', fileName: 'receipt.pdf', stored: false, error: expect.stringContaining('Unsupported request') }] } });
  });

  it('answers Meta within seconds when a file’s host hangs; the message shows the file was not stored and why', async () => {
    const from = { sender: { id: 'PSID-88' }, recipient: { id: 'PAGE1' }, timestamp: clock.now() };
    const started = Date.now();
    const res = await deliver(channel.messenger!, { object: 'page', entry: [{ id: 'PAGE1', time: 1, messaging: [{ ...from, message: { mid: 'm_HANG', attachments: [{ type: 'image', payload: { url: `${graph.url}/cdn/hang.png` } }, { type: 'image', payload: { url: `${graph.url}/cdn/photo.png` } }] } }] }] });
    expect(res.body).toMatchObject({ stored: 1 });
    // One file's wait, not Meta's webhook timeout (it was 15 s a file).
    expect(Date.now() - started).toBeLessThan(8_000);
    const [message] = await thread((await momentOf('m_HANG')).id);
    expect(message.attachments.map((a: any) => a.fileName)).toEqual(['photo.png']);
    expect(message.meta.media).toEqual([
      expect.objectContaining({ url: `${graph.url}/cdn/hang.png`, stored: false, error: 'not stored: the file did not answer within 5 s' }),
      expect.objectContaining({ url: `${graph.url}/cdn/photo.png`, stored: true }),
    ]);
  });

  it('delivers a reply to the Graph API and follows Meta’s statuses to read; a failed one shows WhatsApp’s reason', async () => {
    await deliver(channel.whatsapp!, whatsappDelivery({ messages: [text('447700900004', 'wamid.Q', 'Can I change my order?')] }));
    const moment = await momentOf('wamid.Q');
    const queued = await reply(moment.id, { body: 'Yes, until it ships.' });
    expect(queued.body.message).toMatchObject({ delivery: 'queued' });
    await s.tp.worker.drain();
    const [call] = graph.sent('/v19.0/PN1/messages').slice(-1);
    expect(call!.authorization).toBe('Bearer EAAG-token');
    expect(JSON.parse(call!.body)).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '447700900004', type: 'text', text: { body: 'Yes, until it ships.', preview_url: false } });
    const sent = (await thread(moment.id)).at(-1);
    expect(sent).toMatchObject({ direction: 'out', delivery: 'sent', externalId: expect.stringMatching(/^wamid\.OUT/) });

    const status = (state: string, extra: Record<string, unknown> = {}) => whatsappDelivery({ statuses: [{ id: sent.externalId, status: state, timestamp: '1760000100', recipient_id: '447700900004', ...extra }] });
    expect((await deliver(channel.whatsapp!, status('delivered'))).body).toMatchObject({ statuses: 1 });
    expect((await deliver(channel.whatsapp!, status('read'))).body).toMatchObject({ statuses: 1 });
    // A late "delivered" never moves it back.
    expect((await deliver(channel.whatsapp!, status('delivered'))).body).toMatchObject({ statuses: 0 });
    expect((await thread(moment.id)).at(-1)).toMatchObject({ delivery: 'read' });

    await reply(moment.id, { body: 'Anything else?' });
    await s.tp.worker.drain();
    const second = (await thread(moment.id)).at(-1);
    await deliver(channel.whatsapp!, whatsappDelivery({ statuses: [{ id: second.externalId, status: 'failed', timestamp: '1', recipient_id: '447700900004', errors: [{ code: 131026, title: 'Message undeliverable', error_data: { details: 'The recipient is not on WhatsApp' } }] }] }));
    expect((await thread(moment.id)).at(-1)).toMatchObject({ delivery: 'failed', deliveryError: '131026 Message undeliverable: The recipient is not on WhatsApp' });
  });

  it('records a customer’s reaction in the thread, naming the message it reacts to', async () => {
    await deliver(channel.whatsapp!, whatsappDelivery({ messages: [text('447700900005', 'wamid.R0', 'Is it waterproof?')] }));
    const moment = await momentOf('wamid.R0');
    await reply(moment.id, { body: 'Yes, to 10 metres.' });
    await s.tp.worker.drain();
    const ours = (await thread(moment.id)).at(-1);
    const res = await deliver(channel.whatsapp!, whatsappDelivery({ messages: [{ from: '447700900005', id: 'wamid.R1', timestamp: sentSeconds(), type: 'reaction', reaction: { message_id: ours.externalId, emoji: '👍' } }] }));
    expect(res.body).toMatchObject({ stored: 1 });
    expect((await thread(moment.id)).at(-1)).toMatchObject({ direction: 'in', body: '👍 reacted to “Yes, to 10 metres.”', meta: { reaction: { emoji: '👍', to: ours.externalId, messageId: ours.id } } });
    // Taking the reaction back adds nothing.
    expect((await deliver(channel.whatsapp!, whatsappDelivery({ messages: [{ from: '447700900005', id: 'wamid.R2', type: 'reaction', reaction: { message_id: ours.externalId, emoji: '' } }] }))).body).toMatchObject({ stored: 0, ignored: ['a reaction was removed'] });
  });

  it('sends a reply’s file: uploaded to the number’s media, then sent by id after the text', async () => {
    await deliver(channel.whatsapp!, whatsappDelivery({ messages: [text('447700900006', 'wamid.F0', 'Send me the invoice please')] }));
    const moment = await momentOf('wamid.F0');
    const uploadsBefore = graph.sent('/v19.0/PN1/media').length;
    const sentBefore = graph.sent('/v19.0/PN1/messages').length;
    await reply(moment.id, { body: 'Here it is.', attachments: [{ fileName: 'invoice.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 invoice').toString('base64') }] });
    await s.tp.worker.drain();
    const uploads = graph.sent('/v19.0/PN1/media').slice(uploadsBefore);
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.contentType).toMatch(/^multipart\/form-data/);
    expect(uploads[0]!.body).toContain('%PDF-1.4 invoice');
    const bodies = graph.sent('/v19.0/PN1/messages').slice(sentBefore).map((c) => JSON.parse(c.body));
    expect(bodies.map((b) => b.type)).toEqual(['text', 'document']);
    expect(bodies[1].document).toEqual({ id: expect.stringMatching(/^UPLOADED-/), filename: 'invoice.pdf' });
    expect((await thread(moment.id)).at(-1)).toMatchObject({ delivery: 'sent' });
  });

  it('a reply in parts whose later part meets an outage resumes from that part: nothing the customer got is sent or uploaded again', async () => {
    await deliver(channel.whatsapp!, whatsappDelivery({ messages: [text('447700900017', 'wamid.P0', 'Both invoices please')] }));
    const moment = await momentOf('wamid.P0');
    const uploadsBefore = graph.sent('/v19.0/PN1/media').length;
    const sentBefore = graph.sent('/v19.0/PN1/messages').length;
    const pdf = (name: string) => ({ fileName: name, contentType: 'application/pdf', data: Buffer.from(`%PDF-1.4 ${name}`).toString('base64') });
    const accepted = (id: string) => ({ status: 200, body: { messaging_product: 'whatsapp', messages: [{ id }] } });
    graph.script('/v19.0/PN1/messages', accepted('wamid.PART1'), accepted('wamid.PART2'), { status: 503, body: { error: { message: 'Service temporarily unavailable', code: 2 } } });
    const queued = await reply(moment.id, { body: 'Here they are.', attachments: [pdf('may.pdf'), pdf('june.pdf')] });
    await s.tp.worker.drain();
    expect((await thread(moment.id)).at(-1)).toMatchObject({ delivery: 'queued', deliveryError: 'attempt 1 failed: only 2 of 3 parts were sent: Graph API 503 error 2: Service temporarily unavailable' });
    clock.set(clock.now() + 5_000);
    await s.tp.worker.drain();
    expect((await thread(moment.id)).at(-1)).toMatchObject({ id: queued.body.message.id, delivery: 'sent', externalId: 'wamid.PART1', meta: { sentParts: ['wamid.PART1', 'wamid.PART2', expect.stringMatching(/^wamid\.OUT/)] } });
    const posted = graph.sent('/v19.0/PN1/messages').slice(sentBefore).map((c) => JSON.parse(c.body));
    expect(posted.map((b) => b.text?.body ?? b.document.filename)).toEqual(['Here they are.', 'may.pdf', 'june.pdf', 'june.pdf']);
    expect(graph.sent('/v19.0/PN1/media').slice(uploadsBefore).map((u) => u.body.includes('may.pdf'))).toEqual([true, false, false]);
  });

  it('retries a reply through a Graph API outage (503) and then delivers it', async () => {
    await deliver(channel.whatsapp!, whatsappDelivery({ messages: [text('447700900007', 'wamid.O', 'Hello?')] }));
    const moment = await momentOf('wamid.O');
    graph.script('/v19.0/PN1/messages', { status: 503, body: { error: { message: 'Service temporarily unavailable', code: 2 } } });
    await reply(moment.id, { body: 'Sorry for the wait!' });
    await s.tp.worker.drain();
    expect((await thread(moment.id)).at(-1)).toMatchObject({ delivery: 'queued', deliveryError: expect.stringContaining('attempt 1 failed: Graph API 503 error 2: Service temporarily unavailable') });
    // The channel shows the trouble while the reply waits to be tried again…
    const health = async () => (await s.api('GET', `/api/v1/channels/${channel.whatsapp}`)).body.health;
    expect(await health()).toEqual({ state: 'degraded', error: expect.stringContaining('Graph API 503 error 2: Service temporarily unavailable'), at: new Date(clock.now()).toISOString() });
    clock.set(clock.now() + 5_000);
    await s.tp.worker.drain();
    expect((await thread(moment.id)).at(-1)).toMatchObject({ delivery: 'sent', externalId: expect.stringMatching(/^wamid\.OUT/) });
    // …and is ok again once a delivery goes through.
    expect(await health()).toEqual({ state: 'ok', error: null, at: new Date(clock.now()).toISOString() });
  });

  it('an expired token is retried with backoff, then shown failed with the reason, on the message and the channel', async () => {
    graph.fixed('/v19.0/PN-EXPIRED/messages', { status: 401, body: { error: { message: 'Error validating access token: Session has expired on Friday, 14-Nov-26', type: 'OAuthException', code: 190, error_subcode: 463, fbtrace_id: 'A1' } } });
    await deliver(channel.expired!, whatsappDelivery({ messages: [text('447700900008', 'wamid.E', 'Hi there')] }, 'PN-EXPIRED'));
    const moment = await momentOf('wamid.E');
    await reply(moment.id, { body: 'Hello!' });
    const attemptsBefore = graph.sent('/v19.0/PN-EXPIRED/messages').length;
    for (let attempt = 0; attempt < 12; attempt++) {
      await s.tp.worker.drain();
      clock.set(clock.now() + 10 * 60_000);
    }
    expect(graph.sent('/v19.0/PN-EXPIRED/messages').length - attemptsBefore).toBe(9);
    expect((await thread(moment.id)).at(-1)).toMatchObject({ delivery: 'failed', deliveryError: expect.stringContaining("the access token was refused (expired or revoked), renew the channel's accessToken") });
    const health = (await s.api('GET', `/api/v1/channels/${channel.expired}`)).body.health;
    expect(health).toMatchObject({ state: 'failing', error: expect.stringContaining('Session has expired') });
  });

  it('refuses free text 24 hours after the customer last wrote (409); an approved template goes out', async () => {
    const now = clock.now();
    clock.set(Date.now() - 25 * HOUR);
    await deliver(channel.whatsapp!, whatsappDelivery({ messages: [text('447700900009', 'wamid.OLD', 'Do you restock the blue one?')] }));
    clock.set(Math.max(now, Date.now()));
    const moment = await momentOf('wamid.OLD');
    const refused = await reply(moment.id, { body: 'Yes, it is back!' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'outside_messaging_window', field: 'template', message: expect.stringContaining('more than 24 hours ago') });
    expect((await thread(moment.id)).map((m) => m.direction)).toEqual(['in']);

    const malformed = await reply(moment.id, { body: 'Template', template: { name: 'back_in_stock', language: 'en_GB', components: 'bad' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.field).toMatch(/^template\.components/);
    const template = { name: 'back_in_stock', language: 'en_GB', components: [{ type: 'body', parameters: [{ type: 'text', text: 'blue jacket' }] }] };
    const accepted = await reply(moment.id, { body: 'Template back_in_stock: blue jacket', template });
    expect(accepted.status).toBe(201);
    await s.tp.worker.drain();
    const [call] = graph.sent('/v19.0/PN1/messages').slice(-1);
    expect(JSON.parse(call!.body)).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '447700900009', type: 'template', template: { name: 'back_in_stock', language: { code: 'en_GB' }, components: template.components } });
    expect((await thread(moment.id)).at(-1)).toMatchObject({ delivery: 'sent' });

    // The language in the Graph API's own shape is taken too, and sent as given.
    const graphShaped = { name: 'back_in_stock', language: { code: 'en_US' } };
    expect((await reply(moment.id, { body: 'Template back_in_stock', template: graphShaped })).status).toBe(201);
    const withPolicy = { name: 'back_in_stock', language: { policy: 'deterministic', code: 'pt_BR' } };
    expect((await reply(moment.id, { body: 'Template back_in_stock', template: withPolicy })).status).toBe(201);
    await s.tp.worker.drain();
    const templates = graph.sent('/v19.0/PN1/messages').slice(-2).map((c) => JSON.parse(c.body).template);
    // The worker may deliver the two replies in either order.
    expect(templates).toEqual(expect.arrayContaining([graphShaped, withPolicy]));
    for (const language of [{ lang: 'en_US' }, { code: 'e' }, {}]) {
      const refusedLanguage = await reply(moment.id, { body: 'Template', template: { name: 'back_in_stock', language } });
      expect(refusedLanguage.status, JSON.stringify(language)).toBe(400);
      expect(refusedLanguage.body.error.field).toMatch(/^template\.language/);
    }

    // Once the customer writes again, free text is fine.
    await deliver(channel.whatsapp!, whatsappDelivery({ messages: [text('447700900009', 'wamid.NEW', 'Great, I will order it')] }));
    expect((await reply(moment.id, { body: 'Thank you!' })).status).toBe(201);

    // A message Meta delivers only now, but which the customer sent two days ago, opens no window.
    await deliver(channel.whatsapp!, whatsappDelivery({ messages: [text('447700900019', 'wamid.LATE', 'Sent while I had no signal', clock.now() - 48 * HOUR)] }));
    const late = await reply((await momentOf('wamid.LATE')).id, { body: 'Sorry for the wait!' });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'outside_messaging_window' });
  });

  it('Messenger: stores text and files from a PSID, replies through the Send API, follows receipts by id and by watermark', async () => {
    const page = (...messaging: unknown[]) => ({ object: 'page', entry: [{ id: 'PAGE1', time: 1, messaging }] });
    const from = { sender: { id: 'PSID-42' }, recipient: { id: 'PAGE1' }, timestamp: clock.now() };
    const res = await deliver(channel.messenger!, page({ ...from, message: { mid: 'm_IN1', text: 'Hi from Messenger' } }, { ...from, message: { mid: 'm_IN2', attachments: [{ type: 'image', payload: { url: `${graph.url}/cdn/photo.png` } }] } }));
    expect(res.body).toMatchObject({ stored: 2 });
    const moment = await momentOf('m_IN1');
    expect(moment).toMatchObject({ channel: 'messenger', ownerId: agent.id });
    const messages = await thread(moment.id);
    expect(messages.map((m) => [m.body, m.address])).toEqual([['Hi from Messenger', 'PSID-42'], ['(image)', 'PSID-42']]);
    expect(messages[1].attachments).toMatchObject([{ fileName: 'photo.png', contentType: 'image/png', size: IMAGE.length }]);
    expect((await s.api('GET', '/api/v1/customers?identity=external_id:messenger:PSID-42')).body.data[0].id).toBe(moment.customerId);

    await reply(moment.id, { body: 'Hello! How can we help?' });
    await s.tp.worker.drain();
    const [call] = graph.sent('/v19.0/me/messages').slice(-1);
    expect(JSON.parse(call!.body)).toEqual({ recipient: { id: 'PSID-42' }, messaging_type: 'RESPONSE', message: { text: 'Hello! How can we help?' } });
    const first = (await thread(moment.id)).at(-1);
    expect(first).toMatchObject({ delivery: 'sent', externalId: expect.stringMatching(/^m_OUT/) });
    expect((await deliver(channel.messenger!, page({ ...from, delivery: { mids: [first.externalId], watermark: clock.now() } }))).body).toMatchObject({ statuses: 1 });
    expect((await thread(moment.id)).at(-1)).toMatchObject({ delivery: 'delivered' });

    await reply(moment.id, { body: 'Are you still there?' });
    await s.tp.worker.drain();
    clock.set(clock.now() + 1000);
    // Read receipts only say "everything up to this time".
    expect((await deliver(channel.messenger!, page({ ...from, read: { watermark: clock.now() } }))).body).toMatchObject({ statuses: 2 });
    expect((await thread(moment.id)).filter((m) => m.direction === 'out').map((m) => m.delivery)).toEqual(['read', 'read']);
    // Our own sends come back as echoes: not stored as customer messages.
    expect((await deliver(channel.messenger!, page({ sender: { id: 'PAGE1' }, recipient: { id: 'PSID-42' }, timestamp: 1, message: { mid: first.externalId, is_echo: true, text: 'Hello!' } }))).body).toMatchObject({ stored: 0, duplicates: 0 });
  });

  it('Instagram: stores a DM from an Instagram-scoped id and replies as text; templates are refused', async () => {
    const ig = { object: 'instagram', entry: [{ id: 'IG1', time: 1, messaging: [{ sender: { id: 'IGSID-7' }, recipient: { id: 'IG1' }, timestamp: clock.now(), message: { mid: 'aWdfIN1', text: 'Is this in stock?' } }] }] };
    expect((await deliver(channel.instagram!, ig)).body).toMatchObject({ stored: 1 });
    const moment = await momentOf('aWdfIN1');
    expect((await s.api('GET', '/api/v1/customers?identity=external_id:instagram:IGSID-7')).body.data[0].id).toBe(moment.customerId);
    const refused = await reply(moment.id, { body: 'x', template: { name: 'hello', language: 'en' } });
    expect(refused).toMatchObject({ status: 400, body: { error: { code: 'invalid_field', field: 'template' } } });
    await reply(moment.id, { body: 'It is!' });
    await s.tp.worker.drain();
    const [call] = graph.sent('/v19.0/me/messages').slice(-1);
    expect(JSON.parse(call!.body)).toEqual({ recipient: { id: 'IGSID-7' }, messaging_type: 'RESPONSE', message: { text: 'It is!' } });
    expect((await thread(moment.id)).at(-1)).toMatchObject({ delivery: 'sent' });
  });

  it('Instagram: an unsend that comes before its message (a retried delivery) keeps the message from being stored when it comes', async () => {
    const from = { sender: { id: 'IGSID-11' }, recipient: { id: 'IG1' }, timestamp: clock.now() };
    const ig = (...messaging: unknown[]) => ({ object: 'instagram', entry: [{ id: 'IG1', time: 1, messaging }] });
    const early = await deliver(channel.instagram!, ig({ ...from, message: { mid: 'aWdfLATE', is_deleted: true } }));
    expect(early.body).toMatchObject({ unsent: 0, ignored: ['unsent message aWdfLATE is not stored: it will not be if it comes'] });
    const late = await deliver(channel.instagram!, ig({ ...from, message: { mid: 'aWdfLATE', text: 'my card number is 4111…' } }, { ...from, message: { mid: 'aWdfKEPT', text: 'Is the shop open?' } }));
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ stored: 1, ignored: ['message aWdfLATE: the customer unsent it before it arrived'] });
    const moment = await momentOf('aWdfKEPT');
    expect((await thread(moment.id)).map((m) => m.body)).toEqual(['Is the shop open?']);
    expect(JSON.stringify((await s.api('GET', `/api/v1/customers/${moment.customerId}/timeline?limit=100`)).body)).not.toContain('4111');
  });

  it('Instagram: a message the customer unsends is deleted from the thread, its files, the subject it made, search, the timeline and the stream’s replay', async () => {
    const from = { sender: { id: 'IGSID-9' }, recipient: { id: 'IG1' }, timestamp: clock.now() };
    const ig = (...messaging: unknown[]) => ({ object: 'instagram', entry: [{ id: 'IG1', time: 1, messaging }] });
    const sent = await deliver(channel.instagram!, ig({ ...from, message: { mid: 'aWdfSECRET', text: 'My locker code is zebra-4471' } }, { ...from, message: { mid: 'aWdfPHOTO', attachments: [{ type: 'image', payload: { url: `${graph.url}/cdn/photo.png` } }] } }));
    expect(sent.body).toMatchObject({ stored: 2 });
    const moment = await momentOf('aWdfSECRET');
    expect(moment.subject).toBe('My locker code is zebra-4471');
    // Both messages on the timeline first (the running worker may be writing them while drain() returns).
    const received = async () => ((await s.api('GET', `/api/v1/customers/${moment.customerId}/timeline?limit=100`)).body.data as any[]).filter((t) => t.name === 'Message Received');
    const until = async (n: number) => {
      for (let tries = 0; (await received()).length < n && tries < 100; tries++) await s.tp.worker.drain().then(() => new Promise((resolve) => setTimeout(resolve, 50)));
    };
    await until(2);
    if (engine === 'sqlite') while (await indexInboxText(s.tp.deps.db));
    const found = async () => ((await s.api('GET', '/api/v1/moments?status=open&q=zebra-4471')).body.data as any[]).map((m) => m.id);
    expect(await found()).toEqual([moment.id]);

    const unsend = (mid: string) => deliver(channel.instagram!, ig({ ...from, message: { mid, is_deleted: true } }));
    expect((await unsend('aWdfSECRET')).body).toMatchObject({ unsent: 1 });
    expect((await unsend('aWdfPHOTO')).body).toMatchObject({ unsent: 1 });
    // Meta delivers again: nothing more to delete.
    expect((await unsend('aWdfSECRET')).body).toMatchObject({ unsent: 0, ignored: ['unsent message aWdfSECRET was unsent already'] });

    const messages = await thread(moment.id);
    expect(messages.map((m) => [m.body, m.meta.unsent, m.attachments.length])).toEqual([['', true, 0], ['', true, 0]]);
    expect(messages[1].meta).not.toHaveProperty('attachments');
    expect((await s.api('GET', `/api/v1/moments/${moment.id}`)).body).toMatchObject({ subject: '(message unsent)', preview: '(message unsent)' });
    expect(await found()).toEqual([]);
    const timeline = (await s.api('GET', `/api/v1/customers/${moment.customerId}/timeline?limit=100`)).body.data as any[];
    expect(timeline.filter((t) => t.name === 'Message Received').map((t) => t.properties.preview)).toEqual(['(message unsent)', '(message unsent)']);
    expect(timeline.find((t) => t.name === 'Moment Opened')?.properties.subject).toBe('(message unsent)');
    const everywhere = JSON.stringify([
      timeline,
      await s.tp.deps.db.selectFrom('moment_activity').select('payload').where('moment_id', '=', moment.id).execute(),
      await s.tp.deps.db.selectFrom('attachment').select('id').where('moment_id', '=', moment.id).execute(),
    ]);
    expect(everywhere).not.toContain('zebra');
    expect(everywhere).not.toContain('photo.png');
    expect(everywhere).toContain('(message unsent)');

    // Unsent before its timeline line was written: the line waiting in the outbox loses the words too.
    await s.tp.worker.stop();
    try {
      expect((await deliver(channel.instagram!, ig({ ...from, message: { mid: 'aWdfQUICK', text: 'pin is 0042' } }))).body).toMatchObject({ stored: 1 });
      expect((await unsend('aWdfQUICK')).body).toMatchObject({ unsent: 1 });
    } finally {
      s.tp.worker.start();
    }
    await until(3);
    const lines = await received();
    expect(lines.map((t) => t.properties.preview)).toEqual(['(message unsent)', '(message unsent)', '(message unsent)']);
    expect(JSON.stringify(lines)).not.toContain('0042');
  });

  it('Messenger: once a message is unsent, no reaction line quotes it, neither one made before nor one arriving after', async () => {
    const from = { sender: { id: 'PSID-77' }, recipient: { id: 'PAGE1' } };
    const page = (...messaging: unknown[]) => ({ object: 'page', entry: [{ id: 'PAGE1', time: 1, messaging }] });
    const at = (offset: number) => ({ ...from, timestamp: clock.now() + offset });
    const react = (offset: number, emoji: string) => ({ ...at(offset), reaction: { mid: 'm_SECRET', action: 'react', reaction: 'love', emoji } });
    expect((await deliver(channel.messenger!, page({ ...at(0), message: { mid: 'm_SECRET', text: 'My door code is walrus-5150' } }, react(1, '❤️')))).body).toMatchObject({ stored: 2 });
    const moment = await momentOf('m_SECRET');
    expect((await thread(moment.id)).map((m) => m.body)).toEqual(['My door code is walrus-5150', '❤️ reacted to “My door code is walrus-5150”']);
    expect((await s.api('GET', `/api/v1/moments/${moment.id}`)).body.preview).toBe('❤️ reacted to “My door code is walrus-5150”');
    const received = async () => ((await s.api('GET', `/api/v1/customers/${moment.customerId}/timeline?limit=100`)).body.data as any[]).filter((t) => t.name === 'Message Received');
    const until = async (n: number) => {
      for (let tries = 0; (await received()).length < n && tries < 100; tries++) await s.tp.worker.drain().then(() => new Promise((resolve) => setTimeout(resolve, 50)));
    };
    // Both lines on the timeline first (the running worker may be writing them while drain() returns).
    await until(2);

    expect((await deliver(channel.messenger!, page({ ...at(2), message: { mid: 'm_SECRET', is_deleted: true } }))).body).toMatchObject({ unsent: 1 });
    // A reaction that arrives after the unsend (Meta's deliveries are not ordered) quotes nothing either.
    expect((await deliver(channel.messenger!, page(react(3, '😮')))).body).toMatchObject({ stored: 1 });
    const messages = await thread(moment.id);
    expect(messages.map((m) => m.body)).toEqual(['', '❤️ reacted to a message that was unsent', '😮 reacted to a message that was unsent']);
    expect(messages[1].meta.reaction).toMatchObject({ emoji: '❤️', to: 'm_SECRET', messageId: messages[0].id });
    expect((await s.api('GET', `/api/v1/moments/${moment.id}`)).body.preview).toBe('😮 reacted to a message that was unsent');
    await until(3);
    expect((await received()).map((t) => t.properties.preview).sort()).toEqual(['(message unsent)', '❤️ reacted to a message that was unsent', '😮 reacted to a message that was unsent']);
    if (engine === 'sqlite') while (await indexInboxText(s.tp.deps.db));
    expect(((await s.api('GET', '/api/v1/moments?status=open&q=walrus-5150')).body.data as any[]).map((m) => m.id)).toEqual([]);
    const everywhere = JSON.stringify([
      await thread(moment.id),
      (await s.api('GET', `/api/v1/customers/${moment.customerId}/timeline?limit=100`)).body.data,
      await s.tp.deps.db.selectFrom('moment_activity').select('payload').where('moment_id', '=', moment.id).execute(),
      await s.tp.deps.db.selectFrom('message').select('body').where('moment_id', '=', moment.id).execute(),
    ]);
    expect(everywhere).not.toContain('walrus');
  });

  it('a delivery to one workspace’s channel never creates data in another', async () => {
    const other: CreatedWorkspace = await createWorkspace(s.tp.deps, { name: 'Globex', ownerEmail: `owner-${engine}@globex.test`, ownerPassword: 'another long password' });
    const theirs = await s.api('POST', '/api/v1/channels', { kind: 'whatsapp', name: 'Globex WhatsApp', address: '+447700900555', settings: { phoneNumberId: 'PN1', apiBaseUrl: graph.url }, secrets: { ...secrets, appSecret: 'globex-secret' } }, other.apiKey);
    expect(theirs.status).toBe(201);
    const globexMoments = async () => (await s.api('GET', '/api/v1/moments?status=open,pending,snoozed,resolved,closed', undefined, other.apiKey)).body.data as any[];

    // Signed with the other workspace's secret: refused at our URL, and theirs is another URL.
    expect((await deliver(channel.whatsapp!, whatsappDelivery({ messages: [text('447700900010', 'wamid.X1', 'hi')] }), { secret: 'globex-secret' })).status).toBe(401);
    // Ours, naming the same phone number id as their channel: stays ours.
    expect((await deliver(channel.whatsapp!, whatsappDelivery({ messages: [text('447700900010', 'wamid.X2', 'hi')] }))).body).toMatchObject({ stored: 1 });
    expect(await globexMoments()).toEqual([]);
    const ours = await messageByExternalId('wamid.X2');
    expect(ours!.workspace_id).toBe(s.workspace.workspaceId);

    // Theirs: stored in their workspace only, and our API cannot see it.
    expect((await deliver(theirs.body.id, whatsappDelivery({ messages: [text('447700900010', 'wamid.X3', 'hello Globex')] }), { secret: 'globex-secret' })).body).toMatchObject({ stored: 1 });
    const [theirMoment] = await globexMoments();
    expect(theirMoment).toMatchObject({ channel: 'whatsapp' });
    expect((await s.api('GET', `/api/v1/moments/${theirMoment.id}`)).status).toBe(404);
    // A status for our reply sent to their channel changes nothing of ours.
    const ourMoment = await momentOf('wamid.X2');
    await reply(ourMoment.id, { body: 'Hi!' });
    await s.tp.worker.drain();
    const sent = (await thread(ourMoment.id)).at(-1);
    expect((await deliver(theirs.body.id, whatsappDelivery({ statuses: [{ id: sent.externalId, status: 'read', timestamp: '1', recipient_id: '447700900010' }] }), { secret: 'globex-secret' })).body).toMatchObject({ statuses: 0 });
    expect((await thread(ourMoment.id)).at(-1)).toMatchObject({ delivery: 'sent' });
  });

  it('stores a message with a NUL or a lone surrogate in it, cleaned, and the messages beside it', async () => {
    const payload = whatsappDelivery({ contacts: [{ profile: { name: 'Nu\u0000l' }, wa_id: '447700912345' }], messages: [text('447700912345', 'wamid.NUL1', 'good one'), text('447700912345', 'wamid.NUL2', 'bad \u0000 one \ud800'), text('447700912345', 'wamid.NUL3', 'good two')] });
    expect((await deliver(channel.whatsapp!, payload)).body).toMatchObject({ stored: 3, duplicates: 0 });
    const moment = await momentOf('wamid.NUL1');
    expect((await thread(moment.id)).map((m) => m.body)).toEqual(['good one', 'bad  one \ufffd', 'good two']);
  });
});
