import { AppError } from './errors.ts';

// Limits on request JSON that JSON.parse does not enforce.

/**
 * How deep request JSON may nest. Real events and API bodies nest a handful of levels, while
 * every recursive walk over a value (serialising it for storage, validating it, checking its
 * text) overflows the stack somewhere past 4,000 levels: a 12 KB body of brackets answered 500.
 */
export const MAX_JSON_DEPTH = 64;

/** What to tell a client whose JSON nests too deep. */
const TOO_DEEP = `nests deeper than ${MAX_JSON_DEPTH} levels`;

type Frame = { readonly value: object; readonly depth: number; readonly parent: Frame | null; readonly key: string | number };

/**
 * The path (`properties.a[0]`) of the first object or array nested deeper than MAX_JSON_DEPTH,
 * or null. Iterative, so it cannot overflow the stack it protects; visits containers only.
 * @example findTooDeep({ a: [[1]] }, 2) // 'a[0]'
 */
export function findTooDeep(value: unknown, max = MAX_JSON_DEPTH): string | null {
  if (value === null || typeof value !== 'object') return null;
  const stack: Frame[] = [{ value, depth: 1, parent: null, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    if (frame.depth > max) return pathOf(frame);
    const children = Array.isArray(frame.value) ? frame.value.entries() : Object.entries(frame.value);
    for (const [key, child] of children) {
      if (child !== null && typeof child === 'object') stack.push({ value: child, depth: frame.depth + 1, parent: frame, key });
    }
  }
  return null;
}

function pathOf(frame: Frame): string {
  const keys: (string | number)[] = [];
  for (let f: Frame | null = frame; f?.parent; f = f.parent) keys.push(f.key);
  return keys.reverse().reduce<string>((path, key) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key), '');
}

/** What to tell a client whose number JSON.parse turned into Infinity (1e400). */
const NOT_FINITE = 'must be a number a 64-bit float can hold (at most about 1.8e308)';

/**
 * The path of the first number that is not finite (JSON allows 1e400; JavaScript reads it as
 * Infinity and would store it as null), or null. `value` nests no deeper than MAX_JSON_DEPTH.
 */
export function findNonFinite(value: unknown, at = ''): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : at || 'body';
  if (value === null || typeof value !== 'object') return null;
  for (const [key, child] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
    const found = findNonFinite(child, typeof key === 'number' ? `${at}[${key}]` : at ? `${at}.${key}` : key);
    if (found !== null) return found;
  }
  return null;
}

/** Only JSON text matching this can hold a number past a double's range: the walk is skipped otherwise. */
export const MAY_OVERFLOW = /\d[eE]\+?\d{3}|\d{309}/;

/**
 * Refuses (400 invalid_field, naming where) a parsed request body that nests past
 * MAX_JSON_DEPTH or holds a number past a double's range. Depth first: the number walk, like
 * every later check, recurses. Given the body's text, the number walk runs only when
 * MAY_OVERFLOW says it could find something.
 */
export function refuseUnusableJson(value: unknown, text?: string): void {
  const deep = findTooDeep(value);
  if (deep !== null) throw new AppError('invalid_field', `${deep} ${TOO_DEEP}`, deep);
  const infinite = text === undefined || MAY_OVERFLOW.test(text) ? findNonFinite(value) : null;
  if (infinite !== null) throw new AppError('invalid_field', `${infinite} ${NOT_FINITE}`, infinite);
}
