import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../workspaces/index.ts';
import { computeStage, touchpointFacts } from './lifecycle.ts';

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

describe('touchpointFacts', () => {
  it('reads orders, refunds and NPS promoters', () => {
    expect(touchpointFacts({ type: 'track', name: 'Order Completed', properties: { revenue: 42.5 } }, rules)).toMatchObject({ order: true, revenue: 42.5 });
    expect(touchpointFacts({ type: 'track', name: 'Order Refunded', properties: { total: 10 } }, rules).revenue).toBe(-10);
    expect(touchpointFacts({ type: 'track', name: 'Survey Responded', properties: { survey: 'NPS', score: 9 } }, rules).advocate).toBe(true);
    expect(touchpointFacts({ type: 'page', name: 'Order Completed', properties: {} }, rules).order).toBe(false);
  });
});
