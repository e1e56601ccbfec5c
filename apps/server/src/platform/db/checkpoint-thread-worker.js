// Entry of the WAL checkpoint thread (see checkpoint-thread.ts). Plain JavaScript, as the read
// threads are: it needs nothing but better-sqlite3, and without the TypeScript loader it starts
// in milliseconds, not the half second that loader cost every start of the server.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

const { file, busyTimeoutMs } = workerData;
const handle = new SQLite(file, { fileMustExist: true });
// A checkpoint syncs the database file before the log may start over.
handle.pragma('synchronous = FULL');
handle.pragma(`busy_timeout = ${busyTimeoutMs}`);
handle.pragma('wal_autocheckpoint = 0');

parentPort.on('message', (message) => {
  if (message.type === 'close') {
    handle.close();
    parentPort.close();
    return;
  }
  try {
    parentPort.postMessage({ id: message.id, rows: handle.pragma(message.pragma) });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
