import { Type, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';

/** Replies send times as ISO strings. */
export const Time = Type.String({ format: 'date-time' });

/** Replies never leave a field out: an absent value is null. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * A reply object with exactly these fields: the server builds each from a fixed view, so an
 * unlisted field in a reply is drift that the response contract test reports.
 */
export const View = <P extends TProperties>(properties: P, options: { description?: string } = {}): TObject<P> =>
  Type.Object(properties, { ...options, additionalProperties: false });

/** `{ data }`: a whole list. */
export const ListOf = <T extends TSchema>(item: T) => View({ data: Type.Array(item) });

/** `{ data, nextCursor }`: one page; pass `nextCursor` back as `cursor` (or `after`) for the next, null at the end. */
export const PageOf = <T extends TSchema>(item: T) => View({ data: Type.Array(item), nextCursor: Nullable(Type.String()) });
