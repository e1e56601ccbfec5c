import { Analytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, startServer, type Running } from './harness.ts';

/**
 * The official Segment and RudderStack server SDKs, unmodified, pointed at Touchpoint: what a
 * company that already instruments with them would do. RudderStack gzips its batches and labels
 * them application/x-www-form-urlencoded, which is why bodies are decoded by Content-Encoding.
 */
describe.each(ENGINES)('official SDKs on %s', (engine) => {
  let running: Running;

  beforeAll(async () => {
    running = await startServer(engine);
  });
  afterAll(async () => {
    await running?.stop();
  });

  async function profileOf(userId: string): Promise<any> {
    const reply = await running.api('GET', `/api/v1/customers?identity=${encodeURIComponent(`user_id:${userId}`)}`);
    expect(reply.status).toBe(200);
    expect(reply.body.data, `no profile for user_id:${userId}`).toHaveLength(1);
    return reply.body.data[0];
  }

  async function timelineOf(customerId: string): Promise<any[]> {
    const reply = await running.api('GET', `/api/v1/customers/${customerId}/timeline`);
    expect(reply.status).toBe(200);
    return reply.body.data;
  }

  async function expectIdentifyTrackPage(userId: string): Promise<void> {
    const profile = await profileOf(userId);
    expect(profile.traits).toMatchObject({ name: 'Ann Lee', plan: 'pro' });
    expect(profile.identities.map((i: any) => `${i.kind}:${i.value}`)).toEqual(expect.arrayContaining([`user_id:${userId}`, `email:${userId}@example.com`]));
    const timeline = await timelineOf(profile.id);
    expect(timeline.map((e) => `${e.type}|${e.name}`).sort()).toEqual(['identify|null', 'page|Pricing', 'track|Order Completed']);
    const order = timeline.find((e) => e.type === 'track');
    expect(order.properties).toEqual({ total: 99.5, currency: 'EUR' });
    expect(order.messageId).toEqual(expect.any(String));
    expect(timeline.find((e) => e.type === 'page').properties).toMatchObject({ path: '/pricing' });
    expect(profile.counts.events).toBe(3);
  }

  it('@segment/analytics-node delivers identify, track and page', async () => {
    const userId = `seg-${engine}`;
    const analytics = new Analytics({ writeKey: running.workspace.writeKey, host: running.url, flushAt: 1, maxRetries: 0, flushInterval: 100 });
    const statuses: number[] = [];
    const errors: unknown[] = [];
    analytics.on('http_response', (response) => statuses.push(response.status));
    analytics.on('error', (error) => errors.push(error));

    analytics.identify({ userId, traits: { name: 'Ann Lee', email: `${userId}@example.com`, plan: 'pro' } });
    analytics.track({ userId, event: 'Order Completed', properties: { total: 99.5, currency: 'EUR' } });
    analytics.page({ userId, name: 'Pricing', properties: { path: '/pricing' } });
    await analytics.closeAndFlush({ timeout: 20_000 });

    expect(errors).toEqual([]);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200)).toBe(true);
    await expectIdentifyTrackPage(userId);
  });

  it('@rudderstack/rudder-sdk-node delivers identify, track and page (gzip, form content type)', async () => {
    const userId = `rudder-${engine}`;
    const errors: unknown[] = [];
    const client = new RudderAnalytics(running.workspace.writeKey, {
      dataPlaneUrl: running.url,
      flushAt: 1,
      flushInterval: 100,
      retryCount: 0,
      logLevel: 'error',
      errorHandler: (error) => errors.push(error),
    });
    // Each call's callback fires once its batch got an answer (with the error, if any).
    const sent = (send: (done: () => void) => void) =>
      new Promise<void>((resolve) =>
        send(((error?: unknown) => {
          if (error) errors.push(error);
          resolve();
        }) as () => void),
      );

    await Promise.all([
      sent((done) => client.identify({ userId, traits: { name: 'Ann Lee', email: `${userId}@example.com`, plan: 'pro' } }, done)),
      sent((done) => client.track({ userId, event: 'Order Completed', properties: { total: 99.5, currency: 'EUR' } }, done)),
      sent((done) => client.page({ userId, name: 'Pricing', properties: { path: '/pricing' } }, done)),
    ]);
    await client.flush();

    expect(errors).toEqual([]);
    await expectIdentifyTrackPage(userId);
  });
});
