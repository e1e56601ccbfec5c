import type { ColumnType, Generated } from 'kysely';

/**
 * Row types of every table, as Kysely sees them. Times are Unix milliseconds (bigint in
 * PostgreSQL, integer in SQLite); JSON is stored as text on both engines so that one code
 * path reads and writes it. Every table carries `workspace_id`, and every key leads with it.
 */
export type WorkspaceTable = {
  id: string;
  name: string;
  settings: string;
  created_at: number;
};

export type BusinessUnitTable = {
  workspace_id: string;
  id: string;
  key: string;
  name: string;
  created_at: number;
};

export type TeamTable = {
  workspace_id: string;
  id: string;
  business_unit_id: string | null;
  key: string;
  name: string;
  created_at: number;
  /** round_robin | least_loaded | skills */
  strategy: Generated<string>;
  /** Holds the team's moments when no member can take them (null: the workspace owner). */
  fallback_owner_id: Generated<string | null>;
  /** Who an escalation goes to. */
  lead_id: Generated<string | null>;
  /** Round-robin cursor: the member who got the last moment. */
  last_assigned_id: Generated<string | null>;
};

export type AgentTable = {
  workspace_id: string;
  id: string;
  email: string;
  name: string;
  role: 'owner' | 'admin' | 'agent' | 'analyst';
  password_hash: string | null;
  created_at: number;
  /** online | away | offline: only online agents are routed new work. */
  presence: Generated<string>;
  presence_at: Generated<number>;
  /** JSON array of skill names. */
  skills: Generated<string>;
  /** JSON object: open moments an agent may own per channel, `*` for any other channel. */
  capacity: Generated<string>;
};

export type TeamMemberTable = {
  workspace_id: string;
  team_id: string;
  agent_id: string;
};

export type ApiKeyTable = {
  workspace_id: string;
  id: string;
  kind: 'api' | 'write';
  name: string;
  /** First characters of the key, shown in lists so people can tell keys apart. */
  prefix: string;
  /** SHA-256 of the whole key: keys are 256-bit random, so a fast hash is safe here. */
  hash: string;
  created_at: number;
  revoked_at: number | null;
};

export type SessionTable = {
  workspace_id: string;
  id: string;
  agent_id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
};

export type CustomerTable = {
  workspace_id: string;
  id: string;
  /** The surviving profile this one is part of (itself when not merged). */
  root_id: string;
  /** The profile this one was merged into directly (null when it is a root). */
  merged_into: string | null;
  traits: string;
  stage: string;
  stage_override: string | null;
  stage_override_reason: string | null;
  first_seen: number;
  /** Moves in steps of an hour (see LAST_SEEN_STEP_MS); reads take the exact time from events. */
  last_seen: number;
  order_count: number;
  /** JSON: order amounts summed per currency (profiles/revenue.ts). */
  revenue: string;
  /** Set when the profile carries an email, phone or user id, or sent a lead event. */
  identified: number;
  advocate: number;
  created_at: number;
  updated_at: number;
};

/** SQLite only: the stable integer key of each customer in `customer_text` (migration 0800). */
export type CustomerTextKeyTable = {
  key: number;
  workspace_id: string;
  customer_id: string;
};

/**
 * SQLite only: a contentless FTS5 trigram index (text-index.ts), whose rowid is its key table's
 * key: `customer_text` (customers' traits) and `inbox_text` (message bodies and subjects).
 */
export type TrigramIndexTable = {
  rowid: number;
  body: string;
};

/** SQLite only: the key of each text the inbox search reads (migration 1000); kind 'message' or 'subject'. */
export type InboxTextKeyTable = {
  key: Generated<number>;
  workspace_id: string;
  kind: 'message' | 'subject';
  /** The message's id, or the moment's for its subject. */
  ref_id: string;
};

/** SQLite only: one row, the last inbox_text_key.key the ingest thread has indexed. */
export type InboxTextIndexedTable = {
  id: number;
  up_to: number;
};

/** Per workspace, how many times any writer has written its customers or identities (triggers; profile-cache.ts). */
export type ProfileWritesTable = {
  workspace_id: string;
  n: number;
};

export type IdentityTable = {
  workspace_id: string;
  kind: string;
  value: string;
  /** The root profile the identity resolves to now. */
  customer_id: string;
  /** The profile the identity first joined; unmerge sends it back there. */
  profile_id: string;
  created_at: number;
};

export type EventTable = {
  workspace_id: string;
  id: string;
  customer_id: string;
  profile_id: string;
  message_id: string;
  type: string;
  name: string | null;
  channel: string;
  anonymous_id: string | null;
  user_id: string | null;
  properties: string;
  context: string;
  timestamp: number;
  received_at: number;
};

export type MergeTable = {
  workspace_id: string;
  id: string;
  survivor_id: string;
  absorbed_id: string;
  /** 'identity' when a call linked both; 'manual' when a person merged them. */
  cause: string;
  /** The identity or reason that linked them. */
  detail: string;
  created_at: number;
  undone_at: number | null;
};

export type IdentityConflictTable = {
  workspace_id: string;
  id: string;
  customer_id: string;
  kind: string;
  value: string;
  reason: string;
  message_id: string | null;
  created_at: number;
};

export type OutboxTable = {
  workspace_id: string;
  id: string;
  topic: string;
  payload: string;
  created_at: number;
  attempts: number;
  available_at: number;
  processed_at: number | null;
  last_error: string | null;
};

export type AuditTable = {
  workspace_id: string;
  id: string;
  actor: string;
  action: string;
  target: string;
  details: string;
  created_at: number;
};

export type MomentTable = {
  workspace_id: string;
  id: string;
  customer_id: string;
  channel: string;
  /** The configured channel it came in on (null when opened through the API; optional on insert). */
  channel_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The provider's conversation id: the same one twice opens one moment. */
  external_id: string | null;
  subject: string;
  /** The start of the latest message, for lists. */
  preview: string;
  /** open | pending | snoozed | resolved | closed */
  status: string;
  /** low | normal | high | urgent */
  priority: string;
  language: string | null;
  business_unit_id: string | null;
  team_id: string | null;
  /** Never null: someone always owns the moment. */
  owner_id: string;
  /** JSON array: skills the matched rule asks of whoever takes it, also from the waiting line. */
  required_skills: Generated<string>;
  /** JSON array of its tags, sorted: what moment_tag holds for it, read with the moment. */
  tags: Generated<string>;
  /** Set while the moment waits in its team's FIFO line (held by the fallback owner). */
  queued_at: number | null;
  /** JSON of a hand-off waiting for its receiver to accept, or null. */
  handoff: string | null;
  /** The hand-off's receiver (also in `handoff`), indexed for agents' visibility. */
  handoff_agent_id: ColumnType<string | null, string | null | undefined, string | null>;
  handoff_team_id: ColumnType<string | null, string | null | undefined, string | null>;
  sla_policy_id: string | null;
  first_response_due: number | null;
  next_response_due: number | null;
  resolution_due: number | null;
  /** The earliest unmet deadline; null when none runs (met, paused, no policy). */
  sla_due_at: number | null;
  sla_warned_at: number | null;
  sla_breached_at: number | null;
  /** When the clock stopped because the moment waits on the customer. */
  sla_paused_at: number | null;
  first_response_at: number | null;
  /** When the customer's oldest unanswered message arrived (null: nothing to answer). */
  awaiting_reply_since: number | null;
  snoozed_until: number | null;
  resolved_at: number | null;
  closed_at: number | null;
  merged_into: string | null;
  message_count: number;
  last_message_at: number;
  created_at: number;
  updated_at: number;
};

export type MomentTagTable = {
  workspace_id: string;
  moment_id: string;
  tag: string;
};

export type MessageTable = {
  workspace_id: string;
  id: string;
  moment_id: string;
  channel: string;
  /** in (from the customer) | out (to the customer) | note (internal) */
  direction: string;
  /** customer | agent | system */
  author_kind: string;
  author_id: string | null;
  body: string;
  /** JSON array of mentioned agent ids. */
  mentions: string;
  /** The configured channel it came in or went out on (null on moments opened through the API without one). */
  channel_id: ColumnType<string | null, string | null | undefined, string | null>;
  external_id: string | null;
  /** The customer's address on the channel (email, phone, page-scoped id): where replies go. */
  address: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON: channel specifics (email threading headers, a WhatsApp template, a call recording). */
  meta: Generated<string>;
  /** received | queued | sent | delivered | read | failed */
  delivery: string;
  delivery_error: string | null;
  /** When the delivery state last changed. */
  delivery_at: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: number;
};

export type AttachmentTable = {
  workspace_id: string;
  id: string;
  moment_id: string;
  message_id: string;
  file_name: string;
  content_type: string;
  size: number;
  sha256: string;
  data: Buffer;
  created_at: number;
};

export type OwnershipChangeTable = {
  workspace_id: string;
  id: string;
  moment_id: string;
  owner_id: string;
  team_id: string | null;
  /** Why this person became the owner (see OwnershipReason). */
  reason: string;
  actor: string;
  note: string | null;
  started_at: number;
  /** Null for the current owner: exactly one such row per moment (a unique partial index). */
  ended_at: number | null;
};

export type AssignmentRuleTable = {
  workspace_id: string;
  id: string;
  position: number;
  name: string;
  /** JSON RuleConditions. */
  conditions: string;
  team_id: string;
  /** JSON array: skills an agent needs to be picked (teams with the skills strategy). */
  required_skills: string;
  enabled: number;
  created_at: number;
};

export type BusinessHoursTable = {
  workspace_id: string;
  id: string;
  name: string;
  /** IANA zone, e.g. Europe/Lisbon. */
  time_zone: string;
  /** JSON { mon: [["09:00","17:00"]], … } */
  weekly: string;
  /** JSON array of local dates, e.g. ["2026-12-25"]. */
  holidays: string;
  created_at: number;
  /** When an admin deleted them: gone from settings, still counted by the retired policies' moments. */
  retired_at: ColumnType<number | null, number | null | undefined, number | null>;
};

export type SlaPolicyTable = {
  workspace_id: string;
  id: string;
  name: string;
  /** Null matches any. */
  priority: string | null;
  channel: string | null;
  business_unit_id: string | null;
  first_response_minutes: number | null;
  next_response_minutes: number | null;
  resolution_minutes: number | null;
  /** Null: the clock runs around the clock. */
  business_hours_id: string | null;
  warn_before_minutes: number;
  /** JSON array of reassign | notify_lead | raise_priority */
  breach_actions: string;
  created_at: number;
  /** Set when an admin took the policy away: it times no new moment, only those it already did. */
  retired_at: ColumnType<number | null, number | null | undefined, number | null>;
};

/** An agent's load on a channel: the active moments they own there, outside waiting lines. Kept by triggers on moment (migration 0500). */
export type AgentLoadTable = {
  workspace_id: string;
  agent_id: string;
  channel: string;
  n: number;
};

export type MomentActivityTable = {
  workspace_id: string;
  /** Commit order within the workspace: the stream's resume cursor. */
  seq: number;
  moment_id: string;
  type: string;
  actor: string;
  /** JSON { teams: [...], agents: [...] }: who besides admins may see it. */
  audience: string;
  payload: string;
  created_at: number;
};

/** An unsend that came before its message: the message is not stored when it comes. */
export type UnsentAheadTable = {
  workspace_id: string;
  channel_id: string;
  external_id: string;
  created_at: number;
};

export type ChannelTable = {
  workspace_id: string;
  id: string;
  /** email | chat | whatsapp | messenger | instagram | sms | voice | api */
  kind: string;
  name: string;
  business_unit_id: string | null;
  /** What inbound traffic names: an email address, a phone number, a page id. */
  address: string | null;
  /** JSON: the channel's public settings (provider ids, allowed origins, relay host, …). */
  settings: string;
  /** Tokens and app secrets as JSON, sealed (channel-secrets.ts); never returned by the API, never logged. */
  secrets: string;
  cost_per_contact: number;
  currency: string;
  enabled: number;
  /** ok | failing | unknown */
  health: string;
  health_error: string | null;
  health_at: number | null;
  created_at: number;
  updated_at: number;
};

export type StageChangeTable = {
  workspace_id: string;
  id: string;
  customer_id: string;
  from_stage: string;
  to_stage: string;
  /** What moved it: an event name, 'inactivity', or a person's reason for an override. */
  reason: string;
  created_at: number;
};

export type Tables = {
  workspace: WorkspaceTable;
  business_unit: BusinessUnitTable;
  team: TeamTable;
  agent: AgentTable;
  team_member: TeamMemberTable;
  api_key: ApiKeyTable;
  session: SessionTable;
  customer: CustomerTable;
  customer_text_key: CustomerTextKeyTable;
  customer_text: TrigramIndexTable;
  inbox_text_key: InboxTextKeyTable;
  inbox_text: TrigramIndexTable;
  inbox_text_indexed: InboxTextIndexedTable;
  profile_writes: ProfileWritesTable;
  identity: IdentityTable;
  event: EventTable;
  merge: MergeTable;
  identity_conflict: IdentityConflictTable;
  outbox: OutboxTable;
  audit: AuditTable;
  moment: MomentTable;
  moment_tag: MomentTagTable;
  message: MessageTable;
  attachment: AttachmentTable;
  ownership_change: OwnershipChangeTable;
  assignment_rule: AssignmentRuleTable;
  business_hours: BusinessHoursTable;
  sla_policy: SlaPolicyTable;
  moment_activity: MomentActivityTable;
  unsent_ahead: UnsentAheadTable;
  agent_load: AgentLoadTable;
  channel: ChannelTable;
  stage_change: StageChangeTable;
};
