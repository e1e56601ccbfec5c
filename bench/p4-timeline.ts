import http from 'node:http';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { seededRandom } from './fixtures.ts';
import { log, percentile, result, round, startChild, stopAfter, type BenchResult } from './lib.ts';
import { timelineStore } from './timeline-store.ts';

const PAGE = 50;
const REQUESTS = 4_000;
const WARMUP_REQUESTS = 300;
/** Share of requests for the first page; the rest follow a cursor to a page further back. */
const FIRST_PAGE_SHARE = 0.25;
const COLUMNS = 'id, type, name, channel, timestamp, received_at, message_id, profile_id, user_id, anonymous_id, properties, context';

/**
 * P4: p99 latency of GET /api/v1/customers/:id/timeline?limit=50 for a customer with 10,000
 * events in a 1,000,000-event SQLite store, first pages and cursor pages mixed, one request at
 * a time (latency, not queueing), against p99 of the bare SQL for the same pages through a
 * better-sqlite3 prepared statement. Target: ≤ 3 × the bare query.
 */
export async function runP4(): Promise<BenchResult> {
  const store = await timelineStore();
  const server = await startChild('touchpoint-server.ts', { dataDir: store.dataDir });
  const get = client(server.url, store.apiKey);
  const route = `/api/v1/customers/${store.customerId}/timeline?limit=${PAGE}`;

  log(`P4 Touchpoint: ${REQUESTS.toLocaleString('en-US')} sequential timeline requests over ${store.hotEvents.toLocaleString('en-US')} events`);
  const { run: api } = await stopAfter(server, async () => {
    // Walking every page once warms the caches and collects the cursors the API hands out.
    const cursors: (string | null)[] = [null];
    const firstIds: string[] = [];
    for (;;) {
      const page = (await get(cursorRoute(route, cursors.at(-1) ?? null))).body;
      firstIds.push(page.data[0]?.id);
      if (!page.nextCursor) break;
      cursors.push(page.nextCursor);
    }
    const mix = requestMix(cursors.length);
    for (const p of mix.slice(0, WARMUP_REQUESTS)) await get(cursorRoute(route, cursors[p]));
    server.measuring();
    const latencies: number[] = [];
    for (const p of mix) latencies.push((await get(cursorRoute(route, cursors[p]))).ms);
    return { pages: cursors.length, firstIds, latencies };
  });

  log('P4 baseline: the same pages with a better-sqlite3 prepared statement');
  const sqlRun = bareQuery(store.dataDir, store.workspaceId, store.customerId, api.pages);
  const mismatched = api.firstIds.filter((id, i) => id !== sqlRun.firstIds[i]).length;
  if (mismatched > 0 || sqlRun.firstIds.length !== api.pages) throw new Error(`the API and the bare query disagree on ${mismatched} of ${api.pages} pages`);

  const p99 = percentile(api.latencies, 99);
  const sqlP99 = percentile(sqlRun.latencies, 99);
  return result(
    'p4',
    'timeline p99',
    { label: 'Touchpoint', value: p99, unit: 'ms' },
    { label: 'bare SQL', value: sqlP99, unit: 'ms' },
    { op: '<=', value: 3 },
    {
      events: store.events,
      customerEvents: store.hotEvents,
      pages: api.pages,
      requests: REQUESTS,
      firstPageShare: FIRST_PAGE_SHARE,
      storeBuildSeconds: store.buildSeconds,
      api: stats(api.latencies),
      sql: stats(sqlRun.latencies),
    },
  );
}

/** Which page each request asks for: deterministic, the same list for the API and the SQL. */
function requestMix(pages: number): number[] {
  const random = seededRandom(7);
  return Array.from({ length: REQUESTS }, () => (random() < FIRST_PAGE_SHARE || pages === 1 ? 0 : 1 + Math.floor(random() * (pages - 1))));
}

const cursorRoute = (route: string, cursor: string | null) => (cursor ? `${route}&cursor=${encodeURIComponent(cursor)}` : route);

type Page = { data: { id: string }[]; nextCursor: string | null };

/** Sequential GETs over one kept-alive connection; `ms` runs from sending to the last byte. */
function client(url: string, apiKey: string): (route: string) => Promise<{ body: Page; ms: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return (route) =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = http.get(url + route, { agent, headers: { authorization: `Bearer ${apiKey}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          if (res.statusCode !== 200) return reject(new Error(`GET ${route}: ${res.statusCode} ${Buffer.concat(chunks).toString()}`));
          resolve({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Page, ms });
        });
      });
      req.on('error', reject);
    });
}

/**
 * The timeline's SQL and nothing else, with the server's pragmas: the same columns, the same
 * keyset condition (a row value, which seeks the event_timeline index), LIMIT 51 (one more
 * than the page, to know whether there is a next one).
 */
function bareQuery(dataDir: string, workspaceId: string, customerId: string, pages: number): { firstIds: string[]; latencies: number[] } {
  const db = new SQLite(path.join(dataDir, 'touchpoint.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('cache_size = -65536');
  try {
    const first = db.prepare(`SELECT ${COLUMNS} FROM event WHERE workspace_id = ? AND customer_id = ? ORDER BY timestamp DESC, id DESC LIMIT ${PAGE + 1}`);
    const after = db.prepare(`SELECT ${COLUMNS} FROM event WHERE workspace_id = ? AND customer_id = ? AND (timestamp, id) < (?, ?) ORDER BY timestamp DESC, id DESC LIMIT ${PAGE + 1}`);
    type Row = { id: string; timestamp: number };
    const page = (cursor: [number, string] | null) => (cursor ? (after.all(workspaceId, customerId, cursor[0], cursor[1]) as Row[]) : (first.all(workspaceId, customerId) as Row[]));

    const cursors: ([number, string] | null)[] = [null];
    const firstIds: string[] = [];
    for (;;) {
      const rows = page(cursors.at(-1) ?? null);
      firstIds.push(rows[0]?.id);
      if (rows.length <= PAGE) break;
      const last = rows[PAGE - 1];
      cursors.push([last.timestamp, last.id]);
    }
    const mix = requestMix(cursors.length);
    for (const p of mix.slice(0, WARMUP_REQUESTS)) page(cursors[p]);
    const latencies = mix.map((p) => {
      const started = process.hrtime.bigint();
      page(cursors[p]);
      return Number(process.hrtime.bigint() - started) / 1e6;
    });
    if (cursors.length !== pages) throw new Error(`the bare query found ${cursors.length} pages, the API ${pages}`);
    return { firstIds, latencies };
  } finally {
    db.close();
  }
}

function stats(latencies: readonly number[]): Record<string, number> {
  return { p50Ms: round(percentile(latencies, 50), 3), p90Ms: round(percentile(latencies, 90), 3), p99Ms: round(percentile(latencies, 99), 3), maxMs: round(Math.max(...latencies), 3) };
}
