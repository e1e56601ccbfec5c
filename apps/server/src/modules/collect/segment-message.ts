import { randomUUID } from 'node:crypto';
import { dateExists } from '../../platform/calendar-date.ts';
import { isPlainObject, type JsonObject } from '../../platform/json.ts';
import { currencyCode, isBlocklistedValue, type Touchpoint, type TouchpointType } from '../profiles/index.ts';
import { plausibleTime } from '../../platform/plausible-time.ts';

/** Why a tracking call was refused: the field (dotted path) and what is wrong with it. */
export type MessageProblem = { readonly field: string; readonly message: string; readonly code: 'missing_field' | 'invalid_field' };

export const MESSAGE_TYPES: readonly TouchpointType[] = ['identify', 'track', 'page', 'screen', 'group', 'alias'];
const MAX_ID = 255;
const MAX_NAME = 500;
/** The largest time a JavaScript Date can hold: anything beyond cannot be shown as a date. */
const MAX_TIME = 8.64e15;
/**
 * The smallest number taken as a time: Unix milliseconds from March 1973. Below it the number is
 * almost surely seconds (1795874770 is November 2026 in seconds, January 1970 in ms), which
 * would be stored fifty years early; Segment's spec wants ISO 8601 strings anyway.
 */
const MIN_NUMERIC_TIME = 1e11;
/** What a time field must be, said when one is refused. */
const TIME_FORMAT = 'must be an ISO 8601 date-time (or Unix milliseconds: a number under 100000000000 would be seconds)';

/**
 * Order amounts add up on the profile (revenue, lifetime value): one past this would swamp every
 * sum it joins, and two near a double's limit made the sum Infinity, which reads back as null.
 */
const MAX_AMOUNT = 1e15;
const MAX_AMOUNT_TEXT = '1,000,000,000,000,000';
/** An amount written as text: digits with an optional sign and decimals, spaces around allowed. */
const AMOUNT_TEXT = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** Segment's `context.channel` names where a touchpoint came from; ours names the channel. */
const CHANNEL_ALIASES: Readonly<Record<string, string>> = { browser: 'web', mobile: 'app', server: 'server' };

/** Batch-level fields that apply to every item (Segment lets a batch carry context and sentAt). */
export type BatchDefaults = { readonly context?: JsonObject; readonly sentAt?: unknown };

/**
 * Validates one Segment-spec call and turns it into a touchpoint. `path` prefixes field names
 * (`batch[3].`) so a client learns exactly which value to fix.
 * Clock skew: when the client says when it sent the call (`sentAt`), the event time is moved by
 * `receivedAt − sentAt`, as Segment does, so a phone whose clock is an hour off still lands right.
 */
export function parseSegmentMessage(
  raw: unknown,
  type: TouchpointType | null,
  receivedAt: number,
  path = '',
  defaults: BatchDefaults = {},
): { readonly ok: true; readonly touchpoint: Touchpoint } | { readonly ok: false; readonly problem: MessageProblem } {
  const fail = (field: string, message: string, code: MessageProblem['code'] = 'invalid_field') =>
    // A whole batch item is named `batch[3]`, not `batch[3].`.
    ({ ok: false, problem: { field: field ? path + field : path.replace(/\.$/, ''), message, code } }) as const;
  if (!isPlainObject(raw)) return fail(path ? '' : 'body', 'must be a JSON object');
  let kind = type;
  if (kind === null) {
    if (raw.type === undefined) return fail('type', 'is required: one of identify, track, page, screen, group, alias', 'missing_field');
    if (typeof raw.type !== 'string' || !MESSAGE_TYPES.includes(raw.type as TouchpointType)) {
      return fail('type', 'must be one of identify, track, page, screen, group, alias');
    }
    kind = raw.type as TouchpointType;
  }

  const userId = optionalId(raw.userId);
  const anonymousId = optionalId(raw.anonymousId);
  if (userId === false) return fail('userId', `must be a string or number of at most ${MAX_ID} characters`);
  if (anonymousId === false) return fail('anonymousId', `must be a string or number of at most ${MAX_ID} characters`);
  if (userId === null && anonymousId === null) return fail('userId', 'is required when there is no anonymousId', 'missing_field');
  const usable = (id: string | null) => id !== null && !isBlocklistedValue(id);
  if (!usable(userId) && !usable(anonymousId)) {
    return fail(userId !== null ? 'userId' : 'anonymousId', 'is a placeholder value many people share (like "null" or "0"); send a real id');
  }

  const messageId = raw.messageId === undefined || raw.messageId === null ? `srv-${randomUUID()}` : optionalId(raw.messageId);
  if (messageId === false || messageId === null) return fail('messageId', `must be a non-empty string of at most ${MAX_ID} characters`);

  for (const field of ['properties', 'traits', 'context', 'integrations'] as const) {
    if (raw[field] !== undefined && raw[field] !== null && !isPlainObject(raw[field])) return fail(field, 'must be an object');
  }
  const context: JsonObject = { ...(defaults.context ?? {}), ...((raw.context as JsonObject | undefined) ?? {}) };
  if (context.traits !== undefined && context.traits !== null && !isPlainObject(context.traits)) return fail('context.traits', 'must be an object');
  const contextTraits = (context.traits as JsonObject | undefined) ?? {};
  const ownTraits = (raw.traits as JsonObject | undefined) ?? {};
  const properties = (raw.properties as JsonObject | undefined) ?? {};
  for (const field of ['revenue', 'total'] as const) {
    const amount = properties[field];
    if (amount === undefined || amount === null) continue;
    // true counted as 1 and "1,234.50" as an order of nothing: an amount is a number, or one written out.
    if (!(typeof amount === 'number' || (typeof amount === 'string' && AMOUNT_TEXT.test(amount)))) return fail(`properties.${field}`, 'must be a number, like 12.5 or "12.50"');
    if (Math.abs(Number(amount)) > MAX_AMOUNT) return fail(`properties.${field}`, `must be an amount between -${MAX_AMOUNT_TEXT} and ${MAX_AMOUNT_TEXT}`);
  }
  // An amount counts in its currency (a profile's revenue is summed per currency): one that
  // names no readable currency would land in the workspace's own without a word.
  const hasAmount = (properties.revenue ?? properties.total ?? null) !== null;
  if (hasAmount && properties.currency !== undefined && properties.currency !== null && currencyCode(properties.currency) === null) {
    return fail('properties.currency', 'must be a three-letter ISO 4217 currency code, like USD or EUR');
  }

  let name: string | null = null;
  let previousId: string | null = null;
  let stored: JsonObject = properties;
  let personTraits: JsonObject = contextTraits;
  switch (kind) {
    case 'track': {
      if (raw.event === undefined || raw.event === null) return fail('event', 'is required for track', 'missing_field');
      if (typeof raw.event !== 'string' || raw.event.trim() === '' || raw.event.length > MAX_NAME) {
        return fail('event', `must be a non-empty string of at most ${MAX_NAME} characters`);
      }
      name = raw.event;
      break;
    }
    case 'page':
    case 'screen': {
      if (raw.name !== undefined && raw.name !== null && (typeof raw.name !== 'string' || raw.name.length > MAX_NAME)) {
        return fail('name', `must be a string of at most ${MAX_NAME} characters`);
      }
      name = (raw.name as string | undefined) ?? (typeof properties.name === 'string' ? properties.name : null);
      if (typeof raw.category === 'string') stored = { category: raw.category, ...properties };
      break;
    }
    case 'identify':
      personTraits = { ...contextTraits, ...ownTraits };
      stored = ownTraits;
      break;
    case 'group': {
      const groupId = optionalId(raw.groupId);
      if (groupId === null) return fail('groupId', 'is required for group', 'missing_field');
      if (groupId === false) return fail('groupId', 'must be a string or number');
      // Group traits describe the company, not the person.
      stored = { groupId, traits: ownTraits };
      break;
    }
    case 'alias': {
      const prev = optionalId(raw.previousId);
      if (prev === null) return fail('previousId', 'is required for alias', 'missing_field');
      if (prev === false) return fail('previousId', 'must be a string or number');
      if (userId === null) return fail('userId', 'is required for alias', 'missing_field');
      previousId = prev;
      stored = { previousId: prev };
      break;
    }
  }

  const timestamp = optionalTime(raw.timestamp ?? raw.originalTimestamp);
  if (timestamp === false) return fail(raw.timestamp !== undefined ? 'timestamp' : 'originalTimestamp', TIME_FORMAT);
  const sentAt = optionalTime(raw.sentAt ?? defaults.sentAt);
  if (sentAt === false) return fail('sentAt', TIME_FORMAT);
  const happened = timestamp === null ? receivedAt : sentAt === null ? timestamp : timestamp + (receivedAt - sentAt);
  if (!plausibleTime(happened, receivedAt)) {
    const field = timestamp !== null && plausibleTime(timestamp, receivedAt) ? 'sentAt' : raw.timestamp !== undefined ? 'timestamp' : 'originalTimestamp';
    return fail(field, `${field === 'sentAt' ? 'moves the event time' : 'must be a time'} between 1900 and a day from now (after correcting the sender's clock by sentAt)`);
  }

  const rawChannel = typeof context.channel === 'string' ? context.channel.toLowerCase() : null;
  // hasOwn: a channel named "constructor" must not pick up Object.prototype.constructor.
  const alias = rawChannel !== null && Object.hasOwn(CHANNEL_ALIASES, rawChannel) ? CHANNEL_ALIASES[rawChannel] : null;
  const channel = rawChannel ? (alias ?? rawChannel.slice(0, 50)) : kind === 'page' ? 'web' : kind === 'screen' ? 'app' : 'server';

  return {
    ok: true,
    touchpoint: {
      messageId,
      type: kind,
      name,
      channel,
      userId,
      anonymousId,
      previousId,
      traits: personTraits,
      properties: stored,
      context,
      timestamp: happened,
      receivedAt,
    },
  };
}

/** A string or number id, trimmed; null when absent; false when unusable. */
function optionalId(value: unknown): string | null | false {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return false;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  return trimmed.length > MAX_ID ? false : trimmed;
}

/** ISO 8601 strings (or epoch ms numbers); null when absent; false when unparseable. */
function optionalTime(value: unknown): number | null | false {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return Number.isFinite(value) && value >= MIN_NUMERIC_TIME && value <= MAX_TIME ? value : false;
  const date = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})/.exec(value) : null;
  if (!date) return false;
  const [year, month, day] = date.slice(1).map(Number);
  if (!dateExists(year, month, day)) return false;
  const ms = Date.parse(value as string);
  return Number.isNaN(ms) ? false : ms;
}
