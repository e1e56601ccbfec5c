import pg from 'pg';
import type { Logger } from '../logger.ts';

/** A LISTEN connection: `ready` once listening; `stop` ends it for good. */
export type PostgresListener = { readonly ready: Promise<void>; readonly stop: () => Promise<void> };

/**
 * Keeps one dedicated connection LISTENing on some channels (a pooled connection cannot: the
 * pool hands it to others). A lost connection is reopened a second later; notifications sent
 * meanwhile are gone, so `onReconnect` is called for the caller to read what it missed.
 * @example const l = listenToPostgres(url, ['tp_moment_activity'], { onNotification, onReconnect, log })
 */
export function listenToPostgres(
  url: string,
  channels: readonly string[],
  handlers: { readonly onNotification: (channel: string, payload: string | undefined) => void; readonly onReconnect: () => void; readonly log: Logger },
): PostgresListener {
  let client: pg.Client | null = null;
  let retryTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  const connect = async (again: boolean): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    let lost = false;
    const retry = () => {
      if (lost || stopped) return;
      lost = true;
      client = null;
      void c.end().catch(() => undefined);
      retryTimer = setTimeout(() => void connect(true), 1000);
      retryTimer.unref();
    };
    c.on('notification', (n) => handlers.onNotification(n.channel, n.payload));
    c.on('error', (error) => {
      handlers.log.warn({ err: error.message }, 'LISTEN connection lost');
      retry();
    });
    c.on('end', retry);
    try {
      await c.connect();
      for (const channel of channels) await c.query(`LISTEN ${channel}`);
      client = c;
      if (stopped) await c.end();
      else if (again) handlers.onReconnect();
    } catch (error) {
      handlers.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'LISTEN connection could not open');
      retry();
    }
  };
  const ready = connect(false);
  return {
    ready,
    stop: async () => {
      stopped = true;
      clearTimeout(retryTimer);
      await ready;
      await client?.end().catch(() => undefined);
    },
  };
}
