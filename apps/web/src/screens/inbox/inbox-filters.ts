import type { Moment, MomentStatus, Priority, Role } from '../../api/types.ts';

/**
 * The inboxes: my moments, hand-offs waiting for my answer, my teams', my teams'
 * first-in-first-out line, everything (by role).
 */
export type InboxView = 'mine' | 'handoffs' | 'teams' | 'waiting' | 'all';
export type InboxSort = 'recent' | 'oldest' | 'created' | 'sla' | 'priority';
export type SlaFilter = 'breached' | 'due_soon';

export type InboxFilters = {
  readonly view: InboxView;
  /** One of the viewer's teams; unset: all of them (agents) or the first (managers, who see everything otherwise). */
  readonly team?: string;
  readonly channel?: string;
  /** Unset: the active ones (open, pending, snoozed), as the API does. */
  readonly status?: readonly MomentStatus[];
  readonly priority?: readonly Priority[];
  /** From the header's business-unit switcher. */
  readonly businessUnit?: string;
  readonly sla?: SlaFilter;
  readonly tag?: string;
  readonly q?: string;
  readonly sort: InboxSort;
};

/** Who looks at the inbox: what decides which views exist and what "my teams" means. */
export type Viewer = { readonly agentId: string | null; readonly role: Role; readonly teamIds: readonly string[] };

export const ACTIVE_STATUSES: readonly MomentStatus[] = ['open', 'pending', 'snoozed'];
const STATUSES: readonly MomentStatus[] = ['open', 'pending', 'snoozed', 'resolved', 'closed'];
const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high', 'urgent'];
const VIEWS: readonly InboxView[] = ['mine', 'handoffs', 'teams', 'waiting', 'all'];
const SORTS: readonly InboxSort[] = ['recent', 'oldest', 'created', 'sla', 'priority'];

/** Owners, admins and analysts see every moment of the workspace; an agent sees their teams'. */
export const seesAll = (viewer: Viewer) => viewer.role !== 'agent' || viewer.agentId === null;

/** Analysts read; moments are never assigned to them, so "Mine" would always be empty. */
const isAssignable = (viewer: Viewer) => viewer.agentId !== null && viewer.role !== 'analyst';

/** The views this viewer has, in tab order. */
export function viewsFor(viewer: Viewer): InboxView[] {
  return VIEWS.filter((v) => {
    if (v === 'all') return seesAll(viewer);
    if (v === 'mine' || v === 'handoffs') return isAssignable(viewer);
    // Analysts are in no team unless an admin put them in one: the team views would only say so.
    return viewer.role !== 'analyst' || viewer.teamIds.length > 0;
  });
}

export function defaultView(viewer: Viewer): InboxView {
  return isAssignable(viewer) ? 'mine' : 'all';
}

/** Reads the filters from the address bar, dropping anything unknown (a stale bookmark never breaks the inbox). */
export function filtersFromSearch(search: URLSearchParams, viewer: Viewer): InboxFilters {
  const views = viewsFor(viewer);
  const view = search.get('view') as InboxView | null;
  const list = <T extends string>(name: string, allowed: readonly T[]): T[] | undefined => {
    const values = (search.get(name) ?? '').split(',').filter((v): v is T => (allowed as readonly string[]).includes(v));
    return values.length > 0 ? values : undefined;
  };
  const text = (name: string) => search.get(name)?.trim() || undefined;
  const sla = search.get('sla');
  const sort = search.get('sort') as InboxSort | null;
  return {
    view: view && views.includes(view) ? view : defaultView(viewer),
    team: text('team'),
    channel: text('channel'),
    status: list('status', STATUSES),
    priority: list('priority', PRIORITIES),
    sla: sla === 'breached' || sla === 'due_soon' ? sla : undefined,
    tag: text('tag'),
    q: text('q'),
    sort: sort && SORTS.includes(sort) ? sort : 'recent',
  };
}

/** The filters the address bar and the API both take, by the same names (those unset or at their default left out). */
function sharedParams(filters: InboxFilters): [string, string][] {
  const entries: [string, string | undefined][] = [
    ['channel', filters.channel],
    ['status', filters.status?.join(',')],
    ['priority', filters.priority?.join(',')],
    ['sla', filters.sla],
    ['tag', filters.tag],
    ['q', filters.q],
    ['sort', filters.sort === 'recent' ? undefined : filters.sort],
  ];
  return entries.filter((entry): entry is [string, string] => Boolean(entry[1]));
}

/** The filters as address-bar parameters (defaults left out, so a plain inbox has a plain URL). */
export function filtersToSearch(filters: InboxFilters, viewer: Viewer): URLSearchParams {
  const search = new URLSearchParams();
  if (filters.view !== defaultView(viewer)) search.set('view', filters.view);
  if (filters.team) search.set('team', filters.team);
  for (const [name, value] of sharedParams(filters)) search.set(name, value);
  return search;
}

/** The team a team view lists: the chosen one, else for managers their first (else they would list everything). */
export function teamOf(filters: InboxFilters, viewer: Viewer): string | undefined {
  if (filters.team && viewer.teamIds.includes(filters.team)) return filters.team;
  return seesAll(viewer) ? viewer.teamIds[0] : undefined;
}

/**
 * GET /api/v1/moments parameters for the filters, or null when the view has nothing to ask
 * (a team view for someone in no team, "all" for an agent). An agent's team views lean on
 * the API's visibility rule: without a team filter they get their teams' moments.
 */
export function listParams(filters: InboxFilters, viewer: Viewer): Record<string, string> | null {
  const params: Record<string, string> = {};
  switch (filters.view) {
    case 'mine':
      if (viewer.agentId === null) return null;
      params.owner = 'me';
      break;
    case 'handoffs':
      if (viewer.agentId === null) return null;
      params.handoff = 'me';
      break;
    case 'teams':
    case 'waiting': {
      if (viewer.teamIds.length === 0) return null;
      const team = teamOf(filters, viewer);
      if (team) params.team = team;
      if (filters.view === 'waiting') params.queued = 'true';
      break;
    }
    case 'all':
      if (!seesAll(viewer)) return null;
      break;
  }
  if (filters.businessUnit) params.businessUnit = filters.businessUnit;
  for (const [name, value] of sharedParams(filters)) params[name] = value;
  return params;
}

/**
 * Whether a moment changed live belongs in a list asked for with these parameters: 'yes',
 * 'no', or 'maybe' when only the server can tell (text that may be in a message body). A
 * 'maybe' moment stays if listed and is not added if not. Mirrors the API's filters and its
 * visibility rule, so the stream can keep every cached list right without refetching.
 */
export function momentMatches(moment: Moment, params: Readonly<Record<string, string>>, viewer: Viewer): 'yes' | 'no' | 'maybe' {
  if (params.owner === 'me' && moment.ownerId !== viewer.agentId) return 'no';
  if (params.handoff === 'me' && !awaitsViewersAnswer(moment, viewer)) return 'no';
  if (params.team !== undefined && moment.teamId !== params.team) return 'no';
  if (params.owner === undefined && params.team === undefined && !seesAll(viewer) && !visibleToAgent(moment, viewer)) return 'no';
  if (params.queued !== undefined && moment.queued !== (params.queued === 'true')) return 'no';
  const statuses = params.status ? params.status.split(',') : ACTIVE_STATUSES;
  if (!statuses.includes(moment.status)) return 'no';
  if (params.channel !== undefined && moment.channel !== params.channel) return 'no';
  if (params.priority !== undefined && !params.priority.split(',').includes(moment.priority)) return 'no';
  if (params.businessUnit !== undefined && moment.businessUnitId !== params.businessUnit) return 'no';
  if (params.sla !== undefined && moment.sla.state !== params.sla) return 'no';
  if (params.tag !== undefined && !moment.tags.includes(params.tag)) return 'no';
  if (params.q) {
    const q = params.q.toLowerCase();
    if (!moment.subject.toLowerCase().includes(q) && !moment.preview.toLowerCase().includes(q)) return 'maybe';
  }
  return 'yes';
}

/** The API's rule for agents: their teams' moments, their own, and hand-offs to them or their teams. */
function visibleToAgent(moment: Moment, viewer: Viewer): boolean {
  if (moment.teamId !== null && viewer.teamIds.includes(moment.teamId)) return true;
  if (moment.ownerId === viewer.agentId) return true;
  const h = moment.handoff;
  return h !== null && (h.toAgentId === viewer.agentId || (h.toTeamId !== null && viewer.teamIds.includes(h.toTeamId)));
}

/**
 * Whether the moment's pending hand-off waits for this viewer to accept or decline: handed to
 * them, or to one of their teams without naming a person. Analysts only read.
 */
export function awaitsViewersAnswer(moment: Moment, viewer: Viewer): boolean {
  const h = moment.handoff;
  if (h === null || viewer.role === 'analyst' || h.fromOwnerId === viewer.agentId) return false;
  return h.toAgentId === null ? h.toTeamId !== null && viewer.teamIds.includes(h.toTeamId) : h.toAgentId === viewer.agentId;
}

/** How many filters beyond the view are on (the "Clear filters" badge). */
export function activeFilterCount(filters: InboxFilters): number {
  return [filters.channel, filters.status?.length, filters.priority?.length, filters.sla, filters.tag, filters.q].filter(Boolean).length;
}
