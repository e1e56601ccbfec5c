import type { CustomerProfile } from '../api/types.ts';

/** A profile as the API shows it (Ann Lee, two emails, a phone, three orders), with whatever a test changes. */
export function aProfile(patch: Partial<CustomerProfile> = {}): CustomerProfile {
  return {
    id: 'c1', name: 'Ann Lee', traits: { name: 'Ann Lee' }, stage: 'repeat', stageOverride: null, stageHistory: [],
    firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-11-20T00:00:00.000Z', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-11-20T00:00:00.000Z',
    counts: { events: 40, orders: 3 }, revenue: { EUR: 120.5, GBP: 30 },
    identities: [
      { kind: 'email', value: 'ann@example.com', profileId: 'c1', addedAt: '2026-01-01T00:00:00.000Z' },
      { kind: 'email', value: 'ann.lee@work.example', profileId: 'c1', addedAt: '2026-02-01T00:00:00.000Z' },
      { kind: 'phone', value: '+447400123456', profileId: 'c1', addedAt: '2026-01-01T00:00:00.000Z' },
    ],
    mergedProfileIds: [], merges: [], conflicts: [], ...patch,
  };
}
