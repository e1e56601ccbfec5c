import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import {
  AgentDetail,
  AssignmentRule,
  AssignmentRuleList,
  CreateRuleBody,
  NoContent,
  ReorderRulesBody,
  RoutingIdParams,
  RoutingTestResult,
  TeamDetail,
  TeamMembersBody,
  TeamMembersReply,
  TestRoutingBody,
  UpdateAgentBody,
  UpdateRuleBody,
  UpdateTeamBody,
} from '@touchpoint/contracts';
import {
  createRule,
  deleteRule,
  getAgent,
  getTeam,
  listRules,
  reorderRules,
  setTeamMembers,
  testRouting,
  updateAgent,
  updateRule,
  updateTeam,
} from '../modules/moments/routing-settings/index.ts';
import { offerWaitingWork, rerouteFromReader, rerouteLeavers, type Activity } from '../modules/moments/index.ts';
import { checkBusinessUnit, type Role } from '../modules/workspaces/index.ts';
import { ADMINS, principalOf } from './api-auth.ts';
import type { HttpContext } from './context.ts';

const iso = <T extends { createdAt: number }>(row: T) => ({ ...row, createdAt: new Date(row.createdAt).toISOString() });

type IdRoute = { Params: Static<typeof RoutingIdParams> };

/**
 * Routing settings: assignment rules (and a tester: "which team would this go to?"), agents'
 * skills and capacity, teams' strategy, fallback owner, lead and members. Anyone in the
 * workspace may read; owners and admins change.
 */
export async function momentSettingsRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  const { deps } = ctx;
  const { moments } = ctx;
  const rules = { tags: ['routing'] };
  const ruleReply = { 200: AssignmentRule };
  const agentReply = { 200: AgentDetail };
  const teamReply = { 200: TeamDetail };

  app.get('/assignment-rules', { schema: { ...rules, summary: 'Assignment rules, in the order they are tried', response: { 200: AssignmentRuleList } } }, async (request) => ({
    data: (await listRules(deps.db, principalOf(request).workspaceId)).map(iso),
  }));

  app.post<{ Body: Static<typeof CreateRuleBody> }>(
    '/assignment-rules',
    { schema: { ...rules, summary: 'Add a rule (last unless a position is given)', body: CreateRuleBody, response: { 201: AssignmentRule } } },
    async (request, reply) => {
      const p = principalOf(request, ADMINS);
      reply.status(201);
      return iso(await createRule(deps, { ...request.body, workspaceId: p.workspaceId, actor: p.actor }));
    },
  );

  app.patch<IdRoute & { Body: Static<typeof UpdateRuleBody> }>(
    '/assignment-rules/:id',
    { schema: { ...rules, summary: "Change a rule's name, conditions, team, required skills or whether it is on", params: RoutingIdParams, body: UpdateRuleBody, response: ruleReply } },
    async (request) => {
      const p = principalOf(request, ADMINS);
      return iso(await updateRule(deps, { ...request.body, workspaceId: p.workspaceId, ruleId: request.params.id, actor: p.actor }));
    },
  );

  app.delete<IdRoute>('/assignment-rules/:id', { schema: { ...rules, summary: 'Remove a rule', params: RoutingIdParams, response: { 204: NoContent } } }, async (request, reply) => {
    const p = principalOf(request, ADMINS);
    await deleteRule(deps, { workspaceId: p.workspaceId, ruleId: request.params.id, actor: p.actor });
    return reply.status(204).send();
  });

  app.put<{ Body: Static<typeof ReorderRulesBody> }>(
    '/assignment-rules/order',
    { schema: { ...rules, summary: 'Reorder the rules: every rule id, first tried first', body: ReorderRulesBody, response: { 200: AssignmentRuleList } } },
    async (request) => {
      const p = principalOf(request, ADMINS);
      return { data: (await reorderRules(deps, { workspaceId: p.workspaceId, ids: request.body.ids, actor: p.actor })).map(iso) };
    },
  );

  app.post<{ Body: Static<typeof TestRoutingBody> }>(
    '/assignment-rules/test',
    { schema: { ...rules, summary: 'Which team would a moment with these facts go to? (changes nothing)', body: TestRoutingBody, response: { 200: RoutingTestResult } } },
    async (request) => {
      const { workspaceId } = principalOf(request);
      const settings = await ctx.settings.get(workspaceId);
      const b = request.body;
      // As opening a moment would: a business unit that does not exist is not a fact to test.
      if (b.businessUnitId) await checkBusinessUnit(deps.db, workspaceId, b.businessUnitId);
      const facts = { channel: b.channel, businessUnitId: b.businessUnitId ?? null, stage: b.stage ?? null, language: b.language ?? null, text: b.text ?? '', traits: b.traits ?? {} };
      return testRouting(deps.db, workspaceId, facts, settings.moments.defaultTeamId);
    },
  );

  app.get<IdRoute>(
    '/agents/:id',
    { schema: { ...rules, summary: 'An agent with presence, skills, capacity and teams', params: RoutingIdParams, response: agentReply } },
    async (request) => withPresenceTime(iso(await getAgent(deps.db, principalOf(request).workspaceId, request.params.id))),
  );

  app.patch<IdRoute & { Body: Static<typeof UpdateAgentBody> }>(
    '/agents/:id',
    { schema: { ...rules, summary: "Change an agent's name, role, skills or capacity per channel", params: RoutingIdParams, body: UpdateAgentBody, response: agentReply } },
    async (request) => {
      const p = principalOf(request, ADMINS);
      const { role, ...rest } = request.body;
      let moved: Activity[] = [];
      const settings = await ctx.settings.get(p.workspaceId);
      const agent = await updateAgent(deps, {
        ...rest,
        ...(role !== undefined ? { role: role as Role } : {}),
        workspaceId: p.workspaceId,
        agentId: request.params.id,
        actor: p.actor,
        callerRole: p.role,
        onBecameReader: async (tx, workspaceId, agentId) => {
          moved = await rerouteFromReader(deps, settings, { tx, workspaceId, agentId, actor: p.actor });
        },
      });
      // Sessions carry the role: a cached one must not keep the old rights, nor an open stream.
      if (role !== undefined) {
        await ctx.auth.forget();
        await ctx.stream.refreshAccess(p.workspaceId);
      }
      if (moved.length > 0) ctx.stream.publish(moved);
      // More room on a channel: they may take what waits in their teams' lines.
      if (rest.capacity !== undefined) await offerWaitingWork(moments, p.workspaceId, [agent.id]);
      return withPresenceTime(iso(agent));
    },
  );

  app.get<IdRoute>(
    '/teams/:id',
    { schema: { ...rules, summary: 'A team with members, strategy, fallback owner and lead', params: RoutingIdParams, response: teamReply } },
    async (request) => iso(await getTeam(deps.db, principalOf(request).workspaceId, request.params.id)),
  );

  app.patch<IdRoute & { Body: Static<typeof UpdateTeamBody> }>(
    '/teams/:id',
    { schema: { ...rules, summary: "Change a team's name, business unit, strategy, fallback owner or lead", params: RoutingIdParams, body: UpdateTeamBody, response: teamReply } },
    async (request) => {
      const p = principalOf(request, ADMINS);
      return iso(await updateTeam(deps, { ...request.body, workspaceId: p.workspaceId, teamId: request.params.id, actor: p.actor }));
    },
  );

  app.put<IdRoute & { Body: Static<typeof TeamMembersBody> }>(
    '/teams/:id/members',
    { schema: { ...rules, summary: "Replace a team's members; removed members' moments of the team are routed again", params: RoutingIdParams, body: TeamMembersBody, response: { 200: TeamMembersReply } } },
    async (request) => {
      const p = principalOf(request, ADMINS);
      let moved: Activity[] = [];
      const settings = await ctx.settings.get(p.workspaceId);
      const result = await setTeamMembers(deps, {
        workspaceId: p.workspaceId,
        teamId: request.params.id,
        agentIds: request.body.agentIds,
        actor: p.actor,
        onMembersRemoved: async (tx, workspaceId, teamId, agentIds) => {
          moved = await rerouteLeavers(deps, settings, { tx, workspaceId, teamId, agentIds, actor: p.actor });
        },
      });
      // Newcomers' streams show the team's moments from here on, leavers' no longer.
      await ctx.stream.refreshAccess(p.workspaceId);
      if (moved.length > 0) ctx.stream.publish(moved);
      await offerWaitingWork(moments, p.workspaceId, result.addedAgentIds);
      return { ...iso(result.team), addedAgentIds: result.addedAgentIds, removedAgentIds: result.removedAgentIds };
    },
  );
}

const withPresenceTime = <T extends { presenceAt: number }>(agent: T) => ({ ...agent, presenceAt: agent.presenceAt === 0 ? null : new Date(agent.presenceAt).toISOString() });
