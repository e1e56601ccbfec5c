import { callTemplates, makePeople, makeTrackCalls } from './fixtures.ts';
import { basicAuth, eventsPerCommit, log, newStore, result, seedPeople, startChild, stopAfter, summarizeLoad, warmThenLoad, type BenchResult } from './lib.ts';

const CONNECTIONS = 50;
const WARMUP_S = 3;
const MEASURE_S = 10;
const PEOPLE = 10_000;

/**
 * P1: one track call per request, 50 connections, durable (SQLite synchronous=FULL), identity
 * resolution on, against a bare Fastify route with the same body schema. Both servers run in
 * a child process; autocannon runs here. Target: ≥ 0.6 of the no-op's requests/s.
 */
export async function runP1(): Promise<BenchResult> {
  const people = makePeople(PEOPLE);
  const calls = callTemplates(makeTrackCalls(5_000, people));
  let i = 0;
  const body = () => calls.render(i++);

  log('P1 baseline: bare Fastify no-op, POST /v1/track');
  const noop = await startChild('noop-server.ts', {});
  const baseline = await stopAfter(noop, () => warmThenLoad(noop, { path: '/v1/track', connections: CONNECTIONS, headers: {}, body }, WARMUP_S, MEASURE_S));

  log(`P1 Touchpoint: seeding ${PEOPLE.toLocaleString('en-US')} people, then POST /v1/track on SQLite (synchronous=FULL)`);
  const store = newStore('sqlite', 'p1');
  try {
    const server = await startChild('touchpoint-server.ts', store.serverOptions);
    const writeKey = String(server.info.writeKey);
    let seed: Awaited<ReturnType<typeof seedPeople>> | undefined;
    const figure = await stopAfter(server, async () => {
      seed = await seedPeople(server.url, writeKey, people, store);
      return warmThenLoad(server, { path: '/v1/track', connections: CONNECTIONS, headers: { authorization: basicAuth(writeKey) }, body }, WARMUP_S, MEASURE_S);
    });
    const failed = figure.run.measured.errors + figure.run.measured.non2xx + baseline.run.measured.errors + baseline.run.measured.non2xx;
    if (failed > 0) throw new Error(`${failed} requests failed: ${JSON.stringify({ touchpoint: summarizeLoad(figure.run.measured), noop: summarizeLoad(baseline.run.measured) })}`);
    return result(
      'p1',
      'single events',
      { label: 'Touchpoint', value: figure.run.measured.requestsPerSec, unit: 'req/s' },
      { label: 'Fastify no-op', value: baseline.run.measured.requestsPerSec, unit: 'req/s' },
      { op: '>=', value: 0.6 },
      {
        connections: CONNECTIONS,
        warmupSeconds: WARMUP_S,
        seconds: MEASURE_S,
        averageBodyBytes: Math.round(Array.from({ length: 100 }, () => Buffer.byteLength(body())).reduce((a, b) => a + b) / 100),
        seed,
        touchpoint: summarizeLoad(figure.run.measured),
        noop: summarizeLoad(baseline.run.measured),
        touchpointServer: figure.stats,
        noopServer: baseline.stats,
        eventsPerCommit: eventsPerCommit(figure.stats),
      },
    );
  } finally {
    await store.drop();
  }
}
