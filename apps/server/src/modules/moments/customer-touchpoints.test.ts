import { beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, useTestDatabase } from '../../../test/harness.ts';
import { systemIds } from '../../platform/ids.ts';
import { createLogger } from '../../platform/logger.ts';
import { createSecretBox } from '../../platform/secret-box.ts';
import type { Touchpoint } from '../profiles/index.ts';
import type { DeliveredEvent } from '../../worker/outbox-worker.ts';
import { timelineRecorder } from './customer-touchpoints.ts';

const W = 'w-timeline';
const AT = Date.UTC(2026, 10, 27);

describe.each(ENGINES)('timeline lines of a batch of moments on %s', (engine) => {
  const database = useTestDatabase(engine);
  beforeAll(async () => {
    const customer = (id: string, root: string) => ({
      workspace_id: W, id, root_id: root, merged_into: id === root ? null : root, traits: '{}', stage: 'lead', stage_override: null, stage_override_reason: null,
      first_seen: AT, last_seen: AT, order_count: 0, revenue: '{}', identified: 1, advocate: 0, created_at: AT, updated_at: AT,
    });
    // Ann's moment named a profile since merged into her main one; Ben was imported by id only.
    await database().db.insertInto('customer').values([customer('ann', 'ann'), customer('ann-old', 'ann'), customer('ben', 'ben')]).execute();
    await database().db.insertInto('identity').values([
      { workspace_id: W, kind: 'phone', value: '+447700900001', customer_id: 'ann', profile_id: 'ann-old', created_at: AT },
      { workspace_id: W, kind: 'email', value: 'ann@example.com', customer_id: 'ann', profile_id: 'ann', created_at: AT },
    ]).execute();
    await database().db.insertInto('team').values({ workspace_id: W, id: 'team-care', business_unit_id: null, key: 'care', name: 'Care', created_at: AT }).execute();
  });

  it('puts each line on the profile as it is now, with its department, straight in for a profile without identities, and nowhere for an erased one', async () => {
    const deps = { db: database().db, reads: database().reads, engine, clock: { now: () => AT }, ids: systemIds, log: createLogger('silent'), secretBox: createSecretBox(Buffer.alloc(32)) };
    const submitted: Touchpoint[] = [];
    const recorder = timelineRecorder(deps, async (workspaceId, touchpoints) => {
      expect(workspaceId).toBe(W);
      submitted.push(...touchpoints);
    });
    const line = (customerId: string, teamId: string | null, messageId: string): DeliveredEvent => ({
      id: messageId, workspaceId: W, topic: 'moment.touchpoints_added', attempts: 0,
      payload: { customerId, channel: 'whatsapp', teamId, at: AT, items: [{ messageId, name: 'Message Received', properties: { momentId: 'm1' } }] },
    });
    await recorder.batch([line('ann-old', 'team-care', 'tl-1'), line('ann', null, 'tl-2'), line('ben', 'team-care', 'tl-3'), line('gone', null, 'tl-4')]);

    // Ann's lines go through the profile store by one of her identities, whichever profile the moment named.
    expect(submitted.map((t) => t.messageId)).toEqual(['tl-1', 'tl-2']);
    for (const t of submitted) expect([{ email: 'ann@example.com' }, { phone: '+447700900001' }]).toContainEqual(t.traits);
    expect(submitted[0]!.properties).toEqual({ momentId: 'm1', department: 'care' });
    expect(submitted[1]!.properties).toEqual({ momentId: 'm1' });
    // Ben has no identity to resolve by: his line is written on his profile directly.
    const events = await database().db.selectFrom('event').select(['customer_id', 'message_id', 'properties']).where('workspace_id', '=', W).execute();
    expect(events.map((e) => [e.customer_id, e.message_id, JSON.parse(e.properties)])).toEqual([['ben', 'tl-3', { momentId: 'm1', department: 'care' }]]);
  });
});
