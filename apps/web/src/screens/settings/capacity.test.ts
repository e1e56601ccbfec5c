import { describe, expect, it } from 'vitest';
import { capacityFromRows, describeCapacity, rowsFromCapacity } from './capacity.ts';

describe('capacity per channel', () => {
  it('lists channels first and the catch-all last, and back to the API shape', () => {
    const rows = rowsFromCapacity({ '*': 5, email: 2, chat: 3 });
    expect(rows).toEqual([
      { channel: 'chat', limit: 3 },
      { channel: 'email', limit: 2 },
      { channel: '*', limit: 5 },
    ]);
    expect(capacityFromRows(rows)).toEqual({ capacity: { chat: 3, email: 2, '*': 5 }, errors: {} });
  });

  it('refuses missing channels, duplicates and limits that are not whole numbers in range', () => {
    const { errors } = capacityFromRows([
      { channel: '', limit: 1 },
      { channel: 'chat', limit: 3 },
      { channel: 'chat', limit: 4 },
      { channel: 'email', limit: '' },
      { channel: 'sms', limit: 2.5 },
      { channel: 'voice', limit: 1001 },
      { channel: 'whatsapp', limit: 0 },
    ]);
    const limit = 'A whole number from 0 to 1000';
    expect(errors).toEqual({ 0: { channel: 'Choose a channel' }, 2: { channel: 'This channel already has a limit' }, 3: { limit }, 4: { limit }, 5: { limit } });
  });

  it('describes capacity in a few words', () => {
    expect(describeCapacity({})).toBe('workspace default');
    expect(describeCapacity({}, 5)).toBe('workspace default (5)');
    expect(describeCapacity({ '*': 5, chat: 3 })).toBe('chat 3 · any 5');
  });
});
