import { describe, expect, it } from 'vitest';
import { NO_PRIVATE_HOSTS, pinnedHost, privateAddress, privateHostsAllowed } from './private-hosts.ts';

const answers = (address: string) => async () => [{ address }];

describe('pinnedHost', () => {
  it('gives the address a name resolves to now, for the connection to go there and nowhere else', async () => {
    expect(await pinnedHost('smtp.example.com', NO_PRIVATE_HOSTS, answers('93.184.216.34'))).toEqual({ address: '93.184.216.34' });
  });

  it('refuses a name that resolves to this machine or a private network, and an address written so', async () => {
    expect(await pinnedHost('relay.example.com', NO_PRIVATE_HOSTS, answers('10.0.0.5'))).toEqual({ refused: 'relay.example.com resolves to a private address (10.0.0.5)' });
    expect(await pinnedHost('127.0.0.1', NO_PRIVATE_HOSTS)).toEqual({ refused: '127.0.0.1 is a private address' });
    expect(await pinnedHost('[::ffff:0:7f00:1]', NO_PRIVATE_HOSTS)).toMatchObject({ refused: expect.stringContaining('private address') });
  });

  it('leaves alone what the operator allowed, an address as written, and a name that does not resolve', async () => {
    expect(await pinnedHost('relay.internal', privateHostsAllowed('relay.internal'), answers('10.0.0.5'))).toEqual({ address: 'relay.internal' });
    expect(await pinnedHost('relay.example.com', privateHostsAllowed('10.0.0.0/8'), answers('10.0.0.5'))).toEqual({ address: '10.0.0.5' });
    expect(await pinnedHost('93.184.216.34', NO_PRIVATE_HOSTS)).toEqual({ address: '93.184.216.34' });
    expect(await pinnedHost('nowhere.invalid', NO_PRIVATE_HOSTS, async () => Promise.reject(new Error('ENOTFOUND')))).toEqual({ address: 'nowhere.invalid' });
  });
});

describe('privateAddress', () => {
  it('calls public addresses of both families public (every IPv4 address read private before: an IPv6 rule matched them)', () => {
    for (const address of ['93.184.216.34', '157.240.22.35', '8.8.8.8', '2606:4700::6810:84e5', '2a03:2880:f12f:83:face:b00c:0:25de']) expect(privateAddress(address, NO_PRIVATE_HOSTS), address).toBe(false);
  });

  it('calls loopback, private, link-local, CGNAT and IPv6 forms that carry an IPv4 address private', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:93.184.216.34', '::7f00:1', '64:ff9b::a00:1', '2002:7f00:1::1']) {
      expect(privateAddress(address, NO_PRIVATE_HOSTS), address).toBe(true);
    }
    expect(privateAddress('10.1.2.3', privateHostsAllowed('10.0.0.0/8'))).toBe(false);
  });
});
