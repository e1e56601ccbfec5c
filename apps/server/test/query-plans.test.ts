import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutedQuery } from '../src/platform/db/database.ts';
import { indexInboxText, recentMomentsOf, repliesUpTo, sweepMoments, visibleMoments } from '../src/modules/moments/index.ts';
import { loadCounts } from '../src/modules/profiles/load-group.ts';
import { sweepLifecycle, type LifecycleSweepMemory } from '../src/modules/profiles/index.ts';
import { startServer, type Running } from './harness.ts';
import { addAgent, addTeam, open, setPresence } from './moments-fixtures.ts';

/**
 * SQLite plans without statistics (see platform/db/unindexed.ts): a query that lets it walk an
 * index through every row of a workspace passes every test on a small store, then takes 100 ms
 * on a store of 200,000 moments. These scenarios record the queries the server runs for one
 * customer, one agent or one moment, and check with EXPLAIN QUERY PLAN that SQLite reaches
 * each one's rows of the big tables by an index narrower than the workspace. SQLite only:
 * PostgreSQL plans by the statistics it keeps.
 */

/** Tables that grow with the business: walking one of them per request is linear in its size. */
const GROWING = new Set(['moment', 'message', 'attachment', 'identity', 'customer', 'merge', 'event', 'ownership_change', 'moment_tag', 'moment_activity', 'identity_conflict', 'stage_change', 'customer_text_key', 'inbox_text_key']);

/**
 * Walks that are the point, each with why: they stop after a page or read one end of an index,
 * whatever the store's size. Each names the query and the step of its plan it allows.
 */
const WALKS_BY_DESIGN: readonly { readonly sql: RegExp; readonly step: RegExp; readonly why: string }[] = [
  { sql: /^select (max\("seq"\) as "seq"|"seq") from "moment_activity" where "workspace_id" = \?( order by "seq" desc limit \?)?$/, step: /^SEARCH moment_activity /, why: 'the newest entry: one end of the primary key' },
  {
    sql: /^select \* from "customer" where .* like .* order by "last_seen" desc, "id" desc limit \?$/,
    step: /^SEARCH customer USING INDEX customer_by_last_seen \(workspace_id=\?\)$/,
    why: 'text in traits has no index: customers are read by recency until a page matches',
  },
];

let s: Running;
let recording: ExecutedQuery[] | null = null;

beforeAll(async () => {
  s = await startServer('sqlite', { onQuery: (query) => recording?.push(query) });
});
afterAll(async () => {
  await s?.stop();
});

/** The queries `work` ran on the server's connection. */
async function queriesOf(work: () => Promise<unknown>): Promise<ExecutedQuery[]> {
  recording = [];
  try {
    await work();
    return recording;
  } finally {
    recording = null;
  }
}

/** The steps of each query's plan, as EXPLAIN QUERY PLAN gives them with its parameters. */
function plansOf(queries: readonly ExecutedQuery[]): { sql: string; steps: string[] }[] {
  const reader = new SQLite(path.join(s.store.config.dataDir, 'touchpoint.sqlite'), { readonly: true });
  reader.function('unicode_lower', (text: unknown) => text);
  try {
    return [...new Map(queries.map((q) => [q.sql, q])).values()]
      .filter((q) => /^\s*(select|update|delete|with)\b/i.test(q.sql))
      .map((q) => ({ sql: q.sql, steps: (reader.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])) as { detail: string }[]).map((p) => p.detail) }));
  } finally {
    reader.close();
  }
}

/** Each query's plan steps that walk a growing table across the workspace (or across all of it). */
function walksIn(queries: readonly ExecutedQuery[]): { sql: string; walks: string[] }[] {
  return plansOf(queries)
    .map(({ sql, steps }) => {
      const allowed = WALKS_BY_DESIGN.filter((w) => w.sql.test(sql));
      return { sql, walks: steps.filter((step) => walksTable(step, aliasesIn(sql)) && !allowed.some((w) => w.step.test(step))) };
    })
    .filter((q) => q.walks.length > 0);
}

function walksTable(step: string, aliases: ReadonlyMap<string, string>): boolean {
  // Plans name a table by its alias in the query (`"identity" as "i"` is `i`).
  const growing = (name: string) => GROWING.has(aliases.get(name) ?? name);
  const scan = /^SCAN (\w+)/.exec(step);
  if (scan) return growing(scan[1]);
  // By workspace alone, or (for moments) by workspace and status: every open moment is no narrower.
  const search = /^SEARCH (\w+) USING (?:COVERING )?INDEX \S+ \(workspace_id=\?( AND status=\?)?\)$/.exec(step);
  return search !== null && growing(search[1]);
}

/** alias → table, from the query's `"table" as "alias"`. */
function aliasesIn(sql: string): Map<string, string> {
  return new Map([...sql.matchAll(/"(\w+)" as "(\w+)"/g)].map((m) => [m[2], m[1]]));
}

async function expectNarrow(work: () => Promise<unknown>): Promise<void> {
  const queries = await queriesOf(work);
  expect(queries.length).toBeGreaterThan(0);
  expect(walksIn(queries)).toEqual([]);
}

describe('SQLite finds one customer’s, agent’s or moment’s rows without walking the workspace', () => {
  it('a customer’s moments: continuing one, and the list in every order', async () => {
    await open(s, { identity: 'email:plans-ann@example.com', channel: 'email', subject: 'Order 1' });
    const first = (await open(s, { identity: 'email:plans-ann@example.com', channel: 'chat' })).body.moment;
    await expectNarrow(async () => {
      expect((await open(s, { identity: 'email:plans-ann@example.com', channel: 'chat', message: { body: 'me again' } })).body.moment.id).toBe(first.id);
      for (const sort of ['recent', 'oldest', 'created', 'sla', 'priority']) {
        const page = await s.api('GET', `/api/v1/moments?customer=${first.customerId}&sort=${sort}`);
        expect(page.status).toBe(200);
        expect(page.body.data).toHaveLength(2);
      }
    });
  });

  it('a repeated provider message or conversation id is sought by its channel’s unique index, to the id', async () => {
    const input = { identity: 'email:plans-eve@example.com', channel: 'email', externalId: 'plans-thread', message: { body: 'hello', externalId: 'plans-message' } };
    await open(s, input);
    const lookups = plansOf(await queriesOf(() => open(s, input))).filter((q) => /"external_id" = \?/.test(q.sql));
    expect(lookups.map((q) => q.steps)).toEqual([[expect.stringMatching(/^SEARCH message USING INDEX message_external \(workspace_id=\? AND channel=\? AND <expr>=\? AND external_id=\?\)$/)]]);
    const thread = plansOf(await queriesOf(() => open(s, { ...input, message: { body: 'again', externalId: 'plans-message-2' } }))).filter((q) => /^select .* from "moment" .*"external_id" = \?/.test(q.sql));
    expect(thread.map((q) => q.steps)).toEqual([[expect.stringMatching(/^SEARCH moment USING INDEX moment_external \(workspace_id=\? AND channel=\? AND <expr>=\? AND external_id=\?\)$/)]]);
  });

  it('the chat’s and the email channel’s lookups of a customer’s moments', async () => {
    const moment = (await open(s, { identity: 'email:plans-bo@example.com', channel: 'chat' })).body.moment;
    const ws = s.workspace.workspaceId;
    await expectNarrow(async () => {
      const visible = await visibleMoments({ db: s.tp.deps.db, workspaceId: ws, channel: 'chat' }, [moment.customerId], ['plans-bo@example.com']);
      expect(visible).toBeInstanceOf(Map);
      await recentMomentsOf(s.tp.deps.db, { workspaceId: ws, channelId: 'no-such-channel', customerRoot: moment.customerId, limit: 5 });
      await repliesUpTo(s.tp.deps.db, { workspaceId: ws, channel: 'messenger', address: 'psid-1', states: ['sent', 'delivered'], until: Date.now(), limit: 100 });
    });
  });

  it('an agent going offline, and leaving a team, hands on their moments', async () => {
    const [a, b] = [await addAgent(s), await addAgent(s)];
    const team = await addTeam(s, [a, b], { strategy: 'round_robin' });
    await s.api('POST', '/api/v1/assignment-rules', { name: 'plans', teamId: team, conditions: { channel: ['sms'] } });
    for (let i = 0; i < 4; i++) await open(s, { identity: `email:plans-${i}@example.com`, channel: 'sms' });
    await expectNarrow(() => setPresence(s, a, 'offline'));
    await setPresence(s, a, 'online');
    await expectNarrow(() => s.api('PUT', `/api/v1/teams/${team}/members`, { agentIds: [b.id] }));
  });

  it('a moment’s messages with their files, and merging a duplicate into it', async () => {
    const file = { fileName: 'receipt.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4').toString('base64') };
    const kept = (await open(s, { identity: 'email:plans-cy@example.com', channel: 'email', externalId: 'plans-a', message: { body: 'receipt', attachments: [file] } })).body.moment;
    const duplicate = (await open(s, { identity: 'email:plans-cy@example.com', channel: 'sms', externalId: 'plans-b', message: { body: 'again', attachments: [file] } })).body.moment;
    await expectNarrow(async () => {
      expect((await s.api('GET', `/api/v1/moments/${kept.id}/messages`)).body.data[0].attachments).toHaveLength(1);
      const merged = await s.api('POST', `/api/v1/moments/${kept.id}/merge`, { duplicateId: duplicate.id });
      expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    });
  });

  it('a customer search by email or phone seeks the identity', async () => {
    const ann = (await open(s, { identity: 'email:plans-search@example.com', channel: 'chat' })).body.moment.customerId;
    await expectNarrow(async () => {
      expect((await s.api('GET', '/api/v1/customers?q=Plans-Search@example.com')).body.data.map((c: { id: string }) => c.id)).toContain(ann);
    });
  });

  it('a customer search for a word few customers have reads the text index, then those customers', async () => {
    const res = await s.track('/v1/identify', { messageId: 'plans-text', userId: 'plans-text', traits: { name: 'Philippa Quenby', city: 'Zürich' } });
    expect(res.status).toBe(200);
    await expectNarrow(async () => {
      for (const q of ['quenby', 'ZÜRICH', 'nobody-has-this']) {
        const page = await s.api('GET', `/api/v1/customers?q=${encodeURIComponent(q)}`);
        expect(page.body.data.map((c: { name: string }) => c.name)).toEqual(q === 'nobody-has-this' ? [] : ['Philippa Quenby']);
      }
    });
  });

  it('a customer list by a trait value few customers have reads the text index, then those customers', async () => {
    expect((await s.track('/v1/identify', { messageId: 'plans-trait', userId: 'plans-trait', traits: { name: 'Rhoswen Trait', plan: 'plans-enterprise', seats: 7, quota: 1000, tags: ['plans-vip', 'plans-beta', 12] } })).status).toBe(200);
    await expectNarrow(async () => {
      // A number however it is written, and an array's later elements, are sought in the index too.
      for (const query of ['trait.plan=plans-enterprise', 'trait.seats=7&trait.plan=plans-enterprise', 'trait.seats=7.0', 'trait.quota=1e3', 'trait.tags=plans-beta', 'trait.tags=1.2e1', 'trait.plan=nobody-has-this']) {
        const page = await s.api('GET', `/api/v1/customers?${query}`);
        expect(page.body.data.map((c: { name: string }) => c.name)).toEqual(query.includes('nobody') ? [] : ['Rhoswen Trait']);
      }
    });
  });

  it('an inbox search for a word few conversations hold reads the text index and what was written since', async () => {
    const moment = (await open(s, { identity: 'email:plans-inbox@example.com', channel: 'email', subject: 'Plans: the quokka question', message: { body: 'where is my quokka?' } })).body.moment;
    const search = async (q: string) => (await s.api('GET', `/api/v1/moments?q=${encodeURIComponent(q)}&sort=sla`)).body.data.map((m: { id: string }) => m.id);
    await expectNarrow(async () => {
      expect(await search('QUOKKA')).toEqual([moment.id]);
      while (await indexInboxText(s.tp.deps.db));
      expect(await search('quokka question')).toEqual([moment.id]);
      expect(await search('nobody-wrote-this')).toEqual([]);
    });
  });

  it('a customer list by stage seeks the stage, whatever the stage', async () => {
    await expectNarrow(async () => {
      for (const stage of ['visitor', 'lead', 'customer', 'advocate', 'at_risk']) {
        const first = await s.api('GET', `/api/v1/customers?stage=${stage}&limit=2`);
        expect(first.status).toBe(200);
        if (first.body.nextCursor) expect((await s.api('GET', `/api/v1/customers?stage=${stage}&limit=2&cursor=${first.body.nextCursor}`)).status).toBe(200);
      }
    });
  });

  it('a profile with its merge history, and the identity counts that guard a merge', async () => {
    const ann = (await open(s, { identity: 'email:plans-dee@example.com', channel: 'chat' })).body.moment.customerId;
    const bob = (await open(s, { identity: 'phone:+14155550100', channel: 'sms' })).body.moment.customerId;
    expect((await s.api('POST', '/api/v1/customers/merge', { ids: [ann, bob], reason: 'same person' })).status).toBe(200);
    await expectNarrow(async () => {
      expect((await s.api('GET', `/api/v1/customers/${ann}`)).body.merges.length).toBeGreaterThan(0);
      await s.tp.deps.db.transaction().execute((tx) => loadCounts(tx, s.workspace.workspaceId, [ann, bob], new Map()));
    });
  });

  it('a lifecycle sweep after a sweep reads two short ranges of silence, not every silent buyer', async () => {
    const memory: LifecycleSweepMemory = new Map();
    await sweepLifecycle(s.tp.deps, s.tp.settings, memory);
    const queries = (await queriesOf(() => sweepLifecycle(s.tp.deps, s.tp.settings, memory))).filter((q) => /^select .* from "customer" /.test(q.sql));
    expect(queries).toHaveLength(1);
    expect(plansOf(queries)[0].steps.join(' | ')).toMatch(/customer_by_last_seen \(workspace_id=\? AND last_seen>\? AND last_seen<\?\)/);
  });

  it('a first lifecycle sweep reads silent buyers a page at a time by primary key, sorting nothing', async () => {
    const queries = (await queriesOf(() => sweepLifecycle(s.tp.deps, s.tp.settings, new Map()))).filter((q) => /^select .* from "customer" /.test(q.sql));
    expect(queries.length).toBeGreaterThan(0);
    for (const plan of plansOf(queries)) expect(plan.steps).toEqual(['SEARCH customer USING INDEX sqlite_autoindex_customer_1 (workspace_id=? AND id>?)']);
  });

  it('the sweep that closes resolved moments reads only resolved ones', async () => {
    await expectNarrow(() => sweepMoments({ deps: s.tp.deps, settings: s.tp.settings, publish: () => undefined }));
  });
});
