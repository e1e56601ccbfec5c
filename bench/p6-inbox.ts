import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { createAgent, createWorkspace } from '../apps/server/src/modules/workspaces/index.ts';
import { systemClock } from '../apps/server/src/platform/clock.ts';
import { openDatabase } from '../apps/server/src/platform/db/database.ts';
import { migrateToLatest } from '../apps/server/src/platform/db/migrate.ts';
import type { Selectable } from 'kysely';
import type { MomentTable } from '../apps/server/src/platform/db/tables.ts';
import { systemIds, uuidv7 } from '../apps/server/src/platform/ids.ts';
import { createLogger } from '../apps/server/src/platform/logger.ts';
import { createSecretBox } from '../apps/server/src/platform/secret-box.ts';
import { handoffColumns } from '../apps/server/src/modules/moments/moment-view.ts';
import { seededRandom } from './fixtures.ts';
import { floorServer } from './http-floor.ts';
import { log, percentile, result, round, startChild, stopAfter, type BenchResult } from './lib.ts';
import { sequentialGet, timeInTurn, timeMs, warmUp, type Reply } from './sequential-get.ts';
import { rowsByLiteral } from '../apps/server/src/platform/db/rows-by-literal.ts';
import { startTimingClient } from './timing-client.ts';

/** Bump when the data below changes: a new version builds a new cached store. */
const VERSION = 'v5';
const MOMENTS = 200_000;
const TEAMS = 20;
const AGENTS_PER_TEAM = 10;
const DAYS = 180;
const HOUR = 3_600_000;
const DUE_SOON_MS = 30 * 60_000;
/** The SLA policy's warning lead (warn_before_minutes). */
const WARN_MS = 15 * 60_000;
const PAGE = 50;
const CUSTOMERS = 80_000;
const REQUESTS = 3_000;
/** Secondary figures (agent inbox, counts): fewer requests, reported in details only. */
const SIDE_REQUESTS = 200;
const AGENT_PASSWORD = 'bench agent password';
const COLUMNS = 'workspace_id, id, customer_id, channel, external_id, subject, preview, status, priority, language, business_unit_id, team_id, owner_id, queued_at, handoff, handoff_agent_id, handoff_team_id, sla_policy_id, first_response_due, next_response_due, resolution_due, sla_due_at, sla_warned_at, sla_breached_at, sla_paused_at, first_response_at, awaiting_reply_since, snoozed_until, resolved_at, closed_at, merged_into, message_count, last_message_at, created_at, updated_at, tags';

/**
 * P6: p99 latency of the busiest inbox view, GET /api/v1/moments?status=open&team=<X>&sla=due_soon
 * (first page, 50), in a 200,000-moment SQLite store, one request at a time, against p99 of the
 * bare SQL for the same page through a better-sqlite3 prepared statement. Target: ≤ 3 × the bare
 * query. The API request, the bare query and the HTTP floor (the same reply bytes from a bare
 * node:http server) take turns, so that other work on the machine falls on all three alike.
 * Details add an agent's default inbox (visibility rule included) and the counts endpoint.
 */
export async function runP6(): Promise<BenchResult> {
  const store = await inboxStore();
  const shift = shiftToNow(store);
  const server = await startChild('touchpoint-server.ts', { dataDir: store.dataDir });
  const key = sequentialGet(server.url, `Bearer ${store.apiKey}`);
  const route = `/api/v1/moments?status=open&team=${store.teamId}&sla=due_soon&limit=${PAGE}`;
  const bare = bareQuery(store);

  log(`P6: ${REQUESTS.toLocaleString('en-US')} inbox pages over ${store.moments.toLocaleString('en-US')} moments, each beside the bare query and the HTTP floor`);
  const { run } = await stopAfter(server, async () => {
    const first = await samePage(() => key(route), bare.page);
    const timing = startTimingClient();
    const floor = await floorServer(first.text, timing);
    try {
      const timedApi = timing.getter(server.url, `Bearer ${store.apiKey}`);
      const warmupRounds = await warmUp(async () => {
        await timedApi(route);
        bare.page();
        await floor.get();
      });
      server.measuring();
      const api: number[] = [];
      const sql: number[] = [];
      const http: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        api.push(await timedApi(route));
        sql.push(timeMs(bare.page));
        http.push(await floor.get());
      }
      // The bare page back to back with the rows made by the driver, in turn with the rows made as the server makes them (rows-by-literal.ts).
      const [sqlBackToBack, sqlRowsByLiteral] = timeInTurn(REQUESTS, bare.page, bare.pageByLiteral);

      const session = await signIn(server.url, store.agentEmail);
      const agent = sequentialGet(server.url, `Bearer ${session}`);
      // The same page as the web app asks for it, naming each row's customer, beside the page without them.
      const pageSide = await sideRun(() => key(route));
      const pageWithCustomers = await sideRun(() => key(`${route}&include=customers`));
      const agentInbox = await sideRun(() => agent('/api/v1/moments'));
      const agentCounts = await sideRun(() => agent('/api/v1/moments/counts'));
      const keyCounts = await sideRun(() => key('/api/v1/moments/counts'));
      const counts = JSON.parse((await key('/api/v1/moments/counts')).text) as Record<string, number>;
      return { warmupRounds, first, api, sql, http, sqlBackToBack, sqlRowsByLiteral, pageSide, pageWithCustomers, agentInbox, agentCounts, keyCounts, counts };
    } finally {
      timing.stop();
      floor.stop();
      bare.close();
    }
  });
  const page = JSON.parse(run.first.text) as { data: { id: string }[]; nextCursor: string | null };

  return result(
    'p6',
    'inbox page p99',
    { label: 'Touchpoint', value: percentile(run.api, 99), unit: 'ms' },
    { label: 'bare SQL', value: percentile(run.sql, 99), unit: 'ms' },
    { op: '<=', value: 3 },
    {
      moments: store.moments,
      activeMoments: store.active,
      openMoments: store.open,
      teamOpen: store.teamOpen,
      pageItems: page.data.length,
      pageBytes: Buffer.byteLength(run.first.text),
      requests: REQUESTS,
      warmupRounds: run.warmupRounds,
      storeBuildSeconds: store.buildSeconds,
      timeShift: shift,
      api: stats(run.api),
      sql: stats(run.sql),
      p50Ratio: round(percentile(run.api, 50) / percentile(run.sql, 50)),
      httpFloor: stats(run.http),
      sqlBackToBack: stats(run.sqlBackToBack),
      sqlBackToBackRowsByLiteral: stats(run.sqlRowsByLiteral),
      page: stats(run.pageSide),
      pageWithCustomers: stats(run.pageWithCustomers),
      agentInbox: stats(run.agentInbox),
      agentCounts: stats(run.agentCounts),
      keyCounts: stats(run.keyCounts),
      counts: run.counts,
    },
  );
}

// ---- the store ----

type InboxStore = {
  readonly dataDir: string;
  readonly workspaceId: string;
  readonly apiKey: string;
  /** The team the measured view lists. */
  readonly teamId: string;
  /** An agent of that team who signs in for the agent figures. */
  readonly agentEmail: string;
  readonly moments: number;
  /** Open, pending or snoozed. */
  readonly active: number;
  readonly open: number;
  readonly teamOpen: number;
  readonly buildSeconds: number;
};

/**
 * A SQLite store of 200,000 moments of one workspace: 20 teams of 10 agents, 180 days of
 * history, mostly closed, about 16 % open and 4 % pending or snoozed. Open moments carry SLA
 * deadlines spread over the next 6 hours (a fifth already breached and recorded, warnings sent
 * where due); pending ones are paused. Each moment has its ledger row and a few tags (0.7 on
 * average); 80,000 named customers with an email each write them. Built once (about 10 s) and
 * cached under the OS temp dir by VERSION; the SLA times are relative to
 * `bench_clock.built_at` in the store (see shiftToNow).
 */
async function inboxStore(): Promise<InboxStore> {
  const dir = path.join(os.tmpdir(), `touchpoint-bench-p6-${VERSION}`);
  const metaFile = path.join(dir, 'meta.json');
  if (fs.existsSync(metaFile)) return { ...(JSON.parse(fs.readFileSync(metaFile, 'utf8')) as InboxStore), dataDir: dir };

  log(`P6: building the ${MOMENTS.toLocaleString('en-US')}-moment store once (cached in ${dir})`);
  const started = Date.now();
  // Built aside and renamed when complete: an interrupted build never passes for a cache.
  const building = fs.mkdtempSync(path.join(os.tmpdir(), `touchpoint-bench-p6-${VERSION}-building-`));
  try {
    const database = await openDatabase({ dataDir: building });
    const deps = { db: database.db, reads: database.reads, engine: 'sqlite' as const, clock: systemClock, ids: systemIds, log: createLogger('silent'), secretBox: createSecretBox(randomBytes(32)) };
    const made = await migrateToLatest(database.db)
      .then(async () => {
        const workspace = await createWorkspace(deps, { name: 'Inbox bench', ownerEmail: 'owner@bench.test', ownerPassword: 'bench bench bench' });
        // The one agent who signs in needs a real password; the other 199 go in raw.
        const agent = await createAgent(deps, { workspaceId: workspace.workspaceId, email: 'agent@bench.test', name: 'Bench Agent', role: 'agent', password: AGENT_PASSWORD, actor: 'system' });
        return { workspace, agentId: agent.id };
      })
      .finally(() => database.close());
    const builtAt = Date.now();
    const counts = bulkInsert(path.join(building, 'touchpoint.sqlite'), made.workspace.workspaceId, made.workspace.ownerId, made.agentId, builtAt);
    const meta = {
      workspaceId: made.workspace.workspaceId,
      apiKey: made.workspace.apiKey,
      agentEmail: 'agent@bench.test',
      moments: MOMENTS,
      ...counts,
      buildSeconds: Math.round((Date.now() - started) / 1000),
    };
    fs.writeFileSync(path.join(building, 'meta.json'), JSON.stringify(meta, null, 2));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(building, dir);
    return { ...meta, dataDir: dir };
  } finally {
    fs.rmSync(building, { recursive: true, force: true });
  }
}

function bulkInsert(file: string, workspaceId: string, ownerId: string, benchAgentId: string, at: number): { teamId: string; active: number; open: number; teamOpen: number } {
  const db = new SQLite(file);
  // Build only: nothing to protect if the machine dies mid-build (the cache is renamed at the end).
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const random = seededRandom(6);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

  const teams = Array.from({ length: TEAMS }, () => uuidv7());
  const members = teams.map((_, t) => Array.from({ length: AGENTS_PER_TEAM }, (_, i) => (t === 0 && i === 0 ? benchAgentId : uuidv7())));
  const businessUnits = [uuidv7(), uuidv7()];
  const policyId = uuidv7();
  const customers = Array.from({ length: CUSTOMERS }, () => uuidv7());
  const channels = ['email', 'email', 'email', 'chat', 'chat', 'whatsapp', 'sms', 'voice'];
  const subjects = ['Where is my order?', 'Refund request', 'Cannot sign in', 'Wrong size delivered', 'Invoice copy please', 'Cancel my subscription', 'Damaged on arrival', 'Change delivery address'];
  const tags = ['vip', 'billing', 'returns', 'bug', 'shipping', 'churn-risk'];

  const insertAgent = db.prepare('INSERT INTO agent (workspace_id, id, email, name, role, password_hash, created_at, presence, presence_at, skills, capacity) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)');
  const insertTeam = db.prepare('INSERT INTO team (workspace_id, id, business_unit_id, key, name, created_at, strategy, fallback_owner_id, lead_id, last_assigned_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)');
  const insertMember = db.prepare('INSERT INTO team_member (workspace_id, team_id, agent_id) VALUES (?, ?, ?)');
  const insertPolicy = db.prepare('INSERT INTO sla_policy (workspace_id, id, name, priority, channel, business_unit_id, first_response_minutes, next_response_minutes, resolution_minutes, business_hours_id, warn_before_minutes, breach_actions, created_at) VALUES (?, ?, ?, NULL, NULL, NULL, 60, 240, 2880, NULL, ?, ?, ?)');
  const insertMoment = db.prepare(`INSERT INTO moment (${COLUMNS}) VALUES (${COLUMNS.split(', ').map((c) => `@${c}`).join(', ')})`);
  const insertLedger = db.prepare('INSERT INTO ownership_change (workspace_id, id, moment_id, owner_id, team_id, reason, actor, note, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, NULL)');
  const insertTag = db.prepare('INSERT INTO moment_tag (workspace_id, moment_id, tag) VALUES (?, ?, ?)');
  const insertCustomer = db.prepare(
    "INSERT INTO customer (workspace_id, id, root_id, traits, stage, first_seen, last_seen, order_count, revenue, identified, advocate, created_at, updated_at) VALUES (?, ?, ?, ?, 'customer', ?, ?, 1, '{}', 1, 0, ?, ?)",
  );
  const insertIdentity = db.prepare("INSERT INTO identity (workspace_id, kind, value, customer_id, profile_id, created_at) VALUES (?, 'email', ?, ?, ?, ?)");

  let active = 0;
  let open = 0;
  let teamOpen = 0;
  db.transaction(() => {
    insertPolicy.run(workspaceId, policyId, 'Standard', WARN_MS / 60_000, '[]', at - DAYS * 24 * HOUR);
    teams.forEach((teamId, t) => {
      insertTeam.run(workspaceId, teamId, businessUnits[t % 2], `team-${t}`, `Team ${t}`, at - DAYS * 24 * HOUR, 'round_robin', ownerId, members[t][1]);
      for (const [i, agentId] of members[t].entries()) {
        if (agentId !== benchAgentId) insertAgent.run(workspaceId, agentId, `agent-${t}-${i}@bench.test`, `Agent ${t}.${i}`, 'agent', at - DAYS * 24 * HOUR, 'online', at, '[]', '{}');
        insertMember.run(workspaceId, teamId, agentId);
      }
    });
    // Named customers with an email each, so the inbox can name them (include=customers).
    customers.forEach((id, i) => {
      const since = at - DAYS * 24 * HOUR;
      insertCustomer.run(workspaceId, id, id, JSON.stringify({ name: `Customer ${i}`, plan: pick(['free', 'pro']) }), since, at, since, at);
      insertIdentity.run(workspaceId, `customer-${i}@example.com`, id, id, since);
    });
    // In creation order, so ids (UUIDv7) grow with time as the product would make them.
    const createdTimes = Array.from({ length: MOMENTS }, () => at - Math.floor(random() * DAYS * 24 * HOUR)).sort((a, b) => a - b);
    for (const createdAt of createdTimes) {
      const t = Math.floor(random() * TEAMS);
      const teamId = teams[t];
      const age = at - createdAt;
      // Recent moments are more likely to be still open; older ones are mostly done.
      const r = random() * (age < 3 * 24 * HOUR ? 0.6 : age < 14 * 24 * HOUR ? 1.2 : 3.3);
      const drawn = r < 0.45 ? 'open' : r < 0.52 ? 'pending' : r < 0.55 ? 'snoozed' : r < 1.6 ? 'resolved' : 'closed';
      // Resolved moments close once the reopen window (72 h by default) has passed.
      const status = drawn === 'resolved' && age > 60 * HOUR ? 'closed' : drawn;
      const isActive = status === 'open' || status === 'pending' || status === 'snoozed';
      const queued = status === 'open' && random() < 0.05;
      // A queued moment is held by the team's fallback owner: here the workspace owner.
      const owner = queued ? ownerId : pick(members[t]);
      const lastMessageAt = Math.min(at - 1000, createdAt + Math.floor(random() * (isActive ? Math.min(age, 24 * HOUR) : 2 * 24 * HOUR)));
      const tagged = tags.filter(() => random() < 0.12).sort();
      const row: Omit<Selectable<MomentTable>, 'channel_id' | 'required_skills'> = {
        workspace_id: workspaceId,
        id: uuidv7(),
        customer_id: pick(customers),
        channel: pick(channels),
        external_id: null,
        subject: pick(subjects),
        preview: 'Hello, I am writing about my order from last week and would like an update, thank you.',
        status,
        priority: pick(['low', 'normal', 'normal', 'normal', 'high', 'urgent']),
        language: 'en',
        business_unit_id: businessUnits[t % 2],
        team_id: teamId,
        owner_id: owner,
        queued_at: queued ? lastMessageAt : null,
        ...handoffColumns(isActive && random() < 0.01 ? { fromOwnerId: owner, toTeamId: pick(teams), toAgentId: null, reason: 'billing question', note: null, requestedAt: lastMessageAt, requestedBy: owner } : null),
        sla_policy_id: policyId,
        first_response_due: null,
        next_response_due: null,
        resolution_due: null,
        sla_due_at: null,
        sla_warned_at: null,
        sla_breached_at: null,
        sla_paused_at: null,
        first_response_at: createdAt + 10 * 60_000,
        awaiting_reply_since: null,
        snoozed_until: status === 'snoozed' ? at + Math.floor(random() * 72) * HOUR : null,
        resolved_at: isActive ? null : lastMessageAt,
        closed_at: status === 'closed' ? lastMessageAt + HOUR : null,
        merged_into: null,
        message_count: 2 + Math.floor(random() * 8),
        last_message_at: lastMessageAt,
        created_at: createdAt,
        updated_at: lastMessageAt,
        tags: JSON.stringify(tagged),
      };
      if (status === 'open') {
        // As the SLA sweep leaves them: a warned deadline has sla_warned_at = sla_due_at; a
        // recorded breach keeps its first time and sla_due_at moves on to the next deadline.
        const warned = (due: number) => (due - WARN_MS <= at ? due : null);
        if (random() < 0.2) {
          row.sla_breached_at = at - Math.floor(random() * 12 * HOUR);
          row.next_response_due = row.sla_breached_at;
          row.resolution_due = random() < 0.5 ? at + 1 + Math.floor(random() * 24 * HOUR) : null;
          row.sla_due_at = row.resolution_due;
          row.sla_warned_at = row.sla_due_at === null ? null : warned(row.sla_due_at);
        } else {
          row.sla_due_at = at + 1 + Math.floor(random() * 6 * HOUR);
          row.next_response_due = row.sla_due_at;
          row.sla_warned_at = warned(row.sla_due_at);
        }
        row.awaiting_reply_since = lastMessageAt;
      } else if (status === 'pending') {
        row.sla_paused_at = lastMessageAt;
      } else if (!isActive && random() < 0.1) {
        row.sla_breached_at = lastMessageAt;
      }
      insertMoment.run(row);
      insertLedger.run(workspaceId, uuidv7(), row.id, owner, teamId, queued ? 'fallback' : 'round_robin', 'system', createdAt);
      for (const tag of tagged) insertTag.run(workspaceId, row.id, tag);
      if (isActive) active += 1;
      if (status === 'open') open += 1;
      if (status === 'open' && t === 0) teamOpen += 1;
    }
  })();
  db.exec('CREATE TABLE IF NOT EXISTS bench_clock (built_at INTEGER NOT NULL)');
  db.prepare('INSERT INTO bench_clock (built_at) VALUES (?)').run(at);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { teamId: teams[0], active, open, teamOpen };
}

/**
 * SLA deadlines only mean something against the clock, and the server reads the real one: move
 * the times the sweeps act on (deadlines, warnings, breaches, pauses, snoozes, the waiting line,
 * the reopen window of resolved moments) forward by the time since the store was last moved,
 * so that the server starts on a store its sweeps have nothing to catch up on. The offset is
 * kept in the store, in the same transaction, so an interrupted run never shifts twice.
 */
function shiftToNow(store: InboxStore): { readonly seconds: number; readonly updateMs: number } {
  const started = process.hrtime.bigint();
  const db = new SQLite(path.join(store.dataDir, 'touchpoint.sqlite'));
  try {
    const now = Date.now();
    const delta = db.transaction(() => {
      const { built_at: last } = db.prepare('SELECT built_at FROM bench_clock').get() as { built_at: number };
      const delta = now - last;
      const cols = ['queued_at', 'first_response_due', 'next_response_due', 'resolution_due', 'sla_due_at', 'sla_warned_at', 'sla_breached_at', 'sla_paused_at', 'awaiting_reply_since', 'snoozed_until', 'resolved_at'];
      db.prepare(`UPDATE moment SET ${cols.map((c) => `${c} = ${c} + @delta`).join(', ')} WHERE workspace_id = @ws AND status IN ('open', 'pending', 'snoozed', 'resolved')`).run({ delta, ws: store.workspaceId });
      db.prepare('UPDATE bench_clock SET built_at = ?').run(now);
      return delta;
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { seconds: Math.round(delta / 1000), updateMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6) };
  } finally {
    db.close();
  }
}

// ---- measuring ----

async function sideRun(get: () => Promise<Reply>): Promise<number[]> {
  for (let i = 0; i < 20; i++) await get();
  const latencies: number[] = [];
  for (let i = 0; i < SIDE_REQUESTS; i++) latencies.push((await get()).ms);
  return latencies;
}

async function signIn(url: string, email: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: AGENT_PASSWORD }) });
  if (res.status !== 201) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/**
 * The API's first page, checked against the bare query run right after it: the same moments in
 * the same order (asked again if a deadline crossed the window's edge in between).
 */
async function samePage(get: () => Promise<Reply>, sqlPage: () => readonly { id: string }[]): Promise<Reply> {
  for (let attempt = 0; ; attempt++) {
    const reply = await get();
    const apiIds = (JSON.parse(reply.text) as { data: { id: string }[] }).data.map((m) => m.id);
    const sqlIds = sqlPage().slice(0, PAGE).map((r) => r.id);
    if (apiIds.length === PAGE && apiIds.join() === sqlIds.join()) return reply;
    if (attempt === 3) throw new Error(`the API and the bare query disagree: ${apiIds.length} vs ${sqlIds.length} moments, ${apiIds.filter((id, i) => id !== sqlIds[i]).length} differ`);
  }
}

/**
 * The list's SQL and nothing else, with the server's pragmas: the same columns, filters, order
 * and LIMIT 51 (one more than the page, to know whether there is a next one). The tags come
 * with the moments, as the API reads them.
 */
function bareQuery(store: InboxStore): { readonly page: () => readonly { id: string }[]; readonly pageByLiteral: () => void; readonly close: () => void } {
  const db = new SQLite(path.join(store.dataDir, 'touchpoint.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('cache_size = -65536');
  const statement = db.prepare(
    `SELECT ${COLUMNS} FROM moment WHERE workspace_id = ? AND status IN ('open') AND team_id = ? AND sla_breached_at IS NULL AND sla_due_at > ? AND sla_due_at <= ? ORDER BY last_message_at DESC, id DESC LIMIT ${PAGE + 1}`,
  );
  const page = () => {
    const now = Date.now();
    return statement.all(store.workspaceId, store.teamId, now, now + DUE_SOON_MS) as { id: string }[];
  };
  const byLiteral = rowsByLiteral(db.prepare(statement.source));
  return {
    page,
    pageByLiteral: () => {
      const now = Date.now();
      byLiteral.all([store.workspaceId, store.teamId, now, now + DUE_SOON_MS]);
    },
    close: () => db.close(),
  };
}

function stats(latencies: readonly number[]): Record<string, number> {
  return { p50Ms: round(percentile(latencies, 50), 3), p90Ms: round(percentile(latencies, 90), 3), p99Ms: round(percentile(latencies, 99), 3), maxMs: round(Math.max(...latencies), 3) };
}
