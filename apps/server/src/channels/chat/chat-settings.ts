import { SITE_ORIGIN, siteOf, type ChannelRecord } from '../../modules/channels/index.ts';

/** What a chat channel's settings say, read leniently: an unknown or malformed value falls back. */
export type ChatSettings = {
  /** Sites that may embed the widget: exact origins or `https://*.example.com`. */
  readonly allowedOrigins: readonly string[];
  readonly title: string;
  readonly greeting: string;
  /** Ask for an email before the first message (pre-chat capture). */
  readonly askEmail: boolean;
  /** Business hours (an id of /api/v1/business-hours): outside them the widget is in offline mode. */
  readonly businessHoursId: string | null;
  /** An email channel: replies go by email too when the visitor is not connected. */
  readonly followUpChannelId: string | null;
  /** Messages one visitor's socket may send per minute (bursts of a sixth of that, at least 20). */
  readonly visitorMessagesPerMinute: number;
};

export function chatSettingsOf(channel: ChannelRecord): ChatSettings {
  const s = channel.settings;
  const raw = s.allowedOrigins;
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/) : [];
  const text = (value: unknown, fallback: string, max: number) => (typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : fallback);
  return {
    allowedOrigins: [...new Set(list.filter((o): o is string => typeof o === 'string').map((o) => siteOf(o).toLowerCase()).filter((o) => SITE_ORIGIN.test(o)))],
    title: text(s.title, channel.name, 80),
    greeting: text(s.greeting, 'Hi! How can we help?', 500),
    askEmail: s.askEmail === true,
    businessHoursId: typeof s.businessHoursId === 'string' && s.businessHoursId !== '' ? s.businessHoursId : null,
    followUpChannelId: typeof s.followUpChannelId === 'string' && s.followUpChannelId !== '' ? s.followUpChannelId : null,
    visitorMessagesPerMinute: typeof s.visitorMessagesPerMinute === 'number' && s.visitorMessagesPerMinute >= 1 ? Math.min(s.visitorMessagesPerMinute, 60_000) : 120,
  };
}

/**
 * The trait that keeps an email a visitor typed which already belongs to another customer:
 * shown to the agent (who may merge the two after checking), used for this visitor's own
 * follow-ups, never linked as an identity.
 */
export const UNVERIFIED_EMAIL = 'unverifiedEmail';
