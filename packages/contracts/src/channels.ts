import { Type } from '@sinclair/typebox';
import { ListOf, Nullable, Time, View } from './reply-parts.ts';

export const ChannelKind = Type.Union((['email', 'chat', 'whatsapp', 'messenger', 'instagram', 'sms', 'voice', 'api'] as const).map((k) => Type.Literal(k)));

const fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  businessUnitId: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()]),
  address: Type.Union([Type.String({ minLength: 1, maxLength: 320, description: 'email address, phone number (E.164), page or account id' }), Type.Null()]),
  settings: Type.Record(Type.String(), Type.Unknown(), { description: 'public settings of the kind (provider ids, allowed origins, SMTP relay host/port/user, …)' }),
  secrets: Type.Record(Type.String({ maxLength: 100 }), Type.Union([Type.String({ maxLength: 5000 }), Type.Null()]), { description: 'write-only: tokens and app secrets; null removes one' }),
  costPerContact: Type.Number({ minimum: 0, maximum: 1_000_000 }),
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  enabled: Type.Boolean(),
};

export const CreateChannelBody = Type.Object(
  { kind: ChannelKind, name: fields.name, ...Type.Partial(Type.Object({ businessUnitId: fields.businessUnitId, address: fields.address, settings: fields.settings, secrets: fields.secrets, costPerContact: fields.costPerContact, currency: fields.currency, enabled: fields.enabled })).properties },
  { additionalProperties: false },
);

export const UpdateChannelBody = Type.Partial(Type.Object(fields), { additionalProperties: false, minProperties: 1 });

export const ChannelIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** A channel as the API shows it: secrets only by name, and the webhook URLs to give its provider. */
export const Channel = View({
  workspaceId: Type.String(),
  id: Type.String(),
  kind: ChannelKind,
  name: Type.String(),
  businessUnitId: Nullable(Type.String()),
  address: Nullable(Type.String()),
  settings: fields.settings,
  costPerContact: Type.Number(),
  currency: Type.String(),
  enabled: Type.Boolean(),
  secretsSet: Type.Array(Type.String(), { description: 'names of the secrets stored, sorted' }),
  health: View({ state: Type.Union((['unknown', 'ok', 'degraded', 'failing'] as const).map((s) => Type.Literal(s)), { description: 'unknown: nothing sent yet; ok: the last delivery attempt succeeded; degraded: the last attempt failed and the reply will be retried; failing: a delivery gave up (error says why, at says when)' }), error: Nullable(Type.String()), at: Nullable(Time) }, { description: 'what the last delivery attempt said about the connection' }),
  createdAt: Time,
  updatedAt: Time,
  webhooks: Type.Record(Type.String(), Type.String(), { description: 'full URLs by purpose (callback, incoming, status, …), from the address the request reached; {} for email' }),
});
export const ChannelList = ListOf(Channel);
