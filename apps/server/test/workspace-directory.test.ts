import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, type CreatedWorkspace } from '../src/modules/workspaces/index.ts';
import { ENGINES, startServer, type Running, expectError, expectOk } from './harness.ts';


/**
 * The organisation as lists: agents and teams come with what settings screens show (one
 * request, not one per row); business units can be renamed by admins, with an audit row.
 */
describe.each(ENGINES)('workspace directory on %s', (engine) => {
  let s: Running;
  let other: CreatedWorkspace;
  const password = 'a long enough password';
  const tokens: Record<'agent' | 'analyst', string> = { agent: '', analyst: '' };
  let ana = '';
  let sam = '';
  let service = '';

  const ok = expectOk;
  const fails = expectError;

  beforeAll(async () => {
    s = await startServer(engine);
    ana = ok(await s.api('POST', '/api/v1/agents', { email: 'ana@acme.test', name: 'Ana', role: 'agent', password, skills: ['billing', 'french'], capacity: { chat: 3, '*': 5 } }), 201).id;
    sam = ok(await s.api('POST', '/api/v1/agents', { email: 'sam@acme.test', name: 'Sam', role: 'analyst', password }), 201).id;
    tokens.agent = ok(await s.api('POST', '/api/v1/sessions', { email: 'ana@acme.test', password }), 201).token;
    tokens.analyst = ok(await s.api('POST', '/api/v1/sessions', { email: 'sam@acme.test', password }), 201).token;
    ok(await s.api('PUT', `/api/v1/agents/${ana}/presence`, { presence: 'online' }, tokens.agent));
    service = ok(await s.api('POST', '/api/v1/teams', { key: 'service', name: 'Service', agentIds: [ana], strategy: 'least_loaded', fallbackOwnerId: ana, leadId: s.workspace.ownerId }), 201).id;
    ok(await s.api('POST', '/api/v1/teams', { key: 'sales', name: 'Sales' }), 201);
    other = await createWorkspace(s.tp.deps, { name: 'Beta', ownerEmail: 'owner@beta.test', ownerPassword: 'another horse battery' });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('lists agents with presence, skills, capacity and team ids, the same as each agent reads alone', async () => {
    const agents = ok(await s.api('GET', '/api/v1/agents')).data;
    expect(agents.map((a: any) => a.email)).toEqual(['owner@acme.test', 'ana@acme.test', 'sam@acme.test']);
    const listed = agents.find((a: any) => a.id === ana);
    expect(listed).toEqual({ id: ana, email: 'ana@acme.test', name: 'Ana', role: 'agent', presence: 'online', skills: ['billing', 'french'], capacity: { chat: 3, '*': 5 }, teamIds: [service], createdAt: expect.any(String) });
    const alone = ok(await s.api('GET', `/api/v1/agents/${ana}`));
    expect({ presence: alone.presence, skills: alone.skills, capacity: alone.capacity, teamIds: alone.teams.map((t: any) => t.id) }).toEqual({
      presence: listed.presence,
      skills: listed.skills,
      capacity: listed.capacity,
      teamIds: listed.teamIds,
    });
    expect(agents.find((a: any) => a.id === sam)).toMatchObject({ role: 'analyst', presence: 'offline', skills: [], capacity: {}, teamIds: [] });
    // Anyone in the workspace may read the directory; another workspace sees none of it.
    expect(ok(await s.api('GET', '/api/v1/agents', undefined, tokens.analyst)).data).toEqual(agents);
    expect(ok(await s.api('GET', '/api/v1/agents', undefined, other.apiKey)).data.map((a: any) => a.email)).toEqual(['owner@beta.test']);
  });

  it('lists teams with strategy, fallback owner, lead and member ids (agentIds kept as before)', async () => {
    const teams = ok(await s.api('GET', '/api/v1/teams', undefined, tokens.agent)).data;
    expect(teams).toEqual([
      { id: service, key: 'service', name: 'Service', businessUnitId: null, strategy: 'least_loaded', fallbackOwnerId: ana, leadId: s.workspace.ownerId, memberIds: [ana], agentIds: [ana], createdAt: expect.any(String) },
      { id: expect.any(String), key: 'sales', name: 'Sales', businessUnitId: null, strategy: 'round_robin', fallbackOwnerId: null, leadId: null, memberIds: [], agentIds: [], createdAt: expect.any(String) },
    ]);
    expect(ok(await s.api('GET', '/api/v1/teams', undefined, other.apiKey)).data).toEqual([]);
  });

  it('renames a business unit for admins only, keeping its key, and audits it', async () => {
    const unit = ok(await s.api('POST', '/api/v1/business-units', { key: 'eu', name: 'Europe' }), 201);
    const renamed = ok(await s.api('PATCH', `/api/v1/business-units/${unit.id}`, { name: '  Europe & UK ' }));
    expect(renamed).toEqual({ id: unit.id, key: 'eu', name: 'Europe & UK', createdAt: expect.any(String) });
    const listed = async () => ok(await s.api('GET', '/api/v1/business-units')).data.filter((u: any) => u.key !== 'main'); // the workspace's first unit
    expect(await listed()).toEqual([renamed]);

    fails(await s.api('PATCH', `/api/v1/business-units/${unit.id}`, { name: 'x' }, tokens.agent), 403, 'forbidden');
    fails(await s.api('PATCH', `/api/v1/business-units/${unit.id}`, { name: 'x' }, tokens.analyst), 403, 'forbidden');
    fails(await s.api('PATCH', `/api/v1/business-units/${unit.id}`, { name: 'stolen' }, other.apiKey), 404, 'resource_not_found');
    fails(await s.api('PATCH', `/api/v1/business-units/${unit.id}`, { name: '   ' }), 400, 'invalid_field', 'name');
    expect((await s.api('PATCH', `/api/v1/business-units/${unit.id}`, {})).status).toBe(400);
    expect((await s.api('PATCH', `/api/v1/business-units/${unit.id}`, { name: 'x', key: 'changed' })).status).toBe(400);
    expect(await listed()).toEqual([renamed]);

    const audit = await s.tp.deps.db.selectFrom('audit').select(['action', 'target', 'details']).where('workspace_id', '=', s.workspace.workspaceId).where('action', '=', 'business_unit.updated').execute();
    expect(audit.map((r) => ({ ...r, details: JSON.parse(r.details) }))).toEqual([{ action: 'business_unit.updated', target: unit.id, details: { name: { from: 'Europe', to: 'Europe & UK' } } }]);
  });

  it('documents the lists and the rename in OpenAPI', async () => {
    const docs = ok(await s.api('GET', '/api/docs'));
    expect(docs.paths['/api/v1/business-units/{id}'].patch).toBeDefined();
    const item = (path: string) => docs.paths[path].get.responses['200'].content['application/json'].schema.properties.data.items.properties;
    expect(Object.keys(item('/api/v1/agents'))).toEqual(expect.arrayContaining(['presence', 'skills', 'capacity', 'teamIds']));
    expect(Object.keys(item('/api/v1/teams'))).toEqual(expect.arrayContaining(['strategy', 'fallbackOwnerId', 'leadId', 'memberIds']));
  });
});
