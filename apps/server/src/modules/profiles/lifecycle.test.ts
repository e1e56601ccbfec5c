import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../workspaces/index.ts';
import { computeStage, stageReason, touchpointFacts, type StageInputs } from './lifecycle.ts';

const rules = DEFAULT_SETTINGS.lifecycle;
const now = Date.parse('2026-11-26T00:00:00Z');
const day = 86_400_000;
const base = { identified: false, orderCount: 0, advocate: false, lastSeen: now, override: null };

describe('computeStage', () => {
  it('walks visitor → lead → customer → repeat → advocate', () => {
    expect(computeStage(base, rules, now)).toBe('visitor');
    expect(computeStage({ ...base, identified: true }, rules, now)).toBe('lead');
    expect(computeStage({ ...base, identified: true, orderCount: 1 }, rules, now)).toBe('customer');
    expect(computeStage({ ...base, identified: true, orderCount: 2 }, rules, now)).toBe('repeat');
    expect(computeStage({ ...base, identified: true, orderCount: 2, advocate: true }, rules, now)).toBe('advocate');
  });

  it('turns silent customers at risk, then churned, but never silent leads', () => {
    const customer = { ...base, identified: true, orderCount: 1 };
    expect(computeStage({ ...customer, lastSeen: now - 61 * day }, rules, now)).toBe('at_risk');
    expect(computeStage({ ...customer, lastSeen: now - 181 * day }, rules, now)).toBe('churned');
    expect(computeStage({ ...base, identified: true, lastSeen: now - 400 * day }, rules, now)).toBe('lead');
  });

  it('follows the workspace thresholds', () => {
    const custom = { ...rules, atRiskAfterDays: 10, churnedAfterDays: 20 };
    expect(computeStage({ ...base, orderCount: 1, lastSeen: now - 11 * day }, custom, now)).toBe('at_risk');
  });

  it('lets a manual override win', () => {
    expect(computeStage({ ...base, override: 'advocate' }, rules, now)).toBe('advocate');
  });
});

/** The stage, and the words its history shows for it. */
const decideStage = (inputs: StageInputs, r: typeof rules, at: number) => {
  const stage = computeStage(inputs, r, at);
  return { stage, reason: stageReason(stage, inputs, r, at) };
};

describe('stageReason', () => {
  it('says which rule decided, with the figures it used', () => {
    const custom = { ...rules, repeatAfterOrders: 3, atRiskAfterDays: 10, churnedAfterDays: 20, leadEvents: [], advocateEvents: ['Review Posted'] };
    const reason = (inputs: Partial<typeof base>) => decideStage({ ...base, ...inputs }, custom, now);
    expect(reason({})).toEqual({ stage: 'visitor', reason: 'no email, phone, user id, external id or lead event yet' });
    expect(reason({ identified: true })).toEqual({ stage: 'lead', reason: 'identified: an email, phone, user id or external id, or a lead event (none set)' });
    expect(reason({ orderCount: 1 })).toEqual({ stage: 'customer', reason: 'first order' });
    expect(reason({ orderCount: 2 })).toEqual({ stage: 'customer', reason: '2 orders (repeat from 3)' });
    expect(reason({ orderCount: 3, advocate: true })).toEqual({ stage: 'advocate', reason: '3 orders (repeat from 3), and an advocate event (Review Posted, an NPS score of 9–10)' });
    // Whole days of silence in the words; the threshold itself is compared to the millisecond.
    expect(reason({ orderCount: 1, lastSeen: now - 10.5 * day })).toEqual({ stage: 'at_risk', reason: 'no activity for 10 days (at risk after 10)' });
    expect(reason({ orderCount: 1, lastSeen: now - 25 * day })).toEqual({ stage: 'churned', reason: 'no activity for 25 days (churned after 20)' });
  });
});

describe('touchpointFacts', () => {
  it('reads orders, refunds and NPS promoters', () => {
    expect(touchpointFacts({ type: 'track', name: 'Order Completed', properties: { revenue: 42.5 } }, rules)).toMatchObject({ order: true, revenue: 42.5, currency: null });
    expect(touchpointFacts({ type: 'track', name: 'Order Refunded', properties: { total: 10, currency: 'gbp' } }, rules)).toMatchObject({ revenue: -10, currency: 'GBP' });
    expect(touchpointFacts({ type: 'track', name: 'Survey Responded', properties: { survey: 'NPS', score: 9 } }, rules).advocate).toBe(true);
    expect(touchpointFacts({ type: 'page', name: 'Order Completed', properties: {} }, rules).order).toBe(false);
  });
});
