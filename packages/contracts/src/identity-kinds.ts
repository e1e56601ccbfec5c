/**
 * The identity kinds resolution knows. A file of its own (exported as
 * `@touchpoint/contracts/identity-kinds`): the ingest thread needs the list, not the 200 ms of
 * loading every schema.
 */
export const IDENTITY_KIND_NAMES = Object.freeze(['user_id', 'anonymous_id', 'email', 'phone', 'external_id', 'social'] as const);
