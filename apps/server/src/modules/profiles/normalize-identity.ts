import { IDENTITY_KIND_NAMES } from '@touchpoint/contracts/identity-kinds';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export type IdentityKind = (typeof IDENTITY_KIND_NAMES)[number];

/** Every kind, so callers can validate kinds that arrive as untyped input (the API's contract lists them). */
export const IDENTITY_KINDS: readonly IdentityKind[] = IDENTITY_KIND_NAMES;

export type NormalizedIdentity = { readonly kind: IdentityKind; readonly value: string };

/** A failure says why, so ingestion can count blocklisted junk apart from malformed data. */
export type NormalizeResult =
  | { readonly ok: true; readonly identity: NormalizedIdentity }
  | { readonly ok: false; readonly reason: 'blocklisted' | 'invalid'; readonly message: string };

const MAX_LENGTH = 255;

// Placeholders that SDKs, forms and careless code send for "no value". Stitching
// profiles on them would merge thousands of unrelated people into one.
const BLOCKLIST: ReadonlySet<string> = new Set([
  '', 'null', 'undefined', 'anonymous', 'unknown', 'none', 'n/a', 'na', 'nil',
  '0', '-1', 'guest', 'test', '[object object]', 'nan', 'false', 'true',
]);

/** True for values many people share (null, undefined, anonymous, 0, -1, empty, all zeros or dashes, "unknown", "n/a", "none", "guest", "test"...). */
export function isBlocklistedValue(value: string): boolean {
  const v = value.trim().toLowerCase();
  // Nil UUIDs and dashed placeholders such as '000-000-0000'.
  return BLOCKLIST.has(v) || /^[0-]+$/.test(v);
}

/** Normalises one raw identifier so that equal people get equal values. */
export function normalizeIdentity(
  kind: IdentityKind,
  raw: unknown,
  options?: { readonly defaultCountry?: CountryCode },
): NormalizeResult {
  if (!(IDENTITY_KINDS as readonly unknown[]).includes(kind)) {
    return invalid(`identity kind "${String(kind)}" is not known`);
  }
  let text: string;
  if (typeof raw === 'string') text = raw.trim();
  else if (typeof raw === 'number' && Number.isFinite(raw)) text = String(raw);
  else return invalid(`${kind} must be a string or a finite number, got ${describe(raw)}`);

  if (text.length > MAX_LENGTH) return invalid(`${kind} is longer than ${MAX_LENGTH} characters`);
  if (isBlocklistedValue(text)) return blocklisted(`${kind} "${text}" is a placeholder shared by many people`);

  switch (kind) {
    case 'user_id':
    case 'anonymous_id':
      // IDs come from other systems, where 'abc' and 'ABC' may be different people.
      return ok(kind, text);
    case 'email':
      return normalizeEmail(text);
    case 'phone':
      return normalizePhone(text, options?.defaultCountry);
    case 'external_id':
      return normalizePrefixed(kind, text, 'namespace', /^[a-z0-9_.-]{1,64}$/, 'id', (id) => id);
    case 'social':
      // Handles are case-insensitive on the big networks, and '@' is only decoration.
      return normalizePrefixed(kind, text, 'network', /^[a-z0-9_.-]{1,32}$/, 'handle', (h) =>
        h.replace(/^@/, '').trim().toLowerCase(),
      );
  }
}

function normalizeEmail(text: string): NormalizeResult {
  const email = text.toLowerCase();
  // Deliberately loose: we only need to reject non-addresses, not validate RFC 5322.
  // Gmail dots and +tags are kept because other providers treat them as distinct mailboxes.
  if (!/^[^\s@]+@(?:[^\s@.]+\.)+[^\s@.]+$/.test(email)) {
    return invalid(`email "${text}" is not an address`);
  }
  return ok('email', email);
}

/**
 * Parsing a phone number is the costliest normalisation (3 % of the event loop under WhatsApp
 * webhook load, where the same senders write again and again), and a pure one: results are
 * kept per default country and text, and forgotten all at once when there are too many.
 */
const phoneResults = new Map<string, NormalizeResult>();
const PHONE_RESULTS_KEPT = 10_000;

function normalizePhone(text: string, defaultCountry: CountryCode | undefined): NormalizeResult {
  const key = `${defaultCountry ?? ''}:${text}`;
  let result = phoneResults.get(key);
  if (result === undefined) {
    if (phoneResults.size >= PHONE_RESULTS_KEPT) phoneResults.clear();
    result = parsePhone(text, defaultCountry);
    phoneResults.set(key, result);
  }
  return result;
}

function parsePhone(text: string, defaultCountry: CountryCode | undefined): NormalizeResult {
  // extract: false so free text that merely contains a number is not taken as one.
  const parsed = parsePhoneNumberFromString(text, { defaultCountry, extract: false });
  if (!parsed) {
    const hint = defaultCountry ? '' : ' (no default country for a national number)';
    return invalid(`phone "${text}" is not a phone number${hint}`);
  }
  const code = parsed.countryCallingCode;
  let national = parsed.nationalNumber;
  if (code === '52') {
    // Mexico dropped the mobile '1' (and the 044/045 dialling prefixes) in 2019;
    // old CRMs still hold those forms. libphonenumber rejects them, so strip first.
    national = national.replace(/^(?:1|04[45])(?=\d{10}$)/, '');
  } else if (code === '55') {
    // Brazil prefixed a ninth digit to 8-digit mobiles (ranges 6-9); landlines (2-5) never changed.
    national = national.replace(/^(\d{2})([6-9]\d{7})$/, '$19$2');
  }
  if (isBlocklistedValue(national)) {
    return blocklisted(`phone "${text}" is a placeholder shared by many people`);
  }
  const canonical = parsePhoneNumberFromString(`+${code}${national}`, { extract: false });
  if (!canonical?.isPossible()) return invalid(`phone "${text}" has the wrong length for +${code}`);
  return ok('phone', canonical.number);
}

/** Shared shape of external_id and social: '<prefix>:<rest>', split at the first colon. */
function normalizePrefixed(
  kind: 'external_id' | 'social',
  text: string,
  prefixName: string,
  prefixPattern: RegExp,
  restName: string,
  normalizeRest: (rest: string) => string,
): NormalizeResult {
  const colon = text.indexOf(':');
  if (colon < 0) return invalid(`${kind} "${text}" has no "${prefixName}:" prefix`);
  const prefix = text.slice(0, colon).trim().toLowerCase();
  const rest = normalizeRest(text.slice(colon + 1).trim());
  if (!prefixPattern.test(prefix)) return invalid(`${kind} "${text}" has an invalid ${prefixName} "${prefix}"`);
  if (rest === '') return invalid(`${kind} "${text}" has an empty ${restName}`);
  if (isBlocklistedValue(rest)) {
    return blocklisted(`${kind} "${text}" has a placeholder ${restName} shared by many people`);
  }
  return ok(kind, `${prefix}:${rest}`);
}

function describe(raw: unknown): string {
  if (raw === null) return 'null';
  if (Array.isArray(raw)) return 'an array';
  if (typeof raw === 'number') return String(raw);
  return typeof raw;
}

function ok(kind: IdentityKind, value: string): NormalizeResult {
  return { ok: true, identity: { kind, value } };
}

function invalid(message: string): NormalizeResult {
  return { ok: false, reason: 'invalid', message };
}

function blocklisted(message: string): NormalizeResult {
  return { ok: false, reason: 'blocklisted', message };
}
