import { uuidv7 } from '../apps/server/src/platform/ids.ts';
import type { EventTable } from '../apps/server/src/platform/db/tables.ts';
import { callTemplates, eventRow, makePeople, makeTrackCalls, newMessageId, type Person, type TrackCall } from './fixtures.ts';
import { basicAuth, eventsPerCommit, round, seedPeople, startChild, stopAfter, summarizeLoad, warmThenLoad, type LoadResult, type Store } from './lib.ts';

/** Shared by P2 (SQLite) and P3 (PostgreSQL): POST /v1/batch with 100 track calls each. */
export const BATCH_SIZE = 100;
const CONNECTIONS = 10;
const WARMUP_S = 3;
const MEASURE_S = 10;

export type BatchIngest = {
  readonly eventsPerSec: number;
  /** Events the server stored while warming up and while measured: the baseline writes as many. */
  readonly warmupEvents: number;
  readonly measuredEvents: number;
  readonly details: Readonly<Record<string, unknown>>;
};

export type Traffic = { readonly people: readonly Person[]; readonly calls: readonly TrackCall[] };

export function makeTraffic(): Traffic {
  const people = makePeople(10_000);
  return { people, calls: makeTrackCalls(5_000, people) };
}

/** Starts the server on `store`, seeds the people, then loads /v1/batch from this process. */
export async function measureBatchIngest(store: Store, traffic: Traffic): Promise<BatchIngest> {
  const templates = callTemplates(traffic.calls);
  let i = 0;
  const body = () => {
    const items: string[] = [];
    for (let k = 0; k < BATCH_SIZE; k++) items.push(templates.render(i++));
    return `{"batch":[${items.join(',')}]}`;
  };
  const server = await startChild('touchpoint-server.ts', store.serverOptions);
  const writeKey = String(server.info.writeKey);
  let seed: Awaited<ReturnType<typeof seedPeople>> | undefined;
  const { run, stats } = await stopAfter(server, async () => {
    seed = await seedPeople(server.url, writeKey, traffic.people, store);
    return warmThenLoad(server, { path: '/v1/batch', connections: CONNECTIONS, headers: { authorization: basicAuth(writeKey) }, body }, WARMUP_S, MEASURE_S);
  });
  const failed = (r: LoadResult) => r.errors + r.non2xx;
  if (failed(run.warmup) + failed(run.measured) > 0) throw new Error(`batch requests failed: ${JSON.stringify(summarizeLoad(run.measured))}`);
  return {
    eventsPerSec: run.measured.requestsPerSec * BATCH_SIZE,
    warmupEvents: run.warmup.ok * BATCH_SIZE,
    measuredEvents: run.measured.ok * BATCH_SIZE,
    details: {
      batchSize: BATCH_SIZE,
      connections: CONNECTIONS,
      warmupSeconds: WARMUP_S,
      seconds: MEASURE_S,
      averageBatchBytes: Math.round(Buffer.byteLength(body())),
      seed,
      load: summarizeLoad(run.measured),
      server: stats,
      eventsPerCommit: eventsPerCommit(stats),
    },
  };
}

/**
 * Event rows as the server would store them for the same calls, 1,000 at a time: each person
 * is one customer, every row a new message. Made before the clock starts for each chunk.
 */
export function baselineRows(workspaceId: string, traffic: Traffic): (count: number) => EventTable[] {
  const customerOf = new Map(traffic.people.map((p) => [p.userId, uuidv7()]));
  let i = 0;
  return (count) =>
    Array.from({ length: count }, () => {
      const call = traffic.calls[i++ % traffic.calls.length];
      return eventRow(workspaceId, call, customerOf.get(call.userId) as string, newMessageId(), Date.now());
    });
}

/**
 * Writes `warmup` rows untimed, then `measured` rows timed, `perWrite` per write; only the
 * writes are timed, not making the rows. Returns rows per second.
 */
export async function timedWrites(write: (rows: readonly EventTable[]) => Promise<void> | void, rows: (count: number) => EventTable[], warmup: number, measured: number, perWrite = 1_000): Promise<{ readonly rowsPerSec: number; readonly rows: number; readonly seconds: number }> {
  for (let done = 0; done < warmup; done += perWrite) await write(rows(Math.min(perWrite, warmup - done)));
  let ns = 0n;
  for (let done = 0; done < measured; done += perWrite) {
    const chunk = rows(Math.min(perWrite, measured - done));
    const started = process.hrtime.bigint();
    await write(chunk);
    ns += process.hrtime.bigint() - started;
  }
  const seconds = Number(ns) / 1e9;
  return { rowsPerSec: measured / seconds, rows: measured, seconds: round(seconds, 2) };
}
