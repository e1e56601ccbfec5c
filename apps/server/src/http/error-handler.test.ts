import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { AppError } from '../platform/errors.ts';
import { frameworkErrors, installErrorHandler } from './error-handler.ts';

describe('the error handler', () => {
  it('answers a read stopped at its time limit with 503 query_timeout, from either engine', async () => {
    const app = Fastify({ frameworkErrors });
    installErrorHandler(app);
    app.get('/sqlite', async () => {
      throw new AppError('query_timeout', 'the query ran over 30 s and was stopped');
    });
    // What pg throws when statement_timeout cancels a query.
    app.get('/postgres', async () => {
      throw Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014', severity: 'ERROR' });
    });
    for (const route of ['/sqlite', '/postgres']) {
      const res = await app.inject({ method: 'GET', url: route });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ error: { code: 'query_timeout', message: expect.stringMatching(/stopped/) } });
    }
    await app.close();
  });

  it('answers a row a unique index refused with 409 conflict, from either engine', async () => {
    const app = Fastify();
    installErrorHandler(app);
    app.get('/:code', async (request) => {
      throw Object.assign(new Error('duplicate key'), { code: (request.params as { code: string }).code });
    });
    for (const code of ['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']) {
      const res = await app.inject({ method: 'GET', url: `/${code}` });
      expect(res.statusCode, code).toBe(409);
      expect(res.json()).toMatchObject({ error: { code: 'conflict' } });
    }
    expect((await app.inject({ method: 'GET', url: '/SQLITE_CONSTRAINT_NOTNULL' })).statusCode).toBe(500);
    await app.close();
  });

  it('answers router errors in the same JSON shape', async () => {
    const app = Fastify({ frameworkErrors });
    installErrorHandler(app);
    app.get('/things/:id', async () => ({ ok: true }));
    const long = await app.inject({ method: 'GET', url: `/things/${'9'.repeat(300)}` });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toEqual({ error: { code: 'not_found', message: expect.any(String), field: 'path' } });
    const bad = await app.inject({ method: 'GET', url: '/things/%E0%A4%A' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'invalid_field', field: 'path' } });
    await app.close();
  });

  it('names the field a request lacks or should not have, and says so of that field', async () => {
    const app = Fastify({ ajv: { customOptions: { removeAdditional: false } } });
    installErrorHandler(app);
    const body = { type: 'object', additionalProperties: false, required: ['message'], properties: { message: { type: 'object', additionalProperties: false, required: ['body'], properties: { body: { type: 'string' } } } } };
    app.post('/moments', { schema: { body } }, async () => ({ ok: true }));
    const post = async (payload: unknown) => (await app.inject({ method: 'POST', url: '/moments', payload: payload as Record<string, unknown> })).json();
    expect(await post({})).toEqual({ error: { code: 'missing_field', message: 'message is required', field: 'message' } });
    expect(await post({ message: {} })).toEqual({ error: { code: 'missing_field', message: 'message.body is required', field: 'message.body' } });
    expect(await post({ message: { body: 'hi', bdoy: 'typo' } })).toEqual({ error: { code: 'invalid_field', message: 'message.bdoy is not a field this accepts', field: 'message.bdoy' } });
    expect(await post({ message: { body: { text: 'hi' } } })).toEqual({ error: { code: 'invalid_field', message: 'message.body must be string', field: 'message.body' } });
    await app.close();
  });

  it('says which values a field may take when it has another', async () => {
    const app = Fastify({ ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } } });
    installErrorHandler(app);
    const querystring = {
      type: 'object',
      properties: {
        sla: { anyOf: [{ const: 'breached', type: 'string' }, { const: 'due_soon', type: 'string' }] },
        only: { anyOf: [{ const: 'me', type: 'string' }] },
        stage: { enum: ['lead', 'customer'] },
        status: { type: 'string', pattern: '^(open|pending)(,(open|pending))*$' },
        key: { type: 'string', pattern: '^[a-z]+$' },
      },
    };
    app.get('/moments', { schema: { querystring } }, async () => ({ ok: true }));
    const message = async (query: string) => (await app.inject({ method: 'GET', url: `/moments?${query}` })).json().error.message;
    expect(await message('sla=soon')).toBe('sla must be one of breached, due_soon');
    expect(await message('only=you')).toBe('only must be me');
    expect(await message('stage=royalty')).toBe('stage must be one of lead, customer');
    expect(await message('status=open,gone')).toBe('status must be one or more of open, pending, separated by commas');
    expect(await message('key=A')).toBe('key must match pattern "^[a-z]+$"');
    await app.close();
  });
});
