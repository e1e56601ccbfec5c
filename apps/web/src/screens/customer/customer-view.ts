import { briefOf, customerLabel } from '../../api/customer-brief.ts';
import type { CustomerProfile, Identity, Stage, TimelineItem } from '../../api/types.ts';
import { channelLabel, duration } from '../../ui/format.ts';

/** What people call a customer: their name, else their latest email or phone, else their user id, else `unnamed`. */
export function customerName(profile: CustomerProfile, unnamed?: string): string {
  return customerLabel(briefOf(profile), profile.identities.find((i) => i.kind === 'user_id')?.value ?? unnamed);
}

export const IDENTITY_LABEL: Readonly<Record<string, string>> = {
  email: 'Email',
  phone: 'Phone',
  user_id: 'User id',
  external_id: 'External id',
  social: 'Social',
  anonymous_id: 'Anonymous id',
};
const IDENTITY_ORDER = Object.keys(IDENTITY_LABEL);

/** Identities grouped by kind, the ones people recognise first (email, phone) at the top. */
export function identitiesByKind(identities: readonly Identity[]): { readonly kind: string; readonly label: string; readonly values: readonly Identity[] }[] {
  const groups = new Map<string, Identity[]>();
  for (const identity of identities) groups.set(identity.kind, [...(groups.get(identity.kind) ?? []), identity]);
  const rank = (kind: string) => (IDENTITY_ORDER.includes(kind) ? IDENTITY_ORDER.indexOf(kind) : IDENTITY_ORDER.length);
  return [...groups.entries()].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)).map(([kind, values]) => ({ kind, label: IDENTITY_LABEL[kind] ?? kind, values }));
}

export const STAGE_LABEL: Readonly<Record<Stage, string>> = {
  visitor: 'Visitor',
  lead: 'Lead',
  customer: 'Customer',
  repeat: 'Repeat customer',
  advocate: 'Advocate',
  at_risk: 'At risk',
  churned: 'Churned',
};
export const STAGE_COLOR: Readonly<Record<Stage, string>> = {
  visitor: 'gray',
  lead: 'cyan',
  customer: 'blue',
  repeat: 'violet',
  advocate: 'teal',
  at_risk: 'orange',
  churned: 'red',
};
export const stageLabel = (stage: string) => STAGE_LABEL[stage as Stage] ?? stage;

/**
 * The timeline's filters. Each is one server query (the timeline filters by one channel, type
 * or name), so paging stays on the server: orders and surveys are events, the rest channels.
 */
export const TIMELINE_FILTERS: readonly { readonly value: string; readonly label: string; readonly query: Readonly<Record<string, string>> }[] = [
  { value: 'all', label: 'All', query: {} },
  { value: 'web', label: 'Web', query: { channel: 'web' } },
  { value: 'orders', label: 'Orders', query: { name: 'Order Completed' } },
  { value: 'email', label: 'Email', query: { channel: 'email' } },
  { value: 'chat', label: 'Chat', query: { channel: 'chat,messenger,instagram' } },
  { value: 'whatsapp', label: 'WhatsApp', query: { channel: 'whatsapp' } },
  { value: 'sms', label: 'SMS', query: { channel: 'sms' } },
  { value: 'calls', label: 'Calls', query: { channel: 'voice' } },
  { value: 'surveys', label: 'Surveys', query: { name: 'Survey Responded' } },
];
export const timelineQuery = (filter: string) => TIMELINE_FILTERS.find((f) => f.value === filter)?.query ?? {};

const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : null);

/** One timeline line in words: what happened, a detail, and the moment it belongs to (if any). */
export function describeTouchpoint(item: TimelineItem): { readonly title: string; readonly detail: string | null; readonly momentId: string | null } {
  const p = item.properties;
  const momentId = text(p.momentId);
  switch (item.type) {
    case 'identify':
      return { title: 'Profile updated', detail: Object.keys(p).length ? Object.entries(p).map(([k, v]) => `${k}: ${String(v)}`).join(', ') : null, momentId };
    case 'page':
    case 'screen':
      return { title: `Viewed ${item.name ?? (item.type === 'page' ? 'a page' : 'a screen')}`, detail: text(p.url) ?? text(p.path), momentId };
    case 'track':
      break;
    default:
      return { title: item.name ?? item.type, detail: null, momentId };
  }
  switch (item.name) {
    case 'Moment Opened':
      // A subject the server made from the first message would repeat the "Wrote in" line beside it.
      return { title: `Conversation opened on ${channelLabel(item.channel)}`, detail: p.subjectFrom === 'message' ? null : text(p.subject), momentId };
    case 'Message Received':
      return { title: `Wrote in on ${channelLabel(item.channel)}`, detail: text(p.preview), momentId };
    case 'Message Sent':
      return { title: `Reply sent on ${channelLabel(item.channel)}`, detail: text(p.preview), momentId };
    case 'Order Completed':
      return { title: 'Order completed', detail: details(orderId(p), amountOf(p, p.total ?? p.revenue)), momentId };
    case 'Order Refunded':
      return { title: 'Order refunded', detail: details(orderId(p), amountOf(p, p.total ?? p.revenue), text(p.reason)), momentId };
    case 'Checkout Started':
      return { title: 'Started checkout', detail: details(orderId(p), amountOf(p, p.total ?? p.revenue)), momentId };
    case 'Product Viewed':
      return { title: 'Viewed a product', detail: details(text(p.name), amountOf(p, p.price)), momentId };
    case 'Product Added': {
      const quantity = typeof p.quantity === 'number' && p.quantity > 1 ? `× ${p.quantity}` : null;
      return { title: 'Added to cart', detail: details(text(p.name), quantity, amountOf(p, p.price)), momentId };
    }
    case 'Signed Up':
      return { title: 'Signed up', detail: details(text(p.method) && `with ${text(p.method)}`, text(p.plan) && `${text(p.plan)} plan`), momentId };
    case 'Email Sent':
      return { title: 'Was sent an email', detail: text(p.subject) ?? text(p.campaign_name), momentId };
    case 'Email Opened':
      return { title: 'Opened an email', detail: text(p.subject) ?? text(p.campaign_name), momentId };
    case 'Email Link Clicked':
      return { title: 'Clicked a link in an email', detail: text(p.subject) ?? text(p.campaign_name), momentId };
    case 'Call Completed': {
      const seconds = typeof p.duration_seconds === 'number' ? p.duration_seconds : null;
      return { title: 'Call', detail: details(text(p.reason), seconds === null ? null : duration(seconds * 1000), text(p.outcome)?.replaceAll('_', ' ')), momentId };
    }
    case 'Store Visit':
      return { title: 'Visited a store', detail: details(text(p.store_name) ?? text(p.city), typeof p.duration_minutes === 'number' ? `${p.duration_minutes} min` : null), momentId };
    case 'Survey Responded': {
      const survey = text(p.survey)?.toUpperCase() ?? 'Survey';
      return { title: 'Answered a survey', detail: details(p.score === undefined ? text(p.survey) : `${survey} ${String(p.score)}`, text(p.comment) && `“${text(p.comment)}”`), momentId };
    }
    default:
      return { title: item.name ?? 'Event', detail: null, momentId };
  }
}

/** The parts of a line's detail that are there, joined; null when none is. */
const details = (...parts: readonly (string | null | undefined)[]) => parts.filter(Boolean).join(' · ') || null;
const orderId = (p: Readonly<Record<string, unknown>>) => text(p.orderId) ?? text(p.order_id);

/** An amount in the event's own currency (Segment's `currency`), else as the number it is. */
function amountOf(p: Readonly<Record<string, unknown>>, amount: unknown): string | null {
  if (typeof amount !== 'number') return null;
  const currency = typeof p.currency === 'string' && /^[A-Za-z]{3}$/.test(p.currency) ? p.currency.toUpperCase() : null;
  return currency ? moneyText(amount, currency) : amount.toLocaleString();
}

/**
 * An amount in its currency, with its minor unit once it has any: $1,200 · $89.50 (not $89.5) ·
 * ¥1,200 · 1.250 KWD.
 */
export function moneyText(amount: number, currency: string, locale?: string): string {
  const options: Intl.NumberFormatOptions = { style: 'currency', currency };
  return amount.toLocaleString(locale, Number.isInteger(amount) ? { ...options, minimumFractionDigits: 0 } : options);
}

/** A profile's revenue, a line per currency, largest first; none yet: an empty list. */
export function revenueLines(revenue: Readonly<Record<string, number>>, locale?: string): readonly string[] {
  return Object.entries(revenue)
    .sort(([, a], [, b]) => b - a)
    .map(([currency, amount]) => moneyText(amount, currency, locale));
}

/** Revenue per currency of two profiles together (a merge adds them currency by currency). */
export function sumRevenue(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Readonly<Record<string, number>> {
  const sum: Record<string, number> = { ...a };
  for (const [currency, amount] of Object.entries(b)) {
    // Amounts arrive rounded to their minor unit; a sum of two keeps at most 4 decimals (CLF's).
    const total = Math.round(((sum[currency] ?? 0) + amount) * 1e4) / 1e4;
    if (total === 0) delete sum[currency];
    else sum[currency] = total;
  }
  return sum;
}
