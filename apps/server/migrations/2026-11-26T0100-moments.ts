import { sql, type Kysely } from 'kysely';

/**
 * Moments: conversations and cases, their messages and attachments, the ownership ledger,
 * routing (agent presence, skills and capacity; team strategy, fallback owner and lead;
 * assignment rules), SLA policies with business hours, and the activity log behind the
 * live stream. Portable across SQLite and PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = await isPostgres(db);

  // Agents: presence counts for routing; skills and capacity per channel ({"chat": 3, "*": 5}).
  await db.schema.alterTable('agent').addColumn('presence', 'text', (c) => c.notNull().defaultTo('offline')).execute();
  await db.schema.alterTable('agent').addColumn('presence_at', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('agent').addColumn('skills', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  await db.schema.alterTable('agent').addColumn('capacity', 'text', (c) => c.notNull().defaultTo('{}')).execute();

  // Teams: how work is shared out inside, who holds what nobody can take, who is escalated to.
  await db.schema.alterTable('team').addColumn('strategy', 'text', (c) => c.notNull().defaultTo('round_robin')).execute();
  await db.schema.alterTable('team').addColumn('fallback_owner_id', 'text').execute();
  await db.schema.alterTable('team').addColumn('lead_id', 'text').execute();
  await db.schema.alterTable('team').addColumn('last_assigned_id', 'text').execute();

  await db.schema
    .createTable('moment')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    // The configured channel (inbox address, number, page) it came in on; null when opened by API.
    .addColumn('channel_id', 'text')
    .addColumn('external_id', 'text')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('preview', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('language', 'text')
    .addColumn('business_unit_id', 'text')
    .addColumn('team_id', 'text')
    .addColumn('owner_id', 'text', (c) => c.notNull())
    // Skills the matched rule asks of whoever takes it (JSON array), also when it waits in line.
    .addColumn('required_skills', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('queued_at', 'bigint')
    .addColumn('handoff', 'text')
    // Who a pending hand-off is addressed to (also inside `handoff`): agents see those moments.
    .addColumn('handoff_agent_id', 'text')
    .addColumn('handoff_team_id', 'text')
    .addColumn('sla_policy_id', 'text')
    .addColumn('first_response_due', 'bigint')
    .addColumn('next_response_due', 'bigint')
    .addColumn('resolution_due', 'bigint')
    .addColumn('sla_due_at', 'bigint')
    .addColumn('sla_warned_at', 'bigint')
    .addColumn('sla_breached_at', 'bigint')
    .addColumn('sla_paused_at', 'bigint')
    .addColumn('first_response_at', 'bigint')
    .addColumn('awaiting_reply_since', 'bigint')
    .addColumn('snoozed_until', 'bigint')
    .addColumn('resolved_at', 'bigint')
    .addColumn('closed_at', 'bigint')
    .addColumn('merged_into', 'text')
    .addColumn('message_count', 'integer', (c) => c.notNull())
    .addColumn('last_message_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('moment_pk', ['workspace_id', 'id'])
    .execute();
  // The same provider conversation delivered twice opens one moment.
  await db.schema.createIndex('moment_external').unique().on('moment').columns(['workspace_id', 'channel', 'external_id']).execute();
  // A customer writing again continues their open moment on that channel.
  await db.schema.createIndex('moment_by_customer').on('moment').columns(['workspace_id', 'customer_id', 'channel', 'status']).execute();
  // Inbox views: a team's queue by SLA deadline; an agent's own moments by recency.
  await db.schema.createIndex('moment_team_queue').on('moment').columns(['workspace_id', 'team_id', 'status', 'sla_due_at', 'id']).execute();
  await db.schema.createIndex('moment_by_owner').on('moment').columns(['workspace_id', 'owner_id', 'status', 'last_message_at', 'id']).execute();
  await db.schema.createIndex('moment_recent').on('moment').columns(['workspace_id', 'last_message_at', 'id']).execute();
  // The FIFO waiting line of each team, and the SLA sweep.
  await db.schema.createIndex('moment_waiting').on('moment').columns(['workspace_id', 'team_id', 'queued_at']).where(sql.ref('queued_at'), 'is not', null).execute();
  await db.schema.createIndex('moment_sla_due').on('moment').columns(['sla_due_at']).where(sql.ref('sla_due_at'), 'is not', null).execute();
  // Breached and due-soon views and counts across a workspace.
  await db.schema.createIndex('moment_sla_state').on('moment').columns(['workspace_id', 'status', 'sla_breached_at', 'sla_due_at']).execute();
  // Hand-offs waiting for an agent or a team.
  await db.schema.createIndex('moment_handoff_agent').on('moment').columns(['workspace_id', 'handoff_agent_id']).where(sql.ref('handoff_agent_id'), 'is not', null).execute();
  await db.schema.createIndex('moment_handoff_team').on('moment').columns(['workspace_id', 'handoff_team_id']).where(sql.ref('handoff_team_id'), 'is not', null).execute();
  // The sweeps: snoozed moments waking up, resolved ones closing after the reopen window.
  await db.schema.createIndex('moment_snoozed').on('moment').columns(['snoozed_until']).where(sql.ref('snoozed_until'), 'is not', null).execute();
  await db.schema.createIndex('moment_resolved').on('moment').columns(['resolved_at']).where(sql<boolean>`status = 'resolved'`).execute();

  await db.schema
    .createTable('moment_tag')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('moment_id', 'text', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('moment_tag_pk', ['workspace_id', 'moment_id', 'tag'])
    .execute();
  await db.schema.createIndex('moment_tag_by_tag').on('moment_tag').columns(['workspace_id', 'tag', 'moment_id']).execute();

  await db.schema
    .createTable('message')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('moment_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('author_kind', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('mentions', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    // The customer's address on the channel (email, phone, page-scoped id): where replies go.
    .addColumn('address', 'text')
    // Channel specifics: email headers for threading, a WhatsApp template, a call's recording.
    .addColumn('meta', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('delivery', 'text', (c) => c.notNull())
    .addColumn('delivery_error', 'text')
    .addColumn('delivery_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_pk', ['workspace_id', 'id'])
    .execute();
  await db.schema.createIndex('message_by_moment').on('message').columns(['workspace_id', 'moment_id', 'id']).execute();
  // A provider message id is stored once per channel, however often it is delivered.
  await db.schema.createIndex('message_external').unique().on('message').columns(['workspace_id', 'channel', 'external_id']).execute();

  await db.schema
    .createTable('attachment')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('moment_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('data', postgres ? sql`bytea` : 'blob', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('attachment_pk', ['workspace_id', 'id'])
    .execute();
  await db.schema.createIndex('attachment_by_message').on('attachment').columns(['workspace_id', 'message_id']).execute();

  // The ownership ledger: one row per owner of a moment, from when to when, and why.
  await db.schema
    .createTable('ownership_change')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('moment_id', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .addPrimaryKeyConstraint('ownership_change_pk', ['workspace_id', 'id'])
    .execute();
  await db.schema.createIndex('ownership_by_moment').on('ownership_change').columns(['workspace_id', 'moment_id', 'id']).execute();
  // The database itself refuses a second current owner.
  await db.schema
    .createIndex('ownership_current')
    .unique()
    .on('ownership_change')
    .columns(['workspace_id', 'moment_id'])
    .where(sql.ref('ended_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('assignment_rule')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('conditions', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('required_skills', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('assignment_rule_pk', ['workspace_id', 'id'])
    .execute();

  await db.schema
    .createTable('business_hours')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('weekly', 'text', (c) => c.notNull())
    .addColumn('holidays', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('business_hours_pk', ['workspace_id', 'id'])
    .execute();

  await db.schema
    .createTable('sla_policy')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('priority', 'text')
    .addColumn('channel', 'text')
    .addColumn('business_unit_id', 'text')
    .addColumn('first_response_minutes', 'integer')
    .addColumn('next_response_minutes', 'integer')
    .addColumn('resolution_minutes', 'integer')
    .addColumn('business_hours_id', 'text')
    .addColumn('warn_before_minutes', 'integer', (c) => c.notNull())
    .addColumn('breach_actions', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sla_policy_pk', ['workspace_id', 'id'])
    .execute();

  // What happened to moments, in commit order per workspace: the live stream and its resume
  // cursor. `seq` is taken under the workspace's write lock, so it never goes backwards.
  await db.schema
    .createTable('moment_activity')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('moment_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('moment_activity_pk', ['workspace_id', 'seq'])
    .execute();
  await db.schema.createIndex('moment_activity_by_moment').on('moment_activity').columns(['workspace_id', 'moment_id', 'seq']).execute();
}

/** `version()` exists on PostgreSQL only; a failed statement does not abort SQLite's transaction. */
async function isPostgres(db: Kysely<unknown>): Promise<boolean> {
  try {
    await sql`select version()`.execute(db);
    return true;
  } catch {
    return false;
  }
}
