import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../workspaces/index.ts';
import { touchpointFacts } from './lifecycle.ts';
import { extractIdentities, forCommitThread, type Touchpoint } from './touchpoint.ts';

describe('a touchpoint made ready for the commit thread', () => {
  const tp: Touchpoint = {
    messageId: 'm1', type: 'track', name: 'Order Completed', channel: 'web', userId: 'u1', anonymousId: 'a1', previousId: null,
    traits: { email: 'Ann@Example.com' },
    properties: { revenue: 42.5, currency: 'EUR', products: [{ sku: 'shoe-41', price: 42.5 }] },
    context: { ip: '192.0.2.1', page: { path: '/checkout' }, externalIds: [{ id: 'c-9', type: 'shopify' }] },
    timestamp: 1, receivedAt: 2,
  };

  it('carries properties and context as the JSON that is stored, and decides resolution and stage as the whole one does', () => {
    const ready = forCommitThread(tp);
    expect(JSON.parse(ready.stored!.properties)).toEqual(tp.properties);
    expect(JSON.parse(ready.stored!.context)).toEqual(tp.context);
    expect(ready.properties).toEqual({ revenue: 42.5, currency: 'EUR' });
    expect(ready.context).toEqual({ externalIds: [{ id: 'c-9', type: 'shopify' }] });
    expect(extractIdentities(ready, 'GB')).toEqual(extractIdentities(tp, 'GB'));
    expect(touchpointFacts(ready, DEFAULT_SETTINGS.lifecycle)).toEqual(touchpointFacts(tp, DEFAULT_SETTINGS.lifecycle));
    const survey = { ...tp, name: 'Survey Responded', properties: { survey: 'NPS', score: 10, comment: 'great shoes' } };
    expect(touchpointFacts(forCommitThread(survey), DEFAULT_SETTINGS.lifecycle)).toEqual(touchpointFacts(survey, DEFAULT_SETTINGS.lifecycle));
  });
});
