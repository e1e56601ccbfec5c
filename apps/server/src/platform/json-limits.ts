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

/** What one pass over a JSON value's bytes tells, before any walk over what JSON.parse made of it. */
export type JsonShape = {
  /** Where the value ends (the index after its last byte). */
  readonly end: number;
  /** How deep its objects and arrays nest (the outermost counts as 1, as in findTooDeep). */
  readonly depth: number;
  /** Whether some number in it may lie past a double's range (then findNonFinite decides). */
  readonly mayOverflow: boolean;
};

/** The bytes that give JSON its structure (json-body.ts takes bodies apart by them too). */
export const QUOTE = 34;
export const OPEN_OBJECT = 123;
export const OPEN_ARRAY = 91;
export const CLOSE_OBJECT = 125;
export const CLOSE_ARRAY = 93;
const BACKSLASH = 92;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const LOWER_E = 101;
const UPPER_E = 69;
/** log10 of the largest double, rounded up: a number below 10^309 with fewer digits fits. */
const DOUBLE_DIGITS = 308;

/**
 * One pass over the JSON value that starts at `start` (no whitespace before it): where it
 * ends, how deep it nests, and whether a number in it could be past a double's range. A
 * number's magnitude is below 10^(integer digits after leading zeros + exponent), so only a
 * number where that sum passes 308 can overflow: the pass never misses one, and flags few
 * that fit (1e308), which the walk then clears. It reads valid JSON right; on anything else
 * its answer is only good for refusing, and JSON.parse decides.
 * @example scanJsonValue(Buffer.from('{"a":[1e400]}'), 0) // { end: 13, depth: 2, mayOverflow: true }
 */
export function scanJsonValue(bytes: Buffer, start: number): JsonShape {
  let depth = 0;
  let deepest = 0;
  let mayOverflow = false;
  const n = bytes.length;
  let i = start;
  while (i < n) {
    const c = bytes[i];
    if (c === QUOTE) i = closingQuote(bytes, i) + 1;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      if (depth > deepest) deepest = depth;
      i++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      i++;
    } else if (c === MINUS || isDigit(c)) {
      // A number: integer digits past the leading zeros, then the exponent, if any.
      if (c === MINUS) i++;
      while (bytes[i] === ZERO) i++;
      const integer = i;
      while (isDigit(bytes[i])) i++;
      const digits = i - integer;
      if (bytes[i] === DOT) {
        i++;
        while (isDigit(bytes[i])) i++;
      }
      let exponent = 0;
      if (bytes[i] === LOWER_E || bytes[i] === UPPER_E) {
        i++;
        const sign = bytes[i] === MINUS ? -1 : 1;
        if (bytes[i] === MINUS || bytes[i] === PLUS) i++;
        // Capped: past a million it only matters that it is large.
        for (; isDigit(bytes[i]); i++) exponent = Math.min(exponent * 10 + bytes[i] - ZERO, 1e6);
        exponent *= sign;
      }
      if (digits + exponent > DOUBLE_DIGITS) mayOverflow = true;
    } else if (isLetter(c)) {
      while (isLetter(bytes[i])) i++; // true, false, null
    } else i++; // whitespace, commas, colons
    if (depth === 0) break;
  }
  return { end: Math.min(i, n), depth: deepest, mayOverflow };
}

// An index past the end reads undefined: neither is true there.
const isDigit = (c: number | undefined) => c !== undefined && c >= ZERO && c <= NINE;
const isLetter = (c: number | undefined) => c !== undefined && c >= 97 && c <= 122;

/** The closing quote of the string opened at `start`: the next quote not escaped by an odd run of backslashes (the last index when there is none). */
function closingQuote(bytes: Buffer, start: number): number {
  for (let quote = bytes.indexOf(QUOTE, start + 1); quote >= 0; quote = bytes.indexOf(QUOTE, quote + 1)) {
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
  return bytes.length - 1;
}

/**
 * Refuses (400 invalid_field, naming where) a parsed request body that nests past
 * MAX_JSON_DEPTH or holds a number past a double's range. Depth first: the number walk, like
 * every later check, recurses. Given the body's shape (scanJsonValue over its bytes), a walk
 * runs only when the shape says it could find something.
 */
export function refuseUnusableJson(value: unknown, shape?: JsonShape): void {
  const deep = shape === undefined || shape.depth > MAX_JSON_DEPTH ? findTooDeep(value) : null;
  if (deep !== null) throw new AppError('invalid_field', `${deep} ${TOO_DEEP}`, deep);
  const infinite = shape === undefined || shape.mayOverflow ? findNonFinite(value) : null;
  if (infinite !== null) throw new AppError('invalid_field', `${infinite} ${NOT_FINITE}`, infinite);
}
