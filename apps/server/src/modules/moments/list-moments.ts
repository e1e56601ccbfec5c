import { type Expression, type ExpressionBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Db, Engine } from '../../platform/db/database.ts';
import type { Tables } from '../../platform/db/tables.ts';
import { ACTIVE_STATUSES } from './agent-load.ts';
import { decodeMomentCursor, encodeMomentCursor, PRIORITY_ORDER, type CursorKey, type MomentSort } from './moment-cursor.ts';
import { momentsWithText } from './inbox-text.ts';
import { cleanTags } from './moment-tags.ts';
import { profilesNamedBy } from '../profiles/index.ts';
import { toMomentView, type MomentRow, type MomentView } from './moment-view.ts';
import type { Viewer } from './visibility.ts';
import { foldedContains } from '../../platform/db/like-pattern.ts';
import { pageLimit } from '../../platform/db/page-limit.ts';
import { unindexedNumber, unindexedText } from '../../platform/db/unindexed.ts';

/** Filters of an inbox list; each is optional and they combine with AND. */
export type MomentFilters = {
  readonly ownerId?: string;
  readonly teamId?: string;
  /** Default ACTIVE_STATUSES: work not yet done. */
  readonly statuses?: readonly string[];
  readonly channel?: string;
  readonly businessUnitId?: string;
  readonly priorities?: readonly string[];
  /** breached: a breach was recorded or the deadline has passed; due_soon: not breached, due within dueSoonMs. */
  readonly sla?: 'breached' | 'due_soon';
  readonly customerId?: string;
  readonly tag?: string;
  /** Case-insensitive text in the subject, the preview or any message body, or naming the customer (profiles-named-by.ts). */
  readonly q?: string;
  /** true: waiting in the team's FIFO line; false: not waiting. */
  readonly queued?: boolean;
  /** Hand-offs waiting for this agent's answer: to them, or to one of their teams without a person named. */
  readonly handoffTo?: { readonly agentId: string; readonly teamIds: readonly string[] };
};

/** The instant the list is read at, and how close a deadline counts as due soon. */
export type SlaClock = { readonly now: number; readonly dueSoonMs: number };

export type ListMomentsInput = SlaClock & {
  /** On SQLite a text search reads the inbox's text index (inbox-text.ts). */
  readonly engine: Engine;
  readonly viewer: Viewer;
  readonly filters: MomentFilters;
  readonly sort: MomentSort;
  readonly limit: number;
  readonly cursor?: string;
};

export type MomentPage = { readonly data: readonly MomentView[]; readonly nextCursor: string | null };

type Eb = ExpressionBuilder<Tables, 'moment'>;
type Condition = Expression<SqlBool>;

/**
 * One page of the moments a viewer may see, filtered and sorted, keyset-paged: the cursor holds
 * the sort key of the last moment shown, so a page costs the same however deep it is, and
 * moments arriving or leaving meanwhile never make the next page skip or repeat the others
 * (as OFFSET would).
 */
export async function listMoments(db: Db, input: ListMomentsInput): Promise<MomentPage> {
  const { viewer, filters, sort, limit } = input;
  const after = input.cursor === undefined ? null : decodeMomentCursor(sort, input.cursor);
  // Asking for one's own moments or one's own team's needs no visibility test: leaving it out
  // lets the planner walk the owner or team index instead of testing every moment.
  // (Hand-offs to the viewer are theirs to see too.)
  const implied =
    (viewer.agentId !== null && (filters.ownerId === viewer.agentId || filters.handoffTo?.agentId === viewer.agentId)) || (filters.teamId !== undefined && viewer.teamIds.has(filters.teamId));
  const q = filters.q?.trim();
  // A text also finds the moments of the customers it names (Ann Lee, ann@example.com).
  const named = q ? await profilesNamedBy(db, input.engine, viewer.workspaceId, q) : [];
  // The few moments that hold the text or are with those customers, when the index can say:
  // sought by id, then sorted.
  const withText = q && input.engine === 'sqlite' ? await momentsWithText(db, viewer.workspaceId, q) : null;
  const found = withText === null ? null : [...new Set([...withText, ...(await momentsOf(db, viewer.workspaceId, named))])];
  if (found !== null && found.length === 0) return { data: [], nextCursor: null };
  const query = db
    .selectFrom('moment')
    .selectAll()
    .where('workspace_id', '=', viewer.workspaceId)
    .where((eb) =>
      eb.and([
        ...(implied ? [] : visibleTo(eb, viewer)),
        ...matching(eb, viewer.workspaceId, found === null ? filters : { ...filters, q: undefined }, input, named),
        ...(found === null ? [] : [eb('moment.id', 'in', found)]),
        ...(after ? [following(eb, after)] : []),
      ]),
    );
  const rows: MomentRow[] = await ordered(query, sort, filters.ownerId !== undefined || filters.customerId !== undefined || filters.handoffTo !== undefined || found !== null).limit(pageLimit(limit + 1)).execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    data: page.map((row) => toMomentView(row, input.now, input.dueSoonMs)),
    nextCursor: rows.length > limit && last ? encodeMomentCursor(sort, last) : null,
  };
}

export type MomentCounts = {
  readonly mine: number;
  /** Hand-offs waiting for the viewer's answer. */
  readonly handoffs: number;
  readonly myTeams: number;
  readonly waiting: number;
  /** Only for viewers who see every moment of the workspace. */
  readonly all?: number;
  readonly breached: number;
  readonly dueSoon: number;
};

/**
 * The inbox badges of a viewer over open, pending and snoozed moments. `mine`, `myTeams` and
 * `waiting` are the viewer's own (an API key has neither an agent nor teams); `breached` and
 * `dueSoon` count what the viewer may see, so they match the list with the same sla filter.
 * Each query walks an index made for it (200,000 moments, 40,000 active: about 15 ms in all).
 */
export async function countMoments(db: Db, input: SlaClock & { readonly viewer: Viewer }): Promise<MomentCounts> {
  const { viewer } = input;
  const myTeamIds = await teamsOf(db, viewer);
  const count = async (where: (eb: Eb) => readonly Condition[]): Promise<number> => {
    const row = await db
      .selectFrom('moment')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('workspace_id', '=', viewer.workspaceId)
      .where('status', 'in', ACTIVE_STATUSES)
      .where((eb) => eb.and([...where(eb)]))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const [mine, handoffs, myTeams, waiting, sla] = await Promise.all([
    viewer.agentId === null ? 0 : count((eb) => [eb('owner_id', '=', viewer.agentId)]),
    viewer.agentId === null ? 0 : count((eb) => [handedTo(eb, { agentId: viewer.agentId!, teamIds: myTeamIds })]),
    myTeamIds.length === 0 ? 0 : count((eb) => [eb('team_id', 'in', myTeamIds)]),
    myTeamIds.length === 0 ? 0 : count((eb) => [eb('team_id', 'in', myTeamIds), eb('queued_at', 'is not', null)]),
    viewer.seesAll ? workspaceSlaCounts(db, viewer.workspaceId, input) : visibleSlaCounts(db, viewer, input),
  ]);
  return { mine, handoffs, myTeams, waiting, ...(viewer.seesAll ? { all: sla.all } : {}), breached: sla.breached, dueSoon: sla.dueSoon };
}

type SlaCounts = { readonly all: number; readonly breached: number; readonly dueSoon: number };

/**
 * Every active moment of the workspace, breached and due soon among them, in one pass over
 * moment_sla_state (workspace_id, status, sla_breached_at, sla_due_at): the index holds every
 * column the sums read. Counting team by team instead read each moment's row for its breach
 * time, about 150 ms for 40,000 active moments.
 */
async function workspaceSlaCounts(db: Db, workspaceId: string, clock: SlaClock): Promise<SlaCounts> {
  const when = (condition: (eb: Eb) => Condition) => (eb: Eb) => eb.fn.sum<number | string | null>(eb.case().when(condition(eb)).then(1).else(0).end());
  const row = await db
    .selectFrom('moment')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('all'),
      when((e) => slaIs(e, 'breached', clock))(eb).as('breached'),
      when((e) => slaIs(e, 'due_soon', clock))(eb).as('dueSoon'),
    ])
    .where('workspace_id', '=', workspaceId)
    .where('status', 'in', ACTIVE_STATUSES)
    .executeTakeFirstOrThrow();
  return { all: Number(row.all), breached: Number(row.breached ?? 0), dueSoon: Number(row.dueSoon ?? 0) };
}

/**
 * What an agent may see, read part by part (their teams', hand-offs to their teams, their own,
 * hand-offs to them), each by its own index, and counted once each here. One query with the
 * four-way OR let SQLite scan every active moment of the workspace instead (about 130 ms).
 */
async function visibleSlaCounts(db: Db, viewer: Viewer, clock: SlaClock): Promise<SlaCounts> {
  const parts = await Promise.all(
    visibilityParts(viewer).map((where) =>
      db.selectFrom('moment').select(['id', 'sla_breached_at', 'sla_due_at']).where('workspace_id', '=', viewer.workspaceId).where('status', 'in', ACTIVE_STATUSES).where(where).execute(),
    ),
  );
  const visible = new Map(parts.flat().map((row) => [row.id, row]));
  let breached = 0;
  let dueSoon = 0;
  for (const row of visible.values()) {
    if (slaHolds(row, 'breached', clock)) breached += 1;
    else if (slaHolds(row, 'due_soon', clock)) dueSoon += 1;
  }
  return { all: visible.size, breached, dueSoon };
}

/** An agent sees their teams' moments, their own, and hand-offs addressed to them or their teams. */
function visibleTo(eb: Eb, viewer: Viewer): Condition[] {
  return viewer.seesAll ? [] : [eb.or(visibilityParts(viewer).map((part) => part(eb)))];
}

/** The parts of an agent's view, each a condition of its own (the counts read them one by one). */
function visibilityParts(viewer: Viewer): ((eb: Eb) => Condition)[] {
  const teams = [...viewer.teamIds];
  const agentId = viewer.agentId;
  return [
    ...(teams.length > 0 ? [(eb: Eb) => eb('team_id', 'in', teams), (eb: Eb) => eb('handoff_team_id', 'in', teams)] : []),
    ...(agentId === null ? [] : [(eb: Eb) => eb('owner_id', '=', agentId), (eb: Eb) => eb('handoff_agent_id', '=', agentId)]),
  ];
}

/** The moments of these profiles (a customer named in a text search), by moment_by_customer. */
async function momentsOf(db: Db, workspaceId: string, profileIds: readonly string[]): Promise<string[]> {
  if (profileIds.length === 0) return [];
  const rows = await db.selectFrom('moment').select('id').where('workspace_id', '=', workspaceId).where('customer_id', 'in', profileIds).execute();
  return rows.map((r) => r.id);
}

/**
 * A hand-off waiting for this agent's answer: to them by name, or to one of their teams with no
 * person named, and not one they sent themselves (the sender owns the moment until it is taken).
 */
function handedTo(eb: Eb, to: { readonly agentId: string; readonly teamIds: readonly string[] }): Condition {
  const toTeam = to.teamIds.length === 0 ? [] : [eb.and([eb('handoff_agent_id', 'is', null), eb('handoff_team_id', 'in', to.teamIds)])];
  return eb.and([eb.or([eb('handoff_agent_id', '=', to.agentId), ...toTeam]), eb('owner_id', '!=', to.agentId)]);
}

/** `named`: profiles the text search names, whose moments match it too. */
function matching(eb: Eb, workspaceId: string, f: MomentFilters, clock: SlaClock, named: readonly string[]): Condition[] {
  // A customer's few moments are found by moment_by_customer; a status condition SQLite could
  // seek would lead it to walk every active moment of the workspace instead (unindexed.ts).
  const status = f.customerId !== undefined ? unindexedText('status') : eb.ref('status');
  const where: Condition[] = [eb(status, 'in', f.statuses && f.statuses.length > 0 ? f.statuses : ACTIVE_STATUSES)];
  if (f.ownerId !== undefined) where.push(eb('owner_id', '=', f.ownerId));
  if (f.teamId !== undefined) where.push(eb('team_id', '=', f.teamId));
  if (f.channel !== undefined) where.push(eb('channel', '=', f.channel));
  if (f.businessUnitId !== undefined) where.push(eb('business_unit_id', '=', f.businessUnitId));
  if (f.priorities && f.priorities.length > 0) where.push(eb('priority', 'in', f.priorities));
  if (f.customerId !== undefined) {
    // The customer as one person: their own moments and those of profiles merged with them.
    const root = eb.selectFrom('customer').select('root_id').where('workspace_id', '=', workspaceId).where('id', '=', f.customerId);
    where.push(eb('customer_id', 'in', eb.selectFrom('customer').select('id').where('workspace_id', '=', workspaceId).where('root_id', '=', root)));
  }
  if (f.queued !== undefined) where.push(eb('queued_at', f.queued ? 'is not' : 'is', null));
  if (f.handoffTo !== undefined) where.push(handedTo(eb, f.handoffTo));
  if (f.sla !== undefined) where.push(slaIs(eb, f.sla, clock));
  if (f.tag !== undefined) {
    // Stored as cleanTags wrote it: a tag given as it was typed ("VIP ") finds it.
    const tag = cleanTags([f.tag])[0] ?? '';
    where.push(eb('moment.id', 'in', eb.selectFrom('moment_tag').select('moment_tag.moment_id').where('moment_tag.workspace_id', '=', workspaceId).where('moment_tag.tag', '=', tag)));
  }
  const q = f.q?.trim().toLowerCase();
  if (q) {
    where.push(
      eb.or([
        ...(named.length > 0 ? [eb('moment.customer_id', 'in', named)] : []),
        foldedContains('moment.subject', q),
        foldedContains('moment.preview', q),
        eb.exists(
          eb
            .selectFrom('message')
            .select(eb.lit(1).as('found'))
            .where('message.workspace_id', '=', workspaceId)
            .whereRef('message.moment_id', '=', 'moment.id')
            .where(foldedContains('message.body', q)),
        ),
      ]),
    );
  }
  return where;
}

/** The same rule as slaStateOf: a recorded breach stays a breach; a passed deadline is one already. */
function slaIs(eb: Eb, state: 'breached' | 'due_soon', { now, dueSoonMs }: SlaClock): Condition {
  if (state === 'breached') return eb.or([eb('sla_breached_at', 'is not', null), eb('sla_due_at', '<=', now)]);
  return eb.and([eb('sla_breached_at', 'is', null), eb('sla_due_at', '>', now), eb('sla_due_at', '<=', now + dueSoonMs)]);
}

/** slaIs for a row in hand (the agent's counts): keep the two in step. */
function slaHolds(row: { readonly sla_breached_at: number | null; readonly sla_due_at: number | null }, state: 'breached' | 'due_soon', { now, dueSoonMs }: SlaClock): boolean {
  if (state === 'breached') return row.sla_breached_at !== null || (row.sla_due_at !== null && row.sla_due_at <= now);
  return row.sla_breached_at === null && row.sla_due_at !== null && row.sla_due_at > now && row.sla_due_at <= now + dueSoonMs;
}

/** Rows strictly after the cursor in the sort's order. */
function following(eb: Eb, after: CursorKey): Condition {
  switch (after.sort) {
    case 'recent':
      return eb(eb.refTuple('last_message_at', 'id'), '<', eb.tuple(after.at, after.id));
    case 'oldest':
      return eb(eb.refTuple('last_message_at', 'id'), '>', eb.tuple(after.at, after.id));
    case 'created':
      return eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(after.at, after.id));
    case 'sla':
      // Moments without a deadline come last, by id.
      return after.at === null
        ? eb.and([eb('sla_due_at', 'is', null), eb('id', '>', after.id)])
        : eb.or([eb(eb.refTuple('sla_due_at', 'id'), '>', eb.tuple(after.at, after.id)), eb('sla_due_at', 'is', null)]);
    case 'priority': {
      const rank = priorityRankOf(eb);
      return eb.or([eb(rank, '>', after.rank), eb.and([eb(rank, '=', after.rank), eb(eb.refTuple('last_message_at', 'id'), '<', eb.tuple(after.at, after.id))])]);
    }
  }
}

/**
 * `narrow`: a filter (owner, customer) whose own index finds few moments. Sorting those few
 * beats walking moment_recent until enough match, which SQLite would do if the order named the
 * indexed column (unindexed.ts).
 */
function ordered<O>(query: SelectQueryBuilder<Tables, 'moment', O>, sort: MomentSort, narrow: boolean): SelectQueryBuilder<Tables, 'moment', O> {
  switch (sort) {
    case 'recent':
      return query.orderBy(narrow ? unindexedNumber('last_message_at') : 'last_message_at', 'desc').orderBy('id', 'desc');
    case 'oldest':
      return query.orderBy(narrow ? unindexedNumber('last_message_at') : 'last_message_at', 'asc').orderBy('id', 'asc');
    case 'created':
      return query.orderBy('created_at', 'desc').orderBy('id', 'desc');
    case 'sla':
      return query.orderBy('sla_due_at', (o) => o.asc().nullsLast()).orderBy('id', 'asc');
    case 'priority':
      return query.orderBy((eb) => priorityRankOf(eb)).orderBy('last_message_at', 'desc').orderBy('id', 'desc');
  }
}

/** PRIORITY_ORDER as a number (urgent 0 … low 3, anything else 4), matching priorityRank. */
function priorityRankOf(eb: Eb): Expression<number> {
  const [first, ...rest] = PRIORITY_ORDER;
  let ranked = eb.case('priority').when(first).then(eb.lit<number>(0));
  rest.forEach((p, i) => {
    ranked = ranked.when(p).then(eb.lit(i + 1));
  });
  return ranked.else(eb.lit(PRIORITY_ORDER.length)).end();
}

/** The teams a viewer belongs to: an agent's come with the Viewer; an admin signed in as themselves is looked up. */
export async function teamsOf(db: Db, viewer: Viewer): Promise<string[]> {
  if (!viewer.seesAll || viewer.agentId === null) return [...viewer.teamIds];
  const rows = await db.selectFrom('team_member').select('team_id').where('workspace_id', '=', viewer.workspaceId).where('agent_id', '=', viewer.agentId).execute();
  return rows.map((r) => r.team_id);
}
