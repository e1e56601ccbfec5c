import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { ATTACHMENT_LIMITS, type MomentsCtx } from '../../modules/moments/index.ts';
import { AppError } from '../../platform/errors.ts';
import { checkMimeStructure, MIME_LIMITS } from './check-mime-structure.ts';
import { findRecipient, pausedMailbox, type Recipient } from './find-recipient.ts';
import { parseEmail, type ParsedEmail } from './parse-email.ts';
import { receiveEmail, type EmailOutcome } from './receive-email.ts';
import { createRateLimiter } from '../../platform/rate-limiter.ts';

/** The inbound mail server of a running process. */
export type SmtpServer = {
  readonly host: string;
  readonly port: number;
  /** Stops accepting connections and waits for mail being stored to finish. */
  readonly close: () => Promise<void>;
};

export type SmtpServerOptions = { readonly port: number; readonly host: string };

/** Per sender: a person never writes 30 mails in 10 minutes; an autoresponder loop does. */
const SENDER_LIMIT = { max: 30, windowMs: 10 * 60_000 };

/** An SMTP reply for a refusal: the code the client sees and the text after it. */
const refuse = (responseCode: number, message: string) => Object.assign(new Error(message), { responseCode });

/**
 * Starts the inbound SMTP server (point a domain's MX, or a forwarding rule, at it). Every
 * refusal is decided before anything is stored:
 * - RCPT: an address no enabled email channel has, or a reply token that does not verify → 550
 *   (450 when the address is a switched-off channel's: its senders retry until it is back);
 * - MAIL FROM: a sender over the rate limit → 450 (try later);
 * - DATA: over 25 MB → 552; MIME nested deeper than 20 levels or over 1,000 parts, or not
 *   parseable → 554; attachments over the inbox's limits → 552; a failure storing → 451 (the
 *   sending server retries; the Message-ID makes the retry a no-op for what was stored).
 * No AUTH and no STARTTLS: it only receives mail for its own addresses (terminate TLS in front
 * of it if the MX must offer it).
 */
export async function startSmtpServer(ctx: MomentsCtx, options: SmtpServerOptions): Promise<SmtpServer> {
  const { deps } = ctx;
  const limiter = createRateLimiter(deps.clock, SENDER_LIMIT);
  // Recipients accepted in each session's current transaction, by session id.
  const transactions = new Map<string, Map<string, Recipient[]>>();
  const inFlight = new Set<Promise<unknown>>();
  // The null sender (bounces, robots) is counted per connecting host.
  const senderKey = (from: string, session: SMTPServerSession) => from.toLowerCase() || `<>@${session.remoteAddress}`;

  const server = new SMTPServer({
    name: options.host === '0.0.0.0' || options.host === '::' ? undefined : options.host,
    banner: 'Touchpoint',
    size: MIME_LIMITS.maxBytes,
    rejectOversized: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    disableReverseLookup: true,
    maxRecipients: 50,
    socketTimeout: 60_000,
    closeTimeout: 5_000,
    logger: false,
    onMailFrom(address, session, callback) {
      transactions.set(session.id, new Map());
      if (!limiter.allows(senderKey(address.address, session))) return callback(refuse(450, `4.7.1 Too many messages from ${address.address || 'this sender'}, try again later`));
      callback();
    },
    onRcptTo(address, session, callback) {
      const recipient = async () => {
        const found = await findRecipient(deps, address.address);
        if (found.length > 0) return found;
        if (await pausedMailbox(deps, address.address)) throw refuse(450, `4.2.1 <${address.address}>: this mailbox is paused, try again later`);
        throw refuse(550, `5.1.1 <${address.address}>: no such mailbox here`);
      };
      recipient().then(
        (found) => {
          transactions.get(session.id)?.set(address.address.toLowerCase(), found);
          callback();
        },
        (error: unknown) => {
          if (error instanceof Error && 'responseCode' in error) return callback(error);
          deps.log.error({ err: error }, 'smtp recipient lookup failed');
          callback(refuse(451, '4.3.0 Temporary failure, try again later'));
        },
      );
    },
    onData(stream, session, callback) {
      const recipients = [...(transactions.get(session.id)?.values() ?? [])].flat();
      const work = readAll(stream)
        .then((raw) => (stream.sizeExceeded ? Promise.reject(refuse(552, `5.3.4 Message exceeds fixed maximum message size ${MIME_LIMITS.maxBytes}`)) : accept(raw, session, recipients)))
        .then(
          (summary) => {
            limiter.record(senderKey(session.envelope.mailFrom ? session.envelope.mailFrom.address : '', session));
            callback(null, `2.0.0 Ok: ${summary}`);
          },
          (error: unknown) => callback(asSmtpError(deps, error)),
        );
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    },
    onClose(session) {
      transactions.delete(session.id);
    },
  });
  let listening = false;
  // A failed listen is reported to the caller below; after that, errors are one client's connection.
  server.on('error', (error) => listening && deps.log.warn({ err: error }, 'smtp connection error'));

  async function accept(raw: Buffer, session: SMTPServerSession, recipients: readonly Recipient[]): Promise<string> {
    const violation = checkMimeStructure(raw, MIME_LIMITS);
    if (violation) throw refuse(554, `5.6.0 Message refused: ${violation.message}`);
    let mail: ParsedEmail;
    try {
      mail = await parseEmail(raw);
    } catch (error) {
      throw refuse(554, `5.6.0 Message refused: it cannot be parsed (${error instanceof Error ? error.message : String(error)})`);
    }
    checkAttachmentLimits(mail);
    const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const outcomes: EmailOutcome[] = [];
    // One delivery per channel, even when the mail names it twice (its address and a reply address).
    const byChannel = new Map<string, Recipient>();
    for (const r of recipients) if (!byChannel.has(r.channel.id) || r.tokenMomentId) byChannel.set(r.channel.id, r);
    for (const r of byChannel.values()) outcomes.push(await receiveEmail(ctx, { channel: r.channel, mail, envelopeFrom, tokenMomentId: r.tokenMomentId }));
    return outcomes.map((o) => (o.kind === 'message' ? o.result.outcome : o.kind)).join(', ');
  }

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.server.off('error', reject);
      listening = true;
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    host: options.host,
    port,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** Refuses mail whose attachments the inbox would not take, before any of it is stored. */
function checkAttachmentLimits(mail: ParsedEmail): void {
  const total = mail.attachments.reduce((sum, a) => sum + a.data.length, 0);
  const tooBig = mail.attachments.find((a) => a.data.length > ATTACHMENT_LIMITS.perFile);
  if (mail.attachments.length > ATTACHMENT_LIMITS.files) throw refuse(552, `5.3.4 Message refused: more than ${ATTACHMENT_LIMITS.files} attachments`);
  if (tooBig) throw refuse(552, `5.3.4 Message refused: attachment ${tooBig.fileName} is over ${ATTACHMENT_LIMITS.perFile} bytes`);
  if (total > ATTACHMENT_LIMITS.perMessage) throw refuse(552, `5.3.4 Message refused: attachments total over ${ATTACHMENT_LIMITS.perMessage} bytes`);
}

function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    stream.on('data', (chunk: Buffer) => {
      // Past the limit the rest is only drained: the message is refused whole.
      if (kept <= MIME_LIMITS.maxBytes) chunks.push(chunk);
      kept += chunk.length;
    });
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

/** A failure as the sending server should read it: our refusals as they are, anything else temporary. */
function asSmtpError(deps: MomentsCtx['deps'], error: unknown): Error {
  if (error instanceof Error && 'responseCode' in error) return error;
  if (error instanceof AppError && error.code === 'invalid_identity') return refuse(550, `5.1.7 Message refused: ${error.message}`);
  if (error instanceof AppError && error.code === 'attachment_too_large') return refuse(552, `5.3.4 Message refused: ${error.message}`);
  deps.log.error({ err: error }, 'storing inbound mail failed');
  return refuse(451, '4.3.0 Temporary failure storing the message, try again later');
}
