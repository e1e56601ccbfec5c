import { isIP } from 'node:net';
import nodemailer from 'nodemailer';
import type { ChannelRecord } from '../../modules/channels/index.ts';
import type { OutboundReply } from '../../modules/moments/index.ts';
import { DeliveryError, type ChannelAdapter } from '../channel-adapter.ts';
import { ALLOW_HINT, NO_PRIVATE_HOSTS, pinnedHost, type PrivateHosts } from '../../platform/private-hosts.ts';
import { replySubject } from './normalize-subject.ts';
import { domainOf, makeReplyToken, REPLY_SECRET } from './reply-token.ts';

/** The outbound relay of a channel: settings.smtp, with secrets.smtpPassword when `user` is set. */
type Relay = { readonly host: string; readonly port: number; readonly secure: boolean; readonly user: string | null };

// References keeps the first Message-ID (the thread's root) and the latest ones, as RFC 5322 suggests.
const MAX_REFERENCES = 20;
const MESSAGE_ID = /^<[^<>\s]+@[^<>\s]+>$/;

/**
 * Sends agents' replies through the channel's SMTP relay (nodemailer). From: the inbox
 * address with the agent's name; To: where the customer last wrote from; Subject "Re: …";
 * Message-ID `<message id@inbox domain>` (the same on every retry, so a relay that did take an
 * earlier attempt delivers a duplicate the customer's client folds away); In-Reply-To the
 * customer's latest mail and References the thread, so their client threads it; Reply-To
 * `reply+<token>@inbox domain` so a client that drops those headers (Outlook) still threads.
 * Only the relay's 250 after DATA is "sent"; a 5xx is final, anything else is retried.
 */
export function createEmailAdapter(privateHosts: PrivateHosts = NO_PRIVATE_HOSTS): ChannelAdapter {
  return {
    kind: 'email',
    send: async (channel, reply) => {
      const relay = relayOf(channel);
      if (!channel.address) throw new DeliveryError('the email channel has no address to send from', false);
      if (!reply.to) throw new DeliveryError('the customer has no email address to reply to', false, 'message');
      if (reply.to.toLowerCase() === channel.address) throw new DeliveryError('the inbox does not write to itself', false);
      // Connect to the address checked now, by name for TLS: a name that rebinds after the check cannot move the call.
      const target = await pinnedHost(relay.host, privateHosts);
      if ('refused' in target) throw new DeliveryError(`settings.smtp.host: ${target.refused}; ${ALLOW_HINT}`, false);
      const domain = domainOf(channel.address);
      const messageId = `<${reply.messageId}@${domain}>`;
      const secret = channel.secrets[REPLY_SECRET];
      const token = secret ? makeReplyToken(secret, channel.id, reply.momentId) : null;
      const { inReplyTo, references } = threadHeaders(reply);
      const transport = nodemailer.createTransport({
        host: target.address,
        port: relay.port,
        secure: relay.secure,
        // An address written as the host needs no name (TLS takes none: RFC 6066).
        ...(isIP(relay.host) === 0 ? { tls: { servername: relay.host } } : {}),
        auth: relay.user ? { user: relay.user, pass: channel.secrets.smtpPassword ?? '' } : undefined,
        connectionTimeout: 15_000,
        greetingTimeout: 15_000,
        socketTimeout: 60_000,
      });
      try {
        const copied = ccOf(reply.meta, reply.to);
        const info = await transport.sendMail({
          from: { name: reply.authorName ?? channel.name, address: channel.address },
          to: reply.to,
          // People the agent chose to copy (never copied automatically: that could loop into our own inboxes).
          ...(copied.length > 0 ? { cc: copied } : {}),
          ...(token ? { replyTo: `reply+${token}@${domain}` } : {}),
          subject: typeof reply.meta.subject === 'string' ? reply.meta.subject : replySubject(reply.subject),
          messageId,
          ...(inReplyTo ? { inReplyTo } : {}),
          ...(references.length > 0 ? { references: [...references] } : {}),
          text: reply.body,
          attachments: reply.attachments.map((a) => ({ filename: a.fileName, content: a.data, contentType: a.contentType })),
        });
        if (info.rejected.length > 0 && info.accepted.length === 0) throw new DeliveryError(`relay ${relay.host}:${relay.port} refused ${reply.to}: ${info.response}`, false, 'message');
        return { providerMessageId: messageId };
      } catch (error) {
        throw asDeliveryError(relay, error);
      } finally {
        transport.close();
      }
    },
  };
}

/** Whom the agent chose to copy, without the customer the reply is to. */
const ccOf = (meta: Readonly<Record<string, unknown>>, to: string): string[] =>
  Array.isArray(meta.cc) ? meta.cc.filter((a): a is string => typeof a === 'string' && a.toLowerCase() !== to.toLowerCase()) : [];

function relayOf(channel: ChannelRecord): Relay {
  const smtp = channel.settings.smtp;
  const settings = typeof smtp === 'object' && smtp !== null && !Array.isArray(smtp) ? (smtp as Record<string, unknown>) : {};
  const port = Number(settings.port ?? 587);
  if (typeof settings.host !== 'string' || !settings.host || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new DeliveryError('no outbound relay is configured: set the channel settings.smtp { host, port, secure?, user? } (and secrets.smtpPassword)', false);
  }
  return { host: settings.host, port, secure: settings.secure === true, user: typeof settings.user === 'string' && settings.user ? settings.user : null };
}

/** In-Reply-To: the customer's latest mail; References: the thread before it, root first. */
function threadHeaders(reply: OutboundReply): { readonly inReplyTo: string | null; readonly references: readonly string[] } {
  const lastIn = reply.thread.filter((m) => m.direction === 'in' && MESSAGE_ID.test(m.externalId)).at(-1);
  const earlier = Array.isArray(lastIn?.meta.references) ? (lastIn.meta.references as unknown[]).filter((r): r is string => typeof r === 'string') : [];
  const ids = [...new Set([...earlier, ...reply.thread.map((m) => m.externalId)])].filter((id) => MESSAGE_ID.test(id));
  const references = ids.length > MAX_REFERENCES ? [ids[0]!, ...ids.slice(-(MAX_REFERENCES - 1))] : ids;
  return { inReplyTo: lastIn?.externalId ?? null, references };
}

/** 5xx from the relay (except 503) is final; 4xx, timeouts and refused connections are retried. */
function asDeliveryError(relay: Relay, error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const e = (error ?? {}) as { message?: string; code?: string; responseCode?: number; response?: string; permanent?: boolean };
  const where = `relay ${relay.host}:${relay.port}`;
  if (typeof e.responseCode === 'number') {
    const permanent = e.permanent ?? (e.responseCode >= 500 && e.responseCode !== 503);
    return new DeliveryError(`${where} answered ${e.response ?? e.responseCode}`, !permanent);
  }
  // Wrong or missing credentials and bad settings need an admin, not another attempt.
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH' || e.code === 'ECONFIG') return new DeliveryError(`${where}: ${e.message ?? e.code}`, false);
  return new DeliveryError(`${where} unreachable: ${e.message ?? String(error)}`, true);
}
