import { AppError } from '../../platform/errors.ts';
import type { JsonObject } from '../../platform/json.ts';
import type { ChannelKind } from './channel-kinds.ts';
import { ALLOW_HINT, privateHostWritten, type PrivateHosts } from '../../platform/private-hosts.ts';

/** A rule for one setting's value when it is set: null when fine, else what it must be. */
type Rule = (value: unknown) => string | null;

const httpUrl: Rule = (value) => {
  if (typeof value === 'string') {
    try {
      const url = new URL(value);
      if (url.protocol === 'https:' || url.protocol === 'http:') return null;
    } catch {
      // not a URL at all
    }
  }
  return 'must be an http(s) URL';
};
const matching = (pattern: RegExp, what: string): Rule => (value) => (typeof value === 'string' && pattern.test(value) ? null : `must be ${what}`);
const wholeNumber = (min: number, max: number): Rule => (value) => (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? null : `must be a whole number from ${min} to ${max}`);
const flag: Rule = (value) => (typeof value === 'boolean' ? null : 'must be true or false');
const text = (max: number): Rule => (value) => (typeof value === 'string' && value.length <= max ? null : `must be text of at most ${max} characters`);

/**
 * A site that may embed the chat widget: an exact origin or `https://*.example.com`. Strict,
 * because the list is written into a Content-Security-Policy header: no `;`, no spaces, no paths.
 */
export const SITE_ORIGIN = /^https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/i;
/** A site as given, the way the widget reads it (chat-settings.ts): trimmed, without a trailing slash. */
export const siteOf = (given: string): string => given.trim().replace(/\/$/, '');
const origins: Rule = (value) =>
  Array.isArray(value) && value.every((o) => typeof o === 'string' && SITE_ORIGIN.test(siteOf(o)))
    ? null
    : 'must be a list of sites like https://shop.example.com or https://*.example.com (no paths, no bare *)';
const relay: Rule = (value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be { host, port, secure?, user? }';
  const smtp = value as JsonObject;
  if (typeof smtp.host !== 'string' || smtp.host.trim() === '') return 'host must be the relay\'s host name';
  const port = smtp.port === undefined ? null : wholeNumber(1, 65_535)(smtp.port);
  if (port !== null) return `port ${port}`;
  if (smtp.secure !== undefined && typeof smtp.secure !== 'boolean') return 'secure must be true or false';
  if (smtp.user !== undefined && smtp.user !== null && typeof smtp.user !== 'string') return 'user must be text';
  return null;
};

/** Twilio's account ids: AC and 32 hex digits; its messaging services: MG and 32. */
const TWILIO = { accountSid: matching(/^AC[0-9a-f]{32}$/i, 'a Twilio account SID: AC and 32 hex digits'), messagingServiceSid: matching(/^MG[0-9a-f]{32}$/i, 'a Twilio messaging service SID: MG and 32 hex digits'), apiBaseUrl: httpUrl, publicUrl: httpUrl };
const META = { apiBaseUrl: httpUrl, publicUrl: httpUrl };

const SETTING_RULES: Readonly<Record<ChannelKind, Readonly<Record<string, Rule>>>> = {
  email: { smtp: relay },
  chat: { allowedOrigins: origins, title: text(80), greeting: text(500), askEmail: flag, visitorMessagesPerMinute: wholeNumber(1, 60_000) },
  whatsapp: META,
  messenger: META,
  instagram: META,
  sms: TWILIO,
  voice: { ...TWILIO, smsReplies: flag, maxRecordingSeconds: wholeNumber(1, 3_600) },
  api: { outboundUrl: httpUrl },
};

/** Standard Webhooks: `whsec_` and the base64 of the key; at least 16 bytes of it (128 bits). */
const signingSecret: Rule = (value) =>
  typeof value === 'string' && /^whsec_[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value.slice(6), 'base64').length >= 16
    ? null
    : 'must be whsec_ followed by the base64 of at least 16 random bytes (Standard Webhooks; 24 to 64 recommended)';
const SECRET_RULES: Readonly<Partial<Record<ChannelKind, Readonly<Record<string, Rule>>>>> = { api: { signingSecret } };

/**
 * Refuses a setting or secret whose value the channel could not use, naming it: a relay port
 * of "abc", a Twilio account id that is not one, a widget site with a path. Stored, each would
 * break the channel silently, at the first message or reply.
 */
export function checkSettingValues(kind: ChannelKind, settings: JsonObject, secrets: Readonly<Record<string, string>>): void {
  for (const [name, rule] of Object.entries(SETTING_RULES[kind])) {
    const value = settings[name];
    if (value === undefined || value === null || value === '') continue;
    const problem = rule(value);
    if (problem !== null) throw new AppError('invalid_field', `settings.${name} ${problem}`, `settings.${name}`);
  }
  for (const [name, rule] of Object.entries(SECRET_RULES[kind] ?? {})) {
    if (secrets[name] === undefined) continue;
    const problem = rule(secrets[name]);
    if (problem !== null) throw new AppError('invalid_field', `secrets.${name} ${problem}`, `secrets.${name}`);
  }
}

/** Settings naming a host the server calls (a URL's host, or the SMTP relay's). */
const CALLED: Readonly<Partial<Record<ChannelKind, readonly string[]>>> = {
  email: ['smtp'],
  whatsapp: ['apiBaseUrl'],
  messenger: ['apiBaseUrl'],
  instagram: ['apiBaseUrl'],
  sms: ['apiBaseUrl'],
  voice: ['apiBaseUrl'],
  api: ['outboundUrl'],
};

/**
 * Refuses, among the settings being set, a host the server would call on this machine or a
 * private network (unless the operator allows it): the channel would let its admin reach
 * internal services. Names are checked again, resolved, when called.
 */
export function checkCalledHosts(kind: ChannelKind, given: JsonObject, allowed: PrivateHosts): void {
  for (const key of CALLED[kind] ?? []) {
    const host = hostOf(key, given[key]);
    const why = host === null ? null : privateHostWritten(host, allowed);
    if (why !== null) throw new AppError('invalid_field', `${why}: ${ALLOW_HINT}`, key === 'smtp' ? 'settings.smtp.host' : `settings.${key}`);
  }
}

function hostOf(key: string, value: unknown): string | null {
  if (key === 'smtp') return typeof value === 'object' && value !== null && typeof (value as JsonObject).host === 'string' ? ((value as JsonObject).host as string).trim() : null;
  try {
    return typeof value === 'string' ? new URL(value).hostname : null;
  } catch {
    return null;
  }
}
