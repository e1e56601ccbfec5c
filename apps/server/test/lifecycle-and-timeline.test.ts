import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/platform/clock.ts';
import { sweepLifecycle, PROFILE_EVENTS, type LifecycleSweepMemory } from '../src/modules/profiles/index.ts';
import { createWorker } from '../src/worker/outbox-worker.ts';
import { ENGINES, expectError, expectOk, startServer, type Running } from './harness.ts';

const DAY = 86_400_000;
let seq = 0;
const mid = () => `lt-${++seq}`;

describe.each(ENGINES)('lifecycle and timeline on %s', (engine) => {
  let s: Running;
  const clock = fixedClock(Date.parse('2026-06-01T12:00:00Z'));
  beforeAll(async () => {
    s = await startServer(engine, { clock });
  });
  afterAll(async () => s?.stop());

  const stageOf = async (userId: string) => (await s.api('GET', `/api/v1/customers?identity=user_id:${userId}`)).body.data[0]?.stage;
  const order = (userId: string, revenue: number) =>
    s.track('/v1/track', { messageId: mid(), userId, event: 'Order Completed', properties: { order_id: mid(), revenue, currency: 'USD' }, timestamp: new Date(clock.now()).toISOString() });

  it('moves a person visitor → lead → customer → repeat → advocate by their events', async () => {
    await s.track('/v1/page', { messageId: mid(), anonymousId: 'life-anon', name: 'Home', timestamp: new Date(clock.now()).toISOString() });
    expect((await s.api('GET', '/api/v1/customers?identity=anonymous_id:life-anon')).body.data[0].stage).toBe('visitor');
    await s.track('/v1/identify', { messageId: mid(), anonymousId: 'life-anon', userId: 'life', traits: { email: 'life@example.com' } });
    expect(await stageOf('life')).toBe('lead');
    await order('life', 80);
    expect(await stageOf('life')).toBe('customer');
    await order('life', 20);
    expect(await stageOf('life')).toBe('repeat');
    await s.track('/v1/track', { messageId: mid(), userId: 'life', event: 'Survey Responded', properties: { survey: 'nps', score: 10 }, timestamp: new Date(clock.now()).toISOString() });
    const profile = (await s.api('GET', '/api/v1/customers?identity=user_id:life')).body.data[0];
    expect(profile.stage).toBe('advocate');
    expect(profile.revenue).toEqual({ USD: 100 });
    expect(profile.counts.orders).toBe(2);
    // Each step is on the customer's stage history, newest first.
    const full = (await s.api('GET', `/api/v1/customers/${profile.id}`)).body;
    expect(full.stageHistory.map((c: any) => `${c.from}→${c.to}`)).toEqual(['repeat→advocate', 'customer→repeat', 'lead→customer', 'visitor→lead']);
    // …each with the rule that moved it, in words.
    const [advocate, repeat, customer, lead] = full.stageHistory.map((c: any) => c.reason);
    expect(lead).toMatch(/^identified: an email, phone, user id or external id, or a lead event \(/);
    expect(customer).toBe('first order');
    expect(repeat).toBe('2 orders (repeat from 2)');
    expect(advocate).toMatch(/^2 orders \(repeat from 2\), and an advocate event \(.*an NPS score of 9–10\)$/);
  });

  it('makes an advocate of an NPS promoter (9–10), not of a score out of range', async () => {
    await order('nps-fan', 10);
    const survey = (score: number) => s.track('/v1/track', { messageId: mid(), userId: 'nps-fan', event: 'Survey Responded', properties: { survey: 'nps', score }, timestamp: new Date(clock.now()).toISOString() });
    await survey(42);
    expect(await stageOf('nps-fan')).toBe('customer');
    await survey(9);
    expect(await stageOf('nps-fan')).toBe('advocate');
  });

  it('records a stage set by hand with its reason even when the rules gave the same, and refuses a blank reason', async () => {
    await order('same-stage', 10);
    const id = (await s.api('GET', '/api/v1/customers?identity=user_id:same-stage')).body.data[0].id;
    expectError(await s.api('PUT', `/api/v1/customers/${id}/stage`, { stage: 'customer', reason: '   ' }), 400, 'missing_field', 'reason');
    expectOk(await s.api('PUT', `/api/v1/customers/${id}/stage`, { stage: 'customer', reason: 'key account, keep as customer' }));
    const profile = expectOk(await s.api('GET', `/api/v1/customers/${id}`));
    expect(profile.stageHistory[0]).toMatchObject({ from: 'customer', to: 'customer', reason: 'set by hand: key account, keep as customer' });
  });

  it('says the range of a page limit it refuses, and filters the timeline by channel in any case', async () => {
    await s.track('/v1/track', { messageId: mid(), userId: 'cased', event: 'Email Opened', context: { channel: 'email' }, timestamp: new Date(clock.now()).toISOString() });
    const id = (await s.api('GET', '/api/v1/customers?identity=user_id:cased')).body.data[0].id;
    for (const limit of ['0', '-1', '100000', 'ten']) {
      const refused = await s.api('GET', `/api/v1/customers?limit=${limit}`);
      expectError(refused, 400, 'invalid_field', 'limit');
      expect(refused.body.error.message, limit).toBe('limit must be a whole number from 1 to 200');
    }
    expectError(await s.api('GET', `/api/v1/customers/${id}/timeline?limit=0`), 400, 'invalid_field', 'limit');
    const timeline = expectOk(await s.api('GET', `/api/v1/customers/${id}/timeline?channel=Email`));
    expect(timeline.data.map((e: { name: string }) => e.name)).toEqual(['Email Opened']);
  });

  it('lists customers under the stage their profile shows once the lifecycle rules change', async () => {
    const start = clock.now();
    await s.track('/v1/track', { messageId: mid(), userId: 'rules-one', event: 'Order Completed', properties: { revenue: 10 }, timestamp: new Date(start - 20 * DAY).toISOString() });
    await order('rules-two', 10);
    await order('rules-two', 10);
    const idOf = async (userId: string) => (await s.api('GET', `/api/v1/customers?identity=user_id:${userId}`)).body.data[0].id as string;
    const [one, two] = [await idOf('rules-one'), await idOf('rules-two')];
    const listed = async (stage: string) => (await s.api('GET', `/api/v1/customers?stage=${stage}&limit=100`)).body.data.map((c: { id: string }) => c.id) as string[];
    expect(await listed('repeat')).toContain(two);

    expectOk(await s.api('PATCH', '/api/v1/workspace/settings', { lifecycle: { atRiskAfterDays: 10, repeatAfterOrders: 3 } }));
    expect(await stageOf('rules-one')).toBe('at_risk');
    expect(await stageOf('rules-two')).toBe('customer');
    // The worker stores the new stages in the background (here: drained by hand).
    await s.tp.worker.drain();
    expect(await listed('at_risk')).toContain(one);
    expect(await listed('customer')).toEqual(expect.arrayContaining([two]));
    expect(await listed('customer')).not.toContain(one);
    expect(await listed('repeat')).not.toContain(two);

    expectOk(await s.api('PATCH', '/api/v1/workspace/settings', { lifecycle: { atRiskAfterDays: 60, repeatAfterOrders: 2 } }));
    await s.tp.worker.drain();
    expect(await listed('repeat')).toContain(two);
    expect(await listed('customer')).toContain(one);
  });

  it('counts past events again when the rules read them otherwise: a new order event, a new advocate event, and back', async () => {
    const at = new Date(clock.now()).toISOString();
    const purchase = () => s.track('/v1/track', { messageId: mid(), userId: 'recount', event: 'Purchase', properties: { revenue: 30, currency: 'USD' }, timestamp: at });
    await purchase();
    await purchase();
    await s.track('/v1/track', { messageId: mid(), userId: 'recount', event: 'Review Posted', properties: { stars: 5 }, timestamp: at });
    const profile = async () => (await s.api('GET', '/api/v1/customers?identity=user_id:recount')).body.data[0];
    expect(await profile()).toMatchObject({ stage: 'lead', counts: { orders: 0 } });
    const { lifecycle } = expectOk(await s.api('GET', '/api/v1/workspace/settings'));
    const listed = async (stage: string) => (await s.api('GET', `/api/v1/customers?stage=${stage}&limit=200`)).body.data.map((c: { id: string }) => c.id) as string[];

    expectOk(await s.api('PATCH', '/api/v1/workspace/settings', { lifecycle: { orderEvents: [...lifecycle.orderEvents, 'Purchase'] } }));
    await s.tp.worker.drain();
    const buyer = await profile();
    expect(buyer).toMatchObject({ stage: 'repeat', counts: { orders: 2 }, revenue: { USD: 60 } });
    expect(await listed('repeat')).toContain(buyer.id);
    const history = expectOk(await s.api('GET', `/api/v1/customers/${buyer.id}`)).stageHistory;
    expect(history[0]).toMatchObject({ from: 'lead', to: 'repeat', reason: 'lifecycle rules changed: 2 orders (repeat from 2)' });

    expectOk(await s.api('PATCH', '/api/v1/workspace/settings', { lifecycle: { advocateEvents: [...lifecycle.advocateEvents, 'Review Posted'] } }));
    await s.tp.worker.drain();
    expect(await profile()).toMatchObject({ stage: 'advocate' });

    expectOk(await s.api('PATCH', '/api/v1/workspace/settings', { lifecycle: { orderEvents: lifecycle.orderEvents, advocateEvents: lifecycle.advocateEvents } }));
    await s.tp.worker.drain();
    expect(await profile()).toMatchObject({ stage: 'lead', counts: { orders: 0 } });
    expect(await listed('lead')).toContain(buyer.id);
  });

  it('turns a silent customer at risk, then churned, as time passes — read and swept', async () => {
    const start = clock.now();
    await order('quiet', 50);
    expect(await stageOf('quiet')).toBe('customer');
    clock.set(start + 61 * DAY);
    expect(await stageOf('quiet')).toBe('at_risk');
    expect(await sweepLifecycle(s.tp.deps, s.tp.settings)).toBeGreaterThan(0);
    const stored = await s.tp.deps.db.selectFrom('customer').select('stage').where('stage', '=', 'at_risk').execute();
    expect(stored.length).toBeGreaterThan(0);
    clock.set(start + 181 * DAY);
    expect(await stageOf('quiet')).toBe('churned');
    // Back in the shop: a new order makes them a customer again.
    await order('quiet', 30);
    expect(await stageOf('quiet')).toBe('repeat');
    const id = (await s.api('GET', '/api/v1/customers?identity=user_id:quiet')).body.data[0].id;
    const reasons = (await s.api('GET', `/api/v1/customers/${id}`)).body.stageHistory.map((c: any) => `${c.from}→${c.to}: ${c.reason}`);
    // Newest first, down to the first order that made them a customer.
    expect(reasons).toEqual(['at_risk→repeat: active again: 2 orders (repeat from 2)', 'customer→at_risk: no activity for 61 days (at risk after 60)', 'visitor→customer: first order']);
    clock.set(start);
  });

  it('sweeps after a sweep catch every buyer whose silence crossed a threshold since, and a threshold change', async () => {
    const start = clock.now();
    const storedStage = async (userId: string) => {
      const id = (await s.api('GET', `/api/v1/customers?identity=user_id:${userId}`)).body.data[0].id as string;
      return (await s.tp.deps.db.selectFrom('customer').select('stage').where('id', '=', id).executeTakeFirstOrThrow()).stage;
    };
    await order('drifting', 20);
    const memory: LifecycleSweepMemory = new Map();
    clock.set(start + DAY);
    await sweepLifecycle(s.tp.deps, s.tp.settings, memory);
    expect(await storedStage('drifting')).toBe('customer');
    clock.set(start + 61 * DAY);
    await sweepLifecycle(s.tp.deps, s.tp.settings, memory);
    expect(await storedStage('drifting')).toBe('at_risk');
    clock.set(start + 181 * DAY);
    await sweepLifecycle(s.tp.deps, s.tp.settings, memory);
    expect(await storedStage('drifting')).toBe('churned');

    // New thresholds: the next sweep reads every silent buyer again, not the last ten minutes'.
    clock.set(start);
    await order('patient', 20);
    clock.set(start + 20 * DAY);
    await sweepLifecycle(s.tp.deps, s.tp.settings, memory);
    expect(await storedStage('patient')).toBe('customer');
    expect((await s.api('PATCH', '/api/v1/workspace/settings', { lifecycle: { atRiskAfterDays: 10, churnedAfterDays: 100 } })).status).toBe(200);
    clock.set(start + 20 * DAY + 60_000);
    await sweepLifecycle(s.tp.deps, s.tp.settings, memory);
    expect(await storedStage('patient')).toBe('at_risk');
    await s.api('PATCH', '/api/v1/workspace/settings', { lifecycle: { atRiskAfterDays: 60, churnedAfterDays: 180 } });
    clock.set(start);
  });

  it('follows the workspace thresholds', async () => {
    const patched = await s.api('PATCH', '/api/v1/workspace/settings', { lifecycle: { atRiskAfterDays: 5, churnedAfterDays: 10 } });
    expect(patched.status).toBe(200);
    await order('short-fuse', 10);
    const start = clock.now();
    clock.set(start + 6 * DAY);
    expect(await stageOf('short-fuse')).toBe('at_risk');
    clock.set(start);
    await s.api('PATCH', '/api/v1/workspace/settings', { lifecycle: { atRiskAfterDays: 60, churnedAfterDays: 180 } });
    const bad = await s.api('PATCH', '/api/v1/workspace/settings', { lifecycle: { atRiskAfterDays: 'soon' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toContain('atRiskAfterDays');
    // Each value fine alone, but churned before at risk: refused, the stored thresholds kept.
    const backwards = await s.api('PATCH', '/api/v1/workspace/settings', { lifecycle: { churnedAfterDays: 30 } });
    expect(backwards.body.error).toMatchObject({ code: 'invalid_field', field: 'lifecycle.churnedAfterDays' });
    // A country phone numbers are not known for (the UK is GB) would switch off national numbers.
    const uk = await s.api('PATCH', '/api/v1/workspace/settings', { defaultCountry: 'UK' });
    expect(uk.body.error).toMatchObject({ code: 'invalid_field', field: 'defaultCountry', message: expect.stringContaining('GB') });
    const settings = (await s.api('GET', '/api/v1/workspace')).body.settings;
    expect(settings.lifecycle).toMatchObject({ atRiskAfterDays: 60, churnedAfterDays: 180 });
    expect(settings.defaultCountry).not.toBe('UK');
  });

  it('counts orders that name no currency in the workspace’s currency, which an admin sets', async () => {
    const plainOrder = (userId: string, revenue: number) =>
      s.track('/v1/track', { messageId: mid(), userId, event: 'Order Completed', properties: { revenue }, timestamp: new Date(clock.now()).toISOString() });
    const revenueOf = async (userId: string) => (await s.api('GET', `/api/v1/customers?identity=user_id:${userId}`)).body.data[0].revenue;
    await plainOrder('currency-shopper', 10);
    expect(await revenueOf('currency-shopper')).toEqual({ USD: 10 });
    // The pound sterling is GBP; a code nobody uses would label every such order with it.
    const ukp = await s.api('PATCH', '/api/v1/workspace/settings', { defaultCurrency: 'UKP' });
    expect(ukp.body.error).toMatchObject({ code: 'invalid_field', field: 'defaultCurrency', message: expect.stringContaining('GBP') });
    expect((await s.api('PATCH', '/api/v1/workspace/settings', { defaultCurrency: 'eur' })).body.error.field).toBe('defaultCurrency');
    const eur = await s.api('PATCH', '/api/v1/workspace/settings', { defaultCurrency: 'EUR' });
    expect(eur.body.defaultCurrency).toBe('EUR');
    await plainOrder('currency-shopper', 25.5);
    // What was counted stays in the currency it was counted in.
    expect(await revenueOf('currency-shopper')).toEqual({ USD: 10, EUR: 25.5 });
    await s.api('PATCH', '/api/v1/workspace/settings', { defaultCurrency: 'USD' });
  });

  it('lets a person set the stage by hand with a reason, and clear it', async () => {
    await order('vip', 10);
    const id = (await s.api('GET', '/api/v1/customers?identity=user_id:vip')).body.data[0].id;
    const noReason = await s.api('PUT', `/api/v1/customers/${id}/stage`, { stage: 'advocate' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.field).toBe('reason');
    const set = await s.api('PUT', `/api/v1/customers/${id}/stage`, { stage: 'advocate', reason: 'keynote speaker at our conference' });
    expect(set.body.stage).toBe('advocate');
    const profile = (await s.api('GET', `/api/v1/customers/${id}`)).body;
    expect(profile.stageOverride).toEqual({ stage: 'advocate', reason: 'keynote speaker at our conference' });
    await s.api('PUT', `/api/v1/customers/${id}/stage`, { stage: null });
    expect(await stageOf('vip')).toBe('customer');
    // Cleared without a reason, the history says so, not "null".
    expect((await s.api('GET', `/api/v1/customers/${id}`)).body.stageHistory[0]).toMatchObject({ from: 'advocate', to: 'customer', reason: 'handed back to the rules' });
    expect((await s.api('PUT', `/api/v1/customers/${id}/stage`, { stage: 'royalty', reason: 'x' })).status).toBe(400);
  });

  it('pages a long timeline newest first without gaps or repeats, and filters it', async () => {
    const base = clock.now() - 10 * DAY;
    const batch = Array.from({ length: 120 }, (_, i) => ({
      type: i % 3 === 0 ? 'page' : 'track',
      messageId: `tl-${i}`,
      userId: 'long-timeline',
      ...(i % 3 === 0 ? { name: `Page ${i}` } : { event: `Event ${i}` }),
      context: { channel: i % 2 === 0 ? 'web' : 'email' },
      // Several events share a timestamp: the cursor must still be exact.
      timestamp: new Date(base + Math.floor(i / 4) * 60_000).toISOString(),
    }));
    expect((await s.track('/v1/batch', { batch })).status).toBe(200);
    const id = (await s.api('GET', '/api/v1/customers?identity=user_id:long-timeline')).body.data[0].id;
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await s.api('GET', `/api/v1/customers/${id}/timeline?limit=50${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((e: { messageId: string }) => e.messageId));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBe(120);
    expect(seen.slice(0, 4).sort()).toEqual(['tl-116', 'tl-117', 'tl-118', 'tl-119']);
    const web = await s.api('GET', `/api/v1/customers/${id}/timeline?channel=web&type=page&limit=500`);
    expect(web.body.data.length).toBe(20);
    expect(web.body.data.every((e: { channel: string; type: string }) => e.channel === 'web' && e.type === 'page')).toBe(true);
    expect((await s.api('GET', `/api/v1/customers/${id}/timeline?cursor=garbage`)).body.error.field).toBe('cursor');
    expect((await s.api('GET', `/api/v1/customers/${id}/timeline?limit=100000`)).status).toBe(400);
  });

  it('a first sweep of many silent buyers moves each of them once, page after page', async () => {
    const workspaceId = s.workspace.workspaceId;
    const silentSince = clock.now() - 90 * DAY;
    // More than two pages of the sweep's reads, most of them silent since the same hour (an import).
    const ids = Array.from({ length: 2_345 }, (_, i) => `sweep-page-${String(i).padStart(4, '0')}`);
    const rows = ids.map((id, i) => ({ workspace_id: workspaceId, id, root_id: id, merged_into: null, traits: '{}', stage: 'customer', stage_override: null, stage_override_reason: null, first_seen: silentSince, last_seen: silentSince + (i % 3) * 3_600_000, order_count: 1, revenue: '{"USD":10}', identified: 1, advocate: 0, created_at: silentSince, updated_at: silentSince }));
    for (let i = 0; i < rows.length; i += 500) await s.tp.deps.db.insertInto('customer').values(rows.slice(i, i + 500)).execute();
    try {
      expect(await sweepLifecycle(s.tp.deps, s.tp.settings, new Map())).toBeGreaterThanOrEqual(ids.length);
      const stored = await s.tp.deps.db.selectFrom('customer').select(['id', 'stage']).where('workspace_id', '=', workspaceId).where('id', 'like', 'sweep-page-%').execute();
      expect(stored.filter((r) => r.stage === 'at_risk')).toHaveLength(ids.length);
      const changes = await s.tp.deps.db.selectFrom('stage_change').select('customer_id').where('workspace_id', '=', workspaceId).where('customer_id', 'like', 'sweep-page-%').execute();
      expect(new Set(changes.map((c) => c.customer_id)).size).toBe(ids.length);
      expect(changes).toHaveLength(ids.length);
      // A second first sweep finds them moved already.
      await sweepLifecycle(s.tp.deps, s.tp.settings, new Map());
      expect(await s.tp.deps.db.selectFrom('stage_change').select('customer_id').where('workspace_id', '=', workspaceId).where('customer_id', 'like', 'sweep-page-%').execute()).toHaveLength(ids.length);
    } finally {
      await s.tp.deps.db.deleteFrom('stage_change').where('workspace_id', '=', workspaceId).where('customer_id', 'like', 'sweep-page-%').execute();
      await s.tp.deps.db.deleteFrom('customer').where('workspace_id', '=', workspaceId).where('id', 'like', 'sweep-page-%').execute();
    }
  });

  it('delivers domain events from the outbox to listeners at least once, retrying failures', async () => {
    const seen: string[] = [];
    const failedOnce = new Set<string>();
    const worker = createWorker(s.tp.deps, {
      [PROFILE_EVENTS.created]: [
        async (event) => {
          // Every event fails on its first delivery.
          if (!failedOnce.has(event.id)) {
            failedOnce.add(event.id);
            throw new Error('listener down');
          }
          seen.push(String(event.payload.customerId));
        },
      ],
    });
    await s.track('/v1/identify', { messageId: mid(), userId: 'outbox-person' });
    const id = (await s.api('GET', '/api/v1/customers?identity=user_id:outbox-person')).body.data[0].id;
    await worker.drain();
    expect(seen).not.toContain(id);
    // The failed delivery is retried after its backoff.
    clock.set(clock.now() + 60 * 60_000);
    await worker.drain();
    expect(seen).toContain(id);
    const row = await s.tp.deps.db.selectFrom('outbox').select(['processed_at', 'attempts']).where('payload', 'like', `%${id}%`).where('topic', '=', PROFILE_EVENTS.created).executeTakeFirstOrThrow();
    expect(row.processed_at).not.toBeNull();
    expect(row.attempts).toBe(2);
  });

  it('serves health, metrics and the OpenAPI document', async () => {
    expect((await s.api('GET', '/healthz')).body).toMatchObject({ status: 'ok', engine });
    await s.track('/v1/identify', { messageId: mid(), userId: 'metrics-person' });
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toContain('touchpoint_events_ingested_total');
    // Nobody drains the outbox in this test: the new profile's event waits, and the backlog shows it.
    expect(metrics).toMatch(new RegExp(`touchpoint_outbox_pending\\{topic="${PROFILE_EVENTS.created.replace('.', '\\.')}"\\} [1-9]`));
    expect(metrics).toMatch(/touchpoint_outbox_oldest_pending_seconds\{topic="[a-z_.]+"\} \d/);
    // A topic the worker delivers, with nothing of it waiting, reads 0 rather than no data.
    expect(metrics).toContain('touchpoint_outbox_pending{topic="moment.reply_queued"} 0');
    expect(metrics).toContain('touchpoint_outbox_oldest_pending_seconds{topic="moment.reply_queued"} 0');
    // SQLite's inbox search index is written behind: how far behind shows (PostgreSQL has none).
    if (engine === 'sqlite') expect(metrics).toMatch(/\ntouchpoint_inbox_text_unindexed \d+\n/);
    else expect(metrics).not.toContain('touchpoint_inbox_text_unindexed');
    const docs = (await s.api('GET', '/api/docs')).body;
    expect(docs.openapi).toBe('3.1.0');
    expect(Object.keys(docs.paths)).toEqual(expect.arrayContaining(['/v1/track', '/v1/batch', '/api/v1/customers/{id}/timeline', '/api/v1/customers/{id}/unmerge']));
  });
});
