import { Worker } from 'node:worker_threads';
import { Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type CompiledQuery, type DatabaseConnection, type Driver, type KyselyConfig, type QueryResult } from 'kysely';
import type { Tables } from './tables.ts';

type Reply = { readonly id: number; readonly rows?: unknown[]; readonly error?: { readonly message: string; readonly code?: string } };
type Waiting = { readonly resolve: (rows: unknown[]) => void; readonly reject: (error: Error) => void };
type ReadThread = { readonly worker: Worker; readonly waiting: Map<number, Waiting> };

export type ReadThreadsOptions = {
  /** How many threads (and connections) share the reads; a query goes to the least busy. */
  readonly threads: number;
  readonly busyTimeoutMs: number;
  readonly log?: KyselyConfig['log'];
};

/**
 * Read-only connections to a SQLite file, each on a thread of its own, as a Kysely instance
 * for the reads that may walk many rows (text search, inbox badges). better-sqlite3 runs a
 * query to its end on the thread that asked: on the event loop, a 30 ms search held every
 * other request of the server for 30 ms. WAL lets these connections read the last commit
 * while the others write. A thread starts with the first query that needs it, so a process
 * that never searches (the CLI, the ingest thread) never starts one.
 * @example const reads = openReadThreads('data/touchpoint.sqlite', { threads: 2, busyTimeoutMs: 5000 })
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
  #next = 0;
  readonly #connection: DatabaseConnection;

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
    const threads = this.#threads.splice(0);
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  #run(query: CompiledQuery): Promise<unknown[]> {
    const thread = this.#leastBusy();
    const id = ++this.#next;
    return new Promise((resolve, reject) => {
      // A thread holds the process open only while it has work: an idle one never keeps a CLI alive.
      if (thread.waiting.size === 0) thread.worker.ref();
      thread.waiting.set(id, { resolve, reject });
      thread.worker.postMessage({ id, sql: query.sql, parameters: query.parameters });
    });
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
    const thread: ReadThread = { worker, waiting: new Map() };
    const settle = (reply: Reply) => {
      const w = thread.waiting.get(reply.id);
      if (!w) return;
      thread.waiting.delete(reply.id);
      if (thread.waiting.size === 0) worker.unref();
      if (reply.rows) w.resolve(reply.rows);
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
    return thread;
  }
}
