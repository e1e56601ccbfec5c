import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MomentChannel } from './moments.ts';
import { ListOf, Time, View } from './reply-parts.ts';

/**
 * A nullable field as one JSON Schema type list. A `Type.Union([X, Type.Null()])` would let the
 * server's type coercion turn 0 or "" into null instead of refusing them.
 * @example orNull(Type.Integer({ minimum: 1 })) // { type: ['integer', 'null'], minimum: 1 }
 */
const orNull = <T extends TSchema & { type: string }>(schema: T) => Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });

const Id = Type.String({ minLength: 1, maxLength: 64 });

/** A local time range, e.g. ["09:00", "17:30"]; the end may be "24:00". */
const TimeRange = Type.Tuple([Type.String({ maxLength: 5, description: 'HH:MM' }), Type.String({ maxLength: 5, description: 'HH:MM or 24:00' })]);
const DayRanges = Type.Array(TimeRange, { maxItems: 12 });

const BusinessHoursFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  timeZone: Type.String({ minLength: 1, maxLength: 100, description: 'IANA zone, e.g. Europe/Lisbon' }),
  weekly: Type.Object(
    { mon: Type.Optional(DayRanges), tue: Type.Optional(DayRanges), wed: Type.Optional(DayRanges), thu: Type.Optional(DayRanges), fri: Type.Optional(DayRanges), sat: Type.Optional(DayRanges), sun: Type.Optional(DayRanges) },
    { additionalProperties: false, description: 'local ranges per weekday, e.g. { "mon": [["09:00", "17:00"]] }' },
  ),
  holidays: Type.Array(Type.String({ maxLength: 10, description: 'YYYY-MM-DD' }), { maxItems: 1000, description: 'local dates with no business time' }),
};

/** @example { "name": "Lisbon office", "timeZone": "Europe/Lisbon", "weekly": { "mon": [["09:00", "17:00"]] }, "holidays": ["2026-12-25"] } */
export const BusinessHoursBody = Type.Object(
  { name: BusinessHoursFields.name, timeZone: BusinessHoursFields.timeZone, weekly: BusinessHoursFields.weekly, holidays: Type.Optional(BusinessHoursFields.holidays) },
  { additionalProperties: false },
);
export const BusinessHoursPatch = Type.Partial(Type.Object(BusinessHoursFields), { additionalProperties: false });

const Minutes = orNull(Type.Integer({ minimum: 1, maximum: 525_600 }));

/** Longest warning before a deadline (a week): the sweep looks this far ahead. */
export const MAX_WARN_BEFORE_MINUTES = 10_080;

const SlaPolicyFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  priority: Type.Unsafe<'low' | 'normal' | 'high' | 'urgent' | null>({ type: ['string', 'null'], enum: ['low', 'normal', 'high', 'urgent', null], description: 'null matches any' }),
  // As moments name it: a policy for "Chat" would time none of them.
  channel: orNull({ ...MomentChannel, description: 'null matches any' }),
  businessUnitId: orNull(Type.String({ minLength: 1, maxLength: 64, description: 'null matches any' })),
  firstResponseMinutes: Minutes,
  nextResponseMinutes: Minutes,
  resolutionMinutes: Minutes,
  businessHoursId: orNull(Type.String({ minLength: 1, maxLength: 64, description: 'null: the clock runs around the clock' })),
  warnBeforeMinutes: Type.Integer({ minimum: 0, maximum: MAX_WARN_BEFORE_MINUTES }),
  breachActions: Type.Array(Type.Union([Type.Literal('reassign'), Type.Literal('notify_lead'), Type.Literal('raise_priority')]), { maxItems: 3, uniqueItems: true }),
};

const { name: policyName, ...policyRest } = SlaPolicyFields;

/** @example { "name": "Urgent chat", "priority": "urgent", "channel": "chat", "firstResponseMinutes": 5, "resolutionMinutes": 240, "breachActions": ["notify_lead"] } */
export const SlaPolicyBody = Type.Object(
  { name: policyName, ...Type.Partial(Type.Object(policyRest)).properties },
  { additionalProperties: false, description: 'At least one deadline: firstResponseMinutes, nextResponseMinutes or resolutionMinutes (a change that would leave none is refused too).' },
);
export const SlaPolicyPatch = Type.Partial(Type.Object(SlaPolicyFields), { additionalProperties: false });

export const SlaIdParams = Type.Object({ id: Id });

/** Business hours as the API shows them: weekdays without a range are left out of `weekly`. */
export const BusinessHours = View({ id: Id, ...BusinessHoursFields, createdAt: Time });
export const BusinessHoursList = ListOf(BusinessHours);

/** An SLA policy as the API shows it, every field given (null where it matches any or sets no deadline). */
export const SlaPolicy = View({ id: Id, ...SlaPolicyFields, createdAt: Time });
export const SlaPolicyList = ListOf(SlaPolicy);

export type BusinessHoursBody = Static<typeof BusinessHoursBody>;
export type BusinessHoursPatch = Static<typeof BusinessHoursPatch>;
export type SlaPolicyBody = Static<typeof SlaPolicyBody>;
export type SlaPolicyPatch = Static<typeof SlaPolicyPatch>;
export type SlaIdParams = Static<typeof SlaIdParams>;
