export { matchRule, firstMatch, validateConditions, type RuleConditions, type RoutingFacts, type TraitValue } from './match-rule.ts';
export {
  loadRules,
  listRules,
  createRule,
  updateRule,
  deleteRule,
  reorderRules,
  testRouting,
  type AssignmentRule,
  type AssignmentRuleView,
  type RoutingTest,
} from './assignment-rules.ts';
export { getAgent, updateAgent, type AgentRouting } from './agent-routing.ts';
export { getTeam, updateTeam, setTeamMembers, type MembersRemovedHook, type TeamRouting, type TeamStrategy } from './team-routing.ts';
