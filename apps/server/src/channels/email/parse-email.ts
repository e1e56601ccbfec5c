import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject } from 'mailparser';
import { sanitizeEmailHtml } from './sanitize-email-html.ts';
import { MIME_LIMITS } from './check-mime-structure.ts';

/** An inbound mail as the email channel works with it. Strings are storable on both engines. */
export type ParsedEmail = {
  /** `<id@host>`; a stand-in made from the content's hash when the mail has none (so a retry still dedupes). */
  readonly messageId: string;
  readonly inReplyTo: string | null;
  /** Message-IDs of the thread, oldest first. */
  readonly references: readonly string[];
  readonly subject: string;
  /** The author (From), lower-case, or null when the header has no usable address. */
  readonly from: string | null;
  readonly fromName: string | null;
  /** Where the author wants answers (Reply-To, else From). */
  readonly replyTo: string | null;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly date: string | null;
  /** The plain text part, else the HTML converted to text. */
  readonly text: string;
  /** The HTML part, sanitised for display; null when there is none. */
  readonly html: string | null;
  readonly attachments: readonly { readonly fileName: string; readonly contentType: string; readonly data: Buffer }[];
  /** Every header by lower-case name, values unfolded (repeated headers keep each value). */
  readonly headers: ReadonlyMap<string, readonly string[]>;
};

// Larger HTML is not converted to text (a pathological table can stall the converter).
const MAX_HTML_TO_TEXT = 2 * 1024 * 1024;

/**
 * Parses a raw RFC 5322 message with mailparser: text preferred over HTML, HTML sanitised,
 * attachments buffered, delivery-status reports kept as attachments (for bounces).
 * @example const mail = await parseEmail(raw); mail.messageId // '<abc@mail.example>'
 */
export async function parseEmail(raw: Buffer): Promise<ParsedEmail> {
  const mail = await simpleParser(raw, { keepCidLinks: true, keepDeliveryStatus: true, maxHtmlLengthToParse: MAX_HTML_TO_TEXT, maxChildNodes: MIME_LIMITS.maxParts, skipTextToHtml: true, checksumAlgo: false });
  const headers = new Map<string, string[]>();
  for (const { key, line } of mail.headerLines) {
    const value = line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    headers.set(key, [...(headers.get(key) ?? []), value]);
  }
  const from = mail.from?.value.find((a) => a.address);
  const replyTo = mail.replyTo?.value.find((a) => a.address)?.address;
  return {
    messageId: storable(mail.messageId?.trim() || `<${createHash('sha256').update(raw).digest('hex')}@no-message-id.invalid>`),
    inReplyTo: mail.inReplyTo ? storable(firstMessageId(mail.inReplyTo)) : null,
    references: (Array.isArray(mail.references) ? mail.references : mail.references ? mail.references.split(/\s+/) : []).map((r) => storable(r.trim())).filter((r) => r.length > 0),
    subject: storable(mail.subject ?? ''),
    from: from?.address ? storable(from.address.toLowerCase()) : null,
    fromName: from?.name ? storable(from.name) : null,
    replyTo: storable((replyTo ?? from?.address ?? '').toLowerCase()) || null,
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : null,
    text: storable(mail.text || (typeof mail.html === 'string' ? await textOfHtml(mail.html) : '')).trim(),
    html: typeof mail.html === 'string' && mail.html.trim().length > 0 ? storable(sanitizeEmailHtml(mail.html).trim()) : null,
    attachments: mail.attachments.map((a, i) => ({
      fileName: storable(a.filename ?? (a.contentType === 'message/rfc822' ? 'message.eml' : `attachment-${i + 1}`)),
      contentType: a.contentType,
      data: a.content,
    })),
    headers,
  };
}

/**
 * The text of an HTML part mailparser left unconverted (it converts HTML only when it is the
 * whole body; an HTML part beside attachments in multipart/mixed stays HTML): converted as a
 * single-part HTML mail, under mailparser's own size and nesting limits.
 */
async function textOfHtml(html: string): Promise<string> {
  const single = await simpleParser(Buffer.from(`Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${html}`), { maxHtmlLengthToParse: MAX_HTML_TO_TEXT, skipTextToHtml: true, checksumAlgo: false });
  return single.text ?? '';
}

function addresses(header: AddressObject | AddressObject[] | undefined): string[] {
  const all = (Array.isArray(header) ? header : header ? [header] : []).flatMap((h) => h.value.flatMap((a) => [a, ...(a.group ?? [])]));
  return [...new Set(all.map((a) => a.address?.toLowerCase()).filter((a): a is string => !!a).map(storable))];
}

// Some clients write a comment after the id; threading needs the id alone.
const firstMessageId = (value: string) => /<[^<>]+>/.exec(value)?.[0] ?? value.trim();

/**
 * Text both engines store: PostgreSQL refuses U+0000 and its JSON refuses lone surrogates,
 * and mail from the wild has both.
 */
export function storable(text: string): string {
  return text.replace(/\u0000/g, '').replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
