import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Tx } from './database.ts';

type CopyValue = string | number | null;

/**
 * Appends rows to a PostgreSQL table with `COPY … FROM STDIN`, inside the caller's transaction:
 * for thousands of rows it is the cheapest way in (no statement to parse and plan, no
 * parameter arrays to unpack). COPY has no ON CONFLICT: callers pass only rows they know are
 * new, under the lock that keeps other writers of those keys out.
 *
 * Kysely has no COPY, so the statement travels as an ordinary query whose one parameter is the
 * data, and the pool's clients (see `copyingPool`) stream that parameter to the server.
 */
export async function copyRows<Row extends Record<string, CopyValue>>(tx: Tx, table: string, columns: readonly (keyof Row & string)[], rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`COPY ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) FROM STDIN ${copyData(columns, rows)}`.execute(tx);
}

/**
 * The rows in COPY's text format, in pieces of about CHUNK characters, never as one string:
 * V8 puts a string past 128 KB in pages of its own, fresh from the OS, and on this VM faulting
 * in those pages cost 20 µs each, about 4 ms for a group of 500 events (a tenth of ingest's CPU).
 */
export function copyData<Row extends Record<string, CopyValue>>(columns: readonly (keyof Row & string)[], rows: readonly Row[]): string[] {
  const chunks: string[] = [];
  let text = '';
  for (const row of rows) {
    for (let c = 0; c < columns.length; c++) text += (c === 0 ? '' : '\t') + copyText(row[columns[c]!]!);
    text += '\n';
    if (text.length >= CHUNK) {
      chunks.push(text);
      text = '';
    }
  }
  if (text !== '') chunks.push(text);
  return chunks;
}

/** Characters of COPY data per piece: well under 128 KB even when every character takes two bytes. */
const CHUNK = 16 * 1024;

/** COPY's text format: \N for null; backslash, tab, newline and carriage return escaped. */
export function copyText(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** `COPY … FROM STDIN $1` as compiled by Kysely from `copyRows`; its parameter is the data's pieces. */
const COPY_QUERY = /^(COPY .+ FROM STDIN) \$1$/s;

type PoolClient = pg.PoolClient;

/**
 * A pg pool for Kysely whose clients run `copyRows` statements as COPY streams; every other
 * query passes through untouched.
 */
export function copyingPool(pool: pg.Pool): { connect: () => Promise<PoolClient>; end: () => Promise<void> } {
  const wrapped = new WeakMap<PoolClient, PoolClient>();
  return {
    connect: async () => {
      const client = await pool.connect();
      let copying = wrapped.get(client);
      if (!copying) {
        const query = client.query.bind(client) as (text: string, values?: unknown[]) => Promise<pg.QueryResult>;
        copying = Object.create(client, {
          query: {
            value: async (text: string, values?: unknown[]) => {
              const copy = typeof text === 'string' ? COPY_QUERY.exec(text) : null;
              if (!copy) return query(text, values);
              const stream = client.query(copyFrom(copy[1]!));
              await pipeline(Readable.from(values?.[0] as string[]), stream);
              return { command: 'COPY', rowCount: stream.rowCount, rows: [], fields: [], oid: 0 };
            },
          },
          release: { value: (error?: Error | boolean) => client.release(error) },
        }) as PoolClient;
        wrapped.set(client, copying);
      }
      return copying;
    },
    end: () => pool.end(),
  };
}
