import { Type, type Static } from '@sinclair/typebox';

/**
 * Every error reply: `{ "error": { "code", "message", "field"? } }`.
 * @example { "error": { "code": "missing_field", "message": "userId or anonymousId is required", "field": "batch[2].userId" } }
 */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable machine-readable code, e.g. invalid_field, unauthorized, customer_not_found' }),
      message: Type.String(),
      field: Type.Optional(Type.String({ description: 'dotted path of the offending field' })),
    }),
  },
  { $id: 'ErrorBody' },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** The reply of an operation that answers 204: no body. */
export const NoContent = Type.Null({ description: 'No content' });
