import type { Logger } from '../logger.ts';
import type { ExecutedQuery } from './database.ts';

/**
 * Logs queries slower than `thresholdMs` at warn, with their SQL and time: how an operator
 * finds the query that needs an index (or, on SQLite, an operand through unindexed.ts). The
 * SQL carries placeholders only; parameters (emails, token hashes) stay out of the log.
 * Null: no log (and Kysely times no query).
 * @example openDatabase({ dataDir, onQuery: slowQueryLog(log, 500) })
 */
export function slowQueryLog(log: Logger, thresholdMs: number | null): ((query: ExecutedQuery) => void) | undefined {
  if (thresholdMs === null) return undefined;
  return (query) => {
    if (query.ms >= thresholdMs) log.warn({ sql: query.sql, ms: Math.round(query.ms * 10) / 10 }, 'slow query');
  };
}
