// Requests built from the server's own OpenAPI document, for sweeps over every operation.
export type Schema = { $ref?: string; type?: string | string[]; format?: string; enum?: unknown[]; const?: unknown; anyOf?: Schema[]; oneOf?: Schema[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; minItems?: number; minLength?: number };
export type Operation = { parameters?: { name: string; in: string; schema?: Schema }[]; requestBody?: { content?: Record<string, { schema?: Schema }> } };
export type OpenApi = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } };

export function resolve(spec: OpenApi, schema: Schema | undefined): Schema | undefined {
  if (!schema?.$ref) return schema;
  return spec.components?.schemas?.[schema.$ref.split('/').pop() ?? ''];
}

/**
 * A body that passes the operation's schema, so the request reaches the handler's own lookups:
 * every required property with a plain value of its type, and every property that names an id
 * (`…Id`, `…Ids`, `ids`) given `id` — A's, sent with B's key.
 */
export function sampleBody(spec: OpenApi, schema: Schema, id: string): unknown {
  const value = (s: Schema | undefined, name: string): unknown => {
    const r = resolve(spec, s);
    if (!r) return 'x';
    if (/Ids$|^ids$/.test(name)) return [id, id];
    // A provider's id is the caller's own text, not one of Touchpoint's ids.
    if (/Id$/.test(name) && name !== 'externalId') return id;
    if (r.const !== undefined) return r.const;
    if (r.enum) return r.enum[0];
    const option = r.anyOf ?? r.oneOf;
    if (option) return value(option.find((o) => resolve(spec, o)?.type !== 'null') ?? option[0], name);
    const type = [r.type ?? 'string'].flat().find((t) => t !== 'null') ?? 'string';
    if (type === 'object') return Object.fromEntries(Object.entries(r.properties ?? {}).filter(([k]) => r.required?.includes(k) || /Ids?$|^ids$/.test(k)).map(([k, p]) => [k, value(p, k)]));
    if (type === 'array') return Array.from({ length: r.minItems ?? 0 }, () => value(r.items, name));
    if (type === 'integer' || type === 'number') return 1;
    if (type === 'boolean') return true;
    if (r.format === 'email') return 'sweep@example.com';
    if (r.format === 'date-time') return new Date(Date.now() + 3_600_000).toISOString();
    return 'x'.repeat(Math.max(1, r.minLength ?? 1));
  };
  return value(schema, '');
}
