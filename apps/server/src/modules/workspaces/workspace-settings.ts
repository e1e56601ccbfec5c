import type { CountryCode } from 'libphonenumber-js';
import { isPlainObject, parseJsonObject } from '../../platform/json.ts';

/**
 * Lifecycle rules, evaluated in this order: a manual override wins; then inactivity
 * (no event for `churnedAfterDays` → churned, for `atRiskAfterDays` → at_risk) for anyone
 * past visitor; then advocate, repeat, customer, lead, visitor from what the profile did.
 */
export type LifecycleRules = {
  /** Events that make a lead even without an identity (a form, a sign-up). */
  readonly leadEvents: readonly string[];
  /** Events that count as an order: the first makes a customer. */
  readonly orderEvents: readonly string[];
  /** Orders from which a customer is a repeat customer. */
  readonly repeatAfterOrders: number;
  /** Events that make an advocate (a referral, a review); an NPS score of 9–10 also does. */
  readonly advocateEvents: readonly string[];
  readonly atRiskAfterDays: number;
  readonly churnedAfterDays: number;
};

/**
 * Guard rails on identity resolution, after Segment Unify: how many identities of a kind one
 * profile may hold, the order in which identifiers win when a limit is hit, and a cap.
 */
export type IdentityRules = {
  readonly limits: Readonly<Record<string, number>>;
  readonly priority: readonly string[];
  readonly maxIdentitiesPerProfile: number;
};

/** How moments are continued, reopened, routed and shown. */
export type MomentRules = {
  /** Where a moment goes when no assignment rule matches (null: the workspace owner holds it). */
  readonly defaultTeamId: string | null;
  /** A customer writing within this many hours of resolution reopens the moment; later, a new one. */
  readonly reopenWindowHours: number;
  /** Open moments per channel an agent may own when their capacity does not say. */
  readonly defaultCapacity: number;
  /** An SLA deadline this close counts as "due soon" (warnings, inbox filter). */
  readonly dueSoonMinutes: number;
};

export type WorkspaceSettings = {
  /** Country assumed for phone numbers written without +country code. */
  readonly defaultCountry: CountryCode | null;
  /** ISO 4217: the currency of order amounts sent without a `currency` property. */
  readonly defaultCurrency: string;
  readonly identity: IdentityRules;
  readonly lifecycle: LifecycleRules;
  readonly moments: MomentRules;
};

export const DEFAULT_SETTINGS: WorkspaceSettings = {
  defaultCountry: null,
  defaultCurrency: 'USD',
  identity: {
    limits: { user_id: 1, email: 5, phone: 5, external_id: 10, social: 10, anonymous_id: 100 },
    priority: ['user_id', 'external_id', 'email', 'phone', 'social', 'anonymous_id'],
    maxIdentitiesPerProfile: 1000,
  },
  lifecycle: {
    leadEvents: ['Signed Up', 'Lead Captured', 'Form Submitted', 'Trial Started', 'Newsletter Subscribed'],
    orderEvents: ['Order Completed'],
    repeatAfterOrders: 2,
    advocateEvents: ['Referral Sent', 'Review Submitted', 'Product Reviewed'],
    atRiskAfterDays: 60,
    churnedAfterDays: 180,
  },
  moments: { defaultTeamId: null, reopenWindowHours: 72, defaultCapacity: 5, dueSoonMinutes: 30 },
};

/**
 * Reads stored settings over the defaults, so a workspace stores only what it changed. Only the
 * settings that exist are read: a key stored before the API refused unknown ones (`lifecycle.foo`)
 * must not come back in replies, nor in the settings screen's next save.
 */
export function parseSettings(text: string | null | undefined): WorkspaceSettings {
  const stored = parseJsonObject(text);
  const identity = isPlainObject(stored.identity) ? stored.identity : {};
  return {
    defaultCountry: typeof stored.defaultCountry === 'string' ? (stored.defaultCountry as CountryCode) : DEFAULT_SETTINGS.defaultCountry,
    defaultCurrency: typeof stored.defaultCurrency === 'string' ? stored.defaultCurrency : DEFAULT_SETTINGS.defaultCurrency,
    identity: { ...over(DEFAULT_SETTINGS.identity, identity), limits: over(DEFAULT_SETTINGS.identity.limits, identity.limits) },
    lifecycle: over(DEFAULT_SETTINGS.lifecycle, stored.lifecycle),
    moments: over(DEFAULT_SETTINGS.moments, stored.moments),
  };
}

/** The defaults' keys, each with its stored value when there is one. */
function over<T extends object>(defaults: T, stored: unknown): T {
  if (!isPlainObject(stored)) return defaults;
  return Object.fromEntries(Object.entries(defaults).map(([key, value]) => [key, stored[key] ?? value])) as T;
}

/**
 * The event names whose meaning a change of lifecycle rules moves: those now counted as orders,
 * advocate or lead events and not before, or the other way round.
 * @example retoldEvents({ orderEvents: ['Order Completed'], … }, { orderEvents: ['Order Completed', 'Purchase'], … }) // ['Purchase']
 */
export function retoldEvents(before: LifecycleRules, after: LifecycleRules): string[] {
  const names = new Set<string>();
  for (const key of ['orderEvents', 'advocateEvents', 'leadEvents'] as const) {
    const was = new Set(before[key]);
    const is = new Set(after[key]);
    for (const name of was) if (!is.has(name)) names.add(name);
    for (const name of is) if (!was.has(name)) names.add(name);
  }
  return [...names].sort();
}
