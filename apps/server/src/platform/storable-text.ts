/** What to tell a client whose text cannot be stored. */
export const UNSTORABLE_TEXT = 'must be valid Unicode text without NUL characters or lone surrogates';
// Code units, no `u` flag: a NUL, a high surrogate with no low one after it, or a low one alone.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The dotted path of the first string (or key) that is not storable text, or null.
 * Both engines must store and index what we accept: PostgreSQL text cannot hold U+0000 (one
 * NUL would fail a whole group commit), and its jsonb refuses lone surrogates (one would break
 * trait search for the whole workspace). Every writer of outside text checks with this first.
 * @example findUnstorableText({ traits: { name: 'a\u0000b' } }, '') // 'traits.name'
 */
export function findUnstorableText(value: unknown, at: string): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? at : null;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findUnstorableText(item, `${at}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const here = at ? `${at}.${key}` : key;
      if (UNSTORABLE.test(key)) return here;
      const found = findUnstorableText(item, here);
      if (found !== null) return found;
    }
  }
  return null;
}

const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/**
 * The value with every string (and key) made storable: NULs dropped, lone surrogates replaced
 * by U+FFFD. For what a provider delivers: refusing it would fail the whole delivery, and the
 * provider's retries with it, so one bad character would cost the messages beside it.
 * @example storableCopy({ text: 'a\u0000b' }) // { text: 'ab' }
 */
export function storableCopy<T>(value: T): T {
  if (typeof value === 'string') return value.replace(UNSTORABLE_ALL, (c) => (c === '\u0000' ? '' : '\ufffd')) as T;
  if (Array.isArray(value)) return value.map(storableCopy) as T;
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [storableCopy(key), storableCopy(item)])) as T;
  }
  return value;
}
