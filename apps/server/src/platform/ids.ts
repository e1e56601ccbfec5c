import { randomFillSync } from 'node:crypto';

/** Makes ids. Passed in as a dependency so tests can make them predictable. */
export type Ids = { readonly next: () => string };

let lastMs = 0;
let sequence = 0;
// One system call fills random bits for many ids: randomBytes per id showed up in profiles.
const POOL_IDS = 512;
const pool = Buffer.alloc(POOL_IDS * 10);
let poolAt = pool.length;

function randomTen(into: Buffer): void {
  if (poolAt >= pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  pool.copy(into, 6, poolAt, poolAt + 10);
  poolAt += 10;
}

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids sort by creation
 * time, which keeps B-tree inserts at the right edge on both engines.
 * A 12-bit counter in `rand_a` keeps ids made in the same millisecond in order.
 * @example uuidv7() // '0192f5c8-7b1e-7c3a-9f41-2d7e8a1b3c4d'
 */
export function uuidv7(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    sequence += 1;
    if (sequence > 0xfff) {
      lastMs += 1;
      sequence = 0;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    sequence = 0;
  }
  const bytes = Buffer.allocUnsafe(16);
  randomTen(bytes);
  bytes[0] = Math.floor(ms / 2 ** 40) & 0xff;
  bytes[1] = Math.floor(ms / 2 ** 32) & 0xff;
  bytes[2] = (ms >>> 24) & 0xff;
  bytes[3] = (ms >>> 16) & 0xff;
  bytes[4] = (ms >>> 8) & 0xff;
  bytes[5] = ms & 0xff;
  bytes[6] = 0x70 | ((sequence >>> 8) & 0x0f);
  bytes[7] = sequence & 0xff;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const systemIds: Ids = { next: uuidv7 };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether text has the form of an id these make (a lower-case UUID): a cursor or token can be checked before any query. */
export const isId = (text: string): boolean => UUID.test(text);
