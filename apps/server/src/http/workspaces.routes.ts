import type { FastifyInstance } from 'fastify';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  AgentListItem,
  BusinessUnit,
  BusinessUnitIdParams,
  CreateAgentBody,
  CreateBusinessUnitBody,
  CreateKeyBody,
  CreateTeamBody,
  KeyIdParams,
  SettingsPatch,
  TeamListItem,
  UpdateBusinessUnitBody,
} from '@touchpoint/contracts';
import {
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
import type { JsonObject } from '../platform/json.ts';
import { ADMINS, principalOf } from './api-auth.ts';
import type { HttpContext } from './context.ts';

const iso = <T extends { createdAt: number }>(row: T) => ({ ...row, createdAt: new Date(row.createdAt).toISOString() });
const listOf = (item: TSchema) => ({ 200: Type.Object({ data: Type.Array(item) }) });

/** The workspace itself: settings, business units, teams, agents and keys. */
export async function workspacesRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  const { deps } = ctx;

  app.get('/workspace', { schema: { tags: ['workspace'], summary: 'This workspace and its settings' } }, async (request) => {
    const { workspaceId } = principalOf(request);
    const ws = await getWorkspace(deps.db, workspaceId);
    return ws ? { ...ws, createdAt: new Date(ws.createdAt).toISOString() } : null;
  });

  app.patch<{ Body: Static<typeof SettingsPatch> }>(
    '/workspace/settings',
    { schema: { tags: ['workspace'], summary: 'Change lifecycle rules, identity limits or the default phone country', body: SettingsPatch } },
    async (request) => {
      const p = principalOf(request, ADMINS);
      const settings = await updateSettings(deps, { workspaceId: p.workspaceId, patch: request.body as JsonObject, actor: p.actor });
      ctx.settings.forget(p.workspaceId);
      return settings;
    },
  );

  app.get('/business-units', { schema: { tags: ['workspace'], response: listOf(BusinessUnit) } }, async (request) => ({ data: (await listBusinessUnits(deps.db, principalOf(request).workspaceId)).map(iso) }));
  app.post<{ Body: Static<typeof CreateBusinessUnitBody> }>('/business-units', { schema: { tags: ['workspace'], body: CreateBusinessUnitBody } }, async (request, reply) => {
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

  app.get('/teams', { schema: { tags: ['workspace'], summary: 'Teams with strategy, fallback owner, lead and members', response: listOf(TeamListItem) } }, async (request) => ({ data: (await listTeams(deps.db, principalOf(request).workspaceId)).map(iso) }));
  app.post<{ Body: Static<typeof CreateTeamBody> }>('/teams', { schema: { tags: ['workspace'], body: CreateTeamBody } }, async (request, reply) => {
    const p = principalOf(request, ADMINS);
    reply.status(201);
    return createTeam(deps, { workspaceId: p.workspaceId, ...request.body, actor: p.actor });
  });

  app.get('/agents', { schema: { tags: ['workspace'], summary: 'Agents with presence, skills, capacity per channel and teams', response: listOf(AgentListItem) } }, async (request) => ({ data: (await listAgents(deps.db, principalOf(request).workspaceId)).map(iso) }));
  app.post<{ Body: Static<typeof CreateAgentBody> }>('/agents', { schema: { tags: ['workspace'], body: CreateAgentBody } }, async (request, reply) => {
    const p = principalOf(request, ADMINS);
    reply.status(201);
    return createAgent(deps, { workspaceId: p.workspaceId, ...request.body, role: request.body.role as Role, actor: p.actor });
  });

  app.get('/keys', { schema: { tags: ['workspace'], summary: 'Keys (prefixes only: keys are shown once)' } }, async (request) => {
    const p = principalOf(request, ADMINS);
    return { data: (await listKeys(deps.db, p.workspaceId)).map((k) => ({ ...iso(k), revokedAt: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString() })) };
  });
  app.post<{ Body: Static<typeof CreateKeyBody> }>('/keys', { schema: { tags: ['workspace'], body: CreateKeyBody } }, async (request, reply) => {
    const p = principalOf(request, ADMINS);
    reply.status(201);
    return createKey(deps, { workspaceId: p.workspaceId, kind: request.body.kind, name: request.body.name, actor: p.actor });
  });
  app.delete<{ Params: Static<typeof KeyIdParams> }>('/keys/:id', { schema: { tags: ['workspace'], summary: 'Revoke a key', params: KeyIdParams } }, async (request) => {
    const p = principalOf(request, ADMINS);
    const revoked = await revokeKey(deps, { workspaceId: p.workspaceId, keyId: request.params.id, actor: p.actor });
    ctx.auth.forget();
    return { id: revoked.id, revokedAt: new Date(revoked.revokedAt).toISOString() };
  });
}
