import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, expectError, expectOk, startServer, type Running } from './harness.ts';

let seq = 0;
const mid = () => `m-${Date.now()}-${++seq}`;

describe.each(ENGINES)('identity resolution on %s', (engine) => {
  let s: Running;
  beforeAll(async () => {
    s = await startServer(engine, { defaultCountry: 'US' });
  });
  afterAll(async () => s?.stop());

  const identify = (body: Record<string, unknown>) => s.track('/v1/identify', { messageId: mid(), ...body });
  const lookup = async (identity: string) => {
    const res = await s.api('GET', `/api/v1/customers?identity=${encodeURIComponent(identity)}`);
    expect(res.status).toBe(200);
    return res.body.data[0] as { id: string; identities: { kind: string; value: string }[]; merges: { id: string }[]; conflicts: { kind: string; reason: string }[]; counts: { events: number }; traits: Record<string, unknown> } | undefined;
  };

  it('treats Ann@Example.com and ann@example.com as one person', async () => {
    expect((await identify({ anonymousId: 'case-a', traits: { email: 'Ann@Example.com' } })).status).toBe(200);
    expect((await identify({ anonymousId: 'case-b', traits: { email: ' ann@example.com ' } })).status).toBe(200);
    const a = await lookup('email:ANN@example.com');
    const b = await lookup('anonymous_id:case-b');
    expect(a?.id).toBeDefined();
    expect(b?.id).toBe(a?.id);
  });

  it('joins an anonymous visitor to the account they sign in to', async () => {
    await s.track('/v1/page', { messageId: mid(), anonymousId: 'visitor-1', name: 'Pricing' });
    await identify({ anonymousId: 'visitor-1', userId: 'user-1', traits: { name: 'Vera Visitor' } });
    const profile = await lookup('user_id:user-1');
    expect(profile?.identities.map((i) => `${i.kind}:${i.value}`).sort()).toEqual(['anonymous_id:visitor-1', 'user_id:user-1']);
    expect(profile?.counts.events).toBe(2);
  });

  it('merges two profiles one call links, the older surviving with both timelines, and unmerges them', async () => {
    await identify({ userId: 'older-u', traits: { email: 'older@example.com', plan: 'pro' } });
    await new Promise((r) => setTimeout(r, 5));
    await s.track('/v1/track', { messageId: mid(), anonymousId: 'phone-app-7', event: 'App Opened' });
    await s.track('/v1/track', { messageId: mid(), anonymousId: 'phone-app-7', event: 'Product Viewed' });
    const older = await lookup('user_id:older-u');
    const newer = await lookup('anonymous_id:phone-app-7');
    expect(newer?.id).not.toBe(older?.id);

    // One call carries both identities: the profiles become one.
    await s.track('/v1/track', { messageId: mid(), userId: 'older-u', anonymousId: 'phone-app-7', event: 'Signed In' });
    const merged = await lookup('anonymous_id:phone-app-7');
    expect(merged?.id).toBe(older?.id);
    expect(merged?.counts.events).toBe(4);
    expect(merged?.merges).toHaveLength(1);
    const timeline = await s.api('GET', `/api/v1/customers/${older?.id}/timeline?limit=10`);
    expect(timeline.body.data.map((e: { name: string | null }) => e.name)).toEqual(['Signed In', 'Product Viewed', 'App Opened', null]);
    // The absorbed id still answers, with the survivor.
    expect((await s.api('GET', `/api/v1/customers/${newer?.id}`)).body.id).toBe(older?.id);

    const undone = await s.api('POST', `/api/v1/customers/${newer?.id}/unmerge`, {});
    expect(undone.status).toBe(200);
    expect(undone.body).toMatchObject({ survivorId: older?.id, restoredId: newer?.id });
    const restored = await lookup('anonymous_id:phone-app-7');
    expect(restored?.id).toBe(newer?.id);
    const restoredTimeline = await s.api('GET', `/api/v1/customers/${newer?.id}/timeline`);
    expect(restoredTimeline.body.data.map((e: { name: string }) => e.name)).toEqual(['Product Viewed', 'App Opened']);
    const survivor = await lookup('user_id:older-u');
    // The linking call came in through the survivor's user id, so it stays there.
    expect(survivor?.counts.events).toBe(2);
    expect(survivor?.traits.plan).toBe('pro');
    expect((await s.api('POST', `/api/v1/customers/${newer?.id}/unmerge`, {})).body.error.code).toBe('merge_not_found');
  });

  it('keeps a stage set by hand on the profile it was set on, through a merge and its unmerge', async () => {
    await identify({ userId: 'judged-a', traits: { email: 'judged-a@x.io' } });
    await s.track('/v1/page', { messageId: mid(), anonymousId: 'judged-b' });
    const a = await lookup('user_id:judged-a');
    const b = await lookup('anonymous_id:judged-b');
    expectOk(await s.api('PUT', `/api/v1/customers/${b?.id}/stage`, { stage: 'churned', reason: 'fraud account' }));

    await identify({ anonymousId: 'judged-b', traits: { email: 'judged-a@x.io' } });
    const merged = expectOk(await s.api('GET', `/api/v1/customers/${a?.id}`));
    expect(merged.merges).toHaveLength(1);
    // The survivor keeps its own stage: the absorbed profile's judgement is not carried over.
    expect(merged.stage).toBe('lead');
    expect(merged.stageOverride).toBeNull();

    expectOk(await s.api('POST', `/api/v1/customers/${b?.id}/unmerge`, {}));
    const survivor = expectOk(await s.api('GET', `/api/v1/customers/${a?.id}`));
    expect(survivor).toMatchObject({ stage: 'lead', stageOverride: null });
    expect(survivor.stageHistory.map((c: { to: string }) => c.to)).not.toContain('churned');
    const restored = expectOk(await s.api('GET', `/api/v1/customers/${b?.id}`));
    expect(restored).toMatchObject({ id: b?.id, stage: 'churned', stageOverride: { stage: 'churned', reason: 'fraud account' } });
  });

  it('gives a trait the value sent last, back-dated or not, and keeps it through a merge and its unmerge', async () => {
    await identify({ userId: 'arrival-o', traits: { plan: 'new' } });
    await identify({ userId: 'arrival-o', traits: { plan: 'old' }, timestamp: new Date(Date.now() - 86_400_000).toISOString() });
    expect((await lookup('user_id:arrival-o'))?.traits.plan).toBe('old');

    await s.track('/v1/page', { messageId: mid(), anonymousId: 'arrival-anon' });
    const anon = await lookup('anonymous_id:arrival-anon');
    await s.track('/v1/track', { messageId: mid(), userId: 'arrival-o', anonymousId: 'arrival-anon', event: 'Signed In' });
    expectOk(await s.api('POST', `/api/v1/customers/${anon?.id}/unmerge`, {}));
    expect((await lookup('user_id:arrival-o'))?.traits.plan).toBe('old');
  });

  it('answers a retried unmerge with merge_not_found instead of undoing another merge', async () => {
    // Created in this order, so A is the oldest and survives every merge.
    await identify({ anonymousId: 'retry-a', traits: { email: 'retry-a@x.io' } });
    await new Promise((r) => setTimeout(r, 5));
    await identify({ userId: 'retry-b' });
    await new Promise((r) => setTimeout(r, 5));
    await s.track('/v1/page', { messageId: mid(), anonymousId: 'retry-c' });
    await identify({ userId: 'retry-b', anonymousId: 'retry-c' }); // B absorbs C
    const [a, b] = [await lookup('anonymous_id:retry-a'), await lookup('user_id:retry-b')];
    expect(expectOk(await s.api('POST', '/api/v1/customers/merge', { ids: [a?.id, b?.id], reason: 'same person' }))).toMatchObject({ survivorId: a?.id, absorbedId: b?.id });

    expect(expectOk(await s.api('POST', `/api/v1/customers/${b?.id}/unmerge`, {}))).toMatchObject({ survivorId: a?.id, restoredId: b?.id });
    expectError(await s.api('POST', `/api/v1/customers/${b?.id}/unmerge`, {}), 404, 'merge_not_found', 'id');
    // B still holds C.
    expect((await lookup('anonymous_id:retry-c'))?.id).toBe(b?.id);
  });

  it('refuses a manual merge past the identities a profile may hold, unless forced', async () => {
    await identify({ userId: 'capped-x', traits: { email: 'capped-x@x.io' } });
    await identify({ anonymousId: 'capped-y', traits: { email: 'capped-y@x.io' } });
    const [x, y] = [await lookup('user_id:capped-x'), await lookup('anonymous_id:capped-y')];
    expectOk(await s.api('PATCH', '/api/v1/workspace/settings', { identity: { maxIdentitiesPerProfile: 3 } }));
    try {
      const refused = await s.api('POST', '/api/v1/customers/merge', { ids: [x?.id, y?.id], reason: 'same person' });
      expectError(refused, 409, 'merge_conflict', 'ids');
      expect(refused.body.error.message).toMatch(/4 identities \(limit 3\)/);
      expectOk(await s.api('POST', '/api/v1/customers/merge', { ids: [x?.id, y?.id], reason: 'same person', force: true }));
    } finally {
      expectOk(await s.api('PATCH', '/api/v1/workspace/settings', { identity: { maxIdentitiesPerProfile: 1000 } }));
    }
  });

  it('resolves an alias in a batch as it does in separate requests', async () => {
    const shape = async (userId: string) => {
      const profile = await lookup(`user_id:${userId}`);
      return { identities: profile?.identities.map((i) => i.kind).sort(), conflicts: profile?.conflicts.map((c) => c.kind) };
    };
    await identify({ userId: 'apart-old', traits: { email: 'apart@x.io' } });
    await s.track('/v1/alias', { messageId: mid(), previousId: 'apart-old', userId: 'apart-new' });
    const batch = await s.track('/v1/batch', {
      batch: [
        { type: 'identify', messageId: mid(), userId: 'batched-old', traits: { email: 'batched@x.io' } },
        { type: 'alias', messageId: mid(), previousId: 'batched-old', userId: 'batched-new' },
      ],
    });
    expect(batch.status).toBe(200);
    expect(await shape('batched-old')).toEqual(await shape('apart-old'));
    // Two user ids cannot share a profile: the new one stands alone, with the old one as a conflict, not as an anonymous id.
    expect(await shape('batched-new')).toEqual(await shape('apart-new'));
    expect(await shape('batched-new')).toEqual({ identities: ['user_id'], conflicts: ['user_id'] });
  });

  it('unmerges profiles whose events fill many pages, each side getting back exactly its own', async () => {
    const start = Date.parse('2026-03-01T00:00:00Z');
    const at = (i: number) => new Date(start + i * 1000).toISOString();
    const send = async (events: Record<string, unknown>[]) => {
      for (let i = 0; i < events.length; i += 100) expect((await s.track('/v1/batch', { batch: events.slice(i, i + 100) })).status).toBe(200);
    };
    // Interleaved in time, more than a page of a merge's moves and two of a rebuild's reads each.
    await send([{ type: 'identify', messageId: mid(), userId: 'pages-u', traits: { plan: 'pro' }, timestamp: at(0) }, ...Array.from({ length: 520 }, (_, i) => ({ type: 'track', messageId: mid(), userId: 'pages-u', event: 'Older Did', timestamp: at(2 + 2 * i) }))]);
    await send([{ type: 'identify', messageId: mid(), anonymousId: 'pages-anon', traits: { color: 'green' }, timestamp: at(1) }, ...Array.from({ length: 520 }, (_, i) => ({ type: 'track', messageId: mid(), anonymousId: 'pages-anon', event: 'Newer Did', timestamp: at(3 + 2 * i) }))]);
    const older = await lookup('user_id:pages-u');
    const newer = await lookup('anonymous_id:pages-anon');
    expect(newer?.id).not.toBe(older?.id);
    await s.track('/v1/track', { messageId: mid(), userId: 'pages-u', anonymousId: 'pages-anon', event: 'Linked', timestamp: at(2000) });
    expect((await lookup('anonymous_id:pages-anon'))?.counts.events).toBe(1043);

    expect((await s.api('POST', `/api/v1/customers/${newer?.id}/unmerge`, {})).status).toBe(200);
    const survivor = await lookup('user_id:pages-u');
    const restored = await lookup('anonymous_id:pages-anon');
    expect(restored?.id).toBe(newer?.id);
    expect(survivor?.counts.events).toBe(522);
    expect(restored?.counts.events).toBe(521);
    expect(survivor?.traits).toEqual({ plan: 'pro' });
    expect(restored?.traits).toEqual({ color: 'green' });
    const names = async (id: string | undefined) => {
      const seen = new Set<string>();
      for (let cursor: string | null = null; ; ) {
        const page = await s.api('GET', `/api/v1/customers/${id}/timeline?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        for (const e of page.body.data as { name: string | null }[]) seen.add(e.name ?? 'identify');
        cursor = page.body.nextCursor;
        if (!cursor) return [...seen].sort();
      }
    };
    expect(await names(survivor?.id)).toEqual(['Linked', 'Older Did', 'identify']);
    expect(await names(restored?.id)).toEqual(['Newer Did', 'identify']);
  });

  it('gives a conversation written to during a merge back with its profile when they are unmerged', async () => {
    const x = (await s.api('POST', '/api/v1/moments', { identity: 'email:ux@example.com', channel: 'email', message: { body: 'from x' } })).body.moment;
    const y = (await s.api('POST', '/api/v1/moments', { identity: 'email:uy@example.com', channel: 'chat', message: { body: 'from y' } })).body.moment;
    await s.tp.worker.drain();
    expect((await s.api('POST', '/api/v1/customers/merge', { ids: [x.customerId, y.customerId], reason: 'looked alike' })).status).toBe(200);
    // Y writes again while the two are one: the line lands on the merged timeline.
    expect((await s.api('POST', `/api/v1/moments/${y.id}/messages`, { direction: 'in', body: 'from y during the merge' })).status).toBe(201);
    await s.tp.worker.drain();
    expect((await s.api('POST', `/api/v1/customers/${y.customerId}/unmerge`, {})).status).toBe(200);
    const linesOf = async (customerId: string) =>
      ((await s.api('GET', `/api/v1/customers/${customerId}/timeline?limit=50`)).body.data as { name: string; properties: { momentId?: string } }[]).map((e) => `${e.name} ${e.properties.momentId === y.id ? 'y' : e.properties.momentId === x.id ? 'x' : '?'}`);
    expect((await linesOf(y.customerId)).filter((l) => l.startsWith('Message Received'))).toEqual(['Message Received y', 'Message Received y']);
    expect((await linesOf(x.customerId)).filter((l) => l.endsWith(' y'))).toEqual([]);
  });

  it('keeps a shared device from fusing two people who log in on it', async () => {
    await identify({ anonymousId: 'family-ipad', userId: 'alice', traits: { email: 'alice@example.com' } });
    await s.track('/v1/track', { messageId: mid(), anonymousId: 'family-ipad', userId: 'alice', event: 'Logged Out' });
    await identify({ anonymousId: 'family-ipad', userId: 'bob', traits: { email: 'bob@example.com' } });
    const alice = await lookup('user_id:alice');
    const bob = await lookup('user_id:bob');
    expect(bob?.id).toBeDefined();
    expect(bob?.id).not.toBe(alice?.id);
    expect(alice?.identities.some((i) => i.value === 'bob@example.com')).toBe(false);
    expect(bob?.conflicts.some((c) => c.kind === 'anonymous_id')).toBe(true);
    // The device's id still resolves to its first owner.
    expect((await lookup('anonymous_id:family-ipad'))?.id).toBe(alice?.id);
  });

  it('records a second user id on a profile as a conflict instead of merging', async () => {
    await identify({ userId: 'carol-1', traits: { email: 'carol@example.com' } });
    await identify({ userId: 'carol-2', traits: { email: 'carol@example.com' } });
    const one = await lookup('user_id:carol-1');
    const two = await lookup('user_id:carol-2');
    expect(two?.id).not.toBe(one?.id);
    expect(two?.conflicts[0]).toMatchObject({ kind: 'email' });
    // A person may still merge them on purpose, but only by forcing past the limit.
    const refused = await s.api('POST', '/api/v1/customers/merge', { ids: [one?.id, two?.id], reason: 'same person' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('merge_conflict');
    const forced = await s.api('POST', '/api/v1/customers/merge', { ids: [two?.id, one?.id], reason: 'same person, two logins', force: true });
    expect(forced.status).toBe(200);
    expect(forced.body.survivorId).toBe(one?.id);
    expect((await lookup('user_id:carol-2'))?.id).toBe(one?.id);
    const back = await s.api('POST', `/api/v1/customers/${one?.id}/unmerge`, { mergeId: forced.body.mergeId });
    expect(back.status).toBe(200);
    expect((await lookup('user_id:carol-2'))?.id).toBe(two?.id);
  });

  it('matches Brazilian mobiles with and without the ninth digit, never touching landlines', async () => {
    await identify({ anonymousId: 'br-1', traits: { phone: '+55 11 98765-4321' } });
    await identify({ anonymousId: 'br-2', traits: { phone: '+55 (11) 8765-4321' } });
    expect((await lookup('anonymous_id:br-2'))?.id).toBe((await lookup('anonymous_id:br-1'))?.id);
    await identify({ anonymousId: 'br-land', traits: { phone: '+55 11 3456-7890' } });
    const land = await lookup('anonymous_id:br-land');
    expect(land?.identities.find((i) => i.kind === 'phone')?.value).toBe('+551134567890');
    expect(land?.id).not.toBe((await lookup('anonymous_id:br-1'))?.id);
  });

  it('matches Mexican mobiles written with the retired +521 prefix', async () => {
    await identify({ anonymousId: 'mx-1', traits: { phone: '+52 1 55 1234 5678' } });
    await identify({ anonymousId: 'mx-2', traits: { phone: '+52 55 1234 5678' } });
    expect((await lookup('anonymous_id:mx-2'))?.id).toBe((await lookup('anonymous_id:mx-1'))?.id);
    expect((await lookup('phone:+5215512345678'))?.id).toBe((await lookup('anonymous_id:mx-1'))?.id);
  });

  it('uses the workspace default country for national numbers', async () => {
    await identify({ anonymousId: 'us-1', traits: { phone: '(415) 555-2671' } });
    expect((await lookup('phone:+14155552671'))?.id).toBe((await lookup('anonymous_id:us-1'))?.id);
  });

  it('never links people through placeholder values', async () => {
    await identify({ anonymousId: 'junk-1', traits: { email: 'null', phone: '000-000-0000' } });
    await identify({ anonymousId: 'junk-2', traits: { email: 'null', phone: '000-000-0000' } });
    expect((await lookup('anonymous_id:junk-1'))?.id).not.toBe((await lookup('anonymous_id:junk-2'))?.id);
    const bad = await s.track('/v1/track', { messageId: mid(), userId: 'undefined', event: 'X' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('userId');
  });

  it('resolves two concurrent batches that link the same pair to one profile and one merge', async () => {
    await s.track('/v1/track', { messageId: mid(), anonymousId: 'race-anon', event: 'Visited' });
    await identify({ userId: 'race-user' });
    const batch = () => ({ batch: Array.from({ length: 20 }, (_, i) => ({ type: 'track', messageId: mid(), event: `Step ${i}`, userId: 'race-user', anonymousId: 'race-anon' })) });
    const [a, b] = await Promise.all([s.track('/v1/batch', batch()), s.track('/v1/batch', batch())]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const user = await lookup('user_id:race-user');
    expect((await lookup('anonymous_id:race-anon'))?.id).toBe(user?.id);
    expect(user?.merges).toHaveLength(1);
    expect(user?.counts.events).toBe(42);
  });

  it('looks customers up by name, email, phone and trait', async () => {
    await identify({ userId: 'searchable', traits: { name: 'Zoë Searchable', email: 'zoe.s@example.com', phone: '+44 20 7946 0958', tier: 'gold' } });
    const id = (await lookup('user_id:searchable'))?.id;
    for (const q of ['Searchable', 'zoe.s@example.com', '+44 20 7946 0958']) {
      const res = await s.api('GET', `/api/v1/customers?q=${encodeURIComponent(q)}`);
      expect(res.body.data.map((c: { id: string }) => c.id), q).toContain(id);
    }
    // Case folds beyond ASCII on both engines (SQLite's own LIKE and lower() fold ASCII only).
    await identify({ userId: 'umlaut', traits: { name: 'JÜRGEN Müller', email: 'jm@example.de' } });
    const umlaut = (await lookup('user_id:umlaut'))?.id;
    for (const q of ['müller', 'MÜLLER', 'jürgen']) {
      const res = await s.api('GET', `/api/v1/customers?q=${encodeURIComponent(q)}`);
      expect(res.body.data.map((c: { id: string }) => c.id), q).toEqual([umlaut]);
    }
    const byTrait = await s.api('GET', '/api/v1/customers?trait.tier=gold');
    expect(byTrait.body.data.map((c: { id: string }) => c.id)).toEqual([id]);
    // A result shows when the customer was last seen to the millisecond, as their profile does.
    const later = new Date(Date.now() + 60_000).toISOString();
    expect((await s.track('/v1/track', { messageId: mid(), userId: 'searchable', event: 'Viewed Plan', timestamp: later })).status).toBe(200);
    const found = (await s.api('GET', '/api/v1/customers?q=Searchable')).body.data.find((c: { id: string }) => c.id === id);
    expect(found.lastSeen).toBe(later);
    expect((await s.api('GET', `/api/v1/customers/${id}`)).body.lastSeen).toBe(later);
  });

  it('finds a Greek name in capitals by the name as shown, on both engines', async () => {
    await identify({ userId: 'odysseus', traits: { name: 'ΟΔΥΣΣΕΑΣ X' } });
    for (const q of ['ΟΔΥΣΣΕΑΣ X', 'οδυσσεας', 'Οδυσσεας x']) {
      const found = expectOk(await s.api('GET', `/api/v1/customers?q=${encodeURIComponent(q)}`));
      expect(found.data.map((c: { name: string }) => c.name), q).toEqual(['ΟΔΥΣΣΕΑΣ X']);
    }
  });

  it('finds a customer by the full name shown, when it is made of firstName and lastName', async () => {
    await identify({ userId: 'flora', traits: { firstName: 'Flora', lastName: 'Quist' } });
    for (const q of ['Flora Quist', 'flora  quist', 'Quist Flora']) {
      const found = expectOk(await s.api('GET', `/api/v1/customers?q=${encodeURIComponent(q)}`));
      expect(found.data.map((c: { name: string }) => c.name), q).toEqual(['Flora Quist']);
    }
    expect(expectOk(await s.api('GET', `/api/v1/customers?q=${encodeURIComponent('Flora Nobody')}`)).data).toEqual([]);
  });

  it('searches text whether one customer or a thousand share it, and follows changed traits', async () => {
    // 1,001 people share a word: more than SQLite's text index hands over, so customers are read newest first.
    const hour = 3_600_000;
    const batch = Array.from({ length: 1001 }, (_, i) => ({ type: 'identify', messageId: mid(), userId: `crowd-${i}`, traits: { name: `Crowd Member ${i}`, club: 'crowdsurfers' }, timestamp: new Date(Date.UTC(2026, 0, 1) + i * hour).toISOString() }));
    expect((await s.track('/v1/batch', { batch })).status).toBe(200);
    const names = (res: { body: { data: { name: string }[] } }) => res.body.data.map((c) => c.name);
    const first = await s.api('GET', '/api/v1/customers?q=crowdsurfers&limit=50');
    expect(names(first)).toEqual(Array.from({ length: 50 }, (_, i) => `Crowd Member ${1000 - i}`));
    const second = await s.api('GET', `/api/v1/customers?q=crowdsurfers&limit=50&cursor=${first.body.nextCursor}`);
    expect(names(second)[0]).toBe('Crowd Member 950');
    // One of them, by a part of their name in another case.
    expect(names(await s.api('GET', '/api/v1/customers?q=MEMBER%20777'))).toEqual(['Crowd Member 777']);
    // Two letters are too few for the index: customers are read newest first instead.
    expect(names(await s.api('GET', '/api/v1/customers?q=77&limit=3'))).toEqual(['Crowd Member 977', 'Crowd Member 877', 'Crowd Member 779']);
    // New traits are found at once, the old ones no more.
    expect((await identify({ userId: 'crowd-777', traits: { name: 'Crowd Leader' } })).status).toBe(200);
    expect(names(await s.api('GET', '/api/v1/customers?q=Member%20777'))).toEqual([]);
    expect(names(await s.api('GET', '/api/v1/customers?q=crowd%20leader'))).toEqual(['Crowd Leader']);
    // A double quote is text to find, not search syntax.
    expect((await s.api('GET', '/api/v1/customers?q=%22crowd')).status).toBe(200);
  });

  it('filters by trait values of every kind, the same on both engines', async () => {
    await identify({ userId: 'typed-1', traits: { name: 'Typed One', tier: 'platinum', seats: 42, vip: true, score: 4.5, note: 'says "hi"' } });
    await identify({ userId: 'typed-2', traits: { name: 'Typed Two', tier: 'platinum-plus', seats: '42', vip: false, score: 45 } });
    const named = async (query: string) => ((await s.api('GET', `/api/v1/customers?${query}`)).body.data as { name: string }[]).map((c) => c.name).sort();
    expect(await named('trait.tier=platinum')).toEqual(['Typed One']);
    // `42` is the number 42 and the string "42" alike.
    expect(await named('trait.seats=42')).toEqual(['Typed One', 'Typed Two']);
    expect(await named('trait.vip=true')).toEqual(['Typed One']);
    expect(await named('trait.vip=false')).toEqual(['Typed Two']);
    expect(await named('trait.vip=1')).toEqual([]);
    expect(await named('trait.score=4.5')).toEqual(['Typed One']);
    expect(await named(`trait.note=${encodeURIComponent('says "hi"')}`)).toEqual(['Typed One']);
    expect(await named('trait.tier=platinum&trait.seats=42&q=typed')).toEqual(['Typed One']);
    expect(await named('trait.tier=nobody-has-this')).toEqual([]);
    // A trait named like an object's own machinery filters like any other (it matched everyone).
    expect(await named('trait.__proto__=x')).toEqual([]);
    expect(await named('trait.constructor=x')).toEqual([]);
  });

  it('filters numbers as numbers, arrays by their elements, and never matches an object, the same on both engines', async () => {
    // Raw JSON, so the numbers reach the server written as a person wrote them.
    const level = async (name: string, value: string) =>
      expectOk(await s.track('/v1/identify', `{"messageId":"${mid()}","userId":"level-${name}","traits":{"name":"Level ${name}","level":${value}}}`));
    await level('String', '"30"');
    await level('Bool', 'true');
    await level('Thirty', '30');
    await level('ThirtyPoint', '30.0');
    await level('Exp', '3e1');
    await level('Thousand', '1e3');
    await level('Tags', '["vip", "beta"]');
    await level('Mixed', '["gold", 30]');
    await level('Object', '{"tier": "vip", "seats": 30}');
    await level('Null', 'null');
    await level('Nested', '[["deep"], {"tier": "deep"}, [30]]');
    const named = async (value: string) =>
      (expectOk(await s.api('GET', `/api/v1/customers?trait.level=${encodeURIComponent(value)}&limit=50`)).data as { name: string }[]).map((c) => c.name.replace('Level ', '')).sort();
    const thirties = ['Exp', 'Mixed', 'Thirty', 'ThirtyPoint'];
    // A number matches the same number however either is written; a string only its own text.
    expect(await named('30')).toEqual([...thirties, 'String'].sort());
    for (const value of ['30.0', '3e1', '3.0E+1', '+30', '30.']) expect(await named(value), value).toEqual(thirties);
    for (const value of ['1000', '1e3', '1000.0', '1E3']) expect(await named(value), value).toEqual(['Thousand']);
    expect(await named('1000.0000001')).toEqual([]);
    // What is not a number never matches one.
    for (const value of ['30px', '0x1e', ' 30', 'Infinity', 'NaN', '']) expect(await named(value), value).toEqual([]);
    // An array matches by any of its elements, not by its text.
    expect(await named('vip')).toEqual(['Tags']);
    expect(await named('beta')).toEqual(['Tags']);
    expect(await named('gold')).toEqual(['Mixed']);
    // Only the array's own elements: one nested in an array or an object is not one of them.
    expect(await named('deep')).toEqual([]);
    for (const value of ['["vip","beta"]', '["vip", "beta"]', '["gold",30]']) expect(await named(value), value).toEqual([]);
    // An object never matches, neither by its text nor by its members; null never does.
    for (const value of ['{"tier":"vip","seats":30}', '{"tier": "vip", "seats": 30}']) expect(await named(value), value).toEqual([]);
    expect(await named('null')).toEqual([]);
    expect(await named('true')).toEqual(['Bool']);
    expect(await named('false')).toEqual([]);
    // With another filter and a text search, on the same rules.
    expect((expectOk(await s.api('GET', '/api/v1/customers?q=level&trait.level=beta&trait.name=Level%20Tags')).data as { name: string }[]).map((c) => c.name)).toEqual(['Level Tags']);
  });

  it('answers every trait filter as the README rule says, for traits and values of every kind', async () => {
    const traits: unknown[] = ['30', 30, 30.5, 0, 1e21, 1e-7, 0.1, true, false, null, '', 'vip', 'Vip', ['vip', 'beta'], [1e21, 'x', false], [['vip']], { vip: 30 }, '1e21', 'true', -2];
    const filters = ['30', '30.0', '3e1', '30.50', '1e21', '1e+21', '1000000000000000000000', '1e-7', '0.0000001', '.1', '0', '-0', '-2', '-2.0', 'true', 'false', 'null', '', 'vip', 'VIP', 'beta', 'x', '1', '{"vip":30}'];
    const scalarMatches = (trait: unknown, filter: string) =>
      typeof trait === 'string' ? trait === filter : typeof trait === 'boolean' ? String(trait) === filter : typeof trait === 'number' && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(filter) && Number(filter) === trait;
    const matches = (trait: unknown, filter: string) => (Array.isArray(trait) ? trait.some((element) => scalarMatches(element, filter)) : scalarMatches(trait, filter));
    for (const [i, probe] of traits.entries()) expectOk(await identify({ userId: `probe-${i}`, traits: { name: `Probe ${i}`, probe } }));
    for (const filter of filters) {
      const found = expectOk(await s.api('GET', `/api/v1/customers?trait.probe=${encodeURIComponent(filter)}&limit=50`)).data as { name: string }[];
      const expected = traits.flatMap((trait, i) => (matches(trait, filter) ? [`Probe ${i}`] : []));
      expect(found.map((c) => c.name).sort(), `trait.probe=${filter}`).toEqual(expected.sort());
    }
    // The OpenAPI document says so, on the parameter.
    const parameters = expectOk(await s.api('GET', '/api/docs')).paths['/api/v1/customers'].get.parameters as { name: string; description?: string }[];
    expect(parameters.find((p) => p.name === 'trait.<name>')?.description).toMatch(/exact text.*same number however either is written.*one of its own elements.*object or null never/);
    expectError(await s.api('GET', '/api/v1/customers?trait.%3Cname%3E=x'), 400, 'invalid_field', 'trait.<name>');
    // Named twice, a filter used to fall away and list every customer.
    expectError(await s.api('GET', '/api/v1/customers?trait.seats=30&trait.seats=31'), 400, 'invalid_field', 'trait.seats');
  });

  // The SQLite ingest thread keeps identities and profiles in memory between groups; what other
  // writers change (a stage set by hand, a merge, an unmerge) must reach the next group.
  it('resolves the next event against what others changed meanwhile: a stage by hand, a merge, an unmerge', async () => {
    await identify({ userId: 'kept-1', traits: { email: 'kept1@example.com', plan: 'free' } });
    await identify({ userId: 'kept-2', traits: { email: 'kept2@example.com' } });
    const one = await lookup('user_id:kept-1');
    const two = await lookup('user_id:kept-2');
    expect(one?.id).not.toBe(two?.id);

    const set = await s.api('PUT', `/api/v1/customers/${one?.id}/stage`, { stage: 'advocate', reason: 'spoke at our conference' });
    expect(set.status).toBe(200);
    // A change of traits rewrites the profile row: from the stored row, not a remembered one.
    await identify({ userId: 'kept-1', traits: { plan: 'pro' } });
    const after = (await s.api('GET', `/api/v1/customers/${one?.id}`)).body;
    expect(after).toMatchObject({ stage: 'advocate', traits: { plan: 'pro', email: 'kept1@example.com' } });

    const merged = await s.api('POST', '/api/v1/customers/merge', { ids: [one?.id, two?.id], reason: 'same person', force: true });
    expect(merged.status).toBe(200);
    await s.track('/v1/track', { messageId: mid(), userId: 'kept-2', event: 'After Merge' });
    const survivor = await s.api('GET', `/api/v1/customers/${one?.id}/timeline?limit=1`);
    expect(survivor.body.data[0].name).toBe('After Merge');

    expect((await s.api('POST', `/api/v1/customers/${two?.id}/unmerge`, {})).status).toBe(200);
    await s.track('/v1/track', { messageId: mid(), userId: 'kept-2', event: 'After Unmerge' });
    // Events go back with the profile they came in on: both of kept-2's are on its own again.
    const names = (await s.api('GET', `/api/v1/customers/${two?.id}/timeline?limit=2`)).body.data.map((e: { name: string | null }) => e.name);
    expect(names).toEqual(['After Unmerge', 'After Merge']);
  });

  it('answers a bad identity lookup with a 400 naming the field', async () => {
    const res = await s.api('GET', '/api/v1/customers?identity=shoe:42');
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('identity');
    expect((await s.api('GET', '/api/v1/customers/nope')).status).toBe(404);
    // Text neither engine can store or compare is refused before it reaches SQL.
    const nul = await s.api('GET', '/api/v1/customers?q=a%00b');
    expect(nul.status).toBe(400);
    expect(nul.body.error.field).toBe('q');
    const team = await s.api('POST', '/api/v1/teams', { key: 'support', name: 'Sup\u0000port' });
    expect(team.status).toBe(400);
  });
});
