import type { Selectable } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import type { CustomerTable } from '../../platform/db/tables.ts';
import type { Hit } from './load-group.ts';

type Customer = Selectable<CustomerTable>;

/**
 * The identities and profiles the SQLite ingest thread has read or written, kept in memory so
 * that a group of touchpoints from known people reads neither table: about a third of what
 * SQLite does for such a group besides writing the events.
 *
 * It is only ever trusted under the write lock, and only while nobody else has written a
 * customer or an identity: the counter `profile_writes` (migration 1100, kept by triggers for
 * every connection) must read what this thread left behind at its last commit. Otherwise, or
 * after a transaction failed, or after a merge rewrote other profiles' rows, it starts empty.
 */
export type ProfileCache = {
  /** First thing in an ingest transaction: forgets everything if anyone else wrote since. */
  readonly begin: (tx: Tx) => Promise<void>;
  /** Last thing before the commit: what the counter should read next time. */
  readonly end: (tx: Tx) => Promise<void>;
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
 * about a kilobyte and a half, so the thread holds some 75 MB at most. Where more people than
 * that are active at once, groups read what they miss as they did without a cache.
 */
const MAX_PROFILES = 50_000;
/** Identities are small (a value and two ids), and a profile has a few. */
const MAX_IDENTITIES = 200_000;

export function createProfileCache(): ProfileCache {
  // Maps of maps, by workspace, then kind: the keys are strings the caller already holds, whose
  // hashes V8 keeps, where one joined key would be a new string to hash at every lookup.
  let identities = new Map<string, Map<string, Map<string, Hit>>>();
  let customers = new Map<string, Map<string, Customer>>();
  const counts = { identities: 0, customers: 0 };
  const clear = () => {
    identities = new Map();
    customers = new Map();
    counts.identities = 0;
    counts.customers = 0;
  };
  let expected: number | null = null;
  const forget = () => {
    clear();
    expected = null;
  };
  const inner = <K, V>(map: Map<K, V>, key: K, make: () => V): V => {
    let value = map.get(key);
    if (value === undefined) map.set(key, (value = make()));
    return value;
  };
  const writes = async (tx: Tx) => (await tx.selectFrom('profile_writes').select('n').where('id', '=', 1).executeTakeFirst())?.n ?? -1;
  /** Sets a key, starting over first when a new key would pass the limit of its kind. */
  const put = <V>(kind: keyof typeof counts, limit: number, map: () => Map<string, V>, key: string, value: V) => {
    if (!map().has(key) && ++counts[kind] > limit) clear();
    map().set(key, value);
  };
  return {
    begin: async (tx) => {
      if ((await writes(tx)) !== expected) forget();
    },
    end: async (tx) => {
      expected = await writes(tx);
    },
    forget,
    identity: (workspaceId, kind, value) => identities.get(workspaceId)?.get(kind)?.get(value),
    customer: (workspaceId, id) => customers.get(workspaceId)?.get(id),
    putIdentity: (workspaceId, kind, value, hit) =>
      put('identities', MAX_IDENTITIES, () => inner(inner(identities, workspaceId, () => new Map<string, Map<string, Hit>>()), kind, () => new Map<string, Hit>()), value, hit),
    putCustomer: (row) => put('customers', MAX_PROFILES, () => inner(customers, row.workspace_id, () => new Map<string, Customer>()), row.id, row),
  };
}
