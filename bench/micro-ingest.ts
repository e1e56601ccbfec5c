/**
 * Where an ingest commit's time goes, without HTTP: groups of `GROUP` fixture track calls
 * from 10,000 known people, recorded in-process. Run with per-statement timings:
 *   node --import tsx bench/micro-ingest.ts [FULL|NORMAL|OFF] [GROUP]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { sql } from 'kysely';
import { composeTouchpoint } from '../apps/server/src/main.ts';
import { createWorkspace } from '../apps/server/src/modules/workspaces/index.ts';
import { commitInProcess, parseSegmentMessage } from '../apps/server/src/modules/collect/index.ts';
import { createProfileCache } from '../apps/server/src/modules/profiles/index.ts';
import { readConfig } from '../apps/server/src/platform/config.ts';
import { createLogger } from '../apps/server/src/platform/logger.ts';
import { makePeople, makeTrackCalls, newMessageId } from './fixtures.ts';

const timings = new Map<string, { n: number; ms: number }>();
const proto = (SQLite as unknown as { prototype: { prepare: (sql: string) => Record<string, (...a: unknown[]) => unknown> } }).prototype;
const prepare = proto.prepare;
proto.prepare = function (this: unknown, sql: string) {
  const stmt = prepare.call(this, sql);
  const key = sql.slice(0, 50).replace(/\s+/g, ' ');
  for (const m of ['run', 'all']) {
    const f = stmt[m];
    stmt[m] = (...a: unknown[]) => {
      const t = performance.now();
      try {
        return f.apply(stmt, a);
      } finally {
        const s = timings.get(key) ?? { n: 0, ms: 0 };
        s.n += 1;
        s.ms += performance.now() - t;
        timings.set(key, s);
      }
    };
  }
  return stmt;
};

// PostgreSQL: time each statement too.
const pgQuery = pg.Client.prototype.query as (...a: unknown[]) => Promise<unknown>;
(pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown }).query = function (this: unknown, ...a: unknown[]) {
  const text = typeof a[0] === 'string' ? a[0] : (a[0] as { text?: string })?.text ?? '?';
  const key = text.slice(0, 50).replace(/\s+/g, ' ');
  const t = performance.now();
  const result = pgQuery.apply(this, a);
  if (result && typeof (result as Promise<unknown>).then === 'function') {
    (result as Promise<unknown>).finally(() => {
      const s = timings.get(key) ?? { n: 0, ms: 0 };
      s.n += 1;
      s.ms += performance.now() - t;
      timings.set(key, s);
    }).catch(() => undefined);
  }
  return result;
};

const sync = process.argv[2] ?? 'FULL';
const group = Number(process.argv[3] ?? 25);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'micro-'));
const pgSchema = process.env.MICRO_PG ? `micro_${process.pid}` : undefined;
const tp = await composeTouchpoint(readConfig({ TOUCHPOINT_DATA: dir, TOUCHPOINT_SQLITE_SYNCHRONOUS: sync, LOG_LEVEL: 'warn', DATABASE_URL: process.env.MICRO_PG }), { log: createLogger('warn'), pgSchema });
const ws = await createWorkspace(tp.deps, { name: 'm', ownerEmail: 'm@m.test', ownerPassword: 'xxxxxxxxxxxx' });
const settings = await tp.settings.get(ws.workspaceId);
// As the ingest commits: with its profile cache (MICRO_NO_CACHE=1: without).
const commit = commitInProcess({ ...tp.deps, profileCache: process.env.MICRO_NO_CACHE ? undefined : createProfileCache() });
const people = makePeople(10_000);
const calls = makeTrackCalls(50_000, people);
const touchpoint = (raw: unknown) => {
  const r = parseSegmentMessage(raw, 'track', Date.now());
  if (!r.ok) throw new Error(r.problem.message);
  return r.touchpoint;
};
for (let i = 0; i < 10_000; i += 1000) {
  await commit([{ workspaceId: ws.workspaceId, settings, touchpoints: people.slice(i, i + 1000).map((p) => touchpoint({ ...p, event: 'Seen', messageId: newMessageId() })) }]);
}
await tp.worker.drain();
timings.clear();
const groups = 400;
// Groups between checkpoints: about a second of ingest at the server's rate.
const checkpointEvery = Math.max(1, Math.round(Number(process.env.MICRO_EVENTS_PER_CHECKPOINT ?? 14_000) / group));
const t0 = performance.now();
for (let g = 0; g < groups; g++) {
  const touchpoints = Array.from({ length: group }, (_, i) => touchpoint({ ...calls[(g * group + i) % calls.length], messageId: newMessageId(), timestamp: new Date().toISOString() }));
  await commit([{ workspaceId: ws.workspaceId, settings, touchpoints }]);
  // As the commit thread does once a second: the server's WAL never grows without bound.
  if (tp.deps.engine === 'sqlite' && (g + 1) % checkpointEvery === 0) await sql`pragma wal_checkpoint(PASSIVE)`.execute(tp.deps.db);
}
const ms = performance.now() - t0;
console.log(`${sync}: ${(ms / groups).toFixed(2)} ms per group of ${group} → ${Math.round((groups * group) / (ms / 1000))} events/s`);
for (const [k, v] of [...timings.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) console.log(`${(v.ms / groups).toFixed(3).padStart(8)} ms/group ${String(v.n).padStart(6)}× ${k}`);
if (tp.deps.engine === "sqlite") console.log("WAL file", Math.round(fs.statSync(path.join(dir, "touchpoint.sqlite-wal")).size / 1e6), "MB; database", Math.round(fs.statSync(path.join(dir, "touchpoint.sqlite")).size / 1e6), "MB");
await tp.close();
if (pgSchema && !process.env.MICRO_KEEP) {
  const client = new pg.Client({ connectionString: process.env.MICRO_PG });
  await client.connect();
  await client.query(`drop schema ${pgSchema} cascade`);
  await client.end();
}
fs.rmSync(dir, { recursive: true, force: true });
