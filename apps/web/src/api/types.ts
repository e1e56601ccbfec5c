/**
 * What the REST API answers, as the web app reads it (see README "Moments" and /api/docs).
 * Times are ISO strings. A reply the server declares as a response schema in
 * @touchpoint/contracts is derived from that schema, so the two cannot drift; the rest are
 * written out here. Imports are type-only: no TypeBox code reaches the bundle.
 */
import type { Static } from '@sinclair/typebox';
import type {
  AgentListItem,
  BusinessUnit as BusinessUnitSchema,
  CurrentSession,
  MomentCounts as MomentCountsSchema,
  MomentView,
  TeamListItem,
  TeamStrategy as TeamStrategySchema,
} from '@touchpoint/contracts';

/** Cached replies are shared by every screen: nothing may change one in place. */
type DeepReadonly<T> = T extends readonly (infer I)[] ? readonly DeepReadonly<I>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/**
 * `T` with some string fields narrowed to the values the server writes: the contracts type
 * them as `string`, but only validated input or fixed code paths ever fill them. A key that
 * `T` lacks, or a type that is not narrower, fails to compile.
 */
type Narrow<T, N extends { readonly [K in keyof N]: K extends keyof T ? T[K] : never }> = Omit<T, keyof N> & N;

export type Role = 'owner' | 'admin' | 'agent' | 'analyst';
export type MomentStatus = 'open' | 'pending' | 'snoozed' | 'resolved' | 'closed';
export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export type SlaState = 'none' | 'running' | 'due_soon' | 'breached' | 'paused' | 'met';
export type Presence = 'online' | 'away' | 'offline';
export type DeliveryState = 'received' | 'internal' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

type SessionReply = Static<typeof CurrentSession>;
export type Session = DeepReadonly<
  Narrow<SessionReply, { role: Role; agent: Narrow<NonNullable<SessionReply['agent']>, { role: Role; presence: Presence }> | null }>
>;

/** POST /sessions: the session (its cookies are set too) and every workspace where the password verified. */
export type SignInReply = {
  readonly workspaceId: string;
  readonly agentId: string;
  readonly expiresAt: string;
  readonly workspaces: readonly { readonly id: string; readonly name: string }[];
};

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

export type Attachment = { readonly id: string; readonly fileName: string; readonly contentType: string; readonly size: number };

export type Message = {
  readonly id: string;
  readonly momentId: string;
  readonly channel: string;
  readonly direction: 'in' | 'out' | 'note';
  readonly authorKind: 'customer' | 'agent' | 'system';
  readonly authorId: string | null;
  readonly body: string;
  readonly mentions: readonly string[];
  readonly address: string | null;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly delivery: DeliveryState;
  readonly deliveryError: string | null;
  readonly deliveryAt: string | null;
  readonly attachments: readonly Attachment[];
  readonly createdAt: string;
};

export type OwnershipEntry = {
  readonly ownerId: string;
  readonly ownerName: string | null;
  readonly teamId: string | null;
  readonly teamName: string | null;
  readonly reason: string;
  readonly actor: string;
  readonly note: string | null;
  readonly from: string;
  readonly to: string | null;
};

export type MomentCounts = DeepReadonly<Static<typeof MomentCountsSchema>>;

export type Page<T> = { readonly data: readonly T[]; readonly nextCursor: string | null };

export type Customer = { readonly id: string; readonly name?: string | null; readonly traits?: Readonly<Record<string, unknown>> };

export type Channel = { readonly id: string; readonly kind: string; readonly name: string; readonly businessUnitId: string | null; readonly settings: Readonly<Record<string, unknown>> };

export type Stage = 'visitor' | 'lead' | 'customer' | 'repeat' | 'advocate' | 'at_risk' | 'churned';
export const STAGES: readonly Stage[] = ['visitor', 'lead', 'customer', 'repeat', 'advocate', 'at_risk', 'churned'];

export type Identity = { readonly kind: string; readonly value: string; readonly profileId: string; readonly addedAt: string };
export type Merge = { readonly id: string; readonly survivorId: string; readonly absorbedId: string; readonly cause: string; readonly detail: string; readonly at: string; readonly undoneAt: string | null };

/** GET /customers/{id}: an absorbed profile's id answers with its survivor. */
export type CustomerProfile = {
  readonly id: string;
  readonly traits: Readonly<Record<string, unknown>>;
  readonly stage: Stage;
  readonly stageOverride: { readonly stage: string; readonly reason: string | null } | null;
  /** Changes of stage, newest first. */
  readonly stageHistory: readonly { readonly from: string; readonly to: string; readonly reason: string; readonly at: string }[];
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly createdAt: string;
  readonly counts: { readonly events: number; readonly orders: number };
  readonly revenue: number;
  readonly identities: readonly Identity[];
  readonly mergedProfileIds: readonly string[];
  readonly merges: readonly Merge[];
  readonly conflicts: readonly { readonly kind: string; readonly value: string; readonly reason: string; readonly at: string }[];
};

export type CustomerSummary = {
  readonly id: string;
  readonly name: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly stage: Stage;
  readonly lastSeen: string;
  readonly counts: { readonly orders: number };
  readonly revenue: number;
};

export type TimelineItem = {
  readonly id: string;
  readonly type: string;
  readonly name: string | null;
  readonly channel: string;
  readonly timestamp: string;
  readonly messageId: string;
  readonly profileId: string;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly context: Readonly<Record<string, unknown>>;
};

export type TeamStrategy = Static<typeof TeamStrategySchema>;
export type RuleConditions = {
  readonly channels?: readonly string[];
  readonly businessUnitIds?: readonly string[];
  readonly stages?: readonly Stage[];
  readonly languages?: readonly string[];
  readonly keywords?: readonly string[];
  readonly traits?: Readonly<Record<string, string | number | boolean>>;
};
export type AssignmentRule = {
  readonly id: string;
  readonly name: string;
  readonly position: number;
  readonly conditions: RuleConditions;
  readonly teamId: string;
  readonly requiredSkills: readonly string[];
  readonly enabled: boolean;
};
export type RuleTestResult = {
  readonly matched: { readonly ruleId: string; readonly ruleName: string; readonly teamId: string; readonly teamName: string } | null;
  readonly fallback: { readonly teamId: string | null; readonly teamName: string | null };
};

export type SlaPolicy = {
  readonly id: string;
  readonly name: string;
  readonly priority: Priority | null;
  readonly channel: string | null;
  readonly businessUnitId: string | null;
  readonly firstResponseMinutes: number | null;
  readonly nextResponseMinutes: number | null;
  readonly resolutionMinutes: number | null;
  readonly businessHoursId: string | null;
  readonly warnBeforeMinutes: number;
  readonly breachActions: readonly ('reassign' | 'notify_lead' | 'raise_priority')[];
};
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export type BusinessHours = {
  readonly id: string;
  readonly name: string;
  readonly timeZone: string;
  readonly weekly: Partial<Readonly<Record<Weekday, readonly (readonly [string, string])[]>>>;
  readonly holidays: readonly string[];
};

export type ChannelDetail = Channel & {
  readonly address: string | null;
  readonly costPerContact: number | null;
  readonly currency: string | null;
  readonly enabled: boolean;
  readonly secretsSet: readonly string[];
  readonly health: { readonly state: string; readonly error: string | null; readonly at: string | null };
  readonly webhooks?: Readonly<Record<string, string>>;
};

export type ApiKey = { readonly id: string; readonly kind: 'api' | 'write'; readonly name: string; readonly prefix: string; readonly createdAt: string; readonly revokedAt: string | null };

export type WorkspaceSettings = {
  readonly lifecycle: {
    readonly leadEvents: readonly string[];
    readonly orderEvents: readonly string[];
    readonly advocateEvents: readonly string[];
    readonly repeatAfterOrders: number;
    readonly atRiskAfterDays: number;
    readonly churnedAfterDays: number;
  };
  readonly moments: { readonly defaultTeamId: string | null; readonly reopenWindowHours: number; readonly defaultCapacity: number; readonly dueSoonMinutes: number };
};
