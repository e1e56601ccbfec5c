import { describe, expect, it } from 'vitest';
import { aMoment } from '../../test/moment-fixture.ts';
import { filtersFromSearch, filtersToSearch, listParams, momentMatches, viewsFor, type InboxFilters, type Viewer } from './inbox-filters.ts';

const agent: Viewer = { agentId: 'bob', role: 'agent', teamIds: ['sales', 'service'] };
const admin: Viewer = { agentId: 'ana', role: 'admin', teamIds: ['service', 'sales'] };
const analyst: Viewer = { agentId: 'zoe', role: 'analyst', teamIds: [] };
const base: InboxFilters = { view: 'mine', sort: 'recent' };

describe('inbox filters → query parameters', () => {
  it('asks for my own moments in "Mine"', () => {
    expect(listParams(base, agent)).toEqual({ owner: 'me' });
  });

  it('lets an agent see all their teams at once (the API limits agents to their teams), or one team', () => {
    expect(listParams({ ...base, view: 'teams' }, agent)).toEqual({});
    expect(listParams({ ...base, view: 'teams', team: 'service' }, agent)).toEqual({ team: 'service' });
  });

  it("gives managers one team at a time: without a team they would list the whole workspace", () => {
    expect(listParams({ ...base, view: 'teams' }, admin)).toEqual({ team: 'service' });
    expect(listParams({ ...base, view: 'teams', team: 'sales' }, admin)).toEqual({ team: 'sales' });
    // Not one of theirs: back to their first team rather than someone else's.
    expect(listParams({ ...base, view: 'teams', team: 'marketing' }, admin)).toEqual({ team: 'service' });
  });

  it('lists the waiting line as queued moments of my teams', () => {
    expect(listParams({ ...base, view: 'waiting', team: 'sales' }, agent)).toEqual({ team: 'sales', queued: 'true' });
  });

  it('has nothing to ask when the view does not apply', () => {
    expect(listParams({ ...base, view: 'teams' }, analyst)).toBeNull();
    expect(listParams({ ...base, view: 'all' }, agent)).toBeNull();
    expect(listParams({ ...base, view: 'mine' }, { agentId: null, role: 'admin', teamIds: [] })).toBeNull();
  });

  it('turns every filter into the parameter the API names, lists comma-joined', () => {
    const params = listParams(
      { view: 'all', channel: 'email', status: ['open', 'pending'], priority: ['urgent', 'high'], businessUnit: 'bu1', sla: 'due_soon', tag: 'billing', q: 'refund', sort: 'sla' },
      admin,
    );
    expect(params).toEqual({ channel: 'email', status: 'open,pending', priority: 'urgent,high', businessUnit: 'bu1', sla: 'due_soon', tag: 'billing', q: 'refund', sort: 'sla' });
  });

  it('offers the "All" view only to roles that see every moment', () => {
    expect(viewsFor(agent)).toEqual(['mine', 'handoffs', 'teams', 'waiting']);
    expect(viewsFor(admin)).toEqual(['mine', 'handoffs', 'teams', 'waiting', 'all']);
  });

  it('opens everything for an analyst, who is never assigned a moment: no "Mine"', () => {
    expect(viewsFor(analyst)).toEqual(['all']);
    expect(viewsFor({ ...analyst, teamIds: ['sales'] })).toEqual(['teams', 'waiting', 'all']);
    expect(filtersFromSearch(new URLSearchParams(), analyst).view).toBe('all');
    expect(filtersFromSearch(new URLSearchParams('view=mine'), analyst).view).toBe('all');
    expect(filtersToSearch({ view: 'all', sort: 'recent' }, analyst).toString()).toBe('');
  });
});

describe('filters in the address bar', () => {
  it('round-trips, leaving defaults out', () => {
    const filters: InboxFilters = { view: 'waiting', team: 'sales', channel: 'whatsapp', status: ['snoozed'], priority: ['low'], sla: 'breached', tag: 'vip', q: 'order 1042', sort: 'oldest' };
    const search = filtersToSearch(filters, agent);
    expect(filtersFromSearch(new URLSearchParams(search.toString()), agent)).toEqual(filters);
    expect(filtersToSearch(base, agent).toString()).toBe('');
  });

  it('drops what it does not know, so an old bookmark still opens an inbox', () => {
    const filters = filtersFromSearch(new URLSearchParams('view=all&status=open,bogus&priority=nope&sla=later&sort=random'), agent);
    expect(filters).toEqual({ view: 'mine', status: ['open'], sort: 'recent' });
  });
});

describe('live changes against a list', () => {
  it('drops a moment taken by someone else from "Mine"', () => {
    expect(momentMatches(aMoment({ ownerId: 'ana' }), { owner: 'me' }, agent)).toBe('no');
    expect(momentMatches(aMoment({ ownerId: 'bob' }), { owner: 'me' }, agent)).toBe('yes');
  });

  it('lists in "Hand-offs" only what waits for the viewer\'s answer', () => {
    const handoff = { fromOwnerId: 'carl', toTeamId: null, toAgentId: 'bob', reason: 'billing', note: null, requestedAt: '', requestedBy: 'carl' };
    expect(listParams({ view: 'handoffs', sort: 'recent' }, agent)).toEqual({ handoff: 'me' });
    expect(momentMatches(aMoment({ ownerId: 'carl', handoff }), { handoff: 'me' }, agent)).toBe('yes');
    expect(momentMatches(aMoment({ ownerId: 'carl', handoff: { ...handoff, toAgentId: null, toTeamId: 'service' } }), { handoff: 'me' }, agent)).toBe('yes');
    expect(momentMatches(aMoment({ ownerId: 'carl', handoff: { ...handoff, toAgentId: 'dan' } }), { handoff: 'me' }, agent)).toBe('no');
    // Accepted: the hand-off is gone, and so is the row.
    expect(momentMatches(aMoment({ ownerId: 'bob', handoff: null }), { handoff: 'me' }, agent)).toBe('no');
  });

  it("keeps an agent's team list to what the API would show them", () => {
    expect(momentMatches(aMoment({ teamId: 'marketing', ownerId: 'carl' }), {}, agent)).toBe('no');
    expect(momentMatches(aMoment({ teamId: 'marketing', ownerId: 'carl', handoff: { fromOwnerId: 'carl', toTeamId: 'service', toAgentId: null, reason: 'billing', note: null, requestedAt: '', requestedBy: 'carl' } }), {}, agent)).toBe('yes');
    expect(momentMatches(aMoment({ teamId: 'marketing', ownerId: 'carl' }), {}, admin)).toBe('yes');
  });

  it('applies status (active by default), queue, channel, priority, SLA and tag', () => {
    expect(momentMatches(aMoment({ status: 'resolved' }), {}, admin)).toBe('no');
    expect(momentMatches(aMoment({ status: 'resolved' }), { status: 'resolved' }, admin)).toBe('yes');
    expect(momentMatches(aMoment({ queued: false }), { queued: 'true' }, admin)).toBe('no');
    expect(momentMatches(aMoment({ channel: 'email' }), { channel: 'chat' }, admin)).toBe('no');
    expect(momentMatches(aMoment({ priority: 'low' }), { priority: 'urgent,high' }, admin)).toBe('no');
    expect(momentMatches(aMoment({ sla: { state: 'due_soon' } }), { sla: 'breached' }, admin)).toBe('no');
    expect(momentMatches(aMoment({ tags: ['vip'] }), { tag: 'vip' }, admin)).toBe('yes');
  });

  it('cannot tell whether text is in a message body: maybe', () => {
    expect(momentMatches(aMoment(), { q: 'charged' }, admin)).toBe('yes');
    expect(momentMatches(aMoment(), { q: 'tracking number' }, admin)).toBe('maybe');
  });
});
