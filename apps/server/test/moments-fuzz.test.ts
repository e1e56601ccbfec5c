import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, startServer, type Running } from './harness.ts';
import { addAgent, addTeam } from './moments-fixtures.ts';

/**
 * Garbage in, never a 5xx out, for the moments API: valid requests with one field spoiled by
 * generated values. Every answer is 2xx or a 4xx naming what was wrong, and a refused open
 * stores no moment.
 */

const RUNS = 120;

const nasty = fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udfffy', 'null', '', ' ', '🙂', '__proto__', 'constructor', "'; drop table moment; --", 'x'.repeat(2000));
const junk: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  fc.string({ maxLength: 20 }),
  nasty,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);

type Body = Record<string, unknown>;

/** Puts `value` at a dotted path of a copy of `body`. */
function spoil(body: Body, path: string, value: unknown): Body {
  const copy = structuredClone(body) as Body;
  const keys = path.split('.');
  let at: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) {
    if (typeof at[key] !== 'object' || at[key] === null) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys.at(-1)!] = value;
  return copy;
}

describe.each(ENGINES)('moments API against generated garbage on %s', (engine) => {
  let s: Running;
  let momentId = '';
  let ownerToken = '';
  beforeAll(async () => {
    s = await startServer(engine);
    const ana = await addAgent(s);
    ownerToken = ana.token;
    const team = await addTeam(s, [ana]);
    await s.api('POST', '/api/v1/assignment-rules', { name: 'fuzz', conditions: { channels: ['fuzz'] }, teamId: team });
    const opened = await s.api('POST', '/api/v1/moments', { identity: 'email:fuzz@example.com', channel: 'fuzz', message: { body: 'hello' } });
    momentId = opened.body.moment.id;
  });
  afterAll(async () => s?.stop());

  const expectSane = (res: { status: number; body: any }) => {
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
    if (res.status >= 400) {
      expect(typeof res.body.error?.code).toBe('string');
      expect(typeof res.body.error?.message).toBe('string');
    }
  };

  it('opening a moment: 2xx or a 4xx, and a 4xx opens nothing', async () => {
    const spots = fc.constantFrom('identity', 'customerId', 'name', 'channel', 'externalId', 'subject', 'message', 'message.body', 'message.externalId', 'message.attachments', 'priority', 'businessUnitId', 'language', 'tags', 'extra');
    await fc.assert(
      fc.asyncProperty(spots, junk, fc.uuid(), async (spot, value, id) => {
        const valid: Body = { identity: `email:f-${id}@example.com`, channel: 'fuzz', message: { body: 'Where is my order?', externalId: id } };
        const res = await s.api('POST', '/api/v1/moments', spoil(valid, spot, value));
        expectSane(res);
        if (res.status >= 400) {
          const stored = await s.tp.deps.db.selectFrom('message').select('id').where('external_id', '=', id).execute();
          expect(stored).toEqual([]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('messages, changes and hand-offs: 2xx or a 4xx, never a 5xx', async () => {
    const calls = fc.constantFrom(
      { method: 'POST', route: 'messages', body: { direction: 'note', body: 'a note' }, spots: ['direction', 'body', 'mentions', 'attachments', 'externalId', 'email', 'email.cc', 'template', 'agentId'] },
      { method: 'PATCH', route: '', body: { priority: 'high' }, spots: ['status', 'snoozedUntil', 'priority', 'tags', 'subject'] },
      { method: 'POST', route: 'handoff', body: { toTeamId: 'nope', reason: 'x' }, spots: ['toTeamId', 'toAgentId', 'reason', 'note'] },
      { method: 'POST', route: 'escalate', body: { reason: 'x' }, spots: ['reason', 'raisePriority'] },
      { method: 'POST', route: 'assign', body: { agentId: 'nope' }, spots: ['agentId', 'teamId', 'note'] },
      { method: 'POST', route: 'merge', body: { duplicateId: 'nope' }, spots: ['duplicateId'] },
    );
    await fc.assert(
      fc.asyncProperty(calls, fc.nat(), junk, async (call, pick, value) => {
        const spot = call.spots[pick % call.spots.length]!;
        const route = `/api/v1/moments/${momentId}${call.route ? `/${call.route}` : ''}`;
        expectSane(await s.api(call.method, route, spoil(call.body, spot, value), ownerToken));
      }),
      { numRuns: RUNS },
    );
    // The moment is still whole: one owner, one current ledger row.
    const current = await s.tp.deps.db.selectFrom('ownership_change').select('owner_id').where('moment_id', '=', momentId).where('ended_at', 'is', null).execute();
    expect(current).toHaveLength(1);
  });
});
