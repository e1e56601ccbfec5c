import type { CountryCode } from 'libphonenumber-js';
import { isPlainObject, type JsonObject } from '../../platform/json.ts';
import { FACT_PROPERTIES } from './lifecycle.ts';
import { normalizeIdentity, type IdentityKind, type NormalizedIdentity } from './normalize-identity.ts';

export type TouchpointType = 'identify' | 'track' | 'page' | 'screen' | 'group' | 'alias';

/**
 * One thing that happened between the company and a person, already validated: the unit
 * the profile store records. The tracking API, CSV import and the demo all produce these.
 */
export type Touchpoint = {
  readonly messageId: string;
  readonly type: TouchpointType;
  /** Event name for track, page/screen name, or null. */
  readonly name: string | null;
  /** web, app, email, phone, store, chat, … */
  readonly channel: string;
  readonly userId: string | null;
  readonly anonymousId: string | null;
  /** alias only: the id the person had before. */
  readonly previousId: string | null;
  /** Person traits this touchpoint sets (identify traits and context.traits). */
  readonly traits: JsonObject;
  /** What is stored as the event's properties (for identify and group: their traits). */
  readonly properties: JsonObject;
  readonly context: JsonObject;
  /** When it happened (clock skew corrected), Unix ms. */
  readonly timestamp: number;
  readonly receivedAt: number;
  /**
   * An import row's way to be idempotent: skipped (counted as a duplicate) when the profile it
   * resolves to holds every identity it carries and already has these trait values (what its
   * file ends up giving the customer). A content hash as messageId cannot do this: it would
   * also skip a row that sets back a value changed since.
   */
  readonly skipIfHeld?: JsonObject;
  /** properties and context as stored, when serialised ahead (see forCommitThread). */
  readonly stored?: { readonly properties: string; readonly context: string };
};

/**
 * The touchpoint as the ingest commit thread needs it: properties and context as their stored
 * JSON, made here on the HTTP thread, plus only the fields resolution reads from them (lifecycle
 * facts, external ids). Handing a string to another thread is one copy; nested objects are
 * walked value by value, and the commit thread — ingest's bottleneck — would serialise them again.
 */
export function forCommitThread(tp: Touchpoint): Touchpoint {
  return {
    ...tp,
    properties: pick(tp.properties, FACT_PROPERTIES),
    context: pick(tp.context, ['externalIds']),
    stored: tp.stored ?? { properties: JSON.stringify(tp.properties), context: JSON.stringify(tp.context) },
  };
}

function pick(object: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) if (object[key] !== undefined) out[key] = object[key];
  return out;
}

const SOCIAL_NETWORKS = ['twitter', 'x', 'instagram', 'facebook', 'tiktok', 'linkedin', 'youtube'] as const;

export type ExtractedIdentities = {
  readonly identities: readonly NormalizedIdentity[];
  /** Identifiers dropped before matching (blocklisted or malformed), for the conflict log; `message` says why. */
  readonly rejected: readonly { readonly kind: IdentityKind; readonly value: string; readonly reason: string; readonly message: string }[];
};

/**
 * Every identifier a touchpoint carries: userId, anonymousId, previousId (alias), traits.email,
 * traits.phone, social handles in traits (twitter, instagram, …) and Segment's
 * `context.externalIds` ([{ id, type }] → external_id "type:id").
 */
export function extractIdentities(tp: Touchpoint, defaultCountry: CountryCode | null): ExtractedIdentities {
  const candidates: { kind: IdentityKind; raw: unknown }[] = [];
  if (tp.userId !== null) candidates.push({ kind: 'user_id', raw: tp.userId });
  if (tp.anonymousId !== null) candidates.push({ kind: 'anonymous_id', raw: tp.anonymousId });
  // alias: the previous id is looked up as a user id first, then as an anonymous id (graph).
  if (tp.previousId !== null) candidates.push({ kind: 'anonymous_id', raw: tp.previousId });
  if (tp.traits.email !== undefined && tp.traits.email !== null && tp.traits.email !== '') candidates.push({ kind: 'email', raw: tp.traits.email });
  if (tp.traits.phone !== undefined && tp.traits.phone !== null && tp.traits.phone !== '') candidates.push({ kind: 'phone', raw: tp.traits.phone });
  for (const network of SOCIAL_NETWORKS) {
    const handle = tp.traits[network];
    if (typeof handle === 'string' && handle.trim() !== '') candidates.push({ kind: 'social', raw: `${network === 'x' ? 'twitter' : network}:${handle}` });
  }
  const externalIds = tp.context.externalIds;
  if (Array.isArray(externalIds)) {
    for (const entry of externalIds) {
      if (isPlainObject(entry) && (typeof entry.id === 'string' || typeof entry.id === 'number') && typeof entry.type === 'string') {
        candidates.push({ kind: 'external_id', raw: `${entry.type}:${entry.id}` });
      }
    }
  }

  const identities: NormalizedIdentity[] = [];
  const rejected: { kind: IdentityKind; value: string; reason: string; message: string }[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    const result = normalizeIdentity(c.kind, c.raw, { defaultCountry: defaultCountry ?? undefined });
    if (!result.ok) {
      rejected.push({ kind: c.kind, value: String(c.raw).slice(0, 255), reason: result.reason, message: result.message });
      continue;
    }
    const key = `${result.identity.kind}\u0000${result.identity.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    identities.push(result.identity);
  }
  return { identities, rejected };
}
