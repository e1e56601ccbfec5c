import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, buildConnector, FormData as UndiciFormData, fetch as undiciFetch } from 'undici';
import { ALLOW_HINT, NO_PRIVATE_HOSTS, privateAddress, privateHostWritten, type PrivateHosts } from './private-hosts.ts';

/** `fetch` for calls to hosts a workspace's settings name (a provider base URL, an API channel's receiver, a media URL). */
export type ProviderFetch = (url: string, init?: RequestInit) => Promise<Response>;

/**
 * A fetch that will not connect to this machine or a private network unless the operator
 * allowed it (TOUCHPOINT_ALLOW_PRIVATE_HOSTS). Every connection is checked, redirects' too:
 * an address as written (which no DNS lookup sees), and a name by the connection's own DNS
 * lookup, so a name that answers a public address to a check and a private one to the
 * connection (DNS rebinding) is caught too. A refusal fails like an unreachable host: fetch's
 * TypeError, whose cause says why.
 * `resolve` stands in for DNS in tests.
 * @example const fetch = guardedFetch(privateHostsAllowed(config.allowPrivateHosts)); await fetch('https://graph.facebook.com/…')
 */
export function guardedFetch(allowed: PrivateHosts, resolve: LookupFunction = dnsLookup as LookupFunction): ProviderFetch {
  if (allowed.all) return (url, init) => fetch(url, init);
  const connect = buildConnector({ lookup: guardedLookup(allowed, resolve) });
  const dispatcher = new Agent({
    // An address in the URL (or in a redirect's Location) connects without a lookup: checked as written.
    connect: (options, callback) => {
      const written = privateHostWritten(options.hostname, allowed);
      if (written !== null) return callback(privateRefusal(`${written}: ${ALLOW_HINT}`), null);
      connect(options, callback);
    },
  });
  return async (url, init) => {
    // undici's own fetch, so the dispatcher is of its version; its Response is the one the platform's is built on.
    const body = init?.body instanceof FormData ? ownFormData(init.body) : init?.body;
    return (await undiciFetch(url, { ...(init as object), body: body as never, dispatcher })) as unknown as Response;
  };
}

/**
 * The platform's FormData is another undici's: this one would send it as the text
 * "[object FormData]". Its entries (strings and Files) move over as they are.
 */
function ownFormData(form: FormData): UndiciFormData {
  const own = new UndiciFormData();
  for (const [name, value] of form.entries()) own.append(name, value as never);
  return own;
}

const privateRefusal = (message: string) => Object.assign(new Error(message), { code: 'EPRIVATE' });

/** Whether a fetch failed because its host is private (a setting to change, not an outage to retry). */
export function refusedAsPrivate(error: unknown): boolean {
  return error instanceof Error && (error.cause as { code?: unknown } | undefined)?.code === 'EPRIVATE';
}

/**
 * One guarded fetch per list of allowances (none given: none allowed), so every channel call
 * of a process shares its connections.
 */
export function providerFetch(allowed: PrivateHosts = NO_PRIVATE_HOSTS): ProviderFetch {
  let made = byAllowances.get(allowed);
  if (!made) byAllowances.set(allowed, (made = guardedFetch(allowed)));
  return made;
}
const byAllowances = new WeakMap<PrivateHosts, ProviderFetch>();

/** net's lookup, failing when an address it finds is private and not allowed (names the operator listed pass). */
function guardedLookup(allowed: PrivateHosts, resolve: LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options, (error, address, family) => {
      if (error || allowed.names.has(hostname.toLowerCase())) return callback(error, address as string, family);
      // With autoSelectFamily (Node's default) the connection asks for every address at once.
      const found: readonly LookupAddress[] = Array.isArray(address) ? address : [{ address, family: family ?? 4 }];
      const inside = found.find((a) => privateAddress(a.address, allowed));
      if (!inside) return callback(null, address as string, family);
      callback(privateRefusal(`${hostname} resolves to a private address (${inside.address}): ${ALLOW_HINT}`), address as string, family);
    });
  };
}
