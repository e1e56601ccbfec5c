import type { CustomerProfile, Identity, Merge } from '../../api/types.ts';
import { sumRevenue } from './customer-view.ts';

/** Which of two profiles a merge keeps: the older, as the server decides (created, first seen, id). */
export function survivorOf(a: CustomerProfile, b: CustomerProfile): { readonly survivor: CustomerProfile; readonly absorbed: CustomerProfile } {
  const older = a.createdAt !== b.createdAt ? a.createdAt < b.createdAt : a.firstSeen !== b.firstSeen ? a.firstSeen < b.firstSeen : a.id < b.id;
  return older ? { survivor: a, absorbed: b } : { survivor: b, absorbed: a };
}

const sameIdentity = (x: Identity, y: Identity) => x.kind === y.kind && x.value === y.value;

export type MergePreview = {
  readonly survivor: CustomerProfile;
  readonly absorbed: CustomerProfile;
  /** Identities the survivor gains. */
  readonly joining: readonly Identity[];
  readonly after: { readonly identities: number; readonly events: number; readonly orders: number; readonly revenue: CustomerProfile['revenue'] };
  /** Kinds where each profile has a different value and only one is allowed (user ids): the server refuses without force. */
  readonly clashes: readonly string[];
  /** What the survivor will be called after, when that changes (null: no change). */
  readonly newName: string | null;
  /** Other traits of the survivor whose value the merge changes, adds or removes. */
  readonly changedTraits: readonly string[];
};

const NAME_TRAITS = ['name', 'firstName', 'lastName'];

/** The name traits give, as the server reads them (customer-briefs.ts): `name`, else `firstName lastName`. */
function nameFromTraits(traits: Readonly<Record<string, unknown>>): string | null {
  if (typeof traits.name === 'string' && traits.name.trim()) return traits.name.trim();
  const parts = [traits.firstName, traits.lastName].filter((x): x is string => typeof x === 'string' && x.trim() !== '');
  return parts.length > 0 ? parts.map((p) => p.trim()).join(' ') : null;
}

/** The server's rule (profile-state.ts `foldInto`): a trait both have takes the value of the profile changed last; the others are kept. */
function traitsAfter(survivor: CustomerProfile, absorbed: CustomerProfile): Record<string, unknown> {
  const [base, winner] = absorbed.updatedAt > survivor.updatedAt ? [survivor.traits, absorbed.traits] : [absorbed.traits, survivor.traits];
  const after: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(winner)) {
    if (value === null) delete after[key];
    else after[key] = value;
  }
  return after;
}

/** What merging two profiles would change, before anyone confirms it. */
export function mergePreview(a: CustomerProfile, b: CustomerProfile): MergePreview {
  const { survivor, absorbed } = survivorOf(a, b);
  const joining = absorbed.identities.filter((i) => !survivor.identities.some((s) => sameIdentity(s, i)));
  const clashes = ['user_id'].filter((kind) => survivor.identities.some((i) => i.kind === kind) && joining.some((i) => i.kind === kind));
  const after = traitsAfter(survivor, absorbed);
  const nameAfter = nameFromTraits(after);
  const changed = (key: string) => JSON.stringify(survivor.traits[key]) !== JSON.stringify(after[key]);
  return {
    survivor,
    absorbed,
    joining,
    after: {
      identities: survivor.identities.length + joining.length,
      events: survivor.counts.events + absorbed.counts.events,
      orders: survivor.counts.orders + absorbed.counts.orders,
      revenue: sumRevenue(survivor.revenue, absorbed.revenue),
    },
    clashes,
    newName: nameAfter !== null && nameAfter !== nameFromTraits(survivor.traits) ? nameAfter : null,
    changedTraits: [...new Set([...Object.keys(survivor.traits), ...Object.keys(after)])].filter((key) => !NAME_TRAITS.includes(key) && changed(key)).sort(),
  };
}

/** The merges of this profile that can be undone: it survived them and they stand. */
export const undoableMerges = (profile: CustomerProfile): readonly Merge[] => profile.merges.filter((m) => m.survivorId === profile.id && m.undoneAt === null);

/** What unmerging gives back: the identities that joined through the absorbed profile. */
export function unmergePreview(profile: CustomerProfile, merge: Merge): { readonly leaving: readonly Identity[]; readonly staying: readonly Identity[] } {
  const leaving = profile.identities.filter((i) => i.profileId === merge.absorbedId);
  return { leaving, staying: profile.identities.filter((i) => i.profileId !== merge.absorbedId) };
}
