import { describe, expect, it } from 'vitest';
import { traitFilterValue } from './trait-filter-value.ts';

describe('trait filter values', () => {
  it('reads a number however it is written, as JSON.stringify would store it', () => {
    for (const text of ['30', '30.0', '3e1', '3.0E+1', '+30', '30.', '300e-1']) expect(traitFilterValue(text), text).toMatchObject({ number: 30, literals: [JSON.stringify(text), '30'] });
    expect(traitFilterValue('1e21').literals).toEqual(['"1e21"', '1e+21']);
    expect(traitFilterValue('-0.5').number).toBe(-0.5);
    expect(traitFilterValue('.5').number).toBe(0.5);
  });

  it('leaves what is not a decimal number as text only', () => {
    for (const text of ['30px', '0x1e', ' 30', '30 ', 'Infinity', 'NaN', '', '1e400', '1_000', '.', 'e3']) expect(traitFilterValue(text), text).toMatchObject({ number: null, boolean: null, literals: [JSON.stringify(text)] });
  });

  it('names the booleans by their words only', () => {
    expect(traitFilterValue('true')).toEqual({ text: 'true', number: null, boolean: true, literals: ['"true"', 'true'] });
    expect(traitFilterValue('false').boolean).toBe(false);
    expect(traitFilterValue('TRUE').boolean).toBeNull();
    expect(traitFilterValue('1').boolean).toBeNull();
  });
});
