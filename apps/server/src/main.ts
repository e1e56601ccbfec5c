import { privateHostsAllowed } from './platform/private-hosts.ts';
import type { FastifyInstance } from 'fastify';
import { buildHttp } from './http/app.ts';
import { startCheckpointThread } from './platform/db/checkpoint-thread.ts';
import { createIngestQueue, startCommitThread, type IngestQueue } from './modules/collect/index.ts';
import { CHANNEL_KINDS, createChannelCache, findChannelById, sealStoredSecrets } from './modules/channels/index.ts';
import { createStreamHub, customerChangeAnnouncer, CUSTOMER_CHANGE_TOPICS, momentJobs, MOMENT_EVENTS, timelineRecorder, unindexedInboxTexts, type MomentsCtx, type StreamHub } from './modules/moments/index.ts';
import { createAdapters } from './channels/adapters.ts';
import { createVisitorHub, type VisitorHub } from './channels/chat/visitor-hub.ts';
import { channelReplyCheck } from './channels/check-reply.ts';
import { deliverReply } from './channels/deliver-reply.ts';
import { startSmtpServer, type SmtpServer } from './channels/email/start-smtp-server.ts';
import { stageReconciler, sweepLifecycle, type LifecycleSweepMemory } from './modules/profiles/index.ts';
import { createAuthenticator, createSettingsCache, DEFAULT_SETTINGS, getWorkspace, WORKSPACE_EVENTS, type SettingsCache } from './modules/workspaces/index.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import type { Config } from './platform/config.ts';
import { openDatabase, type Database, type DatabaseOptions, type ExecutedQuery } from './platform/db/database.ts';
import { migrateToLatest } from './platform/db/migrate.ts';
import { slowQueryLog } from './platform/db/slow-query-log.ts';
import { WriteLockSignal } from './platform/db/write-lock-signal.ts';
import type { Deps } from './platform/deps.ts';
import { systemIds } from './platform/ids.ts';
import { forgetEverywhere } from './platform/forget-everywhere.ts';
import { ListenError } from './platform/listen-error.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { createMetrics } from './platform/metrics.ts';
import { createSecretBox, loadSecretKey } from './platform/secret-box.ts';
import { pruneOutboxJob } from './worker/prune-outbox.ts';
import { createWorker, type Worker } from './worker/outbox-worker.ts';

/** A composed Touchpoint process (the app): everything wired, nothing listening yet. */
export type App = {
  readonly deps: Deps;
  readonly database: Database;
  readonly http: FastifyInstance;
  readonly ingest: IngestQueue;
  readonly settings: SettingsCache;
  readonly worker: Worker;
  readonly stream: StreamHub;
  /** Web chat visitors connected to this process. */
  readonly visitors: VisitorHub;
  /** The inbound mail server and the port it listens on; null when not asked for, or its port was taken. */
  readonly smtp: SmtpServer | null;
  /** Stops taking work, finishes what was accepted (in-flight requests, queued commits), closes. */
  readonly close: () => Promise<void>;
};

export type ComposeOptions = {
  readonly clock?: Clock;
  readonly log?: Logger;
  /** PostgreSQL schema (tests isolate each run in its own). */
  readonly pgSchema?: string;
  readonly workerPollMs?: number;
  /**
   * Port for inbound mail (0: any free one). Absent or null: no SMTP server, so composing an
   * app for a test or a CLI command never competes for the mail port; `serve` passes SMTP_PORT.
   */
  readonly smtpPort?: number | null;
  /** Sees every query of the main connection (tests of query plans). */
  readonly onQuery?: DatabaseOptions['onQuery'];
  /** How the main connection's WAL is synced on SQLite (tests make the disk fail). */
  readonly sqliteSyncFile?: DatabaseOptions['sqliteSyncFile'];
};

/**
 * The composition root: config → database → modules → HTTP and worker. The only place that
 * knows how the parts fit; everything else gets its dependencies passed in.
 */
export async function composeTouchpoint(config: Config, options: ComposeOptions = {}): Promise<App> {
  // What is open so far, closed in reverse when a later step fails (a mail port that cannot be
  // bound): left open, its threads and connections would keep the process from ever exiting.
  const opened: (() => Promise<unknown>)[] = [];
  try {
    return await compose(config, options, opened);
  } catch (error) {
    // The step's own error is the one to report; a close failing after it adds nothing to act on.
    for (const close of opened.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

async function compose(config: Config, options: ComposeOptions, opened: (() => Promise<unknown>)[]): Promise<App> {
  const log = options.log ?? createLogger(config.logLevel);
  // A thread of its own checkpoints SQLite's WAL, off the event loop (checkpoint-thread.ts);
  // this connection's commits are synced off it too (wal-sync.ts). It and the ingest thread's
  // connection hand each other the write lock (write-lock-signal.ts).
  const sqliteWriteLock = WriteLockSignal.memory();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, sqliteSynchronous: config.sqliteSynchronous, sqliteWriteLock, pgSchema: options.pgSchema ?? config.pgSchema, sqliteAutoCheckpoint: false, sqliteSyncOffThread: true, sqliteSyncFile: options.sqliteSyncFile, readThreads: config.readThreads, onQuery: eachQuery(slowQueryLog(log, config.slowQueryMs), options.onQuery) });
  opened.push(() => database.close());
  await migrateToLatest(database.db);
  const secretBox = createSecretBox(loadSecretKey(config.secretKey, config.dataDir));
  const deps: Deps = { db: database.db, reads: database.reads, engine: database.engine, clock: options.clock ?? systemClock, ids: systemIds, log, secretBox, privateHosts: privateHostsAllowed(config.allowPrivateHosts) };
  await sealStoredSecrets(deps.db, secretBox, log);
  // Cached keys, sessions and settings are forgotten by every process when they change.
  const bus = await forgetEverywhere(deps, config.databaseUrl);
  opened.push(() => bus.close());
  const settings = createSettingsCache(deps, bus);
  // Ingest commits run on a thread of their own (commit-thread.ts), on both engines.
  const thread = await startCommitThread({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, pgSchema: options.pgSchema ?? config.pgSchema, sqliteSynchronous: config.sqliteSynchronous, sqliteWriteLock, logLevel: config.logLevel, slowQueryMs: config.slowQueryMs }, deps.clock);
  opened.push(() => thread.close());
  const ingest = createIngestQueue(deps, settings, thread.commit, thread.prepare);
  opened.push(() => ingest.close());
  const checkpoints = database.engine === 'sqlite' ? startCheckpointThread(config.dataDir, log) : null;
  if (checkpoints) opened.push(() => checkpoints.close());
  const metrics = createMetrics(deps);
  // The inbox search index is written behind, by the ingest thread: how far behind it is.
  if (database.engine === 'sqlite') metrics.gauge('touchpoint_inbox_text_unindexed', 'Inbox texts (messages, subjects) written but not yet in the search index', () => unindexedInboxTexts(deps.db));
  const stream = createStreamHub(deps, { databaseUrl: config.databaseUrl });
  opened.push(() => stream.close());
  // The chat adapter pushes replies to visitors' sockets; the visitor hub feeds moments: made in turn.
  let visitors: VisitorHub | null = null;
  const adapters = createAdapters(deps, () => visitors);
  const moments: MomentsCtx = { deps, settings, publish: stream.publish, signal: stream.signal, checkReply: channelReplyCheck(adapters, deps.secretBox) };
  const visitorHub = createVisitorHub({ deps, moments, stream, ingest });
  visitors = visitorHub;
  opened.push(() => visitorHub.close());
  const customerChanges = customerChangeAnnouncer(deps.db, stream);
  const listeners = {
    [MOMENT_EVENTS.replyQueued]: [deliverReply(moments, adapters)],
    [MOMENT_EVENTS.touchpointsAdded]: timelineRecorder(deps, ingest.submit),
    ...Object.fromEntries(CUSTOMER_CHANGE_TOPICS.map((topic) => [topic, customerChanges])),
    [WORKSPACE_EVENTS.lifecycleChanged]: [stageReconciler(deps, async (workspaceId) => (await getWorkspace(deps.db, workspaceId))?.settings ?? DEFAULT_SETTINGS)],
  };
  metrics.listenTo(Object.keys(listeners));
  const lifecycleSwept: LifecycleSweepMemory = new Map();
  const worker = createWorker(deps, listeners, [{ name: 'lifecycle-sweep', everyMs: 10 * 60_000, run: async () => void (await sweepLifecycle(deps, settings, lifecycleSwept)) }, pruneOutboxJob(deps), ...momentJobs(moments)], options.workerPollMs);
  opened.push(() => worker.stop());
  let draining = false;
  const http = await buildHttp({ deps, auth: createAuthenticator(deps, bus), settings, ingest, metrics, stream, moments, visitors: visitorHub, channels: createChannelCache((id) => findChannelById(deps, id, CHANNEL_KINDS), bus) }, log, () => draining, { trustProxy: config.trustProxy, webBuild: config.webBuild });
  opened.push(() => http.close());
  const smtp = options.smtpPort == null ? null : await startSmtpOrWarn(moments, options.smtpPort, config.smtpHost);

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      draining = true;
      await smtp?.close();
      await stream.close();
      await visitorHub.close();
      await http.close();
      // The worker hands timeline lines to the ingest queue: it stops first.
      await worker.stop();
      await ingest.close();
      await thread.close();
      await checkpoints?.close();
      await bus.close();
      await database.close();
    })());
  return { deps, database, http, ingest, settings, worker, stream, visitors: visitorHub, smtp, close };
}

/**
 * Another process on this machine may hold the mail port (several servers behind one load
 * balancer, a test run beside a dev server): this one then serves HTTP without receiving mail.
 */
async function startSmtpOrWarn(moments: MomentsCtx, port: number, host: string): Promise<SmtpServer | null> {
  try {
    return await startSmtpServer(moments, { port, host });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw ListenError.of({ host: 'SMTP_HOST (default: HOST)', port: 'SMTP_PORT' }, host, port, error);
    moments.deps.log.warn({ port, host }, 'the SMTP port is in use: this process receives no mail');
    return null;
  }
}

/** One query hook made of those set (the slow query log, a test's recorder). */
function eachQuery(...hooks: (((query: ExecutedQuery) => void) | undefined)[]): ((query: ExecutedQuery) => void) | undefined {
  const set = hooks.filter((h): h is (query: ExecutedQuery) => void => h !== undefined);
  if (set.length === 0) return undefined;
  return set.length === 1 ? set[0] : (query) => set.forEach((hook) => hook(query));
}
