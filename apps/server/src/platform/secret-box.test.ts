import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSecretBox, loadSecretKey } from './secret-box.ts';

describe('the secret box', () => {
  const box = createSecretBox(randomBytes(32));

  it('seals to text that opens only with the same key and context', () => {
    const sealed = box.seal('{"accessToken":"EAAG-token"}', 'channel:w1:c1');
    expect(sealed).toMatch(/^v1:[A-Za-z0-9+/=]+$/);
    expect(sealed).not.toContain('EAAG');
    expect(box.seal('same', 'ctx')).not.toBe(box.seal('same', 'ctx'));
    expect(box.open(sealed, 'channel:w1:c1')).toBe('{"accessToken":"EAAG-token"}');
    expect(() => box.open(sealed, 'channel:w2:c1')).toThrow();
    expect(() => createSecretBox(randomBytes(32)).open(sealed, 'channel:w1:c1')).toThrow();
    const tampered = sealed.slice(0, -6) + (sealed.at(-6) === 'A' ? 'B' : 'A') + sealed.slice(-5);
    expect(() => box.open(tampered, 'channel:w1:c1')).toThrow();
  });

  it('keeps its key in the data folder, owner-only, the same on every start; an environment key wins', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-key-'));
    try {
      const first = loadSecretKey(undefined, dir);
      expect(first).toHaveLength(32);
      expect(fs.statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
      expect(loadSecretKey(undefined, dir).equals(first)).toBe(true);
      const hex = randomBytes(32).toString('hex');
      expect(loadSecretKey(hex, dir).toString('hex')).toBe(hex);
      expect(loadSecretKey(Buffer.from(hex, 'hex').toString('base64'), dir).toString('hex')).toBe(hex);
      expect(() => loadSecretKey('too-short', dir)).toThrow(/32 bytes/);
      expect(fs.readdirSync(dir)).toEqual(['secret.key']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
