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
};

/** What merging two profiles would change, before anyone confirms it. */
export function mergePreview(a: CustomerProfile, b: CustomerProfile): MergePreview {
  const { survivor, absorbed } = survivorOf(a, b);
  const joining = absorbed.identities.filter((i) => !survivor.identities.some((s) => sameIdentity(s, i)));
  const clashes = ['user_id'].filter((kind) => survivor.identities.some((i) => i.kind === kind) && joining.some((i) => i.kind === kind));
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
  };
}

/** The merges of this profile that can be undone: it survived them and they stand. */
export const undoableMerges = (profile: CustomerProfile): readonly Merge[] => profile.merges.filter((m) => m.survivorId === profile.id && m.undoneAt === null);

/** What unmerging gives back: the identities that joined through the absorbed profile. */
export function unmergePreview(profile: CustomerProfile, merge: Merge): { readonly leaving: readonly Identity[]; readonly staying: readonly Identity[] } {
  const leaving = profile.identities.filter((i) => i.profileId === merge.absorbedId);
  return { leaving, staying: profile.identities.filter((i) => i.profileId !== merge.absorbedId) };
}
