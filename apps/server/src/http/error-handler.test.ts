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
});
