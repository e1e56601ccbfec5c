/**
 * A profile's order amounts, summed per currency (ISO 4217 code → amount in its major unit):
 * `{ "EUR": 120.5, "GBP": 30 }`. Amounts in different currencies never add up to one number,
 * and Touchpoint keeps no exchange rates to pretend otherwise. A currency whose orders and
 * refunds cancel out is left out.
 */
export type Revenue = Readonly<Record<string, number>>;

export const NO_REVENUE: Revenue = Object.freeze({});

/** A currency as orders may name it: three letters, any case (Segment's `currency` property). */
const CURRENCY_CODE = /^[A-Za-z]{3}$/;

/** The currency an order names in its `currency` property, upper-cased; null when it names none. */
export function currencyCode(value: unknown): string | null {
  return typeof value === 'string' && CURRENCY_CODE.test(value) ? value.toUpperCase() : null;
}

/**
 * `revenue` with `amount` added in `currency`, as a new object: profile states are copied
 * shallowly (the profile cache, a merge's two sides), so a sum is never changed in place.
 * Sums are rounded to the currency's minor unit each time, so 0.1 + 0.2 stays 0.3.
 */
export function addRevenue(revenue: Revenue, currency: string, amount: number): Revenue {
  if (amount === 0) return revenue;
  const sum = roundToMinorUnit((revenue[currency] ?? 0) + amount, currency);
  const next: Record<string, number> = { ...revenue };
  if (sum === 0) delete next[currency];
  else next[currency] = sum;
  return next;
}

/** Both profiles' revenue, currency by currency (a merge). */
export function sumRevenue(a: Revenue, b: Revenue): Revenue {
  let sum = a;
  for (const [currency, amount] of Object.entries(b)) sum = addRevenue(sum, currency, amount);
  return sum;
}

/** Revenue as a profile row stores it (JSON text); anything else reads as none. */
export function parseRevenue(text: string | null | undefined): Revenue {
  if (!text || text === '{}') return NO_REVENUE;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return NO_REVENUE;
    const revenue: Record<string, number> = {};
    for (const [currency, amount] of Object.entries(value)) {
      if (CURRENCY_CODE.test(currency) && typeof amount === 'number' && Number.isFinite(amount)) revenue[currency.toUpperCase()] = amount;
    }
    return revenue;
  } catch {
    return NO_REVENUE;
  }
}

const minorDigits = new Map<string, number>();

/** Rounds to the currency's smallest unit: cents for EUR, none for JPY, fils (three digits) for KWD. */
export function roundToMinorUnit(amount: number, currency: string): number {
  let digits = minorDigits.get(currency);
  if (digits === undefined) {
    // Intl knows each ISO 4217 currency's minor unit; a code it does not know gets two.
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    minorDigits.set(currency, digits);
  }
  const scale = 10 ** digits;
  const scaled = amount * scale;
  // Past 2^53 a double holds no fraction to round (and scaling it would lose units).
  return Math.abs(scaled) < Number.MAX_SAFE_INTEGER ? Math.round(scaled) / scale : amount;
}
