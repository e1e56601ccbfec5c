import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process, served at /metrics. */
export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'touchpoint_' });
  return {
    registry,
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
