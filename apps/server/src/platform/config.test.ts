import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config.ts';

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
