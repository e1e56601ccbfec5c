import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv, type ErrorObject } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { Static, TSchema } from '@sinclair/typebox';
import {
  AddMessageReply,
  AgentDetail,
  AgentList,
  ApiKeyList,
  AssignmentRule,
  AssignmentRuleList,
  BusinessHours,
  BusinessHoursList,
  BusinessUnit,
  BusinessUnitList,
  Channel,
  ChannelList,
  CreatedId,
  CreatedKey,
  CurrentSession,
  CustomerProfile,
  CustomersReply,
  MergeReply,
  MessagePage,
  MomentCounts,
  MomentPage,
  MomentView,
  OpenMomentReply,
  OwnershipLedger,
  PresenceReply,
  RevokedKey,
  RoutingTestResult,
  SignInReply,
  SlaPolicy,
  SlaPolicyList,
  StageOverrideReply,
  TeamDetail,
  TeamList,
  TeamMembersReply,
  TimelinePage,
  UnmergeReply,
  Workspace,
  WorkspaceSettings,
} from '@touchpoint/contracts';
import { ENGINES, startServer, type Running } from './harness.ts';
import { addAgent, addTeam, type Person } from './moments-fixtures.ts';

// The reply schemas only document (routes send their replies with JSON.stringify), so nothing
// else notices when a view gains, loses or retypes a field: these scenarios compare real
// replies with the schemas, validated the way Fastify validates requests (Ajv and its formats).
const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
ajvFormats.default(ajv);

/** What in a reply breaks the schema, one line per problem (empty when it conforms). */
function mismatches(schema: TSchema, body: unknown): string[] {
  const validate = ajv.compile(schema);
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

/** The tags of the routes whose replies this file vouches for; the last test holds it to all of them. */
const CHECKED_TAGS = ['customers', 'moments', 'sla', 'routing', 'channels', 'workspace', 'auth'];

/** A reply as an assertion message may show it: the values of the fields named secret are replaced. */
function shown(body: unknown, secrets: readonly string[]): string {
  return JSON.stringify(body, (field, value: unknown) => (secrets.includes(field) && typeof value === 'string' ? '(secret)' : value));
}

let seq = 0;
const mid = () => `contract-${Date.now()}-${++seq}`;

describe.each(ENGINES)('response contracts on %s', (engine) => {
  let s: Running;
  let ana: Person;
  let ben: Person;
  let teamId: string;
  /** `METHOD /api/v1/path/{id} status` of every reply checked. */
  const checked = new Set<string>();

  beforeAll(async () => {
    s = await startServer(engine);
    ana = await addAgent(s, { name: 'Ana' });
    ben = await addAgent(s, { name: 'Ben' });
    teamId = await addTeam(s, [ana, ben], { leadId: ben.id });
  });
  afterAll(async () => s?.stop());

  /**
   * Calls `route` (an OpenAPI path under /api/v1, `{id}` filled from `id`) and returns the reply
   * body once its status is `status` and it conforms to `schema`. Fields named in `secrets`
   * (tokens, keys) never reach a failure message; schema mismatches name paths, not values.
   */
  async function reply<T extends TSchema>(
    schema: T,
    status: number,
    method: string,
    route: string,
    options: { readonly id?: string; readonly query?: string; readonly body?: unknown; readonly token?: string; readonly secrets?: readonly string[] } = {},
  ): Promise<Static<T>> {
    const url = `/api/v1${route.replace('{id}', options.id ?? '')}${options.query ? `?${options.query}` : ''}`;
    const res = await s.api(method, url, options.body, options.token);
    const secrets = options.secrets ?? [];
    expect(res.status, `${method} ${url}: ${shown(res.body, secrets)}`).toBe(status);
    expect(mismatches(schema, res.body), `${method} ${route} replied ${shown(res.body, secrets)}`).toEqual([]);
    checked.add(`${method} /api/v1${route} ${status}`);
    return res.body;
  }

  it('customers: search, identity lookup, profile, timeline, stage, merge and unmerge', async () => {
    const identify = (body: Record<string, unknown>) => s.track('/v1/identify', { messageId: mid(), ...body });
    const profileOf = async (identity: string) => {
      const found = await reply(CustomersReply, 200, 'GET', '/customers', { query: `identity=${encodeURIComponent(identity)}` });
      expect(found.data).toHaveLength(1);
      return found.data[0] as Static<typeof CustomerProfile>;
    };

    await identify({ userId: 'ann-1', traits: { name: 'Ann Contract', email: 'ann.contract@example.com', phone: '+14155550123', plan: 'pro' } });
    await s.track('/v1/track', { messageId: mid(), userId: 'ann-1', event: 'Order Completed', properties: { total: 42.5 }, context: { page: { path: '/checkout' } } });
    await s.track('/v1/page', { messageId: mid(), userId: 'ann-1', name: 'Pricing' });
    const ann = await profileOf('user_id:ann-1');
    expect((await reply(CustomersReply, 200, 'GET', '/customers', { query: 'q=Contract' })).data.map((c) => c.id)).toContain(ann.id);
    expect((await reply(CustomersReply, 200, 'GET', '/customers', { query: 'identity=email:nobody.contract@example.com' })).data).toEqual([]);
    expect((await reply(CustomerProfile, 200, 'GET', '/customers/{id}', { id: ann.id })).counts.events).toBe(3);
    const firstPage = await reply(TimelinePage, 200, 'GET', '/customers/{id}/timeline', { id: ann.id, query: 'limit=2' });
    expect(firstPage.nextCursor).not.toBeNull();
    await reply(TimelinePage, 200, 'GET', '/customers/{id}/timeline', { id: ann.id, query: `cursor=${firstPage.nextCursor}` });

    const staged = await reply(StageOverrideReply, 200, 'PUT', '/customers/{id}/stage', { id: ann.id, body: { stage: 'advocate', reason: 'spoke at our meetup' } });
    expect(staged.stage).toBe('advocate');
    const overridden = await reply(CustomerProfile, 200, 'GET', '/customers/{id}', { id: ann.id });
    expect(overridden.stageOverride).not.toBeNull();
    expect(overridden.stageHistory).not.toEqual([]);

    // A second user id with the same email is a conflict; a person merges them anyway, then undoes it.
    await identify({ userId: 'carol-c1', traits: { email: 'carol.contract@example.com' } });
    await identify({ userId: 'carol-c2', anonymousId: 'carol-phone', traits: { email: 'carol.contract@example.com' } });
    const one = await profileOf('user_id:carol-c1');
    const two = await profileOf('user_id:carol-c2');
    expect(two.conflicts).not.toEqual([]);
    const merged = await reply(MergeReply, 200, 'POST', '/customers/merge', { body: { ids: [two.id, one.id], reason: 'same person, two logins', force: true } });
    const survivor = await reply(CustomerProfile, 200, 'GET', '/customers/{id}', { id: merged.absorbedId });
    expect(survivor.mergedProfileIds).toEqual([merged.absorbedId]);
    await reply(UnmergeReply, 200, 'POST', '/customers/{id}/unmerge', { id: merged.absorbedId, body: {} });
    const undone = await reply(CustomerProfile, 200, 'GET', '/customers/{id}', { id: merged.survivorId });
    expect(undone.merges[0]?.undoneAt).not.toBeNull();
  });

  it('moments: open, read, thread, replies and notes, changes, hand-off, ledger, merge, presence', async () => {
    const channel = 'contract-chat';
    await s.api('POST', '/api/v1/assignment-rules', { name: 'contract chat', conditions: { channels: [channel] }, teamId });
    const file = Buffer.from('%PDF-1.4 receipt');
    const opened = await reply(OpenMomentReply, 201, 'POST', '/moments', {
      body: { identity: 'email:moment.contract@example.com', name: 'Mo Contract', channel, externalId: 'conv-1', subject: 'Charged twice', language: 'en', tags: ['billing'], message: { body: 'Receipt attached', externalId: 'msg-1', attachments: [{ fileName: 'receipt.pdf', contentType: 'application/pdf', data: file.toString('base64') }] } },
    });
    const repeat = await reply(OpenMomentReply, 200, 'POST', '/moments', { body: { identity: 'email:moment.contract@example.com', channel, externalId: 'conv-1', message: { body: 'Receipt attached', externalId: 'msg-1' } } });
    expect(repeat).toMatchObject({ outcome: 'duplicate', message: { id: opened.message.id, attachments: [expect.objectContaining({ fileName: 'receipt.pdf' })] } });
    const id = opened.moment.id;
    const owner = opened.moment.ownerId === ana.id ? ana : ben;
    const other = owner === ana ? ben : ana;

    await reply(MomentView, 200, 'GET', '/moments/{id}', { id, token: owner.token });
    await reply(AddMessageReply, 201, 'POST', '/moments/{id}/messages', { id, body: { direction: 'out', body: 'Refunding the second charge now' }, token: owner.token });
    await reply(AddMessageReply, 201, 'POST', '/moments/{id}/messages', { id, body: { direction: 'note', body: `@${other.email} fyi`, mentions: [other.id] }, token: owner.token });
    const again = await reply(AddMessageReply, 200, 'POST', '/moments/{id}/messages', { id, body: { direction: 'in', body: 'Receipt attached', externalId: 'msg-1' } });
    expect(again.duplicate).toBe(true);
    const thread = await reply(MessagePage, 200, 'GET', '/moments/{id}/messages', { id, query: 'limit=2' });
    expect(thread.data[0]?.attachments).toHaveLength(1);
    await reply(MessagePage, 200, 'GET', '/moments/{id}/messages', { id, query: `after=${thread.nextCursor}` });

    await reply(MomentView, 200, 'PATCH', '/moments/{id}', { id, body: { priority: 'high', tags: ['billing', 'refund'], status: 'snoozed', snoozedUntil: new Date(Date.now() + 3_600_000).toISOString() }, token: owner.token });
    const handed = await reply(MomentView, 200, 'POST', '/moments/{id}/handoff', { id, body: { toAgentId: other.id, reason: 'billing question', note: 'Card charged twice' }, token: owner.token });
    expect(handed.handoff).not.toBeNull();
    await reply(MomentView, 200, 'POST', '/moments/{id}/handoff/decline', { id, body: { reason: 'not mine' }, token: other.token });
    await reply(MomentView, 200, 'POST', '/moments/{id}/handoff', { id, body: { toTeamId: teamId, reason: 'billing question' }, token: owner.token });
    await reply(MomentView, 200, 'POST', '/moments/{id}/handoff/accept', { id, body: {}, token: other.token });
    await reply(MomentView, 200, 'POST', '/moments/{id}/take-over', { id, body: { note: 'I know them' }, token: ana.token });
    await reply(MomentView, 200, 'POST', '/moments/{id}/escalate', { id, body: { reason: 'wants a manager', raisePriority: true }, token: ana.token });
    await reply(MomentView, 200, 'POST', '/moments/{id}/assign', { id, body: { agentId: ana.id, teamId, note: 'back to Ana' } });
    const ledger = await reply(OwnershipLedger, 200, 'GET', '/moments/{id}/ownership', { id });
    expect(ledger.data.length).toBeGreaterThan(3);

    const duplicate = await reply(OpenMomentReply, 201, 'POST', '/moments', { body: { customerId: opened.moment.customerId, channel: `${channel}-web`, message: { body: 'Same thing, by the web form' } } });
    expect((await reply(MomentView, 200, 'POST', '/moments/{id}/merge', { id, body: { duplicateId: duplicate.moment.id } })).messageCount).toBe(4);
    expect((await reply(MomentPage, 200, 'GET', '/moments', { query: `customer=${opened.moment.customerId}&status=open,pending,snoozed,resolved,closed` })).data).toHaveLength(2);
    await reply(MomentCounts, 200, 'GET', '/moments/counts', { token: ana.token });

    await reply(PresenceReply, 200, 'PUT', '/agents/{id}/presence', { id: ben.id, body: { presence: 'away' }, token: ben.token });
    await reply(PresenceReply, 200, 'PUT', '/agents/{id}/presence', { id: ben.id, body: { presence: 'online' }, token: ben.token });
  });

  it('SLA: business hours, policies, and a moment running against one', async () => {
    const hours = await reply(BusinessHours, 201, 'POST', '/business-hours', { body: { name: 'Lisbon office', timeZone: 'Europe/Lisbon', weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '12:30'], ['13:30', '17:00']] }, holidays: ['2026-12-25'] } });
    await reply(BusinessHours, 200, 'GET', '/business-hours/{id}', { id: hours.id });
    await reply(BusinessHours, 200, 'PATCH', '/business-hours/{id}', { id: hours.id, body: { weekly: { sat: [['10:00', '14:00']] } } });
    await reply(BusinessHoursList, 200, 'GET', '/business-hours');

    await reply(SlaPolicy, 201, 'POST', '/sla-policies', { body: { name: 'Anything', resolutionMinutes: 2880 } });
    const channel = 'contract-sla';
    const policy = await reply(SlaPolicy, 201, 'POST', '/sla-policies', {
      body: { name: 'Urgent chat', priority: 'urgent', channel, firstResponseMinutes: 5, nextResponseMinutes: 30, resolutionMinutes: 240, businessHoursId: hours.id, warnBeforeMinutes: 2, breachActions: ['notify_lead', 'raise_priority'] },
    });
    await reply(SlaPolicy, 200, 'GET', '/sla-policies/{id}', { id: policy.id });
    await reply(SlaPolicy, 200, 'PATCH', '/sla-policies/{id}', { id: policy.id, body: { businessHoursId: null, priority: null } });
    await reply(SlaPolicyList, 200, 'GET', '/sla-policies');

    const opened = await reply(OpenMomentReply, 201, 'POST', '/moments', { body: { identity: 'email:sla.contract@example.com', channel, priority: 'urgent', message: { body: 'Down!' } } });
    expect(opened.moment.sla.policyId).toBe(policy.id);
    expect(opened.moment.sla.dueAt).not.toBeNull();
  });

  it('routing settings: rules, the tester, an agent, a team and its members', async () => {
    const rule = await reply(AssignmentRule, 201, 'POST', '/assignment-rules', {
      body: { name: 'VIP Spanish', conditions: { channels: ['whatsapp'], stages: ['customer'], languages: ['es'], keywords: ['reembolso'], traits: { plan: 'enterprise', vip: true, seats: 50 } }, teamId, requiredSkills: ['spanish'], position: 0 },
    });
    await reply(AssignmentRule, 200, 'PATCH', '/assignment-rules/{id}', { id: rule.id, body: { enabled: false, conditions: { channels: ['whatsapp', 'chat'] } } });
    await reply(AssignmentRule, 200, 'PATCH', '/assignment-rules/{id}', { id: rule.id, body: { enabled: true } });
    const ids = (await reply(AssignmentRuleList, 200, 'GET', '/assignment-rules')).data.map((r) => r.id);
    await reply(AssignmentRuleList, 200, 'PUT', '/assignment-rules/order', { body: { ids: [...ids].reverse() } });
    expect((await reply(RoutingTestResult, 200, 'POST', '/assignment-rules/test', { body: { channel: 'whatsapp', text: 'quiero un reembolso' } })).matched).not.toBeNull();
    expect((await reply(RoutingTestResult, 200, 'POST', '/assignment-rules/test', { body: { channel: 'pigeon' } })).matched).toBeNull();

    await reply(AgentDetail, 200, 'GET', '/agents/{id}', { id: ana.id });
    await reply(AgentDetail, 200, 'PATCH', '/agents/{id}', { id: ana.id, body: { skills: ['spanish', 'billing'], capacity: { chat: 3, '*': 5 } } });
    await reply(TeamDetail, 200, 'GET', '/teams/{id}', { id: teamId });
    await reply(TeamDetail, 200, 'PATCH', '/teams/{id}', { id: teamId, body: { strategy: 'least_loaded', fallbackOwnerId: ana.id } });
    const carl = await addAgent(s, { name: 'Carl' });
    const members = await reply(TeamMembersReply, 200, 'PUT', '/teams/{id}/members', { id: teamId, body: { agentIds: [ana.id, ben.id, carl.id] } });
    expect(members.addedAgentIds).toEqual([carl.id]);
  });

  it('channels: connect, list, read, change', async () => {
    const whatsapp = await reply(Channel, 201, 'POST', '/channels', {
      body: { kind: 'whatsapp', name: 'WhatsApp contract', address: '+44 7700 900999', settings: { phoneNumberId: '99887766' }, secrets: { accessToken: 'EAAG-contract', appSecret: 'app-secret', verifyToken: 'verify' }, costPerContact: 0.42, currency: 'GBP' },
    });
    expect(whatsapp.webhooks).toHaveProperty('callback');
    expect((await reply(Channel, 201, 'POST', '/channels', { body: { kind: 'email', name: 'Contract mail', address: 'contract@acme.test' } })).webhooks).toEqual({});
    await reply(Channel, 200, 'GET', '/channels/{id}', { id: whatsapp.id });
    await reply(Channel, 200, 'PATCH', '/channels/{id}', { id: whatsapp.id, body: { enabled: false, secrets: { accessToken: 'EAAG-rotated' } } });
    expect((await reply(ChannelList, 200, 'GET', '/channels')).data.length).toBeGreaterThanOrEqual(2);
  });

  it('workspace: settings, business units, teams, agents, keys; signing in and who is calling', async () => {
    const workspace = await reply(Workspace, 200, 'GET', '/workspace');
    expect(workspace.id).toBe(s.workspace.workspaceId);
    // Known keys only: a key the patch adds beyond them would be stored and sent back (open sections).
    const settings = await reply(WorkspaceSettings, 200, 'PATCH', '/workspace/settings', {
      body: { defaultCountry: 'PT', identity: { limits: { email: 6 } }, lifecycle: { atRiskAfterDays: workspace.settings.lifecycle.atRiskAfterDays }, moments: { dueSoonMinutes: workspace.settings.moments.dueSoonMinutes } },
    });
    expect(settings.identity.limits.email).toBe(6);
    expect(await reply(WorkspaceSettings, 200, 'GET', '/workspace/settings')).toEqual(settings);
    await reply(WorkspaceSettings, 200, 'PATCH', '/workspace/settings', { body: { defaultCountry: null } });

    const unit = await reply(CreatedId, 201, 'POST', '/business-units', { body: { key: 'contract-bu', name: 'Contract brand' } });
    await reply(BusinessUnit, 200, 'PATCH', '/business-units/{id}', { id: unit.id, body: { name: 'Contract brand, renamed' } });
    expect((await reply(BusinessUnitList, 200, 'GET', '/business-units')).data.map((u) => u.id)).toContain(unit.id);
    await reply(CreatedId, 201, 'POST', '/teams', { body: { key: 'contract-team', name: 'Contract team', businessUnitId: unit.id, agentIds: [ana.id], strategy: 'skills', leadId: ana.id } });
    await reply(TeamList, 200, 'GET', '/teams');
    const password = 'a long enough contract password';
    const email = `dora.contract.${engine}@acme.test`;
    const dora = await reply(CreatedId, 201, 'POST', '/agents', { body: { email, name: 'Dora', role: 'agent', password, skills: ['billing'], capacity: { chat: 2 } } });
    expect((await reply(AgentList, 200, 'GET', '/agents')).data.map((a) => a.id)).toContain(dora.id);

    // The session token and the CSRF token are secrets: used, never shown.
    const signedIn = await reply(SignInReply, 201, 'POST', '/sessions', { body: { email, password }, secrets: ['token', 'csrfToken'] });
    expect(signedIn.agentId).toBe(dora.id);
    expect((await reply(CurrentSession, 200, 'GET', '/sessions/current', { token: signedIn.token })).agent?.id).toBe(dora.id);

    const writeKey = await reply(CreatedKey, 201, 'POST', '/keys', { body: { kind: 'write' }, secrets: ['key'] });
    const apiKey = await reply(CreatedKey, 201, 'POST', '/keys', { body: { kind: 'api', name: 'Contract script' }, secrets: ['key'] });
    const asKey = await reply(CurrentSession, 200, 'GET', '/sessions/current', { token: apiKey.key });
    expect(asKey.agent).toBeNull();
    const revoked = await reply(RevokedKey, 200, 'DELETE', '/keys/{id}', { id: apiKey.id });
    expect((await reply(RevokedKey, 200, 'DELETE', '/keys/{id}', { id: apiKey.id })).revokedAt).toBe(revoked.revokedAt);
    const listed = (await reply(ApiKeyList, 200, 'GET', '/keys')).data;
    expect(listed.find((k) => k.id === apiKey.id)?.revokedAt).toBe(revoked.revokedAt);
    expect(listed.find((k) => k.id === writeKey.id)).toMatchObject({ kind: 'write', revokedAt: null });
  });

  it('documents in /api/docs exactly the replies checked above', async () => {
    const docs = await s.api('GET', '/api/docs');
    const documented: string[] = [];
    for (const [path, operations] of Object.entries<Record<string, { tags?: string[]; responses?: Record<string, { content?: unknown }> }>>(docs.body.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        if (!op.tags?.some((t) => CHECKED_TAGS.includes(t))) continue;
        for (const [status, response] of Object.entries(op.responses ?? {})) {
          // Every operation documents its error reply (ErrorBody): checked below, not one by one.
          if (status === '4XX' || status === '5XX') continue;
          if (response.content) documented.push(`${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }
    expect(documented.sort()).toEqual([...checked].sort());
    // And every operation of the REST API names the error reply for its 4xx and 5xx.
    const errorRef = { $ref: '#/components/schemas/ErrorBody' };
    for (const [path, operations] of Object.entries<Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>(docs.body.paths)) {
      if (!path.startsWith('/api/v1/') || path === '/api/v1/stream') continue;
      for (const [method, op] of Object.entries(operations)) {
        for (const status of ['4XX', '5XX']) expect(op.responses?.[status]?.content?.['application/json']?.schema, `${method} ${path} ${status}`).toEqual(errorRef);
      }
    }
    expect(docs.body.components.schemas.ErrorBody.properties.error.required).toEqual(['code', 'message']);
  });
});
