/**
 * Whether a request's Accept-Encoding takes gzip (RFC 9110 §12.5.3): gzip (or its alias x-gzip)
 * named with a weight above zero, or `*` above zero where gzip is not named. `gzip;q=0` refuses
 * it. A request without the header gets the bytes as they are: it has not said it can decode.
 * @example acceptsGzip('br, gzip;q=0.8') // true
 */
export function acceptsGzip(header: string | readonly string[] | undefined): boolean {
  if (header === undefined) return false;
  let anyCoding = false;
  for (const item of (typeof header === 'string' ? header : header.join(',')).split(',')) {
    const [coding = '', ...params] = item.split(';');
    const name = coding.trim().toLowerCase();
    if (name === 'gzip' || name === 'x-gzip') return weight(params) > 0;
    if (name === '*') anyCoding = weight(params) > 0;
  }
  return anyCoding;
}

/** An item's `q`, 1 when it has none; one that is not a number counts as 0, a refusal. */
function weight(params: readonly string[]): number {
  for (const param of params) {
    const [key = '', value = ''] = param.split('=');
    if (key.trim().toLowerCase() !== 'q') continue;
    const q = Number(value.trim());
    return value.trim() !== '' && Number.isFinite(q) ? q : 0;
  }
  return 1;
}
