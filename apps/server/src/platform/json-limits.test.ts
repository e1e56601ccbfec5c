import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findNonFinite, findTooDeep, MAX_JSON_DEPTH, scanJsonValue } from './json-limits.ts';

/** scanJsonValue over a whole text, checking it finds the value's end. */
const scanJsonText = (text: string) => {
  const { end, ...shape } = scanJsonValue(Buffer.from(text), 0);
  expect(end, text).toBe(Buffer.byteLength(text));
  return shape;
};

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
});

describe('scanJsonValue: one pass over the bytes decides whether the walks are needed', () => {
  it('flags every number a double cannot hold, however it is written', () => {
    const overflowing = ['1e400', '-1E+309', `${'9'.repeat(309)}`, `1${'0'.repeat(300)}e10`, `1${'0'.repeat(200)}.${'5'.repeat(150)}e150`, '0.5e309', '0.00012e313'];
    for (const number of overflowing) {
      const text = `{"a":[1,{"b":${number}}]}`;
      expect(findNonFinite(JSON.parse(text)), number).toBe('a[1].b');
      expect(scanJsonText(text).mayOverflow, number).toBe(true);
    }
  });

  it('lets ordinary events through without a walk, whatever their strings hold', () => {
    const ids = '{"messageId":"3e456789-1e99-4e12-9e30-0e1000000000","anonymousId":"1e999","properties":{"total":129.99,"qty":3,"tiny":-1e-400,"big":1.5e307}}';
    expect(scanJsonText(ids)).toEqual({ depth: 2, mayOverflow: false });
    // Brackets and quotes inside strings, escaped quotes, and a backslash escaped just before the closing quote.
    for (const text of [String.raw`{"s":"[[[{\"}","t":"\"[["}`, String.raw`{"s":"x\\","t":"]]","u":"\\\"{{"}`]) {
      expect(scanJsonText(text), text).toEqual({ depth: 1, mayOverflow: false });
      expect(Object.keys(JSON.parse(text) as object).length).toBeGreaterThan(1);
    }
  });

  it('never misses what the walks find, on generated JSON', () => {
    const depthOf = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0);
    // Numbers around a double's limit: up to 330 integer digits, a fraction, an exponent.
    const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
    const number = fc
      .tuple(fc.boolean(), digits(1, 330), fc.option(digits(1, 40)), fc.option(fc.tuple(fc.constantFrom('e', 'E+', 'e-'), fc.integer({ min: 0, max: 330 }))))
      .map(([negative, integer, fraction, exponent]) => `${negative ? '-' : ''}${integer.replace(/^0+(?=\d)/, '')}${fraction === null ? '' : `.${fraction}`}${exponent === null ? '' : `${exponent[0]}${exponent[1]}`}`);
    fc.assert(
      fc.property(fc.jsonValue(), number, (value, n) => {
        const text = `{"v":${JSON.stringify(value)},"n":${n}}`;
        const parsed: unknown = JSON.parse(text);
        const shape = scanJsonText(text);
        expect(shape.depth).toBe(depthOf(parsed));
        if (findNonFinite(parsed) !== null) expect(shape.mayOverflow, n).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
