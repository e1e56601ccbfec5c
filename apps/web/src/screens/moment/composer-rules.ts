import type { Agent, Message, Moment } from '../../api/types.ts';

/** WhatsApp's customer-care window: free text only within 24 hours of the customer's last message. */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60_000;
/** An SMS segment holds 160 GSM-7 characters alone, 153 when split (the rest carries the join header). */
const SMS_SINGLE = 160;
const SMS_PART = 153;

export type ReplyWindow = { readonly open: boolean; readonly closesAt: number | null };

/** What the composer shows and allows for a moment's channel, for this person, now. */
export type ComposerRules = {
  /** Why the customer cannot be answered from here (notes still can), or null. */
  readonly replyBlocked: string | null;
  /** Email: the subject the reply goes out under, and who else was on the customer's last mail. */
  readonly email: { readonly subject: string; readonly cc: readonly string[] } | null;
  /** WhatsApp: the 24-hour window; when closed only an approved template may be sent. */
  readonly window: ReplyWindow | null;
  readonly templateOnly: boolean;
  /** SMS: segments the text costs. */
  readonly smsSegments: number | null;
  readonly attachments: boolean;
  readonly placeholder: string;
};

export type ComposerInput = {
  readonly moment: Pick<Moment, 'channel' | 'subject' | 'status' | 'ownerId'>;
  readonly messages: readonly Pick<Message, 'direction' | 'createdAt' | 'meta' | 'address'>[];
  readonly agentId: string | null;
  readonly readOnly: boolean;
  readonly text: string;
  readonly now: number;
};

export function composerRules({ moment, messages, agentId, readOnly, text, now }: ComposerInput): ComposerRules {
  const lastIn = [...messages].reverse().find((m) => m.direction === 'in');
  const window = moment.channel === 'whatsapp' ? whatsappWindow(lastIn ? Date.parse(lastIn.createdAt) : null, now) : null;
  return {
    replyBlocked: replyBlocked(moment, agentId, readOnly),
    email: moment.channel === 'email' ? { subject: replySubject(moment.subject), cc: copiedOnLastMail(messages) } : null,
    window,
    templateOnly: window !== null && !window.open,
    smsSegments: moment.channel === 'sms' ? smsSegments(text) : null,
    attachments: moment.channel !== 'sms' && moment.channel !== 'voice',
    placeholder: PLACEHOLDER[moment.channel] ?? 'Write your reply…',
  };
}

const PLACEHOLDER: Readonly<Record<string, string>> = {
  email: 'Write your email…',
  chat: 'Write a chat message…',
  whatsapp: 'Write a WhatsApp message…',
  sms: 'Write a text message…',
};

function replyBlocked(moment: ComposerInput['moment'], agentId: string | null, readOnly: boolean): string | null {
  if (readOnly) return 'Your role can read moments but not answer them.';
  if (moment.status === 'closed') return 'This moment is closed. If the customer writes again, a new moment opens.';
  if (moment.channel === 'voice') return 'Calls are answered by phone. Add a note to record what was said.';
  if (agentId === null || moment.ownerId !== agentId) return 'Only the owner answers the customer. Take the moment over to reply, or add an internal note.';
  return null;
}

export function whatsappWindow(lastInboundAt: number | null, now: number): ReplyWindow {
  if (lastInboundAt === null) return { open: false, closesAt: null };
  const closesAt = lastInboundAt + WHATSAPP_WINDOW_MS;
  return { open: now < closesAt, closesAt };
}

/** Replies thread under "Re: <subject>", never "Re: Re: …". */
export function replySubject(subject: string): string {
  const s = subject.trim() || '(no subject)';
  return /^re:/i.test(s) ? s : `Re: ${s}`;
}

/**
 * Whom to suggest copying: everyone on the last email but the customer the reply goes to —
 * its Cc, and its sender when that was a colleague the customer copied in (`participant`).
 */
export function copiedOnLastMail(messages: ComposerInput['messages']): string[] {
  const inbound = messages.filter((m) => m.direction === 'in');
  const last = inbound.at(-1);
  if (!last) return [];
  const customer = [...inbound].reverse().find((m) => m.meta.participant !== true)?.address?.toLowerCase();
  const sender = last.meta.participant === true && typeof last.meta.from === 'string' ? [last.meta.from] : [];
  return [...new Set([...sender, ...ccOf(last.meta)])].filter((a) => a.toLowerCase() !== customer);
}

/** The Cc of an email, as the email channel stores its headers. */
export function ccOf(meta: Readonly<Record<string, unknown>> | undefined): string[] {
  const cc = meta?.cc;
  if (Array.isArray(cc)) return cc.filter((c): c is string => typeof c === 'string');
  if (typeof cc === 'string') return cc.split(',').map((c) => c.trim()).filter(Boolean);
  return [];
}

export function smsSegments(text: string): number {
  const length = [...text].length;
  if (length === 0) return 0;
  return length <= SMS_SINGLE ? 1 : Math.ceil(length / SMS_PART);
}

/** WhatsApp templates a channel lists in its settings (`templates: [{ name, language, body? }]`). */
export type Template = { readonly name: string; readonly language: string; readonly body?: string };

export function templatesOf(settings: Readonly<Record<string, unknown>> | undefined): Template[] {
  const list = settings?.templates;
  if (!Array.isArray(list)) return [];
  return list.flatMap((t) => {
    const item = t as Record<string, unknown>;
    return typeof item.name === 'string' ? [{ name: item.name, language: typeof item.language === 'string' ? item.language : 'en_US', body: typeof item.body === 'string' ? item.body : undefined }] : [];
  });
}

/**
 * The people a note may mention: those who may open the moment, as the server decides it
 * (admins, owners and analysts see every moment; an agent sees what they own, their teams'
 * moments and what is handed to them or their team). The server refuses anyone else, so the
 * picker does not offer them.
 */
export function mentionable<A extends Pick<Agent, 'id' | 'role' | 'teamIds'>>(agents: readonly A[], moment: Pick<Moment, 'ownerId' | 'teamId' | 'handoff'>): A[] {
  const handoff = moment.handoff;
  return agents.filter(
    (a) =>
      a.role !== 'agent' ||
      a.id === moment.ownerId ||
      (moment.teamId !== null && a.teamIds.includes(moment.teamId)) ||
      (handoff !== null && (handoff.toAgentId === a.id || (handoff.toTeamId !== null && a.teamIds.includes(handoff.toTeamId)))),
  );
}
