import { describe, expect, it } from 'vitest';
import { parseEmail } from './parse-email.ts';

const mail = (lines: readonly string[]) => Buffer.from(lines.join('\r\n'));

describe('parseEmail', () => {
  it('prefers the text part, keeps the HTML sanitised, buffers attachments, reads the threading headers', async () => {
    const parsed = await parseEmail(
      mail([
        'From: "Ann Smith" <Ann@Example.com>',
        'To: Support <support@acme.test>, bob@example.com',
        'Cc: carol@example.com',
        'Subject: =?UTF-8?B?UmU6IE9yZGVyIGxhdGUg4pyU?=',
        'Message-ID: <m2@example.com>',
        'In-Reply-To: <m1@acme.test> (our reply)',
        'References: <m0@example.com>\r\n <m1@acme.test>',
        'Date: Tue, 24 Nov 2026 10:00:00 +0000',
        'Content-Type: multipart/mixed; boundary="M"',
        '',
        '--M',
        'Content-Type: multipart/alternative; boundary="A"',
        '',
        '--A',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Still waiting for order #123.',
        '--A',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p onclick="x()">Still waiting for <b>order #123</b>.<script>alert(1)</script></p>',
        '--A--',
        '--M',
        'Content-Type: application/pdf; name="invoice.pdf"',
        'Content-Disposition: attachment; filename="invoice.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('%PDF-1.4 fake').toString('base64'),
        '--M--',
        '',
      ]),
    );
    expect(parsed).toMatchObject({
      messageId: '<m2@example.com>',
      inReplyTo: '<m1@acme.test>',
      references: ['<m0@example.com>', '<m1@acme.test>'],
      subject: 'Re: Order late ✔',
      from: 'ann@example.com',
      fromName: 'Ann Smith',
      replyTo: 'ann@example.com',
      to: ['support@acme.test', 'bob@example.com'],
      cc: ['carol@example.com'],
      date: '2026-11-24T10:00:00.000Z',
      text: 'Still waiting for order #123.',
      html: '<p>Still waiting for <b>order #123</b>.</p>',
    });
    expect(parsed.attachments).toEqual([{ fileName: 'invoice.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 fake') }]);
  });

  it('turns HTML-only mail into text, honours Reply-To, and makes storable text of NULs', async () => {
    const parsed = await parseEmail(mail(['From: ann@example.com', 'Reply-To: Ann <ann.private@example.org>', 'Subject: Hi\u0000there', 'Content-Type: text/html', '', '<div>Hello<br>world</div>', '']));
    expect(parsed.text).toBe('Hello\nworld');
    expect(parsed.html).toBe('<div>Hello<br />world</div>');
    expect(parsed.replyTo).toBe('ann.private@example.org');
    expect(parsed.subject).toBe('Hithere');
  });

  it('turns an HTML part beside attachments (multipart/mixed, no text part) into text too', async () => {
    const parsed = await parseEmail(
      mail([
        'From: ann@example.com', 'Subject: Late order', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="B"', '',
        '--B', 'Content-Type: text/html; charset=utf-8', '', '<p>My order is <b>late</b> — où est-il?</p>',
        '--B', 'Content-Type: application/pdf; name="receipt.pdf"', 'Content-Disposition: attachment; filename="receipt.pdf"', 'Content-Transfer-Encoding: base64', '', Buffer.from('%PDF-1.4').toString('base64'),
        '--B--', '',
      ]),
    );
    expect(parsed.text).toBe('My order is late — où est-il?');
    expect(parsed.attachments.map((a) => a.fileName)).toEqual(['receipt.pdf']);
  });

  it('makes a stable stand-in Message-ID when the mail has none', async () => {
    const raw = mail(['From: ann@example.com', 'Subject: no id', '', 'hello', '']);
    const first = await parseEmail(raw);
    expect(first.messageId).toMatch(/^<[0-9a-f]{64}@no-message-id\.invalid>$/);
    expect((await parseEmail(raw)).messageId).toBe(first.messageId);
  });
});
