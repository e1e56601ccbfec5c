import { Type, type TSchema } from '@sinclair/typebox';
import { StageName } from './customers.ts';
import { LANGUAGE_TAG } from './language-tag.ts';
import { ListOf, Nullable, Time, View } from './reply-parts.ts';
import { AgentFields, Capacity, OptionalAgentId, Role, Skills, TeamStrategy } from './workspaces.ts';

/** Limits shared by the schemas below and the server's own check of rule conditions. */
export const RULE_LIMITS = { listItems: 100, valueLength: 200, traits: 50 } as const;

const RuleValue = Type.String({ minLength: 1, maxLength: RULE_LIMITS.valueLength });
const ValueList = <T extends TSchema>(description: string, item: T) =>
  Type.Optional(Type.Array(item, { maxItems: RULE_LIMITS.listItems, description }));

/**
 * When an assignment rule applies. Every condition given must hold; inside a list any value
 * will do. An empty object (or empty lists) matches every moment.
 * @example { "channels": ["chat", "whatsapp"], "languages": ["es"], "keywords": ["refund", "money back"], "traits": { "plan": "enterprise" } }
 */
export const RuleConditions = Type.Object(
  {
    channels: ValueList('the moment arrived on one of these channels', RuleValue),
    businessUnitIds: ValueList('the moment belongs to one of these business units', RuleValue),
    stages: ValueList("the customer's lifecycle stage is one of these", StageName),
    languages: ValueList('language tags; "pt" matches "pt-BR" and "pt-PT", "pt-BR" matches "pt-BR" and a bare "pt"', RuleValue),
    keywords: ValueList('whole words or phrases in the subject or message; case and accents ignored', RuleValue),
    traits: Type.Optional(
      Type.Record(Type.String({ minLength: 1, maxLength: RULE_LIMITS.valueLength }), Type.Unknown(), {
        maxProperties: RULE_LIMITS.traits,
        description: 'customer traits equal to these values (string, number or boolean; "true" equals true, "42" equals 42; strings ignore case)',
      }),
    ),
  },
  { additionalProperties: false },
);

const RuleName = Type.String({ minLength: 1, maxLength: 200 });
const TeamId = Type.String({ minLength: 1, maxLength: 64, description: 'a team of this workspace' });

export const RoutingIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const CreateRuleBody = Type.Object(
  {
    name: RuleName,
    conditions: Type.Optional(RuleConditions),
    teamId: TeamId,
    requiredSkills: Type.Optional(Skills),
    enabled: Type.Optional(Type.Boolean({ default: true })),
    position: Type.Optional(Type.Integer({ minimum: 0, description: '0 is tried first; default: after every other rule' })),
  },
  { additionalProperties: false },
);

export const UpdateRuleBody = Type.Object(
  {
    name: Type.Optional(RuleName),
    conditions: Type.Optional(RuleConditions),
    teamId: Type.Optional(TeamId),
    requiredSkills: Type.Optional(Skills),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const ReorderRulesBody = Type.Object(
  { ids: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 10_000, description: "every rule id of the workspace, first tried first" }) },
  { additionalProperties: false },
);

/** "Which team would this go to?": the facts routing sees when a moment opens. */
export const TestRoutingBody = Type.Object(
  {
    channel: Type.String({ minLength: 1, maxLength: 50 }),
    businessUnitId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
    stage: Type.Optional(Type.Union([StageName, Type.Null()])),
    language: Type.Optional(Type.Union([Type.String({ pattern: LANGUAGE_TAG, description: 'as a moment takes it: es, pt-BR' }), Type.Null()])),
    text: Type.Optional(Type.String({ maxLength: 100_000, description: 'subject and first message' })),
    traits: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

export const UpdateAgentBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    role: Type.Optional(Role),
    skills: Type.Optional(Skills),
    capacity: Type.Optional(Capacity),
  },
  { additionalProperties: false },
);

export const UpdateTeamBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    strategy: Type.Optional(TeamStrategy),
    fallbackOwnerId: Type.Optional(OptionalAgentId),
    leadId: Type.Optional(OptionalAgentId),
    businessUnitId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const TeamMembersBody = Type.Object(
  { agentIds: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 1000, description: 'the whole new membership' }) },
  { additionalProperties: false },
);

/** A rule as the settings screen shows it, disabled ones included; `conditions` as stored (empty lists left out). */
export const AssignmentRule = View({
  id: Type.String(),
  name: Type.String(),
  position: Type.Integer({ minimum: 0, description: '0 is tried first; positions are dense' }),
  conditions: RuleConditions,
  teamId: Type.String(),
  requiredSkills: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  createdAt: Time,
});
/** Every rule, in the order they are tried. */
export const AssignmentRuleList = ListOf(AssignmentRule);

/** Which team a moment with the facts given would go to: a rule's, else the workspace's default team (null: the workspace owner would hold it). */
export const RoutingTestResult = View({
  matched: Nullable(View({ ruleId: Type.String(), ruleName: Type.String(), teamId: Type.String(), teamName: Nullable(Type.String()) })),
  fallback: View({ teamId: Nullable(Type.String()), teamName: Nullable(Type.String()) }, { description: 'both null when a rule matched' }),
});

/** GET /agents/{id}: an agent as routing sees them. */
export const AgentDetail = View({
  ...AgentFields,
  presenceAt: Nullable(Time),
  teams: Type.Array(View({ id: Type.String(), key: Type.String(), name: Type.String() }), { description: 'by name' }),
  createdAt: Time,
});

const teamDetail = {
  id: Type.String(),
  key: Type.String(),
  name: Type.String(),
  businessUnitId: Nullable(Type.String()),
  strategy: TeamStrategy,
  fallbackOwnerId: Nullable(Type.String({ description: 'null: the workspace owner holds what nobody can take' })),
  leadId: Nullable(Type.String({ description: 'who escalations go to' })),
  members: Type.Array(
    View({ id: Type.String(), name: Type.String(), email: Type.String(), role: Role, presence: Type.String({ description: 'online | away | offline' }) }),
    { description: 'by name' },
  ),
  createdAt: Time,
};

/** GET /teams/{id}: a team with its routing settings and members. */
export const TeamDetail = View(teamDetail);

/** PUT /teams/{id}/members: the team afterwards, and who joined or left. */
export const TeamMembersReply = View({ ...teamDetail, addedAgentIds: Type.Array(Type.String()), removedAgentIds: Type.Array(Type.String()) });
