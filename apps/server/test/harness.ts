import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { composeTouchpoint, type App, type ComposeOptions } from '../src/main.ts';
import { createWorkspace, type CreatedWorkspace } from '../src/modules/workspaces/index.ts';
import { readConfig, type Config, type TrustProxy } from '../src/platform/config.ts';
import { openDatabase, type Database } from '../src/platform/db/database.ts';
import { migrateTo, migrateToLatest } from '../src/platform/db/migrate.ts';
import type { Clock } from '../src/platform/clock.ts';
import { createLogger } from '../src/platform/logger.ts';

export type EngineName = 'sqlite' | 'postgres';
/** Every HTTP scenario runs once per engine. */
export const ENGINES: readonly EngineName[] = ['sqlite', 'postgres'];
/** Tests stand providers, relays and receivers up on this machine: the servers they start may call it. */
export const LOCAL_FAKES = '127.0.0.1,localhost';
export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Where one test run keeps its data: a temp folder, or its own PostgreSQL schema. */
export type Store = { readonly config: Config; readonly pgSchema?: string; readonly drop: () => Promise<void> };

export function newStore(engine: EngineName): Store {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-test-'));
  if (engine === 'sqlite') {
    return { config: readConfig({ TOUCHPOINT_DATA: dataDir, TOUCHPOINT_DEMO: '0', LOG_LEVEL: 'silent', TOUCHPOINT_ALLOW_PRIVATE_HOSTS: LOCAL_FAKES }), drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const pgSchema = `t_${randomBytes(6).toString('hex')}`;
  return {
    config: readConfig({ TOUCHPOINT_DATA: dataDir, DATABASE_URL: PG_URL, TOUCHPOINT_DEMO: '0', LOG_LEVEL: 'silent', TOUCHPOINT_ALLOW_PRIVATE_HOSTS: LOCAL_FAKES }),
    pgSchema,
    drop: async () => {
      await dropPgSchema(pgSchema);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A migrated database of a test's own, without a server: for tests of one module's queries,
 * or (migrated `upTo` a migration) for a test of the migrations after it.
 */
async function openTestDatabase(engine: EngineName = 'sqlite', upTo?: string): Promise<{ readonly database: Database; readonly drop: () => Promise<void> }> {
  const store = newStore(engine);
  const database = await openDatabase({ dataDir: store.config.dataDir, databaseUrl: store.config.databaseUrl, pgSchema: store.pgSchema });
  await (upTo === undefined ? migrateToLatest(database.db) : migrateTo(database.db, upTo));
  return {
    database,
    drop: async () => {
      await database.close();
      await store.drop();
    },
  };
}

/**
 * openTestDatabase for the tests of one describe block: opened before them, dropped after.
 * @example const database = useTestDatabase(engine); … database().db
 */
export function useTestDatabase(engine: EngineName, upTo?: string): () => Database {
  let opened: Awaited<ReturnType<typeof openTestDatabase>> | undefined;
  beforeAll(async () => {
    opened = await openTestDatabase(engine, upTo);
  });
  afterAll(() => opened?.drop());
  return () => opened!.database;
}

/** Drops a test's PostgreSQL schema with everything in it. */
export async function dropPgSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}

export type Running = {
  readonly tp: App;
  readonly url: string;
  readonly workspace: CreatedWorkspace;
  readonly store: Store;
  /** fetch against the server with the workspace's API key. */
  readonly api: (method: string, route: string, body?: unknown, key?: string) => Promise<{ status: number; body: any }>;
  /** POST a tracking call with the workspace's write key (HTTP Basic). */
  readonly track: (route: string, body: unknown, writeKey?: string) => Promise<{ status: number; body: any }>;
  readonly stop: () => Promise<void>;
};

/** Starts a real server on a free port over a fresh store, with one workspace in it. */
export async function startServer(
  engine: EngineName,
  options: { readonly clock?: Clock; readonly defaultCountry?: string; readonly smtpPort?: number; readonly onQuery?: ComposeOptions['onQuery']; readonly sqliteSyncFile?: ComposeOptions['sqliteSyncFile']; readonly trustProxy?: TrustProxy; readonly allowPrivateHosts?: string } = {},
): Promise<Running> {
  const store = newStore(engine);
  // Inbound mail only when asked for (0: any free port), on loopback like the HTTP server.
  const config = { ...store.config, ...(options.smtpPort === undefined ? {} : { smtpHost: '127.0.0.1' }), ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }), ...(options.allowPrivateHosts === undefined ? {} : { allowPrivateHosts: options.allowPrivateHosts }) };
  const tp = await composeTouchpoint(config, { pgSchema: store.pgSchema, clock: options.clock, log: createLogger('silent'), workerPollMs: 50, smtpPort: options.smtpPort, onQuery: options.onQuery, sqliteSyncFile: options.sqliteSyncFile });
  const workspace = await createWorkspace(tp.deps, { name: 'Acme', ownerEmail: 'owner@acme.test', ownerPassword: 'correct horse battery', defaultCountry: (options.defaultCountry ?? null) as never });
  const url = await tp.http.listen({ port: 0, host: '127.0.0.1' });
  const call = async (method: string, route: string, body: unknown, headers: Record<string, string>) => {
    const res = await fetch(url + route, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (metrics)
    }
    return { status: res.status, body: parsed as any };
  };
  return {
    tp,
    url,
    workspace,
    store,
    api: (method, route, body, key = workspace.apiKey) => call(method, route, body, { authorization: `Bearer ${key}` }),
    track: (route, body, writeKey = workspace.writeKey) => call('POST', route, body, { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` }),
    stop: async () => {
      await tp.close();
      await store.drop();
    },
  };
}

type Reply = { readonly status: number; readonly body: any };

/** The body of a reply that must have this status (the body is shown when it does not). */
export function expectOk(reply: Reply, status = 200): any {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  return reply.body;
}

/** A refusal with this status and error code (and the field it names, when given). */
export function expectError(reply: Reply, status: number, code: string, field?: string): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.body.error.code).toBe(code);
  if (field !== undefined) expect(reply.body.error.field).toBe(field);
}
