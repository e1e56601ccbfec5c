import type { CustomerBrief, CustomerProfile } from './types.ts';

/** A profile as a list row names it: the same fields the server's brief has (customer-briefs.ts). */
export function briefOf(profile: CustomerProfile): CustomerBrief {
  return { id: profile.id, name: profile.name, email: latest(profile, 'email'), phone: latest(profile, 'phone') };
}

/** What people call a customer: their name, else how to reach them, else `fallback`. */
export function customerLabel(customer: Pick<CustomerBrief, 'name' | 'email' | 'phone'>, fallback = 'Unnamed customer'): string {
  return customer.name ?? customer.email ?? customer.phone ?? fallback;
}

/** Someone who gave nothing to call them by, as the channel they wrote on knows them. */
export const unnamedOn = (channel: string): string => (channel === 'chat' ? 'Website visitor' : 'Unnamed customer');

/** The identity of a kind the profile gained last. */
function latest(profile: CustomerProfile, kind: 'email' | 'phone'): string | null {
  let found: CustomerProfile['identities'][number] | null = null;
  for (const identity of profile.identities) if (identity.kind === kind && (found === null || identity.addedAt >= found.addedAt)) found = identity;
  return found?.value ?? null;
}
