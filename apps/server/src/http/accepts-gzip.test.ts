import { describe, expect, it } from 'vitest';
import { acceptsGzip } from './accepts-gzip.ts';

describe('acceptsGzip', () => {
  it('takes gzip when it is named, its alias, or any coding is welcome', () => {
    for (const header of ['gzip', 'gzip, deflate, br', 'br;q=1.0, GZIP;q=0.5', 'x-gzip', '*', 'identity, *;q=0.1', ['deflate', 'gzip']]) {
      expect(acceptsGzip(header), String(header)).toBe(true);
    }
  });

  it('does not when it is refused, not named, or the header is missing', () => {
    for (const header of [undefined, '', 'identity', 'br, deflate', 'gzip;q=0', 'gzip; q=0.000', '*;q=0', 'gzip;q=0, *', 'gzip;q=nope', 'gzip;q=', 'gzipped']) {
      expect(acceptsGzip(header), String(header)).toBe(false);
    }
  });

  it('lets a named gzip decide over a star, whichever comes first', () => {
    expect(acceptsGzip('*, gzip;q=0')).toBe(false);
    expect(acceptsGzip('*;q=0, gzip')).toBe(true);
  });
});
