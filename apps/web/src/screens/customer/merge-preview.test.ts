import { describe, expect, it } from 'vitest';
import type { CustomerProfile } from '../../api/types.ts';
import { mergePreview, undoableMerges, unmergePreview } from './merge-preview.ts';

function profile(id: string, patch: Partial<CustomerProfile> = {}): CustomerProfile {
  return {
    id,
    name: null,
    traits: {},
    stage: 'lead',
    stageOverride: null,
    stageHistory: [],
    firstSeen: '2026-01-01T00:00:00.000Z',
    lastSeen: '2026-01-02T00:00:00.000Z',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-02T00:00:00.000Z',
    counts: { events: 3, orders: 1 },
    revenue: { EUR: 10.5 },
    identities: [],
    mergedProfileIds: [],
    merges: [],
    conflicts: [],
    ...patch,
  };
}
const identity = (kind: string, value: string, profileId: string) => ({ kind, value, profileId, addedAt: '2026-01-01T00:00:00.000Z' });

describe('merge preview', () => {
  it('keeps the older profile, whichever was opened, and sums what joins', () => {
    const older = profile('b', { createdAt: '2025-06-01T00:00:00.000Z', identities: [identity('email', 'ann@example.com', 'b')] });
    const newer = profile('a', { counts: { events: 4, orders: 2 }, revenue: { EUR: 0.2, USD: 3 }, identities: [identity('email', 'ann@example.com', 'a'), identity('phone', '+14155552671', 'a')] });
    const preview = mergePreview(newer, older);
    expect(preview.survivor.id).toBe('b');
    expect(preview.absorbed.id).toBe('a');
    expect(preview.joining.map((i) => i.value)).toEqual(['+14155552671']);
    expect(preview.after).toEqual({ identities: 2, events: 7, orders: 3, revenue: { EUR: 10.7, USD: 3 } });
    expect(preview.clashes).toEqual([]);
  });

  it('says the survivor takes the name and traits of the profile changed last, as the server does', () => {
    const ann = profile('a', { createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-05T00:00:00.000Z', traits: { name: 'Ann QA', plan: 'pro', city: 'Lisbon' } });
    const duplicate = profile('b', { createdAt: '2026-02-01T00:00:00.000Z', firstSeen: '2026-02-01T00:00:00.000Z', updatedAt: '2026-02-03T00:00:00.000Z', traits: { name: 'Ann Q Duplicate', plan: 'free', vip: true } });
    const preview = mergePreview(ann, duplicate);
    expect(preview.survivor.id).toBe('a');
    expect(preview.newName).toBe('Ann Q Duplicate');
    expect(preview.changedTraits).toEqual(['plan', 'vip']); // city is kept; vip joins
  });

  it('keeps the survivor name when it changed last', () => {
    const ann = profile('a', { createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-03-01T00:00:00.000Z', traits: { firstName: 'Ann', lastName: 'Lee' } });
    const duplicate = profile('b', { createdAt: '2026-02-01T00:00:00.000Z', firstSeen: '2026-02-01T00:00:00.000Z', updatedAt: '2026-02-03T00:00:00.000Z', traits: { name: 'Ann Q Duplicate', plan: 'free' } });
    const preview = mergePreview(ann, duplicate);
    // name joins from the other profile (the survivor has none), and `name` comes before firstName and lastName
    expect(preview.newName).toBe('Ann Q Duplicate');
    expect(mergePreview(ann, profile('c', { createdAt: '2026-02-01T00:00:00.000Z', traits: { firstName: 'Anne' } })).newName).toBeNull();
    expect(preview.changedTraits).toEqual(['plan']);
  });

  it('breaks ties by first seen, then id, as the server does', () => {
    expect(mergePreview(profile('z', { firstSeen: '2025-01-01T00:00:00.000Z' }), profile('a')).survivor.id).toBe('z');
    expect(mergePreview(profile('z'), profile('a')).survivor.id).toBe('a');
  });

  it('warns when both have a different user id', () => {
    const preview = mergePreview(profile('a', { identities: [identity('user_id', 'u1', 'a')] }), profile('b', { createdAt: '2027-01-01T00:00:00.000Z', identities: [identity('user_id', 'u2', 'b')] }));
    expect(preview.clashes).toEqual(['user_id']);
  });
});

describe('unmerge preview', () => {
  it('gives back the identities that joined through the absorbed profile', () => {
    const merge = { id: 'm1', survivorId: 'a', absorbedId: 'b', cause: 'manual', detail: 'same', at: '2026-01-03T00:00:00.000Z', undoneAt: null };
    const p = profile('a', { identities: [identity('email', 'ann@example.com', 'a'), identity('phone', '+1415', 'b')], merges: [merge, { ...merge, id: 'm0', undoneAt: '2026-01-02T00:00:00.000Z' }] });
    expect(undoableMerges(p).map((m) => m.id)).toEqual(['m1']);
    const { leaving, staying } = unmergePreview(p, merge);
    expect(leaving.map((i) => i.value)).toEqual(['+1415']);
    expect(staying.map((i) => i.value)).toEqual(['ann@example.com']);
  });
});
