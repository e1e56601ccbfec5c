import { describe, expect, it } from 'vitest';
import { splitText } from './split-text.ts';

describe('splitText', () => {
  it('splits long text at spaces, else at the limit', () => {
    expect(splitText('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(splitText('x'.repeat(10), 4)).toEqual(['xxxx', 'xxxx', 'xx']);
    expect(splitText('  ', 10)).toEqual([]);
  });

  it('never cuts an emoji in half', () => {
    const pieces = splitText('xxx🙂🙂', 4);
    expect(pieces).toEqual(['xxx', '🙂🙂']);
    expect(pieces.join('')).toBe('xxx🙂🙂');
  });
});
