import type { Moment } from '../api/types.ts';

/** A moment as the API shows it, with whatever a test changes. */
export function aMoment(patch: Omit<Partial<Moment>, 'sla'> & { readonly sla?: Partial<Moment['sla']> } = {}): Moment {
  const { sla, ...rest } = patch;
  return {
    id: 'm1',
    customerId: 'c1',
    channel: 'chat',
    externalId: null,
    subject: 'Card charged twice',
    preview: 'Hi, I was charged twice for order 1042',
    status: 'open',
    priority: 'normal',
    language: null,
    businessUnitId: null,
    teamId: 'sales',
    ownerId: 'bob',
    queued: false,
    queuedAt: null,
    handoff: null,
    tags: [],
    firstResponseAt: null,
    snoozedUntil: null,
    resolvedAt: null,
    closedAt: null,
    mergedInto: null,
    messageCount: 1,
    lastMessageAt: '2026-11-26T10:00:00.000Z',
    createdAt: '2026-11-26T10:00:00.000Z',
    updatedAt: '2026-11-26T10:00:00.000Z',
    ...rest,
    sla: { state: 'none', policyId: null, firstResponseDue: null, nextResponseDue: null, resolutionDue: null, dueAt: null, breachedAt: null, pausedAt: null, ...sla },
  };
}
