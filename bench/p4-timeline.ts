import path from 'node:path';
import SQLite from 'better-sqlite3';
import { seededRandom } from './fixtures.ts';
import { floorServer } from './http-floor.ts';
import { log, percentile, result, round, startChild, stopAfter, type BenchResult } from './lib.ts';
import { sequentialGet, timeInTurn, timeMs, warmUp } from './sequential-get.ts';
import { rowsByLiteral } from '../apps/server/src/platform/db/rows-by-literal.ts';
import { startTimingClient } from './timing-client.ts';
import { timelineStore } from './timeline-store.ts';

const PAGE = 50;
const REQUESTS = 4_000;
/** Share of requests for the first page; the rest follow a cursor to a page further back. */
const FIRST_PAGE_SHARE = 0.25;
const COLUMNS = 'id, type, name, channel, timestamp, received_at, message_id, profile_id, user_id, anonymous_id, properties, context';

/**
 * P4: p99 latency of GET /api/v1/customers/:id/timeline?limit=50 for a customer with 10,000
 * events in a 1,000,000-event SQLite store, first pages and cursor pages mixed, one request at
 * a time (latency, not queueing), against p99 of the bare SQL for the same pages through a
 * better-sqlite3 prepared statement. Target: ≤ 3 × the bare query.
 * The API request, the bare query for the same page and the HTTP floor (the first page's
 * bytes from a bare node:http server) take turns, as in P6: run one phase after the other, a
 * burst of other work on this two-core machine fell on one side only.
 */
export async function runP4(): Promise<BenchResult> {
  const store = await timelineStore();
  const server = await startChild('touchpoint-server.ts', { dataDir: store.dataDir });
  const get = sequentialGet(server.url, `Bearer ${store.apiKey}`);
  const route = `/api/v1/customers/${store.customerId}/timeline?limit=${PAGE}`;

  log(`P4: ${REQUESTS.toLocaleString('en-US')} sequential timeline requests over ${store.hotEvents.toLocaleString('en-US')} events, each beside the bare query and the HTTP floor`);
  const { run } = await stopAfter(server, async () => {
    const bare = bareQuery(store.dataDir, store.workspaceId, store.customerId);
    try {
      // Walking every page once warms the caches and collects the cursors the API hands out.
      const cursors: (string | null)[] = [null];
      const firstIds: string[] = [];
      let firstPage = '';
      for (;;) {
        const { text } = await get(cursorRoute(route, cursors.at(-1) ?? null));
        const page = JSON.parse(text) as Page;
        firstPage ||= text;
        firstIds.push(page.data[0]?.id);
        if (!page.nextCursor) break;
        cursors.push(page.nextCursor);
      }
      const mismatched = firstIds.filter((id, i) => id !== bare.firstIds[i]).length;
      if (mismatched > 0 || bare.firstIds.length !== cursors.length) throw new Error(`the API (${cursors.length} pages) and the bare query (${bare.firstIds.length}) disagree on ${mismatched} pages`);
      const timing = startTimingClient();
      const floor = await floorServer(firstPage, timing);
      try {
        const timedApi = timing.getter(server.url, `Bearer ${store.apiKey}`);
        const mix = requestMix(cursors.length);
        const warmupRounds = await warmUp(async (i) => {
          const p = mix[i % mix.length];
          await timedApi(cursorRoute(route, cursors[p]));
          bare.page(p);
          await floor.get();
        });
        server.measuring();
        const api: number[] = [];
        const sql: number[] = [];
        const http: number[] = [];
        for (const p of mix) {
          api.push(await timedApi(cursorRoute(route, cursors[p])));
          sql.push(timeMs(() => bare.page(p)));
          http.push(await floor.get());
        }
        // For comparison only: the same pages back to back, caches as warm as they get.
        // …with the rows made by the driver, in turn with the rows made as the server makes them (rows-by-literal.ts).
        const [sqlBackToBack, sqlRowsByLiteral] = timeInTurn(mix.length, (i) => bare.page(mix[i]), (i) => bare.pageByLiteral(mix[i]));
        return { warmupRounds, pages: cursors.length, pageBytes: Buffer.byteLength(firstPage), api, sql, http, sqlBackToBack, sqlRowsByLiteral };
      } finally {
        timing.stop();
        floor.stop();
      }
    } finally {
      bare.close();
    }
  });

  const p99 = percentile(run.api, 99);
  const sqlP99 = percentile(run.sql, 99);
  return result(
    'p4',
    'timeline p99',
    { label: 'Touchpoint', value: p99, unit: 'ms' },
    { label: 'bare SQL', value: sqlP99, unit: 'ms' },
    { op: '<=', value: 3 },
    {
      events: store.events,
      customerEvents: store.hotEvents,
      pages: run.pages,
      requests: REQUESTS,
      warmupRounds: run.warmupRounds,
      firstPageShare: FIRST_PAGE_SHARE,
      storeBuildSeconds: store.buildSeconds,
      api: stats(run.api),
      sql: stats(run.sql),
      p50Ratio: round(percentile(run.api, 50) / percentile(run.sql, 50)),
      pageBytes: run.pageBytes,
      httpFloor: stats(run.http),
      sqlBackToBack: stats(run.sqlBackToBack),
      sqlBackToBackRowsByLiteral: stats(run.sqlRowsByLiteral),
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

/**
 * The timeline's SQL and nothing else, with the server's pragmas: the same columns, the same
 * keyset condition (a row value, which seeks the event_timeline index), LIMIT 51 (one more
 * than the page, to know whether there is a next one). Walks every page once for their
 * cursors; `page(p)` then reads page p as the API's p-th cursor does.
 */
function bareQuery(dataDir: string, workspaceId: string, customerId: string): { readonly firstIds: readonly string[]; readonly page: (p: number) => void; readonly pageByLiteral: (p: number) => void; readonly close: () => void } {
  const db = new SQLite(path.join(dataDir, 'touchpoint.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('cache_size = -65536');
  const first = db.prepare(`SELECT ${COLUMNS} FROM event WHERE workspace_id = ? AND customer_id = ? ORDER BY timestamp DESC, id DESC LIMIT ${PAGE + 1}`);
  const after = db.prepare(`SELECT ${COLUMNS} FROM event WHERE workspace_id = ? AND customer_id = ? AND (timestamp, id) < (?, ?) ORDER BY timestamp DESC, id DESC LIMIT ${PAGE + 1}`);
  type Row = { id: string; timestamp: number };
  const read = (cursor: [number, string] | null) => (cursor ? (after.all(workspaceId, customerId, cursor[0], cursor[1]) as Row[]) : (first.all(workspaceId, customerId) as Row[]));
  // The same statements with the rows built as the server builds them (comparison only).
  const [firstByLiteral, afterByLiteral] = [first.source, after.source].map((text) => rowsByLiteral(db.prepare(text)));
  const readByLiteral = (cursor: [number, string] | null) => (cursor ? afterByLiteral.all([workspaceId, customerId, cursor[0], cursor[1]]) : firstByLiteral.all([workspaceId, customerId]));

  const cursors: ([number, string] | null)[] = [null];
  const firstIds: string[] = [];
  for (;;) {
    const rows = read(cursors.at(-1) ?? null);
    firstIds.push(rows[0]?.id);
    if (rows.length <= PAGE) break;
    const last = rows[PAGE - 1];
    cursors.push([last.timestamp, last.id]);
  }
  return { firstIds, page: (p) => void read(cursors[p]), pageByLiteral: (p) => void readByLiteral(cursors[p]), close: () => db.close() };
}

function stats(latencies: readonly number[]): Record<string, number> {
  return { p50Ms: round(percentile(latencies, 50), 3), p90Ms: round(percentile(latencies, 90), 3), p99Ms: round(percentile(latencies, 99), 3), maxMs: round(Math.max(...latencies), 3) };
}
