/**
 * What the REST API answers, as the web app reads it (see README "Moments" and /api/docs).
 * Times are ISO strings. A reply the server declares as a response schema in
 * @touchpoint/contracts is derived from that schema, so the two cannot drift; the rest are
 * written out here. Imports are type-only: no TypeBox code reaches the bundle.
 */
import type { Static } from '@sinclair/typebox';
import type {
  AgentListItem,
  ApiKey as ApiKeySchema,
  AssignmentRule as AssignmentRuleSchema,
  BusinessHours as BusinessHoursSchema,
  BusinessUnit as BusinessUnitSchema,
  Channel as ChannelSchema,
  CurrentSession,
  CustomerProfile as CustomerProfileSchema,
  CustomerBrief as CustomerBriefSchema,
  CustomerSummary as CustomerSummarySchema,
  MessageView,
  MomentCounts as MomentCountsSchema,
  MomentStatus as MomentStatusSchema,
  MomentView,
  OwnershipEntry as OwnershipEntrySchema,
  PresenceBody,
  Priority as PrioritySchema,
  Role as RoleSchema,
  RoutingTestResult,
  RuleConditions as RuleConditionsSchema,
  SignInReply as SignInReplySchema,
  SlaPolicy as SlaPolicySchema,
  StageName,
  TeamListItem,
  TeamStrategy as TeamStrategySchema,
  TimelineItem as TimelineItemSchema,
  WorkspaceSettings as WorkspaceSettingsSchema,
} from '@touchpoint/contracts';

/** Cached replies are shared by every screen: nothing may change one in place (tuples stay tuples). */
type DeepReadonly<T> = T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/**
 * `T` with some string fields narrowed to the values the server writes: the contracts type
 * them as `string`, but only validated input or fixed code paths ever fill them. A key that
 * `T` lacks, or a type that is not narrower, fails to compile.
 */
type Narrow<T, N extends { readonly [K in keyof N]: K extends keyof T ? T[K] : never }> = Omit<T, keyof N> & N;

export type Role = Static<typeof RoleSchema>;
export type MomentStatus = Static<typeof MomentStatusSchema>;
export type Priority = Static<typeof PrioritySchema>;
export type SlaState = 'none' | 'running' | 'due_soon' | 'breached' | 'paused' | 'met';
export type Presence = Static<typeof PresenceBody>['presence'];
export type DeliveryState = 'received' | 'internal' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

type SessionReply = Static<typeof CurrentSession>;
export type Session = DeepReadonly<
  Narrow<SessionReply, { role: Role; agent: Narrow<NonNullable<SessionReply['agent']>, { role: Role; presence: Presence }> | null }>
>;

/**
 * POST /sessions: the session (its cookies are set too) and every workspace where the password
 * verified. The app signs in by cookie: the token (and the CSRF token, read from its cookie)
 * are left out of the type, so no screen holds them.
 */
export type SignInReply = DeepReadonly<Omit<Static<typeof SignInReplySchema>, 'token' | 'csrfToken'>>;

/** An agent as GET /agents lists them: who they are and how routing treats them. */
export type Agent = DeepReadonly<Narrow<Static<typeof AgentListItem>, { role: Role; presence: Presence }>>;
/** A team as GET /teams lists them, with its routing settings and members. */
export type Team = DeepReadonly<Static<typeof TeamListItem>>;
export type BusinessUnit = DeepReadonly<Static<typeof BusinessUnitSchema>>;

type MomentReply = Static<typeof MomentView>;
/** A moment as lists, reads and the stream show it. */
export type Moment = DeepReadonly<
  Narrow<MomentReply, { status: MomentStatus; priority: Priority; sla: Narrow<MomentReply['sla'], { state: SlaState }> }>
>;

export type Message = DeepReadonly<
  Narrow<Static<typeof MessageView>, { direction: 'in' | 'out' | 'note'; authorKind: 'customer' | 'agent' | 'system'; delivery: DeliveryState }>
>;
export type Attachment = Message['attachments'][number];

export type OwnershipEntry = DeepReadonly<Static<typeof OwnershipEntrySchema>>;

export type MomentCounts = DeepReadonly<Static<typeof MomentCountsSchema>>;

export type Page<T> = { readonly data: readonly T[]; readonly nextCursor: string | null };

/** An inbox page asked with include=customers: each moment's customer by its customerId. */
export type MomentPage = Page<Moment> & { readonly customers: Readonly<Record<string, CustomerBrief>> | null };

export type Stage = Static<typeof StageName>;
export const STAGES: readonly Stage[] = ['visitor', 'lead', 'customer', 'repeat', 'advocate', 'at_risk', 'churned'];

/** GET /customers/{id}: an absorbed profile's id answers with its survivor. */
export type CustomerProfile = DeepReadonly<Static<typeof CustomerProfileSchema>>;
export type Identity = CustomerProfile['identities'][number];
export type Merge = CustomerProfile['merges'][number];

export type CustomerSummary = DeepReadonly<Static<typeof CustomerSummarySchema>>;

/** A customer as an inbox row names them; `id` is the profile they are now. */
export type CustomerBrief = DeepReadonly<Static<typeof CustomerBriefSchema>>;

export type TimelineItem = DeepReadonly<Static<typeof TimelineItemSchema>>;

export type TeamStrategy = Static<typeof TeamStrategySchema>;
/** Trait values a rule compares with: the server refuses any other. */
type Conditions = Narrow<Static<typeof RuleConditionsSchema>, { traits?: Record<string, string | number | boolean> }>;
export type RuleConditions = DeepReadonly<Conditions>;
export type AssignmentRule = DeepReadonly<Narrow<Static<typeof AssignmentRuleSchema>, { conditions: Conditions }>>;
export type RuleTestResult = DeepReadonly<Static<typeof RoutingTestResult>>;

export type SlaPolicy = DeepReadonly<Static<typeof SlaPolicySchema>>;
export type BusinessHours = DeepReadonly<Static<typeof BusinessHoursSchema>>;
export type Weekday = keyof BusinessHours['weekly'];

/** A channel as GET /channels lists it; the directory reads only who and what it is. */
export type ChannelDetail = DeepReadonly<Static<typeof ChannelSchema>>;
export type Channel = Pick<ChannelDetail, 'id' | 'kind' | 'name' | 'businessUnitId' | 'settings'>;

/** A key as GET /keys lists it: its prefix, never the key. */
export type ApiKey = DeepReadonly<Static<typeof ApiKeySchema>>;

/** The sections of GET /workspace's settings that the settings screen edits (and sends back whole). */
export type WorkspaceSettings = DeepReadonly<Pick<Static<typeof WorkspaceSettingsSchema>, 'defaultCountry' | 'defaultCurrency' | 'lifecycle' | 'moments'>>;
