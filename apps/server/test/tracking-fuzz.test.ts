import zlib from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, startServer, type Running } from './harness.ts';

/**
 * Garbage in, never a 5xx out: generated bodies, encodings and content types thrown at the
 * tracking API. Every answer is 200 or a 4xx with `{ error: { code, message } }`, and a 4xx
 * stores nothing. Most bodies are valid calls with one field spoiled, because garbage that
 * fails the first check never reaches the code that stores (where PostgreSQL is pickier).
 */

const RUNS = 200;

// Strings that have broken servers: NUL (PostgreSQL text refuses it), lone surrogates (its
// jsonb refuses them), placeholders, whitespace only, prototype keys.
const nasty = fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udfffy', 'null', '0', ' ', '', '🙂', '1e309', '__proto__', 'constructor', "'; drop table event; --");
const text = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 12 }), nasty);
const junk: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  text,
  text,
  fc.integer(),
  fc.double(),
  fc.constantFrom(1e300, -1, 0, 8.64e15 + 1, Number.MAX_SAFE_INTEGER),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), nasty), fc.oneof(fc.jsonValue({ maxDepth: 2 }), nasty), { maxKeys: 4 }),
);

const goodId = fc.oneof(fc.constantFrom('u1', 'u2', 'anon-1', 'ann@example.com'), fc.integer({ min: 1, max: 50 }), fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/));
// Event times the API takes: from 1900 to a day ahead (2000 to now here).
const iso = fc.date({ min: new Date('2000-01-01'), max: new Date(), noInvalidDate: true }).map((d) => d.toISOString());
const TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;

/** A call valid for any type: fields a type does not use are ignored by it. */
const validCall = fc.record(
  {
    type: fc.constantFrom(...TYPES),
    userId: goodId,
    anonymousId: goodId,
    previousId: goodId,
    groupId: goodId,
    event: fc.constantFrom('Signed Up', 'Order Completed', 'Viewed Product'),
    name: fc.constantFrom('Home', 'Pricing'),
    messageId: fc.uuid(),
    properties: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    traits: fc.record({ plan: fc.constantFrom('free', 'pro'), email: fc.constantFrom('ann@example.com', 'bo@example.com'), phone: fc.constantFrom('+14155552671') }, { requiredKeys: [] }),
    context: fc.record({ channel: fc.constantFrom('browser', 'mobile', 'email') }, { requiredKeys: [] }),
    timestamp: fc.oneof(iso, fc.integer({ min: 946_684_800_000, max: Date.now() })),
    // A sender's clock, off by up to an hour either way.
    sentAt: fc.integer({ min: -3_600_000, max: 3_600_000 }).map((skew) => new Date(Date.now() + skew).toISOString()),
  },
  { requiredKeys: ['type', 'userId', 'event', 'groupId', 'previousId'] },
);

// Where one spoiled value goes: every Segment field, and the nested ones that become columns.
const SPOT = fc.constantFrom(
  'type', 'userId', 'anonymousId', 'previousId', 'groupId', 'event', 'name', 'messageId', 'properties', 'traits', 'context', 'integrations',
  'timestamp', 'originalTimestamp', 'sentAt', 'traits.email', 'traits.phone', 'traits.twitter', 'traits.name', 'context.channel', 'context.traits',
  'context.externalIds', 'properties.name', 'properties.revenue',
);

function spoil(call: Record<string, unknown>, spots: readonly { path: string; value: unknown }[]): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(call);
  for (const { path, value } of spots) {
    const [head, leaf] = path.split('.');
    if (leaf === undefined) out[head] = value;
    else {
      const parent = out[head];
      out[head] = { ...(typeof parent === 'object' && parent !== null && !Array.isArray(parent) ? parent : {}), [leaf]: value };
    }
  }
  return out;
}

const spoiledCall = fc
  .tuple(validCall, fc.array(fc.record({ path: SPOT, value: fc.oneof({ weight: 3, arbitrary: junk }, { weight: 2, arbitrary: nasty }) }), { maxLength: 2 }))
  .map(([call, spots]) => spoil(call, spots));

/** A fully random object over Segment's field names, each value any JSON. */
const randomCall = fc.dictionary(fc.oneof(SPOT, fc.string({ maxLength: 6 })), fc.oneof(junk, goodId), { maxKeys: 8 });

type Encoding = readonly ['none' | 'gzip' | 'deflate', string | undefined];
type Body = { readonly kind: 'json'; readonly value: unknown } | { readonly kind: 'bytes'; readonly value: Uint8Array };
const json = (value: fc.Arbitrary<unknown>): fc.Arbitrary<Body> => value.map((v) => ({ kind: 'json' as const, value: v }));

const singleBody = fc.oneof(
  { weight: 6, arbitrary: json(spoiledCall) },
  { weight: 1, arbitrary: json(randomCall) },
  { weight: 1, arbitrary: json(fc.jsonValue({ maxDepth: 3 })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((v) => ({ kind: 'bytes' as const, value: v })) },
);
const batchBody = fc.oneof(
  {
    weight: 6,
    arbitrary: json(
      fc.record(
        { batch: fc.array(fc.oneof({ weight: 4, arbitrary: spoiledCall }, { weight: 1, arbitrary: randomCall }, { weight: 1, arbitrary: junk }), { minLength: 1, maxLength: 5 }), context: fc.oneof(fc.constant({ ip: '1.2.3.4' }), junk), sentAt: fc.oneof(iso, junk) },
        { requiredKeys: ['batch'] },
      ),
    ),
  },
  { weight: 1, arbitrary: json(fc.record({ batch: junk }, { requiredKeys: [] })) },
  { weight: 1, arbitrary: singleBody },
);

const request = fc.record({
  target: fc.oneof(
    fc.record({ route: fc.constantFrom('/v1/track', '/v1/identify'), body: singleBody }),
    fc.record({ route: fc.constant('/v1/batch'), body: batchBody }),
  ),
  // How the bytes are really encoded, and what the header claims: mostly honest, sometimes not.
  encoding: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom<Encoding>(['none', undefined], ['none', 'identity'], ['gzip', 'gzip'], ['gzip', 'x-gzip'], ['gzip', 'GZIP'], ['deflate', 'deflate']) },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constantFrom<Encoding[0]>('none', 'gzip', 'deflate'),
        fc.constantFrom(undefined, 'gzip', 'deflate', 'identity', 'br', 'x-gzip', 'compress', 'gzip, br', '\t'),
      ),
    },
  ),
  contentType: fc.constantFrom(undefined, 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'image/png'),
  auth: fc.oneof({ weight: 8, arbitrary: fc.constant('basic' as const) }, { weight: 1, arbitrary: fc.constantFrom('none' as const, 'wrong' as const) }),
});

describe.each(ENGINES)('tracking API under fuzzing on %s', (engine) => {
  let running: Running;

  beforeAll(async () => {
    running = await startServer(engine);
  });
  afterAll(async () => {
    await running?.stop();
  });

  async function eventCount(): Promise<number> {
    const row = await running.tp.deps.db
      .selectFrom('event')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  it(`answers ${RUNS} garbage requests with 200 or 4xx, never 5xx, and a 4xx stores nothing`, async () => {
    const outcomes: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const { route, body } = r.target;
        let bytes: Buffer = body.kind === 'json' ? Buffer.from(JSON.stringify(body.value) ?? 'null') : Buffer.from(body.value);
        const [encodeAs, encodingHeader] = r.encoding;
        if (encodeAs === 'gzip') bytes = zlib.gzipSync(bytes);
        if (encodeAs === 'deflate') bytes = zlib.deflateSync(bytes);
        const headers: Record<string, string> = {};
        if (r.contentType) headers['content-type'] = r.contentType;
        if (encodingHeader !== undefined) headers['content-encoding'] = encodingHeader;
        if (r.auth !== 'none') headers.authorization = `Basic ${Buffer.from(`${r.auth === 'basic' ? running.workspace.writeKey : 'tp_write_wrong'}:`).toString('base64')}`;

        const before = await eventCount();
        const res = await fetch(running.url + route, { method: 'POST', headers, body: new Uint8Array(bytes) });
        const reply = await res.text();
        const after = await eventCount();

        outcomes[res.status] = (outcomes[res.status] ?? 0) + 1;
        expect(res.status, reply).toBeLessThan(500);
        if (res.status === 200) {
          expect(JSON.parse(reply)).toEqual({ success: true });
          expect(after).toBeGreaterThanOrEqual(before);
          return;
        }
        expect(res.status, reply).toBeGreaterThanOrEqual(400);
        const parsed = JSON.parse(reply) as { error?: { code?: unknown; message?: unknown } };
        expect(typeof parsed.error?.code, reply).toBe('string');
        expect(typeof parsed.error?.message, reply).toBe('string');
        expect(after, `a ${res.status} stored events: ${reply}`).toBe(before);
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: 20_000, markInterruptAsFailure: false },
    );
    // The generators are tuned to reach both outcomes; a run that only saw 4xx proves little.
    expect(outcomes[200] ?? 0, JSON.stringify(outcomes)).toBeGreaterThan(RUNS / 10);
    expect(Object.keys(outcomes).filter((s) => s !== '200').length, JSON.stringify(outcomes)).toBeGreaterThan(2);

    // What was stored is readable: no accepted value breaks the profile or search APIs.
    const search = await running.api('GET', '/api/v1/customers?limit=200');
    expect(search.status, JSON.stringify(search.body)).toBe(200);
    expect((await running.api('GET', '/api/v1/customers?trait.plan=pro')).status).toBe(200);
    expect((await running.api('GET', '/api/v1/customers?q=ann')).status).toBe(200);
    for (const customer of search.body.data.slice(0, 20)) {
      expect((await running.api('GET', `/api/v1/customers/${customer.id}`)).status).toBe(200);
      expect((await running.api('GET', `/api/v1/customers/${customer.id}/timeline`)).status).toBe(200);
    }
  });
});
