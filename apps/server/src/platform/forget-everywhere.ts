import { sql } from 'kysely';
import type { Deps } from './deps.ts';
import { listenToPostgres } from './db/listen-postgres.ts';

const CHANNEL = 'tp_forget';
/** What a listener hears when notifications may have been missed: forget everything. */
export const EVERYTHING = '*';

/**
 * Tells every process that shares the database to drop a cached answer. Keys and sessions
 * (30 s) and workspace settings (5 s) are cached so that hot paths skip a query, but a revoked
 * key, an ended session or a changed rule must not live on in another process's memory. On
 * PostgreSQL each process LISTENs on one channel and drops what a notification names; SQLite
 * has one process, so there `forget` reaches only this one.
 */
export type ForgetEverywhere = {
  /** Drops `topic` in this process now and, on PostgreSQL, in the others as the notification arrives (sent when this resolves). */
  readonly forget: (topic: string) => Promise<void>;
  /** Calls `listener` with each topic forgotten, here or elsewhere (EVERYTHING after a lost connection). */
  readonly subscribe: (listener: (topic: string) => void) => void;
  readonly close: () => Promise<void>;
};

/**
 * Resolves once this process listens, so nothing forgotten elsewhere after that is missed.
 * @example const bus = await forgetEverywhere(deps, config.databaseUrl); bus.subscribe((t) => t === 'auth' && cache.clear())
 */
export async function forgetEverywhere(deps: Pick<Deps, 'db' | 'engine' | 'log'>, databaseUrl: string | undefined): Promise<ForgetEverywhere> {
  const listeners: ((topic: string) => void)[] = [];
  const tell = (topic: string) => listeners.forEach((listener) => listener(topic));
  const listener =
    deps.engine === 'postgres' && databaseUrl
      ? listenToPostgres(databaseUrl, [CHANNEL], { onNotification: (_channel, payload) => tell(payload ?? EVERYTHING), onReconnect: () => tell(EVERYTHING), log: deps.log })
      : null;
  await listener?.ready;
  return {
    forget: async (topic) => {
      tell(topic);
      if (!listener) return;
      // Unsent, the others keep their answer until it expires (30 s at most); the change itself is stored.
      await sql`select pg_notify(${CHANNEL}, ${topic})`.execute(deps.db).catch((error: unknown) => deps.log.warn({ err: error, topic }, 'could not tell other processes to forget'));
    },
    subscribe: (l) => void listeners.push(l),
    close: async () => {
      await listener?.stop();
    },
  };
}
