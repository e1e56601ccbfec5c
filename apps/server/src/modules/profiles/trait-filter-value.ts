/**
 * What a customer-list filter value (`?trait.seats=30`) stands for: a string trait matches its
 * exact text, a number trait the same number however either is written (`30`, `30.0`, `3e1`),
 * a boolean trait `true` or `false`. `literals` are those trait values as JSON.stringify writes
 * them, which is how traits are stored (profile-state.ts rowFromState): SQLite's text index
 * seeks them, PostgreSQL's jsonb containment compares them.
 */
export type TraitFilterValue = {
  readonly text: string;
  /** The number the value writes in decimal, or null: `30px`, `0x1e`, `Infinity` are text only. */
  readonly number: number | null;
  readonly boolean: boolean | null;
  readonly literals: readonly string[];
};

// A decimal number with an optional exponent; a JSON number, with `+30`, `.5` and `30.` too.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * @example traitFilterValue('3e1') // { text: '3e1', number: 30, boolean: null, literals: ['"3e1"', '30'] }
 */
export function traitFilterValue(text: string): TraitFilterValue {
  const parsed = DECIMAL.test(text) ? Number(text) : NaN;
  // A number too large for a double is no trait's value: JSON.stringify writes Infinity as null.
  const number = Number.isFinite(parsed) ? parsed : null;
  const boolean = text === 'true' ? true : text === 'false' ? false : null;
  const literals = [JSON.stringify(text), ...(number === null ? [] : [JSON.stringify(number)]), ...(boolean === null ? [] : [String(boolean)])];
  return { text, number, boolean, literals };
}
