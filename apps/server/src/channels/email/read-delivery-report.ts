import type { ParsedEmail } from './parse-email.ts';

/** What a bounce says: which of our messages failed, to whom, and why. */
export type DeliveryReport = {
  /** Message-IDs the report may be about (the returned headers first, then the report's own threading headers). */
  readonly messageIds: readonly string[];
  /** Failed recipients, or null when the report says nothing failed (a delay or a success notice). */
  readonly reason: string | null;
};

/**
 * Reads an RFC 3464 delivery status notification: the per-recipient fields (Action, Status,
 * Diagnostic-Code) and the Message-ID of the returned original (message/rfc822 or
 * text/rfc822-headers part).
 * @example readDeliveryReport(mail) // { messageIds: ['<a@acme.test>'], reason: 'bounced: gone@example.com 5.1.1 (550 5.1.1 User unknown)' }
 */
export function readDeliveryReport(mail: ParsedEmail): DeliveryReport {
  const failures: string[] = [];
  const returned: string[] = [];
  for (const part of mail.attachments) {
    const text = part.data.toString('utf8');
    if (part.contentType === 'message/delivery-status' || part.contentType === 'message/global-delivery-status') {
      for (const recipient of recipientBlocks(text)) {
        if ((recipient.get('action') ?? 'failed').toLowerCase() !== 'failed') continue;
        const who = (recipient.get('final-recipient') ?? recipient.get('original-recipient') ?? '').replace(/^[^;]*;\s*/, '');
        const diagnostic = (recipient.get('diagnostic-code') ?? '').replace(/^[^;]*;\s*/, '');
        failures.push([who, recipient.get('status'), diagnostic && `(${diagnostic})`].filter(Boolean).join(' '));
      }
    } else if (part.contentType === 'message/rfc822' || part.contentType === 'text/rfc822-headers' || part.contentType === 'message/global-headers') {
      const header = text.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' ');
      const id = /^message-id[ \t]*:[ \t]*(<[^<>\r\n]+>)/im.exec(header)?.[1];
      if (id) returned.push(id);
    }
  }
  const messageIds = [...new Set([...returned, ...(mail.inReplyTo ? [mail.inReplyTo] : []), ...mail.references])];
  return { messageIds, reason: failures.length > 0 ? `bounced: ${failures.join('; ')}`.slice(0, 500) : null };
}

/** The per-recipient field groups of a delivery-status body (after the per-message group). */
function recipientBlocks(text: string): ReadonlyMap<string, string>[] {
  const groups = text
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n\s*\r?\n/)
    .map((group) => new Map(group.split(/\r?\n/).flatMap((line) => {
      const at = line.indexOf(':');
      return at > 0 ? [[line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim()] as const] : [];
    })));
  return groups.filter((g) => g.has('final-recipient') || g.has('original-recipient'));
}
