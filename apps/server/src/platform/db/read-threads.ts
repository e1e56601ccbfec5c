import { Worker } from 'node:worker_threads';
import { Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type CompiledQuery, type DatabaseConnection, type Driver, type KyselyConfig, type QueryResult } from 'kysely';
import { AppError } from '../errors.ts';
import { RowMakers } from './rows-by-literal.ts';
import type { Tables } from './tables.ts';

type Query = { readonly id: number; readonly sql: string; readonly parameters: readonly unknown[] };
/** `rows` are arrays of `columns`' values, or (columns null) the objects better-sqlite3 made. */
type Reply = { readonly id: number; readonly rows?: unknown[]; readonly columns?: readonly string[] | null; readonly error?: { readonly message: string; readonly code?: string } };
type Waiting = { readonly query: Query; readonly resolve: (rows: unknown[]) => void; readonly reject: (error: Error) => void };
/** A thread runs its queries in the order they came: the first waiting one is running, since `runningSince`. */
type ReadThread = { readonly worker: Worker; readonly waiting: Map<number, Waiting>; runningSince: number };

export type ReadThreadsOptions = {
  /** How many threads (and connections) share the reads; a query goes to the least busy. */
  readonly threads: number;
  readonly busyTimeoutMs: number;
  /**
   * A query still running after this long is stopped (its thread is ended and replaced) and
   * fails with `query_timeout`; the queries queued behind it run on the other threads.
   */
  readonly queryTimeoutMs: number;
  readonly log?: KyselyConfig['log'];
};

/**
 * Read-only connections to a SQLite file, each on a thread of its own, as a Kysely instance
 * for the reads that may walk many rows (text search, inbox badges). better-sqlite3 runs a
 * query to its end on the thread that asked: on the event loop, a 30 ms search held every
 * other request of the server for 30 ms. WAL lets these connections read the last commit
 * while the others write. A thread starts with the first query that needs it, so a process
 * that never searches (the CLI, the ingest thread) never starts one. better-sqlite3 cannot
 * interrupt a statement, so a query over its time limit ends the whole thread.
 * @example const reads = openReadThreads('data/touchpoint.sqlite', { threads: 2, busyTimeoutMs: 5000, queryTimeoutMs: 30_000 })
 */
export function openReadThreads(file: string, options: ReadThreadsOptions): Kysely<Tables> {
  return new Kysely<Tables>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new ReadThreadsDriver(file, options),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
    log: options.log,
  });
}

class ReadThreadsDriver implements Driver {
  readonly #threads: ReadThread[] = [];
  readonly #rowMakers = new RowMakers();
  #next = 0;
  readonly #connection: DatabaseConnection;
  #watchdog: NodeJS.Timeout | null = null;

  constructor(
    readonly file: string,
    readonly options: ReadThreadsOptions,
  ) {
    this.#connection = {
      executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => ({ rows: (await this.#run(query)) as R[] }),
      streamQuery: () => {
        throw new Error('read threads do not stream rows');
      },
    };
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#connection;
  }

  async beginTransaction(): Promise<void> {
    throw new Error('read threads run single reads, not transactions');
  }

  async commitTransaction(): Promise<void> {}

  async rollbackTransaction(): Promise<void> {}

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    if (this.#watchdog) clearInterval(this.#watchdog);
    this.#watchdog = null;
    const threads = this.#threads.splice(0);
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  #run(query: CompiledQuery): Promise<unknown[]> {
    return new Promise((resolve, reject) => this.#dispatch({ query: { id: ++this.#next, sql: query.sql, parameters: query.parameters }, resolve, reject }));
  }

  #dispatch(waiting: Waiting): void {
    const thread = this.#leastBusy();
    if (thread.waiting.size === 0) {
      // A thread holds the process open only while it has work: an idle one never keeps a CLI alive.
      thread.worker.ref();
      thread.runningSince = Date.now();
    }
    thread.waiting.set(waiting.query.id, waiting);
    thread.worker.postMessage(waiting.query);
  }

  /** Ends a thread whose query ran over its time: that query fails, the ones behind it go elsewhere. */
  #stopOverdue(): void {
    const now = Date.now();
    for (const thread of [...this.#threads]) {
      if (thread.waiting.size === 0 || now - thread.runningSince <= this.options.queryTimeoutMs) continue;
      this.#threads.splice(this.#threads.indexOf(thread), 1);
      const [running, ...queued] = thread.waiting.values();
      thread.waiting.clear();
      void thread.worker.terminate();
      const seconds = Math.round(this.options.queryTimeoutMs / 100) / 10;
      running!.reject(new AppError('query_timeout', `the query ran over ${seconds} s and was stopped; narrow it (a longer search term, a filter) and try again`));
      for (const w of queued) this.#dispatch(w);
    }
  }

  #leastBusy(): ReadThread {
    if (this.#threads.length < this.options.threads) {
      const idle = this.#threads.find((t) => t.waiting.size === 0);
      return idle ?? this.#start();
    }
    return this.#threads.reduce((a, b) => (b.waiting.size < a.waiting.size ? b : a));
  }

  #start(): ReadThread {
    const worker = new Worker(new URL('./read-thread-worker.js', import.meta.url), { workerData: { file: this.file, busyTimeoutMs: this.options.busyTimeoutMs } });
    worker.unref();
    const thread: ReadThread = { worker, waiting: new Map(), runningSince: 0 };
    const settle = (reply: Reply) => {
      const w = thread.waiting.get(reply.id);
      if (!w) return;
      thread.waiting.delete(reply.id);
      thread.runningSince = Date.now();
      if (thread.waiting.size === 0) worker.unref();
      if (reply.rows) w.resolve(reply.columns ? (reply.rows as unknown[][]).map(this.#rowMakers.for(reply.columns)) : reply.rows);
      else w.reject(Object.assign(new Error(reply.error?.message ?? 'read failed'), { code: reply.error?.code }));
    };
    // A thread that dies fails its reads and leaves the pool; the next read starts another.
    const fail = (error: Error) => {
      const at = this.#threads.indexOf(thread);
      if (at >= 0) this.#threads.splice(at, 1);
      for (const w of thread.waiting.values()) w.reject(error);
      thread.waiting.clear();
    };
    worker.on('message', settle);
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`read thread exited with code ${code}`)));
    this.#threads.push(thread);
    if (!this.#watchdog) {
      this.#watchdog = setInterval(() => this.#stopOverdue(), Math.min(1_000, Math.max(10, this.options.queryTimeoutMs / 4)));
      this.#watchdog.unref();
    }
    return thread;
  }
}
