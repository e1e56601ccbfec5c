import { Migrator, PostgresAdapter, sql, type MigrationResultSet } from 'kysely';
import { migrations } from '../../../migrations/index.ts';
import type { Db } from './database.ts';

/**
 * Brings the schema up to date. Safe to run on every start and from several processes:
 * Kysely's migrator takes a lock table first.
 * @example const applied = await migrateToLatest(db)
 */
export async function migrateToLatest(db: Db): Promise<readonly string[]> {
  return againIfASchemaVanished(async () => applied(await (await migratorFor(db)).migrateToLatest()));
}

/** Brings the schema to one named migration (tests of a migration's data changes start below it). */
export async function migrateTo(db: Db, name: keyof typeof migrations & string): Promise<readonly string[]> {
  return againIfASchemaVanished(async () => applied(await (await migratorFor(db)).migrateTo(name)));
}

/**
 * Kysely's migrator finds its own tables by listing every table and column of the database, so
 * on PostgreSQL a schema, table or column that another process drops or alters at that moment
 * (test runs migrate and drop theirs) fails the listing: "schema … does not exist" (3F000),
 * "relation … does not exist" (42P01), "column … does not exist" (42703). Nothing has been
 * applied then (and a migration that failed so rolled back): ask again.
 */
const VANISHED = new Set(['3F000', '42P01', '42703']);

async function againIfASchemaVanished<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!VANISHED.has((error as { code?: string }).code ?? '') || attempt >= attempts) throw error;
    }
  }
}

async function migratorFor(db: Db): Promise<Migrator> {
  // Without a schema Kysely looks for its own tables in every schema of the database, so a
  // second schema in the same database (tests, TOUCHPOINT_PG_SCHEMA) would skip creating them.
  const schema = db.getExecutor().adapter instanceof PostgresAdapter ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s : undefined;
  return new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

function applied(result: MigrationResultSet): readonly string[] {
  if (result.error) throw result.error;
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
