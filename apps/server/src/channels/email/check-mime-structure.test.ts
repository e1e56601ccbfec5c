import { describe, expect, it } from 'vitest';
import { checkMimeStructure, MIME_LIMITS } from './check-mime-structure.ts';

const nested = (depth: number, nl = '\r\n'): string => {
  let body = `Content-Type: text/plain${nl}${nl}deep${nl}`;
  for (let i = depth - 1; i >= 1; i--) body = `Content-Type: multipart/mixed; boundary="b${i}"${nl}${nl}--b${i}${nl}${body}--b${i}--${nl}`;
  return `From: a@example.com${nl}${body}`;
};

const manyParts = (n: number) =>
  `From: a@example.com\r\nContent-Type: multipart/mixed;\r\n boundary=XX\r\n\r\n${Array.from({ length: n }, (_, i) => `--XX\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('')}--XX--\r\n`;

describe('checkMimeStructure', () => {
  it('accepts plain and ordinary multipart mail', () => {
    expect(checkMimeStructure(Buffer.from('From: a@example.com\r\nSubject: hi\r\n\r\nHello\r\n'))).toBeNull();
    expect(checkMimeStructure(Buffer.from('From: a@example.com\r\nSubject: no body'))).toBeNull();
    expect(checkMimeStructure(Buffer.from(manyParts(10)))).toBeNull();
    expect(checkMimeStructure(Buffer.from(nested(MIME_LIMITS.maxDepth)))).toBeNull();
    expect(checkMimeStructure(Buffer.from(nested(MIME_LIMITS.maxDepth, '\n')))).toBeNull();
  });

  it('refuses nesting deeper than the limit, through multiparts and attached messages', () => {
    expect(checkMimeStructure(Buffer.from(nested(MIME_LIMITS.maxDepth + 1)))).toMatchObject({ limit: 'depth' });
    expect(checkMimeStructure(Buffer.from(nested(MIME_LIMITS.maxDepth + 1, '\n')))).toMatchObject({ limit: 'depth' });
    let message = 'Subject: innermost\r\n\r\nhi\r\n';
    for (let i = 0; i < 25; i++) message = `Content-Type: message/rfc822\r\n\r\n${message}`;
    expect(checkMimeStructure(Buffer.from(message))).toMatchObject({ limit: 'depth' });
  });

  it('refuses more parts than the limit, counting the containers', () => {
    expect(checkMimeStructure(Buffer.from(manyParts(MIME_LIMITS.maxParts - 1)))).toBeNull();
    expect(checkMimeStructure(Buffer.from(manyParts(MIME_LIMITS.maxParts)))).toMatchObject({ limit: 'parts' });
    expect(checkMimeStructure(Buffer.from(manyParts(20)), { maxDepth: 5, maxParts: 5 })).toMatchObject({ limit: 'parts' });
  });

  it('reads an unterminated multipart and ignores boundary text that is not at a line start', () => {
    const raw = 'Content-Type: multipart/mixed; boundary=Q\r\n\r\n--Q\r\nContent-Type: text/plain\r\n\r\nsee --Q in text\r\n--Q\r\n\r\nlast';
    expect(checkMimeStructure(Buffer.from(raw), { maxDepth: 5, maxParts: 3 })).toBeNull();
    expect(checkMimeStructure(Buffer.from(raw), { maxDepth: 5, maxParts: 2 })).toMatchObject({ limit: 'parts' });
  });

  it('stays fast on a large message', () => {
    const big = Buffer.from(`Content-Type: multipart/mixed; boundary=Z\r\n\r\n--Z\r\nContent-Type: application/octet-stream\r\n\r\n${'A'.repeat(20 * 1024 * 1024)}\r\n--Z--\r\n`);
    const started = performance.now();
    expect(checkMimeStructure(big)).toBeNull();
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
