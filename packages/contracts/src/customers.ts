import { Type } from '@sinclair/typebox';

export const StageName = Type.Union(
  ['visitor', 'lead', 'customer', 'repeat', 'advocate', 'at_risk', 'churned'].map((s) => Type.Literal(s)),
);

export const CustomerIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const CustomersQuery = Type.Object(
  {
    identity: Type.Optional(Type.String({ description: 'kind:value, e.g. email:ann@example.com, phone:+14155552671, user_id:42' })),
    q: Type.Optional(Type.String({ maxLength: 200, description: 'name, email, phone or id' })),
    stage: Type.Optional(StageName),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: true, description: 'trait.<name>=<value> filters by an exact trait value' },
);

export const TimelineQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
  channel: Type.Optional(Type.String({ maxLength: 300, description: 'one channel or a comma list: chat,whatsapp,messenger' })),
  type: Type.Optional(Type.Union(['identify', 'track', 'page', 'screen', 'group', 'alias'].map((t) => Type.Literal(t)))),
  name: Type.Optional(Type.String({ maxLength: 500 })),
  department: Type.Optional(Type.String({ pattern: '^[a-z0-9_-]{1,50}$', description: 'the team (key) that handled it: marketing, sales, service, …' })),
});

export const MergeBody = Type.Object({
  ids: Type.Tuple([Type.String({ minLength: 1 }), Type.String({ minLength: 1 })], { description: 'the two profiles; the older survives' }),
  reason: Type.String({ minLength: 1, maxLength: 500 }),
  force: Type.Optional(Type.Boolean({ description: 'merge even if identity limits (two user ids) are exceeded' })),
});

export const UnmergeBody = Type.Optional(
  Type.Object({ mergeId: Type.Optional(Type.String({ description: 'which merge to undo when the id is the survivor; default the latest' })) }),
);

export const StageOverrideBody = Type.Object({
  stage: Type.Union([StageName, Type.Null()], { description: 'null clears the override' }),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
});
