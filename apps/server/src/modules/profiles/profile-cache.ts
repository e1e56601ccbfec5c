import { sql, type Selectable } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import type { CustomerTable } from '../../platform/db/tables.ts';
import type { Hit } from './load-group.ts';

type Customer = Selectable<CustomerTable>;

/**
 * The identities and profiles an ingest process has read or written, kept in memory so that
 * a group of touchpoints from known people reads neither table: on SQLite about a third of
 * what a group costs besides writing its events; on PostgreSQL the identity and profile
 * probes, about a fifth of a group.
 *
 * A workspace's share is trusted only while nobody else has written that workspace's
 * customers or identities. Triggers count every such write per workspace (`profile_writes`,
 * migration 2026-11-27T0000). `take`, called under the workspace lock, bumps the count, which
 * also locks its row until the commit; a count that is not one past what this cache left
 * behind means another writer (a moment, a merge, another process) came between, and the
 * workspace's share is dropped. `leave`, the last thing before the commit, notes the count.
 */
export type ProfileCache = {
  /** Under the workspace lock, before the first read of its profiles. */
  readonly take: (tx: Tx, workspaceId: string) => Promise<void>;
  /** After the last write to the workspace's profiles in this transaction. */
  readonly leave: (tx: Tx, workspaceId: string) => Promise<void>;
  /** The transaction did not commit: what was learnt inside it may be untrue. */
  readonly forget: () => void;
  readonly identity: (workspaceId: string, kind: string, value: string) => Hit | undefined;
  readonly customer: (workspaceId: string, id: string) => Customer | undefined;
  /** A stored identity, as read or as written in this transaction. */
  readonly putIdentity: (workspaceId: string, kind: string, value: string, hit: Hit) => void;
  /** A customer row, as read or as written in this transaction. */
  readonly putCustomer: (row: Customer) => void;
};

/**
 * Beyond this many profiles it starts over rather than grow: a customer row with its traits is
 * about a kilobyte and a half, so a process holds some 75 MB at most. Where more people than
 * that are active at once, groups read what they miss as they did without a cache.
 */
const MAX_PROFILES = 50_000;
/** Identities are small (a value and two ids), and a profile has a few. */
const MAX_IDENTITIES = 200_000;

/** One workspace's share: identities by kind then value, customers by id. */
type Share = { readonly identities: Map<string, Map<string, Hit>>; readonly customers: Map<string, Customer>; identityCount: number };

export function createProfileCache(): ProfileCache {
  // Maps of maps, by workspace, then kind: the keys are strings the caller already holds, whose
  // hashes V8 keeps, where one joined key would be a new string to hash at every lookup.
  let shares = new Map<string, Share>();
  /** The count each workspace's share is good for; none: nothing trusted yet. */
  let counts = new Map<string, number>();
  const totals = { identities: 0, customers: 0 };
  const forget = () => {
    shares = new Map();
    counts = new Map();
    totals.identities = 0;
    totals.customers = 0;
  };
  const drop = (workspaceId: string) => {
    const share = shares.get(workspaceId);
    if (share) {
      totals.identities -= share.identityCount;
      totals.customers -= share.customers.size;
      shares.delete(workspaceId);
    }
    counts.delete(workspaceId);
  };
  const share = (workspaceId: string): Share => {
    let s = shares.get(workspaceId);
    if (s === undefined) shares.set(workspaceId, (s = { identities: new Map(), customers: new Map(), identityCount: 0 }));
    return s;
  };
  /** Starts over, keeping what each workspace's share is good for, when a limit would pass. */
  const makeRoom = (kind: keyof typeof totals, limit: number) => {
    if (++totals[kind] <= limit) return;
    shares = new Map();
    totals.identities = 0;
    totals.customers = 0;
    totals[kind] = 1;
  };
  return {
    take: async (tx, workspaceId) => {
      const row = await sql<{ n: number | string }>`insert into profile_writes (workspace_id, n) values (${workspaceId}, 1)
        on conflict (workspace_id) do update set n = profile_writes.n + 1 returning n`.execute(tx);
      const n = Number(row.rows[0].n);
      const left = counts.get(workspaceId);
      if (left === undefined || n !== left + 1) drop(workspaceId);
    },
    leave: async (tx, workspaceId) => {
      const row = await tx.selectFrom('profile_writes').select('n').where('workspace_id', '=', workspaceId).executeTakeFirstOrThrow();
      counts.set(workspaceId, Number(row.n));
    },
    forget,
    identity: (workspaceId, kind, value) => shares.get(workspaceId)?.identities.get(kind)?.get(value),
    customer: (workspaceId, id) => shares.get(workspaceId)?.customers.get(id),
    putIdentity: (workspaceId, kind, value, hit) => {
      let byValue = share(workspaceId).identities.get(kind);
      if (!byValue?.has(value)) {
        makeRoom('identities', MAX_IDENTITIES);
        const s = share(workspaceId);
        byValue = s.identities.get(kind);
        if (byValue === undefined) s.identities.set(kind, (byValue = new Map()));
        s.identityCount += 1;
      }
      byValue.set(value, hit);
    },
    putCustomer: (row) => {
      if (!share(row.workspace_id).customers.has(row.id)) makeRoom('customers', MAX_PROFILES);
      share(row.workspace_id).customers.set(row.id, row);
    },
  };
}
