import net from 'node:net';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, startServer, type Running } from './harness.ts';
import { addAgent, addTeam, open, type Person } from './moments-fixtures.ts';
import type { OpenApi, Schema } from './openapi-sample.ts';

// Every operation the OpenAPI document lists, called with malformed input: path ids that are
// not ids, query values of the wrong type, and bodies with each documented property replaced by
// a value of the wrong type. Whatever the route, the answer is a 4xx with a JSON error naming
// the problem, never a 5xx, and what was stored before still reads the same afterwards.

const BAD_IDS = ['not-an-id', "x' or '1'='1", '%00', 'a\u0000b', '9'.repeat(400), '..%2F..%2Fetc', 'ü🙂'];
/** Values of the wrong type (or shape) for whatever a property expects. */
const WRONG: readonly unknown[] = [null, 12345678901234567890, -1, true, 'x'.repeat(5_000), [], [[{}]], { nested: { deep: [1, { a: null }] } }, '\u0000', '2026-13-45T99:99:99Z'];

function wrongFor(schema: Schema | undefined): unknown[] {
  const types = new Set([schema?.type ?? []].flat());
  return WRONG.filter((value) => {
    const t = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;
    return !types.has(t) && !(t === 'integer' && types.has('number'));
  });
}

/** 5,000 levels of brackets in 10 KB, sent as text: every recursive walk over it (validation, text checks) overflowed the stack. */
const DEEP = '['.repeat(5_000) + ']'.repeat(5_000);

/** A body of valid-looking shape where one property at a time is wrong, nested 5,000 levels deep, or 1e400 (Infinity once parsed). */
function bodies(schema: Schema | undefined): unknown[] {
  const out: unknown[] = [[], 'text', 42, null, DEEP];
  for (const [name, property] of Object.entries(schema?.properties ?? {})) {
    for (const value of wrongFor(property).slice(0, 4)) out.push({ [name]: value });
    out.push(`{${JSON.stringify(name)}:{"nested":${DEEP}}}`);
    out.push(`{${JSON.stringify(name)}:1e400}`);
  }
  return out;
}

describe.each(ENGINES)('malformed input on every route, %s', (engine) => {
  let s: Running;
  let agent: Person;
  let spec: OpenApi;
  let momentId: string;

  beforeAll(async () => {
    s = await startServer(engine);
    agent = await addAgent(s, { name: 'Fuzz', capacity: { '*': 100 } });
    const team = await addTeam(s, [agent]);
    expect((await s.api('PATCH', '/api/v1/workspace/settings', { moments: { defaultTeamId: team } })).status).toBe(200);
    momentId = (await open(s, { customer: { identity: 'email:fuzz@example.com' }, channel: 'email', message: { body: 'Kept as it is' } })).body.id;
    spec = (await s.api('GET', '/api/docs')).body;
  });
  afterAll(() => s?.stop());

  it("answers what Node's HTTP parser refuses in the same error shape", async () => {
    const rawRequest = (head: Buffer) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(new URL(s.url).port), '127.0.0.1', () => socket.end(Buffer.concat([head, Buffer.from('\r\n\r\n')])));
        const chunks: Buffer[] = [];
        socket.on('data', (chunk) => chunks.push(chunk));
        socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        socket.on('error', reject);
      });
    const answer = (text: string) => ({ status: Number(text.split(' ')[1]), body: JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) });
    // A raw UTF-8 "é" in the request target, not percent-encoded.
    const rawByte = answer(await rawRequest(Buffer.concat([Buffer.from('GET /api/v1/moments?q='), Buffer.from([0xc3, 0xa9]), Buffer.from(' HTTP/1.1\r\nHost: x')])));
    expect(rawByte).toEqual({ status: 400, body: { error: { code: 'invalid_field', message: expect.any(String), field: 'path' } } });
    const bigHeader = answer(await rawRequest(Buffer.from(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}`)));
    expect(bigHeader).toEqual({ status: 431, body: { error: { code: 'invalid_field', message: expect.any(String), field: 'headers' } } });
  });

  it('serves an OpenAPI document whose every request and reply schema a JSON Schema 2020-12 validator compiles', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema(spec as object, 'spec');
    const pointer = (...parts: string[]) => `spec#/${parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
    let compiled = 0;
    for (const [route, methods] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(methods as Record<string, any>)) {
        for (const [status, response] of Object.entries((operation.responses ?? {}) as Record<string, any>)) {
          for (const type of Object.keys(response.content ?? {})) {
            expect(() => ajv.compile({ $ref: pointer('paths', route, method, 'responses', status, 'content', type, 'schema') }), `${method} ${route} ${status}`).not.toThrow();
            compiled += 1;
          }
        }
        for (const type of Object.keys(operation.requestBody?.content ?? {})) {
          expect(() => ajv.compile({ $ref: pointer('paths', route, method, 'requestBody', 'content', type, 'schema') }), `${method} ${route} body`).not.toThrow();
          compiled += 1;
        }
      }
    }
    expect(compiled).toBeGreaterThan(100);
    expect(JSON.stringify(spec)).not.toContain('additionalItems');
  });

  it('takes an empty body sent as JSON for no body, and names a body over the limit as such', async () => {
    const rule = (await s.api('POST', '/api/v1/assignment-rules', { name: 'Empty body', teamId: (await s.api('POST', '/api/v1/teams', { key: 'empty-body', name: 'Empty body' })).body.id })).body;
    const removed = await fetch(`${s.url}/api/v1/assignment-rules/${rule.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${s.workspace.apiKey}`, 'content-type': 'application/json' } });
    expect(removed.status).toBe(204);
    const huge = await s.api('POST', '/api/v1/teams', { key: 'huge', name: 'x'.repeat(2 * 1024 * 1024) });
    expect([huge.status, huge.body.error.code, huge.body.error.field]).toEqual([413, 'body_too_large', 'body']);
    // A JSON value of the wrong type is refused naming its field, never turned into another value.
    for (const [route, body, field] of [
      ['/api/v1/teams', { key: 'typed', name: 123 }, 'name'],
      ['/api/v1/agents', { email: 'typed@example.com', name: 'Typed', role: 'agent', password: 'a long enough password', capacity: { chat: '5' } }, 'capacity.chat'],
      ['/api/v1/business-units', { key: ['typed'], name: 'Typed' }, 'key'],
    ] as const) {
      const res = await s.api('POST', route, body);
      expect([res.status, res.body.error?.field], JSON.stringify(res.body)).toEqual([400, field]);
    }
    // A body that is not JSON is told which content type to send, whatever its text says.
    const text = await fetch(`${s.url}/api/v1/teams`, { method: 'POST', headers: { authorization: `Bearer ${s.workspace.apiKey}`, 'content-type': 'text/plain' }, body: '{"key":"plain","name":"Plain"}' });
    expect([text.status, ((await text.json()) as any).error]).toEqual([415, { code: 'invalid_field', message: 'send application/json', field: 'content-type' }]);
  });

  it('answers every documented operation with a 4xx naming the problem, never a 5xx', async () => {
    const before = (await s.api('GET', `/api/v1/moments/${momentId}/messages`)).body;
    const failures: string[] = [];
    let calls = 0;
    for (const [route, operations] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const pathParams = (operation.parameters ?? []).filter((p) => p.in === 'path');
        const queryParams = (operation.parameters ?? []).filter((p) => p.in === 'query');
        const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
        const paths = pathParams.length === 0 ? [route] : BAD_IDS.map((bad) => route.replace(/\{[^}]+\}/g, encodeURIComponent(bad)));
        // The real moment id too, so the query and body checks reach past the lookup.
        if (pathParams.length > 0) paths.push(route.replace(/\{[^}]+\}/g, momentId));
        for (const path of paths) {
          const attempts: { query: string; body?: unknown }[] = [{ query: '' }];
          for (const q of queryParams) for (const value of ['-1', 'x'.repeat(3_000), '[]', '%FF', 'null']) attempts.push({ query: `?${q.name}=${encodeURIComponent(value)}` });
          if (method !== 'get' && method !== 'delete') for (const body of bodies(bodySchema)) attempts.push({ query: '', body });
          for (const attempt of attempts) {
            const res = await s.api(method.toUpperCase(), path + attempt.query, attempt.body);
            calls++;
            const call = `${method.toUpperCase()} ${path.slice(0, 120)}${attempt.query.slice(0, 60)} ${JSON.stringify(attempt.body)?.slice(0, 80) ?? ''}`;
            if (res.status >= 500) failures.push(`${call} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
            else if (res.status >= 400 && typeof res.body?.error?.code !== 'string') failures.push(`${call} → ${res.status} without a JSON error`);
          }
        }
      }
    }
    expect([...new Set(failures)]).toEqual([]);
    // 55 paths, about 4,000 calls: fewer means the document stopped listing what it should.
    expect(calls).toBeGreaterThan(3_000);
    expect((await s.api('GET', `/api/v1/moments/${momentId}/messages`)).body).toEqual(before);
  }, 300_000);
});
