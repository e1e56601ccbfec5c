import type { LifecycleRules } from '../workspaces/index.ts';
import { currencyCode } from './revenue.ts';

export const STAGES = ['visitor', 'lead', 'customer', 'repeat', 'advocate', 'at_risk', 'churned'] as const;
export type Stage = (typeof STAGES)[number];

export type StageInputs = {
  readonly identified: boolean;
  readonly orderCount: number;
  readonly advocate: boolean;
  readonly lastSeen: number;
  readonly override: Stage | null;
};

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The lifecycle stage of a profile now. Rules, in order:
 * 1. a stage set by hand (with a reason) wins until it is cleared;
 * 2. someone who has ordered and has been silent longer than `churnedAfterDays` is churned,
 *    longer than `atRiskAfterDays` at risk (leads and visitors do not churn: they never bought);
 * 3. a customer who sent an advocate event (referral, review, NPS 9–10) is an advocate;
 * 4. `repeatAfterOrders` orders or more: repeat; one order: customer;
 * 5. an email, phone or user id, or a lead event: lead; else visitor.
 */
export function computeStage(inputs: StageInputs, rules: LifecycleRules, now: number): Stage {
  if (inputs.override) return inputs.override;
  if (inputs.orderCount > 0) {
    const silentDays = (now - inputs.lastSeen) / DAY_MS;
    if (silentDays > rules.churnedAfterDays) return 'churned';
    if (silentDays > rules.atRiskAfterDays) return 'at_risk';
    if (inputs.advocate) return 'advocate';
    return inputs.orderCount >= rules.repeatAfterOrders ? 'repeat' : 'customer';
  }
  return inputs.identified ? 'lead' : 'visitor';
}

/**
 * Why a profile is at `stage` (computeStage's answer for the same inputs): the rule that put it
 * there, in words with the figures it used, as the lifecycle history shows it. Worded only when
 * a stage changes: computeStage runs on every profile read, and needs no words.
 * @example stageReason('repeat', { …, orderCount: 3 }, rules, now) // '3 orders (repeat from 2)'
 */
export function stageReason(stage: Stage, inputs: StageInputs, rules: LifecycleRules, now: number): string {
  if (inputs.override) return 'set by hand';
  const orders = inputs.orderCount === 1 ? 'first order' : `${inputs.orderCount} orders (repeat from ${rules.repeatAfterOrders})`;
  const silence = `no activity for ${Math.floor((now - inputs.lastSeen) / DAY_MS)} days`;
  switch (stage) {
    case 'churned':
      return `${silence} (churned after ${rules.churnedAfterDays})`;
    case 'at_risk':
      return `${silence} (at risk after ${rules.atRiskAfterDays})`;
    case 'advocate':
      return `${orders}, and an advocate event (${[...rules.advocateEvents, 'an NPS score of 9–10'].join(', ')})`;
    case 'repeat':
    case 'customer':
      return orders;
    case 'lead':
      return `identified: an email, phone, user id or external id, or a lead event (${rules.leadEvents.join(', ') || 'none set'})`;
    case 'visitor':
      return 'no email, phone, user id, external id or lead event yet';
  }
}

export function isStage(value: unknown): value is Stage {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value);
}

/** Every property touchpointFacts reads (the commit thread gets only these, see forCommitThread). */
export const FACT_PROPERTIES = ['revenue', 'total', 'currency', 'survey', 'score'] as const;

/** What one touchpoint adds to a profile's lifecycle facts. */
export function touchpointFacts(
  tp: { readonly type: string; readonly name: string | null; readonly properties: Readonly<Record<string, unknown>> },
  rules: LifecycleRules,
): {
  readonly order: boolean;
  /** The order's amount (a refund's, negative); 0 for anything else. */
  readonly revenue: number;
  /** The currency the order names; null: the workspace's (WorkspaceSettings.defaultCurrency). */
  readonly currency: string | null;
  readonly lead: boolean;
  readonly advocate: boolean;
} {
  const name = tp.type === 'track' ? tp.name : null;
  const amount = Number(tp.properties.revenue ?? tp.properties.total ?? 0);
  const money = Number.isFinite(amount) ? amount : 0;
  const order = name !== null && rules.orderEvents.includes(name);
  const refund = name === 'Order Refunded';
  // NPS scores run 0–10 and promoters give 9 or 10: a 42 is no score, not a keen promoter.
  const score = Number(tp.properties.score);
  const npsPromoter = name === 'Survey Responded' && String(tp.properties.survey ?? '').toLowerCase() === 'nps' && score >= 9 && score <= 10;
  return {
    order,
    revenue: order ? money : refund ? -Math.abs(money) : 0,
    currency: currencyCode(tp.properties.currency),
    lead: name !== null && rules.leadEvents.includes(name),
    advocate: npsPromoter || (name !== null && rules.advocateEvents.includes(name)),
  };
}
