import { createHash } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import { findUnstorableText, UNSTORABLE_TEXT } from '../../platform/storable-text.ts';
import { extractIdentities, type Touchpoint } from '../profiles/index.ts';
import type { WorkspaceSettings } from '../workspaces/index.ts';
import type { IngestQueue } from './ingest-queue.ts';
import { parseCustomersCsv, type CsvCustomer } from './parse-customers-csv.ts';

export type ImportSummary = {
  readonly read: number;
  /** Rows that made a new profile. */
  readonly created: number;
  /** Rows that landed on (merged into) a profile that already existed. */
  readonly merged: number;
  /** Rows already imported before (same content): a re-run changes nothing. */
  readonly unchanged: number;
  readonly rejected: readonly { readonly line: number; readonly reason: string }[];
  /** Rows imported with a value left out (an unreadable created_at), each with what and why. */
  readonly warnings: readonly { readonly line: number; readonly message: string }[];
};

const CHUNK = 1_000;

/** A CSV row as an identify touchpoint; its messageId is a hash of its content, so re-importing is a no-op. */
function touchpointOf(customer: CsvCustomer, now: number): Touchpoint {
  const traits: Record<string, unknown> = { ...customer.traits };
  if (customer.email) traits.email = customer.email;
  if (customer.phone) traits.phone = customer.phone;
  if (customer.createdAt) traits.createdAt = customer.createdAt;
  const externalIds = Object.entries(customer.externalIds).map(([type, id]) => ({ type, id }));
  const digest = createHash('sha256').update(JSON.stringify([customer.userId ?? null, traits, externalIds])).digest('hex').slice(0, 32);
  return {
    messageId: `import-${digest}`,
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
  const rejected: { line: number; reason: string }[] = [];
  const warnings: { line: number; message: string }[] = [];
  let read = 0;
  let created = 0;
  let merged = 0;
  let unchanged = 0;
  let chunk: Touchpoint[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const outcome = await deps.ingest.submit(input.workspaceId, chunk);
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
    const tp = touchpointOf(row.customer, now);
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
    chunk.push(tp);
    if (chunk.length >= CHUNK) await flush();
  }
  await flush();
  return { read, created, merged, unchanged, rejected, warnings };
}
