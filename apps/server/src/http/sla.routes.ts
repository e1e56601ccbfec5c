import type { FastifyInstance } from 'fastify';
import { BusinessHours, BusinessHoursBody, BusinessHoursList, BusinessHoursPatch, NoContent, SlaIdParams, SlaPolicy, SlaPolicyBody, SlaPolicyList, SlaPolicyPatch } from '@touchpoint/contracts';
import {
  createBusinessHours,
  createSlaPolicy,
  deleteBusinessHours,
  deleteSlaPolicy,
  getBusinessHours,
  getSlaPolicy,
  listBusinessHours,
  listSlaPolicies,
  updateBusinessHours,
  updateSlaPolicy,
} from '../modules/moments/sla/index.ts';
import { ADMINS, principalOf } from './api-auth.ts';
import type { HttpContext } from './context.ts';

const iso = <T extends { readonly createdAt: number }>(row: T) => ({ ...row, createdAt: new Date(row.createdAt).toISOString() });
const tags = ['sla'];

/** SLA settings: business hours and the policies that set moments' deadlines. Anyone reads; owners and admins write. */
export async function slaRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  const { deps } = ctx;

  app.get('/business-hours', { schema: { tags, summary: 'Business hours calendars', response: { 200: BusinessHoursList } } }, async (request) => ({
    data: (await listBusinessHours(deps.db, principalOf(request).workspaceId)).map(iso),
  }));
  app.post<{ Body: BusinessHoursBody }>('/business-hours', { schema: { tags, summary: 'Add business hours', body: BusinessHoursBody, response: { 201: BusinessHours } } }, async (request, reply) => {
    const p = principalOf(request, ADMINS);
    reply.status(201);
    return iso(await createBusinessHours(deps, { workspaceId: p.workspaceId, actor: p.actor, ...request.body }));
  });
  app.get<{ Params: SlaIdParams }>('/business-hours/:id', { schema: { tags, params: SlaIdParams, response: { 200: BusinessHours } } }, async (request) =>
    iso(await getBusinessHours(deps.db, principalOf(request).workspaceId, request.params.id)),
  );
  app.patch<{ Params: SlaIdParams; Body: BusinessHoursPatch }>(
    '/business-hours/:id',
    { schema: { tags, summary: 'Change business hours (deadlines computed from now on)', params: SlaIdParams, body: BusinessHoursPatch, response: { 200: BusinessHours } } },
    async (request) => {
      const p = principalOf(request, ADMINS);
      return iso(await updateBusinessHours(deps, { workspaceId: p.workspaceId, actor: p.actor, id: request.params.id, patch: request.body }));
    },
  );
  app.delete<{ Params: SlaIdParams }>('/business-hours/:id', { schema: { tags, summary: 'Delete business hours no policy uses', params: SlaIdParams, response: { 204: NoContent } } }, async (request, reply) => {
    const p = principalOf(request, ADMINS);
    await deleteBusinessHours(deps, { workspaceId: p.workspaceId, actor: p.actor, id: request.params.id });
    return reply.status(204).send();
  });

  app.get('/sla-policies', { schema: { tags, summary: 'SLA policies', response: { 200: SlaPolicyList } } }, async (request) => ({
    data: (await listSlaPolicies(deps.db, principalOf(request).workspaceId)).map(iso),
  }));
  app.post<{ Body: SlaPolicyBody }>('/sla-policies', { schema: { tags, summary: 'Add an SLA policy', body: SlaPolicyBody, response: { 201: SlaPolicy } } }, async (request, reply) => {
    const p = principalOf(request, ADMINS);
    reply.status(201);
    return iso(await createSlaPolicy(deps, { workspaceId: p.workspaceId, actor: p.actor, ...request.body }));
  });
  app.get<{ Params: SlaIdParams }>('/sla-policies/:id', { schema: { tags, params: SlaIdParams, response: { 200: SlaPolicy } } }, async (request) =>
    iso(await getSlaPolicy(deps.db, principalOf(request).workspaceId, request.params.id)),
  );
  app.patch<{ Params: SlaIdParams; Body: SlaPolicyPatch }>(
    '/sla-policies/:id',
    { schema: { tags, summary: 'Change an SLA policy (running moments keep their deadlines)', params: SlaIdParams, body: SlaPolicyPatch, response: { 200: SlaPolicy } } },
    async (request) => {
      const p = principalOf(request, ADMINS);
      return iso(await updateSlaPolicy(deps, { workspaceId: p.workspaceId, actor: p.actor, id: request.params.id, patch: request.body }));
    },
  );
  app.delete<{ Params: SlaIdParams }>('/sla-policies/:id', { schema: { tags, summary: 'Delete an SLA policy', params: SlaIdParams, response: { 204: NoContent } } }, async (request, reply) => {
    const p = principalOf(request, ADMINS);
    await deleteSlaPolicy(deps, { workspaceId: p.workspaceId, actor: p.actor, id: request.params.id });
    return reply.status(204).send();
  });
}
