import type { Kysely } from 'kysely';

/**
 * The foundation: tenants, people, keys, profiles, identities, events, merges, outbox, audit.
 * Portable across SQLite and PostgreSQL: only types both engines understand, ids made in code.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('workspace')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('business_unit')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('business_unit_pk', ['workspace_id', 'id'])
    .addUniqueConstraint('business_unit_key', ['workspace_id', 'key'])
    .execute();

  await db.schema
    .createTable('team')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('business_unit_id', 'text')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('team_pk', ['workspace_id', 'id'])
    .addUniqueConstraint('team_key', ['workspace_id', 'key'])
    .execute();

  await db.schema
    .createTable('agent')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('agent_pk', ['workspace_id', 'id'])
    .addUniqueConstraint('agent_email', ['workspace_id', 'email'])
    .execute();
  // Sign-in finds the person by email before it knows the workspace.
  await db.schema.createIndex('agent_by_email').on('agent').column('email').execute();

  await db.schema
    .createTable('team_member')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('team_member_pk', ['workspace_id', 'team_id', 'agent_id'])
    .execute();

  await db.schema
    .createTable('api_key')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addPrimaryKeyConstraint('api_key_pk', ['workspace_id', 'id'])
    .execute();
  // A request carries only the key: this is the one lookup that precedes knowing the tenant.
  await db.schema.createIndex('api_key_by_hash').on('api_key').column('hash').execute();

  await db.schema
    .createTable('session')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('session_pk', ['workspace_id', 'id'])
    .execute();
  await db.schema.createIndex('session_by_token').on('session').column('token_hash').execute();

  await db.schema
    .createTable('customer')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('root_id', 'text', (c) => c.notNull())
    .addColumn('merged_into', 'text')
    .addColumn('traits', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('stage_override', 'text')
    .addColumn('stage_override_reason', 'text')
    .addColumn('first_seen', 'bigint', (c) => c.notNull())
    .addColumn('last_seen', 'bigint', (c) => c.notNull())
    .addColumn('order_count', 'integer', (c) => c.notNull())
    .addColumn('revenue', 'double precision', (c) => c.notNull())
    .addColumn('identified', 'integer', (c) => c.notNull())
    .addColumn('advocate', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('customer_pk', ['workspace_id', 'id'])
    .execute();
  await db.schema.createIndex('customer_by_root').on('customer').columns(['workspace_id', 'root_id']).execute();
  await db.schema.createIndex('customer_by_last_seen').on('customer').columns(['workspace_id', 'last_seen']).execute();

  await db.schema
    .createTable('identity')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('identity_pk', ['workspace_id', 'kind', 'value'])
    .execute();
  await db.schema.createIndex('identity_by_customer').on('identity').columns(['workspace_id', 'customer_id']).execute();

  await db.schema
    .createTable('event')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('anonymous_id', 'text')
    .addColumn('user_id', 'text')
    .addColumn('properties', 'text', (c) => c.notNull())
    .addColumn('context', 'text', (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    // The messageId is the event's natural key (a retry is a no-op), so it is the primary key;
    // `id` (UUIDv7, unique by construction) orders events and needs no index of its own.
    .addPrimaryKeyConstraint('event_pk', ['workspace_id', 'message_id'])
    .execute();
  await db.schema
    .createIndex('event_timeline')
    .on('event')
    .columns(['workspace_id', 'customer_id', 'timestamp', 'id'])
    .execute();

  await db.schema
    .createTable('merge')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('survivor_id', 'text', (c) => c.notNull())
    .addColumn('absorbed_id', 'text', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('undone_at', 'bigint')
    .addPrimaryKeyConstraint('merge_pk', ['workspace_id', 'id'])
    .execute();
  await db.schema.createIndex('merge_by_absorbed').on('merge').columns(['workspace_id', 'absorbed_id']).execute();
  await db.schema.createIndex('merge_by_survivor').on('merge').columns(['workspace_id', 'survivor_id']).execute();

  await db.schema
    .createTable('identity_conflict')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('identity_conflict_pk', ['workspace_id', 'id'])
    .execute();
  await db.schema
    .createIndex('identity_conflict_by_customer')
    .on('identity_conflict')
    .columns(['workspace_id', 'customer_id'])
    .execute();

  await db.schema
    .createTable('outbox')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('available_at', 'bigint', (c) => c.notNull())
    .addColumn('processed_at', 'bigint')
    .addColumn('last_error', 'text')
    .addPrimaryKeyConstraint('outbox_pk', ['workspace_id', 'id'])
    .execute();
  // The worker's queue: unprocessed rows by when they may run.
  await db.schema.createIndex('outbox_pending').on('outbox').columns(['processed_at', 'available_at']).execute();

  await db.schema
    .createTable('audit')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_pk', ['workspace_id', 'id'])
    .execute();
}
