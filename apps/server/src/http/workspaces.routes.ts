import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import {
  AgentList,
  ApiKeyList,
  BusinessUnit,
  BusinessUnitIdParams,
  BusinessUnitList,
  CreateAgentBody,
  CreateBusinessUnitBody,
  CreatedId,
  CreatedKey,
  CreateKeyBody,
  CreateTeamBody,
  KeyIdParams,
  RevokedKey,
  SettingsPatch,
  TeamList,
  UpdateBusinessUnitBody,
  Workspace,
  WorkspaceSettings,
} from '@touchpoint/contracts';
import {
  checkOwnerChange,
  createAgent,
  createBusinessUnit,
  createKey,
  createTeam,
  revokeKey,
  getWorkspace,
  listAgents,
  listBusinessUnits,
  listKeys,
  listTeams,
  updateBusinessUnit,
  updateSettings,
  type Role,
} from '../modules/workspaces/index.ts';
import { AppError } from '../platform/errors.ts';
import type { JsonObject } from '../platform/json.ts';
import { ADMINS, principalOf } from './api-auth.ts';
import type { HttpContext } from './context.ts';

const iso = <T extends { createdAt: number }>(row: T) => ({ ...row, createdAt: new Date(row.createdAt).toISOString() });

/** The workspace itself: settings, business units, teams, agents and keys. */
export async function workspacesRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  const { deps } = ctx;

  app.get('/workspace', { schema: { tags: ['workspace'], summary: 'This workspace and its settings', response: { 200: Workspace } } }, async (request) => {
    const { workspaceId } = principalOf(request);
    const ws = await getWorkspace(deps.db, workspaceId);
    // The caller authenticated in this workspace, so it exists; never answer 200 with null.
    if (!ws) throw new AppError('not_found', 'workspace not found');
    return { ...ws, createdAt: new Date(ws.createdAt).toISOString() };
  });

  app.get('/workspace/settings', { schema: { tags: ['workspace'], summary: 'Lifecycle rules, identity limits, default phone country and currency, moment settings', response: { 200: WorkspaceSettings } } }, async (request) =>
    ctx.settings.get(principalOf(request).workspaceId),
  );

  app.patch<{ Body: Static<typeof SettingsPatch> }>(
    '/workspace/settings',
    { schema: { tags: ['workspace'], summary: 'Change lifecycle rules, identity limits or the default phone country', body: SettingsPatch, response: { 200: WorkspaceSettings } } },
    async (request) => {
      const p = principalOf(request, ADMINS);
      const settings = await updateSettings(deps, { workspaceId: p.workspaceId, patch: request.body as JsonObject, actor: p.actor });
      await ctx.settings.forget(p.workspaceId);
      return settings;
    },
  );

  app.get('/business-units', { schema: { tags: ['workspace'], response: { 200: BusinessUnitList } } }, async (request) => ({ data: (await listBusinessUnits(deps.db, principalOf(request).workspaceId)).map(iso) }));
  app.post<{ Body: Static<typeof CreateBusinessUnitBody> }>('/business-units', { schema: { tags: ['workspace'], body: CreateBusinessUnitBody, response: { 201: CreatedId } } }, async (request, reply) => {
    const p = principalOf(request, ADMINS);
    reply.status(201);
    return createBusinessUnit(deps, { workspaceId: p.workspaceId, ...request.body, actor: p.actor });
  });
  app.patch<{ Params: Static<typeof BusinessUnitIdParams>; Body: Static<typeof UpdateBusinessUnitBody> }>(
    '/business-units/:id',
    { schema: { tags: ['workspace'], summary: 'Rename a business unit (its key stays)', params: BusinessUnitIdParams, body: UpdateBusinessUnitBody, response: { 200: BusinessUnit } } },
    async (request) => {
      const p = principalOf(request, ADMINS);
      return iso(await updateBusinessUnit(deps, { workspaceId: p.workspaceId, businessUnitId: request.params.id, name: request.body.name, actor: p.actor }));
    },
  );

  app.get('/teams', { schema: { tags: ['workspace'], summary: 'Teams with strategy, fallback owner, lead and members', response: { 200: TeamList } } }, async (request) => ({ data: (await listTeams(deps.db, principalOf(request).workspaceId)).map(iso) }));
  app.post<{ Body: Static<typeof CreateTeamBody> }>('/teams', { schema: { tags: ['workspace'], body: CreateTeamBody, response: { 201: CreatedId } } }, async (request, reply) => {
    const p = principalOf(request, ADMINS);
    const team = await createTeam(deps, { workspaceId: p.workspaceId, ...request.body, actor: p.actor });
    await ctx.stream.refreshAccess(p.workspaceId);
    reply.status(201);
    return team;
  });

  app.get('/agents', { schema: { tags: ['workspace'], summary: 'Agents with presence, skills, capacity per channel and teams', response: { 200: AgentList } } }, async (request) => ({ data: (await listAgents(deps.db, principalOf(request).workspaceId)).map(iso) }));
  app.post<{ Body: Static<typeof CreateAgentBody> }>('/agents', { schema: { tags: ['workspace'], body: CreateAgentBody, response: { 201: CreatedId } } }, async (request, reply) => {
    const p = principalOf(request, ADMINS);
    checkOwnerChange(p.role, null, request.body.role as Role);
    reply.status(201);
    return createAgent(deps, { workspaceId: p.workspaceId, ...request.body, role: request.body.role as Role, actor: p.actor });
  });

  app.get('/keys', { schema: { tags: ['workspace'], summary: 'Keys (prefixes only: keys are shown once)', response: { 200: ApiKeyList } } }, async (request) => {
    const p = principalOf(request, ADMINS);
    return { data: (await listKeys(deps.db, p.workspaceId)).map((k) => ({ ...iso(k), revokedAt: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString() })) };
  });
  app.post<{ Body: Static<typeof CreateKeyBody> }>('/keys', { schema: { tags: ['workspace'], summary: 'Make a key; the reply is the only time it is shown', body: CreateKeyBody, response: { 201: CreatedKey } } }, async (request, reply) => {
    const p = principalOf(request, ADMINS);
    reply.status(201);
    return createKey(deps, { workspaceId: p.workspaceId, kind: request.body.kind, name: request.body.name, actor: p.actor });
  });
  app.delete<{ Params: Static<typeof KeyIdParams> }>('/keys/:id', { schema: { tags: ['workspace'], summary: 'Revoke a key', params: KeyIdParams, response: { 200: RevokedKey } } }, async (request) => {
    const p = principalOf(request, ADMINS);
    const revoked = await revokeKey(deps, { workspaceId: p.workspaceId, keyId: request.params.id, actor: p.actor });
    await ctx.auth.forget();
    return { id: revoked.id, revokedAt: new Date(revoked.revokedAt).toISOString() };
  });
}
