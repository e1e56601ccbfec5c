/** Times and durations as people read them in an inbox. */

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' });

/** 14:02 today, "May 28" before. */
export function shortTime(iso: string, now = Date.now()): string {
  const date = new Date(iso);
  return new Date(now).toDateString() === date.toDateString() ? timeFormat.format(date) : dayFormat.format(date);
}

export const clockTime = (iso: string) => timeFormat.format(new Date(iso));
export const fullTime = (iso: string) => fullFormat.format(new Date(iso));

/** 45s, 12m, 3h 05m, 2d 4h: precise when close, coarse when far. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(Math.abs(ms) / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export const CHANNEL_LABEL: Readonly<Record<string, string>> = {
  email: 'Email',
  chat: 'Chat',
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
  instagram: 'Instagram',
  sms: 'SMS',
  voice: 'Call',
  api: 'API',
  social: 'Social',
};
export const channelLabel = (channel: string) => CHANNEL_LABEL[channel] ?? channel;

export const PRIORITY_COLOR: Readonly<Record<string, string>> = { urgent: 'red', high: 'orange', normal: 'gray', low: 'gray' };
export const STATUS_COLOR: Readonly<Record<string, string>> = { open: 'blue', pending: 'grape', snoozed: 'yellow', resolved: 'teal', closed: 'gray' };
