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
