import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedFetch, refusedAsPrivate } from './guarded-fetch.ts';
import { NO_PRIVATE_HOSTS, privateHostsAllowed } from './private-hosts.ts';

/** A DNS that answers every name with this machine, as a rebinding name would at connection time. */
const toLoopback: LookupFunction = (_hostname, options, callback) => {
  if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

const causeOf = async (call: Promise<unknown>) => {
  const error = await call.then(() => null, (e: unknown) => e as Error & { cause?: Error });
  return error?.cause?.message ?? null;
};

describe('guardedFetch', () => {
  let server: http.Server;
  let port = 0;
  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end('internal service'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('refuses an address written in the URL, with the reason as the cause', async () => {
    expect(await causeOf(guardedFetch(NO_PRIVATE_HOSTS)(`http://127.0.0.1:${port}/`))).toMatch(/^127\.0\.0\.1 is a private address: .*TOUCHPOINT_ALLOW_PRIVATE_HOSTS/);
  });

  it('checks the address the connection itself resolves: a name that leads to this machine is refused', async () => {
    expect(await causeOf(guardedFetch(NO_PRIVATE_HOSTS, toLoopback)(`http://api.shop.example:${port}/`))).toMatch(/^api\.shop\.example resolves to a private address \(127\.0\.0\.1\)/);
  });

  it('checks where a redirect leads too: an address written in its Location, which no lookup sees', async () => {
    const redirector = http.createServer((_req, res) => res.writeHead(307, { location: `http://[::1]:${port}/admin` }).end());
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    try {
      const from = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/`;
      expect(await causeOf(guardedFetch(privateHostsAllowed('127.0.0.1'))(from))).toMatch(/^::1 is a private address/);
    } finally {
      await new Promise((resolve) => redirector.close(resolve));
    }
  });

  it('refuses IPv6 addresses that carry a private IPv4 one', async () => {
    for (const host of ['[::7f00:1]', '[::ffff:127.0.0.1]', '[::ffff:0:7f00:1]', '[64:ff9b::a00:1]', '[64:ff9b:1::a00:1]', '[2002:7f00:1::1]', '[2001:0:4136:e378::1]']) {
      expect(await causeOf(guardedFetch(NO_PRIVATE_HOSTS)(`http://${host}:${port}/`)), host).toMatch(/is a private address/);
    }
  });

  it('lets a name that resolves to a public address through to the connection (no network here: it fails another way)', async () => {
    const toPublic: LookupFunction = (_hostname, options, callback) => {
      if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '192.0.2.10', family: 4 }]);
      else callback(null, '192.0.2.10', 4);
    };
    const error = await guardedFetch(NO_PRIVATE_HOSTS, toPublic)('http://graph.example.com/', { signal: AbortSignal.timeout(300) }).then(() => null, (e: unknown) => e);
    expect(error).not.toBeNull();
    expect(refusedAsPrivate(error)).toBe(false);
  });

  it('lets through what the operator allowed, by address range or by name', async () => {
    for (const allowed of ['127.0.0.0/8', 'api.shop.example', '*']) {
      const res = await guardedFetch(privateHostsAllowed(allowed), toLoopback)(`http://${allowed === '*' ? '127.0.0.1' : 'api.shop.example'}:${port}/`);
      expect(await res.text(), allowed).toBe('internal service');
    }
  });
});
