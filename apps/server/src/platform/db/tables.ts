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
};

export type AgentTable = {
  workspace_id: string;
  id: string;
  email: string;
  name: string;
  role: 'owner' | 'admin' | 'agent' | 'analyst';
  password_hash: string | null;
  created_at: number;
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
  revenue: number;
  /** Set when the profile carries an email, phone or user id, or sent a lead event. */
  identified: number;
  advocate: number;
  created_at: number;
  updated_at: number;
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

export type Tables = {
  workspace: WorkspaceTable;
  business_unit: BusinessUnitTable;
  team: TeamTable;
  agent: AgentTable;
  team_member: TeamMemberTable;
  api_key: ApiKeyTable;
  session: SessionTable;
  customer: CustomerTable;
  identity: IdentityTable;
  event: EventTable;
  merge: MergeTable;
  identity_conflict: IdentityConflictTable;
  outbox: OutboxTable;
  audit: AuditTable;
};
