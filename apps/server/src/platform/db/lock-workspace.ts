import { sql } from 'kysely';
import type { Engine, Tx } from './database.ts';

/**
 * Serialises writers of one workspace's profiles until the transaction ends. SQLite has one
 * writer anyway; on PostgreSQL several processes may ingest at once, and identity resolution
 * (read, decide, write) must not interleave. Take locks in a sorted order to avoid deadlocks.
 */
export async function lockWorkspace(tx: Tx, engine: Engine, workspaceId: string): Promise<void> {
  if (engine === 'postgres') await sql`select pg_advisory_xact_lock(hashtextextended(${workspaceId}, 0))`.execute(tx);
}

/**
 * Serialises, across processes and workspaces, writers of something the whole instance shares
 * (the email address an inbox claims, the first workspace), until the transaction ends.
 * SQLite has one writer.
 */
export async function lockInstanceWide(tx: Tx, engine: Engine, what: 'email addresses' | 'first workspace'): Promise<void> {
  if (engine === 'postgres') await sql`select pg_advisory_xact_lock(hashtextextended(${`instance: ${what}`}, 0))`.execute(tx);
}
