import net from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeTouchpoint, type App } from '../src/main.ts';
import { createWorkspace } from '../src/modules/workspaces/index.ts';
import { loadChannel } from '../src/modules/channels/index.ts';
import { makeReplyToken, REPLY_SECRET } from '../src/channels/email/reply-token.ts';
import { fixedClock } from '../src/platform/clock.ts';
import { createLogger } from '../src/platform/logger.ts';
import { ENGINES, newStore, type EngineName, type Running, type Store } from './harness.ts';
import { addAgent, addTeam, type Person } from './moments-fixtures.ts';

const INBOX = 'support@acme.test';
const HOUR = 3_600_000;

/** A real SMTP relay stand-in: records what it accepted, refuses the recipients it is told to. */
type Sink = { readonly port: number; readonly received: { readonly rcpt: string[]; readonly mail: ParsedMail; readonly raw: string }[]; readonly refuse: Map<string, number>; readonly close: () => Promise<void> };

async function startSink(): Promise<Sink> {
  const received: Sink['received'] = [];
  const refuse = new Map<string, number>();
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'relay-user' && auth.password === 'relay-pass') return callback(null, { user: auth.username });
      callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      const code = refuse.get(address.address);
      callback(code ? Object.assign(new Error(code >= 500 ? '5.1.1 mailbox unknown' : '4.2.1 mailbox busy, try later'), { responseCode: code }) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        void simpleParser(raw).then((mail) => {
          received.push({ rcpt: session.envelope.rcptTo.map((r) => r.address), mail, raw: raw.toString() });
          callback();
        });
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.server.address() as net.AddressInfo).port, received, refuse, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A port nothing listens on: a relay that is down. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A raw RFC 5322 message from header lines and a body. */
const rfc822 = (headers: Record<string, string>, body = 'Hello') => `${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}\r\n`;

let seq = 0;
const newId = (host = 'mail.example.com') => `<m${++seq}.${Date.now()}@${host}>`;

describe.each(ENGINES)('email channel on %s', (engine: EngineName) => {
  const clock = fixedClock(Date.parse('2026-11-24T09:00:00Z'));
  let tp: App;
  let store: Store;
  let s: Pick<Running, 'api' | 'tp' | 'url'>;
  let sink: Sink;
  let client: ReturnType<typeof nodemailer.createTransport>;
  let ana: Person;
  let channelId: string;

  /** Sends a raw message to Touchpoint's SMTP server; resolves with its reply or rejects with the SMTP error. */
  const send = (raw: string, envelope: { from: string; to: string[] }) => client.sendMail({ envelope, raw });
  const refusal = (raw: string, envelope: { from: string; to: string[] }) => send(raw, envelope).then(() => null, (e: { responseCode?: number; response?: string }) => e);
  const mail = (from: string, headers: Record<string, string>, body?: string, to = [INBOX]) => send(rfc822({ From: from, To: to.join(', '), ...headers }, body), { from: /<(.*)>/.exec(from)?.[1] ?? from, to });

  const messageByExternalId = (externalId: string) => tp.deps.db.selectFrom('message').selectAll().where('external_id', '=', externalId).executeTakeFirst();
  const thread = async (momentId: string) => (await s.api('GET', `/api/v1/moments/${momentId}/messages`)).body.data as any[];
  const moment = async (momentId: string) => (await s.api('GET', `/api/v1/moments/${momentId}`)).body;
  const momentsOf = async (email: string) => {
    const rows = await tp.deps.db
      .selectFrom('moment')
      .innerJoin('customer', (j) => j.onRef('customer.workspace_id', '=', 'moment.workspace_id').onRef('customer.id', '=', 'moment.customer_id'))
      .innerJoin('identity', (j) => j.onRef('identity.workspace_id', '=', 'customer.workspace_id').onRef('identity.customer_id', '=', 'customer.root_id'))
      .select(['moment.id', 'moment.status'])
      .where('identity.kind', '=', 'email')
      .where('identity.value', '=', email)
      .orderBy('moment.id')
      .execute();
    return rows;
  };
  /** The agent replies; the worker delivers; returns what the relay received (if it did). */
  const reply = async (momentId: string, body: string, attachments?: { fileName: string; contentType: string; data: string }[], email?: { subject?: string; cc?: string[] }) => {
    const before = sink.received.length;
    // As the API key naming Ana: the test clock runs days ahead, past any session's life.
    const res = await s.api('POST', `/api/v1/moments/${momentId}/messages`, { direction: 'out', body, agentId: ana.id, ...(attachments ? { attachments } : {}), ...(email ? { email } : {}) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    await tp.worker.drain();
    return { message: res.body.message, delivered: sink.received[before] };
  };

  beforeAll(async () => {
    store = newStore(engine);
    tp = await composeTouchpoint({ ...store.config, smtpHost: '127.0.0.1' }, { pgSchema: store.pgSchema, clock, log: createLogger('silent'), workerPollMs: 50, smtpPort: 0 });
    const workspace = await createWorkspace(tp.deps, { name: 'Acme', ownerEmail: 'owner@acme.test', ownerPassword: 'correct horse battery' });
    const url = await tp.http.listen({ port: 0, host: '127.0.0.1' });
    s = {
      tp,
      url,
      api: async (method, route, body, key = workspace.apiKey) => {
        const res = await fetch(url + route, { method, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
        const text = await res.text();
        return { status: res.status, body: text ? JSON.parse(text) : null };
      },
    };
    sink = await startSink();
    client = nodemailer.createTransport({ host: '127.0.0.1', port: tp.smtp!.port, secure: false, ignoreTLS: true });
    ana = await addAgent(s as Running, { name: 'Ana', capacity: { email: 1000 } });
    const team = await addTeam(s as Running, [ana]);
    await s.api('POST', '/api/v1/assignment-rules', { name: 'mail', conditions: { channels: ['email'] }, teamId: team });
    const created = await s.api('POST', '/api/v1/channels', { kind: 'email', name: 'Acme Support', address: 'Support@Acme.test', settings: { smtp: { host: '127.0.0.1', port: sink.port, user: 'relay-user' } }, secrets: { smtpPassword: 'relay-pass' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // Its reply addresses are signed from the start: a first reply (a chat's offline follow-up) already carries one.
    expect(created.body.secretsSet).toEqual(['replyTokenSecret', 'smtpPassword']);
    channelId = created.body.id;
  });

  afterAll(async () => {
    client?.close();
    await sink?.close();
    await tp?.close();
    await store?.drop();
  });

  it('receives on its SMTP port as part of the app', () => {
    expect(tp.smtp).toMatchObject({ host: '127.0.0.1', port: expect.any(Number) });
    expect(tp.smtp!.port).toBeGreaterThan(0);
  });

  it('refuses unknown recipients and forged reply tokens at RCPT with 550', async () => {
    const unknown = await refusal(rfc822({ From: 'ann@example.com', To: 'nobody@acme.test', Subject: 'Hi' }), { from: 'ann@example.com', to: ['nobody@acme.test'] });
    expect(unknown).toMatchObject({ responseCode: 550 });
    const forged = await refusal(rfc822({ From: 'ann@example.com', To: 'x', Subject: 'Hi' }), { from: 'ann@example.com', to: [`reply+${'a'.repeat(42)}@acme.test`] });
    expect(forged).toMatchObject({ responseCode: 550 });
    // A switched-off inbox: "try again later", so the sender's server keeps the mail and retries.
    const paused = await s.api('POST', '/api/v1/channels', { kind: 'email', name: 'Paused', address: 'paused@acme.test', enabled: false });
    expect(paused.status, JSON.stringify(paused.body)).toBe(201);
    const later = await refusal(rfc822({ From: 'ann@example.com', To: 'paused@acme.test', Subject: 'Hi' }), { from: 'ann@example.com', to: ['paused@acme.test'] });
    expect(later).toMatchObject({ responseCode: 450 });
    expect(later?.response).toMatch(/paused, try again later/);
  });

  let annMoment = '';
  let firstReplyId = '';
  let replyTo = '';

  it('a Gmail conversation: a new mail opens a moment; the reply leaves through the relay, threaded, with a reply token', async () => {
    const gmailId = newId('mail.gmail.com');
    const html = '<div dir="ltr">My order <b>#1001</b> is late<img src="https://tracker.example/p.gif"><script>alert(1)</script></div>';
    const raw = [
      'From: Ann Lee <ann@example.com>',
      `To: ${INBOX}`,
      'Subject: Order #1001 is late',
      `Message-ID: ${gmailId}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="000mixed"',
      '',
      '--000mixed',
      'Content-Type: multipart/alternative; boundary="000alt"',
      '',
      '--000alt',
      'Content-Type: text/plain; charset="UTF-8"',
      '',
      'My order #1001 is late',
      '--000alt',
      'Content-Type: text/html; charset="UTF-8"',
      '',
      html,
      '--000alt--',
      '--000mixed',
      'Content-Type: image/png; name="receipt.png"',
      'Content-Disposition: attachment; filename="receipt.png"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('png bytes').toString('base64'),
      '--000mixed--',
      '',
    ].join('\r\n');
    const accepted = await send(raw, { from: 'ann@example.com', to: [INBOX] });
    expect(accepted.response).toMatch(/^250 .*opened/);

    const stored = await messageByExternalId(gmailId);
    annMoment = stored!.moment_id;
    const [first] = await thread(annMoment);
    expect(first).toMatchObject({ direction: 'in', body: 'My order #1001 is late', address: 'ann@example.com', attachments: [{ fileName: 'receipt.png', contentType: 'image/png', size: 9 }] });
    expect(first.meta).toMatchObject({ messageId: gmailId, from: 'ann@example.com', fromName: 'Ann Lee', to: [INBOX], subject: 'Order #1001 is late', html: '<div dir="ltr">My order <b>#1001</b> is late</div>' });
    expect(await moment(annMoment)).toMatchObject({ subject: 'Order #1001 is late', channel: 'email', ownerId: ana.id });
    expect((await tp.deps.db.selectFrom('moment').select('channel_id').where('id', '=', annMoment).executeTakeFirstOrThrow()).channel_id).toBe(channelId);

    const { message, delivered } = await reply(annMoment, 'Sorry Ann, it ships today.');
    expect(delivered, 'the relay got the reply').toBeDefined();
    const sent = delivered!.mail;
    expect(delivered!.rcpt).toEqual(['ann@example.com']);
    expect(sent.from?.value[0]).toEqual({ name: 'Ana', address: INBOX });
    expect(sent.subject).toBe('Re: Order #1001 is late');
    expect(sent.inReplyTo).toBe(gmailId);
    expect([sent.references].flat()).toEqual([gmailId]);
    expect(sent.messageId).toBe(`<${message.id}@acme.test>`);
    expect(sent.text?.trim()).toBe('Sorry Ann, it ships today.');
    replyTo = sent.replyTo!.value[0]!.address!;
    expect(replyTo).toMatch(/^reply\+[a-z2-7]{42}@acme\.test$/);
    firstReplyId = sent.messageId!;

    const shown = (await thread(annMoment)).at(-1);
    expect(shown).toMatchObject({ direction: 'out', delivery: 'sent', externalId: firstReplyId, deliveryError: null });
    const channel = (await s.api('GET', `/api/v1/channels/${channelId}`)).body;
    expect(channel.secretsSet).toEqual(['replyTokenSecret', 'smtpPassword']);
    expect(channel.health.state).toBe('ok');
  });

  it('a Gmail reply (In-Reply-To + References) continues the moment; a second reply threads References to the root', async () => {
    const id = newId('mail.gmail.com');
    const res = await mail('Ann Lee <ann@example.com>', { Subject: 'Re: Order #1001 is late', 'Message-ID': id, 'In-Reply-To': firstReplyId, References: `${(await thread(annMoment))[0].externalId} ${firstReplyId}` }, 'Thanks!\r\n\r\nOn Tue, Acme wrote:\r\n> Sorry Ann');
    expect(res.response).toMatch(/continued/);
    const messages = await thread(annMoment);
    expect(messages.at(-1)).toMatchObject({ externalId: id, meta: { threadedBy: 'headers' } });
    const { delivered } = await reply(annMoment, 'You are welcome. Your label is attached.', [{ fileName: 'label.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF label').toString('base64') }]);
    expect(delivered!.mail.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([['label.pdf', 'application/pdf', '%PDF label']]);
    expect(delivered!.mail.inReplyTo).toBe(id);
    expect([delivered!.mail.references].flat()).toEqual([messages[0].externalId, firstReplyId, id]);
  });

  it('an agent may set the reply subject and copy people in', async () => {
    const { delivered } = await reply(annMoment, 'Looping in our warehouse lead.', undefined, { subject: 'Your order #1001: next steps', cc: ['lead@warehouse.example'] });
    expect(delivered!.mail.subject).toBe('Your order #1001: next steps');
    expect(delivered!.rcpt.sort()).toEqual(['ann@example.com', 'lead@warehouse.example']);
    expect([delivered!.mail.cc].flat().map((a: any) => a.text)).toEqual(['lead@warehouse.example']);
    // Options of another channel, or on a note, are refused rather than silently dropped.
    const template = await s.api('POST', `/api/v1/moments/${annMoment}/messages`, { direction: 'out', body: 'Back in stock', agentId: ana.id, template: { name: 'back_in_stock', language: 'en' } });
    expect([template.status, template.body.error?.field]).toEqual([400, 'template']);
    const onNote = await s.api('POST', `/api/v1/moments/${annMoment}/messages`, { direction: 'note', body: 'cc the lead', email: { cc: ['lead@warehouse.example'] } });
    expect([onNote.status, onNote.body.error?.field]).toEqual([400, 'email']);
  });

  it('an Outlook reply that drops the threading headers still lands by the reply token ("RE:")', async () => {
    const id = newId('outlook.com');
    const res = await mail('Ann Lee <ann@example.com>', { Subject: 'RE: Order #1001 is late', 'Message-ID': id, 'Thread-Topic': 'Order #1001 is late' }, 'One more thing', [replyTo]);
    expect(res.response).toMatch(/continued/);
    expect((await thread(annMoment)).at(-1)).toMatchObject({ externalId: id, meta: { threadedBy: 'token' } });
    // A German Outlook ("AW:") with no headers and no token still matches the subject of Ann's own moment.
    const aw = newId('outlook.de');
    expect((await mail('ann@example.com', { Subject: 'AW: Order #1001 is late', 'Message-ID': aw })).response).toMatch(/continued/);
    expect((await thread(annMoment)).at(-1)).toMatchObject({ externalId: aw, meta: { threadedBy: 'subject' } });
  });

  it('an Apple Mail reply (multipart/alternative, References) continues it', async () => {
    const id = newId('icloud.com');
    const raw = rfc822(
      { From: 'Ann Lee <ann@example.com>', To: INBOX, Subject: 'Re: Order #1001 is late', 'Message-ID': id, 'In-Reply-To': firstReplyId, References: firstReplyId, 'Mime-Version': '1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))', 'Content-Type': 'multipart/alternative; boundary="Apple-Mail=_1"' },
      '--Apple-Mail=_1\r\nContent-Transfer-Encoding: 7bit\r\nContent-Type: text/plain;\r\n\tcharset=us-ascii\r\n\r\nGot it, thanks\r\n--Apple-Mail=_1\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n<html><body>Got it, thanks</body></html>\r\n--Apple-Mail=_1--',
    );
    expect((await send(raw, { from: 'ann@example.com', to: [INBOX] })).response).toMatch(/continued/);
    expect((await thread(annMoment)).at(-1)).toMatchObject({ externalId: id, body: 'Got it, thanks', meta: { threadedBy: 'headers', html: 'Got it, thanks' } });
  });

  it('a new mail on another subject, with no thread headers, is a new conversation even while one is open', async () => {
    const subject = `Warranty question ${newId()}`;
    const first = newId();
    expect((await mail('gus@example.com', { Subject: subject, 'Message-ID': first })).response).toMatch(/opened/);
    const open = (await messageByExternalId(first))!.moment_id;
    const other = newId();
    expect((await mail('gus@example.com', { Subject: 'Totally new question about shipping', 'Message-ID': other })).response).toMatch(/opened/);
    expect((await messageByExternalId(other))!.moment_id).not.toBe(open);
    // The same subject again (a resend without headers) still finds its conversation.
    const again = newId();
    expect((await mail('gus@example.com', { Subject: `Re: ${subject}`, 'Message-ID': again })).response).toMatch(/continued/);
    expect((await messageByExternalId(again))!.moment_id).toBe(open);
  });

  it('an answer to a chat followed up by email continues that chat, by its reply token', async () => {
    // A chat whose visitor left: the agent's answer went out by email with a token naming the chat.
    const chat = await s.api('POST', '/api/v1/moments', { identity: 'email:hal@example.com', channel: 'chat', message: { body: 'Email me the answer please' } });
    expect(chat.status, JSON.stringify(chat.body)).toBe(201);
    const workspaceId = (await s.api('GET', '/api/v1/workspace')).body.id;
    const inbox = (await loadChannel(tp.deps, workspaceId, channelId))!;
    const token = makeReplyToken(inbox.secrets[REPLY_SECRET]!, channelId, chat.body.moment.id)!;
    const answer = newId();
    expect((await mail('hal@example.com', { Subject: 'Re: Your chat with Acme', 'Message-ID': answer }, 'Thanks, that solved it', [`reply+${token}@acme.test`])).response).toMatch(/continued/);
    expect((await messageByExternalId(answer))!.moment_id).toBe(chat.body.moment.id);
    // Someone else holding the address gets a conversation of their own.
    const stranger = newId();
    expect((await mail('ivy@example.com', { Subject: 'Re: Your chat with Acme', 'Message-ID': stranger }, 'Me too', [`reply+${token}@acme.test`])).response).toMatch(/opened/);
  });

  it('the same Message-ID delivered twice is stored once', async () => {
    const id = newId();
    const raw = rfc822({ From: 'ann@example.com', To: INBOX, Subject: 'Re: Order #1001 is late', 'Message-ID': id, 'In-Reply-To': firstReplyId });
    await send(raw, { from: 'ann@example.com', to: [INBOX] });
    expect((await send(raw, { from: 'ann@example.com', to: [INBOX] })).response).toMatch(/duplicate/);
    expect((await thread(annMoment)).filter((m) => m.externalId === id)).toHaveLength(1);
  });

  it('a customer replying after resolution reopens the moment within the window; past it a new one opens', async () => {
    expect((await s.api('PATCH', `/api/v1/moments/${annMoment}`, { status: 'resolved' })).status).toBe(200);
    clock.set(clock.now() + HOUR);
    expect((await mail('ann@example.com', { Subject: 'Re: Order #1001 is late', 'Message-ID': newId(), 'In-Reply-To': firstReplyId }, 'It never arrived')).response).toMatch(/reopened/);
    expect((await moment(annMoment)).status).toBe('open');

    expect((await s.api('PATCH', `/api/v1/moments/${annMoment}`, { status: 'resolved' })).status).toBe(200);
    clock.set(clock.now() + 80 * HOUR);
    const late = newId();
    expect((await mail('ann@example.com', { Subject: 'Re: Order #1001 is late', 'Message-ID': late, 'In-Reply-To': firstReplyId }, 'Me again')).response).toMatch(/opened/);
    const stored = await messageByExternalId(late);
    expect(stored!.moment_id).not.toBe(annMoment);
    expect((await moment(annMoment)).status).toBe('resolved');
  });

  it('three people answering one newsletter open three moments, never one — even when it was our mail to someone else', async () => {
    const newsletter = newId('news.acme.test');
    const ids: string[] = [];
    for (const who of ['bea@one.example', 'cal@two.example', 'dee@three.example']) {
      const id = newId();
      ids.push(id);
      expect((await mail(who, { Subject: 'Re: Spring sale', 'Message-ID': id, 'In-Reply-To': newsletter, References: newsletter })).response).toMatch(/opened/);
    }
    const moments = await Promise.all(ids.map(async (id) => (await messageByExternalId(id))!.moment_id));
    expect(new Set(moments).size).toBe(3);

    // Someone Ann forwarded our reply to answers it: their own moment, not Ann's.
    const eve = newId();
    expect((await mail('eve@elsewhere.example', { Subject: 'Re: Order #1001 is late', 'Message-ID': eve, 'In-Reply-To': firstReplyId, References: firstReplyId }, 'Same problem here')).response).toMatch(/opened/);
    expect((await messageByExternalId(eve))!.moment_id).not.toBe(annMoment);
    // And a reply token does not let a stranger into Ann's moment either.
    const viaToken = newId();
    await mail('mallory@elsewhere.example', { Subject: 'Re: Order #1001 is late', 'Message-ID': viaToken }, 'Let me in', [replyTo]);
    expect((await messageByExternalId(viaToken))!.moment_id).not.toBe(annMoment);
  });

  it('a colleague the customer copied in joins the customer’s moment, noted as a participant', async () => {
    const opening = newId('bigco.example');
    await mail('Fay Park <fay@bigco.example>', { Subject: 'Invoice 77 is wrong', 'Message-ID': opening, Cc: 'gus@bigco.example' }, 'Please fix invoice 77');
    const fayMoment = (await messageByExternalId(opening))!.moment_id;
    const { delivered } = await reply(fayMoment, 'Looking into invoice 77');
    const ours = delivered!.mail.messageId!;
    const gus = newId('bigco.example');
    expect((await mail('gus@bigco.example', { Subject: 'RE: Invoice 77 is wrong', 'Message-ID': gus, 'In-Reply-To': ours, References: `${opening} ${ours}`, Cc: 'fay@bigco.example' }, 'Adding the PO number: 4411')).response).toMatch(/continued/);
    expect((await thread(fayMoment)).at(-1)).toMatchObject({ externalId: gus, address: 'gus@bigco.example', meta: { from: 'gus@bigco.example', participant: true, threadedBy: 'headers' } });
    // The answer is still Fay's: to her, with Gus copied as the agent chooses (Fay named in Cc too is not sent twice).
    const answer = (await reply(fayMoment, 'Fixed with PO 4411', undefined, { cc: ['gus@bigco.example', 'fay@bigco.example'] })).delivered!;
    expect(answer.rcpt.sort()).toEqual(['fay@bigco.example', 'gus@bigco.example']);
    expect([answer.mail.to, answer.mail.cc].map((a) => (Array.isArray(a) ? a : [a]).flatMap((x) => x?.value.map((v) => v.address) ?? []))).toEqual([['fay@bigco.example'], ['gus@bigco.example']]);
    // Someone from the same company who was not copied in opens their own.
    const hal = newId('bigco.example');
    await mail('hal@bigco.example', { Subject: 'RE: Invoice 77 is wrong', 'Message-ID': hal, 'In-Reply-To': ours });
    expect((await messageByExternalId(hal))!.moment_id).not.toBe(fayMoment);
  });

  it('automatic mail never opens or reopens a moment: an out-of-office is noted on its moment, lists and robots are dropped', async () => {
    const resolvedBefore = (await moment(annMoment)).status;
    const ooo = newId();
    const accepted = await mail('ann@example.com', { Subject: 'Automatic reply: Order #1001 is late', 'Message-ID': ooo, 'In-Reply-To': firstReplyId, 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' }, 'I am out of office until Monday');
    expect(accepted.response).toMatch(/250 .*noted/);
    expect((await moment(annMoment)).status).toBe(resolvedBefore);
    expect((await thread(annMoment)).at(-1)).toMatchObject({ direction: 'note', authorKind: 'system', externalId: ooo, meta: { automatic: 'Auto-Submitted: auto-replied' } });

    const robots: [string, Record<string, string>, string][] = [
      ['news@shop.example', { Precedence: 'bulk' }, 'news@shop.example'],
      ['list@lists.example', { 'List-Id': '<users.lists.example>', 'List-Unsubscribe': '<mailto:u@lists.example>' }, 'list@lists.example'],
      ['bot@tool.example', { 'X-Autoreply': 'yes' }, 'bot@tool.example'],
      ['noreply@tool.example', { 'Auto-Submitted': 'auto-generated' }, 'noreply@tool.example'],
      ['daemon@tool.example', {}, ''],
      [INBOX, {}, INBOX],
    ];
    for (const [from, headers, envelopeFrom] of robots) {
      const id = newId('robots.example');
      const res = await send(rfc822({ From: from, To: INBOX, Subject: 'Your weekly digest', 'Message-ID': id, ...headers }), { from: envelopeFrom, to: [INBOX] });
      expect(res.response, from).toMatch(/250 .*dropped/);
      expect(await messageByExternalId(id), from).toBeUndefined();
    }
    for (const from of ['news@shop.example', 'list@lists.example', 'bot@tool.example', 'noreply@tool.example', 'daemon@tool.example']) expect(await momentsOf(from), from).toEqual([]);
  });

  it('a bounce (DSN) marks the reply it reports failed, with the reason', async () => {
    sink.refuse.clear();
    const opening = newId();
    await mail('ivy@example.com', { Subject: 'Where is my refund', 'Message-ID': opening });
    const ivyMoment = (await messageByExternalId(opening))!.moment_id;
    const { delivered } = await reply(ivyMoment, 'Refund sent');
    const ours = delivered!.mail.messageId!;
    const dsn = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.com>',
      `To: ${INBOX}`,
      'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: ${newId('mx.example.com')}`,
      'Auto-Submitted: auto-replied',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="DSN"',
      '',
      '--DSN',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--DSN',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.com',
      '',
      'Final-Recipient: rfc822; ivy@example.com',
      'Action: failed',
      'Status: 5.2.2',
      'Diagnostic-Code: smtp; 552 5.2.2 Mailbox full',
      '',
      '--DSN',
      'Content-Type: text/rfc822-headers',
      '',
      `From: Ana <${INBOX}>`,
      'To: ivy@example.com',
      `Message-ID: ${ours}`,
      '',
      '--DSN--',
      '',
    ].join('\r\n');
    expect((await send(dsn, { from: '', to: [INBOX] })).response).toMatch(/250 .*bounce/);
    expect((await thread(ivyMoment)).at(-1)).toMatchObject({ externalId: ours, delivery: 'failed', deliveryError: 'bounced: ivy@example.com 5.2.2 (552 5.2.2 Mailbox full)' });
    expect(await momentsOf('mailer-daemon@mx.example.com')).toEqual([]);
  });

  it('refuses over-limit mail with a 5xx and stores nothing of it', async () => {
    const base = { From: 'jay@example.com', To: INBOX, Subject: 'Big one' };
    let deep = 'Content-Type: text/plain\r\n\r\ndeep\r\n';
    for (let i = 0; i < 24; i++) deep = `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\n${deep}--n${i}--\r\n`;
    const deepId = newId();
    expect(await refusal(`From: jay@example.com\r\nTo: ${INBOX}\r\nSubject: Deep\r\nMessage-ID: ${deepId}\r\n${deep}`, { from: 'jay@example.com', to: [INBOX] })).toMatchObject({ responseCode: 554 });

    const parts = Array.from({ length: 1001 }, (_, i) => `--P\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('');
    const manyId = newId();
    expect(await refusal(rfc822({ ...base, 'Message-ID': manyId, 'Content-Type': 'multipart/mixed; boundary="P"' }, `${parts}--P--`), { from: 'jay@example.com', to: [INBOX] })).toMatchObject({ responseCode: 554 });

    const hugeId = newId();
    const huge = rfc822({ ...base, 'Message-ID': hugeId }, `${'x'.repeat(998)}\r\n`.repeat(26_500));
    expect(await refusal(huge, { from: 'jay@example.com', to: [INBOX] })).toMatchObject({ responseCode: 552 });

    const bigFileId = newId();
    const bigFile = rfc822(
      { ...base, 'Message-ID': bigFileId, 'Content-Type': 'multipart/mixed; boundary="F"' },
      `--F\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--F\r\nContent-Type: application/octet-stream; name="dump.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.alloc(6 * 1024 * 1024, 7).toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n--F--`,
    );
    expect(await refusal(bigFile, { from: 'jay@example.com', to: [INBOX] })).toMatchObject({ responseCode: 552 });

    for (const id of [deepId, manyId, hugeId, bigFileId]) expect(await messageByExternalId(id)).toBeUndefined();
    expect(await momentsOf('jay@example.com')).toEqual([]);
  });

  it('limits each sender: over 30 messages in 10 minutes gets a temporary 450, then mail flows again', async () => {
    for (let i = 0; i < 30; i++) await send(rfc822({ From: 'loop@robot.example', To: INBOX, Subject: `ping ${i}`, 'Message-ID': newId(), Precedence: 'junk' }), { from: 'loop@robot.example', to: [INBOX] });
    const limited = await refusal(rfc822({ From: 'loop@robot.example', To: INBOX, Subject: 'ping', 'Message-ID': newId() }), { from: 'loop@robot.example', to: [INBOX] });
    expect(limited).toMatchObject({ responseCode: 450 });
    clock.set(clock.now() + 11 * 60_000);
    await expect(send(rfc822({ From: 'loop@robot.example', To: INBOX, Subject: 'ping', 'Message-ID': newId(), Precedence: 'junk' }), { from: 'loop@robot.example', to: [INBOX] })).resolves.toBeDefined();
  });

  it('a relay that refuses the mailbox (550) fails the reply at once, with its answer', async () => {
    sink.refuse.set('gone@example.com', 550);
    const opening = newId();
    await mail('gone@example.com', { Subject: 'Account closed?', 'Message-ID': opening });
    const gone = (await messageByExternalId(opening))!.moment_id;
    const { delivered } = await reply(gone, 'Your account is fine');
    expect(delivered).toBeUndefined();
    expect((await thread(gone)).at(-1)).toMatchObject({ direction: 'out', delivery: 'failed', deliveryError: expect.stringMatching(/550 5\.1\.1 mailbox unknown/) });
    expect((await s.api('GET', `/api/v1/channels/${channelId}`)).body.health).toMatchObject({ state: 'failing', error: expect.stringMatching(/550/) });
  });

  it('a relay that answers 4xx keeps the reply queued for a retry, with its answer', async () => {
    sink.refuse.set('busy@example.com', 451);
    const opening = newId();
    await mail('busy@example.com', { Subject: 'Quick question', 'Message-ID': opening });
    const busy = (await messageByExternalId(opening))!.moment_id;
    await reply(busy, 'Quick answer');
    expect((await thread(busy)).at(-1)).toMatchObject({ delivery: 'queued', deliveryError: expect.stringMatching(/^attempt 1 failed: .*451 4\.2\.1/) });
    sink.refuse.delete('busy@example.com');
    clock.set(clock.now() + HOUR);
    await tp.worker.drain();
    expect((await thread(busy)).at(-1)).toMatchObject({ delivery: 'sent', deliveryError: null });
  });

  it('a relay that is down keeps the reply queued with the reason, retries with backoff, then shows it failed', async () => {
    const opening = newId();
    await mail('kim@example.com', { Subject: 'Need a quote', 'Message-ID': opening });
    const kim = (await messageByExternalId(opening))!.moment_id;
    const down = await closedPort();
    expect((await s.api('PATCH', `/api/v1/channels/${channelId}`, { settings: { smtp: { host: '127.0.0.1', port: down, user: 'relay-user' } } })).status).toBe(200);
    const { delivered } = await reply(kim, 'Quote attached soon');
    expect(delivered).toBeUndefined();
    expect((await thread(kim)).at(-1)).toMatchObject({ delivery: 'queued', deliveryError: expect.stringMatching(/^attempt 1 failed: relay 127\.0\.0\.1:\d+ unreachable: .*ECONNREFUSED/) });
    for (let i = 0; i < 10; i++) {
      clock.set(clock.now() + HOUR);
      await tp.worker.drain();
    }
    expect((await thread(kim)).at(-1)).toMatchObject({ delivery: 'failed', deliveryError: expect.stringMatching(/unreachable/) });
    expect(sink.received.some((r) => r.rcpt.includes('kim@example.com'))).toBe(false);

    // The relay back: the next reply goes out.
    expect((await s.api('PATCH', `/api/v1/channels/${channelId}`, { settings: { smtp: { host: '127.0.0.1', port: sink.port, user: 'relay-user' } } })).status).toBe(200);
    expect((await reply(kim, 'Here is your quote')).delivered?.rcpt).toEqual(['kim@example.com']);
  });

  it('wrong relay credentials fail the reply without retrying', async () => {
    const opening = newId();
    await mail('lou@example.com', { Subject: 'Password reset', 'Message-ID': opening });
    const lou = (await messageByExternalId(opening))!.moment_id;
    await s.api('PATCH', `/api/v1/channels/${channelId}`, { secrets: { smtpPassword: 'wrong' } });
    await reply(lou, 'Reset link sent');
    expect((await thread(lou)).at(-1)).toMatchObject({ delivery: 'failed', deliveryError: expect.stringMatching(/535/) });
    await s.api('PATCH', `/api/v1/channels/${channelId}`, { secrets: { smtpPassword: 'relay-pass' } });
  });
});
