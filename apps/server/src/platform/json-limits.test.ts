import { describe, expect, it } from 'vitest';
import { findNonFinite, findTooDeep, MAX_JSON_DEPTH, MAY_OVERFLOW } from './json-limits.ts';

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

describe('findNonFinite: numbers JSON allows and a double cannot hold', () => {
  it('names the first number JSON.parse read as Infinity', () => {
    expect(findNonFinite(JSON.parse('{"a":[1,1.5e308,-1e-400],"b":{"c":1e308}}'))).toBeNull();
    expect(findNonFinite(JSON.parse('{"a":[1,{"b":-1e400}]}'))).toBe('a[1].b');
    expect(findNonFinite(JSON.parse(`{"n":${'9'.repeat(309)}}`))).toBe('n');
    expect(findNonFinite(JSON.parse('1e999'))).toBe('body');
  });

  it('is needed only for text the prefilter matches', () => {
    for (const text of ['{"a":1e400}', '{"a":-1E+309}', '{"a":1.5e308}', `{"a":${'9'.repeat(309)}}`]) expect(MAY_OVERFLOW.test(text), text).toBe(true);
    for (const text of ['{"a":1e99}', '{"a":"2026-11-27"}', '{"total":129.99,"qty":3}']) expect(MAY_OVERFLOW.test(text), text).toBe(false);
  });
});
