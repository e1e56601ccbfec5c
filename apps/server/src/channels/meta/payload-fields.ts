/** Defensive reads of a provider's JSON: a field of the wrong type reads as absent, never throws. */
export type Fields = Readonly<Record<string, unknown>>;

export const objectAt = (value: unknown, key: string): Fields => {
  const field = isFields(value) ? value[key] : undefined;
  return isFields(field) ? field : {};
};

export const listAt = (value: unknown, key: string): readonly unknown[] => {
  const field = isFields(value) ? value[key] : undefined;
  return Array.isArray(field) ? field : [];
};

/** A string field; numbers are accepted too (Meta sends some ids and timestamps either way). */
export const textAt = (value: unknown, key: string): string | null => {
  const field = isFields(value) ? value[key] : undefined;
  if (typeof field === 'string') return field;
  if (typeof field === 'number' && Number.isFinite(field)) return String(field);
  return null;
};

export const numberAt = (value: unknown, key: string): number | null => {
  const text = textAt(value, key);
  const n = text === null ? NaN : Number(text);
  return Number.isFinite(n) ? n : null;
};

export function isFields(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
