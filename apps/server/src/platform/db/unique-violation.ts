/** What each engine calls a row its unique index refused. */
const UNIQUE_VIOLATIONS = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

/**
 * Whether a write failed because a unique index already holds its key, on either engine.
 * @example if (isUniqueViolation(error)) return 'conflict';
 */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && UNIQUE_VIOLATIONS.has(String((error as { code?: unknown }).code));
}
