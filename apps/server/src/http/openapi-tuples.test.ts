import { Type } from '@sinclair/typebox';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { tuplesAsPrefixItems } from './openapi-tuples.ts';

describe('tuplesAsPrefixItems', () => {
  it('turns draft-07 tuples, however deep, into 2020-12 ones that a 2020-12 validator compiles', () => {
    const range = Type.Tuple([Type.String(), Type.String()]);
    const schema = Type.Object({ weekly: Type.Object({ mon: Type.Array(range) }), ids: Type.Tuple([Type.String(), Type.String()]) });
    const converted = tuplesAsPrefixItems(JSON.parse(JSON.stringify(schema)));
    expect(converted.properties.ids).toMatchObject({ prefixItems: [{ type: 'string' }, { type: 'string' }], items: false, minItems: 2, maxItems: 2 });
    expect(converted.properties.ids).not.toHaveProperty('additionalItems');
    const validate = new Ajv2020({ strict: false }).compile(converted);
    expect(validate({ weekly: { mon: [['09:00', '17:00']] }, ids: ['a', 'b'] })).toBe(true);
    expect(validate({ weekly: { mon: [['09:00', 17]] }, ids: ['a', 'b'] })).toBe(false);
    expect(validate({ weekly: { mon: [] }, ids: ['a', 'b', 'c'] })).toBe(false);
  });
});
