/**
 * OpenAPI 3.1 speaks JSON Schema 2020-12, where a tuple is `prefixItems`; TypeBox writes
 * draft-07's `items: [...]` with `additionalItems`, which the request validator (Ajv, draft-07)
 * needs. The served document gets the 2020-12 form, so its readers' validators accept it.
 */
export function tuplesAsPrefixItems<T>(node: T): T {
  if (Array.isArray(node)) return node.map(tuplesAsPrefixItems) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = tuplesAsPrefixItems(value);
  if (Array.isArray(out.items)) {
    out.prefixItems = out.items;
    out.items = out.additionalItems ?? false;
    delete out.additionalItems;
  }
  return out as T;
}
