import { randomUUID } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import { findUnstorableText, UNSTORABLE_TEXT } from '../../platform/storable-text.ts';
import type { JsonObject } from '../../platform/json.ts';
import { extractIdentities, type NormalizedIdentity, type Touchpoint } from '../profiles/index.ts';
import type { WorkspaceSettings } from '../workspaces/index.ts';
import type { IngestQueue } from './ingest-queue.ts';
import { parseCustomersCsv, type CsvCustomer } from './parse-customers-csv.ts';

export type ImportSummary = {
  readonly read: number;
  /** Rows that made a new profile. */
  readonly created: number;
  /** Rows that landed on (merged into) a profile that already existed. */
  readonly merged: number;
  /** Rows whose customer already holds every value they carry: a re-run changes nothing. */
  readonly unchanged: number;
  readonly rejected: readonly { readonly line: number; readonly reason: string }[];
  /** Rows imported with a value left out (an unreadable created_at, an identifier of another customer), each with what and why, in line order. */
  readonly warnings: readonly { readonly line: number; readonly message: string }[];
};

/** Rows per ingest submit; rows of one customer are held together within a chunk (skippableIfHeld). */
const CHUNK = 1_000;

/**
 * A CSV row as an identify touchpoint, applied only if it changes its customer as stored now:
 * re-importing a file is a no-op, while an older file imported after a newer one sets its
 * values back. The messageId names the run and the line, so no earlier run's row hides it.
 */
function touchpointOf(customer: CsvCustomer, line: number, run: string, now: number): Touchpoint {
  const traits: Record<string, unknown> = { ...customer.traits };
  if (customer.email) traits.email = customer.email;
  if (customer.phone) traits.phone = customer.phone;
  if (customer.createdAt) traits.createdAt = customer.createdAt;
  const externalIds = Object.entries(customer.externalIds).map(([type, id]) => ({ type, id }));
  return {
    messageId: `import-${run}-${line}`,
    type: 'identify',
    name: null,
    channel: 'import',
    userId: customer.userId ?? null,
    anonymousId: null,
    previousId: null,
    traits,
    properties: traits,
    context: { source: 'csv-import', ...(externalIds.length > 0 ? { externalIds } : {}) },
    timestamp: customer.createdAt ? Date.parse(customer.createdAt) : now,
    receivedAt: now,
  };
}

type ImportRow = { readonly tp: Touchpoint; readonly identities: readonly NormalizedIdentity[]; readonly line: number };

/**
 * Marks each row to be skipped when its customer already holds what the rows of that customer
 * (those sharing an identifier) end up giving it. Held against the row's own values alone, a
 * file naming one customer on two lines with different values would apply both on every re-run.
 */
function skippableIfHeld(rows: readonly ImportRow[]): Touchpoint[] {
  // Union-find over the rows: a row joins the first earlier row that shares an identifier with it.
  const parent = rows.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const rowOf = new Map<string, number>();
  rows.forEach(({ identities }, i) => {
    for (const id of identities) {
      const key = `${id.kind}\u0000${id.value}`;
      const earlier = rowOf.get(key);
      if (earlier === undefined) rowOf.set(key, i);
      else parent[find(i)] = find(earlier);
    }
  });
  // Later rows win, as they do when the rows are applied.
  const finals = new Map<number, JsonObject>();
  rows.forEach(({ tp }, i) => finals.set(find(i), { ...finals.get(find(i)), ...tp.traits }));
  return rows.map(({ tp }, i) => ({ ...tp, skipIfHeld: finals.get(find(i)) }));
}

/**
 * Imports customers from CSV through the same identity resolution as live tracking, in chunks.
 * Rows with no usable identifier, or an email or phone that cannot be read (after
 * normalisation with the workspace's default country), are rejected with their line number.
 */
export async function importCustomers(
  deps: { readonly clock: Clock; readonly ingest: IngestQueue },
  input: { readonly workspaceId: string; readonly settings: WorkspaceSettings; readonly csv: NodeJS.ReadableStream | string; readonly onProgress?: (read: number) => void },
): Promise<ImportSummary> {
  const now = deps.clock.now();
  const run = randomUUID();
  const rejected: { line: number; reason: string }[] = [];
  const warnings: { line: number; message: string }[] = [];
  let read = 0;
  let created = 0;
  let merged = 0;
  let unchanged = 0;
  let chunk: ImportRow[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const outcome = await deps.ingest.submit(input.workspaceId, skippableIfHeld(chunk));
    // An identifier resolution left out (another customer's email beside a new user id) is
    // otherwise only in that customer's conflict log: the summary names it on its line.
    const lineOf = new Map(chunk.map(({ tp, line }) => [tp.messageId, line]));
    for (const c of outcome.leftOut) {
      const line = lineOf.get(c.messageId);
      if (line !== undefined) warnings.push({ line, message: `${c.kind} ${JSON.stringify(c.value)} left out: ${c.reason}` });
    }
    created += outcome.created;
    unchanged += outcome.duplicates;
    merged += outcome.stored - outcome.created;
    chunk = [];
    input.onProgress?.(read);
  };
  for await (const row of parseCustomersCsv(input.csv, { now })) {
    read += 1;
    if (!row.ok) {
      rejected.push({ line: row.line, reason: row.reason });
      continue;
    }
    const unstorable = findUnstorableText(row.customer, '');
    if (unstorable !== null) {
      rejected.push({ line: row.line, reason: `${unstorable} ${UNSTORABLE_TEXT}` });
      continue;
    }
    const tp = touchpointOf(row.customer, row.line, run, now);
    const { identities, rejected: bad } = extractIdentities(tp, input.settings.defaultCountry);
    // A phone or email that cannot be read fails its row, as an email without "@" does: imported
    // without it, the customer could not be found by it, and nobody would be told.
    const unreadable = bad.find((b) => b.reason === 'invalid' && (b.kind === 'phone' || b.kind === 'email'));
    if (unreadable) {
      rejected.push({ line: row.line, reason: `invalid ${unreadable.kind} ${JSON.stringify(unreadable.value)}: ${unreadable.message}` });
      continue;
    }
    if (identities.length === 0) {
      rejected.push({ line: row.line, reason: `no usable identifier (${bad.map((b) => `${b.kind} ${b.reason}`).join(', ') || 'none given'})` });
      continue;
    }
    for (const message of row.warnings) warnings.push({ line: row.line, message });
    chunk.push({ tp, identities, line: row.line });
    if (chunk.length >= CHUNK) await flush();
  }
  await flush();
  warnings.sort((a, b) => a.line - b.line);
  return { read, created, merged, unchanged, rejected, warnings };
}
