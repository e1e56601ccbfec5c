import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Encrypts stored credentials (a channel's provider tokens and signing secrets) so that a copy
 * of the database — a backup, a dump, a replica — does not give them away. They cannot be
 * hashed like passwords: Touchpoint must present them to WhatsApp, Twilio or an SMTP relay.
 * AES-256-GCM; the context (which workspace and row) is authenticated too, so a sealed value
 * copied onto another row does not open there.
 */
export type SecretBox = {
  readonly seal: (plaintext: string, context: string) => string;
  /** The plaintext; throws when the key or the context is not the one it was sealed with. */
  readonly open: (sealed: string, context: string) => string;
};

/** How every sealed value begins (the format's version). */
export const SEALED_PREFIX = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
  return {
    seal: (plaintext, context) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return SEALED_PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
    },
    open: (sealed, context) => {
      if (!sealed.startsWith(SEALED_PREFIX)) throw new Error('not a sealed value');
      const bytes = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64');
      if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value too short');
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    },
  };
}

export const isSealed = (value: string): boolean => value.startsWith(SEALED_PREFIX);

/** What TOUCHPOINT_SECRET_KEY must be (said without the value: it is a secret). */
export const SECRET_KEY_FORMAT = 'TOUCHPOINT_SECRET_KEY must be 32 bytes, as 64 hex digits or base64 (openssl rand -hex 32)';

/**
 * The 32 bytes a key is written as (64 hex digits, or base64 or base64url), else null.
 * Node's base64 decoder skips characters it does not know: they are refused here instead.
 * @example secretKeyOf('00'.repeat(32))?.length // 32
 */
export function secretKeyOf(value: string): Buffer | null {
  const v = value.trim();
  if (/^[0-9a-f]{64}$/i.test(v)) return Buffer.from(v, 'hex');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) return null;
  const key = Buffer.from(v, 'base64');
  return key.length === 32 ? key : null;
}

/**
 * The key: TOUCHPOINT_SECRET_KEY (32 bytes, base64 or hex) when set — what several servers
 * sharing one PostgreSQL database must all be given — else `secret.key` in the data folder,
 * made on first start, readable by its owner only. Keep it out of database backups.
 */
export function loadSecretKey(fromEnv: string | undefined, dataDir: string): Buffer {
  if (fromEnv) {
    const key = secretKeyOf(fromEnv);
    if (!key) throw new Error(SECRET_KEY_FORMAT);
    return key;
  }
  const file = path.join(dataDir, 'secret.key');
  fs.mkdirSync(dataDir, { recursive: true });
  if (!fs.existsSync(file)) {
    // Written aside, then linked into place: of two processes starting together on one data
    // folder, one key wins whole and both read it (a link never replaces an existing file).
    const draft = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(draft, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
    try {
      fs.linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      fs.rmSync(draft, { force: true });
    }
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte key (base64)`);
  return key;
}
