import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * A count of writes to each workspace's customers and identities, kept by triggers for every
 * writer, now on both engines. An ingest process keeps the identities and profiles it has read
 * or written in memory (profile-cache.ts) and may trust a workspace's share of them only while
 * nobody else has written that workspace's profiles: it bumps the count when it takes the
 * workspace and reads it again before it commits.
 *
 * Replaces 1100's single SQLite counter. Per workspace, so that an agent's moment in one
 * workspace no longer empties what the ingest thread holds for every other; and on PostgreSQL
 * too, where several processes may ingest one workspace (the count is a row that the bump locks,
 * so no other writer of that workspace's profiles commits while a cache is being trusted).
 *
 * PostgreSQL counts per statement (transition tables): a group of 500 profiles bumps once, not
 * 500 times. SQLite has row triggers only; its single row update per profile is what 1100 paid.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const statements = postgres ? postgresCounter() : sqliteCounter();
  for (const statement of statements) await sql.raw(statement).execute(db);
}

const TABLES = ['customer', 'identity'];
const OPS = ['insert', 'update', 'delete'];

function sqliteCounter(): string[] {
  const bump = (row: 'new' | 'old') => `insert into profile_writes (workspace_id, n) values (${row}.workspace_id, 1) on conflict (workspace_id) do update set n = n + 1;`;
  return [
    ...TABLES.flatMap((table) => OPS.map((op) => `drop trigger ${table}_writes_${op}`)),
    'drop table profile_writes',
    'create table profile_writes (workspace_id text primary key, n integer not null) without rowid',
    ...TABLES.flatMap((table) => OPS.map((op) => `create trigger ${table}_writes_${op} after ${op} on ${table} begin ${bump(op === 'delete' ? 'old' : 'new')} end`)),
  ];
}

function postgresCounter(): string[] {
  return [
    'create table profile_writes (workspace_id text primary key, n bigint not null)',
    `create function count_profile_writes() returns trigger language plpgsql as $$
      begin
        insert into profile_writes (workspace_id, n) select distinct workspace_id, 1 from changed
          on conflict (workspace_id) do update set n = profile_writes.n + 1;
        return null;
      end $$`,
    // A transition table is named per trigger, and delete has only the old rows.
    ...TABLES.flatMap((table) =>
      OPS.map((op) => `create trigger ${table}_writes_${op} after ${op} on ${table} referencing ${op === 'delete' ? 'old' : 'new'} table as changed for each statement execute function count_profile_writes()`),
    ),
  ];
}
