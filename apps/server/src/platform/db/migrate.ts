import { Migrator, PostgresAdapter, sql, type Migration, type MigrationResultSet } from 'kysely';
import { migrations } from '../../../migrations/index.ts';
import type { Db } from './database.ts';

/**
 * Brings the schema up to date, all pending migrations in one transaction: a crash applies
 * none of them. Safe to run on every start and from several processes: Kysely's migrator
 * takes a lock first (PostgreSQL), SQLite's write lock serialises them.
 * @example const applied = await migrateToLatest(db)
 */
export async function migrateToLatest(db: Db, all: Readonly<Record<string, Migration>> = migrations): Promise<readonly string[]> {
  return againIfASchemaVanished(async () => applied(await (await migratorFor(db, all)).migrateToLatest()));
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

async function migratorFor(db: Db, all: Readonly<Record<string, Migration>> = migrations): Promise<Migrator> {
  // Without a schema Kysely looks for its own tables in every schema of the database, so a
  // second schema in the same database (tests, TOUCHPOINT_PG_SCHEMA) would skip creating them.
  const schema = db.getExecutor().adapter instanceof PostgresAdapter ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s : undefined;
  return new Migrator({
    db: withTransactionalDdl(db),
    provider: { getMigrations: async () => ({ ...all }) },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

function applied(result: MigrationResultSet): readonly string[] {
  if (result.error) throw result.error;
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * The database as the migrator should see it: one that runs migrations in a transaction.
 * Kysely says SQLite cannot (SqliteAdapter.supportsTransactionalDdl is false) and then runs
 * each migration and its record apart, so a process killed mid-migration left tables without
 * the record of them, and every later start failed ("table … already exists"). SQLite's DDL is
 * transactional, and our transactions begin IMMEDIATE (sqlite-dialect.ts), which also makes a
 * second process wait for the first one's migrations instead of applying them again.
 */
function withTransactionalDdl(db: Db): Db {
  const executor = db.getExecutor();
  if (executor.adapter.supportsTransactionalDdl) return db;
  const adapter = new Proxy(executor.adapter, { get: (target, key) => (key === 'supportsTransactionalDdl' ? true : bound(target, key)) });
  const transactional = new Proxy(executor, { get: (target, key) => (key === 'adapter' ? adapter : bound(target, key)) });
  return new Proxy(db, { get: (target, key) => (key === 'getExecutor' ? () => transactional : bound(target, key)) });
}

/** A property of `target`, its methods bound to it (they use private fields a proxy does not have). */
function bound(target: object, key: string | symbol): unknown {
  const value: unknown = Reflect.get(target, key, target);
  return typeof value === 'function' ? value.bind(target) : value;
}
