import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * SQLite: a counter of writes to customers and identities, kept by triggers for every writer.
 * The ingest thread keeps the identities and profiles it has read or written in memory
 * (profile-cache.ts); it may trust them only while nobody else has written either table.
 * It reads the counter when its transaction begins and again before it commits: a value it
 * did not leave behind means another connection wrote, and it forgets what it holds.
 * Triggers rather than `PRAGMA data_version`: that moves with any write (an outbox row marked
 * done), which would empty the cache many times a second.
 *
 * PostgreSQL ingest keeps no such memory (several processes may write); it has no counter.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  const bump = 'update profile_writes set n = n + 1 where id = 1;';
  for (const statement of [
    'create table profile_writes (id integer primary key check (id = 1), n integer not null)',
    'insert into profile_writes (id, n) values (1, 0)',
    ...['customer', 'identity'].flatMap((table) =>
      ['insert', 'update', 'delete'].map((op) => `create trigger ${table}_writes_${op} after ${op} on ${table} begin ${bump} end`),
    ),
  ]) {
    await sql.raw(statement).execute(db);
  }
}
