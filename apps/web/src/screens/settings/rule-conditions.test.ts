import { describe, expect, it } from 'vitest';
import { conditionErrors, conditionsFromForm, describeConditions, EMPTY_CONDITIONS, formFromConditions, moved } from './rule-conditions.ts';

describe('rule conditions editor ↔ API shape', () => {
  it('round-trips the API shape through the form', () => {
    const api = { channels: ['email', 'chat'], stages: ['customer' as const], keywords: ['refund'], traits: { plan: 'pro', vip: true, seats: 42 } };
    const form = formFromConditions(api);
    expect(form.traits).toEqual([
      { key: 'plan', value: 'pro' },
      { key: 'vip', value: 'true' },
      { key: 'seats', value: '42' },
    ]);
    expect(conditionsFromForm(form)).toEqual({ channels: ['email', 'chat'], stages: ['customer'], keywords: ['refund'], traits: { plan: 'pro', vip: 'true', seats: '42' } });
  });

  it('leaves out empty conditions, blank values, duplicates and unnamed trait rows', () => {
    expect(conditionsFromForm(EMPTY_CONDITIONS)).toEqual({});
    expect(
      conditionsFromForm({ ...EMPTY_CONDITIONS, keywords: [' refund ', 'refund', ''], languages: ['  '], traits: [{ key: ' ', value: '' }, { key: ' plan ', value: ' pro ' }] }),
    ).toEqual({ keywords: ['refund'], traits: { plan: 'pro' } });
  });

  it('names what to fix in trait rows', () => {
    const errors = conditionErrors({
      ...EMPTY_CONDITIONS,
      traits: [
        { key: '', value: 'x' },
        { key: 'bad key', value: '1' },
        { key: 'plan', value: 'a' },
        { key: 'plan', value: 'b' },
      ],
    });
    expect(errors).toEqual({ 'traits.0.key': 'Name the trait, or remove the row', 'traits.1.key': 'Letters, digits, _ . - only', 'traits.3.key': 'This trait is already a condition' });
  });

  it('describes a rule in one line', () => {
    const names = { businessUnit: (id: string) => (id === 'b1' ? 'Retail' : id), channel: (k: string) => k.toUpperCase(), stage: (s: string) => s };
    expect(describeConditions({}, names)).toBe('every moment');
    expect(describeConditions({ channels: ['email', 'sms'], businessUnitIds: ['b1'], keywords: ['refund'], traits: { plan: 'pro' } }, names)).toBe('on EMAIL or SMS · in Retail · mentions “refund” · plan = pro');
  });

  it('moves a rule up and down, and not past the ends', () => {
    expect(moved(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moved(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moved(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
  });
});
