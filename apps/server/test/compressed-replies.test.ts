import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, expectOk, startServer, type Running } from './harness.ts';

type RawReply = { readonly status: number; readonly headers: http.IncomingHttpHeaders; readonly bytes: Buffer };

/** A request as it goes over the wire, nothing decoded: node's fetch would gunzip behind the test's back. */
function raw(url: string, method: string, headers: Record<string, string>, body?: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe.each(ENGINES)('compressed replies on %s', (engine) => {
  let s: Running;
  let auth: Record<string, string>;
  beforeAll(async () => {
    s = await startServer(engine);
    auth = { authorization: `Bearer ${s.workspace.apiKey}` };
    // Enough customers for a list reply of several kilobytes.
    const batch = Array.from({ length: 40 }, (_, i) => ({ type: 'identify', userId: `gz-${i}`, traits: { email: `customer${i}@example.com`, name: `Customer number ${i}`, plan: 'pro' } }));
    expectOk(await s.track('/v1/batch', { batch }));
  });
  afterAll(async () => s?.stop());

  it('gzips a large JSON reply for a client that takes gzip, and it reads back as the same JSON', async () => {
    const plain = await raw(`${s.url}/api/v1/customers?limit=40`, 'GET', auth);
    const zipped = await raw(`${s.url}/api/v1/customers?limit=40`, 'GET', { ...auth, 'accept-encoding': 'gzip, deflate, br' });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.bytes.length).toBeGreaterThan(4_000);
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['content-type']).toMatch(/^application\/json/);
    expect(zipped.headers.vary).toMatch(/accept-encoding/i);
    expect(Number(zipped.headers['content-length'])).toBe(zipped.bytes.length);
    expect(zipped.bytes.length).toBeLessThan(plain.bytes.length / 3);
    expect(JSON.parse(gunzipSync(zipped.bytes).toString('utf8'))).toEqual(JSON.parse(plain.bytes.toString('utf8')));
  });

  it('sends the bytes as they are when gzip is refused, when the reply is small, and to anything but a GET', async () => {
    const refused = await raw(`${s.url}/api/v1/customers?limit=40`, 'GET', { ...auth, 'accept-encoding': 'gzip;q=0, identity' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(refused.bytes.toString('utf8')).data).toHaveLength(40);

    const small = await raw(`${s.url}/api/v1/customers?limit=1`, 'GET', { ...auth, 'accept-encoding': 'gzip' });
    expect(small.bytes.length).toBeLessThan(1024);
    expect(small.headers['content-encoding']).toBeUndefined();

    // Replies to writes are never compressed (a new key is shown once, in a POST's reply).
    const body = JSON.stringify({ identity: 'email:customer1@example.com', channel: 'chat', subject: 'Long one', message: { body: 'A long message. '.repeat(200) } });
    const opened = await raw(`${s.url}/api/v1/moments`, 'POST', { ...auth, 'accept-encoding': 'gzip', 'content-type': 'application/json' }, body);
    expect(opened.status).toBe(201);
    expect(opened.bytes.length).toBeGreaterThan(1024);
    expect(opened.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(opened.bytes.toString('utf8')).moment.subject).toBe('Long one');
  });

  it('gzips the OpenAPI document', async () => {
    const docs = await raw(`${s.url}/api/docs`, 'GET', { 'accept-encoding': 'gzip' });
    expect(docs.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(docs.bytes).toString('utf8')).openapi).toBe('3.1.0');
  });
});
