import { describe, expect, it } from 'vitest';
import type { ForgetEverywhere } from '../../platform/forget-everywhere.ts';
import type { ChannelRecord } from './channel-record.ts';
import { createChannelCache } from './channel-cache.ts';

const record = (id: string, name = 'WhatsApp'): ChannelRecord => ({ workspaceId: 'w', id, kind: 'whatsapp', name, businessUnitId: null, address: null, settings: {}, secrets: {}, costPerContact: 0, currency: 'USD', enabled: true });

/** The bus of one process: what is forgotten reaches its listeners at once. */
function localBus(): Pick<ForgetEverywhere, 'forget' | 'subscribe'> {
  const listeners: ((topic: string) => void)[] = [];
  return { forget: async (topic) => listeners.forEach((l) => l(topic)), subscribe: (l) => void listeners.push(l) };
}

describe('createChannelCache', () => {
  it('remembers a channel for five seconds, then looks again; unknown ids are asked every time', async () => {
    let time = 0;
    const asked: string[] = [];
    const names = new Map([['a', 'first']]);
    const cache = createChannelCache(async (id) => {
      asked.push(id);
      const name = names.get(id);
      return name ? record(id, name) : null;
    }, localBus(), () => time);
    expect((await cache.find('a', ['whatsapp']))?.name).toBe('first');
    names.set('a', 'renamed');
    time = 4_999;
    expect((await cache.find('a', ['whatsapp']))?.name).toBe('first');
    time = 5_000;
    expect((await cache.find('a', ['whatsapp']))?.name).toBe('renamed');
    expect(await cache.find('nope', ['whatsapp'])).toBeNull();
    expect(await cache.find('nope', ['whatsapp'])).toBeNull();
    expect(asked).toEqual(['a', 'a', 'nope', 'nope']);
  });

  it('answers only for the kinds asked for', async () => {
    const cache = createChannelCache(async (id) => record(id), localBus(), () => 0);
    expect(await cache.find('a', ['messenger', 'instagram'])).toBeNull();
    expect(await cache.find('a', ['whatsapp'])).not.toBeNull();
  });

  it('forgets a channel as soon as it is saved (a new secret applies to the next webhook)', async () => {
    let secret = 'old';
    const cache = createChannelCache(async (id) => ({ ...record(id), secrets: { appSecret: secret } }), localBus(), () => 0);
    expect((await cache.find('a', ['whatsapp']))?.secrets.appSecret).toBe('old');
    secret = 'new';
    await cache.forget('a');
    expect((await cache.find('a', ['whatsapp']))?.secrets.appSecret).toBe('new');
  });

  it('does not keep what it read before a change it heard of while reading', async () => {
    let secret = 'old';
    let release: () => void = () => {};
    const bus = localBus();
    const cache = createChannelCache(async (id) => {
      const read = { ...record(id), secrets: { appSecret: secret } };
      await new Promise<void>((resolve) => (release = resolve));
      return read;
    }, bus, () => 0);
    const reading = cache.find('a', ['whatsapp']);
    secret = 'new';
    await cache.forget('a');
    release();
    expect((await reading)?.secrets.appSecret).toBe('old');
    const next = cache.find('a', ['whatsapp']);
    release();
    expect((await next)?.secrets.appSecret).toBe('new');
  });

  it('forgets everything when told notifications may have been missed', async () => {
    let name = 'first';
    const bus = localBus();
    const cache = createChannelCache(async (id) => record(id, name), bus, () => 0);
    await cache.find('a', ['whatsapp']);
    name = 'renamed';
    await bus.forget('*');
    expect((await cache.find('a', ['whatsapp']))?.name).toBe('renamed');
  });
});
