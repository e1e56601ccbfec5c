/**
 * Every query key of the app, in one scheme: `[area, kind, …args]`. Invalidating a prefix
 * (`keys.moments.all`) refreshes everything under it; the live stream patches these entries.
 */
export const keys = {
  session: ['session'] as const,
  agents: ['directory', 'agents'] as const,
  teams: ['directory', 'teams'] as const,
  businessUnits: ['directory', 'business-units'] as const,
  channels: ['directory', 'channels'] as const,
  moments: {
    all: ['moments'] as const,
    lists: ['moments', 'list'] as const,
    list: (params: Readonly<Record<string, string>>) => ['moments', 'list', params] as const,
    counts: ['moments', 'counts'] as const,
    detail: (id: string) => ['moments', 'detail', id] as const,
    messages: (id: string) => ['moments', 'messages', id] as const,
    ownership: (id: string) => ['moments', 'ownership', id] as const,
  },
  /** Each key of one customer names them third: `refreshCustomer` (live-updates.ts) finds them all by it. */
  customers: {
    all: ['customers'] as const,
    detail: (id: string) => ['customers', 'detail', id] as const,
    timeline: (id: string, filter: Readonly<Record<string, string>>) => ['customers', 'timeline', id, filter] as const,
    moments: (id: string, businessUnit: string) => ['customers', 'moments', id, businessUnit] as const,
    /** Every business unit's list of the customer's moments. */
    momentsOf: (id: string) => ['customers', 'moments', id] as const,
    openMoments: (id: string) => ['customers', 'open-moments', id] as const,
    search: (q: string) => ['customers', 'search', q] as const,
  },
  /** Kept apart from `customers`: refreshing those must not ask for every row's name one by one. */
  customerBriefs: { one: (id: string) => ['customer-briefs', id] as const },
  /** Who is typing on a moment, as the live stream said: kept apart from `moments`, whose refreshes would wipe it. */
  typing: (momentId: string) => ['typing', momentId] as const,
  search: (q: string) => ['search', q] as const,
  settings: {
    all: ['settings'] as const,
    workspace: ['settings', 'workspace'] as const,
    rules: ['settings', 'assignment-rules'] as const,
    slaPolicies: ['settings', 'sla-policies'] as const,
    businessHours: ['settings', 'business-hours'] as const,
    keys: ['settings', 'keys'] as const,
  },
};
