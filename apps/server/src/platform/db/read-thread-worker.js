// Entry of a SQLite read thread (see read-threads.ts). Plain JavaScript: it needs nothing but
// better-sqlite3, and without the TypeScript loader it starts in milliseconds, not a second.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

const { file, busyTimeoutMs } = workerData;
const handle = new SQLite(file, { fileMustExist: true });
// A read thread never writes, whatever SQL reaches it.
handle.pragma('query_only = 1');
handle.pragma(`busy_timeout = ${busyTimeoutMs}`);
handle.pragma('cache_size = -32768');
// The same folding as the main connection's unicode_lower (database.ts), for foldedContains.
handle.function('unicode_lower', { deterministic: true }, (text) => (typeof text === 'string' ? text.toLowerCase() : text));

const statements = new Map();
parentPort.on('message', ({ id, sql, parameters }) => {
  try {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size >= 200) statements.clear();
      statement = handle.prepare(sql);
      statements.set(sql, statement);
    }
    if (!statement.reader) throw Object.assign(new Error('a read thread runs only statements that return rows'), { code: 'NOT_A_READ' });
    parentPort.postMessage({ id, rows: statement.all(parameters) });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: error instanceof Error ? error.message : String(error), code: error?.code } });
  }
});
