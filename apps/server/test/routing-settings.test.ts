import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWorkspace, type CreatedWorkspace } from '../src/modules/workspaces/index.ts';
import { ENGINES, startServer, type Running, expectError, expectOk } from './harness.ts';


/** Routing settings over HTTP: rules and their tester, agents' skills and capacity, teams. */
describe.each(ENGINES)('routing settings on %s', (engine) => {
  let s: Running;
  let other: CreatedWorkspace;
  const tokens: Record<'admin' | 'agent' | 'analyst', string> = { admin: '', agent: '', analyst: '' };
  const ids: Record<'admin' | 'agent' | 'analyst' | 'sales' | 'support' | 'vip' | 'otherTeam' | 'otherAgent', string> = {
    admin: '',
    agent: '',
    analyst: '',
    sales: '',
    support: '',
    vip: '',
    otherTeam: '',
    otherAgent: '',
  };
  const password = 'a long enough password';

  const ok = expectOk;
  const fails = expectError;
  const asOther = (method: string, route: string, body?: unknown) => s.api(method, route, body, other.apiKey);
  const rulesNow = async (): Promise<{ id: string; name: string; position: number }[]> => ok(await s.api('GET', '/api/v1/assignment-rules')).data;
  const test = async (facts: Record<string, unknown>) => ok(await s.api('POST', '/api/v1/assignment-rules/test', facts));

  beforeAll(async () => {
    s = await startServer(engine);
    for (const role of ['admin', 'agent', 'analyst'] as const) {
      ids[role] = ok(await s.api('POST', '/api/v1/agents', { email: `${role}@acme.test`, name: `The ${role}`, role, password }), 201).id;
      tokens[role] = ok(await s.api('POST', '/api/v1/sessions', { email: `${role}@acme.test`, password }), 201).token;
    }
    ids.sales = ok(await s.api('POST', '/api/v1/teams', { key: 'sales', name: 'Sales', agentIds: [ids.agent] }), 201).id;
    ids.support = ok(await s.api('POST', '/api/v1/teams', { key: 'support', name: 'Support' }), 201).id;
    ids.vip = ok(await s.api('POST', '/api/v1/teams', { key: 'vip', name: 'VIP desk' }), 201).id;
    other = await createWorkspace(s.tp.deps, { name: 'Beta', ownerEmail: 'owner@beta.test', ownerPassword: 'another horse battery' });
    ids.otherTeam = ok(await asOther('POST', '/api/v1/teams', { key: 'sales', name: 'Beta sales' }), 201).id;
    ids.otherAgent = ok(await asOther('POST', '/api/v1/agents', { email: 'agent@beta.test', name: 'Beta agent', role: 'agent', password }), 201).id;
  });
  afterAll(async () => {
    await s?.stop();
  });
  // Each scenario starts without rules and without a default team.
  beforeEach(async () => {
    for (const rule of await rulesNow()) ok(await s.api('DELETE', `/api/v1/assignment-rules/${rule.id}`), 204);
    ok(await s.api('PATCH', '/api/v1/workspace/settings', { moments: { defaultTeamId: null } }));
  });

  it('creates, lists, changes and deletes rules, keeping their order dense', async () => {
    const a = ok(await s.api('POST', '/api/v1/assignment-rules', { name: 'Spanish chat', conditions: { channels: ['chat'], languages: ['es'] }, teamId: ids.sales }), 201);
    expect(a).toMatchObject({ name: 'Spanish chat', position: 0, teamId: ids.sales, requiredSkills: [], enabled: true, conditions: { channels: ['chat'], languages: ['es'] } });
    expect(typeof a.createdAt).toBe('string');
    const b = ok(await s.api('POST', '/api/v1/assignment-rules', { name: 'Refunds', conditions: { keywords: ['refund', 'money back'] }, teamId: ids.support, requiredSkills: ['billing', 'billing'] }), 201);
    expect(b).toMatchObject({ position: 1, requiredSkills: ['billing'] });
    const first = ok(await s.api('POST', '/api/v1/assignment-rules', { name: 'VIPs first', conditions: { traits: { vip: true } }, teamId: ids.vip, position: 0 }), 201);
    expect(first.position).toBe(0);
    expect((await rulesNow()).map((r) => [r.name, r.position])).toEqual([
      ['VIPs first', 0],
      ['Spanish chat', 1],
      ['Refunds', 2],
    ]);

    const changed = ok(await s.api('PATCH', `/api/v1/assignment-rules/${b.id}`, { name: 'Refunds and returns', conditions: { keywords: ['refund', 'return'] }, enabled: false }));
    expect(changed).toMatchObject({ id: b.id, name: 'Refunds and returns', conditions: { keywords: ['refund', 'return'] }, teamId: ids.support, requiredSkills: ['billing'], enabled: false, position: 2 });
    expect((await rulesNow()).find((r) => r.id === b.id)).toEqual(changed);

    expect((await s.api('DELETE', `/api/v1/assignment-rules/${first.id}`)).status).toBe(204);
    fails(await s.api('DELETE', `/api/v1/assignment-rules/${first.id}`), 404, 'resource_not_found');
    fails(await s.api('PATCH', `/api/v1/assignment-rules/${first.id}`, { name: 'gone' }), 404, 'resource_not_found');
    expect((await rulesNow()).map((r) => [r.name, r.position])).toEqual([
      ['Spanish chat', 0],
      ['Refunds and returns', 1],
    ]);
  });

  it('reorders rules only from the complete list of them', async () => {
    const made: string[] = [];
    for (const name of ['one', 'two', 'three']) made.push(ok(await s.api('POST', '/api/v1/assignment-rules', { name, teamId: ids.sales }), 201).id);
    const [one, two, three] = made as [string, string, string];
    const reordered = ok(await s.api('PUT', '/api/v1/assignment-rules/order', { ids: [three, one, two] }));
    expect(reordered.data.map((r: any) => [r.name, r.position])).toEqual([
      ['three', 0],
      ['one', 1],
      ['two', 2],
    ]);
    fails(await s.api('PUT', '/api/v1/assignment-rules/order', { ids: [three, one] }), 400, 'invalid_field', 'ids');
    fails(await s.api('PUT', '/api/v1/assignment-rules/order', { ids: [three, one, one] }), 400, 'invalid_field', 'ids');
    fails(await s.api('PUT', '/api/v1/assignment-rules/order', { ids: [three, one, two, 'nope'] }), 400, 'invalid_field', 'ids');
    fails(await s.api('PUT', '/api/v1/assignment-rules/order', {}), 400, 'missing_field', 'ids');
    expect((await rulesNow()).map((r) => r.name)).toEqual(['three', 'one', 'two']);
  });

  it('answers which team a moment would go to', async () => {
    const vip = ok(await s.api('POST', '/api/v1/assignment-rules', { name: 'VIP', conditions: { traits: { plan: 'enterprise' } }, teamId: ids.vip }), 201);
    const spanish = ok(await s.api('POST', '/api/v1/assignment-rules', { name: 'Spanish', conditions: { channels: ['chat', 'whatsapp'], languages: ['es'] }, teamId: ids.sales }), 201);
    const refunds = ok(await s.api('POST', '/api/v1/assignment-rules', { name: 'Refunds', conditions: { keywords: ['reembolso', 'refund'] }, teamId: ids.support }), 201);

    expect(await test({ channel: 'chat', language: 'es-MX', text: 'Hola' })).toEqual({
      matched: { ruleId: spanish.id, ruleName: 'Spanish', teamId: ids.sales, teamName: 'Sales' },
      fallback: { teamId: null, teamName: null },
    });
    expect((await test({ channel: 'chat', language: 'es', traits: { plan: 'Enterprise' } })).matched.ruleId).toBe(vip.id);
    expect((await test({ channel: 'email', text: 'Quiero un REEMBOLSO.' })).matched.ruleId).toBe(refunds.id);
    // Nothing matches and no default team: the workspace owner would hold it.
    expect(await test({ channel: 'email', text: 'hello' })).toEqual({ matched: null, fallback: { teamId: null, teamName: null } });

    fails(await s.api('PATCH', '/api/v1/workspace/settings', { moments: { defaultTeamId: 'no-such-team' } }), 400, 'invalid_field', 'moments.defaultTeamId');
    fails(await s.api('PATCH', '/api/v1/workspace/settings', { moments: { defaultTeamId: ids.otherTeam } }), 400, 'invalid_field', 'moments.defaultTeamId');
    ok(await s.api('PATCH', '/api/v1/workspace/settings', { moments: { defaultTeamId: ids.support } }));
    expect(await test({ channel: 'email', text: 'hello' })).toEqual({ matched: null, fallback: { teamId: ids.support, teamName: 'Support' } });

    // A disabled rule is not tried; an agent may ask too.
    ok(await s.api('PATCH', `/api/v1/assignment-rules/${refunds.id}`, { enabled: false }));
    expect(ok(await s.api('POST', '/api/v1/assignment-rules/test', { channel: 'email', text: 'refund please' }, tokens.agent)).matched).toBeNull();

  });

  it('names the field of every bad input', async () => {
    const create = (body: Record<string, unknown>) => s.api('POST', '/api/v1/assignment-rules', { name: 'bad', teamId: ids.sales, ...body });
    fails(await create({ teamId: 'no-such-team' }), 400, 'invalid_field', 'teamId');
    fails(await create({ teamId: ids.otherTeam }), 400, 'invalid_field', 'teamId');
    fails(await create({ conditions: { channel: ['chat'] } }), 400, 'invalid_field', 'conditions.channel');
    fails(await create({ conditions: { languages: ['not a language'] } }), 400, 'invalid_field', 'conditions.languages');
    fails(await create({ conditions: { keywords: ['!!!'] } }), 400, 'invalid_field', 'conditions.keywords');
    fails(await create({ conditions: { channels: ['chat room'] } }), 400, 'invalid_field', 'conditions.channels');
    fails(await create({ conditions: { traits: { plan: { is: 'pro' } } } }), 400, 'invalid_field', 'conditions.traits.plan');
    fails(await create({ conditions: { businessUnitIds: ['no-such-unit'] } }), 400, 'invalid_field', 'conditions.businessUnitIds');
    // The tester takes the facts a moment would: no unknown business unit, a language as a moment names it.
    fails(await s.api('POST', '/api/v1/assignment-rules/test', { channel: 'email', businessUnitId: 'no-such-unit' }), 400, 'invalid_field', 'businessUnitId');
    fails(await s.api('POST', '/api/v1/assignment-rules/test', { channel: 'email', language: '!!' }), 400, 'invalid_field', 'language');
    const stages = await create({ conditions: { stages: ['vip'] } });
    fails(stages, 400, 'invalid_field');
    expect(stages.body.error.field).toMatch(/^conditions\.stages/);
    fails(await create({ name: '   ' }), 400, 'invalid_field', 'name');
    fails(await s.api('POST', '/api/v1/assignment-rules', { teamId: ids.sales }), 400, 'missing_field', 'name');
    fails(await create({ requiredSkills: [' spaced '] }), 400, 'invalid_field', 'requiredSkills.0');
    fails(await create({ position: -1 }), 400, 'invalid_field', 'position');
    expect(await rulesNow()).toEqual([]);

    fails(await s.api('PATCH', `/api/v1/teams/${ids.sales}`, { strategy: 'random' }), 400, 'invalid_field', 'strategy');
    fails(await s.api('PATCH', `/api/v1/teams/${ids.sales}`, { fallbackOwnerId: 'nobody' }), 400, 'invalid_field', 'fallbackOwnerId');
    fails(await s.api('PATCH', `/api/v1/teams/${ids.sales}`, { leadId: ids.analyst }), 400, 'invalid_field', 'leadId');
    fails(await s.api('PATCH', `/api/v1/teams/${ids.sales}`, { businessUnitId: 'nowhere' }), 400, 'invalid_field', 'businessUnitId');
    fails(await s.api('PATCH', `/api/v1/agents/${ids.agent}`, { capacity: { Chat: 3 } }), 400, 'invalid_field', 'capacity.Chat');
    fails(await s.api('PATCH', `/api/v1/agents/${ids.agent}`, { capacity: { chat: 1001 } }), 400, 'invalid_field', 'capacity.chat');
    fails(await s.api('PATCH', `/api/v1/agents/${ids.agent}`, { role: 'boss' }), 400, 'invalid_field', 'role');
    fails(await s.api('PATCH', `/api/v1/agents/${ids.agent}`, { presence: 'online' }), 400, 'invalid_field', 'presence');
    fails(await s.api('PUT', `/api/v1/teams/${ids.sales}/members`, { agentIds: ['nobody'] }), 400, 'invalid_field', 'agentIds');
    fails(await s.api('POST', '/api/v1/teams', { key: 'x', name: 'X', fallbackOwnerId: 'nobody' }), 400, 'invalid_field', 'fallbackOwnerId');
    fails(await s.api('POST', '/api/v1/agents', { email: 'x@acme.test', name: 'X', role: 'agent', password, skills: [''] }), 400, 'invalid_field', 'skills.0');
    fails(await s.api('POST', '/api/v1/agents', { email: 'x@acme.test', name: 'X', role: 'agent', password, capacity: { chat: -1 } }), 400, 'invalid_field', 'capacity.chat');
  });

  it('lets analysts and agents read but not write', async () => {
    const rule = ok(await s.api('POST', '/api/v1/assignment-rules', { name: 'Any', teamId: ids.sales }), 201);
    for (const who of ['agent', 'analyst'] as const) {
      const as = (method: string, route: string, body?: unknown) => s.api(method, route, body, tokens[who]);
      expect(ok(await as('GET', '/api/v1/assignment-rules')).data.map((r: any) => r.id)).toEqual([rule.id]);
      expect(ok(await as('GET', `/api/v1/teams/${ids.sales}`)).id).toBe(ids.sales);
      expect(ok(await as('GET', `/api/v1/agents/${ids.agent}`)).id).toBe(ids.agent);
      fails(await as('POST', '/api/v1/assignment-rules', { name: 'x', teamId: ids.sales }), 403, 'forbidden');
      fails(await as('PATCH', `/api/v1/assignment-rules/${rule.id}`, { name: 'x' }), 403, 'forbidden');
      fails(await as('DELETE', `/api/v1/assignment-rules/${rule.id}`), 403, 'forbidden');
      fails(await as('PUT', '/api/v1/assignment-rules/order', { ids: [rule.id] }), 403, 'forbidden');
      fails(await as('PATCH', `/api/v1/agents/${ids[who]}`, { skills: ['anything'] }), 403, 'forbidden');
      fails(await as('PATCH', `/api/v1/agents/${ids[who]}`, { role: 'owner' }), 403, 'forbidden');
      fails(await as('PATCH', `/api/v1/teams/${ids.sales}`, { name: 'x' }), 403, 'forbidden');
      fails(await as('PUT', `/api/v1/teams/${ids.sales}/members`, { agentIds: [] }), 403, 'forbidden');
      fails(await as('PATCH', '/api/v1/workspace/settings', { moments: { defaultTeamId: ids.sales } }), 403, 'forbidden');
    }
    // An admin's session may write.
    ok(await s.api('PATCH', `/api/v1/assignment-rules/${rule.id}`, { name: 'Anything' }, tokens.admin));
    expect((await rulesNow())[0]?.name).toBe('Anything');
  });

  it("never lets one workspace read or change another's rules, teams or agents", async () => {
    const rule = ok(await s.api('POST', '/api/v1/assignment-rules', { name: 'Mine', conditions: { channels: ['email'] }, teamId: ids.sales }), 201);
    fails(await asOther('PATCH', `/api/v1/assignment-rules/${rule.id}`, { name: 'stolen' }), 404, 'resource_not_found');
    fails(await asOther('DELETE', `/api/v1/assignment-rules/${rule.id}`), 404, 'resource_not_found');
    fails(await asOther('PUT', '/api/v1/assignment-rules/order', { ids: [rule.id] }), 400, 'invalid_field', 'ids');
    fails(await asOther('POST', '/api/v1/assignment-rules', { name: 'x', teamId: ids.sales }), 400, 'invalid_field', 'teamId');
    expect(ok(await asOther('GET', '/api/v1/assignment-rules')).data).toEqual([]);
    expect(ok(await asOther('POST', '/api/v1/assignment-rules/test', { channel: 'email' })).matched).toBeNull();

    fails(await asOther('GET', `/api/v1/teams/${ids.sales}`), 404, 'resource_not_found');
    fails(await asOther('PATCH', `/api/v1/teams/${ids.sales}`, { name: 'stolen' }), 404, 'resource_not_found');
    fails(await asOther('PUT', `/api/v1/teams/${ids.sales}/members`, { agentIds: [] }), 404, 'resource_not_found');
    fails(await asOther('GET', `/api/v1/agents/${ids.agent}`), 404, 'resource_not_found');
    fails(await asOther('PATCH', `/api/v1/agents/${ids.agent}`, { skills: [] }), 404, 'resource_not_found');
    // Naming another workspace's agent in one's own team.
    fails(await asOther('PATCH', `/api/v1/teams/${ids.otherTeam}`, { fallbackOwnerId: ids.agent }), 400, 'invalid_field', 'fallbackOwnerId');
    fails(await asOther('PUT', `/api/v1/teams/${ids.otherTeam}/members`, { agentIds: [ids.agent] }), 400, 'invalid_field', 'agentIds');
    fails(await s.api('PUT', `/api/v1/teams/${ids.sales}/members`, { agentIds: [ids.otherAgent] }), 400, 'invalid_field', 'agentIds');

    // Nothing moved.
    expect(ok(await s.api('GET', '/api/v1/assignment-rules')).data).toEqual([{ ...rule }]);
    const sales = ok(await s.api('GET', `/api/v1/teams/${ids.sales}`));
    expect(sales.name).toBe('Sales');
    expect(sales.members.map((m: any) => m.id)).toEqual([ids.agent]);
  });

  it('round-trips team settings, on creation and by patch', async () => {
    const created = ok(
      await s.api('POST', '/api/v1/teams', { key: 'billing', name: 'Billing', agentIds: [ids.agent], strategy: 'skills', fallbackOwnerId: ids.admin, leadId: s.workspace.ownerId }),
      201,
    );
    const billing = ok(await s.api('GET', `/api/v1/teams/${created.id}`));
    expect(billing).toMatchObject({ id: created.id, key: 'billing', name: 'Billing', businessUnitId: null, strategy: 'skills', fallbackOwnerId: ids.admin, leadId: s.workspace.ownerId });
    expect(billing.members).toEqual([{ id: ids.agent, name: 'The agent', email: 'agent@acme.test', role: 'agent', presence: 'offline' }]);

    const unit = ok(await s.api('POST', '/api/v1/business-units', { key: 'eu', name: 'Europe' }), 201);
    const patched = ok(await s.api('PATCH', `/api/v1/teams/${created.id}`, { name: 'Billing EU', strategy: 'least_loaded', fallbackOwnerId: null, leadId: ids.admin, businessUnitId: unit.id }));
    expect(patched).toMatchObject({ name: 'Billing EU', strategy: 'least_loaded', fallbackOwnerId: null, leadId: ids.admin, businessUnitId: unit.id });
    expect(ok(await s.api('GET', `/api/v1/teams/${created.id}`))).toEqual(patched);
    // Omitted fields stay as they were.
    expect(ok(await s.api('PATCH', `/api/v1/teams/${created.id}`, {}))).toEqual(patched);
    // The team list carries the new names too.
    expect(ok(await s.api('GET', '/api/v1/teams')).data.find((t: any) => t.id === created.id).name).toBe('Billing EU');
  });

  it('answers an unknown id in the path with a 404 naming it', async () => {
    const unknown = '01a00000-0000-7000-8000-000000000000';
    for (const [method, route, body] of [
      ['GET', `/api/v1/teams/${unknown}`],
      ['GET', `/api/v1/agents/${unknown}`],
      ['PATCH', `/api/v1/assignment-rules/${unknown}`, { name: 'x' }],
      ['GET', `/api/v1/business-hours/${unknown}`],
      ['GET', `/api/v1/sla-policies/${unknown}`],
      ['PATCH', `/api/v1/business-units/${unknown}`, { name: 'x' }],
      ['POST', `/api/v1/customers/${unknown}/unmerge`, {}],
    ] as const) {
      const reply = await s.api(method, route, body);
      expect([reply.status, reply.body.error?.field], `${method} ${route}`).toEqual([404, 'id']);
    }
    // A moment named in the body is named by its field.
    const moment = ok(await s.api('POST', '/api/v1/moments', { identity: 'email:fields@example.com', channel: 'email', message: { body: 'hello' } }), 201).moment;
    fails(await s.api('POST', `/api/v1/moments/${moment.id}/merge`, { duplicateId: unknown }), 404, 'moment_not_found', 'duplicateId');
  });

  it('round-trips agent skills, capacity, name and role; keeps an owner', async () => {
    const made = ok(
      await s.api('POST', '/api/v1/agents', { email: 'skilled@acme.test', name: 'Skilled', role: 'agent', password, skills: ['spanish', 'billing', 'spanish'], capacity: { chat: 3, '*': 5 } }),
      201,
    );
    expect(ok(await s.api('GET', `/api/v1/agents/${made.id}`))).toMatchObject({ skills: ['spanish', 'billing'], capacity: { chat: 3, '*': 5 }, presence: 'offline', presenceAt: null, teams: [] });

    const patched = ok(await s.api('PATCH', `/api/v1/agents/${made.id}`, { name: 'Skilled One', skills: ['german'], capacity: { email: 10, voice: 0 } }));
    expect(patched).toMatchObject({ id: made.id, email: 'skilled@acme.test', name: 'Skilled One', role: 'agent', skills: ['german'], capacity: { email: 10, voice: 0 } });
    expect(ok(await s.api('GET', `/api/v1/agents/${made.id}`))).toEqual(patched);

    const agent = ok(await s.api('GET', `/api/v1/agents/${ids.agent}`));
    expect(agent.teams.map((t: any) => t.id)).toEqual(expect.arrayContaining([ids.sales]));

    // A role change takes effect on the agent's live session at once.
    const session = ok(await s.api('POST', '/api/v1/sessions', { email: 'skilled@acme.test', password }), 201).token;
    fails(await s.api('PATCH', `/api/v1/teams/${ids.vip}`, { name: 'VIP' }, session), 403, 'forbidden');
    expect(ok(await s.api('PATCH', `/api/v1/agents/${made.id}`, { role: 'admin' })).role).toBe('admin');
    ok(await s.api('PATCH', `/api/v1/teams/${ids.vip}`, { name: 'VIP' }, session));

    // Only an owner makes owners or changes an owner's role: an admin, or an API key (which acts
    // as one), could otherwise make themselves owner and then demote the owner.
    const owner = ok(await s.api('POST', '/api/v1/sessions', { email: 'owner@acme.test', password: 'correct horse battery' }), 201).token;
    for (const admin of [session, undefined]) {
      fails(await s.api('POST', '/api/v1/agents', { email: 'rogue@acme.test', name: 'Rogue', role: 'owner', password }, admin), 403, 'forbidden', 'role');
      fails(await s.api('PATCH', `/api/v1/agents/${made.id}`, { role: 'owner' }, admin), 403, 'forbidden', 'role');
      fails(await s.api('PATCH', `/api/v1/agents/${s.workspace.ownerId}`, { role: 'analyst' }, admin), 403, 'forbidden', 'role');
    }
    expect(ok(await s.api('GET', `/api/v1/agents/${s.workspace.ownerId}`)).role).toBe('owner');
    // The only owner cannot be demoted, even by themselves; once there is a second, they can.
    fails(await s.api('PATCH', `/api/v1/agents/${s.workspace.ownerId}`, { role: 'admin' }, owner), 409, 'conflict', 'role');
    ok(await s.api('PATCH', `/api/v1/agents/${made.id}`, { role: 'owner' }, owner));
    ok(await s.api('PATCH', `/api/v1/agents/${s.workspace.ownerId}`, { role: 'admin' }, session));
    fails(await s.api('PATCH', `/api/v1/agents/${made.id}`, { role: 'agent' }, session), 409, 'conflict', 'role');
    ok(await s.api('PATCH', `/api/v1/agents/${s.workspace.ownerId}`, { role: 'owner' }, session));
    ok(await s.api('PATCH', `/api/v1/agents/${made.id}`, { role: 'agent' }, owner));
  });

  it('replaces team members, telling who came and went', async () => {
    const team = ok(await s.api('POST', '/api/v1/teams', { key: 'returns', name: 'Returns', agentIds: [ids.agent, ids.admin] }), 201).id;
    const replaced = ok(await s.api('PUT', `/api/v1/teams/${team}/members`, { agentIds: [ids.admin, s.workspace.ownerId, s.workspace.ownerId] }));
    expect(replaced.addedAgentIds).toEqual([s.workspace.ownerId]);
    expect(replaced.removedAgentIds).toEqual([ids.agent]);
    expect(replaced.members.map((m: any) => m.id).sort()).toEqual([ids.admin, s.workspace.ownerId].sort());
    const emptied = ok(await s.api('PUT', `/api/v1/teams/${team}/members`, { agentIds: [] }));
    expect(emptied.members).toEqual([]);
    expect([...emptied.removedAgentIds].sort()).toEqual([ids.admin, s.workspace.ownerId].sort());
  });

  it('audits every change', async () => {
    const rule = ok(await s.api('POST', '/api/v1/assignment-rules', { name: 'Audited', teamId: ids.sales }), 201);
    ok(await s.api('PATCH', `/api/v1/assignment-rules/${rule.id}`, { enabled: false }));
    ok(await s.api('PUT', '/api/v1/assignment-rules/order', { ids: [rule.id] }));
    ok(await s.api('DELETE', `/api/v1/assignment-rules/${rule.id}`), 204);
    ok(await s.api('PATCH', `/api/v1/teams/${ids.support}`, { strategy: 'least_loaded' }));
    ok(await s.api('PUT', `/api/v1/teams/${ids.support}/members`, { agentIds: [ids.agent] }));
    ok(await s.api('PATCH', `/api/v1/agents/${ids.agent}`, { skills: ['audited'] }));
    const rows = await s.tp.deps.db.selectFrom('audit').select(['action', 'target']).where('workspace_id', '=', s.workspace.workspaceId).execute();
    const seen = rows.map((r) => `${r.action} ${r.target}`);
    for (const entry of [
      `assignment_rule.created ${rule.id}`,
      `assignment_rule.updated ${rule.id}`,
      `assignment_rules.reordered ${s.workspace.workspaceId}`,
      `assignment_rule.deleted ${rule.id}`,
      `team.updated ${ids.support}`,
      `team.members_set ${ids.support}`,
      `agent.updated ${ids.agent}`,
    ]) {
      expect(seen, entry).toContain(entry);
    }
  });
});
