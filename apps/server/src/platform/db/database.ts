import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, sql, type KyselyConfig, type SqliteDatabase, type SqliteStatement, type Transaction } from 'kysely';
import { eachRowStatement } from './append-rows.ts';
import { copyingPool } from './copy-rows.ts';
import { openReadThreads } from './read-threads.ts';
import { rowsByLiteral } from './rows-by-literal.ts';
import { BusyTimeout } from './busy-timeout.ts';
import { BUSY_TIMEOUT_MS, SqliteDialectWithAsyncBegin } from './sqlite-dialect.ts';
import { CommitDurability, trackCommits } from './commit-durability.ts';
import { WalSync, type SyncFile } from './wal-sync.ts';
import { WriteLockSignal } from './write-lock-signal.ts';
import type { Tables } from './tables.ts';
import { foldCase } from './like-pattern.ts';

export type Db = Kysely<Tables>;
export type Tx = Transaction<Tables>;
export type Engine = 'sqlite' | 'postgres';

/** How long a read through `reads` may run before it is stopped. */
const READ_TIMEOUT_MS = 30_000;

/** An open database and the facts code needs about it. */
export type Database = {
  readonly db: Db;
  /**
   * For reads that may walk many rows (text search, inbox badges): on SQLite, read-only
   * connections on threads of their own (read-threads.ts), so they never hold the event loop;
   * on PostgreSQL, whose queries never do, a read-only pool of their own. Either way a read
   * over `readTimeoutMs` is stopped.
   */
  readonly reads: Db;
  readonly engine: Engine;
  /** Where the data lives, for messages: a file path or the URL without its password. */
  readonly location: string;
  readonly close: () => Promise<void>;
};

export type DatabaseOptions = {
  readonly databaseUrl?: string;
  readonly dataDir: string;
  readonly sqliteSynchronous?: 'FULL' | 'NORMAL' | 'OFF';
  /** PostgreSQL schema to use (tests isolate each run in its own). */
  readonly pgSchema?: string;
  readonly poolSize?: number;
  /**
   * SQLite: let commits on this connection checkpoint the WAL (default). The server's main
   * connection turns it off: a checkpoint copies megabytes and would stall the event loop for
   * everyone; the checkpoint thread does it instead (see checkpoint-thread.ts).
   */
  readonly sqliteAutoCheckpoint?: boolean;
  /**
   * SQLite with `synchronous` FULL: sync the WAL on libuv's thread pool instead of inside
   * COMMIT, so the event loop never waits for the disk (wal-sync.ts). Writes are still
   * answered only once on disk. The server's main connection does this.
   */
  readonly sqliteSyncOffThread?: boolean;
  /** How the WAL is synced with `sqliteSyncOffThread` (tests hold it back). */
  readonly sqliteSyncFile?: SyncFile;
  /**
   * SQLite: `WriteLockSignal.memory()`, shared by every connection of this process that writes
   * the file (the server's and the ingest thread's): each wakes the others' waits for the write
   * lock as it lets go (write-lock-signal.ts).
   */
  readonly sqliteWriteLock?: SharedArrayBuffer;
  /**
   * SQLite: this connection's transactions wait while another writer of the process waits for
   * the write lock (the ingest thread's, whose group commit makes up for a later start).
   */
  readonly sqliteGivesWay?: boolean;
  /** SQLite: how many read threads serve `reads` (default 2; 0: `reads` is the main connection). */
  readonly readThreads?: number;
  /** A read through `reads` still running after this long is stopped (default 30 s; PostgreSQL: statement_timeout). */
  readonly readTimeoutMs?: number;
  /** Called with every query run through the Kysely instance, after it ran (the slow query log, plan tests). */
  readonly onQuery?: (query: ExecutedQuery) => void;
};

/** A query as it ran: its SQL with placeholders, its parameters, and how long it took. */
export type ExecutedQuery = { readonly sql: string; readonly parameters: readonly unknown[]; readonly ms: number };

// int8 (count, bigint columns) would arrive as strings; our values are ms timestamps and
// counts that fit a double exactly.
pg.types.setTypeParser(20, (value) => Number(value));
pg.types.setTypeParser(1700, (value) => Number(value));

/**
 * Opens SQLite under `dataDir` or PostgreSQL at `databaseUrl`.
 * @example const { db, close } = await openDatabase({ dataDir: './data' })
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openSqlite(options);
}

/** The SQLite database file in a data folder. */
export const sqliteFileIn = (dataDir: string): string => path.join(dataDir, 'touchpoint.sqlite');

function openSqlite(options: DatabaseOptions): Database {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const file = sqliteFileIn(options.dataDir);
  const handle = new SQLite(file);
  handle.pragma('journal_mode = WAL');
  const synchronous = options.sqliteSynchronous ?? 'FULL';
  // better-sqlite3 defaults to NORMAL, which can lose the last commits on power loss. FULL
  // synced off the thread: COMMIT only writes the WAL, and WalSync syncs it before answering.
  const durability = synchronous === 'FULL' && options.sqliteSyncOffThread ? new CommitDurability(new WalSync(`${file}-wal`, options.sqliteSyncFile), handle) : null;
  handle.pragma(`synchronous = ${durability ? 'NORMAL' : synchronous}`);
  handle.pragma('foreign_keys = OFF');
  handle.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const busyTimeout = new BusyTimeout(handle, BUSY_TIMEOUT_MS);
  const writeLock = options.sqliteWriteLock ? new WriteLockSignal(options.sqliteWriteLock, options.sqliteGivesWay === true) : null;
  // Checkpoint less often: a page rewritten by many commits is copied into the database once.
  handle.pragma(`wal_autocheckpoint = ${options.sqliteAutoCheckpoint === false ? 0 : 10000}`);
  handle.pragma('cache_size = -65536');
  // Case folding beyond ASCII for text search (see foldedContains).
  handle.function('unicode_lower', { deterministic: true }, (text: unknown) => (typeof text === 'string' ? foldCase(text) : text));
  const db = new Kysely<Tables>({ dialect: new SqliteDialectWithAsyncBegin({ database: withStatementCache(handle, durability, busyTimeout, writeLock), durability, busyTimeout, writeLock }), log: queryLog(options) });
  if (durability) trackCommits(db, durability);
  const threads = options.readThreads ?? 2;
  const reads = threads > 0 ? openReadThreads(file, { threads, busyTimeoutMs: BUSY_TIMEOUT_MS, queryTimeoutMs: options.readTimeoutMs ?? READ_TIMEOUT_MS, log: queryLog(options) }) : db;
  return {
    db,
    reads,
    engine: 'sqlite',
    location: file,
    close: async () => {
      if (reads !== db) await reads.destroy();
      try {
        // Bookkeeping commits nobody waited for go to disk too before the connection closes.
        await durability?.wal.close();
      } finally {
        await db.destroy();
      }
    },
  };
}

/** Kysely's log hook, only when asked for: unset, Kysely skips timing each query. */
function queryLog(options: DatabaseOptions): KyselyConfig['log'] {
  const onQuery = options.onQuery;
  if (!onQuery) return undefined;
  return (event) => {
    if (event.level === 'query') onQuery({ sql: event.query.sql, parameters: event.query.parameters, ms: event.queryDurationMillis });
  };
}

/**
 * Kysely prepares every query anew; preparing costs as much as running a small insert. The
 * same SQL text (Kysely makes one per query shape) reuses its prepared statement.
 * `appendRows` statements come back as statements that run once per row (append-rows.ts);
 * reading statements build their rows by an object literal (rows-by-literal.ts); with
 * `durability`, statements that may commit report it (commit-durability.ts); with `writeLock`,
 * statements that let go of the write lock say so (write-lock-signal.ts).
 */
function withStatementCache(handle: SQLite.Database, durability: CommitDurability | null, busyTimeout: BusyTimeout, writeLock: WriteLockSignal | null, size = 500): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  const prepare = (sql: string) => handle.prepare(sql);
  return {
    close: () => handle.close(),
    prepare: (sql: string) => {
      let statement = cache.get(sql);
      if (!statement) {
        // Full (IN lists of many lengths are the usual cause): start over rather than keep an
        // LRU order, whose two extra map operations on long SQL strings every hit cost more.
        if (cache.size >= size) cache.clear();
        const prepared = prepare(sql);
        statement = (eachRowStatement(sql, prepared) as SqliteStatement | null) ?? rowsByLiteral(prepared);
        if (durability) statement = durability.watch(sql, statement, prepared.readonly);
        if (writeLock) statement = writeLock.watch(sql, statement, prepared.readonly, handle);
        statement = busyTimeout.guard(sql, statement);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

async function openPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  const schema = options.pgSchema;
  if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema name ${schema}`);
  if (schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await admin.end();
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: copyingPool(pool) }), log: queryLog(options) });
  await sql`select 1`.execute(db);
  // Reads that may walk many rows get connections of their own, read-only and stopped past the
  // time limit, as SQLite's read threads are: a runaway search can neither write nor hold the
  // connections that writes need.
  const readPool = new pg.Pool({
    connectionString: url,
    max: Math.max(2, Math.ceil((options.poolSize ?? 10) / 2)),
    statement_timeout: options.readTimeoutMs ?? READ_TIMEOUT_MS,
    options: ['-c default_transaction_read_only=on', ...(schema ? [`-c search_path=${schema}`] : [])].join(' '),
  });
  const reads = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: readPool }), log: queryLog(options) });
  const safe = new URL(url);
  safe.password = '';
  return {
    db,
    reads,
    engine: 'postgres',
    location: safe.toString() + (schema ? ` (schema ${schema})` : ''),
    close: async () => {
      await reads.destroy();
      await db.destroy();
    },
  };
}
