import { describe, expect, it } from 'vitest';
import { jsonFitsIn } from './json-size.ts';

const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('jsonFitsIn: whether an item serialises within a byte limit', () => {
  const items: unknown[] = [
    { event: 'Order Completed', properties: { total: 42.5, items: [{ sku: 'A-1', qty: 2 }], gift: false, note: null } },
    { name: 'Zoë 😀 "quoted" \\ back\nslash' },
    { control: '\u0000\u0001\u001f'.repeat(50) },
    { big: 'x'.repeat(40_000) },
    { wide: '😀'.repeat(9_000) },
    [1e308, -1.7976931348623157e308, 5e-324, 0],
    'plain',
    null,
  ];

  it('agrees with serialising and measuring, at every limit around the true size', () => {
    for (const item of items) {
      const exact = size(item);
      for (const limit of [exact - 1, exact, exact + 1, 32 * 1024]) expect(jsonFitsIn(item, limit), `${JSON.stringify(item).slice(0, 40)} at ${limit}`).toBe(exact <= limit);
    }
  });
});
