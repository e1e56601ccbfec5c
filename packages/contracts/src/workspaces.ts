import { Type } from '@sinclair/typebox';

export const Role = Type.Union(['owner', 'admin', 'agent', 'analyst'].map((r) => Type.Literal(r)));

export const SignInBody = Type.Object({
  email: Type.String({ minLength: 3, maxLength: 320 }),
  password: Type.String({ minLength: 1, maxLength: 200 }),
  workspaceId: Type.Optional(Type.String()),
});

export const CreateKeyBody = Type.Object({
  kind: Type.Union([Type.Literal('api'), Type.Literal('write')]),
  name: Type.Optional(Type.String({ maxLength: 100 })),
});

export const KeyIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const CreateBusinessUnitBody = Type.Object({
  key: Type.String({ pattern: '^[a-z0-9_-]{1,50}$' }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
});

export const CreateTeamBody = Type.Object({
  key: Type.String({ pattern: '^[a-z0-9_-]{1,50}$' }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  businessUnitId: Type.Optional(Type.String()),
  agentIds: Type.Optional(Type.Array(Type.String(), { maxItems: 1000 })),
});

export const CreateAgentBody = Type.Object({
  email: Type.String({ pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$', maxLength: 320 }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  role: Role,
  password: Type.String({ minLength: 10, maxLength: 200 }),
});

export const SettingsPatch = Type.Object(
  {
    defaultCountry: Type.Optional(Type.Union([Type.String({ pattern: '^[A-Z]{2}$' }), Type.Null()])),
    identity: Type.Optional(
      Type.Object({
        limits: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 1, maximum: 10000 }))),
        maxIdentitiesPerProfile: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
        priority: Type.Optional(Type.Array(Type.String())),
      }),
    ),
    lifecycle: Type.Optional(
      Type.Object({
        leadEvents: Type.Optional(Type.Array(Type.String())),
        orderEvents: Type.Optional(Type.Array(Type.String())),
        advocateEvents: Type.Optional(Type.Array(Type.String())),
        repeatAfterOrders: Type.Optional(Type.Integer({ minimum: 2 })),
        atRiskAfterDays: Type.Optional(Type.Integer({ minimum: 1 })),
        churnedAfterDays: Type.Optional(Type.Integer({ minimum: 1 })),
      }),
    ),
    moments: Type.Optional(
      Type.Object(
        {
          defaultTeamId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
          reopenWindowHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 365 })),
          defaultCapacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          dueSoonMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 60 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
