import type { ChannelRecord } from '../../modules/channels/index.ts';
import { addMessage, recordDelivery, scopeOfChannel, type Caller, type MomentsCtx, type OpenResult } from '../../modules/moments/index.ts';
import { AppError } from '../../platform/errors.ts';
import { receiveInbound } from '../receive-inbound.ts';
import { detectAutomaticMail } from './detect-automatic-mail.ts';
import { findEmailThread } from './find-email-thread.ts';
import type { ParsedEmail } from './parse-email.ts';
import { readDeliveryReport } from './read-delivery-report.ts';
import { domainOf, replyTokenOf } from './reply-token.ts';

/** One accepted mail for one email channel, as the SMTP server hands it over. */
export type EmailDelivery = {
  readonly channel: ChannelRecord;
  readonly mail: ParsedEmail;
  /** The envelope sender (MAIL FROM), '' for the null return path of bounces and robots. */
  readonly envelopeFrom: string;
  /** The moment a verified reply token (reply+<token>@…) in the recipient names. */
  readonly tokenMomentId: string | null;
};

/** What became of it: a customer message, a bounce that failed our replies, a robot's mail noted or dropped. */
export type EmailOutcome =
  | { readonly kind: 'message'; readonly result: OpenResult }
  | { readonly kind: 'bounce'; readonly failedReplies: number }
  | { readonly kind: 'noted'; readonly momentId: string; readonly reason: string }
  | { readonly kind: 'dropped'; readonly reason: string };

/**
 * Turns an inbound mail into what it is for the inbox:
 * - a bounce (delivery status notification) marks the reply it reports on failed, with the reason;
 * - other automatic mail (auto-replies, lists, bulk, null sender) never opens or reopens a
 *   moment: when it threads to one it is kept there as an internal note (an agent sees the
 *   out-of-office), otherwise it is only logged;
 * - our own mail coming back (a forwarding loop) is dropped;
 * - a person's mail continues the moment it threads to (headers, reply token, subject: see
 *   findEmailThread), or opens a new one, through receiveInbound (the same Message-ID twice is
 *   stored once).
 */
export async function receiveEmail(ctx: MomentsCtx, d: EmailDelivery): Promise<EmailOutcome> {
  const { channel, mail } = d;
  const log = ctx.deps.log.child({ channelId: channel.id, messageId: mail.messageId });
  const sender = mail.from ?? (d.envelopeFrom ? d.envelopeFrom.toLowerCase() : null);
  if (!sender) throw new AppError('invalid_identity', 'the mail names no sender address', 'from');
  if (isOurs(channel, sender)) return dropped(log, 'sent from the inbox itself (a forwarding loop)');

  const automatic = detectAutomaticMail(mail.headers, d.envelopeFrom);
  if (automatic?.kind === 'bounce') {
    const report = readDeliveryReport(mail);
    if (report.reason === null) return dropped(log, 'a delivery report without failures');
    let failedReplies = 0;
    for (const externalId of report.messageIds) {
      if (await recordDelivery(ctx, { workspaceId: channel.workspaceId, on: scopeOfChannel(channel), externalId, state: 'failed', error: report.reason })) failedReplies++;
    }
    log.info({ failedReplies, reason: report.reason }, 'bounce received');
    return { kind: 'bounce', failedReplies };
  }

  const thread = await findEmailThread(ctx.deps.db, channel, { sender, subject: mail.subject, inReplyTo: mail.inReplyTo, references: mail.references, tokenMomentId: d.tokenMomentId, bySubject: automatic === null });
  const meta = {
    messageId: mail.messageId, inReplyTo: mail.inReplyTo, references: mail.references, from: sender, fromName: mail.fromName, to: mail.to, cc: mail.cc, subject: mail.subject, date: mail.date,
    ...(mail.html !== null ? { html: mail.html } : {}),
    ...(thread ? { threadedBy: thread.via } : {}),
    ...(thread?.author === 'participant' ? { participant: true } : {}),
  };
  if (automatic) {
    if (!thread) return dropped(log, automatic.reason);
    const note = await noteAutomatic(ctx, channel, thread.momentId, `Automatic mail from ${sender} (${automatic.reason}), not answered:\n\n${mail.text}`, mail, { ...meta, automatic: automatic.reason });
    if (!note) return dropped(log, `${automatic.reason}; its moment is closed`);
    log.info({ momentId: thread.momentId, reason: automatic.reason }, 'automatic mail noted on its moment');
    return { kind: 'noted', momentId: thread.momentId, reason: automatic.reason };
  }

  const result = await receiveInbound(ctx, channel, {
    identity: `email:${sender}`,
    name: mail.fromName,
    subject: mail.subject || null,
    threadMomentId: thread?.momentId ?? null,
    threadsItself: true,
    message: { body: bodyOf(mail), externalId: mail.messageId, address: mail.replyTo ?? sender, meta, attachments: mail.attachments },
  });
  return { kind: 'message', result };
}

/** The inbox's own addresses (its address, and reply+ addresses on its domain) are never a customer. */
function isOurs(channel: ChannelRecord, sender: string): boolean {
  if (channel.address === null) return false;
  return sender === channel.address || (replyTokenOf(sender) !== null && domainOf(sender) === domainOf(channel.address));
}

const bodyOf = (mail: ParsedEmail) => mail.text || (mail.attachments.length > 0 ? '(attachments only)' : '(empty message)');

async function noteAutomatic(ctx: MomentsCtx, channel: ChannelRecord, momentId: string, body: string, mail: ParsedEmail, meta: Readonly<Record<string, unknown>>): Promise<boolean> {
  const system: Caller = { workspaceId: channel.workspaceId, agentId: null, seesAll: true, teamIds: new Set(), actor: `channel:${channel.id}`, role: 'admin' };
  try {
    await addMessage(ctx, { workspaceId: channel.workspaceId, momentId, caller: system, direction: 'note', body, externalId: mail.messageId, meta });
    return true;
  } catch (error) {
    // A closed moment takes no notes; the robot's mail is not worth a new one.
    if (error instanceof AppError && error.code === 'invalid_transition') return false;
    throw error;
  }
}

function dropped(log: MomentsCtx['deps']['log'], reason: string): EmailOutcome {
  log.info({ reason }, 'inbound mail not stored');
  return { kind: 'dropped', reason };
}
