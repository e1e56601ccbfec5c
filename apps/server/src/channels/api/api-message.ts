import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { AttachmentBody } from '@touchpoint/contracts';
import { AppError } from '../../platform/errors.ts';
import { findUnstorableText, UNSTORABLE_TEXT } from '../../platform/storable-text.ts';
import { parseJsonBody } from '../../platform/json-body.ts';

/** What a system posts to its API channel: a customer's message. Unknown extra fields are ignored. */
export const ApiMessageBody = Type.Object({
  from: Type.Object({
    identity: Type.String({ minLength: 3, maxLength: 600, description: 'kind:value, e.g. email:ann@example.com or external_id:crm:42' }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
  }),
  message: Type.Object({
    id: Type.String({ minLength: 1, maxLength: 500, description: "the sender's id of the message: the same id twice is stored once" }),
    body: Type.String({ maxLength: 100_000 }),
    attachments: Type.Optional(Type.Array(AttachmentBody, { maxItems: 10 })),
  }),
  conversationId: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: "the sender's thread: messages with the same one land on one moment" })),
  subject: Type.Optional(Type.String({ maxLength: 500 })),
});
export type ApiMessage = Static<typeof ApiMessageBody>;

const check = TypeCompiler.Compile(ApiMessageBody);

/** Parses a verified body, naming the first field that is wrong (400), never failing later. */
export function parseApiMessage(raw: Buffer): ApiMessage {
  const value = parseJsonBody(raw);
  if (!check.Check(value)) {
    const first = check.Errors(value).First();
    // /message/attachments/0/data → message.attachments[0].data, as every other error names fields.
    const field = first?.path.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.') || 'body';
    if (!first || first.value === undefined) throw new AppError('missing_field', `${field} is required`, field);
    throw new AppError('invalid_field', `${field} is invalid: ${first.message.charAt(0).toLowerCase()}${first.message.slice(1)}`, field);
  }
  const unstorable = findUnstorableText(value, '');
  if (unstorable !== null) throw new AppError('invalid_field', `${unstorable} ${UNSTORABLE_TEXT}`, unstorable);
  if (value.message.body.trim() === '' && !value.message.attachments?.length) throw new AppError('missing_field', 'message.body is empty and there are no attachments', 'message.body');
  value.message.attachments?.forEach((a, i) => {
    if (!/^[A-Za-z0-9+/\r\n]*={0,2}$/.test(a.data)) throw new AppError('invalid_field', `message.attachments[${i}].data must be base64`, `message.attachments[${i}].data`);
  });
  return value;
}
