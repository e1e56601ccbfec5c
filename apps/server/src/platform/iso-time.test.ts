import { describe, expect, it } from 'vitest';
import { seededRandom } from './seeded-random.ts';
import { isoTime } from './iso-time.ts';

describe('isoTime', () => {
  it('writes what toISOString writes, leap days and the edges of its range included', () => {
    const edges = [0, 1, 999, 951_782_400_000, 951_868_799_999, 951_868_800_000, 4_107_542_400_000, 253_402_300_799_999, 253_402_300_800_000, -1, 1.5];
    const random = seededRandom(1);
    const samples = [...edges, ...Array.from({ length: 200_000 }, () => Math.floor(random() * 253_402_300_800_000))];
    expect(samples.filter((ms) => isoTime(ms) !== new Date(ms).toISOString())).toEqual([]);
  });
});
