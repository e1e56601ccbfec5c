import { describe, expect, it } from 'vitest';
import { signMetaBody, verifyMetaSignature } from './verify-signature.ts';

// Meta publishes no vector; GitHub's X-Hub-Signature-256 is the identical scheme (REFERENCE.md).
const SECRET = "It's a Secret to Everybody";
const BODY = Buffer.from('Hello, World!');
const SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

describe('verifyMetaSignature', () => {
  it('accepts the published vector', () => {
    expect(verifyMetaSignature(SECRET, BODY, SIGNATURE)).toBe(true);
    expect(signMetaBody(SECRET, BODY)).toBe(SIGNATURE);
  });

  it('accepts upper-case hex', () => {
    expect(verifyMetaSignature(SECRET, BODY, 'sha256=' + SIGNATURE.slice(7).toUpperCase())).toBe(true);
  });

  it.each([
    ['a missing header', SECRET, BODY, undefined],
    ['an empty header', SECRET, BODY, ''],
    ['a repeated header', SECRET, BODY, [SIGNATURE, SIGNATURE]],
    ['the wrong secret', 'another secret', BODY, SIGNATURE],
    ['an empty secret', '', BODY, SIGNATURE],
    ['an altered body', SECRET, Buffer.from('Hello, World?'), SIGNATURE],
    ['a re-serialised body', SECRET, Buffer.from(' Hello, World!'), SIGNATURE],
    ['a truncated signature', SECRET, BODY, SIGNATURE.slice(0, -2)],
    ['a bare prefix', SECRET, BODY, 'sha256='],
    ['the SHA-1 header scheme', SECRET, BODY, 'sha1=' + SIGNATURE.slice(7)],
    ['no prefix', SECRET, BODY, SIGNATURE.slice(7)],
    ['non-hex characters', SECRET, BODY, SIGNATURE.slice(0, -1) + 'g'],
    ['a longer signature', SECRET, BODY, SIGNATURE + '00'],
  ])('rejects %s', (_case, secret, body, header) => {
    expect(verifyMetaSignature(secret, body, header as string | string[] | undefined)).toBe(false);
  });
});
