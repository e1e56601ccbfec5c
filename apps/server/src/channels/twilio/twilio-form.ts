/** Twilio's POST parameters as sent (application/x-www-form-urlencoded); a name repeated keeps every value. */
export type TwilioParams = Readonly<Record<string, string | readonly string[]>>;

/** Parses the raw form body Twilio signed; nothing is dropped, so the signature can be checked over it. */
export function parseTwilioForm(raw: Buffer | string | undefined): TwilioParams {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(raw === undefined ? '' : raw.toString('utf8'))) {
    const seen = params[name];
    if (seen === undefined) params[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else params[name] = [seen, value];
  }
  return params;
}

/**
 * One parameter's (first) value, as text both engines can store: a NUL, which an SMS can carry
 * but PostgreSQL text cannot, is dropped (decoding already replaced invalid UTF-8).
 */
export function param(params: TwilioParams, name: string): string | undefined {
  const value = params[name];
  const first = typeof value === 'string' ? value : value?.[0];
  return first?.replace(/\u0000/g, '');
}
