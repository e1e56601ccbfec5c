import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, startServer, type Running } from './harness.ts';

type Reply = { status: number; body: any };

describe.each(ENGINES)('tracking API on %s', (engine) => {
  let running: Running;
  // Every status any request in this block saw: the last test checks none was a 5xx.
  const statuses: number[] = [];
  let n = 0;
  // Ids unique per test, so tests share one server without seeing each other's people.
  const uid = (label: string) => `${label}-${engine}-${++n}`;

  beforeAll(async () => {
    running = await startServer(engine);
  });
  afterAll(async () => {
    await running?.stop();
  });

  const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

  async function track(route: string, body: unknown, writeKey?: string): Promise<Reply> {
    const reply = await running.track(route, body, writeKey);
    statuses.push(reply.status);
    return reply;
  }

  /** A request with exact bytes and headers (encodings, content types, no auth). */
  async function raw(route: string, body: Buffer | string, headers: Record<string, string>): Promise<Reply> {
    const res = await fetch(running.url + route, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
    const text = await res.text();
    statuses.push(res.status);
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // leave as text: the assertion on it will show what came back
    }
    return { status: res.status, body: parsed };
  }

  async function api(method: string, route: string, body?: unknown): Promise<Reply> {
    const reply = await running.api(method, route, body);
    statuses.push(reply.status);
    return reply;
  }

  /** The profile an identity resolves to, or null when nobody has it. */
  async function customerBy(kind: string, value: string): Promise<any | null> {
    const reply = await api('GET', `/api/v1/customers?identity=${encodeURIComponent(`${kind}:${value}`)}`);
    expect(reply.status).toBe(200);
    return reply.body.data[0] ?? null;
  }

  async function timelineOf(kind: string, value: string): Promise<any[]> {
    const customer = await customerBy(kind, value);
    expect(customer, `no profile for ${kind}:${value}`).not.toBeNull();
    const reply = await api('GET', `/api/v1/customers/${customer.id}/timeline?limit=500`);
    expect(reply.status).toBe(200);
    return reply.body.data;
  }

  function expectError(reply: Reply, status: number, code: string, field?: string): void {
    expect(reply.status, JSON.stringify(reply.body)).toBe(status);
    expect(reply.body.error.code).toBe(code);
    expect(typeof reply.body.error.message).toBe('string');
    if (field !== undefined) expect(reply.body.error.field).toBe(field);
  }

  it('stores each call type on the timeline with its type, name and channel', async () => {
    const userId = uid('calls');
    const calls: [string, Record<string, unknown>][] = [
      ['identify', { traits: { plan: 'pro' } }],
      ['track', { event: 'Order Completed', properties: { total: 42 } }],
      ['page', { name: 'Pricing', properties: { path: '/pricing' } }],
      ['screen', { name: 'Home' }],
      ['group', { groupId: 'acme-inc', traits: { industry: 'retail' } }],
      ['track', { event: 'Signed Up', context: { channel: 'browser' } }],
    ];
    for (const [type, extra] of calls) {
      expect(await track(`/v1/${type}`, { userId, ...extra })).toEqual({ status: 200, body: { success: true } });
    }
    const timeline = await timelineOf('user_id', userId);
    const seen = timeline.map((e) => `${e.type}|${e.name}|${e.channel}`).sort();
    expect(seen).toEqual(
      [
        'identify|null|server',
        'track|Order Completed|server',
        'page|Pricing|web',
        'screen|Home|app',
        'group|null|server',
        'track|Signed Up|web',
      ].sort(),
    );
    const order = timeline.find((e) => e.name === 'Order Completed');
    expect(order.properties).toEqual({ total: 42 });
    expect(order.userId).toBe(userId);
  });

  it('puts identify traits on the profile', async () => {
    const userId = uid('traits');
    expect((await track('/v1/identify', { userId, traits: { name: 'Ann Lee', email: 'Ann@Example.com', plan: 'pro' } })).status).toBe(200);
    const profile = await customerBy('user_id', userId);
    expect(profile.traits).toMatchObject({ name: 'Ann Lee', plan: 'pro' });
    expect(profile.identities.map((i: any) => `${i.kind}:${i.value}`)).toEqual(expect.arrayContaining([`user_id:${userId}`, 'email:ann@example.com']));
    expect((await customerBy('email', 'ann@example.com')).id).toBe(profile.id);
  });

  it('accepts the write key in the body instead of HTTP Basic', async () => {
    const userId = uid('bodykey');
    const reply = await raw('/v1/track', JSON.stringify({ writeKey: running.workspace.writeKey, userId, event: 'Body Key' }), { 'content-type': 'application/json' });
    expect(reply).toEqual({ status: 200, body: { success: true } });
    expect((await timelineOf('user_id', userId)).map((e) => e.name)).toEqual(['Body Key']);
  });

  it('refuses a missing or wrong key with 401 naming writeKey, and stores nothing', async () => {
    const userId = uid('nokey');
    expectError(await raw('/v1/track', JSON.stringify({ userId, event: 'X' }), { 'content-type': 'application/json' }), 401, 'unauthorized', 'writeKey');
    expectError(await track('/v1/track', { userId, event: 'X' }, 'tp_write_not_a_real_key'), 401, 'unauthorized', 'writeKey');
    expectError(await raw('/v1/track', JSON.stringify({ writeKey: 'tp_write_wrong', userId, event: 'X' }), { 'content-type': 'application/json' }), 401, 'unauthorized', 'writeKey');
    // An API key is not a write key.
    expectError(await track('/v1/track', { userId, event: 'X' }, running.workspace.apiKey), 401, 'unauthorized', 'writeKey');
    expectError(await track('/v1/batch', { batch: [{ type: 'track', userId, event: 'X' }] }, 'nope'), 401, 'unauthorized', 'writeKey');
    expect(await customerBy('user_id', userId)).toBeNull();
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const headers = { 'content-type': 'application/json', authorization: basic(running.workspace.writeKey) };
    expectError(await raw('/v1/track', '{"userId": "a", "event": ', headers), 400, 'invalid_json', 'body');
    expectError(await raw('/v1/batch', '{"batch": [}', headers), 400, 'invalid_json', 'body');
    expectError(await raw('/v1/identify', '', headers), 400, 'invalid_json');
  });

  it('names the field of a value with the wrong type', async () => {
    const userId = uid('types');
    expectError(await track('/v1/track', { userId, event: 5 }), 400, 'invalid_field', 'event');
    expectError(await track('/v1/track', { userId, event: 'E', properties: [] }), 400, 'invalid_field', 'properties');
    expectError(await track('/v1/track', { userId, event: 'E', timestamp: 'yesterday' }), 400, 'invalid_field', 'timestamp');
    expectError(await track('/v1/identify', { userId, traits: 'vip' }), 400, 'invalid_field', 'traits');
    expectError(await track('/v1/track', { userId: { id: 1 }, event: 'E' }), 400, 'invalid_field', 'userId');
    expectError(await track('/v1/track', { userId: ['a'], event: 'E' }), 400, 'invalid_field', 'userId');
    expectError(await track('/v1/track', { userId, event: 'E', sentAt: 'soon' }), 400, 'invalid_field', 'sentAt');
    expectError(await track('/v1/track', { userId }), 400, 'missing_field', 'event');
    expectError(await track('/v1/group', { userId }), 400, 'missing_field', 'groupId');
    expectError(await track('/v1/track', [{ userId, event: 'E' }]), 400, 'invalid_field', 'body');
    expect(await customerBy('user_id', userId)).toBeNull();
  });

  it('refuses text PostgreSQL cannot store and times no date can hold, naming the field', async () => {
    const userId = uid('text');
    expectError(await track('/v1/track', { userId: 'a\u0000b', event: 'E' }), 400, 'invalid_field', 'userId');
    expectError(await track('/v1/identify', { userId, traits: { name: 'x\ud800' } }), 400, 'invalid_field', 'traits.name');
    expectError(await track('/v1/track', { userId, event: 'E', context: { externalIds: [{ id: 'x\u0000', type: 'crm' }] } }), 400, 'invalid_field', 'context.externalIds[0].id');
    expectError(await track('/v1/batch', { batch: [{ type: 'track', userId, event: 'E' }], context: { channel: 'w\u0000' } }), 400, 'invalid_field', 'context.channel');
    expectError(await track('/v1/batch', { batch: [{ type: 'track', userId, event: 'E' }, { type: 'track', userId, event: 'E\u0000' }] }), 400, 'invalid_field', 'batch[1].event');
    expectError(await track('/v1/track', { userId, event: 'E', timestamp: 1e300 }), 400, 'invalid_field', 'timestamp');
    expect(await customerBy('user_id', userId)).toBeNull();
    // Emoji (surrogate pairs) are fine, and so is a channel named like an Object.prototype key.
    expect((await track('/v1/track', { userId, event: 'Liked 🙂', context: { channel: 'constructor' } })).status).toBe(200);
    expect((await timelineOf('user_id', userId)).map((e) => `${e.name}|${e.channel}`)).toEqual(['Liked 🙂|constructor']);
  });

  it('requires a userId or anonymousId, and refuses placeholder ids', async () => {
    expectError(await track('/v1/track', { event: 'E' }), 400, 'missing_field', 'userId');
    expectError(await track('/v1/identify', { traits: { plan: 'pro' } }), 400, 'missing_field', 'userId');
    expectError(await track('/v1/track', { userId: 'null', event: 'E' }), 400, 'invalid_field', 'userId');
    expectError(await track('/v1/track', { anonymousId: 'undefined', event: 'E' }), 400, 'invalid_field', 'anonymousId');
    // The placeholder is not even a value one can look up.
    expectError(await api('GET', `/api/v1/customers?identity=${encodeURIComponent('user_id:null')}`), 400, 'invalid_identity', 'identity');
    // A + typed into the URL as is reads as a space: the error says how to write it.
    const plus = await api('GET', '/api/v1/customers?identity=phone:+525512345678');
    expectError(plus, 400, 'invalid_identity', 'identity');
    expect(plus.body.error.message).toContain('write the + of a phone number as %2B in a URL');
  });

  it('stores nothing of a batch with one bad item, and names batch[i].field', async () => {
    const good = uid('batch-good');
    const other = uid('batch-other');
    const batch = [
      { type: 'identify', userId: good, traits: { plan: 'pro' } },
      { type: 'track', userId: other, event: 'Fine' },
      { type: 'track', userId: good, event: 7 },
    ];
    expectError(await track('/v1/batch', { batch }), 400, 'invalid_field', 'batch[2].event');
    expectError(await track('/v1/batch', { batch: [batch[0], { type: 'track', event: 'No One' }] }), 400, 'missing_field', 'batch[1].userId');
    expectError(await track('/v1/batch', { batch: [batch[0], { type: 'wave', userId: good }] }), 400, 'invalid_field', 'batch[1].type');
    expectError(await track('/v1/batch', { batch: [batch[0], { userId: good, event: 'E' }] }), 400, 'missing_field', 'batch[1].type');
    expectError(await track('/v1/batch', { batch: [batch[0], 'junk'] }), 400, 'invalid_field', 'batch[1]');
    expectError(await track('/v1/batch', { batch: 'all of them' }), 400, 'invalid_field', 'batch');
    expectError(await track('/v1/batch', {}), 400, 'missing_field', 'batch');
    expect(await customerBy('user_id', good)).toBeNull();
    expect(await customerBy('user_id', other)).toBeNull();

    // The same batch, fixed, is stored whole.
    expect((await track('/v1/batch', { batch: [batch[0], batch[1], { ...batch[2], event: 'Seven' }] })).status).toBe(200);
    expect((await timelineOf('user_id', good)).map((e) => e.type).sort()).toEqual(['identify', 'track']);
    expect((await timelineOf('user_id', other)).map((e) => e.name)).toEqual(['Fine']);
  });

  it('refuses an event over 32 KB with 413 event_too_large', async () => {
    const userId = uid('big');
    expectError(await track('/v1/track', { userId, event: 'Big', properties: { blob: 'x'.repeat(33 * 1024) } }), 413, 'event_too_large');
    expectError(await track('/v1/batch', { batch: [{ type: 'track', userId, event: 'Big', properties: { blob: 'x'.repeat(33 * 1024) } }] }), 413, 'event_too_large', 'batch[0]');
    expect(await customerBy('user_id', userId)).toBeNull();
  });

  it('checks each item of a batch over 32 KB against the event limit, exactly', async () => {
    const userId = uid('items');
    // 36 KB together, none over 32 KB: stored. One item of 33 KB once escaped (control characters serialise as six bytes each): refused, naming it.
    const fine = Array.from({ length: 3 }, (_, i) => ({ type: 'track', userId, event: `Item ${i}`, properties: { pad: 'é'.repeat(6 * 1024) } }));
    expect((await track('/v1/batch', { batch: fine })).status).toBe(200);
    const escaped = { type: 'track', userId, event: 'Escaped', properties: { pad: '\u0001'.repeat(5_600) } };
    expectError(await track('/v1/batch', { batch: [...fine, escaped] }), 413, 'event_too_large', 'batch[3]');
    expect((await timelineOf('user_id', userId)).map((e) => e.name).sort()).toEqual(['Item 0', 'Item 1', 'Item 2']);
  });

  it('refuses JSON nested deeper than 64 levels, naming where (5,000 levels of brackets answered 500), and stores what nests to the limit', async () => {
    const userId = uid('deep');
    const nested = (levels: number) => '['.repeat(levels) + '1' + ']'.repeat(levels);
    const auth = { 'content-type': 'application/json', authorization: basic(running.workspace.writeKey) };
    for (const [route, body, field] of [
      ['/v1/track', `{"userId":"${userId}","event":"Deep","properties":{"x":${nested(5_000)}}}`, 'properties.x'],
      ['/v1/identify', `{"userId":"${userId}","traits":{"x":${nested(70)}}}`, 'traits.x'],
      ['/v1/batch', `{"batch":[{"type":"track","userId":"${userId}","event":"Deep","properties":{"x":${nested(5_000)}}}]}`, 'batch[0].properties.x'],
    ] as const) {
      const reply = await raw(route, body, auth);
      expect(reply.status, route).toBe(400);
      expect(reply.body.error.code).toBe('invalid_field');
      expect(reply.body.error.field.startsWith(`${field}[0]`), reply.body.error.field).toBe(true);
      expect(reply.body.error.message).toContain('nests deeper than 64 levels');
    }
    expect(await customerBy('user_id', userId)).toBeNull();
    // The body, properties and x are three levels: 61 more make 64.
    expect((await raw('/v1/track', `{"userId":"${userId}","event":"Deep enough","properties":{"x":${nested(61)}}}`, auth)).status).toBe(200);
    const [event] = await timelineOf('user_id', userId);
    expect(JSON.stringify(event.properties.x)).toBe(nested(61));
  });

  it('refuses numbers a double cannot hold and order amounts past 1e15, naming them; amounts within add up', async () => {
    const userId = uid('numbers');
    const auth = { 'content-type': 'application/json', authorization: basic(running.workspace.writeKey) };
    // 1e400 parses as Infinity, which would have been stored as null: the event would not be what was sent.
    expectError(await raw('/v1/track', `{"userId":"${userId}","event":"Viewed","properties":{"size":1e400}}`, auth), 400, 'invalid_field', 'properties.size');
    expectError(await raw('/v1/batch', `{"batch":[{"type":"identify","userId":"${userId}","traits":{"score":-1E+309}}]}`, auth), 400, 'invalid_field', 'batch[0].traits.score');
    // No exponent of three digits, yet past a double: 1 and 300 zeros, times 10^10.
    expectError(await raw('/v1/track', `{"userId":"${userId}","event":"Viewed","properties":{"weight":1${'0'.repeat(300)}e10}}`, auth), 400, 'invalid_field', 'properties.weight');
    // Two orders of 1e308 made the profile's revenue Infinity, shown as null from then on.
    expectError(await track('/v1/track', { userId, event: 'Order Completed', properties: { revenue: 1e308 } }), 400, 'invalid_field', 'properties.revenue');
    expectError(await track('/v1/batch', { batch: [{ type: 'track', userId, event: 'Order Completed', properties: { total: '-2e15' } }] }), 400, 'invalid_field', 'batch[0].properties.total');
    // true counted as an order of 1, and "1,234.50" or "abc" as an order of nothing.
    for (const revenue of [true, '1,234.50', 'abc', '', { amount: 5 }]) {
      expectError(await track('/v1/track', { userId, event: 'Order Completed', properties: { revenue, currency: 'USD' } }), 400, 'invalid_field', 'properties.revenue');
    }
    expect(await customerBy('user_id', userId)).toBeNull();
    for (const revenue of [1e15, 250.5, '49.5', ' 12 ']) expect((await track('/v1/track', { userId, event: 'Order Completed', properties: { revenue } })).status).toBe(200);
    expect((await customerBy('user_id', userId)).revenue).toEqual({ USD: 1e15 + 312 });
  });

  it('sums order amounts per currency, in the workspace’s currency when an order names none, and refuses a currency it cannot read', async () => {
    const userId = uid('currencies');
    const order = (properties: Record<string, unknown>, event = 'Order Completed') => track('/v1/track', { userId, event, properties });
    expectError(await order({ revenue: 20, currency: 'euro' }), 400, 'invalid_field', 'properties.currency');
    expectError(await track('/v1/batch', { batch: [{ type: 'track', userId, event: 'Order Completed', properties: { total: 5, currency: 978 } }] }), 400, 'invalid_field', 'batch[0].properties.currency');
    // Without an amount there is nothing to count: a product view may name its currency as it likes.
    expect((await order({ price: 20, currency: 'euro' }, 'Product Viewed')).status).toBe(200);
    for (const properties of [{ revenue: 40, currency: 'EUR' }, { total: 19.99, currency: 'gbp' }, { revenue: 0.1, currency: 'EUR' }, { revenue: 12 }]) {
      expect((await order(properties)).status).toBe(200);
    }
    expect((await order({ total: 10, currency: 'EUR' }, 'Order Refunded')).status).toBe(200);
    const profile = await customerBy('user_id', userId);
    expect(profile.revenue).toEqual({ EUR: 30.1, GBP: 19.99, USD: 12 });
    expect(profile.counts.orders).toBe(4);
  });

  it('refuses a batch over 500 KB, plain or as a gzip that inflates past it, with 413 batch_too_large', async () => {
    const userId = uid('hugebatch');
    // 30 items of 20 KB: each under the event limit, 600 KB together.
    const batch = Array.from({ length: 30 }, (_, i) => ({ type: 'track', userId, event: `E${i}`, properties: { pad: 'y'.repeat(20 * 1024) } }));
    expectError(await track('/v1/batch', { batch }), 413, 'batch_too_large');
    const gz = zlib.gzipSync(JSON.stringify({ batch }));
    expect(gz.length).toBeLessThan(50 * 1024);
    expectError(await raw('/v1/batch', gz, { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: basic(running.workspace.writeKey) }), 413, 'batch_too_large');
    expect(await customerBy('user_id', userId)).toBeNull();
  });

  it('answers a raw batch past the parser\'s limit with 413 batch_too_large, as README documents', async () => {
    const userId = uid('rawhuge');
    const batch = Array.from({ length: 60 }, (_, i) => ({ type: 'track', userId, event: `E${i}`, properties: { pad: 'y'.repeat(20 * 1024) } }));
    expectError(await track('/v1/batch', { batch }), 413, 'batch_too_large', 'body');
    expectError(await track('/v1/track', { userId, event: 'Big', properties: { pad: 'y'.repeat(1100 * 1024) } }), 413, 'event_too_large', 'body');
  });

  it('refuses a numeric timestamp that is not Unix milliseconds (seconds would be stored in 1970)', async () => {
    const userId = uid('seconds');
    const refused = await track('/v1/track', { userId, event: 'Clocked', timestamp: 1795874770 });
    expectError(refused, 400, 'invalid_field', 'timestamp');
    expect(refused.body.error.message).toMatch(/milliseconds/);
    expect((await track('/v1/track', { userId, event: 'Clocked', timestamp: Date.now() - 1000 })).status).toBe(200);
  });

  it('decodes bodies by Content-Encoding, whatever the content type', async () => {
    const auth = basic(running.workspace.writeKey);
    const userId = uid('gzip');
    expectError(await raw('/v1/track', Buffer.from('this is not gzip at all'), { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: auth }), 400, 'invalid_json');
    expectError(await raw('/v1/track', JSON.stringify({ userId, event: 'Br' }), { 'content-type': 'application/json', 'content-encoding': 'br', authorization: auth }), 415, 'unsupported_encoding');

    const form = zlib.gzipSync(JSON.stringify({ batch: [{ type: 'track', userId, event: 'Gzipped Form' }] }));
    expect(await raw('/v1/batch', form, { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip', authorization: auth })).toEqual({ status: 200, body: { success: true } });
    const deflated = zlib.deflateSync(JSON.stringify({ userId, event: 'Deflated' }));
    expect((await raw('/v1/track', deflated, { 'content-type': 'text/plain', 'content-encoding': 'deflate', authorization: auth })).status).toBe(200);
    expect((await timelineOf('user_id', userId)).map((e) => e.name).sort()).toEqual(['Deflated', 'Gzipped Form']);
  });

  it('stores a messageId once, however often it is sent', async () => {
    const userId = uid('dedupe');
    const call = { userId, event: 'Paid', messageId: `msg-${userId}` };
    expect((await track('/v1/track', call)).status).toBe(200);
    expect((await track('/v1/track', call)).status).toBe(200);
    expect((await track('/v1/batch', { batch: [{ type: 'track', ...call }, { type: 'track', ...call }] })).status).toBe(200);
    const timeline = await timelineOf('user_id', userId);
    expect(timeline).toHaveLength(1);
    expect(timeline[0].messageId).toBe(`msg-${userId}`);
    expect((await customerBy('user_id', userId)).counts.events).toBe(1);
  });

  it('corrects client clock skew by receivedAt − sentAt', async () => {
    const userId = uid('skew');
    const t = Date.parse('2024-03-01T12:00:00.000Z');
    // The client's clock says the call was sent an hour after it happened; it arrives now.
    const reply = await track('/v1/track', { userId, event: 'Skewed', timestamp: new Date(t).toISOString(), sentAt: new Date(t + 3_600_000).toISOString() });
    expect(reply.status).toBe(200);
    const [event] = await timelineOf('user_id', userId);
    const receivedAt = Date.parse(event.receivedAt);
    expect(Math.abs(receivedAt - Date.now())).toBeLessThan(60_000);
    expect(Date.parse(event.timestamp)).toBe(t + (receivedAt - (t + 3_600_000)));
    expect(Date.parse(event.timestamp)).toBe(receivedAt - 3_600_000);

    // Without sentAt the timestamp is taken as given.
    const plain = uid('noskew');
    expect((await track('/v1/track', { userId: plain, event: 'Plain', timestamp: new Date(t).toISOString() })).status).toBe(200);
    expect((await timelineOf('user_id', plain))[0].timestamp).toBe(new Date(t).toISOString());
    // Epoch milliseconds and numeric user ids are taken as they are, not coerced to strings first.
    expect((await track('/v1/track', { userId: 9_000_000 + n, event: 'Epoch', timestamp: t })).status).toBe(200);
    expect((await timelineOf('user_id', String(9_000_000 + n)))[0].timestamp).toBe(new Date(t).toISOString());
  });

  it('keeps group traits off the person', async () => {
    const userId = uid('group');
    expect((await track('/v1/identify', { userId, traits: { name: 'Bo', plan: 'free' } })).status).toBe(200);
    expect((await track('/v1/group', { userId, groupId: 'org-1', traits: { name: 'Big Corp', plan: 'enterprise', employees: 500 } })).status).toBe(200);
    const profile = await customerBy('user_id', userId);
    expect(profile.traits).toEqual({ name: 'Bo', plan: 'free' });
    const group = (await timelineOf('user_id', userId)).find((e) => e.type === 'group');
    expect(group.properties).toMatchObject({ groupId: 'org-1', traits: { name: 'Big Corp', plan: 'enterprise' } });
  });

  it('alias joins an anonymous visitor and a known user into one profile', async () => {
    const anonymousId = uid('anon');
    const userId = uid('known');
    expect((await track('/v1/page', { anonymousId, name: 'Landing' })).status).toBe(200);
    expect((await track('/v1/identify', { userId, traits: { email: `${userId}@example.com` } })).status).toBe(200);
    const before = [await customerBy('anonymous_id', anonymousId), await customerBy('user_id', userId)];
    expect(before[0].id).not.toBe(before[1].id);

    expect((await track('/v1/alias', { previousId: anonymousId, userId })).status).toBe(200);
    const byAnon = await customerBy('anonymous_id', anonymousId);
    const byUser = await customerBy('user_id', userId);
    expect(byAnon.id).toBe(byUser.id);
    expect(byUser.identities.map((i: any) => `${i.kind}:${i.value}`)).toEqual(expect.arrayContaining([`anonymous_id:${anonymousId}`, `user_id:${userId}`]));
    const types = (await timelineOf('user_id', userId)).map((e) => e.type).sort();
    expect(types).toEqual(['alias', 'identify', 'page']);
    expectError(await track('/v1/alias', { userId }), 400, 'missing_field', 'previousId');
  });

  it('never answered with a 5xx', () => {
    expect(statuses.length).toBeGreaterThan(50);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });
});
