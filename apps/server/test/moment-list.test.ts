import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/platform/db/database.ts';
import type { Selectable } from 'kysely';
import type { MomentTable } from '../src/platform/db/tables.ts';
import { fixedClock } from '../src/platform/clock.ts';
import { uuidv7 } from '../src/platform/ids.ts';
import { seededRandom } from '../src/platform/seeded-random.ts';
import { createWorkspace, type CreatedWorkspace } from '../src/modules/workspaces/index.ts';
import { indexInboxText } from '../src/modules/moments/index.ts';
import { ENGINES, expectError, startServer, type Running } from './harness.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const MIN = 60_000;
const PASSWORD = 'correct horse battery';
const ACTIVE = ['open', 'pending', 'snoozed'];
const ALL_STATUSES = ['open', 'pending', 'snoozed', 'resolved', 'closed'];
const PRIORITIES = ['urgent', 'high', 'normal', 'low'];

/** The stored columns a seed sets (those optional on insert keep their defaults). */
type MomentSeed = Omit<Selectable<MomentTable>, 'channel_id' | 'required_skills' | 'tags'>;
/** A seeded moment as the test knows it: the row, its tags and its message bodies. */
type Seeded = MomentSeed & { readonly tags: readonly string[]; readonly bodies: readonly string[] };

type Cast = {
  readonly workspaceId: string;
  readonly ownerId: string;
  readonly teams: readonly string[];
  readonly members: Readonly<Record<string, readonly string[]>>;
  readonly agents: readonly string[];
  readonly policyId: string;
};

const SUBJECTS = ['Refund for order 1000', 'REFUND please', 'Where is my parcel?', 'Billing_issue on invoice', 'billing issue again', 'Discount 100% off?', 'Cannot log in', 'Path C:\\temp broken', 'Hello', 'Ärger mit der Lieferung'];
const BODIES = ['I would like a refund', 'Still waiting', 'voucher 50% off', 'order 1000 arrived broken', 'thanks!', 'my_account is locked', 'Please call me', 'Grüße, JÜRGEN MÜLLER'];
const TAGS = ['vip', 'billing', 'bug', 'returns'];

/** 300 moments (or `count`) across teams, owners, channels, statuses, SLA states, hand-offs and tags, with ties in every sort key. */
function makeMoments(cast: Cast, count: number, seed: number): Seeded[] {
  const random = seededRandom(seed);
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const customers = Array.from({ length: 15 }, (_, i) => `cust-${i}`);
  return Array.from({ length: count }, () => {
    const r = random();
    const status = r < 0.35 ? 'open' : r < 0.5 ? 'pending' : r < 0.6 ? 'snoozed' : r < 0.85 ? 'resolved' : 'closed';
    const teamId = random() < 0.1 ? null : pick(cast.teams);
    const queued = status === 'open' && teamId !== null && random() < 0.2;
    const ownerId = queued ? cast.ownerId : teamId === null ? pick([cast.ownerId, ...cast.agents]) : pick(cast.members[teamId]);
    // Whole minutes over a short span: many moments share a sort key, so the id must break ties.
    const lastMessageAt = NOW - Math.floor(random() * 120) * MIN;
    const createdAt = lastMessageAt - Math.floor(random() * 60) * MIN;
    const sla = slaOf(random, status, cast.policyId);
    const active = ACTIVE.includes(status);
    const handoffTo = active && random() < 0.12 ? (random() < 0.5 ? { toTeamId: pick(cast.teams), toAgentId: null } : { toTeamId: null, toAgentId: pick(cast.agents) }) : null;
    const tags = TAGS.filter(() => random() < 0.3);
    const bodies = Array.from({ length: Math.floor(random() * 3) }, () => pick(BODIES));
    return {
      workspace_id: cast.workspaceId,
      id: uuidv7(),
      customer_id: pick(customers),
      channel: pick(['email', 'chat', 'whatsapp', 'sms']),
      external_id: null,
      subject: pick(SUBJECTS),
      preview: bodies.at(-1) ?? '',
      status,
      priority: pick(PRIORITIES),
      language: null,
      business_unit_id: pick(['bu-a', 'bu-b', null]),
      team_id: teamId,
      owner_id: ownerId,
      queued_at: queued ? NOW - Math.floor(random() * 30) * MIN : null,
      handoff: handoffTo
        ? JSON.stringify({ fromOwnerId: ownerId, ...handoffTo, reason: 'needs billing', note: null, requestedAt: NOW - MIN, requestedBy: ownerId })
        : null,
      handoff_agent_id: handoffTo?.toAgentId ?? null,
      handoff_team_id: handoffTo?.toTeamId ?? null,
      ...sla,
      first_response_at: null,
      awaiting_reply_since: null,
      snoozed_until: status === 'snoozed' ? NOW + 60 * MIN : null,
      resolved_at: status === 'resolved' || status === 'closed' ? lastMessageAt : null,
      closed_at: status === 'closed' ? lastMessageAt : null,
      merged_into: null,
      message_count: bodies.length,
      last_message_at: lastMessageAt,
      created_at: createdAt,
      updated_at: lastMessageAt,
      tags,
      bodies,
    };
  });
}

type SlaColumns = Pick<MomentSeed, 'sla_policy_id' | 'first_response_due' | 'next_response_due' | 'resolution_due' | 'sla_due_at' | 'sla_warned_at' | 'sla_breached_at' | 'sla_paused_at'>;

/** Every SLA state, consistent with the rules (no deadline runs while paused, met or finished), boundaries included. */
function slaOf(random: () => number, status: string, policyId: string): SlaColumns {
  const none: SlaColumns = { sla_policy_id: null, first_response_due: null, next_response_due: null, resolution_due: null, sla_due_at: null, sla_warned_at: null, sla_breached_at: null, sla_paused_at: null };
  const due = (at: number, breachedAt: number | null = null): SlaColumns => ({ ...none, sla_policy_id: policyId, first_response_due: at, sla_due_at: at, sla_breached_at: breachedAt });
  const r = random();
  if (status === 'resolved' || status === 'closed') return r < 0.3 ? { ...none, sla_policy_id: policyId, sla_breached_at: NOW - 90 * MIN } : r < 0.6 ? { ...none, sla_policy_id: policyId } : none;
  if (status === 'pending') return r < 0.5 ? { ...none, sla_policy_id: policyId, sla_paused_at: NOW - 10 * MIN } : r < 0.7 ? { ...none, sla_policy_id: policyId, sla_paused_at: NOW - 10 * MIN, sla_breached_at: NOW - 30 * MIN } : none;
  if (r < 0.15) return none;
  if (r < 0.2) return { ...none, sla_policy_id: policyId }; // met
  if (r < 0.25) return due(NOW + 30 * MIN); // the last instant that counts as due soon
  if (r < 0.28) return due(NOW); // due this very instant: breached
  if (r < 0.45) return due(NOW + (1 + Math.floor(random() * 29)) * MIN); // due soon
  if (r < 0.65) return due(NOW + (31 + Math.floor(random() * 600)) * MIN); // running
  if (r < 0.8) return due(NOW - Math.floor(random() * 120) * MIN, NOW - 5 * MIN); // overdue and recorded
  return due(NOW + Math.floor(random() * 120) * MIN, NOW - 60 * MIN); // breached earlier, next deadline ahead
}

/** Inserts moments as the product stores them: the customer, the row, one current ledger row, tags and messages. */
async function seedMoments(db: Db, moments: readonly Seeded[]): Promise<void> {
  const people = [...new Map(moments.map((m) => [`${m.workspace_id} ${m.customer_id}`, m])).values()];
  const existing = new Set((await db.selectFrom('customer').select(['workspace_id', 'id']).execute()).map((c) => `${c.workspace_id} ${c.id}`));
  const fresh = people.filter((m) => !existing.has(`${m.workspace_id} ${m.customer_id}`));
  if (fresh.length > 0) {
    await db
      .insertInto('customer')
      .values(fresh.map((m) => ({ workspace_id: m.workspace_id, id: m.customer_id, root_id: m.customer_id, merged_into: null, traits: '{}', stage: 'lead', stage_override: null, stage_override_reason: null, first_seen: 0, last_seen: 0, order_count: 0, revenue: '{}', identified: 1, advocate: 0, created_at: 0, updated_at: 0 })))
      .execute();
  }
  for (let i = 0; i < moments.length; i += 100) {
    const chunk = moments.slice(i, i + 100);
    await db.insertInto('moment').values(chunk.map(({ tags, bodies: _bodies, ...row }) => ({ ...row, tags: JSON.stringify([...tags].sort()) }))).execute();
    await db
      .insertInto('ownership_change')
      .values(chunk.map((m) => ({ workspace_id: m.workspace_id, id: uuidv7(), moment_id: m.id, owner_id: m.owner_id, team_id: m.team_id, reason: m.queued_at ? 'fallback' : 'round_robin', actor: 'system', note: null, started_at: m.created_at, ended_at: null })))
      .execute();
    const tags = chunk.flatMap((m) => m.tags.map((tag) => ({ workspace_id: m.workspace_id, moment_id: m.id, tag })));
    if (tags.length > 0) await db.insertInto('moment_tag').values(tags).execute();
    const messages = chunk.flatMap((m) =>
      m.bodies.map((body, n) => ({ workspace_id: m.workspace_id, id: uuidv7(), moment_id: m.id, channel: m.channel, direction: 'in', author_kind: 'customer', author_id: null, body, mentions: '[]', external_id: null, delivery: 'received', delivery_error: null, created_at: m.created_at + n })),
    );
    if (messages.length > 0) await db.insertInto('message').values(messages).execute();
  }
}

async function seedPolicy(db: Db, workspaceId: string): Promise<string> {
  const id = uuidv7();
  await db
    .insertInto('sla_policy')
    .values({ workspace_id: workspaceId, id, name: 'Standard', priority: null, channel: null, business_unit_id: null, first_response_minutes: 60, next_response_minutes: null, resolution_minutes: null, business_hours_id: null, warn_before_minutes: 0, breach_actions: '[]', created_at: NOW - 86_400_000 })
    .execute();
  return id;
}

// ---- what the API should answer, computed over the seeded data ----

type Who = { readonly seesAll: boolean; readonly agentId: string | null; readonly teams: readonly string[] };

function handoffOf(m: Seeded): { toTeamId: string | null; toAgentId: string | null } | null {
  return m.handoff === null ? null : (JSON.parse(m.handoff) as { toTeamId: string | null; toAgentId: string | null });
}

function visible(m: Seeded, who: Who): boolean {
  if (who.seesAll) return true;
  const h = handoffOf(m);
  return m.owner_id === who.agentId || (m.team_id !== null && who.teams.includes(m.team_id)) || (h !== null && (h.toAgentId === who.agentId || (h.toTeamId !== null && who.teams.includes(h.toTeamId))));
}

/** A hand-off waiting for this caller's answer: to them, or to one of their teams with no person named, and not their own. */
function awaitsAnswer(m: Seeded, who: Who): boolean {
  const h = handoffOf(m);
  return h !== null && who.agentId !== null && m.owner_id !== who.agentId && (h.toAgentId === who.agentId || (h.toAgentId === null && h.toTeamId !== null && who.teams.includes(h.toTeamId)));
}

const breached = (m: Seeded, now: number) => m.sla_breached_at !== null || (m.sla_due_at !== null && m.sla_due_at <= now);
const dueSoon = (m: Seeded, now: number, soonMs: number) => m.sla_breached_at === null && m.sla_due_at !== null && m.sla_due_at > now && m.sla_due_at <= now + soonMs;

function matches(m: Seeded, params: Readonly<Record<string, string>>, now: number, soonMs: number): boolean {
  const statuses = params.status?.split(',') ?? ACTIVE;
  if (!statuses.includes(m.status)) return false;
  if (params.owner && m.owner_id !== params.owner) return false;
  if (params.team && m.team_id !== params.team) return false;
  if (params.channel && m.channel !== params.channel) return false;
  if (params.businessUnit && m.business_unit_id !== params.businessUnit) return false;
  if (params.priority && !params.priority.split(',').includes(m.priority)) return false;
  if (params.customer && m.customer_id !== params.customer) return false;
  if (params.tag && !m.tags.includes(params.tag)) return false;
  if (params.queued && (m.queued_at !== null) !== (params.queued === 'true')) return false;
  if (params.sla === 'breached' && !breached(m, now)) return false;
  if (params.sla === 'due_soon' && !dueSoon(m, now, soonMs)) return false;
  if (params.q) {
    const q = params.q.trim().toLowerCase();
    if (q && ![m.subject, m.preview, ...m.bodies].some((text) => text.toLowerCase().includes(q))) return false;
  }
  return true;
}

const rank = (p: string) => PRIORITIES.indexOf(p);
const byId = (a: Seeded, b: Seeded) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const COMPARE: Readonly<Record<string, (a: Seeded, b: Seeded) => number>> = {
  recent: (a, b) => b.last_message_at - a.last_message_at || byId(b, a),
  oldest: (a, b) => a.last_message_at - b.last_message_at || byId(a, b),
  created: (a, b) => b.created_at - a.created_at || byId(b, a),
  sla: (a, b) => (a.sla_due_at === null ? 1 : 0) - (b.sla_due_at === null ? 1 : 0) || (a.sla_due_at ?? 0) - (b.sla_due_at ?? 0) || byId(a, b),
  priority: (a, b) => rank(a.priority) - rank(b.priority) || b.last_message_at - a.last_message_at || byId(b, a),
};

function expected(all: readonly Seeded[], who: Who, params: Readonly<Record<string, string>>, now = NOW, soonMs = 30 * MIN): string[] {
  return all
    .filter((m) => visible(m, who) && matches(m, params, now, soonMs))
    .sort(COMPARE[params.sort ?? 'recent'])
    .map((m) => m.id);
}

describe.each(ENGINES)('moment lists on %s', (engine) => {
  let s: Running;
  const clock = fixedClock(NOW);
  let cast: Cast;
  let moments: Seeded[];
  let other: CreatedWorkspace;
  let otherMoments: Seeded[];
  /** Agents' session tokens by agent id. */
  const tokens = new Map<string, string>();
  let admin: Who;
  const apiKey: Who = { seesAll: true, agentId: null, teams: [] };

  const list = (query: string, key?: string) => s.api('GET', `/api/v1/moments${query ? `?${query}` : ''}`, undefined, key);

  /** Follows nextCursor to the end; checks no page is over the limit and nothing comes twice. */
  async function pageAll(params: Readonly<Record<string, string>>, key?: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 500; pages++) {
      const query = new URLSearchParams({ ...params, ...(cursor ? { cursor } : {}) }).toString();
      const res = await list(query, key);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(Number(params.limit ?? 50));
      ids.push(...res.body.data.map((m: { id: string }) => m.id));
      cursor = res.body.nextCursor;
      if (cursor === null) break;
      expect(res.body.data.length).toBe(Number(params.limit ?? 50));
    }
    expect(new Set(ids).size).toBe(ids.length);
    return ids;
  }

  beforeAll(async () => {
    s = await startServer(engine, { clock });
    const { db } = s.tp.deps;
    const agents: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await s.api('POST', '/api/v1/agents', { email: `agent${i}@acme.test`, name: `Agent ${i}`, role: 'agent', password: PASSWORD });
      expect(res.status).toBe(201);
      agents.push(res.body.id);
    }
    // Agent 2 is in two teams; the workspace owner (an admin by role) is a member of the second.
    const membership = [[agents[0], agents[1], agents[2]], [agents[2], agents[3], s.workspace.ownerId], [agents[4], agents[5]]];
    const teams: string[] = [];
    for (const [i, agentIds] of membership.entries()) {
      const res = await s.api('POST', '/api/v1/teams', { key: `team-${i}`, name: `Team ${i}`, agentIds });
      expect(res.status).toBe(201);
      teams.push(res.body.id);
    }
    const members = Object.fromEntries(teams.map((t, i) => [t, membership[i].filter((a) => a !== s.workspace.ownerId)]));
    cast = { workspaceId: s.workspace.workspaceId, ownerId: s.workspace.ownerId, teams, members, agents, policyId: await seedPolicy(db, s.workspace.workspaceId) };
    moments = makeMoments(cast, 300, 11);
    await seedMoments(db, moments);
    for (const [i, id] of agents.slice(0, 3).entries()) {
      const res = await s.api('POST', '/api/v1/sessions', { email: `agent${i}@acme.test`, password: PASSWORD });
      expect(res.status).toBe(201);
      tokens.set(id, res.body.token);
    }
    const owner = await s.api('POST', '/api/v1/sessions', { email: 'owner@acme.test', password: PASSWORD });
    tokens.set(s.workspace.ownerId, owner.body.token);
    admin = { seesAll: true, agentId: s.workspace.ownerId, teams: [teams[1]] };

    // A second workspace whose moments use the first one's team, agent and customer ids: nothing may cross.
    other = await createWorkspace(s.tp.deps, { name: 'Other', ownerEmail: 'owner@other.test', ownerPassword: PASSWORD });
    otherMoments = makeMoments({ ...cast, workspaceId: other.workspaceId, policyId: await seedPolicy(db, other.workspaceId) }, 40, 12);
    await seedMoments(db, otherMoments);
  });
  afterAll(async () => s?.stop());

  const agentWho = (i: number): Who => {
    const id = cast.agents[i];
    return { seesAll: false, agentId: id, teams: cast.teams.filter((t) => cast.members[t].includes(id)) };
  };

  it('seeds a mix that exercises every filter', () => {
    const active = moments.filter((m) => ACTIVE.includes(m.status));
    expect(active.length).toBeGreaterThan(120);
    expect(active.filter((m) => breached(m, NOW)).length).toBeGreaterThan(10);
    expect(active.filter((m) => dueSoon(m, NOW, 30 * MIN)).length).toBeGreaterThan(10);
    expect(active.filter((m) => m.sla_due_at === NOW + 30 * MIN).length).toBeGreaterThan(0);
    expect(active.filter((m) => m.sla_due_at === NOW).length).toBeGreaterThan(0);
    expect(active.filter((m) => m.queued_at !== null).length).toBeGreaterThan(5);
    expect(active.filter((m) => m.handoff !== null).length).toBeGreaterThan(5);
  });

  it('lists active moments, latest message first, 50 a page by default, with the view and its tags', async () => {
    const res = await list('');
    expect(res.status).toBe(200);
    const want = expected(moments, apiKey, {});
    expect(res.body.data.map((m: { id: string }) => m.id)).toEqual(want.slice(0, 50));
    expect(res.body.nextCursor).toEqual(expect.any(String));
    const first = res.body.data[0];
    const seeded = moments.find((m) => m.id === first.id)!;
    expect(first).toMatchObject({ id: seeded.id, status: seeded.status, ownerId: seeded.owner_id, teamId: seeded.team_id, tags: [...seeded.tags].sort(), lastMessageAt: new Date(seeded.last_message_at).toISOString() });
  });

  const FILTERS: readonly Record<string, string>[] = [
    { status: 'open' },
    { status: 'resolved,closed' },
    { status: ALL_STATUSES.join(',') },
    { channel: 'chat' },
    { businessUnit: 'bu-a' },
    { priority: 'urgent' },
    { priority: 'urgent,high' },
    { sla: 'breached' },
    { sla: 'due_soon' },
    { customer: 'cust-3' },
    { tag: 'vip' },
    { tag: 'nobody-uses-this' },
    { q: 'refund' },
    { q: '  REFUND ' },
    { q: '100%' },
    { q: 'billing_' },
    { q: 'my_a' },
    { q: 'c:\\t' },
    { q: '50% OFF' },
    // Beyond ASCII: SQLite's own lower() would leave Ä and Ü as they are.
    { q: 'ärger' },
    { q: 'ÄRGER MIT' },
    { q: 'jürgen müller' },
    { queued: 'true' },
    { queued: 'false' },
    { status: 'open', sla: 'due_soon', channel: 'email' },
    { priority: 'high,urgent', q: 'order', status: 'open,pending' },
  ];

  it.each(FILTERS)('filters %o exactly as the rule says', async (params) => {
    const ids = await pageAll({ ...params, limit: '200' });
    expect(ids).toEqual(expected(moments, apiKey, params));
  });

  it('finds text beyond ASCII whatever its case, in subjects and message bodies', async () => {
    for (const q of ['ärger', 'ÄRGER MIT', 'jürgen müller']) {
      const params = { q, status: ALL_STATUSES.join(','), limit: '200' };
      const ids = await pageAll(params);
      expect(ids.length, q).toBeGreaterThan(0);
      expect(ids, q).toEqual(expected(moments, apiKey, params));
    }
  });

  it('finds the same texts once the inbox index holds them, and those written since, in every order', async () => {
    // On SQLite the ingest thread indexes new texts every second; here, all of them at once.
    if (engine === 'sqlite') while (await indexInboxText(s.tp.deps.db));
    for (const params of FILTERS.filter((f) => f.q !== undefined)) {
      for (const sort of ['recent', 'oldest', 'created', 'sla', 'priority']) {
        const all = { ...params, sort, status: ALL_STATUSES.join(','), limit: '7' };
        expect(await pageAll(all), JSON.stringify(all)).toEqual(expected(moments, apiKey, all));
      }
    }
    // A message written after the last indexing is found too (read as it is until indexed).
    const target = moments.find((m) => m.status === 'open')!;
    await s.tp.deps.db.insertInto('message').values({ workspace_id: target.workspace_id, id: uuidv7(), moment_id: target.id, channel: target.channel, direction: 'in', author_kind: 'customer', author_id: null, body: 'a Zebracorn sighting', mentions: '[]', external_id: null, delivery: 'received', delivery_error: null, created_at: NOW }).execute();
    expect((await list('q=ZEBRACORN')).body.data.map((m: { id: string }) => m.id)).toEqual([target.id]);
    if (engine === 'sqlite') while (await indexInboxText(s.tp.deps.db));
    expect((await list('q=zebracorn')).body.data.map((m: { id: string }) => m.id)).toEqual([target.id]);
  });

  it('filters by owner, team and their combination with other filters', async () => {
    const [t0, t1] = cast.teams;
    const a2 = cast.agents[2];
    const cases: Record<string, string>[] = [{ owner: a2 }, { owner: cast.ownerId }, { team: t1 }, { team: t0, status: 'open', sla: 'due_soon' }, { owner: a2, tag: 'billing', sort: 'sla' }, { team: t0, queued: 'true', sort: 'oldest' }];
    for (const params of cases) {
      expect(await pageAll({ ...params, limit: '200' }), JSON.stringify(params)).toEqual(expected(moments, apiKey, params));
    }
  });

  it.each(['recent', 'oldest', 'created', 'sla', 'priority'])('pages through everything once, in order, sorted by %s', async (sort) => {
    const params = { sort, status: ALL_STATUSES.join(','), limit: '7' };
    const ids = await pageAll(params);
    expect(ids).toHaveLength(moments.length);
    expect(ids).toEqual(expected(moments, apiKey, params));
  });

  it('pages a filtered list with a cursor as well', async () => {
    const params = { sort: 'sla', sla: 'breached', status: ALL_STATUSES.join(','), limit: '4' };
    expect(await pageAll(params)).toEqual(expected(moments, apiKey, params));
    const byPriority = { sort: 'priority', team: cast.teams[2], limit: '3' };
    expect(await pageAll(byPriority)).toEqual(expected(moments, apiKey, byPriority));
  });

  it('shows an agent their teams\' moments, their own, and hand-offs addressed to them or their teams', async () => {
    for (const i of [0, 1, 2]) {
      const who = agentWho(i);
      const token = tokens.get(who.agentId!)!;
      const mine = await pageAll({ status: ALL_STATUSES.join(','), limit: '200' }, token);
      expect(mine).toEqual(expected(moments, who, { status: ALL_STATUSES.join(',') }));
      // Seen only through a hand-off: not their team's, not theirs.
      const viaHandoff = moments.filter((m) => visible(m, who) && m.owner_id !== who.agentId && (m.team_id === null || !who.teams.includes(m.team_id)));
      for (const m of viaHandoff) expect(mine).toContain(m.id);
      expect(await pageAll({ owner: 'me', limit: '200' }, token)).toEqual(expected(moments, who, { owner: who.agentId! }));
      expect(await pageAll({ handoff: 'me', limit: '3' }, token)).toEqual(expected(moments, who, {}).filter((id) => awaitsAnswer(moments.find((m) => m.id === id)!, who)));
      expect(await pageAll({ sla: 'breached', sort: 'sla', limit: '5' }, token)).toEqual(expected(moments, who, { sla: 'breached', sort: 'sla' }));
      // Asking for another team's moments does not widen what they see; their own team's are all theirs to see.
      const foreign = cast.teams.find((t) => !who.teams.includes(t))!;
      expect(await pageAll({ team: foreign, limit: '200' }, token)).toEqual(expected(moments, who, { team: foreign }));
      expect(await pageAll({ team: who.teams[0], sort: 'oldest', limit: '9' }, token)).toEqual(expected(moments, who, { team: who.teams[0], sort: 'oldest' }));
      expect(await pageAll({ customer: 'cust-1', status: ALL_STATUSES.join(','), limit: '200' }, token)).toEqual(expected(moments, who, { customer: 'cust-1', status: ALL_STATUSES.join(',') }));
    }
    expect(moments.some((m) => m.handoff !== null && visible(m, agentWho(0)) && m.owner_id !== cast.agents[0] && !agentWho(0).teams.includes(m.team_id ?? ''))).toBe(true);
  });

  it('shows owners and admins everything, with owner=me meaning themselves', async () => {
    const token = tokens.get(cast.ownerId)!;
    expect(await pageAll({ limit: '200' }, token)).toEqual(expected(moments, admin, {}));
    expect(await pageAll({ owner: 'me', limit: '200' }, token)).toEqual(expected(moments, admin, { owner: cast.ownerId }));
    expect(await pageAll({ handoff: 'me', limit: '200' }, token)).toEqual(expected(moments, admin, {}).filter((id) => awaitsAnswer(moments.find((m) => m.id === id)!, admin)));
    // An API key is nobody: there is no "me" to hand anything to.
    const key = await list('handoff=me');
    expect([key.status, key.body.error?.field]).toEqual([400, 'handoff']);
  });

  it('counts the inbox views of each caller, matching the lists', async () => {
    const active = (m: Seeded) => ACTIVE.includes(m.status);
    const countsFor = (who: Who) => {
      const seen = moments.filter((m) => active(m) && visible(m, who));
      return {
        mine: who.agentId === null ? 0 : moments.filter((m) => active(m) && m.owner_id === who.agentId).length,
        handoffs: moments.filter((m) => active(m) && awaitsAnswer(m, who)).length,
        myTeams: moments.filter((m) => active(m) && m.team_id !== null && who.teams.includes(m.team_id)).length,
        waiting: moments.filter((m) => active(m) && m.queued_at !== null && m.team_id !== null && who.teams.includes(m.team_id)).length,
        ...(who.seesAll ? { all: seen.length } : {}),
        breached: seen.filter((m) => breached(m, NOW)).length,
        dueSoon: seen.filter((m) => dueSoon(m, NOW, 30 * MIN)).length,
      };
    };
    const key = await s.api('GET', '/api/v1/moments/counts');
    expect(key.status).toBe(200);
    expect(key.body).toEqual(countsFor(apiKey));
    expect((await s.api('GET', '/api/v1/moments/counts', undefined, tokens.get(cast.ownerId))).body).toEqual(countsFor(admin));
    for (const i of [0, 1, 2]) {
      const who = agentWho(i);
      const counts = (await s.api('GET', '/api/v1/moments/counts', undefined, tokens.get(who.agentId!))).body;
      expect(counts).toEqual(countsFor(who));
      expect(counts.waiting + counts.myTeams).toBeGreaterThan(0);
      expect((await pageAll({ sla: 'due_soon', limit: '200' }, tokens.get(who.agentId!))).length).toBe(counts.dueSoon);
    }
  });

  it('documents both routes and their parameters in the OpenAPI description', async () => {
    const docs = await fetch(`${s.url}/api/docs`).then((r) => r.json());
    const names = docs.paths['/api/v1/moments'].get.parameters.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['owner', 'team', 'status', 'sla', 'q', 'queued', 'sort', 'limit', 'cursor']));
    expect(docs.paths['/api/v1/moments/counts'].get.responses['200']).toBeDefined();
    // Operations that answer 204 say so, not the default 200.
    for (const [path, method] of [['/api/v1/moments/{id}/typing', 'post'], ['/api/v1/assignment-rules/{id}', 'delete'], ['/api/v1/sla-policies/{id}', 'delete'], ['/api/v1/business-hours/{id}', 'delete'], ['/api/v1/sessions', 'delete']] as const) {
      expect(Object.keys(docs.paths[path][method].responses).filter((status) => status.startsWith('2')), `${method} ${path}`).toEqual(['204']);
    }
  });

  it('refuses bad parameters with 400 naming the field', async () => {
    const otherSort = (await list('sort=sla&limit=1')).body.nextCursor as string;
    const cases: [string, string][] = [
      ['status=open,bogus', 'status'],
      ['status=', 'status'],
      ['priority=asap', 'priority'],
      ['sla=late', 'sla'],
      ['sort=newest', 'sort'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=ten', 'limit'],
      ['limit=Infinity', 'limit'],
      ['limit=-Infinity', 'limit'],
      ['limit=1e999', 'limit'],
      ['queued=maybe', 'queued'],
      [`q=${'x'.repeat(201)}`, 'q'],
      ['owner=', 'owner'],
      ['owner=me', 'owner'], // an API key is not an agent
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${Buffer.from('{"sort":"recent","key":["x","y"]}').toString('base64url')}`, 'cursor'],
      [`cursor=${Buffer.from('[1,"a"]').toString('base64url')}`, 'cursor'],
      [`cursor=${otherSort}`, 'cursor'], // a cursor of sort=sla used with the default sort
      ['stauts=open', 'stauts'],
    ];
    for (const [query, field] of cases) {
      const res = await list(query);
      expect(res.status, query).toBe(400);
      expect(res.body.error.field, query).toBe(field);
    }
    // Every other paged list too: a limit past any range once answered 500.
    const [moment] = (await list('limit=1')).body.data as { id: string; customerId: string }[];
    for (const route of ['/api/v1/customers', `/api/v1/customers/${moment!.customerId}/timeline`, `/api/v1/moments/${moment!.id}/messages`]) {
      for (const limit of ['Infinity', '-Infinity', '1e400']) expectError(await s.api('GET', `${route}?limit=${limit}`), 400, 'invalid_field', 'limit');
    }
    // Hand-made cursors of the right shape but values no page ends at (PostgreSQL once failed on them with a 500).
    const forged = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString('base64url');
    for (const key of [[1.5, 'z'], [1e23, 'z'], [-1e300, 'z'], [1, 'a\u0000b'], [1, 'x'.repeat(65)]]) {
      for (const route of ['/api/v1/customers', `/api/v1/customers/${moment!.customerId}/timeline`]) expectError(await s.api('GET', `${route}?cursor=${forged(key)}`), 400, 'invalid_field', 'cursor');
      expectError(await s.api('GET', `/api/v1/moments?cursor=${forged({ sort: 'recent', key })}`), 400, 'invalid_field', 'cursor');
    }
    // The thread pages by `cursor` like every list (and by `after`, the same); a cursor it did not give out is refused.
    const messages = `/api/v1/moments/${moment!.id}/messages`;
    expectError(await s.api('GET', `${messages}?cursor=garbage`), 400, 'invalid_field', 'cursor');
    expectError(await s.api('GET', `${messages}?after=garbage`), 400, 'invalid_field', 'after');
    const whole = (await s.api('GET', `${messages}?limit=500`)).body.data.map((m: { id: string }) => m.id);
    const paged: string[] = [];
    for (let cursor: string | null = null, pages = 0; pages === 0 || cursor !== null; pages++) {
      const page: { data: { id: string }[]; nextCursor: string | null } = (await s.api('GET', `${messages}?limit=1${cursor ? `&cursor=${cursor}` : ''}`)).body;
      paged.push(...page.data.map((m) => m.id));
      cursor = page.nextCursor;
    }
    expect(paged).toEqual(whole);
  });

  it('uses the workspace\'s due-soon window and the current time', async () => {
    expect((await s.api('PATCH', '/api/v1/workspace/settings', { moments: { dueSoonMinutes: 90 } })).status).toBe(200);
    try {
      expect(await pageAll({ sla: 'due_soon', limit: '200' })).toEqual(expected(moments, apiKey, { sla: 'due_soon' }, NOW, 90 * MIN));
    } finally {
      await s.api('PATCH', '/api/v1/workspace/settings', { moments: { dueSoonMinutes: 30 } });
    }
    clock.set(NOW + 20 * MIN);
    try {
      // Deadlines passed meanwhile count as breached before any sweep records them.
      for (const sla of ['breached', 'due_soon']) expect(await pageAll({ sla, limit: '200' })).toEqual(expected(moments, apiKey, { sla }, NOW + 20 * MIN));
    } finally {
      clock.set(NOW);
    }
  });

  it('never shows another workspace\'s moments, whatever ids are asked for', async () => {
    const allStatuses = { status: ALL_STATUSES.join(','), limit: '200' };
    const theirs = new Set(otherMoments.map((m) => m.id));
    const ours = await pageAll(allStatuses);
    expect(ours).toHaveLength(moments.length);
    expect(ours.filter((id) => theirs.has(id))).toEqual([]);
    // The other workspace's moments carry this workspace's team, agent and customer ids.
    const a0 = tokens.get(cast.agents[0])!;
    const crossing: Record<string, string>[] = [{ team: cast.teams[0] }, { owner: cast.agents[0] }, { customer: 'cust-3' }, {}];
    for (const params of crossing) {
      expect((await pageAll({ ...allStatuses, ...params }, a0)).filter((id) => theirs.has(id))).toEqual([]);
    }
    const seenByOther = await pageAll(allStatuses, other.apiKey);
    expect(seenByOther).toEqual(expected(otherMoments, apiKey, allStatuses));
    const counts = (await s.api('GET', '/api/v1/moments/counts', undefined, other.apiKey)).body;
    expect(counts.all).toBe(otherMoments.filter((m) => ACTIVE.includes(m.status)).length);
    // A cursor is only a position: one from this workspace shows the other nothing of ours.
    const cursor = (await list('limit=1')).body.nextCursor as string;
    const next = await list(`cursor=${cursor}&limit=200`, other.apiKey);
    expect(next.body.data.every((m: { id: string }) => theirs.has(m.id))).toBe(true);
  });
});
