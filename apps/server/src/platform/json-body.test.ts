import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { parseJsonBody } from './json-body.ts';

/** A tracking batch of `events` events, past the size that is read piece by piece. */
const batchText = (events: number, extra = '') =>
  `{ "batch" : [\n${Array.from({ length: events }, (_, i) => `  {"type":"track","event":"Viewed ${i}","userId":"u${i}","properties":{"path":"/p/${'x'.repeat(900)}","n":[${i},1.5e10,-0.25,true,null]}}`).join(',\n')}\n ]${extra} , "sentAt":"2026-11-27T00:00:00Z" }`;

const errorOf = (text: string) => {
  try {
    parseJsonBody(Buffer.from(text));
  } catch (error) {
    return error instanceof AppError ? { code: error.code, field: error.field } : error;
  }
  return null;
};

describe('parseJsonBody: large bodies read piece by piece', () => {
  it('reads a 100 KB batch as JSON.parse does', () => {
    const text = batchText(100, ', "context": {"library": {"name": "analytics-node"}, "ip": "1.2.3.4"}');
    expect(text.length).toBeGreaterThan(96 * 1024);
    const bytes = Buffer.from(text);
    // Never as one string: only pieces of it are decoded.
    const read = bytes.toString.bind(bytes);
    const wholeReads: unknown[] = [];
    bytes.toString = ((encoding?: BufferEncoding, start?: number, end?: number) => {
      if (start === undefined) wholeReads.push(encoding);
      return read(encoding, start, end);
    }) as typeof bytes.toString;
    expect(parseJsonBody(bytes)).toEqual(JSON.parse(text));
    expect(wholeReads).toEqual([]);
  });

  it('refuses broken large bodies as JSON.parse does: 400 invalid_json', () => {
    const good = batchText(100);
    for (const broken of [good.replace('},\n  {', '}\n  {'), good.replace('\n ]', ',\n ]'), good.slice(0, -3), `${good} x`, good.replace('"sentAt":', '"sentAt"')]) {
      expect(() => JSON.parse(broken)).toThrow();
      expect(errorOf(broken)).toEqual({ code: 'invalid_json', field: 'body' });
    }
  });

  it('names the field of a value nested too deep or a number too large, deep in a large batch', () => {
    const deep = batchText(100).replace('"n":[99,', `"n":[99,${'['.repeat(70)}${']'.repeat(70)},`);
    expect(errorOf(deep)).toEqual({ code: 'invalid_field', field: expect.stringMatching(/^batch\[99\]\.properties\.n\[1\]/) });
    expect(errorOf(batchText(100).replace('"n":[42,1.5e10', '"n":[42,1.5e400'))).toEqual({ code: 'invalid_field', field: 'batch[42].properties.n[1]' });
  });

  it('keeps a key named __proto__ an own property, as JSON.parse does', () => {
    const value = parseJsonBody(Buffer.from(batchText(100, ', "__proto__": {"polluted": true}'))) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('gives what JSON.parse gives for generated JSON, whatever the whitespace', () => {
    const space = fc.constantFrom('', ' ', '\n', '\t ', '\r\n  ');
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 4 }), { minLength: 1, maxLength: 20 }), fc.jsonValue(), space, space, (values, other, a, b) => {
        // Padding past the piecewise threshold: the generated values sit among large events.
        const padding = Array.from({ length: 110 }, (_, i) => JSON.stringify({ i, pad: 'y'.repeat(900) }));
        const items = [...values.map((v) => JSON.stringify(v)), ...padding];
        const text = `${a}{${a}"batch"${b}:${a}[${items.join(`${b},${a}`)}]${b},${a}"other"${a}:${b}${JSON.stringify(other)}${b}}${a}`;
        expect(parseJsonBody(Buffer.from(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 40 },
    );
  });

  it('reads small bodies whole, with the same errors', () => {
    expect(parseJsonBody(Buffer.from(' {"a": [1, "b"]} '))).toEqual({ a: [1, 'b'] });
    expect(errorOf('{"a": [1, "b"]')).toEqual({ code: 'invalid_json', field: 'body' });
    expect(errorOf('{"a": 1e999}')).toEqual({ code: 'invalid_field', field: 'a' });
  });
});
