/**
 * What the REST API answers, as the web app reads it (see README "Moments" and /api/docs).
 * Times are ISO strings.
 */
export type Role = 'owner' | 'admin' | 'agent' | 'analyst';
export type MomentStatus = 'open' | 'pending' | 'snoozed' | 'resolved' | 'closed';
export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export type SlaState = 'none' | 'running' | 'due_soon' | 'breached' | 'paused' | 'met';
export type Presence = 'online' | 'away' | 'offline';
export type DeliveryState = 'received' | 'internal' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

export type Session = {
  readonly workspace: { readonly id: string; readonly name: string };
  readonly role: Role;
  readonly via: string;
  readonly agent: { readonly id: string; readonly name: string; readonly email: string; readonly role: Role; readonly presence: Presence } | null;
};

export type Agent = { readonly id: string; readonly email: string; readonly name: string; readonly role: Role };
export type Team = { readonly id: string; readonly key: string; readonly name: string; readonly businessUnitId: string | null; readonly agentIds: readonly string[] };
export type BusinessUnit = { readonly id: string; readonly key: string; readonly name: string };

export type Handoff = {
  readonly fromOwnerId: string;
  readonly toTeamId: string | null;
  readonly toAgentId: string | null;
  readonly reason: string;
  readonly note: string | null;
  readonly requestedAt: string;
  readonly requestedBy: string;
};

export type Moment = {
  readonly id: string;
  readonly customerId: string;
  readonly channel: string;
  readonly subject: string;
  readonly preview: string;
  readonly status: MomentStatus;
  readonly priority: Priority;
  readonly businessUnitId: string | null;
  readonly teamId: string | null;
  readonly ownerId: string;
  readonly queued: boolean;
  readonly queuedAt: string | null;
  readonly handoff: Handoff | null;
  readonly tags: readonly string[];
  readonly sla: {
    readonly state: SlaState;
    readonly firstResponseDue: string | null;
    readonly nextResponseDue: string | null;
    readonly resolutionDue: string | null;
    readonly dueAt: string | null;
    readonly breachedAt: string | null;
    readonly pausedAt: string | null;
  };
  readonly snoozedUntil: string | null;
  readonly resolvedAt: string | null;
  readonly messageCount: number;
  readonly lastMessageAt: string;
  readonly createdAt: string;
  readonly updatedAt: string;
};

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

export type MomentCounts = {
  readonly mine: number;
  readonly myTeams: number;
  readonly waiting: number;
  readonly all?: number;
  readonly breached: number;
  readonly dueSoon: number;
};

export type Page<T> = { readonly data: readonly T[]; readonly nextCursor: string | null };

export type Customer = { readonly id: string; readonly name?: string | null; readonly traits?: Readonly<Record<string, unknown>> };

export type Channel = { readonly id: string; readonly kind: string; readonly name: string; readonly businessUnitId: string | null; readonly settings: Readonly<Record<string, unknown>> };
