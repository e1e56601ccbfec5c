import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, Tx } from '../src/platform/db/database.ts';
import { seededRandom } from '../src/platform/seeded-random.ts';
import { ENGINES, startServer, type Running } from './harness.ts';
import { addAgent, addTeam, open, type Person } from './moments-fixtures.ts';

/**
 * "Never unowned" under load: hundreds of moments opened while agents reply, take over, hand
 * off, accept, escalate, resolve, reopen and come and go, admins re-assign and rules change —
 * all at once. A sampler reads the database throughout and checks the ownership invariants at
 * every instant it sees; at the end the ledger and the activity log are replayed.
 */

/** The storm lasts at least MIN_STORM_MS and until this many customer contacts, at most STORM_MS. */
const OPENS = 550;
const MIN_STORM_MS = 8_000;
const STORM_MS = 35_000;
const SAMPLE_EVERY_MS = 20;
/** The workspace default (settings.moments.defaultCapacity). */
const DEFAULT_CAPACITY = 5;
const ACTIVE = new Set(['open', 'pending', 'snoozed']);
/** Explicit acts that may take a person past their capacity. */
const EXPLICIT = new Set(['take_over', 'escalation']);
const CHANNELS = ['chat', 'whatsapp', 'email', 'sms', 'voice', 'social'] as const;

type Agent = Person & { readonly name: string; readonly teams: ReadonlySet<string> };
type Known = { ownerId: string; teamId: string | null; status: string; handoff: { toTeamId: string | null; toAgentId: string | null } | null };
type Setup = {
  readonly agents: readonly Agent[];
  readonly admin: Agent;
  readonly teams: { readonly chat: string; readonly mail: string; readonly billing: string };
  readonly teamsOf: ReadonlyMap<string, ReadonlySet<string>>;
  readonly ruleIds: readonly string[];
  readonly vips: readonly string[];
};

describe.each(ENGINES)('the never-unowned storm on %s', (engine) => {
  let s: Running;
  beforeAll(async () => {
    s = await startServer(engine);
  });
  afterAll(async () => s?.stop());

  it('a burst from a new customer, 200 ms apart or at once, makes one customer and one moment', async () => {
    for (const [label, gap] of [['200 ms apart', 200], ['at once', 0]] as const) {
      const identity = `phone:+4477009${gap === 0 ? '00' : '11'}123`;
      const send = (k: number) => open(s, { identity, channel: 'sms', message: { body: `part ${k} (${label})`, externalId: `burst-${gap}-${k}` } });
      const results = gap === 0 ? await Promise.all([send(1), send(2)]) : [await send(1), await new Promise((r) => setTimeout(r, gap)).then(() => send(2))];
      expect(results.map((r) => r.status).sort(), label).toEqual([200, 201]);
      expect(results.map((r) => r.body.outcome).sort(), label).toEqual(['continued', 'opened']);
      const customers = (await s.api('GET', `/api/v1/customers?identity=${encodeURIComponent(identity)}`)).body.data;
      expect(customers, label).toHaveLength(1);
      const moments = await s.tp.deps.db.selectFrom('moment').select(['id', 'message_count']).where('workspace_id', '=', s.workspace.workspaceId).where('customer_id', '=', customers[0].id).execute();
      expect(moments, label).toHaveLength(1);
      expect(moments[0]!.message_count, label).toBe(2);
      const thread = (await s.api('GET', `/api/v1/moments/${moments[0]!.id}/messages`)).body.data;
      expect(thread.map((m: { body: string }) => m.body).sort(), label).toEqual([`part 1 (${label})`, `part 2 (${label})`]);
    }
  });

  it('keeps every moment owned, on record, within capacity and first in first out through a storm', async () => {
    const started = Date.now();
    const setup = await buildWorkspace(s);
    const storm = await runStorm(s, setup);
    const final = await inSnapshot(s, (tx) => readState(tx, s.workspace.workspaceId));
    storm.violations.push(...checkInstant(final, s.workspace.ownerId), ...checkLedger(final), ...(await checkReplies(s)));
    const activities = await readActivities(s);
    const replay = checkActivityLog(final, activities, setup.teamsOf, await readSkills(s));

    const summary = { engine, seconds: Math.round((Date.now() - started) / 100) / 10, samples: storm.samples, moments: final.moments.length, queuedSeen: storm.queuedSeen, fills: replay.fills, tally: Object.fromEntries([...storm.tally].sort()) };
    console.log(`storm on ${engine}: ${JSON.stringify(summary)}`);
    expect(storm.unexpected, 'responses other than 2xx or an expected refusal').toEqual([]);
    const violations = distinct([...replay.violations, ...storm.violations]);
    if (violations.length > 0) console.log(`storm on ${engine}, histories of the moments in the first violations:\n${explain(violations.slice(0, 5), activities, final, setup)}`);
    expect(kinds(violations), `${violations.length} distinct invariant violations, e.g. ${violations.slice(0, 5).join('\n')}`).toEqual({});

    // The storm must have exercised what it claims to.
    const count = (prefix: string) => [...storm.tally].filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);
    expect(final.moments.length).toBeGreaterThanOrEqual(200);
    expect(storm.samples).toBeGreaterThanOrEqual(50);
    expect(storm.queuedSeen).toBeGreaterThan(0);
    for (const op of ['open 201', 'open 200', 'reply 201', 'reply-other 409 not_owner', 'take-over 200', 'handoff 200', 'accept 200', 'escalate 200', 'resolve 200', 'reopen 200', 'assign 200', 'rule 200', 'presence 200']) {
      expect(count(op), op).toBeGreaterThan(0);
    }
    expect(replay.fills, 'moments taken from the line').toBeGreaterThan(0);
  }, 120_000);
});

/** Three teams (one per strategy), ten people, five rules, VIP customers; everyone online. */
async function buildWorkspace(s: Running): Promise<Setup> {
  const person = async (name: string, options: { role?: string; skills?: string[]; capacity: Record<string, number> }) => ({ ...(await addAgent(s, { name, ...options })), name });
  const admin = await person('Sam supervisor', { role: 'admin', capacity: { '*': 6 } });
  const raw = [
    await person('Ana', { skills: ['en'], capacity: { '*': 4, chat: 3 } }),
    await person('Ben', { skills: ['en'], capacity: { '*': 3, chat: 2 } }),
    await person('Cai', { skills: ['en', 'es'], capacity: { '*': 4, chat: 3 } }),
    await person('Dee', { skills: ['en'], capacity: { '*': 3, chat: 2 } }),
    await person('Eli', { skills: ['en'], capacity: { '*': 4, email: 3 } }),
    await person('Fay', { skills: ['en', 'billing'], capacity: { '*': 3 } }),
    await person('Gus', { skills: ['billing'], capacity: { '*': 3, chat: 2 } }),
    await person('Hal', { skills: ['billing', 'vip', 'es'], capacity: { '*': 3 } }),
    await person('Ivy', { skills: ['vip', 'es', 'billing'], capacity: { '*': 2 } }),
  ];
  const [ana, ben, cai, dee, eli, fay, gus, hal, ivy] = raw;
  const chat = await addTeam(s, [ana, ben, cai, dee], { strategy: 'round_robin', leadId: ana.id, fallbackOwnerId: admin.id });
  const mail = await addTeam(s, [dee, eli, fay, gus], { strategy: 'least_loaded', leadId: eli.id, fallbackOwnerId: fay.id });
  const billing = await addTeam(s, [gus, hal, ivy], { strategy: 'skills', leadId: hal.id, fallbackOwnerId: ivy.id });
  const teamsOf = new Map<string, Set<string>>();
  for (const [team, members] of [[chat, [ana, ben, cai, dee]], [mail, [dee, eli, fay, gus]], [billing, [gus, hal, ivy]]] as const) {
    for (const m of members) teamsOf.set(m.id, (teamsOf.get(m.id) ?? new Set()).add(team));
  }
  const agents = raw.map((p) => ({ ...p, teams: teamsOf.get(p.id) ?? new Set<string>() }));

  const settings = await s.api('PATCH', '/api/v1/workspace/settings', { moments: { defaultTeamId: chat } });
  if (settings.status !== 200) throw new Error(`settings: ${JSON.stringify(settings.body)}`);
  const rules = [
    { name: 'Billing words', conditions: { keywords: ['refund', 'invoice', 'charged twice'] }, teamId: billing, requiredSkills: ['billing'] },
    { name: 'VIP customers', conditions: { traits: { vip: true } }, teamId: billing, requiredSkills: ['vip'] },
    { name: 'Spanish', conditions: { languages: ['es'] }, teamId: billing, requiredSkills: ['es'] },
    { name: 'Chat and WhatsApp', conditions: { channels: ['chat', 'whatsapp'] }, teamId: chat },
    { name: 'Email and SMS', conditions: { channels: ['email', 'sms'] }, teamId: mail },
  ];
  const ruleIds: string[] = [];
  for (const rule of rules) {
    const res = await s.api('POST', '/api/v1/assignment-rules', rule);
    if (res.status !== 201) throw new Error(`rule: ${JSON.stringify(res.body)}`);
    ruleIds.push(res.body.id);
  }
  const vips: string[] = [];
  for (let i = 0; i < 12; i++) {
    const email = `vip${i}@storm.test`;
    const res = await s.track('/v1/identify', { userId: `vip-${i}`, traits: { email, vip: true } });
    if (res.status !== 200) throw new Error(`identify: ${JSON.stringify(res.body)}`);
    vips.push(`email:${email}`);
  }
  return { agents, admin: { ...admin, teams: new Set() }, teams: { chat, mail, billing }, teamsOf, ruleIds, vips };
}

type StormResult = { unexpected: string[]; violations: string[]; tally: Map<string, number>; samples: number; queuedSeen: number };

/** Runs every actor at once until enough customers wrote in (and a minimum time passed), sampling throughout. */
async function runStorm(s: Running, setup: Setup): Promise<StormResult> {
  const random = seededRandom(20261126);
  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];
  const chance = (p: number) => random() < p;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const result: StormResult = { unexpected: [], violations: [], tally: new Map(), samples: 0, queuedSeen: 0 };
  const known = new Map<string, Known>();
  const customers: { identity: string; channel: string }[] = [];
  const teamIds = Object.values(setup.teams);
  const began = Date.now();
  let opens = 0;
  const running = () => Date.now() - began < STORM_MS && (opens < OPENS || Date.now() - began < MIN_STORM_MS);

  const remember = (view: any) => {
    if (!view || typeof view.id !== 'string' || typeof view.ownerId !== 'string') return;
    known.set(view.id, { ownerId: view.ownerId, teamId: view.teamId, status: view.status, handoff: view.handoff ? { toTeamId: view.handoff.toTeamId, toAgentId: view.handoff.toAgentId } : null });
  };
  /** One request; 2xx and the listed refusals ("409 not_owner") are fine, anything else is reported. */
  const call = async (op: string, method: string, route: string, body: unknown, token: string | undefined, expected: readonly string[]): Promise<any | null> => {
    let res: { status: number; body: any };
    try {
      res = await s.api(method, route, body, token);
    } catch (error) {
      result.unexpected.push(`${op} ${method} ${route}: ${String(error)}`);
      return null;
    }
    const key = res.status < 300 ? `${op} ${res.status}` : `${op} ${res.status} ${res.body?.error?.code}`;
    result.tally.set(key, (result.tally.get(key) ?? 0) + 1);
    if (res.status < 300) {
      remember(res.body?.moment ?? res.body);
      return res.body;
    }
    if (res.status >= 500 || !expected.includes(`${res.status} ${res.body?.error?.code}`)) result.unexpected.push(`${op} ${method} ${route} ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
    return null;
  };
  const momentsWhere = (test: (k: Known) => boolean) => [...known].filter(([, k]) => test(k)).map(([id]) => id);
  const GONE = ['404 moment_not_found'];

  /** Customers write in: new ones (some in bursts), VIPs, returning ones (continuing or reopening). */
  const customerLoop = async (loop: number) => {
    let n = 0;
    while (running()) {
      const r = random();
      let identity: string;
      let channel: string = pick(CHANNELS)!;
      if (r < 0.55 || customers.length === 0) identity = `email:c${loop}-${n++}@storm.test`;
      else if (r < 0.7) identity = pick(setup.vips)!;
      else ({ identity, channel } = pick(customers)!);
      const words = chance(0.15) ? ' I was charged twice, please refund' : '';
      const body = { identity, channel, message: { body: `Hello from ${identity}${words}` }, ...(chance(0.1) ? { language: 'es' } : {}) };
      opens += 1;
      if (chance(0.1)) {
        // The same customer writing twice within 200 ms.
        await Promise.all([call('open', 'POST', '/api/v1/moments', body, undefined, []), sleep(random() * 200).then(() => call('open', 'POST', '/api/v1/moments', { ...body, message: { body: 'and another thing' } }, undefined, []))]);
      } else {
        await call('open', 'POST', '/api/v1/moments', body, undefined, []);
      }
      customers.push({ identity, channel });
      await sleep(random() * 10);
    }
  };

  /** One person working their inbox, with what they last saw (often stale: that is the point). */
  const agentLoop = async (me: Agent) => {
    const mine = (status: (st: string) => boolean) => momentsWhere((k) => k.ownerId === me.id && status(k.status));
    const ofMyTeams = () => momentsWhere((k) => k.teamId !== null && me.teams.has(k.teamId) && k.ownerId !== me.id && k.status !== 'closed');
    while (running()) {
      const r = random();
      const owned = pick(mine((st) => ACTIVE.has(st)));
      if (r < 0.2 && owned) {
        await call('reply', 'POST', `/api/v1/moments/${owned}/messages`, { direction: 'out', body: `${me.name} here, on it` }, me.token, ['409 not_owner', '409 invalid_transition', ...GONE]);
      } else if (r < 0.28) {
        const other = pick(ofMyTeams());
        if (other) await call('reply-other', 'POST', `/api/v1/moments/${other}/messages`, { direction: 'out', body: `${me.name} butting in` }, me.token, ['409 not_owner', '409 invalid_transition', ...GONE]);
      } else if (r < 0.32) {
        const other = pick(ofMyTeams());
        if (other) await call('note', 'POST', `/api/v1/moments/${other}/messages`, { direction: 'note', body: 'FYI', mentions: [me.id] }, me.token, GONE);
      } else if (r < 0.42 && owned) {
        await call('resolve', 'PATCH', `/api/v1/moments/${owned}`, { status: 'resolved' }, me.token, ['409 not_owner', '409 invalid_transition', ...GONE]);
      } else if (r < 0.46) {
        const done = pick(mine((st) => st === 'resolved'));
        if (done) await call('reopen', 'PATCH', `/api/v1/moments/${done}`, { status: 'open' }, me.token, ['409 not_owner', '409 invalid_transition', ...GONE]);
      } else if (r < 0.49 && owned) {
        const patch = chance(0.5) ? { status: 'pending' } : { status: 'snoozed', snoozedUntil: new Date(Date.now() + 3_600_000).toISOString() };
        await call('park', 'PATCH', `/api/v1/moments/${owned}`, patch, me.token, ['409 not_owner', '409 invalid_transition', ...GONE]);
      } else if (r < 0.58) {
        const other = pick(ofMyTeams());
        if (other) await call('take-over', 'POST', `/api/v1/moments/${other}/take-over`, { note: 'I know this one' }, me.token, ['409 invalid_transition', ...GONE]);
      } else if (r < 0.67 && owned) {
        const toTeamId = pick(teamIds.filter((t) => t !== known.get(owned)?.teamId))!;
        const toAgent = chance(0.3) ? pick(setup.agents.filter((a) => a.teams.has(toTeamId) && a.id !== me.id)) : undefined;
        await call('handoff', 'POST', `/api/v1/moments/${owned}/handoff`, { toTeamId, ...(toAgent ? { toAgentId: toAgent.id } : {}), reason: 'better placed', note: 'context here' }, me.token, [
          '409 not_owner',
          '409 invalid_transition',
          '409 handoff_waiting',
          '400 invalid_field',
          ...GONE,
        ]);
      } else if (r < 0.78) {
        const offered = pick(momentsWhere((k) => k.handoff !== null && k.status !== 'closed' && (k.handoff.toAgentId === me.id || (k.handoff.toAgentId === null && k.handoff.toTeamId !== null && me.teams.has(k.handoff.toTeamId)))));
        if (offered) {
          if (chance(0.85)) await call('accept', 'POST', `/api/v1/moments/${offered}/handoff/accept`, {}, me.token, ['409 no_handoff', '409 over_capacity', '403 forbidden', ...GONE]);
          else await call('decline', 'POST', `/api/v1/moments/${offered}/handoff/decline`, { reason: 'not mine' }, me.token, ['409 no_handoff', '403 forbidden', ...GONE]);
        }
      } else if (r < 0.84 && owned) {
        await call('escalate', 'POST', `/api/v1/moments/${owned}/escalate`, { reason: 'angry customer', raisePriority: chance(0.5) }, me.token, ['409 conflict', '409 not_owner', '409 invalid_transition', ...GONE]);
      } else if (r < 0.88) {
        // Comes and goes: offline hands their moments back; online takes the oldest waiting ones.
        const away = chance(0.7) ? 'offline' : 'away';
        await call('presence', 'PUT', `/api/v1/agents/${me.id}/presence`, { presence: away }, me.token, []);
        await sleep(50 + random() * 250);
        await call('presence', 'PUT', `/api/v1/agents/${me.id}/presence`, { presence: 'online' }, me.token, []);
      }
      await sleep(random() * 25);
    }
  };

  /** The supervisor (an admin, signed in) re-assigns and edits the rules while all this goes on. */
  const adminLoop = async () => {
    let turn = 0;
    while (running()) {
      if (chance(0.75)) {
        const id = pick(momentsWhere((k) => ACTIVE.has(k.status)));
        const to = pick(setup.agents)!;
        if (id) await call('assign', 'POST', `/api/v1/moments/${id}/assign`, { agentId: to.id, note: 'rebalancing', ...(chance(0.5) ? { teamId: pick([...to.teams]) } : {}) }, setup.admin.token, ['409 over_capacity', '409 invalid_transition']);
      } else {
        turn += 1;
        const edit = turn % 2 === 0 ? { conditions: { keywords: turn % 4 === 0 ? ['refund', 'invoice'] : ['refund', 'invoice', 'charged twice'] } } : { enabled: turn % 3 !== 0 };
        await call('rule', 'PATCH', `/api/v1/assignment-rules/${setup.ruleIds[turn % 2 === 0 ? 0 : 2]}`, edit, setup.admin.token, []);
      }
      await sleep(20 + random() * 30);
    }
  };

  /** Reads the database between transactions, every ~20 ms, and checks the instant it sees. */
  const sampler = async () => {
    while (running()) {
      const state = await inSnapshot(s, (tx) => readState(tx, s.workspace.workspaceId));
      result.samples += 1;
      result.queuedSeen += state.moments.filter((m) => m.queued_at !== null).length > 0 ? 1 : 0;
      for (const v of checkInstant(state, s.workspace.ownerId)) if (result.violations.length < 200) result.violations.push(`sample ${result.samples}: ${v}`);
      await sleep(SAMPLE_EVERY_MS);
    }
  };

  await Promise.all([...[1, 2, 3, 4, 5].map(customerLoop), ...setup.agents.map(agentLoop), adminLoop(), sampler()]);
  return result;
}

type MomentState = { id: string; owner_id: string; team_id: string | null; status: string; channel: string; queued_at: number | null; created_at: number };
type LedgerRow = { id: string; moment_id: string; owner_id: string; team_id: string | null; reason: string; started_at: number; ended_at: number | null };
type State = {
  readonly moments: readonly MomentState[];
  readonly ledgerRows: readonly LedgerRow[];
  readonly agents: ReadonlyMap<string, string>;
  readonly fallbackOf: ReadonlyMap<string, string | null>;
  /** The agent_load rows routing reads ("agent channel" → n). */
  readonly loads: ReadonlyMap<string, number>;
};

/** One consistent view: a transaction (repeatable read on PostgreSQL; SQLite has one writer). */
function inSnapshot<T>(s: Running, read: (tx: Tx) => Promise<T>): Promise<T> {
  const db: Db = s.tp.deps.db;
  const tx = s.tp.deps.engine === 'postgres' ? db.transaction().setIsolationLevel('repeatable read') : db.transaction();
  return tx.execute(read);
}

async function readState(tx: Tx, workspaceId: string): Promise<State> {
  const moments = await tx.selectFrom('moment').select(['id', 'owner_id', 'team_id', 'status', 'channel', 'queued_at', 'created_at']).where('workspace_id', '=', workspaceId).execute();
  const ledgerRows = await tx.selectFrom('ownership_change').select(['id', 'moment_id', 'owner_id', 'team_id', 'reason', 'started_at', 'ended_at']).where('workspace_id', '=', workspaceId).orderBy('started_at').orderBy('id').execute();
  const agents = await tx.selectFrom('agent').select(['id', 'capacity']).where('workspace_id', '=', workspaceId).execute();
  const teams = await tx.selectFrom('team').select(['id', 'fallback_owner_id']).where('workspace_id', '=', workspaceId).execute();
  const loads = await tx.selectFrom('agent_load').select(['agent_id', 'channel', 'n']).where('workspace_id', '=', workspaceId).execute();
  return {
    moments,
    ledgerRows,
    agents: new Map(agents.map((a) => [a.id, a.capacity])),
    fallbackOf: new Map(teams.map((t) => [t.id, t.fallback_owner_id])),
    loads: new Map(loads.map((l) => [`${l.agent_id} ${l.channel}`, Number(l.n)])),
  };
}

function capacityOn(capacityJson: string, channel: string): number {
  const c = JSON.parse(capacityJson) as Record<string, number>;
  return c[channel] ?? c['*'] ?? DEFAULT_CAPACITY;
}

/**
 * Whether the owner holds the moment by a take-over or an escalation: the row says so, or an
 * earlier row of theirs without a break does (an admin's assign to the holder, a new team,
 * moves nothing and gives nothing: the explicit act still holds it).
 */
function heldByExplicitAct(row: LedgerRow, rows: readonly LedgerRow[]): boolean {
  const earlier = (at: LedgerRow) => rows.find((r) => r !== at && r.moment_id === at.moment_id && r.ended_at === at.started_at && r.owner_id === at.owner_id && r.started_at <= at.started_at);
  for (let at: LedgerRow | undefined = row, steps = 0; at && steps < rows.length; at = earlier(at), steps++) {
    if (EXPLICIT.has(at.reason)) return true;
  }
  return false;
}

/** What must hold at every instant: an owner who exists, one open ledger row agreeing with the moment, capacity, the line's holder. */
function checkInstant(state: State, workspaceOwner: string): string[] {
  const out: string[] = [];
  const current = new Map<string, LedgerRow[]>();
  for (const row of state.ledgerRows) if (row.ended_at === null) current.set(row.moment_id, [...(current.get(row.moment_id) ?? []), row]);
  const load = new Map<string, { count: number; moments: string[] }>();
  const recounted = new Map<string, number>();
  for (const m of state.moments) {
    if (ACTIVE.has(m.status) && m.queued_at === null) recounted.set(`${m.owner_id} ${m.channel}`, (recounted.get(`${m.owner_id} ${m.channel}`) ?? 0) + 1);
    if (!state.agents.has(m.owner_id)) out.push(`moment ${m.id} is owned by ${m.owner_id}, not an agent of the workspace`);
    const rows = current.get(m.id) ?? [];
    if (rows.length !== 1) {
      out.push(`moment ${m.id} has ${rows.length} open ledger rows`);
      continue;
    }
    const row = rows[0]!;
    if (row.owner_id !== m.owner_id || row.team_id !== m.team_id) out.push(`moment ${m.id} is owned by ${m.owner_id}/${m.team_id} but its ledger says ${row.owner_id}/${row.team_id}`);
    if (m.queued_at !== null) {
      const holder = m.team_id === null ? undefined : (state.fallbackOf.get(m.team_id) ?? workspaceOwner);
      if (m.owner_id !== holder) out.push(`queued moment ${m.id} of team ${m.team_id} is held by ${m.owner_id}, not the fallback owner ${holder}`);
    } else if (ACTIVE.has(m.status) && !heldByExplicitAct(row, state.ledgerRows)) {
      const key = `${m.owner_id} ${m.channel}`;
      const entry = load.get(key) ?? { count: 0, moments: [] };
      entry.count += 1;
      entry.moments.push(`${m.id}:${m.status}:${row.reason}`);
      load.set(key, entry);
    }
  }
  for (const [key, entry] of load) {
    const [agentId, channel] = key.split(' ') as [string, string];
    const capacity = capacityOn(state.agents.get(agentId) ?? '{}', channel);
    if (entry.count > capacity) out.push(`agent ${agentId} holds ${entry.count} active ${channel} moments (capacity ${capacity}) without an explicit act: ${entry.moments.join(', ')}`);
  }
  for (const id of current.keys()) if (!state.moments.some((m) => m.id === id)) out.push(`ledger row for a moment that does not exist: ${id}`);
  // Routing reads loads from agent_load, which triggers keep: it must equal a recount at every instant.
  for (const key of new Set([...recounted.keys(), ...state.loads.keys()])) {
    if ((recounted.get(key) ?? 0) !== (state.loads.get(key) ?? 0)) out.push(`agent_load says ${key} carries ${state.loads.get(key) ?? 0}, the moments say ${recounted.get(key) ?? 0}`);
  }
  return out;
}

/** Each moment's ledger replays without gaps or overlaps from its creation to its current owner. */
function checkLedger(state: State): string[] {
  const out: string[] = [];
  const byMoment = new Map<string, LedgerRow[]>();
  for (const row of state.ledgerRows) byMoment.set(row.moment_id, [...(byMoment.get(row.moment_id) ?? []), row]);
  for (const m of state.moments) {
    const rows = byMoment.get(m.id) ?? [];
    if (rows.length === 0) {
      out.push(`moment ${m.id} has no ledger`);
      continue;
    }
    if (rows[0]!.started_at !== m.created_at) out.push(`moment ${m.id}: ledger starts at ${rows[0]!.started_at}, moment created at ${m.created_at}`);
    for (let i = 0; i + 1 < rows.length; i++) {
      if (rows[i]!.ended_at !== rows[i + 1]!.started_at) out.push(`moment ${m.id}: ledger row ${i} ends at ${rows[i]!.ended_at}, row ${i + 1} starts at ${rows[i + 1]!.started_at}`);
    }
    const last = rows.at(-1)!;
    if (last.ended_at !== null || last.owner_id !== m.owner_id || last.team_id !== m.team_id) out.push(`moment ${m.id}: last ledger row ${JSON.stringify(last)} is not its current owner ${m.owner_id}/${m.team_id}`);
  }
  return out;
}

/** Every reply to a customer was written by whoever owned the moment at that instant. */
async function checkReplies(s: Running): Promise<string[]> {
  const db = s.tp.deps.db;
  const ws = s.workspace.workspaceId;
  const replies = await db.selectFrom('message').select(['id', 'moment_id', 'author_id', 'created_at']).where('workspace_id', '=', ws).where('direction', '=', 'out').execute();
  const rows = await db.selectFrom('ownership_change').select(['moment_id', 'owner_id', 'started_at', 'ended_at']).where('workspace_id', '=', ws).execute();
  const byMoment = new Map<string, typeof rows>();
  for (const r of rows) byMoment.set(r.moment_id, [...(byMoment.get(r.moment_id) ?? []), r]);
  return replies
    .filter((m) => !(byMoment.get(m.moment_id) ?? []).some((r) => r.owner_id === m.author_id && r.started_at <= m.created_at && (r.ended_at === null || r.ended_at >= m.created_at)))
    .map((m) => `reply ${m.id} on moment ${m.moment_id} by ${m.author_id}, who did not own it at ${m.created_at}`);
}

type ActivityRow = { seq: number; moment_id: string; type: string; payload: string };

async function readActivities(s: Running): Promise<ActivityRow[]> {
  return s.tp.deps.db.selectFrom('moment_activity').select(['seq', 'moment_id', 'type', 'payload']).where('workspace_id', '=', s.workspace.workspaceId).orderBy('seq').execute();
}

type Replayed = { ownerId: string; teamId: string | null; status: string; channel: string; queuedAt: number | null; reason: string };

/**
 * Replays the activity log in commit order. Whenever someone takes a moment from the line
 * (came_online, capacity), it must ask for no skill they lack, and no moment on that channel in
 * their teams that they could take may have been waiting longer; no change may take anyone past their capacity without an explicit act (this names
 * the exact change that did). The replay must end where the database is (every change is on record).
 */
/** What each agent can do and what each moment asks for: a moment needing skills waits for someone who has them. */
async function readSkills(s: Running): Promise<Skills> {
  const ws = s.workspace.workspaceId;
  const agents = await s.tp.deps.db.selectFrom('agent').select(['id', 'skills']).where('workspace_id', '=', ws).execute();
  const moments = await s.tp.deps.db.selectFrom('moment').select(['id', 'required_skills']).where('workspace_id', '=', ws).execute();
  return {
    has: new Map(agents.map((a) => [a.id, new Set(JSON.parse(a.skills) as string[])])),
    needs: new Map(moments.map((m) => [m.id, JSON.parse(m.required_skills) as string[]])),
  };
}

type Skills = { readonly has: ReadonlyMap<string, ReadonlySet<string>>; readonly needs: ReadonlyMap<string, readonly string[]> };

function checkActivityLog(state: State, activities: readonly ActivityRow[], teamsOf: ReadonlyMap<string, ReadonlySet<string>>, skills: Skills): { violations: string[]; fills: number } {
  const out: string[] = [];
  let fills = 0;
  const live = new Map<string, Replayed>();
  const loadOf = (ownerId: string, channel: string) =>
    [...live].filter(([, m]) => m.ownerId === ownerId && m.channel === channel && ACTIVE.has(m.status) && m.queuedAt === null && !EXPLICIT.has(m.reason));
  let previousSeq = 0;
  for (const a of activities) {
    if (a.seq !== previousSeq + 1) out.push(`activity seq jumps from ${previousSeq} to ${a.seq}`);
    previousSeq = a.seq;
    const payload = JSON.parse(a.payload) as { moment?: any; reason?: string };
    const view = payload.moment;
    if (!view || view.id !== a.moment_id) continue;
    const before = live.get(a.moment_id);
    // An admin's assign to the agent who already holds the moment (a new team) moves nothing: a
    // moment held past capacity by a take-over stays held by that explicit act.
    const keeps = a.type === 'moment.assigned' && before !== undefined && before.ownerId === view.ownerId && before.queuedAt === null && EXPLICIT.has(before.reason);
    const reason = !keeps && (a.type === 'moment.created' || a.type === 'moment.assigned') && payload.reason ? payload.reason : (before?.reason ?? 'unknown');
    const next: Replayed = { ownerId: view.ownerId, teamId: view.teamId, status: view.status, channel: view.channel, queuedAt: view.queuedAt === null ? null : Date.parse(view.queuedAt), reason };
    if (a.type === 'moment.assigned' && (payload.reason === 'came_online' || payload.reason === 'capacity')) {
      fills += 1;
      const teams = teamsOf.get(next.ownerId) ?? new Set<string>();
      if (!before || before.queuedAt === null) out.push(`activity ${a.seq}: ${payload.reason} gave ${next.ownerId} moment ${a.moment_id}, which was not waiting`);
      else {
        const canTake = (id: string) => (skills.needs.get(id) ?? []).every((skill) => skills.has.get(next.ownerId)?.has(skill));
        if (!canTake(a.moment_id)) out.push(`activity ${a.seq}: ${payload.reason} gave ${next.ownerId} moment ${a.moment_id}, which asks for skills they lack`);
        const older = [...live].filter(([id, m]) => id !== a.moment_id && m.queuedAt !== null && m.channel === before.channel && m.teamId !== null && teams.has(m.teamId) && canTake(id) && (m.queuedAt < before.queuedAt! || (m.queuedAt === before.queuedAt && id < a.moment_id)));
        if (older.length > 0) out.push(`activity ${a.seq}: ${payload.reason} gave ${next.ownerId} moment ${a.moment_id} (waiting since ${before.queuedAt}) before ${older.map(([id, m]) => `${id} (since ${m.queuedAt})`).join(', ')}`);
      }
    }
    const loadBefore = loadOf(next.ownerId, next.channel).length;
    live.set(a.moment_id, next);
    const after = loadOf(next.ownerId, next.channel);
    const capacity = capacityOn(state.agents.get(next.ownerId) ?? '{}', next.channel);
    if (after.length > capacity && after.length > loadBefore) {
      const was = before ? `${before.ownerId}/${before.status}${before.queuedAt === null ? '' : '/queued'}` : 'new';
      out.push(
        `activity ${a.seq} ${a.type}${payload.reason ? `(${payload.reason})` : ''} on moment ${a.moment_id} (was ${was}, now ${next.status}) takes ${next.ownerId} to ${after.length} active ${next.channel} moments (capacity ${capacity}) without an explicit act: ${after.map(([id, m]) => `${id}:${m.status}:${m.reason}`).join(', ')}`,
      );
    }
  }
  for (const m of state.moments) {
    const r = live.get(m.id);
    if (!r) out.push(`moment ${m.id} never appeared in the activity log`);
    else if (r.ownerId !== m.owner_id || r.teamId !== m.team_id || r.status !== m.status || r.queuedAt !== m.queued_at) {
      out.push(`moment ${m.id}: the activity log ends at ${JSON.stringify({ ...r, reason: undefined })}, the database says ${JSON.stringify({ ownerId: m.owner_id, teamId: m.team_id, status: m.status, queuedAt: m.queued_at })}`);
    }
  }
  return { violations: out, fills };
}

/** Violations by kind (ids, names and numbers left out), each with how many times it happened. */
function kinds(violations: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of violations) {
    const kind = v
      .replace(/^sample \d+: /, '')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '…')
      .replace(/: (…:[a-z]+:[a-z_]+(, )?)+$/, '')
      .replace(/active [a-z]+ moments/, 'active moments on a channel')
      .replace(/\d+/g, 'N');
    out[kind] = (out[kind] ?? 0) + 1;
  }
  return out;
}

/** The same violation seen by many samples counts once (with the first sample that saw it). */
function distinct(violations: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const v of violations) {
    const key = v.replace(/^sample \d+: /, '');
    if (!seen.has(key)) seen.set(key, v);
  }
  return [...seen.values()];
}

/** Each moment a violation names, as the activity log tells its story up to it: for the report that goes with a failure. */
function explain(violations: readonly string[], activities: readonly ActivityRow[], state: State, setup: Setup): string {
  const names = new Map<string, string>([...setup.agents, setup.admin].map((a) => [a.id, a.name]));
  const teamNames = new Map(Object.entries(setup.teams).map(([k, v]) => [v, k]));
  const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
  const lines: string[] = [];
  for (const v of violations) {
    lines.push(`! ${v.replace(UUID, (id) => names.get(id) ?? teamNames.get(id) ?? id)}`);
    const upTo = Number(/^activity (\d+)/.exec(v)?.[1] ?? Infinity);
    for (const id of new Set((v.match(UUID) ?? []).filter((id) => state.moments.some((m) => m.id === id)))) {
      lines.push(`  moment ${id}:`);
      const story = activities.filter((x) => x.moment_id === id && x.seq <= upTo).slice(-8);
      for (const a of story) {
        const p = JSON.parse(a.payload) as { moment?: any; reason?: string };
        const m = p.moment;
        if (m) lines.push(`    #${a.seq} ${a.type}${p.reason ? `(${p.reason})` : ''} → ${names.get(m.ownerId) ?? m.ownerId} in ${teamNames.get(m.teamId) ?? m.teamId}, ${m.channel}, ${m.status}${m.queued ? ', queued' : ''}`);
      }
    }
  }
  return lines.join('\n');
}
