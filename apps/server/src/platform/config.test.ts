import { describe, expect, it } from 'vitest';
import { ConfigError, ownerEmailOf, portOf, readConfig } from './config.ts';

describe('TOUCHPOINT_TRUST_PROXY', () => {
  const trust = (value: string | undefined) => readConfig({ TOUCHPOINT_TRUST_PROXY: value }).trustProxy;

  it('trusts no proxy unless told, and takes true, a number of hops, or addresses and ranges', () => {
    expect([trust(undefined), trust(''), trust('0'), trust('false')]).toEqual([false, false, false, false]);
    expect(trust('true')).toBe(true);
    expect(trust('2')).toBe(2);
    expect(trust('10.0.0.0/8, 127.0.0.1,loopback')).toBe('10.0.0.0/8,127.0.0.1,loopback');
    expect(trust('::1')).toBe('::1');
  });

  it('names the variable when it cannot use the value', () => {
    expect(() => trust('yes please')).toThrow(ConfigError);
    expect(() => trust('proxy.example.com')).toThrow(/TOUCHPOINT_TRUST_PROXY/);
  });
});

describe('a setting the process cannot use', () => {
  // Each refused with one line naming the variable, what is wrong and what it takes, before any
  // work: not a stack from deep in a start, and never quietly the default instead.
  const refused: [Record<string, string>, RegExp][] = [
    [{ LOG_LEVEL: 'bogus' }, /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, not "bogus"$/],
    [{ TOUCHPOINT_SECRET_KEY: 'c2hvcnQ=' }, /^TOUCHPOINT_SECRET_KEY must be 32 bytes, as 64 hex digits or base64 .*; the value set has 8 characters$/],
    [{ TOUCHPOINT_SECRET_KEY: `${'x'.repeat(42)}!!` }, /^TOUCHPOINT_SECRET_KEY must be 32 bytes/],
    [{ TOUCHPOINT_SQLITE_SYNCHRONOUS: 'always' }, /^TOUCHPOINT_SQLITE_SYNCHRONOUS must be one of FULL, NORMAL, OFF, not "always"$/],
    [{ TOUCHPOINT_READ_THREADS: 'four' }, /^TOUCHPOINT_READ_THREADS must be a whole number from 0 to 16, not "four"$/],
    [{ TOUCHPOINT_READ_THREADS: '64' }, /^TOUCHPOINT_READ_THREADS must be a whole number from 0 to 16, not "64"$/],
    [{ TOUCHPOINT_READ_THREADS: '1.5' }, /TOUCHPOINT_READ_THREADS/],
    [{ TOUCHPOINT_SLOW_QUERY_MS: 'slow' }, /^TOUCHPOINT_SLOW_QUERY_MS must be a number of milliseconds \(0 or more\) or off, not "slow"$/],
    [{ TOUCHPOINT_SLOW_QUERY_MS: '-5' }, /TOUCHPOINT_SLOW_QUERY_MS/],
    [{ TOUCHPOINT_DEMO: 'nope' }, /^TOUCHPOINT_DEMO must be 1 or 0 \(true or false\), not "nope"$/],
    [{ TOUCHPOINT_WEB_BUILD: 'never' }, /^TOUCHPOINT_WEB_BUILD must be 1 or 0 \(true or false\), not "never"$/],
    [{ TOUCHPOINT_OWNER_EMAIL: 'owner' }, /^TOUCHPOINT_OWNER_EMAIL must be an email address/],
    [{ PORT: '3000', SMTP_PORT: '3000' }, /^SMTP_PORT must differ from PORT: both are 3000/],
  ];
  it.each(refused)('%o', (env, message) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });

  it('names the option a value came from when the CLI was given it', () => {
    expect(() => portOf('--port', 'eighty')).toThrow(/^--port must be a port number from 0 to 65535, not "eighty"$/);
    expect(() => ownerEmailOf('--email', 'ana')).toThrow(/^--email must be an email address/);
  });

  it('keeps a secret key out of its message', () => {
    expect(() => readConfig({ TOUCHPOINT_SECRET_KEY: 'hunter2-hunter2' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
  });

  it('takes what the README lists, in any case, and an empty value as unset', () => {
    const key = 'ab'.repeat(32);
    const config = readConfig({ LOG_LEVEL: 'DEBUG', TOUCHPOINT_SECRET_KEY: key, TOUCHPOINT_SQLITE_SYNCHRONOUS: 'normal', TOUCHPOINT_READ_THREADS: '0', TOUCHPOINT_SLOW_QUERY_MS: 'OFF', TOUCHPOINT_DEMO: 'false' });
    expect(config).toMatchObject({ logLevel: 'debug', secretKey: key, sqliteSynchronous: 'NORMAL', readThreads: 0, slowQueryMs: null, demo: false });
    expect(readConfig({ TOUCHPOINT_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') }).secretKey).toBeDefined();
    expect(readConfig({ LOG_LEVEL: '', TOUCHPOINT_READ_THREADS: ' ', TOUCHPOINT_DEMO: '', TOUCHPOINT_SLOW_QUERY_MS: '' })).toMatchObject({ logLevel: 'info', readThreads: 2, demo: true, slowQueryMs: 500 });
    expect(readConfig({ PORT: '0', SMTP_PORT: '0' }).smtpPort).toBe(0);
    expect(readConfig({ HOST: '127.0.0.1', PORT: '2525', SMTP_HOST: '127.0.0.2' }).smtpPort).toBe(2525);
  });
});
