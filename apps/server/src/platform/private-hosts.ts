import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a workspace's settings must not point the server at: loopback, private, link-local
 * (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast and reserved ranges. An API
 * channel's outbound URL, a provider base URL or an SMTP relay there would let a workspace
 * admin reach the machine's own services and read their answers in a delivery error.
 */
const V4: readonly (readonly [string, number])[] = [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3]];
// IPv6 also carries IPv4 addresses inside it (IPv4-compatible ::a.b.c.d, mapped ::ffff:a.b.c.d, translated
// ::ffff:0:a.b.c.d, NAT64 64:ff9b::/96 and the local 64:ff9b:1::/48, 6to4 2002::/16, Teredo 2001::/32):
// each could reach 127.0.0.1 or the office network through a relay, so none is called.
const V6: readonly (readonly [string, number])[] = [
  ['::', 96], ['::ffff:0:0', 96], ['::ffff:0:0:0', 96], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['2002::', 16], ['2001::', 32],
  ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
];
// One list a family: Node's BlockList matches every IPv4 address against an IPv6 rule for
// ::ffff:0:0/96 (it reads IPv4 as mapped), which made every public IPv4 address "private".
const PRIVATE = { ipv4: new BlockList(), ipv6: new BlockList() };
for (const [network, prefix] of V4) PRIVATE.ipv4.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of V6) PRIVATE.ipv6.addSubnet(network, prefix, 'ipv6');

/** The operator's exceptions (TOUCHPOINT_ALLOW_PRIVATE_HOSTS): host names, addresses and CIDR ranges, or `*` for every one. */
export type PrivateHosts = { readonly all: boolean; readonly names: ReadonlySet<string>; readonly ranges: BlockList };

/** No exceptions: what a process that was told nothing allows. */
export const NO_PRIVATE_HOSTS: PrivateHosts = privateHostsAllowed('');

/**
 * Reads the list; throws naming an entry that is neither a host name, an address, nor an
 * address with a prefix length its family has.
 * @example privateHostsAllowed('relay.internal, 10.1.0.0/16')
 */
export function privateHostsAllowed(list: string): PrivateHosts {
  const entries = list.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
  const ranges = new BlockList();
  const names = new Set<string>();
  for (const entry of entries.filter((e) => e !== '*')) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address);
    const bits = family === 6 ? 128 : 32;
    if (family === 0 && prefix === undefined && /^[a-z0-9.-]+$/.test(entry)) names.add(entry);
    else if (family !== 0 && prefix === undefined) ranges.addAddress(address, family === 6 ? 'ipv6' : 'ipv4');
    else if (family !== 0 && /^\d{1,3}$/.test(prefix ?? '') && Number(prefix) <= bits) ranges.addSubnet(address, Number(prefix), family === 6 ? 'ipv6' : 'ipv4');
    else throw new Error(`"${entry}" is not a host name, an address or a CIDR range`);
  }
  return { all: entries.includes('*'), names, ranges };
}

/**
 * Why `host` (a name or an address, as written in a setting) may not be called, or null. Only
 * what the text shows: a loopback name or a private address. Names are checked again, resolved,
 * when called: by each connection's lookup (guardedFetch), or pinned before an SMTP relay is (pinnedHost).
 */
export function privateHostWritten(host: string, allowed: PrivateHosts): string | null {
  const name = bare(host);
  if (allowed.all || allowed.names.has(name)) return null;
  if (name === 'localhost' || name.endsWith('.localhost')) return `${host} is this machine`;
  return isIP(name) !== 0 && privateAddress(name, allowed) ? `${host} is a private address` : null;
}

/**
 * Where to connect for `host`, for a client that resolves names itself (nodemailer): the
 * address the name resolves to now, checked, so the connection goes there and not wherever
 * the name points a moment later (DNS rebinding); the host as written when it is an address,
 * or a name the operator allowed, or one that does not resolve (left to the call to fail).
 * `refused` says why the host may not be called. `resolve` stands in for DNS in tests.
 */
export async function pinnedHost(host: string, allowed: PrivateHosts, resolve: (name: string) => Promise<readonly { readonly address: string }[]> = (name) => lookup(name, { all: true })): Promise<{ readonly address: string } | { readonly refused: string }> {
  const written = privateHostWritten(host, allowed);
  if (written !== null) return { refused: written };
  if (allowed.all || allowed.names.has(bare(host)) || isIP(bare(host)) !== 0) return { address: host };
  const addresses = await resolve(bare(host)).catch(() => []);
  const inside = addresses.find((a) => privateAddress(a.address, allowed));
  if (inside) return { refused: `${host} resolves to a private address (${inside.address})` };
  return { address: addresses[0]?.address ?? host };
}

/** What to add to a refusal: how an operator allows it. */
export const ALLOW_HINT = 'private and loopback addresses are refused unless the operator lists them in TOUCHPOINT_ALLOW_PRIVATE_HOSTS';

/** Whether a resolved address is on this machine or a private network, and not one the operator allowed. */
export function privateAddress(address: string, allowed: PrivateHosts): boolean {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  return PRIVATE[family].check(address, family) && !allowed.ranges.check(address, family);
}

/** A host as URLs write it: lower-case, IPv6 without brackets, without a trailing dot. */
const bare = (host: string) => host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
