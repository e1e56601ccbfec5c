import { describe, expect, it } from 'vitest';
import { ChatClient, originAllowed, parseClientFrame, type ServerFrame, type SocketLike, type VisitorMessage } from './protocol.ts';

/** A socket the test drives: it records what the client sends and delivers what the test says. */
class FakeSocket implements SocketLike {
  readyState = 1;
  readonly sent: Record<string, unknown>[] = [];
  onmessage: ((event: never) => void) | null = null;
  onclose: ((event: never) => void) | null = null;
  onerror: ((event: never) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code = 1000, reason = ''): void {
    this.readyState = 3;
    (this.onclose as ((e: { code: number; reason: string }) => void) | null)?.({ code, reason });
  }
  receive(frame: ServerFrame): void {
    (this.onmessage as ((e: { data: string }) => void) | null)?.({ data: JSON.stringify(frame) });
  }
}

const message = (id: string, direction: 'in' | 'out', clientId: string | null = null, read = false): VisitorMessage => ({ id, momentId: 'm1', clientId, direction, body: id, authorName: null, attachments: [], createdAt: '2026-11-26T08:00:00.000Z', read });

function client() {
  const sockets: FakeSocket[] = [];
  let n = 0;
  const chat = new ChatClient({ url: 'ws://tp.test', channelId: 'ch1', visitorId: 'visitor-1', connect: (url) => (sockets.push(new FakeSocket(url)), sockets.at(-1)!), retryMs: () => 0, newId: () => `00000000-0000-4000-8000-00000000000${n++}` });
  return { chat, sockets };
}

describe('parseClientFrame', () => {
  it('takes well-formed frames and names the bad field otherwise', () => {
    expect(parseClientFrame('{"type":"message","clientId":"0B3F8F4E-1111-4222-8333-444455556666","body":"hi"}')).toEqual({ ok: true, frame: { type: 'message', clientId: '0b3f8f4e-1111-4222-8333-444455556666', body: 'hi', attachments: [] } });
    expect(parseClientFrame('{"type":"message","clientId":"nope","body":"hi"}')).toMatchObject({ ok: false, field: 'clientId' });
    expect(parseClientFrame('{"type":"message","clientId":"0b3f8f4e-1111-4222-8333-444455556666","body":"  "}')).toMatchObject({ ok: false, field: 'body' });
    expect(parseClientFrame(`{"type":"message","clientId":"0b3f8f4e-1111-4222-8333-444455556666","body":"${'x'.repeat(10_001)}"}`)).toMatchObject({ ok: false, field: 'body' });
    expect(parseClientFrame('{"type":"identify","email":"not an email"}')).toMatchObject({ ok: false, field: 'email' });
    expect(parseClientFrame('{"type":"read","ids":["a","b"]}')).toEqual({ ok: true, frame: { type: 'read', ids: ['a', 'b'] } });
    expect(parseClientFrame('[1]')).toMatchObject({ ok: false, field: 'frame' });
    expect(parseClientFrame('{"type":"shout"}')).toMatchObject({ ok: false, field: 'type' });
  });
});

describe('originAllowed', () => {
  it('matches exact origins and subdomain wildcards, nothing looser', () => {
    expect(originAllowed('https://shop.example.com', ['https://shop.example.com'])).toBe(true);
    expect(originAllowed('https://SHOP.example.com', ['https://shop.example.com'])).toBe(true);
    expect(originAllowed('https://a.b.example.com', ['https://*.example.com'])).toBe(true);
    expect(originAllowed('https://example.com', ['https://*.example.com'])).toBe(false);
    expect(originAllowed('https://evilexample.com', ['https://*.example.com'])).toBe(false);
    expect(originAllowed('https://a.example.com:8443', ['https://*.example.com'])).toBe(false);
    expect(originAllowed('null', ['https://shop.example.com'])).toBe(false);
  });
});

describe('ChatClient', () => {
  it('resends unacknowledged messages on every connection and keeps each message once', async () => {
    const { chat, sockets } = client();
    chat.start();
    const id = chat.send('hello');
    expect(sockets[0].sent).toEqual([]); // not ready yet
    sockets[0].receive({ type: 'ready', cursor: 10 });
    expect(sockets[0].sent).toEqual([{ type: 'message', clientId: id, body: 'hello', attachments: [] }]);
    sockets[0].close(1006);
    await new Promise((resolve) => setTimeout(resolve, 5)); // reconnects after retryMs
    expect(sockets[1].url).toBe('ws://tp.test/widget/socket?channel=ch1&visitor=visitor-1&after=10');
    sockets[1].receive({ type: 'ready', cursor: 10 });
    expect(sockets[1].sent[0]).toMatchObject({ type: 'message', clientId: id });
    sockets[1].receive({ type: 'message', seq: 11, message: message('01', 'in', id) });
    expect(chat.pending).toEqual([]);
    sockets[1].receive({ type: 'message', seq: null, message: message('02', 'out') });
    sockets[1].receive({ type: 'message', seq: 12, message: message('02', 'out') });
    expect(chat.messages.map((m) => m.id)).toEqual(['01', '02']);
    expect(chat.cursor).toBe(12);
  });

  it('sends messages one at a time in the order written, holding the rest while one is rate limited', async () => {
    const { chat, sockets } = client();
    chat.start();
    const [a, b, c] = [chat.send('m1'), chat.send('m2'), chat.send('m3')];
    sockets[0].receive({ type: 'ready', cursor: 0 });
    const bodies = () => sockets[0].sent.map((f) => f.body);
    expect(bodies()).toEqual(['m1']);
    sockets[0].receive({ type: 'ack', clientId: a, messageId: '01', momentId: 'm1' });
    expect(bodies()).toEqual(['m1', 'm2']);
    sockets[0].receive({ type: 'error', code: 'rate_limited', message: 'too many', clientId: b, retry: true, retryAfterMs: 20 });
    expect(bodies()).toEqual(['m1', 'm2']); // m3 does not overtake m2
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(bodies()).toEqual(['m1', 'm2', 'm2']);
    sockets[0].receive({ type: 'ack', clientId: b, messageId: '02', momentId: 'm1' });
    expect(bodies()).toEqual(['m1', 'm2', 'm2', 'm3']);
    sockets[0].receive({ type: 'ack', clientId: c, messageId: '03', momentId: 'm1' });
    expect(chat.pending).toEqual([]);
  });

  it('counts as unread only the replies the visitor has not read, wherever the history comes from', () => {
    const { chat, sockets } = client();
    chat.start();
    sockets[0].receive({ type: 'message', seq: null, message: message('01', 'in') });
    sockets[0].receive({ type: 'message', seq: null, message: message('02', 'out', null, true) });
    sockets[0].receive({ type: 'message', seq: null, message: message('03', 'out', null, true) });
    sockets[0].receive({ type: 'ready', cursor: 3 });
    expect(chat.unread).toBe(0);
    sockets[0].receive({ type: 'message', seq: null, message: message('04', 'out') });
    sockets[0].receive({ type: 'message', seq: 4, message: message('04', 'out') });
    expect(chat.unread).toBe(1);
    chat.markRead();
    expect(chat.unread).toBe(0);
  });

  it('keeps an email given while offline and sends it on reconnect until the server confirms it', async () => {
    const { chat, sockets } = client();
    chat.start();
    chat.identify('ann@example.com', 'Ann');
    expect(sockets[0].sent).toEqual([]);
    sockets[0].receive({ type: 'ready', cursor: 0 });
    expect(sockets[0].sent).toEqual([{ type: 'identify', email: 'ann@example.com', name: 'Ann' }]);
    sockets[0].close(1006); // dropped before the confirmation
    await new Promise((resolve) => setTimeout(resolve, 5));
    sockets[1].receive({ type: 'ready', cursor: 0 });
    expect(sockets[1].sent).toEqual([{ type: 'identify', email: 'ann@example.com', name: 'Ann' }]);
    sockets[1].receive({ type: 'identified', email: 'ann@example.com' });
    sockets[1].close(1006);
    await new Promise((resolve) => setTimeout(resolve, 5));
    sockets[2].receive({ type: 'ready', cursor: 0 });
    expect(sockets[2].sent).toEqual([]);
  });

  it('stops for good on a 44xx refusal, and forgets everything on reset', () => {
    const { chat, sockets } = client();
    const events: string[] = [];
    chat.on((e) => events.push(e.type));
    chat.start();
    sockets[0].receive({ type: 'ready', cursor: 5 });
    sockets[0].receive({ type: 'message', seq: 5, message: message('01', 'in') });
    sockets[0].receive({ type: 'reset' });
    expect(chat.messages).toEqual([]);
    expect(chat.cursor).toBeNull();
    sockets[0].close(4401, 'identity verification failed');
    expect(sockets).toHaveLength(1);
    expect(events).toContain('refused');
  });
});
