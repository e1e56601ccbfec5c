/** JSON objects as stored in text columns. */
export type JsonObject = { [key: string]: unknown };

/** Parses a stored JSON object; a damaged value reads as empty rather than failing a page. */
export function parseJsonObject(text: string | null | undefined): JsonObject {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : {};
  } catch {
    return {};
  }
}

export function isPlainObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Parses a stored JSON array of strings (skills); a damaged value reads as empty. */
export function parseStringList(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}

/** Parses a stored JSON object of numbers (capacity per channel), keeping only the numbers. */
export function parseNumberRecord(text: string): Record<string, number> {
  return Object.fromEntries(Object.entries(parseJsonObject(text)).filter((e): e is [string, number] => typeof e[1] === 'number'));
}
