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
// The same folding as the main connection's unicode_lower (foldCase in like-pattern.ts, which
// plain JavaScript here cannot import), for foldedContains.
handle.function('unicode_lower', { deterministic: true }, (text) => (typeof text === 'string' ? text.toLowerCase().replaceAll('ς', 'σ') : text));

// Rows cross to the main thread as arrays with their column names once: copying arrays costs
// both threads less than copying an object per row, and the main thread builds the objects by
// a literal (rows-by-literal.ts). A `__proto__` column keeps plain objects (see there).
const statements = new Map();
const prepare = (sql) => {
  const statement = handle.prepare(sql);
  if (!statement.reader) return { statement, columns: null };
  const columns = statement.columns().map((c) => c.name);
  if (columns.includes('__proto__')) return { statement, columns: null };
  return { statement: statement.raw(true), columns };
};
parentPort.on('message', ({ id, sql, parameters }) => {
  try {
    let prepared = statements.get(sql);
    if (!prepared) {
      if (statements.size >= 200) statements.clear();
      prepared = prepare(sql);
      statements.set(sql, prepared);
    }
    const { statement, columns } = prepared;
    if (!statement.reader) throw Object.assign(new Error('a read thread runs only statements that return rows'), { code: 'NOT_A_READ' });
    parentPort.postMessage({ id, rows: statement.all(parameters), columns });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: error instanceof Error ? error.message : String(error), code: error?.code } });
  }
});
