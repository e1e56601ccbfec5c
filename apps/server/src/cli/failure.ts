import { ConfigError } from '../platform/config.ts';
import { ListenError } from '../platform/listen-error.ts';

/** A failure the user can act on (a busy port, an unreachable database), told in one line. */
export type Failure = { readonly code: string; readonly message: string; readonly exitCode: number };

const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH']);

/**
 * What to tell the user instead of a stack trace, or null for a bug (whose stack is what a
 * report needs). Usage and setting errors exit 2, the machine's conditions 1.
 */
export function describeFailure(error: unknown, usage: (error: unknown) => boolean): Failure | null {
  if (!(error instanceof Error)) return null;
  if (usage(error) || error instanceof ConfigError) return { code: 'usage', message: error.message, exitCode: 2 };
  // Says which of PORT, HOST, SMTP_PORT, SMTP_HOST chose the address: checked before the
  // network codes below, which mean the database (a mail host unknown is not a database down).
  if (error instanceof ListenError) return { code: error.code, message: error.message, exitCode: 1 };
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return null;
  // Node reports a host with two addresses (::1 and 127.0.0.1) as one AggregateError with no message of its own.
  const message = error.message || (error instanceof AggregateError ? error.errors.map((e: Error) => e.message).join('; ') : code);
  if (code === 'EACCES' || code === 'EPERM' || code === 'ENOSPC' || code === 'EROFS') return { code, message, exitCode: 1 };
  if (NETWORK.has(code)) return { code, message: `cannot reach the database: ${message}`, exitCode: 1 };
  // PostgreSQL's own refusals carry a five-character SQLSTATE (3D000: no such database) and a severity.
  if (/^[0-9A-Z]{5}$/.test(code) && 'severity' in error) return { code, message: `PostgreSQL: ${message}`, exitCode: 1 };
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code === 'SQLITE_FULL') return { code, message: `SQLite: ${message}`, exitCode: 1 };
  return null;
}
