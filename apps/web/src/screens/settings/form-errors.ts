import { ApiError, errorMessage } from '../../api/client.ts';

/** What is wrong with a settings form, by field, and a refusal no field of the form explains. */
export type FormErrors = { readonly fields: Readonly<Record<string, string>>; readonly other: unknown };

/**
 * Puts a settings form's errors on its fields. `checks` are the rules the form knows (each
 * field's message, or null when it is right), shown once the person has tried to save; a save
 * the server refused goes on the field it names, if the form has it, in plain words (or in the
 * form's own words from `say`), else to the box under the form.
 * @example formErrors({ key: 'Use lower-case letters' }, true, null, ['name', 'key']) // { fields: { key: 'Use lower-case letters' }, other: null }
 */
export function formErrors(
  checks: Readonly<Record<string, string | null>>,
  tried: boolean,
  saveError: unknown,
  fields: readonly string[],
  say: Readonly<Record<string, string>> = {},
): FormErrors {
  const found: Record<string, string> = {};
  if (tried) for (const [field, message] of Object.entries(checks)) if (message) found[field] = message;
  let other: unknown = saveError ?? null;
  if (saveError instanceof ApiError && saveError.field && fields.includes(saveError.field)) {
    // The form's words for a broken rule; the server's for the rest (a key already taken).
    found[saveError.field] ??= saveError.code === 'invalid_field' && say[saveError.field] ? say[saveError.field]! : errorMessage(saveError);
    other = null;
  }
  return { fields: found, other };
}

/** Team and business-unit keys, as the API takes them. */
export const KEY_PATTERN = /^[a-z0-9_-]{1,50}$/;
export const KEY_RULE = 'Use lower-case letters, digits, - and _ only (up to 50)';
/** The API's check of an email address: something@something.something. */
export const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
