import { describe, expect, it } from 'vitest';
import type { ChannelRecord } from '../../modules/channels/index.ts';
import { createChannelLookup } from './channel-lookup.ts';

const record = (id: string, name = 'WhatsApp'): ChannelRecord => ({ workspaceId: 'w', id, kind: 'whatsapp', name, businessUnitId: null, address: null, settings: {}, secrets: {}, costPerContact: 0, currency: 'USD', enabled: true });

describe('createChannelLookup', () => {
  it('remembers a channel for five seconds, then looks again; unknown ids are asked every time', async () => {
    let time = 0;
    const asked: string[] = [];
    const names = new Map([['a', 'first']]);
    const lookup = createChannelLookup(async (id) => {
      asked.push(id);
      const name = names.get(id);
      return name ? record(id, name) : null;
    }, () => time);
    expect((await lookup('a'))?.name).toBe('first');
    names.set('a', 'renamed');
    time = 4_999;
    expect((await lookup('a'))?.name).toBe('first');
    time = 5_000;
    expect((await lookup('a'))?.name).toBe('renamed');
    expect(await lookup('nope')).toBeNull();
    expect(await lookup('nope')).toBeNull();
    expect(asked).toEqual(['a', 'a', 'nope', 'nope']);
  });

  it('forgets a channel that was disabled or deleted once its time is up', async () => {
    let time = 0;
    let exists = true;
    const lookup = createChannelLookup(async (id) => (exists ? record(id) : null), () => time);
    expect(await lookup('a')).not.toBeNull();
    exists = false;
    time = 6_000;
    expect(await lookup('a')).toBeNull();
  });
});
