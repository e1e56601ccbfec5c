import path from 'node:path';
import { privateHostsAllowed } from './private-hosts.ts';

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

function portOf(name: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65_535) throw new ConfigError(`${name} must be a port number from 0 to 65535, not "${value}"`);
  return port;
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

/** Reads the environment; throws ConfigError naming a variable it cannot use. */
export function readConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const sync = (env.TOUCHPOINT_SQLITE_SYNCHRONOUS ?? 'FULL').toUpperCase();
  const smtpPort = (env.SMTP_PORT ?? '2525').trim().toLowerCase();
  const slowQuery = (env.TOUCHPOINT_SLOW_QUERY_MS ?? '500').trim().toLowerCase();
  const readThreads = Number(env.TOUCHPOINT_READ_THREADS ?? 2);
  return {
    port: portOf('PORT', env.PORT ?? '3000'),
    host: env.HOST ?? '0.0.0.0',
    smtpPort: smtpPort === 'off' || smtpPort === '' ? null : portOf('SMTP_PORT', smtpPort),
    smtpHost: env.SMTP_HOST ?? env.HOST ?? '0.0.0.0',
    dataDir: path.resolve(env.TOUCHPOINT_DATA ?? './data'),
    databaseUrl: databaseUrlOf(env.DATABASE_URL),
    pgSchema: pgSchemaOf(env.TOUCHPOINT_PG_SCHEMA),
    demo: env.TOUCHPOINT_DEMO !== '0',
    logLevel: env.LOG_LEVEL ?? 'info',
    sqliteSynchronous: sync === 'NORMAL' || sync === 'OFF' ? sync : 'FULL',
    secretKey: env.TOUCHPOINT_SECRET_KEY || undefined,
    slowQueryMs: slowQuery === 'off' || slowQuery === '' || !(Number(slowQuery) >= 0) ? null : Number(slowQuery),
    readThreads: Number.isInteger(readThreads) && readThreads >= 0 && readThreads <= 16 ? readThreads : 2,
    trustProxy: trustProxyOf(env.TOUCHPOINT_TRUST_PROXY),
    allowPrivateHosts: allowPrivateHostsOf(env.TOUCHPOINT_ALLOW_PRIVATE_HOSTS),
    ...overrides,
  };
}
