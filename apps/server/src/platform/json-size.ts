/**
 * Whether `value` (as JSON.parse made it) serialises to at most `limit` UTF-8 bytes.
 *
 * A batch over 32 KB must be checked item by item against Segment's 32 KB per event. Serialising
 * every item to measure it was about a sixteenth of the server's CPU under batch ingest, and
 * almost every item is a small fraction of the limit. So a bound comes first: a walk that adds
 * up the most bytes each part could take (a string at most six per UTF-16 unit, as `\uXXXX`; a
 * number at most 24 characters). Only an item whose bound passes the limit is serialised and
 * measured exactly. `value` must nest no deeper than MAX_JSON_DEPTH (decodeBody checks first).
 */
export function jsonFitsIn(value: unknown, limit: number): boolean {
  return boundWithin(value, limit) || Buffer.byteLength(JSON.stringify(value) ?? '') <= limit;
}

/** True when the bound on value's JSON length stays within limit; false when it passes it. */
function boundWithin(value: unknown, limit: number): boolean {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') total += 2 + 6 * v.length;
    else if (typeof v === 'number') total += 24;
    else if (v === null || typeof v !== 'object') total += 5;
    else if (Array.isArray(v)) {
      total += 2 + v.length;
      for (const item of v) stack.push(item);
    } else {
      total += 2;
      for (const key in v) {
        total += 4 + 6 * key.length;
        stack.push((v as Record<string, unknown>)[key]);
      }
    }
    if (total > limit) return false;
  }
  return true;
}
