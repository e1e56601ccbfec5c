import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Clock } from './clock.ts';
import type { Db } from './db/database.ts';
import { outboxBacklog } from './outbox.ts';

/** Prometheus metrics of one process, served at /metrics. */
export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(deps: { readonly db: Db; readonly clock: Clock }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'touchpoint_' });
  // The worker's backlog, read when scraped: timeline lines, reply deliveries and other domain
  // events on their way (moment.touchpoints_added's age is how far timelines lag behind).
  let backlog: Promise<Awaited<ReturnType<typeof outboxBacklog>>> | null = null;
  // Topics with listeners read 0 when nothing waits, so an alert on them sees 0, not "no data".
  let listenedTopics: readonly string[] = [];
  // Both gauges share one query per scrape; a failed read leaves them empty rather than failing the scrape.
  const readBacklog = () =>
    (backlog ??= outboxBacklog(deps.db)
      .catch(() => [])
      .finally(() => setImmediate(() => (backlog = null))));
  new Gauge({
    name: 'touchpoint_outbox_pending',
    help: 'Domain events not yet delivered to their listeners, by topic',
    labelNames: ['topic'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const topic of listenedTopics) this.set({ topic }, 0);
      for (const b of await readBacklog()) this.set({ topic: b.topic }, b.pending);
    },
  });
  new Gauge({
    name: 'touchpoint_outbox_oldest_pending_seconds',
    help: 'Age of the oldest domain event not yet delivered, by topic',
    labelNames: ['topic'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const topic of listenedTopics) this.set({ topic }, 0);
      for (const b of await readBacklog()) this.set({ topic: b.topic }, Math.max(0, (deps.clock.now() - b.oldestAt) / 1000));
    },
  });
  return {
    registry,
    /** The topics the worker delivers: their backlog gauges read 0 while none of theirs wait. */
    listenTo: (topics: readonly string[]) => void (listenedTopics = [...topics]),
    /**
     * A gauge read when scraped (a backlog, a queue); a failed read leaves it empty rather than failing the scrape.
     * @example metrics.gauge('touchpoint_inbox_text_unindexed', 'Texts not yet indexed', () => countThem(db))
     */
    gauge: (name: string, help: string, read: () => Promise<number>) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          this.reset();
          const value = await read().catch(() => null);
          if (value !== null) this.set(value);
        },
      }),
    httpRequests: new Counter({ name: 'touchpoint_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    httpDuration: new Histogram({
      name: 'touchpoint_http_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    touchpoints: new Counter({ name: 'touchpoint_events_ingested_total', help: 'Tracking calls stored (duplicates excluded)', registers: [registry] }),
    duplicates: new Counter({ name: 'touchpoint_events_duplicate_total', help: 'Tracking calls dropped as duplicates by messageId', registers: [registry] }),
  };
}
