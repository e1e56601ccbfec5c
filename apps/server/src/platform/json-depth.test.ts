import { describe, expect, it } from 'vitest';
import { findTooDeep, MAX_JSON_DEPTH } from './json-depth.ts';

const nested = (levels: number): unknown => {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = i % 2 ? { a: value } : [value];
  return value;
};

describe('findTooDeep: JSON nested past the limit', () => {
  it('accepts values up to the limit and names the first container past it', () => {
    expect(findTooDeep({ event: 'Signed Up', properties: { plan: { tier: ['pro'] } } })).toBeNull();
    expect(findTooDeep('text')).toBeNull();
    expect(findTooDeep({ properties: nested(MAX_JSON_DEPTH - 1) })).toBeNull();
    expect(findTooDeep({ a: [[1]] }, 2)).toBe('a[0]');
    expect(findTooDeep({ ok: { x: 1 }, bad: { b: { c: {} } } }, 3)).toBe('bad.b.c');
  });

  it('walks 100,000 levels without overflowing the stack', () => {
    expect(findTooDeep({ properties: nested(100_000) })).toMatch(/^properties/);
  });
});
