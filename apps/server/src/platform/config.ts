import path from 'node:path';
import { privateHostsAllowed } from './private-hosts.ts';
import { SECRET_KEY_FORMAT, secretKeyOf } from './secret-box.ts';

/** Everything the process reads from its environment, read once in main.ts. */
export type Config = {
  readonly port: number;
  readonly host: string;
  /** Inbound mail (SMTP_PORT, default 2525; `off` runs no SMTP server). */
  readonly smtpPort: number | null;
  /** The interface the SMTP server listens on (SMTP_HOST, default HOST). */
  readonly smtpHost: string;
  readonly dataDir: string;
  /** postgres://… to run on PostgreSQL; absent means SQLite under dataDir. */
  readonly databaseUrl: string | undefined;
  /** PostgreSQL schema to use instead of the URL's default (TOUCHPOINT_PG_SCHEMA), so processes can share one database. */
  readonly pgSchema: string | undefined;
  /** Load the Demo workspace on first start. */
  readonly demo: boolean;
  /** The first workspace's owner, who signs in with it (TOUCHPOINT_OWNER_EMAIL). */
  readonly ownerEmail: string;
  /** Build the web app on start when it is missing or stale (TOUCHPOINT_WEB_BUILD, default on). */
  readonly webBuild: boolean;
  /** A pino level (LOG_LEVEL, default info). */
  readonly logLevel: string;
  /** SQLite `synchronous` pragma: FULL makes every acknowledged commit survive power loss. */
  readonly sqliteSynchronous: 'FULL' | 'NORMAL' | 'OFF';
  /** The key channel secrets are sealed with (TOUCHPOINT_SECRET_KEY); absent: secret.key in dataDir. */
  readonly secretKey: string | undefined;
  /** Queries slower than this many ms are logged at warn with their SQL (TOUCHPOINT_SLOW_QUERY_MS, default 500; `off`: never). */
  readonly slowQueryMs: number | null;
  /** SQLite: threads for reads that walk many rows (TOUCHPOINT_READ_THREADS, default 2; 0 runs them on the event loop). */
  readonly readThreads: number;
  /**
   * Which proxies' X-Forwarded-For and X-Forwarded-Proto to believe (TOUCHPOINT_TRUST_PROXY):
   * false (default), true (any), a number of hops, or addresses and CIDR ranges.
   */
  readonly trustProxy: TrustProxy;
  /**
   * Private and loopback hosts channels may call all the same (TOUCHPOINT_ALLOW_PRIVATE_HOSTS):
   * names, addresses and CIDR ranges, or `*`; none by default (platform/private-hosts.ts).
   */
  readonly allowPrivateHosts: string;
};

export type TrustProxy = boolean | number | string;

function trustProxyOf(value: string | undefined): TrustProxy {
  const v = (value ?? '').trim();
  if (v === '' || v === '0' || v.toLowerCase() === 'false') return false;
  if (v.toLowerCase() === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  const entries = v.split(',').map((e) => e.trim());
  const named = ['loopback', 'linklocal', 'uniquelocal'];
  if (entries.every((e) => named.includes(e) || /^[0-9a-f:.]+(\/\d{1,3})?$/i.test(e))) return entries.join(',');
  throw new ConfigError(`TOUCHPOINT_TRUST_PROXY must be true, a number of proxies, or addresses and CIDR ranges separated by commas (or loopback, linklocal, uniquelocal), not "${v}"`);
}

/** A setting the process cannot run with, named: the CLI prints it as one line, without a stack. */
export class ConfigError extends Error {}

/**
 * A port number, or a ConfigError naming where it came from (`PORT`, `--port`).
 * @example portOf('PORT', '3000') // 3000
 */
export function portOf(name: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65_535) throw new ConfigError(`${name} must be a port number from 0 to 65535, not "${value}"`);
  return port;
}

/** An unset or empty variable takes its default; any other value must be one the process knows. */
function given(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v === undefined || v === '' ? undefined : v;
}

const SWITCH: Readonly<Record<string, boolean>> = { '1': true, true: true, yes: true, on: true, '0': false, false: false, no: false, off: false };

function switchOf(name: string, value: string | undefined, fallback: boolean): boolean {
  const v = given(value);
  if (v === undefined) return fallback;
  const on = SWITCH[v.toLowerCase()];
  if (on === undefined) throw new ConfigError(`${name} must be 1 or 0 (true or false), not "${v}"`);
  return on;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T, normalise: (v: string) => string): T {
  const v = given(value);
  if (v === undefined) return fallback;
  const found = allowed.find((a) => a === normalise(v));
  if (found === undefined) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, not "${v}"`);
  return found;
}

// pino's levels: another name makes it throw when the logger is made, after work has begun.
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function readThreadsOf(value: string | undefined): number {
  const v = given(value);
  if (v === undefined) return 2;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 16) throw new ConfigError(`TOUCHPOINT_READ_THREADS must be a whole number from 0 to 16, not "${v}"`);
  return n;
}

function slowQueryMsOf(value: string | undefined): number | null {
  const v = given(value)?.toLowerCase();
  if (v === undefined) return 500;
  if (v === 'off') return null;
  const ms = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !Number.isFinite(ms)) throw new ConfigError(`TOUCHPOINT_SLOW_QUERY_MS must be a number of milliseconds (0 or more) or off, not "${v}"`);
  return ms;
}

function secretKeyOfEnv(value: string | undefined): string | undefined {
  const v = given(value);
  if (v === undefined) return undefined;
  // Told by length only: the value is a secret and the message goes to a terminal or a log.
  if (!secretKeyOf(v)) throw new ConfigError(`${SECRET_KEY_FORMAT}; the value set has ${v.length} characters`);
  return v;
}

/**
 * The first owner's sign-in, or a ConfigError naming where it came from (`--email`).
 * @example ownerEmailOf('--email', 'ana@acme.test') // 'ana@acme.test'
 */
export function ownerEmailOf(name: string, value: string | undefined): string {
  const v = given(value);
  if (v === undefined) return 'owner@touchpoint.local';
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v) || v.length > 320) throw new ConfigError(`${name} must be an email address (name@example.com), not "${v}"`);
  return v;
}

function databaseUrlOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (!/^postgres(ql)?:\/\//i.test(value)) throw new ConfigError('DATABASE_URL must be a postgres:// (or postgresql://) URL; leave it unset for SQLite');
  return value;
}

function pgSchemaOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(value)) throw new ConfigError('TOUCHPOINT_PG_SCHEMA must be a plain schema name: letters, digits and _, not starting with a digit');
  return value;
}

function allowPrivateHostsOf(value: string | undefined): string {
  const list = (value ?? '').trim();
  try {
    privateHostsAllowed(list);
  } catch (error) {
    throw new ConfigError(`TOUCHPOINT_ALLOW_PRIVATE_HOSTS must be host names, addresses and CIDR ranges separated by commas, or *: ${(error as Error).message}`);
  }
  return list;
}

/** Reads the environment; throws ConfigError naming a variable it cannot use, and what it takes. */
export function readConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const smtpPort = (env.SMTP_PORT ?? '2525').trim().toLowerCase();
  const config: Config = {
    port: portOf('PORT', env.PORT ?? '3000'),
    host: given(env.HOST) ?? '0.0.0.0',
    smtpPort: smtpPort === 'off' || smtpPort === '' ? null : portOf('SMTP_PORT', smtpPort),
    smtpHost: given(env.SMTP_HOST) ?? given(env.HOST) ?? '0.0.0.0',
    dataDir: path.resolve(env.TOUCHPOINT_DATA ?? './data'),
    databaseUrl: databaseUrlOf(env.DATABASE_URL),
    pgSchema: pgSchemaOf(env.TOUCHPOINT_PG_SCHEMA),
    demo: switchOf('TOUCHPOINT_DEMO', env.TOUCHPOINT_DEMO, true),
    ownerEmail: ownerEmailOf('TOUCHPOINT_OWNER_EMAIL', env.TOUCHPOINT_OWNER_EMAIL),
    webBuild: switchOf('TOUCHPOINT_WEB_BUILD', env.TOUCHPOINT_WEB_BUILD, true),
    logLevel: oneOf('LOG_LEVEL', env.LOG_LEVEL, LOG_LEVELS, 'info', (v) => v.toLowerCase()),
    sqliteSynchronous: oneOf('TOUCHPOINT_SQLITE_SYNCHRONOUS', env.TOUCHPOINT_SQLITE_SYNCHRONOUS, ['FULL', 'NORMAL', 'OFF'] as const, 'FULL', (v) => v.toUpperCase()),
    secretKey: secretKeyOfEnv(env.TOUCHPOINT_SECRET_KEY),
    slowQueryMs: slowQueryMsOf(env.TOUCHPOINT_SLOW_QUERY_MS),
    readThreads: readThreadsOf(env.TOUCHPOINT_READ_THREADS),
    trustProxy: trustProxyOf(env.TOUCHPOINT_TRUST_PROXY),
    allowPrivateHosts: allowPrivateHostsOf(env.TOUCHPOINT_ALLOW_PRIVATE_HOSTS),
    ...overrides,
  };
  if (config.smtpPort !== null && config.smtpPort !== 0 && config.smtpPort === config.port && sameInterface(config.host, config.smtpHost)) {
    throw new ConfigError(`SMTP_PORT must differ from PORT: both are ${config.port} (HTTP and mail cannot share a port)`);
  }
  return config;
}

function sameInterface(a: string, b: string): boolean {
  const any = (h: string) => h === '0.0.0.0' || h === '::';
  return a === b || any(a) || any(b);
}
