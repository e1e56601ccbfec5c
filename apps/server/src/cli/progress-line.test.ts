import { describe, expect, it } from 'vitest';
import { progressLine } from './progress-line.ts';

const recorder = (isTTY: boolean) => {
  const written: string[] = [];
  return { stream: { isTTY, write: (text: string) => written.push(text) }, written };
};

describe('progressLine', () => {
  it('rewrites one line on a terminal and ends it with a newline', () => {
    const { stream, written } = recorder(true);
    const progress = progressLine((n) => `loaded ${n}`, stream);
    progress.update(1);
    progress.update(2);
    progress.end();
    expect(written.join('')).toBe('\rloaded 1\rloaded 2\n');
  });

  it('writes whole lines, at most one every two seconds, into a file or a pipe', () => {
    const { stream, written } = recorder(false);
    let clock = 0;
    const progress = progressLine((n) => `loaded ${n}`, stream, () => clock);
    for (let n = 1; n <= 5; n++) {
      progress.update(n);
      clock += 900;
    }
    progress.end();
    expect(written).toEqual(['loaded 1\n', 'loaded 4\n']);
  });
});
