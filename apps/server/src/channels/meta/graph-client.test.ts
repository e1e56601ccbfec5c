import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelRecord } from '../../modules/channels/index.ts';
import { DeliveryError } from '../channel-adapter.ts';
import { callGraph, downloadFile, graphError } from './graph-client.ts';
import { sendInParts } from './send-parts.ts';
import { guardedFetch } from '../../platform/guarded-fetch.ts';
import { privateHostsAllowed } from '../../platform/private-hosts.ts';

/** The stand-in providers listen on this machine, which channels may call only where allowed. */
const provider = guardedFetch(privateHostsAllowed('127.0.0.1'));

type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const routes = new Map<string, Route>();
const calls: string[] = [];
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    calls.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    (routes.get(req.url ?? '') ?? ((_q, r) => r.writeHead(404).end()))(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const channel = (): ChannelRecord => ({ workspaceId: 'w', id: 'c', kind: 'whatsapp', name: 'WA', businessUnitId: null, address: '+1', settings: { apiBaseUrl: base, phoneNumberId: '1' }, secrets: { accessToken: 'TOKEN' }, costPerContact: 0, currency: 'USD', enabled: true });
const json = (status: number, body: unknown): Route => (_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
};

describe('callGraph', () => {
  it('calls the versioned path with the bearer token and returns the JSON answer', async () => {
    routes.set('/v19.0/1/messages', json(200, { messages: [{ id: 'wamid.X' }] }));
    expect(await callGraph(provider, channel(), 'POST', '1/messages', { a: 1 })).toEqual({ messages: [{ id: 'wamid.X' }] });
    expect(calls.at(-1)).toBe('POST /v19.0/1/messages Bearer TOKEN');
  });

  it('retries outages, throttling and refused tokens; not bad requests', async () => {
    routes.set('/v19.0/503', (_q, r) => r.writeHead(503).end('Service Unavailable'));
    routes.set('/v19.0/429', json(429, { error: { message: '(#4) Application request limit reached', code: 4 } }));
    routes.set('/v19.0/expired', json(401, { error: { message: 'Error validating access token: Session has expired on Friday', type: 'OAuthException', code: 190, error_subcode: 463 } }));
    routes.set('/v19.0/bad', json(400, { error: { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100, error_data: { details: 'text.body is required' } } }));
    expect(await failure(callGraph(provider, channel(), 'POST', '503', {}))).toMatchObject({ retryable: true, message: 'Graph API 503: HTTP 503' });
    expect(await failure(callGraph(provider, channel(), 'POST', '429', {}))).toMatchObject({ retryable: true, message: expect.stringContaining('rate limited') });
    expect(await failure(callGraph(provider, channel(), 'POST', 'expired', {}))).toMatchObject({ retryable: true, message: expect.stringContaining('access token was refused') });
    expect(await failure(callGraph(provider, channel(), 'POST', 'bad', {}))).toMatchObject({ retryable: false, message: 'Graph API 400 error 100: (#100) Invalid parameter (text.body is required)' });
  });

  it('retries a timeout and an unreachable server', async () => {
    routes.set('/v19.0/slow', () => undefined);
    expect(await failure(callGraph(provider, channel(), 'GET', 'slow', undefined, 200))).toMatchObject({ retryable: true, message: 'the Graph API did not answer within 0.2 s' });
    const gone = { ...channel(), settings: { apiBaseUrl: 'http://127.0.0.1:9' } };
    expect(await failure(callGraph(provider, gone, 'GET', 'x'))).toMatchObject({ retryable: true, message: expect.stringContaining('could not reach the Graph API') });
  });

  it('refuses, for good, a base URL on this machine or a private network the operator did not allow', async () => {
    const error = await failure(callGraph(guardedFetch(privateHostsAllowed('')), channel(), 'GET', 'x'));
    expect(error).toMatchObject({ retryable: false, message: expect.stringContaining('127.0.0.1 is a private address') });
  });

  it('does not call without a token', async () => {
    expect(await failure(callGraph(provider, { ...channel(), secrets: {} }, 'GET', 'x'))).toMatchObject({ retryable: false });
  });

  it('classifies WhatsApp error codes', () => {
    expect(graphError(400, { code: 131047, message: 'Re-engagement message' }).retryable).toBe(false);
    expect(graphError(400, { code: 130429, message: 'Rate limit hit' }).retryable).toBe(true);
    expect(graphError(400, { code: 131000, message: 'Something went wrong' }).retryable).toBe(true);
    expect(graphError(400, { code: 10, message: 'Permission denied', is_transient: true }).retryable).toBe(true);
    // Whose trouble a final refusal is: this message's (health untouched) or the channel's.
    expect(graphError(400, { code: 131047, message: 'Re-engagement message' }).about).toBe('message');
    expect(graphError(400, { code: 10, error_subcode: 2018278, message: 'outside of allowed window' }).about).toBe('message');
    expect(graphError(403, { code: 10, message: 'Application does not have permission' }).about).toBe('channel');
  });
});

describe('downloadFile', () => {
  it('downloads within the limit and refuses larger files', async () => {
    routes.set('/file', (_q, r) => r.writeHead(200, { 'content-type': 'image/png', 'content-length': 1000 }).end(Buffer.alloc(1000, 1)));
    routes.set('/chunked', (_q, r) => {
      r.writeHead(200, { 'content-type': 'image/png' });
      r.write(Buffer.alloc(600));
      r.end(Buffer.alloc(600));
    });
    expect(await downloadFile(provider, `${base}/file`, 1000)).toMatchObject({ contentType: 'image/png', data: Buffer.alloc(1000, 1) });
    await expect(downloadFile(provider, `${base}/file`, 999)).rejects.toThrow('1000 bytes, over the 999-byte limit');
    await expect(downloadFile(provider, `${base}/chunked`, 1000)).rejects.toThrow('over the 1000-byte limit');
    await expect(downloadFile(provider, `${base}/missing`, 1000)).rejects.toThrow('answered 404');
  });
});

describe('sendInParts', () => {
  it('answers with the first id; a failure after a part went out keeps its retry advice and says how far it got', async () => {
    let n = 0;
    routes.set('/v19.0/parts', (_q, r) => (++n === 2 ? json(503, {})(_q, r) : json(200, { id: `p${n}` })(_q, r)));
    const error = await failure(sendInParts(provider, channel(), 'parts', [{}, {}, {}], (a) => String(a.id)));
    expect(error).toMatchObject({ retryable: true, message: 'only 1 of 3 parts were sent: Graph API 503: HTTP 503' });
    n = 2;
    expect(await sendInParts(provider, channel(), 'parts', [{}, {}], (a) => String(a.id))).toEqual({ providerMessageId: 'p3' });
  });
});
