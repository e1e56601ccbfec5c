import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { selectPolicy, type PolicyScope } from './select-policy.ts';

const policy = (id: string, scope: Partial<PolicyScope> = {}, createdAt = 1): PolicyScope => ({ id, priority: null, channel: null, businessUnitId: null, createdAt, ...scope });
const chat = { priority: 'normal', channel: 'chat', businessUnitId: 'bu-1' };

describe('selectPolicy', () => {
  it('returns null when nothing matches', () => {
    expect(selectPolicy([], chat)).toBeNull();
    expect(selectPolicy([policy('a', { channel: 'email' })], chat)).toBeNull();
    expect(selectPolicy([policy('a', { businessUnitId: 'bu-1' })], { ...chat, businessUnitId: null })).toBeNull();
  });

  it('lets a catch-all policy match anything', () => {
    expect(selectPolicy([policy('any')], chat)?.id).toBe('any');
  });

  it('prefers the policy with more matching fields, whatever their order', () => {
    const policies = [policy('any'), policy('urgent', { priority: 'urgent' }), policy('chat', { channel: 'chat' }), policy('chat-bu', { channel: 'chat', businessUnitId: 'bu-1' })];
    expect(selectPolicy(policies, chat)?.id).toBe('chat-bu');
    expect(selectPolicy([...policies].reverse(), chat)?.id).toBe('chat-bu');
    expect(selectPolicy(policies, { ...chat, channel: 'sms', priority: 'urgent' })?.id).toBe('urgent');
    expect(selectPolicy(policies, { ...chat, channel: 'sms', priority: 'low' })?.id).toBe('any');
  });

  it('breaks ties by the oldest policy, then by id', () => {
    const a = policy('b-newer', { channel: 'chat' }, 20);
    const b = policy('z-older', { channel: 'chat' }, 10);
    const c = policy('a-older', { priority: 'normal' }, 10);
    expect(selectPolicy([a, b, c], chat)?.id).toBe('a-older');
    expect(selectPolicy([c, b, a], chat)?.id).toBe('a-older');
  });

  it('does not depend on the order of the list', () => {
    const arb = fc.array(
      fc.record({
        id: fc.uuid(),
        priority: fc.constantFrom(null, 'low', 'normal'),
        channel: fc.constantFrom(null, 'chat', 'email'),
        businessUnitId: fc.constantFrom(null, 'bu-1', 'bu-2'),
        createdAt: fc.integer({ min: 0, max: 5 }),
      }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(arb, (policies) => {
        expect(selectPolicy([...policies].reverse(), chat)).toBe(selectPolicy(policies, chat));
      }),
    );
  });
});
