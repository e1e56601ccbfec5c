import { sql, type RawBuilder } from 'kysely';

/*
 * SQLite keeps no statistics in our stores, so its planner cannot tell a filter that finds three
 * rows from one that finds the whole workspace. When an ORDER BY (or a condition) matches an
 * index, it tends to walk that index through every row of the workspace rather than seek the
 * few rows a narrower index finds and sort them: a customer's moments in a 200,000-moment
 * workspace took 100 ms instead of 0.05 ms. An operand written through these helpers has the
 * same value and order but names no indexed column, so SQLite cannot choose that index for it
 * and takes the filter's index instead. PostgreSQL plans by its statistics and is not swayed.
 * apps/server/test/query-plans.test.ts checks the plans of the queries that rely on this.
 */

/**
 * A number column, as an expression no index yields (`column + 0`).
 * @example query.orderBy(unindexedNumber('last_message_at'), 'desc') // seek by the customer index, then sort
 */
export const unindexedNumber = (column: string): RawBuilder<number> => sql<number>`${sql.ref(column)} + 0`;

/**
 * A text column, as an expression no index yields (`column || ''`).
 * @example query.where(unindexedText('status'), 'in', statuses) // not by the status index
 */
export const unindexedText = (column: string): RawBuilder<string> => sql<string>`${sql.ref(column)} || ''`;
