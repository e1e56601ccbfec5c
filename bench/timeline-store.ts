import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import SQLite from 'better-sqlite3';
import { computeStage } from '../apps/server/src/modules/profiles/index.ts';
import { createWorkspace, DEFAULT_SETTINGS } from '../apps/server/src/modules/workspaces/index.ts';
import { systemClock } from '../apps/server/src/platform/clock.ts';
import { openDatabase } from '../apps/server/src/platform/db/database.ts';
import { migrateToLatest } from '../apps/server/src/platform/db/migrate.ts';
import type { CustomerTable, EventTable, IdentityTable } from '../apps/server/src/platform/db/tables.ts';
import { systemIds, uuidv7 } from '../apps/server/src/platform/ids.ts';
import { createLogger } from '../apps/server/src/platform/logger.ts';
import { createSecretBox } from '../apps/server/src/platform/secret-box.ts';
import { EVENT_COLUMNS, makePeople, makeTrackCalls, seededRandom } from './fixtures.ts';
import { log } from './lib.ts';

/** Bump when the data below changes: a new version builds a new cached store. */
const VERSION = 'v3';
const EVENTS = 1_000_000;
const HOT_EVENTS = 10_000;
const OTHER_CUSTOMERS = 50_000;
const DAYS = 365;

export type TimelineStore = {
  /** Folder holding touchpoint.sqlite: pass it to the server as its data dir. */
  readonly dataDir: string;
  readonly workspaceId: string;
  readonly apiKey: string;
  /** The customer with HOT_EVENTS events. */
  readonly customerId: string;
  readonly events: number;
  readonly hotEvents: number;
  readonly buildSeconds: number;
};

/**
 * A SQLite store with 1,000,000 events, 10,000 of them one customer's and the rest spread over
 * 50,000 others, in time order as ingest would have written them. Built once (about a minute)
 * and cached under the OS temp dir by VERSION, so later runs start at once.
 * The workspace is created through the product (createWorkspace, for a real API key); the
 * bulk rows go in with raw better-sqlite3, consistent with the schema: every identity and
 * event points at its customer, counts and first/last seen match the events, no orders (so
 * the lifecycle sweep has nothing to rewrite when a server starts on it).
 */
export async function timelineStore(): Promise<TimelineStore> {
  const dir = path.join(os.tmpdir(), `touchpoint-bench-p4-${VERSION}`);
  const metaFile = path.join(dir, 'meta.json');
  if (fs.existsSync(metaFile)) return { ...(JSON.parse(fs.readFileSync(metaFile, 'utf8')) as TimelineStore), dataDir: dir };

  log(`P4: building the 1,000,000-event store once (cached in ${dir})`);
  const started = Date.now();
  // Built aside and renamed when complete: an interrupted build never passes for a cache.
  const building = fs.mkdtempSync(path.join(os.tmpdir(), `touchpoint-bench-p4-${VERSION}-building-`));
  try {
    const database = await openDatabase({ dataDir: building });
    const workspace = await migrateToLatest(database.db)
      .then(() => createWorkspace({ db: database.db, reads: database.reads, engine: 'sqlite', clock: systemClock, ids: systemIds, log: createLogger('silent'), secretBox: createSecretBox(randomBytes(32)) }, { name: 'Timeline bench', ownerEmail: 'owner@bench.test', ownerPassword: 'bench bench bench' }))
      .finally(() => database.close());
    const customerId = bulkInsert(path.join(building, 'touchpoint.sqlite'), workspace.workspaceId);
    const meta = { workspaceId: workspace.workspaceId, apiKey: workspace.apiKey, customerId, events: EVENTS, hotEvents: HOT_EVENTS, buildSeconds: Math.round((Date.now() - started) / 1000) };
    fs.writeFileSync(path.join(building, 'meta.json'), JSON.stringify(meta, null, 2));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(building, dir);
    return { ...meta, dataDir: dir };
  } finally {
    fs.rmSync(building, { recursive: true, force: true });
  }
}

/** Inserts customers, identities and events; returns the hot customer's id. */
function bulkInsert(file: string, workspaceId: string): string {
  const db = new SQLite(file);
  // Build only: nothing to protect if the machine dies mid-build (the cache is renamed at the end).
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const random = seededRandom(4);
  const people = makePeople(OTHER_CUSTOMERS + 1, 3);
  // Orders are left out on purpose: see timelineStore.
  const calls = makeTrackCalls(2_000, people, 5).filter((c) => c.event !== 'Order Completed');
  const payloads = calls.map((c) => ({ name: c.event, properties: JSON.stringify(c.properties), context: JSON.stringify(c.context) }));

  const now = Date.now();
  const start = now - DAYS * 86_400_000;
  const step = Math.floor((DAYS * 86_400_000) / EVENTS);
  const customers = people.map((person, i) => ({ person, id: uuidv7(), count: 0, first: 0, last: 0, hot: i === 0 }));
  const hot = customers[0];

  const insertEvent = db.prepare(`INSERT INTO event (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map((c) => `@${c}`).join(', ')})`);
  const insertEvents = db.transaction((rows: readonly EventTable[]) => {
    for (const row of rows) insertEvent.run(row);
  });
  const every = EVENTS / HOT_EVENTS;
  let rows: EventTable[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const timestamp = start + i * step;
    const customer = i % every === 0 ? hot : customers[1 + Math.floor(random() * OTHER_CUSTOMERS)];
    const payload = payloads[i % payloads.length];
    customer.count += 1;
    if (customer.first === 0) customer.first = timestamp;
    customer.last = timestamp;
    rows.push({
      workspace_id: workspaceId,
      id: uuidv7(),
      customer_id: customer.id,
      profile_id: customer.id,
      message_id: `node-next-${timestamp}-${randomUUID()}`,
      type: 'track',
      name: payload.name,
      channel: 'web',
      anonymous_id: customer.person.anonymousId,
      user_id: customer.person.userId,
      properties: payload.properties,
      context: payload.context,
      timestamp,
      received_at: timestamp + 150,
    });
    if (rows.length === 50_000) {
      insertEvents(rows);
      rows = [];
    }
  }
  insertEvents(rows);

  const insertCustomer = db.prepare('INSERT INTO customer (workspace_id, id, root_id, merged_into, traits, stage, stage_override, stage_override_reason, first_seen, last_seen, order_count, revenue, identified, advocate, created_at, updated_at) VALUES (@workspace_id, @id, @root_id, @merged_into, @traits, @stage, @stage_override, @stage_override_reason, @first_seen, @last_seen, @order_count, @revenue, @identified, @advocate, @created_at, @updated_at)');
  const insertIdentity = db.prepare('INSERT INTO identity (workspace_id, kind, value, customer_id, profile_id, created_at) VALUES (@workspace_id, @kind, @value, @customer_id, @profile_id, @created_at)');
  db.transaction(() => {
    for (const c of customers.filter((x) => x.count > 0)) {
      const row: CustomerTable = {
        workspace_id: workspaceId,
        id: c.id,
        root_id: c.id,
        merged_into: null,
        traits: JSON.stringify({ plan: c.hot ? 'enterprise' : 'free' }),
        stage: computeStage({ identified: true, orderCount: 0, advocate: false, lastSeen: c.last, override: null }, DEFAULT_SETTINGS.lifecycle, now),
        stage_override: null,
        stage_override_reason: null,
        first_seen: c.first,
        last_seen: c.last,
        order_count: 0,
        revenue: '{}',
        identified: 1,
        advocate: 0,
        created_at: c.first,
        updated_at: c.last,
      };
      insertCustomer.run(row);
      for (const [kind, value] of [['user_id', c.person.userId], ['anonymous_id', c.person.anonymousId]] as const) {
        const identity: IdentityTable = { workspace_id: workspaceId, kind, value, customer_id: c.id, profile_id: c.id, created_at: c.first };
        insertIdentity.run(identity);
      }
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return hot.id;
}
